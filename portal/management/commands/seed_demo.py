from __future__ import annotations

from django.core.management.base import BaseCommand

from accounts.demo import seed_people
from applications import demo as applications_demo
from bases import demo as bases_demo
from funds import demo as funds_demo
from portal import demo as portal_demo
from publicity import demo as publicity_demo


class Command(BaseCommand):
    help = (
        "Build the demo city (示范市): union tree, people, bases, money and demo accounts, told "
        "relative to the day of the first run. Idempotent: a later run changes nothing."
    )

    def handle(self, *args, **options) -> None:
        # Order matters: people, then bases and batches, then the money story (its trips are
        # applications: funds knows no workflow, so it is handed the applications' way to
        # spend), then the sign-up season of the demo's today on top, and what the federations
        # publish (its featured routes link the bases' itineraries).
        report = seed_people()
        bases_demo.seed(report)
        funds_demo.seed(report, spend=applications_demo.Spending(report))
        applications_demo.seed(report)
        portal_demo.seed(report)  # where the federations and bases are (the comparison)
        publicity_demo.seed(report)
        for what, count in sorted(report.created.items()):
            self.stdout.write(f"{what}: {count} created")
        self.stdout.write(f"The demo is told as of {report.today:%Y-%m-%d} (its first run).")
        self.stdout.write(self.style.SUCCESS("Demo data ready. Every demo password is demo1234."))
