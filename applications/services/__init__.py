"""Writes of the applications app: plain keyword-only functions, each atomic and audited.

Views and the API find the object through ``applications.permissions`` (which checks scope and
the right to act) and call these; the services enforce the workflow, seats and money, and raise
``ApplicationRefused`` (a ``ValidationError``) with a message for the user when a move is
refused, writing nothing.
"""

from __future__ import annotations

from applications.services.core import (
    ApplicationRefused,
    application_approve,
    application_attendance,
    application_endorse,
    application_reject,
    application_submit,
    application_withdraw,
    ensure_move,
    waitlist_expire,
    waitlist_promote,
    worker_apply,
)
from applications.services.groups import (
    group_endorse,
    group_invite,
    group_join,
    group_respond,
    group_trip_cancel,
    group_trip_create,
    group_trip_entrust,
    group_trip_resize,
    group_trip_update,
    roster_add,
)
from applications.services.lottery import lottery_announce, lottery_draw
from applications.services.reminders import send_reminders
from applications.services.roster import roster_import_run, roster_import_start, roster_template
from applications.services.settlement import (
    review_trip,
    settlement_pay,
    settlement_return,
    settlement_submit,
)

__all__ = [
    "ApplicationRefused",
    "application_approve",
    "application_attendance",
    "application_endorse",
    "application_reject",
    "application_submit",
    "application_withdraw",
    "ensure_move",
    "group_endorse",
    "group_invite",
    "group_join",
    "group_respond",
    "group_trip_cancel",
    "group_trip_create",
    "group_trip_entrust",
    "group_trip_resize",
    "group_trip_update",
    "lottery_announce",
    "lottery_draw",
    "review_trip",
    "roster_add",
    "roster_import_run",
    "roster_import_start",
    "roster_template",
    "send_reminders",
    "settlement_pay",
    "settlement_return",
    "settlement_submit",
    "waitlist_expire",
    "waitlist_promote",
    "worker_apply",
]
