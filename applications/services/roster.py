"""Roster import from ``.xlsx``: a template, a row-by-row report, all rows or none.

Two phases. Checking reads the file row by row, committing its progress as it goes so a page
can show it; it writes nothing else. Applying puts every member on the roster in one
transaction, so a row that fails at that moment (the last seat taken meanwhile) undoes them all.
"""

from __future__ import annotations

from io import BytesIO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit
from accounts.models import Organization, User, Worker
from applications import selectors
from applications.models import SEAT_HOLDING, Application, GroupTrip, RosterImport
from applications.selectors import joined_union_ids
from applications.services.core import ApplicationRefused
from applications.services.groups import roster_add
from applications.uploads import ROSTER_MAX_ROWS, check_roster_file

COLUMNS = ("real_name", "id_number", "phone")
PROGRESS_EVERY = 25


def _headers() -> list[str]:
    return [_("Name"), _("ID card number"), _("Mobile phone (optional)")]


def roster_template() -> bytes:
    """The workbook organizers fill in: one member per row, identified by ID card number."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Roster")
    sheet.append(_headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 24
    sheet.column_dimensions["C"].width = 18
    # ID card and phone numbers are text: typed in, they keep their digits (and a final X).
    sheet.column_dimensions["B"].number_format = "@"
    sheet.column_dimensions["C"].number_format = "@"
    sheet.freeze_panes = "A2"
    notes = book.create_sheet(_("How to fill in"))
    for line in (
        _("One member of your union per row, from row 2 on."),
        _("Name and ID card number must match the member records of your union."),
        _("The ID card number is 18 characters; format the column as text."),
        _("Rows that are completely empty are skipped."),
        _("If any row has a problem, nothing is imported: fix the rows listed and upload again."),
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 90
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def roster_import_start(
    *, group_trip: GroupTrip, union: Organization, upload, by: User | None
) -> RosterImport:
    """Store the upload (after checking it is an .xlsx of sane size) and queue the check."""
    try:
        check_roster_file(upload)
    except ValidationError as error:
        raise ApplicationRefused(error.messages) from None
    if union.pk not in joined_union_ids(group_trip):
        raise ApplicationRefused(_("Your union does not take part in this group trip."))
    with transaction.atomic():
        job = RosterImport.objects.create(
            group_trip=group_trip,
            union=union,
            file=upload,
            filename=getattr(upload, "name", "roster.xlsx")[:200],
            created_by=by,
        )
        audit(job, "roster_import.start", by=by, org=union, group_trip=group_trip.pk)

        from applications.tasks import run_roster_import

        transaction.on_commit(lambda: run_roster_import.delay(job.pk))
    return job


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read_rows(job: RosterImport) -> list[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook

    try:
        with job.file.open("rb") as handle:
            book = load_workbook(BytesIO(handle.read()), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged workbook
        raise ValidationError(_("The file could not be read as an Excel workbook.")) from None
    sheet = book.worksheets[0]
    rows = []
    for number, values in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        cells = [_cell(v) for v in (values or ())][: len(COLUMNS)]
        cells += [""] * (len(COLUMNS) - len(cells))
        if not any(cells):
            continue
        rows.append((number, dict(zip(COLUMNS, cells, strict=True))))
        if len(rows) > ROSTER_MAX_ROWS:
            raise ValidationError(
                _("The file has more than %(max)s rows.") % {"max": ROSTER_MAX_ROWS}
            )
    book.close()
    return rows


def _save_progress(job: RosterImport, **fields) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    RosterImport.objects.filter(pk=job.pk).update(**fields)


def _check_rows(job: RosterImport, rows) -> tuple[list[dict], list[Worker]]:
    group = job.group_trip
    union = job.union
    errors: list[dict] = []
    ids = [row["id_number"].upper() for _n, row in rows if row["id_number"]]
    workers = {
        w.id_number: w
        for w in Worker.objects.filter(id_number__in=ids).select_related("union", "user")
    }
    on_roster = set(
        Application.objects.filter(group_trip=group, status__in=SEAT_HOLDING).values_list(
            "worker_id", flat=True
        )
    )
    seen: dict[str, int] = {}
    chosen: list[Worker] = []
    batch = selectors.batch_for_signup(group.batch_id)
    for done, (number, row) in enumerate(rows, start=1):
        problem = ""
        id_number = row["id_number"].upper()
        worker = workers.get(id_number)
        if not row["real_name"] or not id_number:
            problem = _("Name and ID card number are both required.")
        elif id_number in seen:
            problem = _("The same member is already on row %(row)s.") % {"row": seen[id_number]}
        elif worker is None:
            problem = _("No member with this ID card number is registered.")
        elif worker.union_id != union.pk:
            problem = _("%(name)s is not a member of %(union)s.") % {
                "name": row["real_name"],
                "union": union.name,
            }
        elif worker.real_name != row["real_name"]:
            problem = _("The name does not match the member record of this ID card number.")
        elif worker.pk in on_roster:
            problem = _("%(name)s is already on the roster.") % {"name": worker.real_name}
        else:
            found = selectors.Eligibility(worker).refusals(batch, in_group=True)
            if found:
                problem = " ".join(r.message for r in found)
        if id_number:
            seen.setdefault(id_number, number)
        if problem:
            errors.append({"row": number, "message": problem})
        else:
            chosen.append(worker)
        if done % PROGRESS_EVERY == 0:
            _save_progress(job, done_rows=done)
    free = group.seats - len(on_roster)
    if not errors and len(chosen) > free:
        errors.append(
            {
                "row": 0,
                "message": _(
                    "The file lists %(n)s members but only %(free)s places are left "
                    "in the group's block."
                )
                % {"n": len(chosen), "free": free},
            }
        )
    return errors, chosen


def roster_import_run(*, import_id: int) -> RosterImport:
    """Check the file, then apply it all or not at all. Safe to run twice: a finished import
    is left as it is."""
    job = RosterImport.objects.select_related("group_trip", "union", "created_by").get(pk=import_id)
    claimed = RosterImport.objects.filter(pk=job.pk, state__in=[RosterImport.State.PENDING]).update(
        state=RosterImport.State.RUNNING
    )
    if not claimed:
        return job
    try:
        rows = _read_rows(job)
    except ValidationError as error:
        _save_progress(
            job,
            state=RosterImport.State.FAILED,
            errors=[{"row": 0, "message": " ".join(error.messages)}],
            finished_at=timezone.now(),
        )
        return job
    _save_progress(job, total_rows=len(rows))
    if not rows:
        _save_progress(
            job,
            state=RosterImport.State.FAILED,
            errors=[{"row": 0, "message": _("The file has no member rows.")}],
            finished_at=timezone.now(),
        )
        return job
    errors, chosen = _check_rows(job, rows)
    if not errors:
        errors = _apply(job, chosen)
    _save_progress(
        job,
        done_rows=len(rows),
        errors=errors,
        added=0 if errors else len(chosen),
        state=RosterImport.State.FAILED if errors else RosterImport.State.DONE,
        finished_at=timezone.now(),
    )
    return job


class _Undo(Exception):
    pass


def _apply(job: RosterImport, workers: list[Worker]) -> list[dict]:
    """Every member on the roster in one transaction; on any refusal, none of them."""
    failure: list[dict] = []
    try:
        with transaction.atomic():
            for worker in workers:
                try:
                    roster_add(
                        group_trip=job.group_trip,
                        worker=worker,
                        union=job.union,
                        by=job.created_by,
                    )
                except ApplicationRefused as error:
                    failure.append(
                        {
                            "row": 0,
                            "message": f"{worker.real_name}: {' '.join(error.messages)}",
                        }
                    )
                    raise _Undo from None
            audit(job, "roster_import.apply", by=job.created_by, org=job.union, added=len(workers))
    except _Undo:
        return failure
    return []
