"""Forms of the staff, operator and agency pages (views.staff): the queue's filters and the
small forms of each decision. They only parse input; scope is the getters' job."""

from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, OrgKind
from accounts.scoping import scope_q
from applications.models import Application, Status

WAITING = ""  # the queue's default: endorsed, waiting for the federation
ANY = "all"
CHOICE_LIMIT = 200  # a select longer than this is useless on a phone


class QueueFilterForm(forms.Form):
    """Filters of the approval queue; an invalid value is reported and that filter ignored."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    county = forms.ChoiceField(label=_("County"), required=False)
    itinerary = forms.TypedChoiceField(label=_("Itinerary"), required=False, coerce=int)
    batch = forms.TypedChoiceField(label=_("Batch"), required=False, coerce=int)
    union = forms.CharField(
        label=_("Union"),
        required=False,
        max_length=100,
        help_text=_("Name or code, or part of it."),
    )
    departs_from = forms.DateField(label=_("Departs from"), required=False)
    departs_to = forms.DateField(label=_("Departs by"), required=False)

    def __init__(self, data=None, *, user, queryset: QuerySet[Application]):
        super().__init__(data)
        self.user = user
        self.fields["status"].choices = [
            (WAITING, _("Waiting for approval")),
            *[(s.value, s.label) for s in Status if s != Status.ENDORSED],
            (ANY, _("Any status")),
        ]
        counties = Organization.objects.filter(scope_q(user), kind=OrgKind.COUNTY).order_by("code")
        self.counties = {c.code: c for c in counties}
        self.fields["county"].choices = [("", _("All counties"))] + [
            (c.code, c.name) for c in counties
        ]
        trips = (
            queryset.order_by()
            .values_list(
                "batch_id",
                "batch__start_date",
                "batch__itinerary_id",
                "batch__itinerary__title",
            )
            .distinct()[: CHOICE_LIMIT * 2]
        )
        itineraries, batches = {}, {}
        for batch_id, start, itinerary_id, title in trips:
            itineraries[itinerary_id] = title
            batches[batch_id] = (start, f"{title} {start:%Y-%m-%d}")
        self.fields["itinerary"].choices = [("", _("All itineraries"))] + sorted(
            itineraries.items(), key=lambda item: item[1]
        )[:CHOICE_LIMIT]
        self.fields["batch"].choices = [("", _("All batches"))] + [
            (pk, label) for pk, (_start, label) in sorted(batches.items(), key=lambda i: i[1])
        ][:CHOICE_LIMIT]

    @property
    def shows_county(self) -> bool:
        return len(self.counties) > 1

    def apply(self, qs: QuerySet[Application]) -> QuerySet[Application]:
        """The filtered queue (call after ``is_valid``; invalid fields are left out)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        status = data.get("status", WAITING)
        if status == WAITING:
            qs = qs.filter(status=Status.ENDORSED)
        elif status in Status.values:
            qs = qs.filter(status=status)
        if county := self.counties.get(data.get("county") or ""):
            qs = qs.filter(union__path__startswith=county.path)
        if data.get("itinerary"):
            qs = qs.filter(batch__itinerary_id=data["itinerary"])
        if data.get("batch"):
            qs = qs.filter(batch_id=data["batch"])
        if union := (data.get("union") or "").strip():
            qs = qs.filter(Q(union__code__iexact=union) | Q(union__name__icontains=union))
        if data.get("departs_from"):
            qs = qs.filter(batch__start_date__gte=data["departs_from"])
        if data.get("departs_to"):
            qs = qs.filter(batch__start_date__lte=data["departs_to"])
        return qs

    @property
    def waiting_only(self) -> bool:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return data.get("status", WAITING) == WAITING


class BulkApproveForm(forms.Form):
    ids = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, data=None):
        super().__init__(data)
        # Any whole number is accepted here; each one then goes through the getter.
        self.fields["ids"].valid_value = lambda value: str(value).isdigit() and len(str(value)) < 19

    def clean_ids(self) -> list[int]:
        ids = list(dict.fromkeys(self.cleaned_data["ids"]))
        if not ids:
            raise forms.ValidationError(_("Tick at least one application."))
        if len(ids) > 500:
            raise forms.ValidationError(_("At most 500 applications at once."))
        return ids


class ReasonForm(forms.Form):
    """A decision that needs a reason (reject an application, return a settlement)."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Please give a reason.")},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Please give a reason."))
        return reason


class LotteryDrawForm(forms.Form):
    seed = forms.IntegerField(
        label=_("Seed (optional)"),
        required=False,
        min_value=0,
        max_value=2**63 - 1,
        help_text=_(
            "A whole number agreed in public beforehand (e.g. a lottery's winning number); "
            "left empty, a random seed is chosen and published."
        ),
    )


class AttendanceForm(forms.Form):
    attended = forms.TypedChoiceField(
        choices=[("1", _("Attended")), ("0", _("Did not attend"))],
        coerce=lambda value: value == "1",
    )
