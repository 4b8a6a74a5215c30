"""Server-rendered pages: the public catalogue and the management pages."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import AuditEvent
from bases.models import (
    INDICATORS,
    BasePhoto,
    BaseStatus,
    Batch,
    Inspection,
    InspectionDraw,
    InspectionStatus,
    Itinerary,
    QualitySettings,
)
from tests.bases.factories import BaseFactory, BatchFactory, InspectionFactory, ItineraryFactory
from tests.publicity.test_uploads import png_bomb

pytestmark = pytest.mark.django_db

TITLES = {"short": "森林三日", "long": "森林七日", "sea": "滨海五日", "red": "红色四日"}


def shown(client, url: str, params: dict | None = None) -> set[str]:
    response = client.get(url, params or {})
    assert response.status_code == 200
    html = response.content.decode()
    return {key for key, title in TITLES.items() if title in html}


# --- The public bases pages (the itinerary catalogue: tests/portal/test_catalogue_public.py) ---


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"青山森林", "临海滨海", "红石纪念馆"}),
        ({"theme": "red"}, {"红石纪念馆"}),
        ({"product": "seaside"}, {"临海滨海"}),
        ({"county": "CA"}, {"青山森林", "临海滨海"}),
        ({"min_stars": "4"}, {"青山森林", "红石纪念馆"}),
        ({"q": "纪念"}, {"红石纪念馆"}),
    ],
)
def test_bases_page_filters(client, catalogue, params, expected):
    html = client.get("/bases/all/", params).content.decode()
    names = {"青山森林", "临海滨海", "红石纪念馆", "已退出温泉", "申报中基地"}
    assert {n for n in names if n in html} == expected


def test_base_page_shows_itineraries_reviews_and_rating(client, tree, catalogue):
    from bases import services

    author = tree.user("worker_a1")
    author.full_name = "张三"
    author.save()
    services.review_create(
        base=catalogue.forest,
        author=tree.user("worker_a1"),
        rating=4,
        text="茶很好喝",
        application_ref="a:1",
    )
    scores = {code: maximum for code, _l, _g, maximum in INDICATORS}
    services.star_rating_record(base=catalogue.forest, by=None, scores=scores)
    html = client.get(f"/bases/{catalogue.forest.pk}/").content.decode()
    assert "森林三日" in html and "森林七日" in html and "停用线路" not in html
    assert "茶很好喝" in html and "张**" in html and "张三" not in html  # the author is masked
    assert "100" in html and "★★★★★" in html


def test_a_base_out_of_the_catalogue_is_404_for_the_public_but_not_its_operator(
    client, tree, catalogue
):
    url = f"/bases/{catalogue.exited.pk}/"
    assert client.get(url).status_code == 404
    client.force_login(tree.user("operator"))
    response = client.get(url)
    assert response.status_code == 200 and "alert-warning" in response.content.decode()


def test_public_notice_lists_bases_in_notice_with_the_end_date(client, tree, today):
    ends = today + timedelta(days=6)
    BaseFactory(
        name="公示中的基地",
        county=tree.county_a,
        operator=tree.operator,
        status=BaseStatus.NOTICE,
        notice_ends_on=ends,
    )
    BaseFactory(name="申报中的基地", county=tree.county_a, status=BaseStatus.APPLIED)
    BaseFactory(name="已退出的基地", county=tree.county_a, status=BaseStatus.EXITED)
    html = client.get("/bases/notice/").content.decode()
    assert "公示中的基地" in html and ends.isoformat() in html
    assert "申报中的基地" not in html
    assert "已退出的基地" in html  # listed under suspended and exited


@pytest.mark.parametrize(
    ("role", "label"),
    [
        ("anonymous", None),
        ("worker_a1", None),
        ("city_staff", "/bases/manage/"),
        ("operator", "/bases/manage/"),
        ("auditor", "/bases/manage/"),
    ],
)
def test_menu_links(client, tree, role, label):
    if role != "anonymous":
        client.force_login(tree.user(role))
    html = client.get("/").content.decode()
    nav = html[html.index("<nav") : html.index("</nav>")]
    assert 'href="/bases/"' in nav
    assert ('href="/bases/manage/"' in nav) == bool(label)


# --- Operators maintain itineraries and batches ----------------------------------------------------


def itinerary_form(**changes) -> dict:
    return {
        "title": "茶园三日",
        "days": "3",
        "summary": "",
        "programme": "第一天\n第二天\n第三天",
        "standard_price_fen": "1000.00",
        "union_price_fen": "900",
        "min_age": "",
        "max_age": "",
        "active": "on",
        **changes,
    }


def test_operator_adds_an_itinerary_through_the_page(client, tree, base):
    client.force_login(tree.user("operator"))
    response = client.post(f"/bases/manage/{base.pk}/itineraries/new/", itinerary_form())
    itinerary = Itinerary.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/bases/manage/itineraries/{itinerary.pk}/"
    )
    assert (itinerary.union_price_fen, itinerary.programme[1]) == (90000, "第二天")
    assert AuditEvent.objects.filter(
        action="itinerary_created", actor=tree.user("operator")
    ).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"union_price_fen": "1000.01"}, "union_price_fen"),
        ({"union_price_fen": "0"}, "union_price_fen"),
        ({"days": "0"}, "days"),
        ({"programme": "只有一天"}, "programme"),
        ({"min_age": "60", "max_age": "40"}, "max_age"),
    ],
)
def test_bad_itinerary_input_on_the_page_is_a_field_message(client, tree, base, changes, field):
    client.force_login(tree.user("operator"))
    response = client.post(f"/bases/manage/{base.pk}/itineraries/new/", itinerary_form(**changes))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert "invalid-feedback" in response.content.decode()
    assert not Itinerary.objects.exists()


def batch_form(today, **changes) -> dict:
    start = today + timedelta(days=30)
    data = {
        "start_date": start.isoformat(),
        "end_date": "",
        "signup_deadline": (start - timedelta(days=5)).isoformat(),
        "capacity": "20",
    }
    for key, value in changes.items():
        if isinstance(value, int):
            value = (start + timedelta(days=value)).isoformat()
        data[key] = value
    return data


def test_operator_adds_a_batch_and_the_end_follows_the_itinerary(client, tree, base, today):
    itinerary = ItineraryFactory(base=base, days=4)
    client.force_login(tree.user("operator"))
    response = client.post(f"/bases/manage/itineraries/{itinerary.pk}/", batch_form(today))
    assert response.status_code == 302
    batch = Batch.objects.get()
    assert batch.end_date == batch.start_date + timedelta(days=3)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"capacity": "0"}, "capacity"),
        ({"capacity": "-3"}, "capacity"),
        ({"end_date": -1}, "end_date"),
        ({"signup_deadline": 1}, "signup_deadline"),
    ],
)
def test_bad_batch_input_on_the_page_is_a_field_message(client, tree, base, today, changes, field):
    itinerary = ItineraryFactory(base=base)
    client.force_login(tree.user("operator"))
    response = client.post(
        f"/bases/manage/itineraries/{itinerary.pk}/", batch_form(today, **changes)
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Batch.objects.exists()


def test_operator_closes_and_edits_a_batch(client, tree, base):
    batch = BatchFactory(itinerary=ItineraryFactory(base=base), seats_held=10)
    client.force_login(tree.user("operator"))
    client.post(f"/bases/manage/batches/{batch.pk}/close/", {"reason": "满员"})
    batch.refresh_from_db()
    assert batch.status == "closed"
    data = {
        "start_date": batch.start_date.isoformat(),
        "end_date": batch.end_date.isoformat(),
        "signup_deadline": batch.signup_deadline.isoformat(),
        "capacity": "5",
    }
    response = client.post(f"/bases/manage/batches/{batch.pk}/edit/", data)
    assert response.status_code == 200 and "capacity" in response.context["form"].errors
    data["capacity"] = "12"
    assert client.post(f"/bases/manage/batches/{batch.pk}/edit/", data).status_code == 302
    batch.refresh_from_db()
    assert batch.capacity == 12


def test_another_operators_base_is_not_found(client, tree, other_base):
    itinerary = ItineraryFactory(base=other_base)
    client.force_login(tree.user("operator"))
    for url in (
        f"/bases/manage/{other_base.pk}/",
        f"/bases/manage/{other_base.pk}/edit/",
        f"/bases/manage/{other_base.pk}/itineraries/new/",
        f"/bases/manage/itineraries/{itinerary.pk}/",
        f"/bases/manage/itineraries/{itinerary.pk}/edit/",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(f"/bases/manage/{other_base.pk}/edit/", {"summary": "x"})
    assert response.status_code == 404
    assert "其他运营方" not in client.get("/bases/manage/").content.decode()
    assert other_base.name not in client.get("/bases/manage/").content.decode()


def test_auditor_sees_but_cannot_change(client, tree, base):
    client.force_login(tree.user("auditor"))
    assert client.get(f"/bases/manage/{base.pk}/").status_code == 200
    assert client.get(f"/bases/manage/{base.pk}/edit/").status_code == 403
    assert client.post(f"/bases/manage/{base.pk}/edit/", {"summary": "x"}).status_code == 403
    html = client.get(f"/bases/manage/{base.pk}/").content.decode()
    assert "/transition/" not in html and "/edit/" not in html


def test_operator_edits_its_profile_through_the_page(client, tree, base):
    client.force_login(tree.user("operator"))
    form = {
        "address": "新地址",
        "summary": "新简介",
        "description": "",
        "contact_name": "王经理",
        "contact_phone": "12345",
        "themes": ["green", "red"],
        "products": ["forest"],
    }
    response = client.post(f"/bases/manage/{base.pk}/edit/", form)
    assert response.status_code == 200 and "contact_phone" in response.context["form"].errors
    form["contact_phone"] = "13800001111"
    assert client.post(f"/bases/manage/{base.pk}/edit/", form).status_code == 302
    base.refresh_from_db()
    assert (base.summary, base.themes, base.contact_phone) == (
        "新简介",
        ["red", "green"],
        "13800001111",
    )


def test_operator_applies_for_a_new_base(client, tree):
    client.force_login(tree.user("operator"))
    form = {
        "name": "新茶园",
        "county": tree.county_a.pk,
        "themes": ["green"],
        "products": ["tea"],
        "address": "",
        "summary": "",
        "description": "",
        "contact_name": "",
        "contact_phone": "",
    }
    response = client.post("/bases/manage/apply/", form)
    assert response.status_code == 302
    base = tree.operator.operated_bases.get()
    assert (base.name, base.status) == ("新茶园", BaseStatus.APPLIED)
    response = client.post("/bases/manage/apply/", dict(form, themes=[]))
    assert response.status_code == 200 and "themes" in response.context["form"].errors


# --- Photos ----------------------------------------------------------------------------------------


def image_file(name="photo.png", fmt="PNG", size=(40, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 60)).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_operator_uploads_a_photo(client, tree, base, media):
    client.force_login(tree.user("operator"))
    response = client.post(
        f"/bases/manage/{base.pk}/photos/", {"image": image_file(), "caption": "大门"}
    )
    assert response.status_code == 302
    photo = BasePhoto.objects.get()
    assert photo.caption == "大门" and (media / photo.image.name).exists()


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (
            SimpleUploadedFile("fake.jpg", b"not an image at all", content_type="image/jpeg"),
            "invalid_image",
        ),
        ("BIG", "too_large"),
        (image_file("anim.gif", "GIF"), "bad_format"),
        ("BOMB", "invalid_image"),  # Django's ImageField already refuses it
    ],
)
def test_a_bad_photo_is_refused_with_a_field_message(client, tree, base, media, upload, code):
    if upload == "BIG":
        upload = image_file("big.bmp", "BMP", size=(1400, 1300))  # a real image of 5.5 MB
    if upload == "BOMB":  # a few hundred bytes declaring 900 million pixels
        upload = SimpleUploadedFile("bomb.png", png_bomb(), content_type="image/png")
    client.force_login(tree.user("operator"))
    response = client.post(f"/bases/manage/{base.pk}/photos/", {"image": upload})
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()["image"]
    assert [e.code for e in errors] == [code]
    assert "invalid-feedback" in response.content.decode()
    assert not BasePhoto.objects.exists()
    assert not list(media.rglob("*.*"))


# --- Staff: lifecycle, ratings, inspections, watch list, settings -----------------------------------


def test_staff_move_a_base_through_the_page(client, tree, today):
    base = BaseFactory(county=tree.county_a, operator=tree.operator, status=BaseStatus.APPROVED)
    client.force_login(tree.user("county_a_staff"))
    url = f"/bases/manage/{base.pk}/transition/"
    response = client.post(url, {"to": "notice", "reason": ""})
    assert response.status_code == 200
    assert "notice_ends_on" in response.context["transition_form"].errors
    ends = (today + timedelta(days=7)).isoformat()
    assert client.post(url, {"to": "notice", "notice_ends_on": ends}).status_code == 302
    base.refresh_from_db()
    assert base.status == BaseStatus.NOTICE
    response = client.post(url, {"to": "exited", "reason": "x"})  # not a move from notice
    assert response.status_code == 200 and "to" in response.context["transition_form"].errors


def test_operator_cannot_move_its_own_base(client, tree, base):
    client.force_login(tree.user("operator"))
    response = client.post(f"/bases/manage/{base.pk}/transition/", {"to": "watch", "reason": "x"})
    assert response.status_code == 403
    base.refresh_from_db()
    assert base.status == BaseStatus.ACTIVE


def test_staff_rate_stars_on_the_page(client, tree, base):
    client.force_login(tree.user("city_staff"))
    data = {code: str(maximum) for code, _l, _g, maximum in INDICATORS}
    data["food"] = "9"
    response = client.post(f"/bases/manage/{base.pk}/rating/", data)
    assert response.status_code == 200 and "food" in response.context["form"].errors
    data["food"] = "0"  # 92 points
    assert client.post(f"/bases/manage/{base.pk}/rating/", data).status_code == 302
    base.refresh_from_db()
    assert base.stars == 5
    html = client.get("/bases/manage/ratings/").content.decode()
    assert base.name in html and "92" in html


def test_inspection_steps_through_the_page(client, tree, base, today):
    inspection = InspectionFactory(base=base)
    url = f"/bases/manage/inspections/{inspection.pk}/"
    client.force_login(tree.user("operator"))
    assert client.post(url, {"step": "record"}).status_code == 403  # not the operator's step
    client.force_login(tree.user("county_a_staff"))
    response = client.post(
        url,
        {
            "step": "record",
            "record-inspected_on": today.isoformat(),
            "record-score": "60",
            "record-findings": "餐饮不达标",
            "record-needs_rectification": "on",
            "record-rectification_deadline": (today + timedelta(days=10)).isoformat(),
        },
    )
    assert response.status_code == 302
    client.force_login(tree.user("operator"))
    assert client.post(url, {"step": "answer", "answer-answer": "已更换供应商"}).status_code == 302
    client.force_login(tree.user("county_a_staff"))
    assert client.post(url, {"step": "conclude", "conclude-accept": "1"}).status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.CLOSED and inspection.answer == "已更换供应商"


def test_city_staff_draw_inspections_and_county_staff_cannot(client, tree, base):
    client.force_login(tree.user("county_a_staff"))
    assert client.post("/bases/manage/inspections/draw/").status_code == 403
    client.force_login(tree.user("city_staff"))
    assert client.post("/bases/manage/inspections/draw/").status_code == 302
    draw = InspectionDraw.objects.get()
    assert draw.chosen_ids == [base.pk] and Inspection.objects.get().base == base
    html = client.get("/bases/manage/inspections/").content.decode()
    assert str(draw.seed) in html and base.name in html


def test_overdue_rectifications_show_on_the_staff_pages(client, tree, base, today):
    InspectionFactory(
        base=base,
        status=InspectionStatus.RECTIFYING,
        rectification_deadline=today - timedelta(days=2),
    )
    client.force_login(tree.user("county_a_staff"))
    html = client.get("/bases/manage/").content.decode()
    assert "?overdue=1" in html
    assert base.name in client.get("/bases/manage/inspections/", {"overdue": "1"}).content.decode()


def test_watch_list_page_and_running_the_check(client, tree, today):
    watched = BaseFactory(
        name="观察中的基地",
        county=tree.county_a,
        operator=tree.operator,
        status=BaseStatus.WATCH,
        watch_since=today - timedelta(days=10),
    )
    client.force_login(tree.user("auditor"))
    html = client.get("/bases/manage/watch/").content.decode()
    assert watched.name in html and "/watch/run/" not in html
    assert client.post("/bases/manage/watch/run/").status_code == 403
    client.force_login(tree.user("city_staff"))
    assert client.post("/bases/manage/watch/run/").status_code == 302


def test_city_staff_change_the_settings_and_others_cannot(client, tree):
    data = {
        "watch_threshold": "75",
        "watch_period_days": "60",
        "review_weight_percent": "50",
        "min_reviews": "5",
        "score_window_days": "365",
        "inspection_sample_size": "4",
        "rectification_days": "20",
    }
    client.force_login(tree.user("county_a_staff"))
    assert client.post("/bases/manage/settings/", data).status_code == 403
    client.force_login(tree.user("city_staff"))
    response = client.post("/bases/manage/settings/", dict(data, watch_threshold="101"))
    assert response.status_code == 200 and "watch_threshold" in response.context["form"].errors
    assert client.post("/bases/manage/settings/", data).status_code == 302
    settings = QualitySettings.load()
    assert (settings.watch_threshold, settings.inspection_sample_size) == (75, 4)
    assert settings.updated_by == tree.user("city_staff")
