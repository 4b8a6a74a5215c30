"""Roster import from .xlsx: a good file adds everyone; a bad row or a bad file adds nobody and
says why, row by row; progress is visible; running an import twice does nothing more."""

from __future__ import annotations

import itertools
import zipfile
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from applications import selectors, services
from applications.models import Application, RosterImport, Status
from applications.services import roster as roster_module
from applications.uploads import ROSTER_MAX_BYTES
from tests.applications.conftest import pdf_upload, xlsx_upload
from tests.factories import valid_id_number

pytestmark = pytest.mark.django_db

_seq = itertools.count(100)


@pytest.fixture
def member(make_worker):
    """A union member with a (valid, unique) ID card number."""

    def make(union=None, **kwargs):
        worker = make_worker(union=union, **kwargs)
        worker.id_number = valid_id_number(worker.birth_date, next(_seq))
        worker.save(update_fields=["id_number"])
        return worker

    return make


@pytest.fixture
def group(trip, tree):
    return services.group_trip_create(
        batch=trip.batch, organizer=tree.union_a1, seats=5, by=tree.user("organizer_a1")
    )


def row(worker, name=None) -> list:
    return [name or worker.real_name, worker.id_number, "13800000000"]


def start(group, union, upload, tree):
    return services.roster_import_start(
        group_trip=group, union=union, upload=upload, by=tree.user("organizer_a1")
    )


def run(job) -> RosterImport:
    services.roster_import_run(import_id=job.pk)
    job.refresh_from_db()
    return job


def roster(group) -> set[int]:
    return set(group.members.filter(status__in=["submitted"]).values_list("worker_id", flat=True))


def test_a_good_file_adds_everyone(group, tree, member, trip):
    workers = [member() for _ in range(3)]
    job = run(start(group, tree.union_a1, xlsx_upload([row(w) for w in workers]), tree))
    assert job.state == RosterImport.State.DONE
    assert (job.total_rows, job.done_rows, job.added, job.errors) == (3, 3, 3, [])
    assert job.progress_percent == 100 and job.finished_at is not None
    assert roster(group) == {w.pk for w in workers}
    for app in group.members.all():
        assert app.status == Status.SUBMITTED and app.union == tree.union_a1
        assert app.created_by == tree.user("organizer_a1")
    trip.batch.refresh_from_db()
    assert trip.batch.seats_held == 5 == selectors.seats_accounted(trip.batch)  # the block


def test_the_import_runs_as_a_task_after_commit(
    group, tree, member, django_capture_on_commit_callbacks
):
    worker = member()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = start(group, tree.union_a1, xlsx_upload([row(worker)]), tree)
        assert job.state == RosterImport.State.PENDING
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.state == RosterImport.State.DONE and roster(group) == {worker.pk}


def test_the_downloadable_template_filled_in_imports(group, tree, member):
    book = load_workbook(BytesIO(services.roster_template()))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == ["Name", "ID card number", "Mobile phone (optional)"]
    workers = [member(), member()]
    for worker in workers:
        sheet.append([worker.real_name, worker.id_number.lower(), None])
    sheet.append([None, None, None])  # an empty row is skipped
    out = BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("名单.xlsx", out.getvalue())
    job = run(start(group, tree.union_a1, upload, tree))
    assert job.state == RosterImport.State.DONE and job.added == 2
    assert job.filename == "名单.xlsx"


def test_bad_rows_add_nobody_and_each_row_says_why(group, tree, member, trip, make_worker):
    good = member()
    on_roster = member()
    services.roster_add(group_trip=group, worker=on_roster, union=tree.union_a1, by=None)
    other_union = member(union=tree.union_b1)
    lapsed = member(in_good_standing=False)
    duplicate = member()
    rows = [
        row(good),  # row 2
        ["无此人", valid_id_number(good.birth_date, 999), ""],  # 3: unknown ID
        row(other_union),  # 4
        row(good, name="别的名字"),  # 5: name does not match (and repeats row 2's ID)
        row(duplicate),  # 6
        row(duplicate),  # 7: the same member again
        row(on_roster),  # 8
        row(lapsed),  # 9: ineligible
        ["", duplicate.id_number, ""],  # 10: no name
    ]
    before = Application.objects.count()
    job = run(start(group, tree.union_a1, xlsx_upload(rows), tree))
    assert job.state == RosterImport.State.FAILED and job.added == 0
    assert Application.objects.count() == before
    assert roster(group) == {on_roster.pk}
    errors = {e["row"]: e["message"] for e in job.errors}
    assert set(errors) == {3, 4, 5, 7, 8, 9, 10}
    assert errors[3] == "No member with this ID card number is registered."
    assert errors[4] == f"{other_union.real_name} is not a member of {tree.union_a1.name}."
    assert errors[5] == "The same member is already on row 2."
    assert errors[7] == "The same member is already on row 6."
    assert errors[8] == f"{on_roster.real_name} is already on the roster."
    assert "good standing" in errors[9]
    assert errors[10] == "Name and ID card number are both required."
    assert (job.total_rows, job.done_rows) == (9, 9)


def test_a_name_that_does_not_match_its_id_number(group, tree, member):
    worker = member()
    job = run(start(group, tree.union_a1, xlsx_upload([row(worker, name="张冠李戴")]), tree))
    assert job.errors == [
        {"row": 2, "message": "The name does not match the member record of this ID card number."}
    ]


