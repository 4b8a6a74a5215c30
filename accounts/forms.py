from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.validators import validate_id_number, validate_phone


class WorkerContactForm(forms.Form):
    """A worker's own contact data. A field left blank keeps the stored value."""

    phone = forms.CharField(
        label=_("Mobile phone"),
        required=False,
        max_length=11,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )
    id_number = forms.CharField(
        label=_("ID card number"),
        required=False,
        max_length=18,
        validators=[validate_id_number],
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_id_number(self) -> str:
        return self.cleaned_data["id_number"].upper()
