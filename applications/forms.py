"""Forms of the worker and organizer pages (staff forms: ``forms_staff.py``).

They only parse input; the rules (who may, which moves, seats, money) live in the services,
whose refusals the views show as messages. Every org- or worker-valued field is looked up among
what the user may choose, so a forged value is a form error, never someone else's object.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, OrgKind
from applications.models import Status
from applications.uploads import INVOICE_MAX_BYTES, ROSTER_MAX_BYTES
from bases.forms import BootstrapMixin, DateInput
from recuperation.money import YuanFormField

RATINGS = [(n, "★" * n) for n in range(5, 0, -1)]


def _lazy_percent(text, **params) -> str:
    """``text % params`` translated when shown (a lazy text's ``%`` would translate it at import)."""
    return lazy(lambda: text % params, str)()


class WithdrawForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. I cannot take leave then")}),
    )


class ReasonForm(BootstrapMixin, forms.Form):
    """Rejecting or cancelling: a reason is required."""

    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReviewForm(BootstrapMixin, forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"), choices=RATINGS, coerce=int, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("What was good, what should improve?"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AttendanceForm(forms.Form):
    attended = forms.TypedChoiceField(
        choices=[("1", _("Attended")), ("0", _("Did not attend"))],
        coerce=lambda value: value == "1",
    )


class UnionFilterForm(forms.Form):
    """Filters of the union's applications (invalid values are ignored, not an error page)."""

    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *Status.choices], required=False
    )
    batch = forms.IntegerField(label=_("Batch"), required=False, min_value=1, max_value=2**62)


class BatchSearchForm(BootstrapMixin, forms.Form):
    """Step 1 of the group-trip wizard: find an open batch."""

    q = forms.CharField(label=_("Itinerary or base"), max_length=50, required=False)
    county = forms.ModelChoiceField(
        label=_("County"),
        queryset=Organization.objects.filter(kind=OrgKind.COUNTY).order_by("path"),
        to_field_name="code",
        required=False,
        empty_label=_("All counties"),
    )
    start_after = forms.DateField(label=_("Departing from"), required=False, widget=DateInput)


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, org: Organization) -> str:
        return org.name


def agencies():
    return Organization.objects.filter(kind=OrgKind.AGENCY, is_active=True).order_by("name")


class GroupTripForm(BootstrapMixin, forms.Form):
    """Step 2 of the wizard: the block, the title, joint or not, an agency."""

    seats = forms.IntegerField(label=_("Seats in the block"), min_value=1, max_value=1000)
    title = forms.CharField(
        label=_("Title"),
        max_length=100,
        required=False,
        help_text=_("Leave empty for “union · itinerary”."),
    )
    joint = forms.BooleanField(
        label=_("Joint group: other grassroots unions may join and add their own members"),
        required=False,
    )
    agency = AgencyChoiceField(
        label=_("Entrust a travel agency (optional)"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("No agency: our union runs the trip"),
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, seats_left: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies()
        # A hint for the phone's keypad; the service refuses a block larger than the seats left.
        self.fields["seats"].widget.attrs["max"] = max(1, min(seats_left, 1000))


class ResizeForm(BootstrapMixin, forms.Form):
    seats = forms.IntegerField(label=_("Seats in the block"), min_value=1, max_value=1000)


class EntrustForm(BootstrapMixin, forms.Form):
    agency = AgencyChoiceField(
        label=_("Travel agency"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("No agency"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies()


class InviteForm(forms.Form):
    """The union to invite, by its code (chosen from the search results)."""

    union = forms.ModelChoiceField(
        queryset=Organization.objects.filter(kind=OrgKind.GRASSROOTS, is_active=True),
        to_field_name="code",
    )


class RespondForm(forms.Form):
    accept = forms.TypedChoiceField(
        choices=[("1", _("Join")), ("0", _("Decline"))], coerce=lambda value: value == "1"
    )


class AddMemberForm(forms.Form):
    """A member of the organizer's own union (the view limits the queryset to it)."""

    worker = forms.ModelChoiceField(queryset=None)

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers


class RosterUploadForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label=_("Roster (.xlsx)"),
        help_text=_lazy_percent(
            _("At most %(mb)s MB, filled in from the template."),
            mb=ROSTER_MAX_BYTES // (1024 * 1024),
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """Ids beyond the database's integer range are invalid choices, not a database error."""

    def _check_values(self, value):
        for pk in value:
            try:
                valid = 0 < int(str(pk)) < 2**63
            except ValueError:
                valid = False
            if not valid:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class SettlementForm(BootstrapMixin, forms.Form):
    """After the trip: the attended members claimed, the invoice and its amount."""

    applications = IdsChoiceField(
        label=_("Participants who attended"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )
    invoice = forms.FileField(
        label=_("Invoice (PDF or photo)"),
        help_text=_lazy_percent(
            _("PDF, JPEG, PNG or WebP, at most %(mb)s MB."), mb=INVOICE_MAX_BYTES // (1024 * 1024)
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,image/jpeg,image/png,image/webp"}),
    )
    invoice_amount = YuanFormField(label=_("Invoice amount (yuan)"))
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, claimable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = claimable
        self.fields["applications"].label_from_instance = lambda a: a.worker.real_name
