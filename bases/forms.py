"""Page forms. Validation that is a data rule lives in the models (the services run it), so the
pages and the API refuse the same things with the same messages."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.forms import OrgChoiceField
from accounts.scoping import can_manage_org, orgs_in_scope
from bases.models import (
    INDICATOR_GROUPS,
    INDICATORS,
    REASON_REQUIRED,
    Base,
    BaseStatus,
    Batch,
    Itinerary,
    QualitySettings,
)
from bases.permissions import can_place_base_in, check_base_orgs
from bases.validators import (
    MAX_CAPACITY,
    PHOTO_MAX_BYTES,
    check_batch_dates,
    validate_photo,
)
from recuperation.money import YuanFormField


class BootstrapMixin:
    """Bootstrap classes on every widget, and ``is-invalid`` on fields with errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                css = "form-check-input"  # RadioSelect covers CheckboxSelectMultiple
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class BaseForm(BootstrapMixin, forms.ModelForm):
    """申报 and profile editing. Operators do not choose the operator; only staff rename.

    The county and operator lists offer what the user may set (and the value the base has); any
    other value posted, forged or not, is refused by ``check_base_orgs``, as on the API.
    """

    class Meta:
        model = Base
        fields = [
            "name",
            "county",
            "operator",
            "address",
            "summary",
            "description",
            "contact_name",
            "contact_phone",
            "themes",
            "products",
        ]
        field_classes = {"county": OrgChoiceField, "operator": OrgChoiceField}
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, user, staff: bool, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.existing = None if creating else self.instance
        if not staff:
            del self.fields["operator"]
            if not creating:
                for name in ("name", "county"):
                    del self.fields[name]
        for name, allowed in (("county", can_place_base_in), ("operator", can_manage_org)):
            if name in self.fields:
                field = self.fields[name]
                field.queryset = field.queryset.order_by("path")
                offered = orgs_in_scope(user, field.queryset, allowed)
                if self.existing is not None:  # keeping the current value is not setting it
                    offered |= field.queryset.filter(pk=getattr(self.existing, f"{name}_id"))
                field.offer(offered)

    def clean(self) -> dict:
        data = super().clean()
        check_base_orgs(
            self.user,
            base=self.existing,
            county=data.get("county") if "county" in self.fields else None,
            operator=data.get("operator") if "operator" in self.fields else None,
        )
        return data


