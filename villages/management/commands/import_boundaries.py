from contextlib import ExitStack
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pilkades.import_command import acting_user, command_progress
from villages.boundary_import import LEVEL_CHOICES, BoundaryImportError, boundaries_import


class Command(BaseCommand):
    help = (
        "Impor batas wilayah (SQL wilayah_boundaries atau GeoJSON FeatureCollection): titik tengah dan "
        "poligon desa, kecamatan, kabupaten. Dibaca bertahap (berkas nasional pun tidak dimuat utuh); "
        "satu baris salah membatalkan seluruh impor."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, metavar="FILE", help="berkas .sql atau .geojson")
        parser.add_argument("--prefix", default="", help="hanya kode berawalan ini, mis. 36.04")
        parser.add_argument(
            "--level",
            default="auto",
            choices=LEVEL_CHOICES,
            help="tingkat wilayah berkas (bawaan: dari kodenya)",
        )
        parser.add_argument(
            "--code-property", default="kode", help="GeoJSON: properti fitur yang berisi kode Kemendagri"
        )
        parser.add_argument("--encoding", default="utf-8", help="encoding berkas (bawaan utf-8)")
        parser.add_argument("--dry-run", action="store_true", help="periksa saja, tanpa menyimpan")
        parser.add_argument("--user", help="nama pengguna yang dicatat di riwayat perubahan")

    def handle(self, *args, paths, prefix, level, code_property, encoding, dry_run, user, **options):
        acting = acting_user(user)
        with ExitStack() as stack:
            sources = []
            for path in paths:
                try:
                    sources.append((path.name, stack.enter_context(path.open("rb"))))
                except OSError as exc:
                    raise CommandError(f"Tidak dapat membaca {path}: {exc.strerror}") from exc
            progress = command_progress(self, "Impor batas wilayah")
            try:
                report = boundaries_import(
                    sources=sources,
                    prefix=prefix,
                    level=level,
                    code_property=code_property,
                    encoding=encoding,
                    dry_run=dry_run,
                    user=acting,
                    progress=progress,
                )
            except BoundaryImportError as exc:
                progress.close()
                for message in exc.line_errors:
                    self.stderr.write(message)
                raise CommandError(
                    f"Impor dibatalkan: {len(exc.line_errors)} baris bermasalah; tidak ada data yang diubah."
                ) from exc
        progress.close()
        for line in report.details():
            self.stdout.write(line)
        done = "Pemeriksaan selesai (tidak disimpan)" if dry_run else "Impor batas wilayah selesai"
        self.stdout.write(self.style.SUCCESS(f"{done} — {report.summary()}."))
