from __future__ import annotations

from django.core.management.base import BaseCommand

from bases.services import watch_list_update


class Command(BaseCommand):
    help = "Refresh service scores and the watch list (the same service as the daily job)."

    def handle(self, *args, **options) -> None:
        result = watch_list_update()
        self.stdout.write(
            f"scored: {result.scored}, put on watch: {result.put_on_watch}, "
            f"suspension proposed: {result.suspension_proposed}"
        )
