"""Runners the job tests queue by dotted path, as the apps queue theirs."""

from django.core.exceptions import ValidationError

from jobs.services import JobOutcome
from villages.models import Kecamatan


def write_and_count(*, job, data, progress):
    """Writes one row, reads the file's lines; refuses a file that says 'rusak' after writing."""
    lines = data.decode().splitlines()
    Kecamatan.objects.create(code="36.04.99", name="Uji", kabupaten_name="KAB. UJI")
    for number, _line in enumerate(lines, start=1):
        progress(rows_read=number, total=len(lines))
    if "rusak" in lines:
        raise ValidationError([f"baris {lines.index('rusak') + 1}: rusak", "baris 9: juga rusak"])
    return JobOutcome(summary=f"{len(lines)} baris", result={"lines": len(lines)})


def crash(*, job, data, progress):
    Kecamatan.objects.create(code="36.04.98", name="Uji", kabupaten_name="KAB. UJI")
    raise RuntimeError("bug")
