"""Writes of the bases app: plain keyword-only functions, each atomic and audited.

Views and the API check permissions (``bases.permissions``) before calling these; the services
enforce the workflow and data rules and raise ``ValidationError`` (with field keys where a field
is to blame) when a move or a value is refused, writing nothing.

A package by topic; every name is re-exported here, so callers use ``bases.services.<name>``.
"""

from __future__ import annotations

from bases.services.catalogue import (
    BATCH_FIELDS,
    ITINERARY_FIELDS,
    PROFILE_FIELDS_OPERATOR,
    PROFILE_FIELDS_STAFF,
    base_apply,
    base_photo_add,
    base_photo_delete,
    base_update,
    batch_close,
    batch_create,
    batch_release_seats,
    batch_reopen,
    batch_take_seats,
    batch_update,
    itinerary_create,
    itinerary_update,
    lock_batch,
)
from bases.services.inspections import (
    draw_sample,
    inspection_answer,
    inspection_conclude,
    inspection_create,
    inspection_notify,
    inspection_record,
    inspections_draw,
)
from bases.services.lifecycle import base_transition, ensure_base_transition
from bases.services.quality import (
    REVIEW_TAKEN,
    WatchListResult,
    compute_service_scores,
    quality_settings_update,
    review_create,
    service_scores_refresh,
    star_rating_record,
    watch_list_update,
)

__all__ = [
    "BATCH_FIELDS",
    "ITINERARY_FIELDS",
    "PROFILE_FIELDS_OPERATOR",
    "PROFILE_FIELDS_STAFF",
    "REVIEW_TAKEN",
    "WatchListResult",
    "base_apply",
    "base_photo_add",
    "base_photo_delete",
    "base_transition",
    "base_update",
    "batch_close",
    "batch_create",
    "batch_release_seats",
    "batch_reopen",
    "batch_take_seats",
    "batch_update",
    "compute_service_scores",
    "draw_sample",
    "ensure_base_transition",
    "inspection_answer",
    "inspection_conclude",
    "inspection_create",
    "inspection_notify",
    "inspection_record",
    "inspections_draw",
    "itinerary_create",
    "itinerary_update",
    "lock_batch",
    "quality_settings_update",
    "review_create",
    "service_scores_refresh",
    "star_rating_record",
    "watch_list_update",
]
