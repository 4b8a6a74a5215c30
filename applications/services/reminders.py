"""Daily reminders (Celery beat): each one keyed, so running the job twice sends it once."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from accounts.notify import notify
from applications.models import SEAT_HOLDING, Application, GroupTrip, Status

DEADLINE_DAYS = 3  # remind organizers this many days before a sign-up deadline
DEPARTURE_DAYS = 3  # remind participants this many days before departure
WAITING_DAYS = 3  # an application waiting this long for a decision is overdue


def _staff_of(org_ids) -> dict[int, list[User]]:
    people: dict[int, list[User]] = {}
    for user in User.objects.filter(
        org_id__in=org_ids, role__in=[Role.FEDERATION_STAFF, Role.ORGANIZER], is_active=True
    ):
        people.setdefault(user.org_id, []).append(user)
    return people


def send_reminders(*, today: date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    sent = {"deadline": 0, "departure": 0, "endorse": 0, "approve": 0}

    # Group rosters with empty places, sign-up deadline within a few days.
    groups = (
        GroupTrip.objects.filter(
            cancelled_at__isnull=True,
            batch__signup_deadline__gte=today,
            batch__signup_deadline__lte=today + timedelta(days=DEADLINE_DAYS),
        )
        .select_related("batch__itinerary")
        .annotate(n=Count("members", filter=_seat_q()))
    )
    for group in groups:
        if group.n >= group.seats:
            continue
        for user in User.objects.filter(org=group.organizer, role=Role.ORGANIZER, is_active=True):
            if notify(
                user,
                subject=_("%(title)s: %(free)s places left, sign-up closes %(date)s"),
                params={
                    "title": group.title,
                    "free": group.seats - group.n,
                    "date": date_format(group.batch.signup_deadline, "Y-m-d"),
                },
                url=f"/applications/groups/{group.pk}/",
                key=f"deadline:group:{group.pk}",
            ):
                sent["deadline"] += 1

    # Participants departing soon.
    departing = Application.objects.filter(
        status=Status.APPROVED,
        batch__start_date__gt=today,
        batch__start_date__lte=today + timedelta(days=DEPARTURE_DAYS),
    ).select_related("batch__itinerary__base", "worker__user")
    for app in departing:
        if notify(
            app.worker.user,
            subject=_("Your trip %(trip)s starts on %(date)s"),
            body=_("Address: %(address)s"),
            params={
                "trip": app.batch.itinerary.title,
                "date": date_format(app.batch.start_date, "Y-m-d"),
                "address": app.batch.itinerary.base.address or app.batch.itinerary.base.name,
            },
            url=f"/applications/{app.pk}/",
            key=f"departure:{app.pk}",
        ):
            sent["departure"] += 1

    # Decisions waiting too long: unions to endorse, federations to approve (one digest a day).
    overdue = timezone.now() - timedelta(days=WAITING_DAYS)
    for status, org_field, kind, subject in (
        (
            Status.SUBMITTED,
            "union_id",
            "endorse",
            _("%(n)s applications wait for your endorsement"),
        ),
        (Status.ENDORSED, "funding_org_id", "approve", _("%(n)s applications wait for approval")),
    ):
        counts = dict(
            Application.objects.filter(status=status, updated_at__lt=overdue)
            .values_list(org_field)
            .annotate(n=Count("pk"))
        )
        people = _staff_of(counts)
        wanted = Role.ORGANIZER if kind == "endorse" else Role.FEDERATION_STAFF
        for org_id, n in counts.items():
            for user in people.get(org_id, []):
                if user.role != wanted:
                    continue
                if notify(
                    user,
                    subject=subject,
                    params={"n": n},
                    url="/applications/queue/" if kind == "approve" else "/applications/union/",
                    key=f"{kind}:{org_id}:{today.isoformat()}",
                ):
                    sent[kind] += 1
    return sent


def _seat_q():
    from django.db.models import Q

    return Q(members__status__in=SEAT_HOLDING)
