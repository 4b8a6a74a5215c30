from __future__ import annotations

from django.core.management.base import BaseCommand

from accounts.demo import seed_people


class Command(BaseCommand):
    help = "Build the demo city (示范市): union tree, people and demo accounts. Idempotent."

    def handle(self, *args, **options) -> None:
        report = seed_people()
        for what, count in sorted(report.created.items()):
            self.stdout.write(f"{what}: {count} created")
        self.stdout.write(self.style.SUCCESS("Demo data ready. Every demo password is demo1234."))
