from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from villages.models import Kecamatan
from villages.services import regions_export


class Command(BaseCommand):
    help = "Ekspor kecamatan dan desa sebagai daftar kode Kemendagri (kode,nama) ke CSV atau XLSX."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="berkas tujuan .csv atau .xlsx")
        parser.add_argument("--prefix", default="", help="hanya kode berawalan ini")
        parser.add_argument("--force", action="store_true", help="timpa berkas tujuan yang sudah ada")

    def handle(self, *args, path: Path, prefix: str, force: bool, **options):
        # The destination is often next to the list it was imported from: never replace it silently.
        if path.exists() and not force:
            raise CommandError(f"Berkas {path} sudah ada; tambahkan --force untuk menimpanya.")
        # The export lists desa under their kecamatan: no kecamatan, nothing to write.
        if not Kecamatan.objects.filter(code__startswith=prefix).exists():
            where = f" dengan awalan {prefix}" if prefix else ""
            raise CommandError(f"Tidak ada kecamatan{where} di basis data; tidak ada berkas yang ditulis.")
        file_format = "xlsx" if path.suffix.lower() == ".xlsx" else "csv"
        data = regions_export(prefix=prefix, file_format=file_format)
        try:
            # "x": a file that appeared meanwhile is still not overwritten.
            with path.open("wb" if force else "xb") as out:
                out.write(data)
        except FileExistsError as exc:
            raise CommandError(f"Berkas {path} sudah ada; tambahkan --force untuk menimpanya.") from exc
        except OSError as exc:
            raise CommandError(f"Tidak dapat menulis {path}: {exc.strerror}") from exc
        self.stdout.write(self.style.SUCCESS(f"Ditulis: {path}"))
