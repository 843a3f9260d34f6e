"""One way to write a score and a date: comma decimals, "20 Oktober 2019, 21.29" everywhere."""

import re

import pytest
from django.urls import reverse

from operations.services.reports import report_create, report_submit
from tests.operations.risk_setup import answers, build_world

pytestmark = pytest.mark.django_db

# Django's abbreviated formats ("03 Des 2026 21:29", "03 Des 21:29") next to the house one.
ABBREVIATED_DATE = re.compile(
    r"\b\d{2} (Jan|Feb|Mar|Apr|Mei|Jun|Jul|Agu|Sep|Okt|Nov|Des) (\d{4} )?\d{2}:\d{2}\b"
)
HOUSE_DATETIME = re.compile(
    r"\b\d{1,2} (Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember) "
    r"\d{4}, \d{2}\.\d{2}\b"
)


@pytest.fixture
def world(make_user):
    world = build_world(make_user)
    report = report_create(
        village_election=world.own[0], author=world.polsek, answers=answers(travel_minutes=35)
    )
    report_submit(report=report, by=world.polsek)
    world.report = report
    return world


def test_verify_flash_writes_the_score_with_a_comma(client, world):
    client.force_login(world.kabag)
    response = client.post(reverse("report-verify", args=[world.report.pk]), follow=True)
    text = " ".join(str(m) for m in response.context["messages"])
    assert re.search(r"skor \d+,\d{2}\b", text), text
    assert not re.search(r"skor \d+\.\d", text), text


@pytest.mark.parametrize(
    ("role", "page_name"),
    [("kabag", "review"), ("kabag", "village"), ("polsek", "list")],
)
def test_dates_read_one_way(client, world, role, page_name):
    client.force_login(getattr(world, role))
    url = {
        "review": reverse("report-review"),
        "village": reverse("village-detail", args=[world.own[0].pk]),
        "list": reverse("report-list"),
    }[page_name]
    html = client.get(url).content.decode()
    assert not ABBREVIATED_DATE.search(html), ABBREVIATED_DATE.search(html).group(0)
    assert HOUSE_DATETIME.search(html)
