"""The risk report form on a 360 px phone (issue 18, items 4 and 7): short enough for a thumb, the
facts the desk already holds shown rather than retyped, and usable with the keyboard alone."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from operations.models import RiskReport
from tests.e2e.conftest import PHONE, login, screenshot
from villages.models import Candidate, VillageElection

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MAX_FORM_HEIGHT = 2000


@pytest.fixture
def teras():
    call_command("load_demo", stdout=io.StringIO())
    return VillageElection.objects.get(desa__name="Teras")


def _registered(village: VillageElection) -> int:
    return village.candidates.exclude(status=Candidate.Status.REJECTED).count()


def test_the_form_fits_a_thumb_and_shows_what_the_desk_knows(open_page, teras):
    page, console = open_page(PHONE)
    login(page, "polsek.carenang", "Demo-Carenang-2019!")
    page.goto(f"/laporan/baru/?desa={teras.pk}")

    # From the page title to the buttons: what the officer scrolls through (the site's menu above
    # it is the same on every page).
    height = page.evaluate(
        "document.querySelector('form[data-report-form]').getBoundingClientRect().bottom"
        " - document.querySelector('main h1, h1').getBoundingClientRect().top"
    )
    assert height <= MAX_FORM_HEIGHT, f"the form is {height} px tall at 360 px"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Evidence is attached once for the report, not once per indicator.
    expect(page.locator("input[type=file]")).to_have_count(1)
    # DPT, registered candidates and the committee are shown from the village election, not asked.
    facts = page.locator("[data-known-facts]")
    expect(facts).to_contain_text(f"{_registered(teras)} calon terdaftar")
    expect(facts).to_contain_text("2.460 pemilih")
    expect(facts).to_contain_text("Panitia belum dibentuk")
    expect(page.locator("#id_value_candidate_count")).to_be_hidden()  # a correction, folded away
    # Choosing another village shows that village's facts.
    mekarsari = VillageElection.objects.get(desa__name="Mekarsari")
    page.select_option("#id_village_election", str(mekarsari.pk))
    expect(facts).to_contain_text("4.730 pemilih")
    # The whole page in one window, so the sticky buttons sit at its foot in the picture.
    page.set_viewport_size({"width": PHONE["width"], "height": page.evaluate("document.body.scrollHeight")})
    screenshot(page, "phone-report-form", full_page=False)
    assert console.take() == []


def test_a_correction_that_disagrees_with_the_registered_candidates_needs_a_note(open_page, teras):
    page, console = open_page(PHONE)
    login(page, "polsek.carenang", "Demo-Carenang-2019!")
    page.goto(f"/laporan/baru/?desa={teras.pk}")
    registered = _registered(teras)
    page.get_by_text("Koreksi data desa").click()
    page.fill("#id_value_candidate_count", str(registered + 1))
    page.get_by_role("button", name="Simpan draf").click()
    error = page.locator(".js-error", has_text="terdaftar")
    expect(error).to_contain_text(f"{registered} calon terdaftar")
    assert not RiskReport.objects.filter(village_election=teras).exclude(answers__isnull=True).exists()

    note = "Calon keempat mendaftar kemarin, berkas belum diinput."
    page.fill("#id_evidence_candidate_count", note)
    page.get_by_role("button", name="Simpan draf").click()
    page.wait_for_url(re.compile(r"/laporan/\d+/ubah/$"))
    report = RiskReport.objects.get(village_election=teras)
    answer = report.answers.get(indicator__code="candidate_count")
    assert (answer.number, answer.evidence) == (registered + 1, note)
    console.take()  # the refused save logs its 400


# The element that has the keyboard focus, and whether its focus can be seen (an outline or a ring).
FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const ring = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2)
    || (style.boxShadow && style.boxShadow !== "none");
  return {tag: el.tagName.toLowerCase(), type: el.type || "", name: el.name || "", value: el.value || "",
          checked: !!el.checked, visible: ring, text: (el.textContent || "").trim().slice(0, 40)};
}"""


def test_the_report_is_answered_and_submitted_with_the_keyboard_alone(open_page, teras):
    page, console = open_page(PHONE)
    login(page, "polsek.carenang", "Demo-Carenang-2019!")
    page.goto(f"/laporan/baru/?desa={teras.pk}")
    page.locator("h1").click()  # start from the top of the page, as a reader would
    unseen, answered = [], set()
    for _press in range(120):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if not focused["visible"]:
            unseen.append(focused)
        if focused["type"] == "radio" and focused["name"] not in answered:
            page.keyboard.press("ArrowRight")  # the group's second choice: "Tidak"
            answered.add(focused["name"])
        elif focused["name"].startswith("value_") and focused["tag"] == "input":
            page.keyboard.type("0")
            answered.add(focused["name"])
        elif focused["name"] == "action" and focused["value"] == "submit":
            page.keyboard.press("Enter")
            break
    else:
        pytest.fail("Tab never reached the 'Ajukan' button")
    assert unseen == [], "focus not visible on these controls"
    page.wait_for_url(re.compile(r"/laporan/$"))
    report = RiskReport.objects.get(village_election=teras)
    assert report.status == RiskReport.Status.SUBMITTED
    answers = {a.indicator.code: a for a in report.answers.select_related("indicator")}
    assert answers["candidate_count"].number == _registered(teras)
    assert answers["many_voters"].number == teras.registered_voters
    assert answers["committee_not_formed"].flag is True
    assert answers["split_camps"].flag is False
    assert console.take() == []
