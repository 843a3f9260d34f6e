"""What the desk already knows of a village election that the risk report would otherwise ask.

Three indicators of the catalogue are facts of the village election, recorded at the desk: the
number of registered candidates, the DPT and whether the committee has been formed. The report
shows them instead of asking, takes them as the answer when the officer leaves them alone, and
accepts a field correction only with a note saying why (the reviewer sees it beside the answer).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from operations.models import RiskReportAnswer
from operations.templatetags.numbers import quantity_text
from villages.models import Candidate, VillageElection

CANDIDATES, VOTERS, COMMITTEE = "candidate_count", "many_voters", "committee_not_formed"
FACT_CODES = (CANDIDATES, VOTERS, COMMITTEE)
FACT_LABELS = {CANDIDATES: _lazy("Calon"), VOTERS: _lazy("DPT"), COMMITTEE: _lazy("Panitia")}


@dataclass(frozen=True)
class KnownFact:
    """The answer a fact gives (a number, or the yes/no flag) and how the form states it."""

    code: str
    answer: Decimal | bool
    text: str


def known_facts(*, village_election_ids: Collection[int]) -> dict[int, dict[str, KnownFact]]:
    """By village election, its facts by indicator code; one query.

    A fact the desk has not recorded (no candidate entered yet, a DPT of 0) is left out, so the
    form asks for it like any other indicator.
    """
    rows = (
        VillageElection.objects.filter(pk__in=village_election_ids)
        .annotate(registered=Count("candidates", filter=~Q(candidates__status=Candidate.Status.REJECTED)))
        .values_list("pk", "registered", "registered_voters", "committee_formed_on")
    )
    return {pk: _facts(registered, voters, formed_on) for pk, registered, voters, formed_on in rows}


def stored_fact_answers(*, report_id: int) -> tuple[dict[str, KnownFact], list[RiskReportAnswer]]:
    """A stored report's answers to the fact indicators, with its village's facts as recorded now;
    one query (the facts ride on each answer row), none of them if the report answers no fact."""
    registered = (
        Candidate.objects.filter(village_election=OuterRef("report__village_election"))
        .exclude(status=Candidate.Status.REJECTED)
        .values("village_election")
        .annotate(n=Count("pk"))
        .values("n")
    )
    answers = list(
        RiskReportAnswer.objects.filter(report_id=report_id, indicator__code__in=FACT_CODES)
        .select_related("indicator")
        .annotate(
            registered=Coalesce(Subquery(registered), 0),
            voters=F("report__village_election__registered_voters"),
            formed_on=F("report__village_election__committee_formed_on"),
        )
    )
    if not answers:
        return {}, []
    first = answers[0]
    return _facts(first.registered, first.voters, first.formed_on), answers


def _facts(registered: int, voters: int, committee_formed_on: date | None) -> dict[str, KnownFact]:
    known = {}
    if registered:
        text = _("%(count)s calon terdaftar") % {"count": quantity_text(registered)}
        known[CANDIDATES] = KnownFact(CANDIDATES, Decimal(registered), text)
    if voters:
        text = _("%(count)s pemilih") % {"count": quantity_text(voters)}
        known[VOTERS] = KnownFact(VOTERS, Decimal(voters), text)
    if committee_formed_on is None:
        known[COMMITTEE] = KnownFact(COMMITTEE, True, _("Panitia belum dibentuk"))
    else:
        text = _("Panitia dibentuk %(date)s") % {"date": date_format(committee_formed_on)}
        known[COMMITTEE] = KnownFact(COMMITTEE, False, text)
    return known


def fact_disagreement(fact: KnownFact, *, answer: Decimal | bool | None, unknown: bool, note: str) -> str:
    """The error for a correction that contradicts the recorded fact without a note; "" if none.

    No answer means "as recorded"; the same answer as the record needs no note.
    """
    if note.strip() or (answer is None and not unknown) or (not unknown and answer == fact.answer):
        return ""
    # The advice holds on every channel: the form also takes an emptied field as "as recorded",
    # but over the API an omitted answer leaves the report incomplete.
    return _(
        "Data pilkades desa ini: %(fact)s. Tulis alasan koreksi pada catatan, atau isi sesuai data tersebut."
    ) % {"fact": fact.text}
