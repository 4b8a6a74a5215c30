"""A small set of choice codes in one column (themes, products, add-ons of a base or itinerary)."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.core import exceptions
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

SEP = ","


def code_pattern(code: str) -> str:
    """The ``contains`` pattern that finds one code in a stored set: ``",green,"``."""
    return f"{SEP}{code}{SEP}"


class CodeSetField(models.CharField):
    """Stores ``["green", "blue"]`` as ``",green,blue,"`` (codes in the order of the choices).

    Why not a many-to-many table or ArrayField: the catalogue reads themes and products on every
    row and filters by them; one delimited column needs no join, no prefetch query and no
    DISTINCT, and ``field__contains=code_pattern(code)`` works on SQLite and PostgreSQL alike.
    """

    description = _("A set of codes")

    def __init__(self, *args, codes: Iterable[tuple[str, object]] = (), **kwargs):
        self.codes = list(codes)
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["codes"] = self.codes
        if kwargs.get("default") is list:
            del kwargs["default"]
        if kwargs.get("max_length") == 200:
            del kwargs["max_length"]
        return name, path, args, kwargs

    def _order(self, values: Iterable[str]) -> list[str]:
        known = [code for code, _label in self.codes]
        chosen = set(values)
        return [code for code in known if code in chosen] + sorted(chosen - set(known))

    def pre_save(self, model_instance, add) -> list[str]:
        # Normalise the instance too, so it reads the same before and after a reload.
        value = self._order(getattr(model_instance, self.attname) or [])
        setattr(model_instance, self.attname, value)
        return value

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):
            return [code for code in value.split(SEP) if code]
        return self._order(value)

    def get_prep_value(self, value):
        if isinstance(value, str):  # a lookup pattern such as ",green," passes unchanged
            return value
        codes = self._order(value or [])
        return f"{SEP}{SEP.join(codes)}{SEP}" if codes else ""

    def value_to_string(self, obj) -> str:
        return self.get_prep_value(self.value_from_object(obj))

    def validate(self, value, model_instance) -> None:
        known = {code for code, _label in self.codes}
        unknown = [code for code in value or [] if code not in known]
        if unknown:
            raise exceptions.ValidationError(
                _("Unknown choice: %(codes)s."),
                code="invalid_choice",
                params={"codes": ", ".join(unknown)},
            )
        if not value and not self.blank:
            raise exceptions.ValidationError(self.error_messages["blank"], code="blank")

    def run_validators(self, value) -> None:
        # CharField's max-length validator would measure the list; measure the stored text.
        super().run_validators(self.get_prep_value(value))

    def formfield(self, **kwargs):
        defaults = {
            "form_class": forms.MultipleChoiceField,
            "choices": self.codes,
            "required": not self.blank,
            # capfirst stays lazy: the label follows the language of each request.
            "label": capfirst(self.verbose_name) if self.verbose_name else None,
            "help_text": self.help_text,
            "widget": forms.CheckboxSelectMultiple,
        }
        defaults.update(kwargs)
        form_class = defaults.pop("form_class")
        for key in ("max_length", "empty_value"):
            defaults.pop(key, None)
        return form_class(**defaults)

    def labels(self, value: Iterable[str]) -> list[str]:
        names = dict(self.codes)
        return [str(names.get(code, code)) for code in value]
