from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.roster import ROSTER_FORMATS, RosterImportError, roster_import


class Command(BaseCommand):
    help = (
        "Impor daftar personel (CSV/XLSX: NRP, Nama, Pangkat, Jabatan, Satuan). "
        "Semua baris atau tidak sama sekali."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--format", choices=ROSTER_FORMATS, help="bawaan: dari akhiran berkas")
        parser.add_argument("--dry-run", action="store_true", help="pratinjau tanpa menyimpan")

    def handle(self, *args, path: Path, format: str | None, dry_run: bool, **options):
        file_format = format or path.suffix.lstrip(".").lower()
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Tidak dapat membaca {path}: {exc.strerror}") from exc
        try:
            report = roster_import(data=data, file_format=file_format, dry_run=dry_run)
        except RosterImportError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(
                f"Impor dibatalkan: {len(exc.line_errors)} baris bermasalah; tidak ada data yang diubah."
            ) from exc
        self.stdout.write(self.style.SUCCESS(report.summary()))
