"""The floors the benchmark compares with (DESIGN §8): bare Django views, no DRF, no
templates, returning the same rows as the portal's pages with ``.values()``."""

from __future__ import annotations

import json

from django.db import connection, transaction
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from bases.api import CATALOGUE_VALUES
from bases.models import PUBLIC_STATUSES, Batch, Itinerary
from recuperation.urls import urlpatterns as portal_urlpatterns

# The columns the catalogue API shows (bases.api reads them the same way for its unpriced page).
CATALOGUE_FIELDS = CATALOGUE_VALUES


def catalogue_floor(request):
    """The catalogue API's first page (same filter, order and fields), as bare as Django gets."""
    rows = list(
        Itinerary.objects.filter(active=True, base__status__in=PUBLIC_STATUSES)
        .order_by("-base__stars", "union_price_fen", "pk")
        .values(*CATALOGUE_FIELDS)[:20]
    )
    return JsonResponse({"results": rows}, json_dumps_params={"ensure_ascii": False})


def batches_floor(request):
    """``/api/v1/batches/?page=50``'s rows."""
    page = int(request.GET.get("page", "1"))
    rows = list(
        Batch.objects.filter(itinerary__active=True, itinerary__base__status__in=PUBLIC_STATUSES)
        .order_by("start_date", "pk")
        .values("id", "itinerary_id", "start_date", "end_date", "capacity", "seats_held")[
            (page - 1) * 20 : page * 20
        ]
    )
    return JsonResponse({"results": rows}, json_dumps_params={"ensure_ascii": False})


@csrf_exempt
def signup_floor(request):
    """A bare locked insert: lock the batch row, take a seat if one is left, insert a row."""
    body = json.loads(request.body)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT capacity, seats_held FROM bases_batch WHERE id = %s FOR UPDATE", [body["batch"]]
        )
        capacity, held = cursor.fetchone()
        status = "submitted" if held < capacity else "waitlisted"
        if status == "submitted":
            cursor.execute(
                "UPDATE bases_batch SET seats_held = seats_held + 1 WHERE id = %s", [body["batch"]]
            )
        cursor.execute(
            "INSERT INTO accounts_auditevent (created_at, action, target_type, target_id, reason,"
            " data) VALUES (now(), 'bench.signup', 'batch', %s, '', %s)",
            [str(body["batch"]), json.dumps({"worker": body["worker"], "status": status})],
        )
    return HttpResponse(json.dumps({"status": status}), status=201, content_type="application/json")


urlpatterns = [
    path("bench/floor/catalogue/", catalogue_floor),
    path("bench/floor/batches/", batches_floor),
    path("bench/floor/signup/", signup_floor),
    *portal_urlpatterns,
]
