"""Demo data of this app for ``manage.py seed_demo`` (idempotent)."""

from __future__ import annotations

from accounts.demo import SeedReport


def seed(report: SeedReport) -> SeedReport:
    return report
