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


def wait_for_heartbeat(*, job, data, progress):
    """Waits, inside the job's transaction, for a beat written on another connection."""
    import threading
    import time

    from django.db import connection

    from jobs.models import Job

    first = job.heartbeat_at
    seen = []

    def look():
        try:
            seen.append(Job.objects.values_list("heartbeat_at", flat=True).get(pk=job.pk))
        finally:
            connection.close()

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        reader = threading.Thread(target=look)
        reader.start()
        reader.join()
        if seen and seen[-1] is not None and (first is None or seen[-1] > first):
            return JobOutcome(summary="detak terlihat")
        time.sleep(0.1)
    raise RuntimeError(f"no heartbeat seen: {first} {seen[-3:]}")


def marked_stale_meanwhile(*, job, data, progress):
    """Another connection marks the job stale while it runs (as a reader would after a long stall)."""
    import threading
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from jobs.models import Job
    from jobs.services import jobs_mark_stale

    def reader():
        try:
            Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(days=1))
            jobs_mark_stale()
        finally:
            connection.close()

    thread = threading.Thread(target=reader)
    thread.start()
    thread.join()
    Kecamatan.objects.create(code="36.04.97", name="Uji", kabupaten_name="KAB. UJI")
    return JobOutcome(summary="selesai")