def test_a_block_too_small_for_the_file_adds_nobody(group, tree, member):
    workers = [member() for _ in range(6)]
    job = run(start(group, tree.union_a1, xlsx_upload([row(w) for w in workers]), tree))
    assert job.state == RosterImport.State.FAILED and job.added == 0
    assert job.errors == [
        {
            "row": 0,
            "message": "The file lists 6 members but only 5 places are left in the group's block.",
        }
    ]
    assert roster(group) == set()


def test_a_refusal_while_applying_undoes_the_rows_already_added(group, tree, member, monkeypatch):
    """A seat taken between the check and the apply: the last member is refused, all go."""
    workers = [member() for _ in range(3)]
    real = roster_module.roster_add
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs["worker"])
        if len(calls) == 3:
            raise services.ApplicationRefused("The group's block of 5 seats is full.")
        return real(**kwargs)

    monkeypatch.setattr(roster_module, "roster_add", flaky)
    job = run(start(group, tree.union_a1, xlsx_upload([row(w) for w in workers]), tree))
    assert job.state == RosterImport.State.FAILED and job.added == 0
    assert job.errors[0]["message"].startswith(workers[2].real_name)
    assert roster(group) == set()


def test_running_an_import_twice_does_nothing_more(group, tree, member):
    workers = [member() for _ in range(2)]
    job = run(start(group, tree.union_a1, xlsx_upload([row(w) for w in workers]), tree))
    count = Application.objects.count()
    again = run(job)
    assert again.state == RosterImport.State.DONE and again.added == 2
    assert Application.objects.count() == count
    failed = run(start(group, tree.union_a1, xlsx_upload([["x", "y", ""]]), tree))
    assert run(failed).errors == failed.errors


def test_progress_is_committed_as_rows_are_checked(group, tree, member, monkeypatch):
    monkeypatch.setattr(roster_module, "PROGRESS_EVERY", 2)
    seen = []
    real = roster_module._save_progress

    def spy(job, **fields):
        real(job, **fields)
        seen.append(
            RosterImport.objects.values_list("state", "total_rows", "done_rows").get(pk=job.pk)
        )

    monkeypatch.setattr(roster_module, "_save_progress", spy)
    workers = [member() for _ in range(5)]
    job = start(group, tree.union_a1, xlsx_upload([row(w) for w in workers]), tree)
    assert job.progress_percent == 0
    run(job)
    assert seen[0] == ("running", 5, 0)
    assert ("running", 5, 2) in seen and ("running", 5, 4) in seen
    assert seen[-1] == ("done", 5, 5)
    assert job.progress_percent == 100


class TestBadFiles:
    """A file that is not a sane .xlsx is refused before anything is stored or imported."""

    def refused(self, group, tree, upload, match):
        with pytest.raises(services.ApplicationRefused, match=match):
            start(group, tree.union_a1, upload, tree)
        assert not RosterImport.objects.exists()

    def test_a_text_file_renamed_xlsx(self, group, tree):
        upload = SimpleUploadedFile("roster.xlsx", "姓名,身份证号\n张三,1\n".encode())
        self.refused(group, tree, upload, "not an Excel .xlsx file")

    def test_a_pdf(self, group, tree):
        self.refused(group, tree, pdf_upload("roster.xlsx"), "not an Excel .xlsx file")

    def test_an_empty_file(self, group, tree):
        self.refused(group, tree, SimpleUploadedFile("roster.xlsx", b""), "not an Excel")

    def test_a_zip_that_is_not_a_workbook(self, group, tree):
        out = BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<document/>")
        self.refused(group, tree, SimpleUploadedFile("roster.xlsx", out.getvalue()), "not an Excel")

    def test_a_file_too_large(self, group, tree):
        upload = xlsx_upload([])
        upload.size = ROSTER_MAX_BYTES + 1
        self.refused(group, tree, upload, "larger than the limit of 2.0")

    def test_no_file(self, group, tree):
        self.refused(group, tree, None, "Choose an .xlsx file")

    def test_a_union_not_in_the_group(self, group, tree, member):
        worker = member(union=tree.union_b1)
        with pytest.raises(services.ApplicationRefused, match="does not take part"):
            start(group, tree.union_b1, xlsx_upload([row(worker)]), tree)
        assert not RosterImport.objects.exists()

    def test_a_damaged_workbook_fails_at_reading(self, group, tree):
        out = BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("xl/workbook.xml", "not xml at all")
        job = run(start(group, tree.union_a1, SimpleUploadedFile("r.xlsx", out.getvalue()), tree))
        assert job.state == RosterImport.State.FAILED
        assert job.errors == [
            {"row": 0, "message": "The file could not be read as an Excel workbook."}
        ]

    def test_only_the_header(self, group, tree):
        job = run(start(group, tree.union_a1, xlsx_upload([]), tree))
        assert job.state == RosterImport.State.FAILED
        assert job.errors == [{"row": 0, "message": "The file has no member rows."}]
        assert job.progress_percent == 100

    def test_more_rows_than_allowed(self, group, tree, member, monkeypatch):
        monkeypatch.setattr(roster_module, "ROSTER_MAX_ROWS", 3)
        workers = [member() for _ in range(4)]
        job = run(start(group, tree.union_a1, xlsx_upload([row(w) for w in workers]), tree))
        assert job.state == RosterImport.State.FAILED and job.added == 0
        assert job.errors == [{"row": 0, "message": "The file has more than 3 rows."}]
        assert roster(group) == set()
