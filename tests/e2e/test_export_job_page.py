"""The job page of an HQ export in a real browser (Pimpinan has no admin): the bar follows the
running job, the page reloads itself when the file is made and offers it, and a job whose worker
died shows "Terhenti" instead of spinning. Screenshots at 360 px and 1366 px
(test-artifacts/export-job-*.png)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from jobs.models import Job
from jobs.progress import CacheProgress
from operations.roles import PIMPINAN
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import PHONE, login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
WIDE = {"width": 1366, "height": 800}


def _export(user, **fields) -> Job:
    now = timezone.now()
    return Job.objects.create(
        kind=Job.Kind.RANKING_EXPORT,
        runner="operations.jobs.ranking_export_run",
        state=Job.State.RUNNING,
        started_at=now,
        heartbeat_at=now,
        source_name="Operasi Mantap Praja (CSV)",
        created_by=user,
        **fields,
    )


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "360"), (WIDE, "1366")])
def test_the_export_page_follows_the_job_and_offers_its_file(open_page, make_user, viewport, label):
    pimpinan = make_user(PIMPINAN)
    job = _export(pimpinan)
    page, console = open_page(viewport)
    login(page, pimpinan.username, TEST_PASSWORD)
    page.goto(f"/pekerjaan/{job.pk}/")
    expect(page.locator("#job-state")).to_have_text("Berjalan")

    CacheProgress(job.pk, every=0)(rows_read=42000, total=84000, stage="write")
    expect(page.locator("#job-state")).to_have_text("Berjalan: Menulis berkas")
    expect(page.locator("#job-rows")).to_have_text("42.000")
    expect(page.locator("#job-total")).to_have_text(" dari 84.000")
    screenshot(page, f"export-job-running-{label}")

    Job.objects.filter(pk=job.pk).update(
        state=Job.State.SUCCEEDED,
        finished_at=timezone.now(),
        rows_read=84000,
        rows_total=84000,
        summary="peringkat-operasi-mantap-praja-20261204.csv: 84.000 desa",
        output_data=b"No.,Kode desa\r\n",
        result={"file_name": "peringkat-operasi-mantap-praja-20261204.csv", "content_type": "text/csv"},
    )
    link = page.get_by_role("link", name="Unduh peringkat-operasi-mantap-praja-20261204.csv")
    expect(link).to_be_visible()
    assert link.get_attribute("href") == f"/pekerjaan/{job.pk}/berkas/"
    screenshot(page, f"export-job-done-{label}")
    assert console.take() == []


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "360"), (WIDE, "1366")])
def test_a_job_whose_worker_died_shows_that_it_stopped(open_page, make_user, viewport, label):
    pimpinan = make_user(PIMPINAN)
    job = _export(pimpinan)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=10))
    page, console = open_page(viewport)
    login(page, pimpinan.username, TEST_PASSWORD)
    page.goto(f"/pekerjaan/{job.pk}/")
    expect(page.locator("#job-state")).to_have_text("Gagal")
    expect(page.locator("#job-error-report")).to_contain_text("Terhenti: pekerja berhenti")
    expect(page.get_by_text("Halaman ini boleh ditutup")).to_have_count(0)
    expect(page.locator("#job-bar")).to_have_count(0)  # no full bar for work that never ended
    screenshot(page, f"export-job-stale-{label}")
    assert console.take() == []
