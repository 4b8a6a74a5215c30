from __future__ import annotations

from django import forms

from accounts.models import Worker


class WorkerContactForm(forms.ModelForm):
    """A worker's own contact data; validation lives on the model fields."""

    class Meta:
        model = Worker
        fields = ["phone", "id_number"]
        widgets = {
            "phone": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
            "id_number": forms.TextInput(attrs={"autocomplete": "off"}),
        }
