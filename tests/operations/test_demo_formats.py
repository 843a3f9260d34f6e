"""Every page of the demo, as each role reaches it through its links, and the ranking and Sprin
exports write numbers and dates one way: a count is an integer ("4.730 pemilih", never "4730,00" or
"3,00 calon"), a decimal has a comma ("77,50", never "77.50"), a date reads "20 Oktober 2019" (with
", 21.29" for a time) and no other way; the demo's reports are dated before its election."""

import csv
import datetime
import io
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from operations.demo import OPERATION_NAME, VOTING_DAY
from operations.models import Operation, RiskReport, RiskReportTransition

pytestmark = pytest.mark.django_db

MONTHS = "Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember"
HOUSE_DATETIME = re.compile(rf"\b\d{{1,2}} ({MONTHS}) \d{{4}}, \d{{2}}\.\d{{2}}\b")
# A count written as a decimal: "4730,00 pemilih", "3,00 calon", "35,00 menit".
COUNT_AS_DECIMAL = re.compile(r"\b\d+,00[ \u00a0]+[^\W\d]+")
# A decimal with a dot ("77.50"), once thousands ("4.730") and house times are left aside.
DOT_DECIMAL = re.compile(r"(?<![\d.])\d+\.\d{1,2}(?![\d.])")
# A count of 4 to 6 digits without its thousands separator ("4730 DPT"); an NRP has 8 digits.
UNGROUPED = re.compile(r"(?<![\d.,/:\-])\d{4,6}(?![\d.,/:\-])")
OTHER_DATES = [
    re.compile(r"\b\d{2} (Jan|Feb|Mar|Apr|Mei|Jun|Jul|Agu|Sep|Okt|Nov|Des) (\d{4} )?\d{2}:\d{2}\b"),
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b"),
    re.compile(rf"\b\d{{1,2}} ({MONTHS}) \d{{4}} \d{{2}}[:.]\d{{2}}\b"),
]
SKIP = ("/admin/", "/api/", "/static/", "/media/", "/i18n/", "/keluar", "/logout", "/bukti/")
ROLES = ["kapolres", "kabagops", "polsek.carenang"]


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def _problems(text: str) -> list[str]:
    found = [f"count as decimal: {m.group(0)!r}" for m in COUNT_AS_DECIMAL.finditer(text)]
    found += [f"other date format: {m.group(0)!r}" for p in OTHER_DATES for m in p.finditer(text)]
    rest = HOUSE_DATETIME.sub(" ", text)
    found += [f"dot decimal: {m.group(0)!r}" for m in DOT_DECIMAL.finditer(rest)]
    # Years stand alone ("2019"); Sprin numbers and codes carry slashes and dots.
    found += [
        f"ungrouped number: {m.group(0)!r}"
        for m in UNGROUPED.finditer(rest)
        if not 1900 <= int(m.group(0)) <= 2100
    ]
    return found


def _crawl(client, start: str, limit: int = 120) -> dict[str, list[str]]:
    seen, queue, problems = {start}, deque([start]), {}
    while queue and len(seen) <= limit:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        page = _Page()
        page.feed(response.content.decode())
        found = _problems("\n".join(page.text))
        if found:
            problems[url] = found
        for href in page.links:
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/") or parts.path.startswith(SKIP):
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return problems


@pytest.mark.parametrize("username", ROLES)
def test_every_page_writes_numbers_and_dates_one_way(client, demo_module, username):
    client.force_login(get_user_model().objects.get(username=username))
    assert _crawl(client, "/") == {}


@pytest.mark.parametrize("name", ["ranking-download", "deployment-order"])
def test_exports_write_numbers_and_dates_one_way(client, demo_module, name):
    client.force_login(get_user_model().objects.get(username="kabagops"))
    operation = Operation.objects.get(name=OPERATION_NAME)
    response = client.get(reverse(name, args=[operation.pk, "csv"]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if COUNT_AS_DECIMAL.search(c)]
    assert not [c for c in cells if any(p.search(c) for p in OTHER_DATES)]


def test_demo_reports_are_dated_in_the_weeks_before_the_election(demo_module):
    first = datetime.datetime.combine(VOTING_DAY - datetime.timedelta(weeks=10), datetime.time())
    last = datetime.datetime.combine(VOTING_DAY, datetime.time())
    for report in RiskReport.objects.all():
        for moment in (report.created_at, report.submitted_at, report.decided_at):
            if moment is not None:
                assert first <= moment.replace(tzinfo=None) < last, (report, moment)
    for transition in RiskReportTransition.objects.all():
        assert first <= transition.at.replace(tzinfo=None) < last, transition
