"""Store the hourly Lapsit of every running operation (for cron or a systemd timer; safe to repeat)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from election_day.services.lapsit import lapsit_snapshot_take
from operations.models import Operation


class Command(BaseCommand):
    help = "Simpan Lapsit per jam untuk setiap operasi yang berjalan (aman dijalankan berulang)."

    def add_arguments(self, parser):
        parser.add_argument("--operation", type=int, help="Hanya operasi dengan id ini.")

    def handle(self, *args, operation=None, **options):
        operations = Operation.objects.filter(status=Operation.Status.ACTIVE).order_by("pk")
        if operation is not None:
            operations = operations.filter(pk=operation)
        for op in operations:
            snapshot, created = lapsit_snapshot_take(operation=op)
            verb = "disimpan" if created else "sudah ada"
            taken = timezone.localtime(snapshot.taken_at)
            self.stdout.write(f"{op.name}: Lapsit {taken:%Y-%m-%d %H:%M} {taken.tzname()} {verb}")
