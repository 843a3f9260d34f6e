from pathlib import Path

from django.core.management.base import BaseCommand

from pilkades.import_command import acting_user, run_import
from pilkades.planner import refresh_planner_statistics
from villages.services import RegionImportError, regions_import


class Command(BaseCommand):
    help = (
        "Impor kode wilayah Kemendagri (CSV/TSV 'kode,nama' atau SQL INSERT): kecamatan dan desa. "
        "Semua baris atau tidak sama sekali."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="berkas .csv, .tsv atau .sql")
        parser.add_argument("--prefix", default="", help="hanya kode berawalan ini, mis. 36 atau 36.04")
        parser.add_argument("--encoding", default="utf-8", help="encoding berkas (bawaan utf-8)")
        parser.add_argument("--user", help="nama pengguna yang dicatat di riwayat perubahan")

    def handle(self, *args, path: Path, prefix: str, encoding: str, user: str | None, **options):
        acting = acting_user(user)
        report = run_import(
            self,
            path,
            lambda data, progress: regions_import(
                data=data,
                prefix=prefix,
                encoding=encoding,
                user=acting,
                source_name=path.name,
                progress=progress,
            ),
            RegionImportError,
            "Impor wilayah",
        )
        refresh_planner_statistics()
        self.stdout.write(self.style.SUCCESS(f"Impor selesai — {report.summary()}."))
