"""Demo risk reports for the Serang demo, written and decided through the report services.

Mekarsari (former head against a strong rival, split camps, botoh) and Lamaran (a candidate who lost
before runs again, diploma challenge) come out Sangat Rawan at the top; Renged is flagged for
distance and Wargasara for its sea crossing; a few villages are Aman; the rest stay unassessed (and
count at the operation's level for them). One report waits in the review queue, one was returned.
"""

import datetime
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from operations.demo import ELECTION_NAME, OPERATION_NAME, VOTING_DAY
from operations.models import Operation, RiskIndicator, RiskReport, RiskReportTransition, VillageRisk
from operations.selectors.report_facts import KnownFact, known_facts
from operations.services.reports import (
    AnswerData,
    report_create,
    report_return,
    report_submit,
    report_verify,
)
from operations.services.standings import standings_refresh
from villages.models import VillageElection

_KEYS = uuid.UUID("5c7c2e0e-9f49-4b7e-9a55-3d0f2a7c2019")

Status = RiskReport.Status


@dataclass(frozen=True)
class DemoReport:
    desa_code: str
    author: str
    outcome: str
    narrative: str
    # indicator code -> (yes/no or number, evidence)
    answers: dict[str, tuple[bool | int, str]] = field(default_factory=dict)
    return_reason: str = ""


REPORTS: list[DemoReport] = [
    DemoReport(
        "36.04.17.2010",
        "polsek.carenang",
        Status.VERIFIED,
        "Mantan kades H. Sukarta melawan Jaenudin; kedua kubu besar dan militan, ada botoh dari luar desa.",
        {
            "former_head_strong_rival": (True, "H. Sukarta (kades 2007–2013) vs Jaenudin."),
            "split_camps": (True, "Perkiraan massa 2.100 vs 2.300; posko tim sukses berhadapan."),
            "conflict_history": (True, "Bentrok pendukung 2013; info botoh dari Bhabinkamtibmas."),
            "ormas_mobilisation": (True, "Ormas dari kecamatan tetangga menyatakan dukungan."),
            "neutrality_pressure": (True, "Tim sukses meminta pengawalan pribadi."),
            "candidate_count": (3, ""),
            "committee_not_formed": (True, "Panitia belum dibentuk per akhir Agustus."),
            "many_voters": (4730, "DPT sementara."),
            "travel_minutes": (10, ""),
        },
    ),
    DemoReport(
        "36.04.18.2007",
        "polsek.carenang",
        Status.VERIFIED,
        "Mulyadi, kalah pada 2013, mencalonkan lagi; ijazahnya digugat kubu lawan.",
        {
            "lost_candidate_again": (True, "Mulyadi kalah tipis pada Pilkades 2013."),
            "split_camps": (True, "Dua kubu berimbang (±1.400 vs ±1.500)."),
            "eligibility_dispute": (True, "Keberatan atas ijazah paket C calon no. 1."),
            "neutrality_pressure": (True, ""),
            "candidate_count": (2, ""),
            "committee_not_formed": (True, ""),
            "many_voters": (3320, ""),
            "travel_minutes": (20, ""),
        },
    ),
    DemoReport(
        "36.04.18.2003",
        "polsek.carenang",
        Status.VERIFIED,
        "Desa terjauh dari Mapolsek; jalan sempit di sisi utara memperlambat bantuan.",
        {
            "travel_minutes": (55, "±9 km, 55 menit dengan mobil patroli saat hujan."),
            "many_voters": (5960, ""),
            "candidate_count": (3, ""),
            "committee_not_formed": (True, ""),
            "crime_reports": (8, "8 laporan curanmor Juni–Agustus."),
        },
    ),
    DemoReport(
        "36.04.13.2009",
        "polsek.tirtayasa",
        Status.VERIFIED,
        "Pulau Tunda: hanya lewat laut, perlu kapal Sat Polairud; cuaca menentukan jadwal.",
        {
            "sea_crossing": (True, "Penyeberangan dari Karangantu ±2 jam."),
            "travel_minutes": (120, ""),
            "candidate_count": (3, ""),
            "committee_not_formed": (True, ""),
        },
    ),
    DemoReport(
        "36.04.17.2001",
        "polsek.carenang",
        Status.VERIFIED,
        "Desa induk Mapolsek; situasi kondusif.",
        {"candidate_count": (2, ""), "many_voters": (4210, ""), "travel_minutes": (2, "")},
    ),
    DemoReport(
        "36.04.17.2002",
        "polsek.carenang",
        Status.VERIFIED,
        "Dua calon, hubungan baik, tidak ada laporan gangguan.",
        {"candidate_count": (2, ""), "travel_minutes": (10, "")},
    ),
    DemoReport(
        "36.04.18.2006",
        "polsek.carenang",
        Status.VERIFIED,
        "Desa kecil, satu kubu dominan.",
        {"candidate_count": (4, ""), "travel_minutes": (15, "")},
    ),
    DemoReport(
        "36.04.18.2001",
        "polsek.carenang",
        Status.SUBMITTED,
        "Beredar selebaran kampanye hitam terhadap calon no. 2.",
        {
            "conflict_history": (True, "Selebaran ditemukan di dua masjid."),
            "candidate_count": (4, ""),
            "many_voters": (5120, ""),
        },
    ),
    DemoReport(
        "36.04.18.2002",
        "polsek.carenang",
        Status.RETURNED,
        "Ada isu mobilisasi massa.",
        {"ormas_mobilisation": (True, "")},
        return_reason="Sebutkan ormas mana dan sumber informasinya, lalu ajukan lagi.",
    ),
]


