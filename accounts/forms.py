from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from accounts.validators import validate_id_number, validate_phone


class _OfferedChoices(ModelChoiceIterator):
    def __init__(self, field: OrgChoiceField):
        super().__init__(field)
        if field.offered is not None:
            self.queryset = field.offered


class OrgChoiceField(forms.ModelChoiceField):
    """An organization field that offers only the organizations the user may set (``offer``) but
    accepts any of its queryset, so that a forged value reaches the form's scope check
    (``accounts.scoping.check_orgs_in_scope``) and is refused with the same message as on the API,
    instead of passing for a mere "invalid choice"."""

    iterator = _OfferedChoices
    offered: QuerySet[Organization] | None = None

    def offer(self, queryset: QuerySet[Organization]) -> None:
        self.offered = queryset
        self.widget.choices = self.choices


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
