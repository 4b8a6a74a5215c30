from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from bases.models import InspectionDraw
from bases.services import draw_sample, inspections_draw


class Command(BaseCommand):
    help = (
        "Draw this month's random inspections (the same service as the monthly job), "
        "or --verify a recorded draw by re-running it from its seed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--period", help="month as YYYY-MM (default: this month)")
        parser.add_argument("--seed", type=int, help="use this seed instead of a random one")
        parser.add_argument("--verify", metavar="YYYY-MM", help="re-run a recorded draw")

    def handle(self, *args, verify=None, period=None, seed=None, **options) -> None:
        if verify:
            draw = InspectionDraw.objects.filter(period=verify).first()
            if draw is None:
                raise CommandError(f"no draw for {verify}")
            again = draw_sample(draw.seed, draw.candidate_ids, draw.sample_size)
            if again != draw.chosen_ids:
                raise CommandError(
                    f"draw {verify} does NOT reproduce: {again} != {draw.chosen_ids}"
                )
            self.stdout.write(self.style.SUCCESS(f"draw {verify} reproduces: {again}"))
            return
        draw = inspections_draw(period=period, seed=seed)
        self.stdout.write(f"{draw.period}: seed {draw.seed}, chosen bases {draw.chosen_ids}")
