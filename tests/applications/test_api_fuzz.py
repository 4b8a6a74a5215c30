"""No input gives a 5xx: every write of the applications API, read from the OpenAPI schema, gets
junk in each of its fields (and as a whole body) from a role allowed to reach the service."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications import services
from tests.applications.api_support import (
    PDF,
    apply,
    client_for,
    private_media,  # noqa: F401 (a fixture)
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]

JUNK = [None, "", " ", "abc", -1, 0, 1.5, 10**30, True, [], [1, "x"], {"a": 1}, "\x00", "9" * 40]
PREFIXES = (
    "/api/v1/applications",
    "/api/v1/group-trips",
    "/api/v1/settlements",
    "/api/v1/batches/{id}/lottery",
    "/api/v1/lotteries",
    "/api/v1/notifications",
    "/api/v1/roster-imports",
)


def _role(path: str) -> str:
    if path == "/api/v1/applications/" or path.endswith("/review/"):
        return "worker_a1"
    if path.startswith("/api/v1/group-trips") or path == "/api/v1/settlements/":
        return "organizer_a1"
    return "admin"


def _bodies(operation: dict, components: dict) -> list[tuple[object, str]]:
    content = operation.get("requestBody", {}).get("content", {})
    fmt = "multipart" if "multipart/form-data" in content and len(content) == 1 else "json"
    ref = next(iter(content.values()), {}).get("schema", {}).get("$ref", "")
    props = components.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}) if ref else {}
    bodies: list[tuple[object, str]] = [({}, "json"), ([], "json"), ("junk", "json")]
    for name in props:
        for value in JUNK:
            if fmt == "multipart":
                if value is None or isinstance(value, dict | list) or value == "\x00":
                    continue
                bodies.append(({name: str(value)}, fmt))
            else:
                bodies.append(({name: value}, fmt))
    if fmt == "multipart":
        bad = SimpleUploadedFile("x.pdf", b"not a pdf")
        bodies.append(
            ({"invoice": bad, "file": bad, "invoice_amount": "1", "applications": "1"}, fmt)
        )
    return bodies


def test_junk_never_gives_a_5xx(tree, trip, client):
    worker = tree.user("worker_a1").worker
    app = apply(worker, trip.batch)
    group = services.group_trip_create(
        batch=trip.batch, organizer=tree.union_a1, seats=5, by=None, title="团", joint=True
    )
    settlement_app = apply(tree.user("worker_b1").worker, trip.batch)
    from applications.models import Application, Settlement

    claim = Settlement.objects.create(
        union=tree.union_b1, invoice=SimpleUploadedFile("i.pdf", PDF), invoice_amount_fen=100
    )
    Application.objects.filter(pk=settlement_app.pk).update(settlement=claim)
    lottery = services.lottery_announce(batch=trip.batch, by=None)
    ids = {
        "/api/v1/applications/": app.pk,
        "/api/v1/group-trips/": group.pk,
        "/api/v1/settlements/": claim.pk,
        "/api/v1/batches/": trip.batch.pk,
        "/api/v1/lotteries/": lottery.pk,
        "/api/v1/notifications/": 1,
        "/api/v1/roster-imports/": 1,
    }
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    tried = 0
    for template, operations in schema["paths"].items():
        if not template.startswith(PREFIXES):
            continue
        prefix = next(p for p in ids if template.startswith(p))
        path = template.replace("{id}", str(ids[prefix]))
        for method, operation in operations.items():
            if method not in ("post", "patch"):
                continue
            api = client_for(tree, _role(template))
            for body, fmt in _bodies(operation, components):
                response = getattr(api, method)(path, body, format=fmt)
                tried += 1
                assert response.status_code < 500, (method, path, body, response.content[:300])
    assert tried > 300
