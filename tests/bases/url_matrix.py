"""This app's rows of the URL × method × role matrix in tests/test_permissions.py (format:
tests/matrix.py). The objects belong to county A and its operator; county B's staff, its operator
and every other role are outsiders to them (404 on objects, 403 on pages they have no right to).
"""

from __future__ import annotations

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from bases.models import (
    INDICATORS,
    Base,
    BasePhoto,
    BaseStatus,
    Batch,
    BatchStatus,
    Inspection,
    InspectionDraw,
    InspectionStatus,
    Itinerary,
    QualitySettings,
    StarRating,
)
from tests.bases.factories import BaseFactory, BatchFactory, InspectionFactory, ItineraryFactory
from tests.matrix import (
    CITY,
    EDITORS,
    LOGIN,
    MANAGEMENT,
    STAFF,
    SUPERVISORS,
    VIEWERS,
    Write,
    only,
    roles,
)

# --- Objects and writes --------------------------------------------------------------------------


def _base(tree, **fields) -> Base:
    return BaseFactory(name="甲县矩阵基地", county=tree.county_a, operator=tree.operator, **fields)


def _itinerary(tree) -> Itinerary:
    return ItineraryFactory(base=_base(tree), days=3)


def _batch(tree, **fields) -> Batch:
    return BatchFactory(itinerary=_itinerary(tree), **fields)


def _fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 60)).save(buffer, "PNG")
    return SimpleUploadedFile("matrix.png", buffer.getvalue(), content_type="image/png")


def base_path(suffix: str = ""):
    return lambda tree: f"/bases/manage/{_base(tree).pk}/{suffix}"


def _profile_form(base: Base, **changes) -> dict:
    return {
        "name": base.name,
        "county": base.county_id,
        "operator": base.operator_id,
        "address": base.address,
        "summary": base.summary,
        "description": "",
        "contact_name": "",
        "contact_phone": "",
        "themes": base.themes,
        "products": base.products,
        **changes,
    }


