"""Random inspections: the reproducible monthly draw, findings, rectification."""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit
from accounts.models import User
from bases import signals
from bases.models import (
    INSPECTION_TRANSITIONS,
    PUBLIC_STATUSES,
    Base,
    Inspection,
    InspectionDraw,
    InspectionStatus,
    QualitySettings,
)

# --- Inspections --------------------------------------------------------------------------------


def draw_sample(seed: int, candidate_ids: Sequence[int], sample_size: int) -> list[int]:
    """Choose ``sample_size`` of the candidates, reproducibly from ``seed``.

    A partial Fisher–Yates shuffle of the sorted ids driven only by ``Random.random()``, whose
    output for an integer seed Python keeps stable across versions (unlike ``random.sample``),
    so anyone can re-run a published draw with the same seed and candidate list.
    """
    rng = random.Random(seed)  # noqa: S311 - an auditable draw, not a secret
    pool = sorted(candidate_ids)
    k = max(0, min(sample_size, len(pool)))
    for i in range(k):
        j = i + int(rng.random() * (len(pool) - i))
        pool[i], pool[j] = pool[j], pool[i]
    return pool[:k]


def inspections_draw(
    *,
    by: User | None = None,
    period: str | None = None,
    seed: int | None = None,
    sample_size: int | None = None,
    today: date | None = None,
) -> InspectionDraw:
    """The monthly random inspection draw: once per month (a second call returns the first draw).

    Candidates are all public bases in id order; the seed is random unless given and is stored
    with the candidates and the result, so the draw can be reproduced and audited.
    """
    today = today or timezone.localdate()
    period = period or f"{today:%Y-%m}"
    existing = InspectionDraw.objects.filter(period=period).first()
    if existing:
        return existing
    settings = QualitySettings.load()
    size = sample_size or settings.inspection_sample_size
    seed = secrets.randbits(48) if seed is None else seed
    candidates = list(
        Base.objects.filter(status__in=PUBLIC_STATUSES).order_by("pk").values_list("pk", flat=True)
    )
    chosen = draw_sample(seed, candidates, size)
    try:
        with transaction.atomic():
            draw = InspectionDraw.objects.create(
                period=period,
                seed=seed,
                sample_size=size,
                candidate_ids=candidates,
                chosen_ids=chosen,
                drawn_by=by,
            )
            inspections = Inspection.objects.bulk_create(
                [Inspection(base_id=base_id, draw=draw) for base_id in chosen]
            )
            audit(draw, "inspections_drawn", by=by, seed=seed, chosen=chosen)
    except IntegrityError:  # another worker drew this month at the same moment
        return InspectionDraw.objects.get(period=period)
    ids = [inspection.pk for inspection in inspections]
    transaction.on_commit(lambda: _announce_drawn(ids))
    return draw


def _announce_drawn(inspection_ids: list[int]) -> None:
    from bases.tasks import notify_inspection

    for inspection in Inspection.objects.filter(pk__in=inspection_ids).select_related("base"):
        signals.inspection_drawn.send(sender=Inspection, inspection=inspection)
        notify_inspection.delay(inspection.pk)


