from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import forms as account_forms
from accounts import scoping
from accounts.models import Organization, OrgKind
from funds.models import FundSource, Kind, SubsidyPolicy
from funds.permissions import can_move_funds
from funds.services import MONEY_ORG_KINDS
from funds.years import validate_fiscal_year
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


class OrgChoiceField(account_forms.OrgChoiceField):
    """Offers the organizations the user may move money of, indented as a tree; accepts any
    money-holding one, so the form's scope check answers a forged value (see ``clean``)."""

    def __init__(self, *, label, kinds=MONEY_ORG_KINDS):
        super().__init__(label=label, queryset=Organization.objects.filter(kind__in=kinds))

    def label_from_instance(self, org: Organization) -> str:
        return f"{'　' * max(org.depth - 1, 0)}{org.name}（{org.code}）"

    def offer_to(self, user) -> None:
        visible = self.queryset.filter(scoping.scope_q(user)).order_by("path")
        self.offer(scoping.orgs_in_scope(user, visible, can_move_funds))


def this_year() -> int:
    return timezone.localdate().year


class MovementForm(forms.Form):
    """Shared fields of the grant and allocation forms; ``key`` makes a double submit harmless."""

    year = forms.IntegerField(label=_("Fiscal year"), validators=[validate_fiscal_year])
    source = forms.ChoiceField(label=_("Fund source"), choices=FundSource.choices)
    amount = YuanFormField(label=_("Amount (yuan)"))
    memo = forms.CharField(label=_("Memo"), max_length=200, required=False)
    key = forms.CharField(widget=forms.HiddenInput)

    org_fields: tuple[str, ...] = ()

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("year", this_year())
        kwargs["initial"].setdefault("key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.user = user
        for name in self.org_fields:
            self.fields[name].offer_to(user)

    def offered_orgs(self) -> list[Organization]:
        """Every organization the form's organization fields offer, once each."""
        orgs: dict[int, Organization] = {}
        for name in self.org_fields:
            for org in self.fields[name].offered if self.fields[name].offered is not None else ():
                orgs.setdefault(org.pk, org)
        return list(orgs.values())

    def clean(self) -> dict:
        data = super().clean()
        scoping.check_orgs_in_scope(
            self.user, allowed=can_move_funds, **{name: data.get(name) for name in self.org_fields}
        )
        return data


class GrantForm(MovementForm):
    org = OrgChoiceField(
        label=_("Receiving organization"), kinds=MONEY_ORG_KINDS - {OrgKind.GRASSROOTS}
    )
    field_order = ["org", "year", "source", "amount", "memo"]
    org_fields = ("org",)


class AllocationForm(MovementForm):
    # A recall moves money back up to the user's own organization, which is in scope too.
    from_org = OrgChoiceField(label=_("From"))
    to_org = OrgChoiceField(label=_("To"))
    field_order = ["from_org", "to_org", "year", "source", "amount", "memo"]
    org_fields = ("from_org", "to_org")


class LedgerFilterForm(forms.Form):
    """The ledger's pickers: fiscal years with money, and the organizations of the user's funds
    subtree (by code, so a link can name one); a value outside them is a field error."""

    year = forms.TypedChoiceField(label=_("Fiscal year"), required=False, coerce=int)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Kind.choices]
    )
    source = forms.ChoiceField(
        label=_("Fund source"),
        required=False,
        choices=[("", _("All sources")), *FundSource.choices],
    )
    org = forms.ChoiceField(label=_("Organization"), required=False)

    def __init__(self, *args, years, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years")), *((y, y) for y in years)]
        orgs = list(orgs)
        top = min((o.depth for o in orgs), default=0)
        self.fields["org"].choices = [
            ("", _("All organizations")),
            *((o.code, f"{'　' * (o.depth - top)}{o.name}") for o in orgs),
        ]


class YearChoiceForm(forms.Form):
    """A year picker of the year-closing page."""

    year = forms.TypedChoiceField(label=_("Fiscal year"), coerce=int)

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, y) for y in years]


class CloseYearForm(forms.Form):
    # Chosen with the page's year picker; the form closes the year previewed.
    year = forms.IntegerField(
        label=_("Fiscal year to close"),
        validators=[validate_fiscal_year],
        widget=forms.HiddenInput,
    )
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
