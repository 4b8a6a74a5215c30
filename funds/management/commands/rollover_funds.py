from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from funds import services
from recuperation.money import format_yuan


class Command(BaseCommand):
    help = "Close fiscal year Y: carry every unspent available balance into Y+1 (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, required=True, help="the fiscal year to close")

    def handle(self, *args, year: int, **options) -> None:
        try:
            moved = services.rollover(year=year)
        except services.FundsError as error:
            raise CommandError(" ".join(error.messages)) from None
        total = 0
        for line in moved:
            if line.amount:
                self.stdout.write(
                    f"{line.org_code}\t{line.source}\t{format_yuan(line.amount)} → {year + 1}"
                )
                total += line.amount
        self.stdout.write(
            self.style.SUCCESS(
                f"Fiscal year {year} closed: {len(moved)} accounts closed now, "
                f"{format_yuan(total)} carried into {year + 1}."
            )
        )