def inspection_notify(*, inspection: Inspection) -> int:
    """E-mail the base operator's users that their base was drawn; returns messages sent."""
    recipients = list(
        User.objects.filter(org=inspection.base.operator_id, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not recipients:
        return 0
    subject = _("Service inspection of %(base)s") % {"base": inspection.base.name}
    body = _(
        "Your base %(base)s has been drawn for a service inspection. Federation staff will "
        "check your service agreement and plan; please have them ready."
    ) % {"base": inspection.base.name}
    return send_mail(subject, body, None, recipients)


@transaction.atomic
def inspection_create(*, base: Base, by: User | None) -> Inspection:
    """A planned (not drawn) inspection."""
    inspection = Inspection.objects.create(base=base)
    audit(inspection, "inspection_created", by=by, org=base.county, base=base.pk)
    return inspection


def _ensure_inspection_move(inspection: Inspection, to: str) -> None:
    if to not in INSPECTION_TRANSITIONS[inspection.status]:
        labels = dict(InspectionStatus.choices)
        raise ValidationError(
            _("An inspection that is “%(from)s” cannot become “%(to)s”.")
            % {"from": labels[inspection.status], "to": labels[to]}
        )


def _locked_inspection(inspection: Inspection) -> Inspection:
    return Inspection.objects.select_for_update().select_related("base").get(pk=inspection.pk)


@transaction.atomic
def inspection_record(
    *,
    inspection: Inspection,
    by: User | None,
    inspected_on: date,
    score: int,
    findings: str,
    needs_rectification: bool,
    rectification_deadline: date | None = None,
) -> Inspection:
    """Staff record what they found; a rectification gets a deadline."""
    inspection = _locked_inspection(inspection)
    to = InspectionStatus.RECTIFYING if needs_rectification else InspectionStatus.PASSED
    _ensure_inspection_move(inspection, to)
    errors = {}
    today = timezone.localdate()
    if inspected_on is None or inspected_on > today:
        errors["inspected_on"] = _("Give the day of the inspection (not in the future).")
    if score is None or not 0 <= score <= 100:
        errors["score"] = _("Score between 0 and 100.")
    if needs_rectification:
        if not findings.strip():
            errors["findings"] = _("Describe what must be rectified.")
        if rectification_deadline is None:
            days = QualitySettings.load().rectification_days
            rectification_deadline = (inspected_on or today) + timedelta(days=days)
        elif inspected_on and rectification_deadline <= inspected_on:
            errors["rectification_deadline"] = _("The deadline must be after the inspection.")
    if errors:
        raise ValidationError(errors)
    inspection.status = to
    inspection.inspected_on = inspected_on
    inspection.inspector = by
    inspection.score = score
    inspection.findings = findings.strip()
    inspection.rectification_deadline = rectification_deadline if needs_rectification else None
    inspection.save()
    audit(inspection, "inspection_recorded", by=by, org=inspection.base.county, status=to)
    return inspection


@transaction.atomic
def inspection_answer(*, inspection: Inspection, by: User | None, answer: str) -> Inspection:
    """The operator says how the findings were rectified."""
    inspection = _locked_inspection(inspection)
    _ensure_inspection_move(inspection, InspectionStatus.ANSWERED)
    if not answer.strip():
        raise ValidationError({"answer": _("Say what was done about the findings.")})
    inspection.status = InspectionStatus.ANSWERED
    inspection.answer = answer.strip()
    inspection.answered_at = timezone.now()
    inspection.answered_by = by
    inspection.save()
    audit(inspection, "inspection_answered", by=by, org=inspection.base.county)
    return inspection


@transaction.atomic
def inspection_conclude(
    *,
    inspection: Inspection,
    by: User | None,
    accept: bool,
    note: str = "",
    new_deadline: date | None = None,
) -> Inspection:
    """Staff accept the rectification (closed) or send it back with a new deadline."""
    inspection = _locked_inspection(inspection)
    to = InspectionStatus.CLOSED if accept else InspectionStatus.RECTIFYING
    _ensure_inspection_move(inspection, to)
    if not accept:
        if not note.strip():
            raise ValidationError({"note": _("Say what is still missing.")})
        if new_deadline is None or new_deadline <= timezone.localdate():
            raise ValidationError({"new_deadline": _("Give a new deadline after today.")})
        inspection.rectification_deadline = new_deadline
        inspection.findings = f"{inspection.findings}\n\n{note.strip()}".strip()
    else:
        inspection.closed_at = timezone.now()
    inspection.status = to
    inspection.save()
    audit(
        inspection,
        "inspection_closed" if accept else "inspection_sent_back",
        by=by,
        org=inspection.base.county,
        reason=note.strip(),
    )
    return inspection