def _answers(
    report: DemoReport, indicators: dict[str, RiskIndicator], facts: dict[str, KnownFact]
) -> list[AnswerData]:
    """Every active indicator answered, as submission requires: a fact of the village (``facts``)
    the demo report does not list was left as recorded, any other indicator it does not list was
    answered "tidak" (yes/no) or 0 (numbers) by the officer."""
    result = []
    for code, indicator in indicators.items():
        if not indicator.is_active:
            continue
        unlisted = False if indicator.kind == RiskIndicator.Kind.BOOLEAN else 0
        if code in facts:
            unlisted = facts[code].answer
        value, evidence = report.answers.get(code, (unlisted, ""))
        if indicator.kind == RiskIndicator.Kind.BOOLEAN:
            result.append(AnswerData(indicator_id=indicator.pk, flag=bool(value), evidence=evidence))
        else:
            result.append(AnswerData(indicator_id=indicator.pk, number=Decimal(value), evidence=evidence))
    return result


# The first report is written five weeks before the vote, the next ones a day apart.
FIRST_REPORT_DAY = VOTING_DAY - datetime.timedelta(weeks=5)


def _date_before_the_vote(report: RiskReport, *, index: int) -> None:
    """Put a demo report, its status history and the village risk it set in the weeks before the
    demo's election (the services stamp them with the moment the demo is loaded): written at 09.00,
    submitted at 11.00, decided the next morning. The audit history keeps the real load time."""
    report = RiskReport.objects.get(pk=report.pk)  # the services may have changed another copy
    written = timezone.make_aware(
        datetime.datetime.combine(FIRST_REPORT_DAY + datetime.timedelta(days=index), datetime.time(9))
    )
    submitted = written + datetime.timedelta(hours=2) if report.submitted_at else None
    decided = written + datetime.timedelta(days=1) if report.decided_at else None
    RiskReport.objects.filter(pk=report.pk).update(
        created_at=written,
        updated_at=decided or submitted or written,
        submitted_at=submitted,
        decided_at=decided,
    )
    at = {
        Status.DRAFT: written,
        Status.SUBMITTED: submitted,
        Status.VERIFIED: decided,
        Status.RETURNED: decided,
    }
    for status, moment in at.items():
        if moment is not None:
            RiskReportTransition.objects.filter(report=report, to_status=status).update(at=moment)
    if decided is not None:
        VillageRisk.objects.filter(report=report).update(last_report_at=decided)


@transaction.atomic
def demo_load_reports() -> None:
    """Bring each demo report to its outcome; a second run finds them by key and changes nothing."""
    users = get_user_model().objects.in_bulk(
        {r.author for r in REPORTS} | {"kabagops"}, field_name="username"
    )
    kabag = users["kabagops"]
    indicators = RiskIndicator.objects.in_bulk(field_name="code")
    villages = {
        ve.desa.code: ve
        for ve in VillageElection.objects.filter(election__name=ELECTION_NAME).select_related("desa")
    }
    facts = known_facts(village_election_ids=[ve.pk for ve in villages.values()])
    for index, demo in enumerate(REPORTS):
        author = users[demo.author]
        village_election = villages[demo.desa_code]
        report = report_create(
            village_election=village_election,
            author=author,
            narrative=demo.narrative,
            answers=_answers(demo, indicators, facts.get(village_election.pk, {})),
            idempotency_key=uuid.uuid5(_KEYS, demo.desa_code),
        )
        if report.status == Status.DRAFT:
            report = report_submit(report=report, by=author)
        if report.status == Status.SUBMITTED and demo.outcome == Status.VERIFIED:
            report_verify(report=report, by=kabag)
        elif report.status == Status.SUBMITTED and demo.outcome == Status.RETURNED:
            report_return(report=report, by=kabag, reason=demo.return_reason)
        _date_before_the_vote(report, index=index)
    # Villages nobody reported on still need their rows (at the operation's unassessed level).
    standings_refresh(operation=Operation.objects.get(name=OPERATION_NAME))
