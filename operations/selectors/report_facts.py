"""What the desk already knows of a village election that the risk report would otherwise ask.

Three indicators of the catalogue are facts of the village election, recorded at the desk: the
number of registered candidates, the DPT and whether the committee has been formed. The report
shows them instead of asking, takes them as the answer when the officer leaves them alone, and
accepts a field correction only with a note saying why (the reviewer sees it beside the answer).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

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
    facts: dict[int, dict[str, KnownFact]] = {}
    for pk, registered, voters, committee_formed_on in rows:
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
        facts[pk] = known
    return facts


def fact_disagreement(fact: KnownFact, *, answer: Decimal | bool | None, unknown: bool, note: str) -> str:
    """The error for a correction that contradicts the recorded fact without a note; "" if none.

    No answer means "as recorded"; the same answer as the record needs no note.
    """
    if note.strip() or (answer is None and not unknown) or (not unknown and answer == fact.answer):
        return ""
    return _(
        "Data pilkades desa ini: %(fact)s. Tulis alasan koreksi pada catatan, atau kosongkan isian"
        " untuk memakai data tersebut."
    ) % {"fact": fact.text}
