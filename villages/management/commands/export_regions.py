from pathlib import Path

from django.core.management.base import BaseCommand

from villages.services import regions_export


class Command(BaseCommand):
    help = "Ekspor kecamatan dan desa sebagai daftar kode Kemendagri (kode,nama) ke CSV atau XLSX."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="berkas tujuan .csv atau .xlsx")
        parser.add_argument("--prefix", default="", help="hanya kode berawalan ini")

    def handle(self, *args, path: Path, prefix: str, **options):
        file_format = "xlsx" if path.suffix.lower() == ".xlsx" else "csv"
        path.write_bytes(regions_export(prefix=prefix, file_format=file_format))
        self.stdout.write(self.style.SUCCESS(f"Ditulis: {path}"))
