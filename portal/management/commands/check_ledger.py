from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from portal.checks import data_problems


class Command(BaseCommand):
    help = (
        "Check every ledger, money and seat invariant from the raw rows (balanced and "
        "whitelisted movements, balances and utilization figures equal to the entries, closed "
        "years rolled over once, the ledger's money equal to the applications', seats equal to "
        "the applications). Exits non-zero when one is broken."
    )

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        problems = data_problems()
        if problems:
            raise CommandError("\n".join(problems))
        self.stdout.write(
            self.style.SUCCESS(
                f"Every ledger, money and seat check passes ({time.monotonic() - started:.1f} s)."
            )
        )
