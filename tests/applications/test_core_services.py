from __future__ import annotations

from datetime import timedelta

import pytest

from applications import selectors, services
from applications.models import Application, Status, StatusChange
from funds.selectors import utilization

pytestmark = pytest.mark.django_db


def test_eligible_worker_holds_a_seat_with_subsidy_from_the_calculator(tree, trip, worker_a1):
    app = services.application_submit(worker=worker_a1, batch=trip.batch, by=worker_a1.user)
    assert app.status == Status.SUBMITTED
    assert app.subsidy_fen == 5 * 20_000  # five days × ¥200
    assert app.net_cost_fen == 200_000 - 100_000
    assert app.funding_org == tree.county_a
    trip.batch.refresh_from_db()
    assert trip.batch.seats_held == 1 == selectors.seats_accounted(trip.batch)
    assert StatusChange.objects.filter(application=app, to_status=Status.SUBMITTED).exists()


def test_full_batch_puts_new_applicant_on_waitlist_and_withdrawal_promotes(tree, trip, make_worker):
    trip.batch.capacity = 2
    trip.batch.save()
    apps = [
        services.application_submit(worker=make_worker(), batch=trip.batch, by=None)
        for _ in range(4)
    ]
    assert [a.status for a in apps] == ["submitted", "submitted", "waitlisted", "waitlisted"]
    services.application_withdraw(application=apps[0], by=None)
    apps[2].refresh_from_db()
    apps[3].refresh_from_db()
    assert apps[2].status == Status.SUBMITTED
    assert apps[3].status == Status.WAITLISTED
    trip.batch.refresh_from_db()
    assert trip.batch.seats_held == 2 == selectors.seats_accounted(trip.batch)


def test_approval_reserves_and_withdrawal_releases(tree, trip, worker_a1):
    app = services.application_submit(worker=worker_a1, batch=trip.batch, by=None)
    services.application_endorse(application=app, by=tree.user("organizer_a1"))
    before = utilization(org=tree.county_a, year=trip.year)
    services.application_approve(application=app, by=tree.user("county_a_staff"))
    after = utilization(org=tree.county_a, year=trip.year)
    assert after.reserved - before.reserved == app.subsidy_fen
    services.application_withdraw(application=app, by=worker_a1.user, reason="生病")
    assert utilization(org=tree.county_a, year=trip.year).reserved == before.reserved


def test_settlement_pays_and_releases_the_rest(tree, trip, worker_a1):
    from django.core.files.uploadedfile import SimpleUploadedFile

    app = services.application_submit(worker=worker_a1, batch=trip.batch, by=None)
    services.application_endorse(application=app, by=None)
    services.application_approve(application=app, by=None)
    later = trip.batch.start_date + timedelta(days=1)
    services.application_attendance(application=app, by=None, attended=True, today=later)
    invoice = SimpleUploadedFile("inv.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    settlement = services.settlement_submit(
        applications=[app], union=tree.union_a1, invoice=invoice, invoice_amount=80_000, by=None
    )
    services.settlement_pay(settlement=settlement, by=None, today=later)
    app.refresh_from_db()
    assert app.status == Status.SETTLED
    assert app.paid_fen == 80_000  # the invoice share is below the ¥1,000 subsidy
    usage = utilization(org=tree.county_a, year=trip.year)
    assert usage.spent == 80_000
    assert usage.reserved == 0
    assert usage.people_served == 1


def test_second_application_for_same_batch_is_refused(trip, worker_a1):
    services.application_submit(worker=worker_a1, batch=trip.batch, by=None)
    with pytest.raises(services.ApplicationRefused) as refused:
        services.application_submit(worker=worker_a1, batch=trip.batch, by=None)
    assert "already applied" in str(refused.value)
    assert Application.objects.count() == 1
