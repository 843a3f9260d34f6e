from django.core.management.base import BaseCommand

from operations.services.reports import risk_recompute_all
from pilkades.planner import refresh_planner_statistics


class Command(BaseCommand):
    help = (
        "Rebuild every village's current risk from its latest verified report (using the score and "
        "level frozen at verification, not today's weights), then every operation's ranking rows."
    )

    def handle(self, *args, **options) -> None:
        count = risk_recompute_all()
        refresh_planner_statistics()
        self.stdout.write(self.style.SUCCESS(f"{count} desa dengan laporan terverifikasi dihitung ulang."))
