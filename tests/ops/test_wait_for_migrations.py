"""``manage.py wait_for_migrations``: what worker, beat and web run before they start."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError

from portal.management.commands import wait_for_migrations


@pytest.mark.django_db
def test_returns_at_once_on_a_migrated_database(capsys):
    call_command("wait_for_migrations", timeout=0)
    assert capsys.readouterr().out == "Migrations are applied.\n"


def test_waits_while_the_database_is_down_or_behind_then_returns(monkeypatch, capsys):
    answers = iter([OperationalError("connection refused"), ["funds.0005_x"], ["funds.0005_x"], []])

    def unapplied(alias):
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(wait_for_migrations, "unapplied", unapplied)
    call_command("wait_for_migrations", interval=0, timeout=10)
    assert capsys.readouterr().out.splitlines() == [
        "Waiting for migrations: database not reachable (connection refused)",
        "Waiting for migrations: 1 migrations to apply, next funds.0005_x",
        "Migrations are applied.",
    ]


def test_gives_up_after_the_timeout(monkeypatch):
    monkeypatch.setattr(wait_for_migrations, "unapplied", lambda alias: ["funds.0005_x"])
    with pytest.raises(CommandError, match="Gave up after 0.1 s .* next funds.0005_x"):
        call_command("wait_for_migrations", interval=0.02, timeout=0.1)
