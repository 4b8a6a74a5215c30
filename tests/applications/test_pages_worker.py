"""Workers' pages over HTTP: whether they may apply (catalogue, itinerary page), the confirm
page, applying, my applications, one application, withdrawing and reviewing.

Pages are read in English (the language cookie) so the assertions do not depend on the
translation catalogue; the URL matrix renders every page in the default zh-hans too.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications import services
from applications.models import Application, Status, StatusChange
from bases.models import Base, BaseStatus, Batch, Review
from funds.models import SubsidyPolicy
from tests.applications.conftest import fund
from tests.bases.factories import BaseFactory, BatchFactory, ItineraryFactory
from tests.funds.conftest import make_policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def en(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def as_user(client, tree, role: str):
    client.force_login(tree.user(role))
    return client


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def itinerary_page(client, trip) -> str:
    return html(client.get(f"/bases/itineraries/{trip.itinerary.pk}/"))


def apply_url(batch) -> str:
    return f"/applications/apply/{batch.pk}/"


def submit(worker, batch, **kwargs) -> Application:
    return services.application_submit(worker=worker, batch=batch, by=worker.user, **kwargs)


# --- Before clicking: the itinerary page and the catalogue -------------------------------------


def test_itinerary_page_offers_an_eligible_worker_the_apply_button(en, tree, trip):
    page = itinerary_page(as_user(en, tree, "worker_a1"), trip)
    assert f'href="{apply_url(trip.batch)}"' in page
    assert "You may apply for 1 batch." in page
    assert ">Sign up</th>" in page


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("standing", "Only union members in good standing may apply"),
        ("age", "This itinerary is for ages 60–70"),
        ("frequency", "The policy allows 1 subsidised trip a year"),
        ("overlap", "You already have a trip at that time"),
    ],
)
def test_itinerary_page_tells_a_worker_why_they_may_not_apply(
    en, tree, trip, worker_a1, change, reason
):
    if change == "standing":
        worker_a1.in_good_standing = False
        worker_a1.save()
    elif change == "age":
        trip.itinerary.min_age, trip.itinerary.max_age = 60, 70
        trip.itinerary.save()
    else:
        start = trip.batch.start_date
        if change == "overlap":
            start += timedelta(days=2)
        else:  # ten days apart, in the same year
            before = start - timedelta(days=10)
            start = before if before.year == start.year else start + timedelta(days=10)
        other = BatchFactory(
            itinerary=ItineraryFactory(base=trip.itinerary.base, title="另一条线路"),
            start_date=start,
        )
        submit(worker_a1, other)
    page = itinerary_page(as_user(en, tree, "worker_a1"), trip)
    assert reason in page
    assert "You cannot apply for this itinerary:" in page
    assert f'href="{apply_url(trip.batch)}"' not in page


def test_itinerary_page_shows_the_status_of_a_batch_already_applied_for(en, tree, trip, worker_a1):
    app = submit(worker_a1, trip.batch)
    page = itinerary_page(as_user(en, tree, "worker_a1"), trip)
    assert "Applied · Submitted" in page
    assert f'href="/applications/{app.pk}/"' in page
    assert f'href="{apply_url(trip.batch)}"' not in page


def test_full_batch_offers_the_waiting_list_and_a_lottery_the_pool(en, tree, trip, make_worker):
    trip.batch.capacity = 1
    trip.batch.save()
    submit(make_worker(), trip.batch)
    page = itinerary_page(as_user(en, tree, "worker_a1"), trip)
    assert "Join the waiting list" in page
    later = BatchFactory(
        itinerary=trip.itinerary, start_date=trip.batch.start_date + timedelta(days=10)
    )
    services.lottery_announce(batch=later, by=None)
    assert "Enter the lottery" in itinerary_page(en, trip)


def test_anonymous_visitors_are_asked_to_log_in_and_staff_see_no_sign_up_column(en, tree, trip):
    page = itinerary_page(en, trip)
    assert "Log in to apply" in page and "/login/?next=" in page
    assert ">Sign up</th>" not in page
    page = itinerary_page(as_user(en, tree, "county_a_staff"), trip)
    assert ">Sign up</th>" not in page and "Log in to apply" not in page


def test_catalogue_cards_tell_a_worker_whether_they_may_apply(en, tree, trip, worker_a1):
    client = as_user(en, tree, "worker_a1")
    page = html(client.get("/bases/"))
    assert "You may apply (1 batch)" in page
    assert f'href="{apply_url(trip.batch)}"' in page
    worker_a1.in_good_standing = False
    worker_a1.save()
    page = html(client.get("/bases/"))
    assert "Cannot apply:" in page and "Only union members in good standing" in page
    assert f'href="{apply_url(trip.batch)}"' not in page


def test_catalogue_card_links_the_application_of_a_worker_who_applied(en, tree, trip, worker_a1):
    app = submit(worker_a1, trip.batch)
    page = html(as_user(en, tree, "worker_a1").get("/bases/"))
    assert f'href="/applications/{app.pk}/"' in page and "Submitted" in page


@pytest.mark.dates  # crossed New Year once
def test_a_workers_catalogue_and_itinerary_page_cost_the_same_queries_for_more_rows(
    en, tree, trip, worker_a1
):
    client = as_user(en, tree, "worker_a1")
    url = f"/bases/itineraries/{trip.itinerary.pk}/"
    submit(worker_a1, trip.batch)
    with CaptureQueriesContext(connection) as few_cards:
        html(client.get("/bases/"))
    with CaptureQueriesContext(connection) as few_batches:
        html(client.get(url))
    for days in range(40, 200, 20):
        BatchFactory(itinerary=trip.itinerary, start_date=trip.today + timedelta(days=days))
        BatchFactory(itinerary=ItineraryFactory(base=trip.itinerary.base))
    with CaptureQueriesContext(connection) as many_cards:
        html(client.get("/bases/"))
    with CaptureQueriesContext(connection) as many_batches:
        page = html(client.get(url))
    batches = trip.itinerary.batches.all()
    assert len(batches) == 9 and all(b.start_date.isoformat() in page for b in batches)

    def sqls(ctx):  # the statements, without their lists of ids
        return [q["sql"][:60] for q in ctx.captured_queries]

    assert sqls(few_cards) == sqls(many_cards)
    assert sqls(few_batches) == sqls(many_batches)
    for ctx in (many_cards, many_batches):  # the worker's trips, read once per request
        trips = [q for q in ctx.captured_queries if 'FROM "applications_application"' in q["sql"]]
        assert len(trips) == 1


# --- The confirm page and applying --------------------------------------------------------------


def test_a_worker_applies_from_the_itinerary_page_to_their_application(en, tree, trip, worker_a1):
    client = as_user(en, tree, "worker_a1")
    page = html(client.get(apply_url(trip.batch)))
    assert "森林康养五日" in page and trip.batch.start_date.isoformat() in page
    assert "5 subsidised days × ¥200.00 a day = ¥1,000.00" in page  # the calculator's lines
    assert "¥2,000.00" in page and "¥1,000.00" in page  # union price, subsidy and net cost
    assert "You will hold a seat: 30 seats are left." in page
    assert "Confirm and apply" in page
    response = client.post(apply_url(trip.batch))
    app = Application.objects.get(worker=worker_a1)
    assert response.status_code == 302 and response["Location"] == f"/applications/{app.pk}/"
    assert app.status == Status.SUBMITTED
    assert (app.subsidy_fen, app.net_cost_fen) == (100_000, 100_000)
    page = html(client.get(response["Location"]))
    assert "Application submitted: you hold a seat." in page
    assert "Withdraw my application" in page
    assert "Applied · Submitted" in itinerary_page(client, trip)
    trip.batch.refresh_from_db()
    assert trip.batch.seats_held == 1


def test_a_full_batch_puts_the_worker_on_the_waiting_list_and_says_so(
    en, tree, trip, worker_a1, make_worker
):
    trip.batch.capacity = 1
    trip.batch.save()
    submit(make_worker(), trip.batch)
    client = as_user(en, tree, "worker_a1")
    assert "you will join the waiting list" in html(client.get(apply_url(trip.batch)))
    response = client.post(apply_url(trip.batch), follow=True)
    assert "you are on the waiting list" in html(response)
    assert Application.objects.get(worker=worker_a1).status == Status.WAITLISTED


def test_a_lottery_batch_puts_the_worker_in_the_pool_and_says_so(en, tree, trip, worker_a1):
    services.lottery_announce(batch=trip.batch, by=None)
    client = as_user(en, tree, "worker_a1")
    assert "drawn by a published lottery" in html(client.get(apply_url(trip.batch)))
    response = client.post(apply_url(trip.batch), follow=True)
    assert "You are in the lottery of this batch" in html(response)


def test_an_ineligible_worker_sees_why_and_applying_writes_nothing(en, tree, trip, worker_a1):
    worker_a1.in_good_standing = False
    worker_a1.save()
    client = as_user(en, tree, "worker_a1")
    page = html(client.get(apply_url(trip.batch)))
    assert "You cannot apply for this batch" in page and "good standing" in page
    assert "Confirm and apply" not in page
    response = client.post(apply_url(trip.batch), follow=True)
    assert "good standing" in html(response)
    assert not Application.objects.exists()
    trip.batch.refresh_from_db()
    assert trip.batch.seats_held == 0


def test_a_second_application_for_the_same_batch_is_refused(en, tree, trip, worker_a1):
    app = submit(worker_a1, trip.batch)
    client = as_user(en, tree, "worker_a1")
    page = html(client.get(apply_url(trip.batch)))
    assert "You have already applied for this batch." in page
    assert f'href="/applications/{app.pk}/"' in page
    response = client.post(apply_url(trip.batch), follow=True)
    assert "You have already applied for this batch." in html(response)
    assert Application.objects.count() == 1


def test_apply_page_is_for_workers_and_public_batches_only(client, tree, trip):
    url = apply_url(trip.batch)
    assert client.get(url).status_code == 302  # to the login page
    assert as_user(client, tree, "organizer_a1").get(url).status_code == 403
    assert client.post(url).status_code == 403
    client = as_user(client, tree, "worker_a1")
    hidden = BatchFactory(itinerary=ItineraryFactory(base=BaseFactory(status=BaseStatus.APPLIED)))
    for path in (apply_url(hidden), "/applications/apply/999999/", f"/applications/apply/{2**70}/"):
        assert client.get(path).status_code == 404
        assert client.post(path).status_code == 404
    assert not Application.objects.exists()


def test_a_closed_batch_cannot_be_applied_for(en, tree, trip):
    Batch.objects.filter(pk=trip.batch.pk).update(status="closed")
    client = as_user(en, tree, "worker_a1")
    assert "This batch is not taking sign-ups." in html(client.get(apply_url(trip.batch)))
    client.post(apply_url(trip.batch))
    assert not Application.objects.exists()


# --- My applications -----------------------------------------------------------------------------


def test_my_applications_lists_the_history_and_this_years_subsidy(en, tree, trip, worker_a1):
    this_year = trip.today.year
    make_policy(this_year)
    fund(tree.county_a, this_year)
    early = BatchFactory(
        itinerary=ItineraryFactory(base=trip.itinerary.base, title="今年早些的线路", days=3),
        start_date=trip.today + timedelta(days=9),
    )
    withdrawn = submit(worker_a1, trip.batch)
    services.application_withdraw(application=withdrawn, by=None)
    approved = submit(worker_a1, early)
    services.application_endorse(application=approved, by=None)
    services.application_approve(application=approved, by=None)
    page = html(as_user(en, tree, "worker_a1").get("/applications/mine/"))
    assert "今年早些的线路" in page and "森林康养五日" in page
    assert "Approved" in page and "Withdrawn" in page
    used = approved.subsidy_fen if early.start_date.year == this_year else 0
    assert f"¥{used / 100:,.2f}" in page
    assert f"¥{(300_000 - used) / 100:,.2f}" in page  # left of the ¥3,000 yearly cap
    assert "¥3,000.00" in page


def test_my_applications_is_for_workers(client, tree):
    assert client.get("/applications/mine/").status_code == 302
    for role in ("organizer_a1", "county_a_staff", "admin"):
        assert as_user(client, tree, role).get("/applications/mine/").status_code == 403


def test_my_applications_shows_only_my_own(en, tree, trip, worker_a1):
    submit(tree.user("worker_b1").worker, trip.batch)
    page = html(as_user(en, tree, "worker_a1").get("/applications/mine/"))
    assert "森林康养五日" not in page and "You have not applied for a trip yet." in page


# --- One application: timeline, withdrawal, review -------------------------------------------


def test_application_page_shows_status_timeline_and_cost(en, tree, trip, worker_a1):
    app = submit(worker_a1, trip.batch)
    services.application_endorse(application=app, by=tree.user("organizer_a1"))
    page = html(as_user(en, tree, "worker_a1").get(f"/applications/{app.pk}/"))
    assert "Endorsed by the union" in page and "History" in page
    assert tree.user("organizer_a1").get_full_name() in page  # who moved it
    assert "Subsidy: ¥1,000.00" in page and "You pay" in page
    assert "Withdraw my application" in page
    assert f"/applications/{app.pk}/endorse/" not in page  # no organizer buttons for her
    assert f"/applications/{app.pk}/reject/" not in page


def test_a_worker_withdraws_with_a_reason_and_the_seat_is_freed(en, tree, trip, worker_a1):
    app = submit(worker_a1, trip.batch)
    client = as_user(en, tree, "worker_a1")
    response = client.post(f"/applications/{app.pk}/withdraw/", {"reason": "单位有事"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == Status.WITHDRAWN
    assert (
        StatusChange.objects.get(application=app, to_status=Status.WITHDRAWN).reason == "单位有事"
    )
    trip.batch.refresh_from_db()
    assert trip.batch.seats_held == 0
    page = html(client.get(f"/applications/{app.pk}/"))
    assert "The application was withdrawn." in page and "单位有事" in page
    assert "Withdraw my application" not in page


def test_withdrawal_after_departure_is_refused_with_a_message(en, tree, trip, worker_a1):
    started = BatchFactory(itinerary=trip.itinerary, start_date=trip.today - timedelta(days=1))
    app = submit(worker_a1, started, today=trip.today - timedelta(days=20))
    client = as_user(en, tree, "worker_a1")
    assert "Withdraw my application" not in html(client.get(f"/applications/{app.pk}/"))
    response = client.post(f"/applications/{app.pk}/withdraw/", follow=True)
    assert "this can no longer be changed" in html(response)
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED


def test_others_do_not_see_or_withdraw_a_workers_application(client, tree, trip, worker_a1):
    app = submit(worker_a1, trip.batch)
    for role in ("worker_b1", "organizer_b1", "agency", "outsider"):
        as_user(client, tree, role)
        assert client.get(f"/applications/{app.pk}/").status_code == 404, role
        assert client.post(f"/applications/{app.pk}/withdraw/").status_code == 404, role
    assert (
        as_user(client, tree, "county_b_staff").get(f"/applications/{app.pk}/").status_code == 404
    )
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED


def attended(tree, trip, worker) -> Application:
    """An application of a trip that started yesterday, approved and attended."""
    batch = BatchFactory(itinerary=trip.itinerary, start_date=trip.today - timedelta(days=1))
    make_policy(batch.start_date.year)
    fund(tree.county_a, batch.start_date.year)
    app = submit(worker, batch, today=trip.today - timedelta(days=20))
    earlier = trip.today - timedelta(days=10)
    services.application_endorse(application=app, by=None, today=earlier)
    services.application_approve(application=app, by=None, today=earlier)
    return services.application_attendance(application=app, by=None, attended=True)


def test_a_participant_reviews_the_trip_once(en, tree, trip, worker_a1):
    app = attended(tree, trip, worker_a1)
    client = as_user(en, tree, "worker_a1")
    page = html(client.get(f"/applications/{app.pk}/"))
    assert "Review my trip" in page and 'name="rating"' in page
    response = client.post(f"/applications/{app.pk}/review/", {"rating": "4", "text": "温泉很好"})
    assert response.status_code == 302
    review = Review.objects.get(application_ref=f"application:{app.pk}")
    assert (review.rating, review.text, review.author) == (4, "温泉很好", worker_a1.user)
    assert review.base == Base.objects.get(pk=trip.itinerary.base_id)
    page = html(client.get(f"/applications/{app.pk}/"))
    assert "Thank you for your review." in page and "温泉很好" in page
    response = client.post(f"/applications/{app.pk}/review/", {"rating": "1"}, follow=True)
    assert "You have already reviewed this trip." in html(response)
    assert Review.objects.count() == 1


def test_a_review_needs_a_rating_and_attendance(en, tree, trip, worker_a1):
    app = attended(tree, trip, worker_a1)
    client = as_user(en, tree, "worker_a1")
    client.post(f"/applications/{app.pk}/review/", {"rating": "9"})
    assert not Review.objects.exists()
    SubsidyPolicy.objects.update(trips_per_window=5)
    pending = submit(worker_a1, trip.batch)
    assert "Review my trip" not in html(client.get(f"/applications/{pending.pk}/"))
    assert client.post(f"/applications/{pending.pk}/review/", {"rating": "5"}).status_code == 403
    assert (
        as_user(client, tree, "organizer_a1")
        .post(f"/applications/{app.pk}/review/", {"rating": "5"})
        .status_code
        == 403
    )
    assert not Review.objects.exists()


def test_the_menu_shows_my_applications_to_workers_only(client, tree):
    def nav(role: str) -> str:
        page = html(as_user(client, tree, role).get("/"))
        return page[page.index("<nav") : page.index("</nav>")]

    assert 'href="/applications/mine/"' in nav("worker_a1")
    assert 'href="/applications/mine/"' not in nav("organizer_a1")
    assert 'href="/applications/union/"' in nav("organizer_a1")
    assert 'href="/applications/groups/board/"' in nav("organizer_a1")
