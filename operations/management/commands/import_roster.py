from pathlib import Path

from django.core.management.base import BaseCommand

from operations.roster import ROSTER_FORMATS, RosterImportError, roster_import
from pilkades.import_command import acting_user, run_import


class Command(BaseCommand):
    help = (
        "Impor daftar personel (CSV/XLSX: NRP, Nama, Pangkat, Jabatan, Satuan; pilihan: Kode Desa Asal, "
        "Telepon, Aktif). "
        "Semua baris atau tidak sama sekali."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--format", choices=ROSTER_FORMATS, help="bawaan: dari akhiran berkas")
        parser.add_argument("--dry-run", action="store_true", help="pratinjau tanpa menyimpan")
        parser.add_argument("--user", help="nama pengguna yang dicatat di riwayat perubahan")

    def handle(self, *args, path: Path, format: str | None, dry_run: bool, user: str | None, **options):
        file_format = format or path.suffix.lstrip(".").lower()
        acting = acting_user(user)
        report = run_import(
            self,
            path,
            lambda data, progress: roster_import(
                data=data,
                file_format=file_format,
                dry_run=dry_run,
                user=acting,
                source_name=path.name,
                progress=progress,
            ),
            RosterImportError,
            "Impor personel",
        )
        self.stdout.write(self.style.SUCCESS(report.summary()))
