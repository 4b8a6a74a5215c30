"""After the trip: approve → attend → settle moves the money reserved → spent, the rest back to
available; a no-show gives it all back; invoices are checked; a returned settlement is claimed
again; one settlement is paid by one federation."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications import services
from applications.models import Application, Settlement, Status, cause_id
from applications.uploads import INVOICE_MAX_BYTES
from funds.models import Kind, Transaction
from funds.selectors import utilization
from tests.applications.conftest import after_departure, pdf_upload, png_upload

pytestmark = pytest.mark.django_db

GRANTED = 100_000 * 100  # each county's money for the trip's year


@pytest.fixture
def attended(trip, flow, make_worker):
    """Two members of union A1 back from the trip (subsidy ¥1,000 each, reserved)."""
    return [flow.to(flow.submit(make_worker(), trip.batch), Status.COMPLETED) for _ in range(2)]


def submit(apps, tree, *, amount, invoice=None, **kwargs) -> Settlement:
    return services.settlement_submit(
        applications=apps,
        union=apps[0].union,
        invoice=invoice or pdf_upload(),
        invoice_amount=amount,
        by=tree.user("organizer_a1"),
        **kwargs,
    )


def pay(settlement, tree, trip) -> Settlement:
    return services.settlement_pay(
        settlement=settlement, by=tree.user("county_a_staff"), today=after_departure(trip.batch)
    )


def usage(tree, trip):
    return utilization(org=tree.county_a, year=trip.year)


def test_an_invoice_above_the_subsidies_pays_them_in_full(attended, tree, trip):
    assert usage(tree, trip).reserved == 200_000
    settlement = pay(submit(attended, tree, amount=400_000), tree, trip)
    assert settlement.state == Settlement.State.PAID and settlement.paid_fen == 200_000
    assert settlement.decided_by == tree.user("county_a_staff")
    for app in attended:
        app.refresh_from_db()
        assert (app.status, app.paid_fen, app.settlement) == (Status.SETTLED, 100_000, settlement)
    money = usage(tree, trip)
    assert (money.spent, money.reserved, money.available) == (200_000, 0, GRANTED - 200_000)
    assert money.people_served == 2
    for app in attended:
        kinds = Transaction.objects.filter(cause_id=cause_id(app.pk)).values_list("kind", flat=True)
        assert sorted(kinds) == sorted([Kind.RESERVE, Kind.PAY])


def test_an_invoice_below_the_subsidies_pays_the_share_and_releases_the_rest(attended, tree, trip):
    settlement = pay(submit(attended, tree, amount=150_001), tree, trip)
    share = 150_001 // 2
    assert settlement.paid_fen == 2 * share
    assert sorted(Application.objects.values_list("paid_fen", flat=True)) == [share, share]
    money = usage(tree, trip)
    assert money.spent == 2 * share == sum(a.paid_fen for a in Application.objects.all())
    assert money.reserved == 0
    assert money.available == GRANTED - 2 * share
    assert money.people_served == 2
    for app in attended:
        assert Transaction.objects.filter(
            idempotency_key=f"{cause_id(app.pk)}:pay:remainder"
        ).exists()


def test_a_no_show_gives_the_whole_reservation_back(trip, tree, flow, make_worker):
    app = flow.to(flow.submit(make_worker(), trip.batch), Status.APPROVED)
    assert usage(tree, trip).reserved == 100_000
    flow.to(app, Status.NO_SHOW)
    money = usage(tree, trip)
    assert (money.spent, money.reserved, money.available, money.people_served) == (
        0,
        0,
        GRANTED,
        0,
    )
    with pytest.raises(services.ApplicationRefused, match="not been recorded as attended"):
        submit([Application.objects.get(pk=app.pk)], tree, amount=100_000)


def test_a_returned_settlement_can_be_claimed_again(attended, tree, trip):
    first = submit(attended, tree, amount=999)
    with pytest.raises(services.ApplicationRefused, match="already in a settlement"):
        submit(attended, tree, amount=400_000)
    with pytest.raises(services.ApplicationRefused, match="reason"):
        services.settlement_return(settlement=first, by=None, reason="")
    services.settlement_return(
        settlement=first, by=tree.user("county_a_staff"), reason="发票金额有误"
    )
    first.refresh_from_db()
    assert first.state == Settlement.State.RETURNED and "发票金额有误" in first.note
    with pytest.raises(services.ApplicationRefused, match="already decided"):
        pay(first, tree, trip)
    assert usage(tree, trip).spent == 0
    second = pay(submit(attended, tree, amount=400_000), tree, trip)
    assert second.paid_fen == 200_000
    assert usage(tree, trip).spent == 200_000
    assert set(Application.objects.values_list("settlement", flat=True)) == {second.pk}


def test_a_paid_settlement_is_decided_once(attended, tree, trip):
    settlement = pay(submit(attended, tree, amount=400_000), tree, trip)
    with pytest.raises(services.ApplicationRefused, match="already decided"):
        pay(settlement, tree, trip)
    with pytest.raises(services.ApplicationRefused, match="already decided"):
        services.settlement_return(settlement=settlement, by=None, reason="晚了")
    with pytest.raises(services.ApplicationRefused):
        submit(attended, tree, amount=400_000)
    assert usage(tree, trip).spent == 200_000


def test_two_federations_in_one_settlement_are_refused(trip, tree, flow, make_worker):
    from_a = flow.to(flow.submit(make_worker(union=tree.union_a1), trip.batch), Status.COMPLETED)
    from_b = flow.submit(make_worker(union=tree.union_b1), trip.batch)
    services.application_endorse(application=from_b, by=None)
    services.application_approve(application=from_b, by=tree.user("county_b_staff"))
    services.application_attendance(
        application=from_b, by=None, attended=True, today=after_departure(trip.batch)
    )
    from_b.refresh_from_db()
    with pytest.raises(services.ApplicationRefused, match="different federations"):
        submit([from_a, from_b], tree, amount=400_000)
    assert not Settlement.objects.exists()
    assert not Application.objects.filter(settlement__isnull=False).exists()


class TestRefusedClaims:
    def test_nobody(self, tree):
        with pytest.raises(services.ApplicationRefused, match="at least one"):
            services.settlement_submit(
                applications=[],
                union=tree.union_a1,
                invoice=pdf_upload(),
                invoice_amount=1,
                by=None,
            )

    @pytest.mark.parametrize("amount", [0, -100, 10**12])
    def test_an_invoice_amount_out_of_range(self, amount, attended, tree):
        with pytest.raises(services.ApplicationRefused, match="invoice amount"):
            submit(attended, tree, amount=amount)

    def test_not_attended_yet(self, trip, tree, flow, make_worker):
        app = flow.to(flow.submit(make_worker(), trip.batch), Status.APPROVED)
        with pytest.raises(services.ApplicationRefused, match=f"Application {app.pk} has not"):
            submit([app], tree, amount=100_000)

    def test_not_on_the_group_trip_named(self, attended, trip, tree):
        group = services.group_trip_create(
            batch=trip.batch, organizer=tree.union_a1, seats=2, by=None
        )
        with pytest.raises(services.ApplicationRefused, match="not on this group trip"):
            submit(attended, tree, amount=100_000, group_trip=group)

    def test_an_application_that_no_longer_exists(self, attended, tree):
        ghost = Application(pk=attended[0].pk + 1000)
        with pytest.raises(services.ApplicationRefused, match="no longer exist"):
            submit([attended[0], ghost], tree, amount=100_000)


class TestInvoiceFile:
    def test_a_pdf_and_images_are_accepted(self, attended, tree):
        from PIL import Image

        jpeg = BytesIO()
        Image.new("RGB", (4, 4)).save(jpeg, format="JPEG")
        for upload in (
            pdf_upload(),
            png_upload(),
            SimpleUploadedFile("scan.jpg", jpeg.getvalue()),
        ):
            settlement = submit(attended, tree, amount=100_000, invoice=upload)
            services.settlement_return(settlement=settlement, by=None, reason="测试")
        assert Settlement.objects.count() == 3

    @pytest.mark.parametrize(
        ("name", "body"),
        [
            ("invoice.pdf", b"just some text pretending to be a PDF"),
            ("invoice.png", b"\x89PNG\r\n\x1a\n truncated"),
            ("invoice.pdf", b""),
            ("invoice.exe", b"MZ\x90\x00\x03"),
        ],
    )
    def test_a_file_that_is_not_a_pdf_or_image_is_refused_by_content(
        self, name, body, attended, tree
    ):
        with pytest.raises(services.ApplicationRefused, match="PDF file or a JPEG, PNG or WebP"):
            submit(attended, tree, amount=100_000, invoice=SimpleUploadedFile(name, body))
        assert not Settlement.objects.exists()

    def test_a_gif_is_refused(self, attended, tree):
        from PIL import Image

        gif = BytesIO()
        Image.new("RGB", (4, 4)).save(gif, format="GIF")
        with pytest.raises(services.ApplicationRefused, match="PDF file or a JPEG"):
            submit(attended, tree, amount=1, invoice=SimpleUploadedFile("a.gif", gif.getvalue()))

    def test_a_file_too_large_is_refused(self, attended, tree):
        upload = pdf_upload()
        upload.size = INVOICE_MAX_BYTES + 1
        with pytest.raises(services.ApplicationRefused, match="limit of 5.0"):
            submit(attended, tree, amount=100_000, invoice=upload)
        assert not Settlement.objects.exists()

    def test_no_file(self, attended, tree):
        with pytest.raises(services.ApplicationRefused, match="Attach the invoice"):
            services.settlement_submit(
                applications=attended,
                union=tree.union_a1,
                invoice=None,
                invoice_amount=1,
                by=None,
            )


class TestReview:
    def test_a_participant_reviews_once_after_attending(self, attended, trip):
        app = attended[0]
        review = services.review_trip(application=app, by=app.worker.user, rating=5, text="很好")
        assert review.application_ref == cause_id(app.pk)
        assert review.base == trip.itinerary.base
        with pytest.raises(services.ApplicationRefused, match="already reviewed"):
            services.review_trip(application=app, by=app.worker.user, rating=4)

    def test_only_the_participant_and_only_after_attending(self, attended, trip, flow, make_worker):
        with pytest.raises(services.ApplicationRefused, match="Only the participant"):
            services.review_trip(application=attended[0], by=attended[1].worker.user, rating=5)
        app = flow.to(flow.submit(make_worker(), trip.batch), Status.APPROVED)
        with pytest.raises(services.ApplicationRefused, match="once your attendance"):
            services.review_trip(application=app, by=app.worker.user, rating=5)

    @pytest.mark.parametrize("rating", [0, 6])
    def test_a_rating_outside_one_to_five_is_refused(self, rating, attended):
        app = attended[0]
        with pytest.raises(services.ApplicationRefused):
            services.review_trip(application=app, by=app.worker.user, rating=rating)
        services.review_trip(application=app, by=app.worker.user, rating=1)
