from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import scoping
from accounts.models import Organization, OrgKind
from funds.models import FundSource, Kind, SubsidyPolicy
from funds.services import MONEY_ORG_KINDS
from recuperation.money import YuanFormField, fen_to_yuan

PRIORITY_GROUP_CHOICES = [
    ("model_worker", _("Model workers")),
    ("skilled", _("Outstanding skilled workers")),
    ("competition_winner", _("Skills competition winners")),
    ("hazardous_job", _("Heavy or hazardous jobs")),
    ("hardship", _("Hardship workers")),
    ("near_retirement", _("Near retirement")),
    ("never_been", _("Never been on a trip")),
]


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, org: Organization) -> str:
        return f"{'　' * max(org.depth - 1, 0)}{org.name}（{org.code}）"


def money_orgs_for(user):
    return scoping.visible_orgs(user).filter(kind__in=MONEY_ORG_KINDS).order_by("path")


def this_year() -> int:
    return timezone.localdate().year


class MovementForm(forms.Form):
    """Shared fields of the grant and allocation forms; ``key`` makes a double submit harmless."""

    year = forms.IntegerField(label=_("Fiscal year"), min_value=2000, max_value=2100)
    source = forms.ChoiceField(label=_("Fund source"), choices=FundSource.choices)
    amount = YuanFormField(label=_("Amount (yuan)"))
    memo = forms.CharField(label=_("Memo"), max_length=200, required=False)
    key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("year", this_year())
        kwargs["initial"].setdefault("key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.user = user


class GrantForm(MovementForm):
    org = OrgChoiceField(label=_("Receiving organization"), queryset=Organization.objects.none())
    field_order = ["org", "year", "source", "amount", "memo"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["org"].queryset = money_orgs_for(user).exclude(kind=OrgKind.GRASSROOTS)


class AllocationForm(MovementForm):
    from_org = OrgChoiceField(label=_("From"), queryset=Organization.objects.none())
    to_org = OrgChoiceField(label=_("To"), queryset=Organization.objects.none())
    field_order = ["from_org", "to_org", "year", "source", "amount", "memo"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        orgs = money_orgs_for(user)
        self.fields["from_org"].queryset = orgs
        # A recall moves money back up to the user's own organization, which is in scope too.
        self.fields["to_org"].queryset = orgs


class LedgerFilterForm(forms.Form):
    year = forms.IntegerField(
        label=_("Fiscal year"), required=False, min_value=2000, max_value=2100
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Kind.choices]
    )
    source = forms.ChoiceField(
        label=_("Fund source"),
        required=False,
        choices=[("", _("All sources")), *FundSource.choices],
    )
    org = forms.CharField(label=_("Organization code"), required=False, max_length=32)


class CloseYearForm(forms.Form):
    year = forms.IntegerField(label=_("Fiscal year to close"), min_value=2000, max_value=2100)
    confirm = forms.BooleanField(
        label=_("I have checked the preview: close this year and carry its money forward.")
    )


MONEY_FIELDS = [
    "rate_model_worker",
    "rate_senior_technician",
    "rate_technician",
    "rate_senior_worker",
    "rate_member",
    "cost_ceiling_per_day",
    "yearly_cap_per_person",
]


def yuan_label(model_field) -> str:
    """A money field's label with the unit people read: ``每人每年补助上限 (¥)``."""
    return f"{model_field.verbose_name} (¥)"


class PolicyForm(forms.ModelForm):
    """Edit a year's policy in yuan; stored in fen."""

    priority_groups = forms.MultipleChoiceField(
        label=_("Priority groups"),
        choices=PRIORITY_GROUP_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = SubsidyPolicy
        fields = [
            "year",
            "title",
            *MONEY_FIELDS,
            "max_days_in_province",
            "max_days_out_of_province",
            "trips_per_window",
            "frequency_window_years",
            "out_of_province_window_years",
            "unit_share_percent",
            "priority_groups",
            "utilization_target_percent",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in MONEY_FIELDS:
            model_field = SubsidyPolicy._meta.get_field(name)
            self.fields[name] = YuanFormField(label=yuan_label(model_field), positive=False)
            if self.instance.pk:
                self.initial[name] = fen_to_yuan(getattr(self.instance, name))
        if self.instance.pk:
            self.fields["year"].disabled = True

    def clean(self):
        data = super().clean()
        for name in MONEY_FIELDS:
            if (
                name.startswith("rate_")
                and data.get(name) is not None
                and data.get("cost_ceiling_per_day") is not None
                and data[name] > data["cost_ceiling_per_day"]
            ):
                self.add_error(name, _("A daily rate cannot exceed the cost ceiling per day."))
        return data