def _itinerary_form(**changes) -> dict:
    return {
        "title": "矩阵线路",
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


def _batch_form(**changes) -> dict:
    start = timezone.localdate() + timedelta(days=40)
    return {
        "start_date": start.isoformat(),
        "end_date": "",
        "signup_deadline": (start - timedelta(days=5)).isoformat(),
        "capacity": "20",
        **changes,
    }


def apply_page(tree) -> Write:
    data = _profile_form(
        Base(county=tree.county_a, operator=tree.operator, themes=["green"], products=["tea"]),
        name="矩阵申报",
    )
    return Write(
        path="/bases/manage/apply/",
        data=data,
        done=lambda: Base.objects.filter(name="矩阵申报").exists(),
    )


def edit_page(tree) -> Write:
    base = _base(tree)
    return Write(
        path=f"/bases/manage/{base.pk}/edit/",
        data=_profile_form(base, summary="矩阵简介"),
        done=lambda: _fresh(base).summary == "矩阵简介",
    )


def transition_page(tree) -> Write:
    base = _base(tree, status=BaseStatus.APPLIED)
    return Write(
        path=f"/bases/manage/{base.pk}/transition/",
        data={"to": "checked", "reason": ""},
        done=lambda: _fresh(base).status == BaseStatus.CHECKED,
    )


def photo_upload(tree) -> Write:
    base = _base(tree)
    return Write(
        path=f"/bases/manage/{base.pk}/photos/",
        data={"image": _png(), "caption": "矩阵"},
        done=lambda: base.photos.exists(),
    )


def photo_delete(tree) -> Write:
    # A row naming a file is enough: deleting it removes the file only after commit.
    photo = BasePhoto.objects.create(base=_base(tree), image="bases/none.png")
    return Write(
        path=f"/bases/manage/photos/{photo.pk}/delete/",
        done=lambda: not BasePhoto.objects.filter(pk=photo.pk).exists(),
    )


def rating_page(tree) -> Write:
    base = _base(tree)
    return Write(
        path=f"/bases/manage/{base.pk}/rating/",
        data={code: str(maximum) for code, _label, _group, maximum in INDICATORS},
        done=lambda: StarRating.objects.filter(base=base).exists(),
    )


def itinerary_new_page(tree) -> Write:
    base = _base(tree)
    return Write(
        path=f"/bases/manage/{base.pk}/itineraries/new/",
        data=_itinerary_form(),
        done=lambda: base.itineraries.filter(title="矩阵线路").exists(),
    )


def inspection_new_page(tree) -> Write:
    base = _base(tree)
    return Write(
        path=f"/bases/manage/{base.pk}/inspections/new/",
        done=lambda: Inspection.objects.filter(base=base).exists(),
    )


def batch_new_page(tree) -> Write:
    itinerary = _itinerary(tree)
    return Write(
        path=f"/bases/manage/itineraries/{itinerary.pk}/",
        data=_batch_form(),
        done=lambda: itinerary.batches.exists(),
    )


def itinerary_edit_page(tree) -> Write:
    itinerary = _itinerary(tree)
    return Write(
        path=f"/bases/manage/itineraries/{itinerary.pk}/edit/",
        data=_itinerary_form(title="矩阵改名"),
        done=lambda: _fresh(itinerary).title == "矩阵改名",
    )


def batch_edit_page(tree) -> Write:
    batch = _batch(tree)
    data = _batch_form(
        start_date=batch.start_date.isoformat(),
        end_date=batch.end_date.isoformat(),
        signup_deadline=batch.signup_deadline.isoformat(),
        capacity="25",
    )
    return Write(
        path=f"/bases/manage/batches/{batch.pk}/edit/",
        data=data,
        done=lambda: _fresh(batch).capacity == 25,
    )


def batch_close(prefix: str):
    def build(tree) -> Write:
        batch = _batch(tree)
        return Write(
            path=prefix.format(pk=batch.pk),
            data={"reason": "矩阵"},
            done=lambda: _fresh(batch).status == BatchStatus.CLOSED,
        )

    return build


def batch_reopen(prefix: str):
    def build(tree) -> Write:
        batch = _batch(tree, status=BatchStatus.CLOSED)
        return Write(
            path=prefix.format(pk=batch.pk),
            done=lambda: _fresh(batch).status == BatchStatus.OPEN,
        )

    return build


def _inspection_path(tree) -> str:
    return f"/bases/manage/inspections/{InspectionFactory(base=_base(tree)).pk}/"


def inspection_record_page(tree) -> Write:
    inspection = InspectionFactory(base=_base(tree))
    today = timezone.localdate()
    return Write(
        path=f"/bases/manage/inspections/{inspection.pk}/",
        data={
            "step": "record",
            "record-inspected_on": today.isoformat(),
            "record-score": "90",
            "record-findings": "",
        },
        done=lambda: _fresh(inspection).status != InspectionStatus.SCHEDULED,
    )


def draw_page(tree) -> Write:
    _base(tree)
    return Write(
        path="/bases/manage/inspections/draw/",
        done=lambda: InspectionDraw.objects.exists(),
    )


def watch_run_page(tree) -> Write:
    """A base whose only inspection scored 10: the check puts it on the watch list."""
    base = _base(tree)
    InspectionFactory(
        base=base,
        score=10,
        inspected_on=timezone.localdate(),
        status=InspectionStatus.CLOSED,
    )
    return Write(
        path="/bases/manage/watch/run/",
        done=lambda: _fresh(base).status == BaseStatus.WATCH,
    )


def settings_page(tree) -> Write:
    return Write(
        path="/bases/manage/settings/",
        data={
            "watch_threshold": "75",
            "watch_period_days": "60",
            "review_weight_percent": "50",
            "min_reviews": "5",
            "score_window_days": "365",
            "inspection_sample_size": "4",
            "rectification_days": "20",
        },
        done=lambda: QualitySettings.load().watch_threshold == 75,
    )


# API writes: JSON bodies.


def api_base_create(tree) -> Write:
    data = {
        "name": "矩阵登记",
        "county": "CA",
        "operator": "OPA",
        "themes": ["green"],
        "products": ["tea"],
    }
    return Write(
        path="/api/v1/bases/", data=data, done=lambda: Base.objects.filter(name="矩阵登记").exists()
    )


def api_base_patch(tree) -> Write:
    base = _base(tree)
    return Write(
        path=f"/api/v1/bases/{base.pk}/",
        data={"summary": "矩阵简介"},
        done=lambda: _fresh(base).summary == "矩阵简介",
    )


def api_base_move(tree) -> Write:
    """The reported hole: a base moved out of county A (to county B and its operator)."""
    base = _base(tree)
    return Write(
        path=f"/api/v1/bases/{base.pk}/",
        data={"county": "CB", "operator": "OPB"},
        done=lambda: _fresh(base).county_id == tree.county_b.pk,
    )


def api_base_transition(tree) -> Write:
    base = _base(tree, status=BaseStatus.APPLIED)
    return Write(
        path=f"/api/v1/bases/{base.pk}/transition/",
        data={"to": "checked"},
        done=lambda: _fresh(base).status == BaseStatus.CHECKED,
    )


def api_itinerary_create(tree) -> Write:
    base = _base(tree)
    data = {
        "base": base.pk,
        "title": "矩阵线路",
        "days": 3,
        "union_price": "900.00",
        "standard_price": "1000.00",
        "programme": ["第一天", "第二天", "第三天"],
    }
    return Write(
        path="/api/v1/itineraries/",
        data=data,
        done=lambda: base.itineraries.filter(title="矩阵线路").exists(),
    )


def api_itinerary_patch(tree) -> Write:
    itinerary = _itinerary(tree)
    return Write(
        path=f"/api/v1/itineraries/{itinerary.pk}/",
        data={"title": "矩阵改名"},
        done=lambda: _fresh(itinerary).title == "矩阵改名",
    )


def api_batch_create(tree) -> Write:
    itinerary = _itinerary(tree)
    start = timezone.localdate() + timedelta(days=40)
    return Write(
        path="/api/v1/batches/",
        data={"itinerary": itinerary.pk, "start_date": start.isoformat(), "capacity": 20},
        done=lambda: itinerary.batches.exists(),
    )


def api_batch_patch(tree) -> Write:
    batch = _batch(tree)
    return Write(
        path=f"/api/v1/batches/{batch.pk}/",
        data={"capacity": 25},
        done=lambda: _fresh(batch).capacity == 25,
    )


# --- Expected answers ---------------------------------------------------------------------------

OBJECT_VIEW = roles((VIEWERS, 200), default=404)  # see it in management
OBJECT_EDIT = roles((EDITORS, 200), ({"auditor"}, 403), default=404)  # change it
OBJECT_EDIT_DONE = roles((EDITORS, 302), ({"auditor"}, 403), default=404)
OBJECT_DECIDE = roles((STAFF, 200), ({"auditor", "operator"}, 403), default=404)
OBJECT_DECIDE_DONE = roles((STAFF, 302), ({"auditor", "operator"}, 403), default=404)
API_EDIT = roles((EDITORS, 200), ({"auditor"}, 403), default=404)
# Creating under a parent named in the body: a parent outside the caller's scope "does not
# exist" (400 on that field); a read-only one is a 403.
API_CREATE_UNDER = roles((EDITORS, 201), ({"auditor"}, 403), default=400)

MATRIX: dict = {
    # Public: everyone, no login. (The itinerary catalogue and pages at /bases/ and
    # /bases/itineraries/<id>/ are the portal's now: tests/portal/url_matrix.py.)
    ("bases:base_list", "get"): ("/bases/all/", 200, 200),
    ("bases:notice", "get"): ("/bases/notice/", 200, 200),
    ("bases:base_detail", "get"): (lambda t: f"/bases/{_base(t).pk}/", 200, 200),
    # Management of one base.
    ("bases:manage", "get"): ("/bases/manage/", LOGIN, only(MANAGEMENT)),
    ("bases:base_apply", "get"): (
        "/bases/manage/apply/",
        LOGIN,
        only(STAFF | {"county_b_staff", "operator", "operator_b"}),
    ),
    # County B's staff and operator may apply, but not with county A or its operator (form error).
    ("bases:base_apply", "post"): (
        apply_page,
        LOGIN,
        roles((EDITORS, 302), ({"county_b_staff", "operator_b"}, 200), default=403),
    ),
    ("bases:base_manage", "get"): (base_path(), LOGIN, OBJECT_VIEW),
    ("bases:base_edit", "get"): (base_path("edit/"), LOGIN, OBJECT_EDIT),
    ("bases:base_edit", "post"): (edit_page, LOGIN, OBJECT_EDIT_DONE),
    ("bases:base_transition", "post"): (transition_page, LOGIN, OBJECT_DECIDE_DONE),
    ("bases:base_photos", "get"): (base_path("photos/"), LOGIN, OBJECT_VIEW),
    ("bases:base_photos", "post"): (photo_upload, LOGIN, OBJECT_EDIT_DONE),
    ("bases:photo_delete", "post"): (photo_delete, LOGIN, OBJECT_EDIT_DONE),
    ("bases:rating_new", "get"): (base_path("rating/"), LOGIN, OBJECT_DECIDE),
    ("bases:rating_new", "post"): (rating_page, LOGIN, OBJECT_DECIDE_DONE),
    ("bases:itinerary_new", "get"): (base_path("itineraries/new/"), LOGIN, OBJECT_EDIT),
    ("bases:itinerary_new", "post"): (itinerary_new_page, LOGIN, OBJECT_EDIT_DONE),
    ("bases:inspection_new", "post"): (inspection_new_page, LOGIN, OBJECT_DECIDE_DONE),
    # Itineraries and batches.
    ("bases:batches", "get"): (
        lambda t: f"/bases/manage/itineraries/{_itinerary(t).pk}/",
        LOGIN,
        OBJECT_VIEW,
    ),
    ("bases:batches", "post"): (batch_new_page, LOGIN, OBJECT_EDIT_DONE),
    ("bases:itinerary_edit", "get"): (
        lambda t: f"/bases/manage/itineraries/{_itinerary(t).pk}/edit/",
        LOGIN,
        OBJECT_EDIT,
    ),
    ("bases:itinerary_edit", "post"): (itinerary_edit_page, LOGIN, OBJECT_EDIT_DONE),
    ("bases:batch_edit", "get"): (
        lambda t: f"/bases/manage/batches/{_batch(t).pk}/edit/",
        LOGIN,
        OBJECT_EDIT,
    ),
    ("bases:batch_edit", "post"): (batch_edit_page, LOGIN, OBJECT_EDIT_DONE),
    ("bases:batch_close", "post"): (
        batch_close("/bases/manage/batches/{pk}/close/"),
        LOGIN,
        OBJECT_EDIT_DONE,
    ),
    ("bases:batch_reopen", "post"): (
        batch_reopen("/bases/manage/batches/{pk}/reopen/"),
        LOGIN,
        OBJECT_EDIT_DONE,
    ),
    # Inspections: staff record (the operator answers later: tests/bases/test_pages.py).
    ("bases:inspection_detail", "get"): (_inspection_path, LOGIN, OBJECT_VIEW),
    ("bases:inspection_detail", "post"): (inspection_record_page, LOGIN, OBJECT_DECIDE_DONE),
    # Staff pages.
    ("bases:accreditation", "get"): ("/bases/manage/accreditation/", LOGIN, only(SUPERVISORS)),
    ("bases:ratings", "get"): ("/bases/manage/ratings/", LOGIN, only(SUPERVISORS)),
    ("bases:inspections", "get"): ("/bases/manage/inspections/", LOGIN, only(MANAGEMENT)),
    ("bases:inspection_draw", "post"): (draw_page, LOGIN, only(CITY, 302)),
    ("bases:watch_list", "get"): ("/bases/manage/watch/", LOGIN, only(SUPERVISORS)),
    ("bases:watch_list_run", "post"): (watch_run_page, LOGIN, only(CITY, 302)),
    ("bases:quality_settings", "get"): ("/bases/manage/settings/", LOGIN, only(SUPERVISORS)),
    ("bases:quality_settings", "post"): (settings_page, LOGIN, only(CITY, 302)),
    # API: reads are public; writes need a login, scope (404) and the right (403).
    ("base-list", "get"): ("/api/v1/bases/", 200, 200),
    # County B's staff and operator may register bases, but not in county A or for its operator.
    ("base-list", "post"): (
        api_base_create,
        401,
        roles(
            (EDITORS, 201),
            ({"county_b_staff", "operator_b"}, 400),
            default=403,
        ),
    ),
    ("base-detail", "get"): (lambda t: f"/api/v1/bases/{_base(t).pk}/", 200, 200),
    ("base-detail", "patch"): (api_base_patch, 401, API_EDIT),
    # Only staff over both counties move a base; county A's staff: 400 on both fields; its
    # operator: 400 (staff fields).
    ("base-detail", "patch", "move to county B"): (
        api_base_move,
        401,
        roles((CITY, 200), ({"county_a_staff", "operator"}, 400), ({"auditor"}, 403), default=404),
    ),
    ("base-transition", "post"): (
        api_base_transition,
        401,
        roles((STAFF, 200), ({"auditor", "operator"}, 403), default=404),
    ),
    ("itinerary-list", "get"): ("/api/v1/itineraries/", 200, 200),
    ("itinerary-list", "post"): (api_itinerary_create, 401, API_CREATE_UNDER),
    ("itinerary-detail", "get"): (
        lambda t: f"/api/v1/itineraries/{_itinerary(t).pk}/",
        200,
        200,
    ),
    ("itinerary-detail", "patch"): (api_itinerary_patch, 401, API_EDIT),
    ("batch-list", "get"): ("/api/v1/batches/", 200, 200),
    ("batch-list", "post"): (api_batch_create, 401, API_CREATE_UNDER),
    ("batch-detail", "get"): (lambda t: f"/api/v1/batches/{_batch(t).pk}/", 200, 200),
    ("batch-detail", "patch"): (api_batch_patch, 401, API_EDIT),
    ("batch-close", "post"): (batch_close("/api/v1/batches/{pk}/close/"), 401, API_EDIT),
    ("batch-reopen", "post"): (batch_reopen("/api/v1/batches/{pk}/reopen/"), 401, API_EDIT),
}