class PhotoForm(BootstrapMixin, forms.Form):
    image = forms.ImageField(
        label=_("Photo"),
        validators=[validate_photo],
        help_text=format_lazy(
            _("JPEG, PNG or WebP, at most {mb} MB."), mb=PHOTO_MAX_BYTES // 2**20
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    caption = forms.CharField(label=_("Caption"), max_length=100, required=False)


class TransitionForm(BootstrapMixin, forms.Form):
    to = forms.ChoiceField(label=_("New status"), choices=())
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    notice_ends_on = forms.DateField(
        label=_("Public notice ends on"),
        required=False,
        widget=DateInput(),
        help_text=_("Only when publishing the notice."),
    )

    def __init__(self, *args, base: Base, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(BaseStatus.choices)
        self.fields["to"].choices = [("", _("Choose…"))] + [
            (s, labels[s]) for s in base.allowed_moves()
        ]
        if BaseStatus.NOTICE not in base.allowed_moves():
            del self.fields["notice_ends_on"]
        else:
            self.initial.setdefault("notice_ends_on", timezone.localdate() + timedelta(days=7))
        if not (set(base.allowed_moves()) & REASON_REQUIRED) and base.status != "suspended":
            self.fields["reason"].help_text = _("Optional.")


class ProgrammeField(forms.CharField):
    """A textarea with one line per day, cleaned to the model's list of days."""

    widget = forms.Textarea(attrs={"rows": 6})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value) -> list[str]:
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class ItineraryForm(BootstrapMixin, forms.ModelForm):
    programme = ProgrammeField(
        label=_("Day-by-day programme"), required=False, help_text=_("One line per day.")
    )
    # The upper limit is the model's (MaxPriceValidator): one message for the page and the API.
    standard_price_fen = YuanFormField(label=_("Standard price per person (yuan)"))
    union_price_fen = YuanFormField(label=_("Union price per person (yuan)"))

    class Meta:
        model = Itinerary
        fields = [
            "title",
            "days",
            "summary",
            "programme",
            "standard_price_fen",
            "union_price_fen",
            "in_province",
            "includes_health_lecture",
            "includes_checkup",
            "min_age",
            "max_age",
            "addons",
            "active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].widget.attrs.update({"min": 1, "max": 15})

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class BatchForm(BootstrapMixin, forms.ModelForm):
    end_date = forms.DateField(
        label=_("End date"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty: start date plus the itinerary's days."),
    )
    signup_deadline = forms.DateField(label=_("Sign-up deadline"), widget=DateInput())

    class Meta:
        model = Batch
        fields = ["start_date", "end_date", "signup_deadline", "capacity"]
        widgets = {"start_date": DateInput()}

    def __init__(self, *args, itinerary: Itinerary, **kwargs):
        super().__init__(*args, **kwargs)
        self.itinerary = itinerary
        self.instance.itinerary = itinerary
        self.fields["capacity"].widget.attrs.update({"min": 1, "max": MAX_CAPACITY})

    def clean(self) -> dict:
        data = super().clean()
        # The services' date window, checked here first so that an absurd start date is a
        # message on its field (not an overflow while deriving the end date below).
        dates = ("start_date", "end_date", "signup_deadline")
        try:
            check_batch_dates(**{n: data.get(n) for n in dates if n in self.changed_data})
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field, messages)
            return data
        start, end = data.get("start_date"), data.get("end_date")
        if start and not end:
            data["end_date"] = start + timedelta(days=self.itinerary.days - 1)
            self.instance.end_date = data["end_date"]
        return data


class StarRatingForm(BootstrapMixin, forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        note = self.fields.pop("note")
        for code, label, _group, maximum in INDICATORS:
            self.fields[code] = forms.IntegerField(
                label=label,
                min_value=0,
                max_value=maximum,
                help_text=_("0–%(max)s points") % {"max": maximum},
                widget=forms.NumberInput(attrs={"min": 0, "max": maximum, "class": "form-control"}),
            )
        self.fields["note"] = note

    def groups(self) -> list[tuple[object, list]]:
        """The indicator fields under their group headings (basic, delivery, support)."""
        groups: dict[str, list] = {}
        for code, _label, group, _maximum in INDICATORS:
            groups.setdefault(group, []).append(self[code])
        return [(INDICATOR_GROUPS[group], fields) for group, fields in groups.items()]

    def scores(self) -> dict[str, int]:
        return {code: self.cleaned_data[code] for code, *_rest in INDICATORS}


class InspectionRecordForm(BootstrapMixin, forms.Form):
    inspected_on = forms.DateField(label=_("Inspected on"), widget=DateInput())
    score = forms.IntegerField(label=_("Score (0–100)"), min_value=0, max_value=100)
    findings = forms.CharField(
        label=_("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    needs_rectification = forms.BooleanField(label=_("Rectification required"), required=False)
    rectification_deadline = forms.DateField(
        label=_("Rectify by"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: the default period from the quality settings."),
    )


class InspectionAnswerForm(BootstrapMixin, forms.Form):
    answer = forms.CharField(
        label=_("What was rectified"), widget=forms.Textarea(attrs={"rows": 4})
    )


class InspectionConcludeForm(BootstrapMixin, forms.Form):
    accept = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Accept: close the inspection")), ("0", _("Send back"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    new_deadline = forms.DateField(label=_("New deadline"), required=False, widget=DateInput())


class QualitySettingsForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = QualitySettings
        fields = [
            "watch_threshold",
            "watch_period_days",
            "review_weight_percent",
            "min_reviews",
            "score_window_days",
            "inspection_sample_size",
            "rectification_days",
        ]
