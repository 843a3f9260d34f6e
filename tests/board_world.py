"""A Polres at the size issue 18 names: 150 villages in 10 kecamatan of 5 Polsek, 520 officers, all
posted (ten to each of the first 20 villages, over their need of 8; two or three to the rest, short).
Built by the board's browser test and by bench/bench_board.py, so both measure the same board."""

from __future__ import annotations

import random
from decimal import Decimal

from django.db import transaction

from operations.models import Duty, Officer, Operation, PatternSet, Unit
from operations.ranks import Pangkat
from operations.services.assignments import PostingRequest, assignments_create_many
from operations.services.standings import standings_refresh
from tests.factories import (
    DesaFactory,
    ElectionFactory,
    JurisdictionFactory,
    OperationFactory,
    UnitFactory,
    VillageElectionFactory,
)

POLSEK = 5
KECAMATAN_PER_POLSEK = 2
VILLAGES_PER_KECAMATAN = 15
VILLAGES = POLSEK * KECAMATAN_PER_POLSEK * VILLAGES_PER_KECAMATAN
OFFICERS = 520
OVER_NEED_VILLAGES = 20
TARGET_NRP = "87050123"
TARGET_NAME = "Wahyu Hidayat"
FIRST = ["Agus", "Budi", "Dedi", "Eko", "Fajar", "Hendra", "Irfan", "Joko", "Rudi", "Slamet", "Teguh", "Yudi"]
LAST = ["Santoso", "Saputra", "Pratama", "Nugroho", "Hidayat", "Setiawan", "Kurniawan", "Wibowo", "Susanto"]
PREFIXES = ["Suka", "Mekar", "Tegal", "Cibeber", "Kebon"]
SUFFIXES = ["jaya", "sari", "mulya", "asih"]
RANKS = [Pangkat.BRIPDA, Pangkat.BRIPTU, Pangkat.BRIGPOL, Pangkat.BRIPKA, Pangkat.AIPDA, Pangkat.AIPTU]


def build_polres_board(*, kabag, seed: int = 18) -> Operation:
    """The operation, its villages and officers, every officer posted by ``kabag``."""
    rng = random.Random(seed)
    election = ElectionFactory()
    operation = OperationFactory(
        election=election, pattern_set=PatternSet.objects.get(name="Polres Serang Pilkades 2021 (per desa)")
    )
    villages = []
    for p in range(POLSEK):
        # Not "Polsek Uji n": UnitFactory names its units so, and a test that made five before this
        # one met "Polsek Uji 5" twice (a unique name; seen running tests/e2e alone).
        polsek = UnitFactory(name=f"Polsek Papan {p + 1}", kind=Unit.Kind.POLSEK)
        for k in range(KECAMATAN_PER_POLSEK):
            kecamatan = JurisdictionFactory(unit=polsek).kecamatan
            for d in range(VILLAGES_PER_KECAMATAN):
                desa = DesaFactory(
                    kecamatan=kecamatan,
                    name=f"{rng.choice(PREFIXES)}{rng.choice(SUFFIXES)} {p}{k}{d}",
                    latitude=Decimal("-6.0") - Decimal("0.01") * (p * 30 + k * 15 + d),
                    longitude=Decimal("106.2") + Decimal("0.01") * d,
                )
                villages.append(VillageElectionFactory(election=election, desa=desa))
    polres = UnitFactory(name="Polres Uji", kind=Unit.Kind.POLRES)
    officers = Officer.objects.bulk_create(
        Officer(
            nrp=TARGET_NRP if n == 0 else f"{80000000 + n * 7:08d}",
            name=TARGET_NAME if n == 0 else f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            rank=Pangkat.BRIPTU if n == 0 else rng.choice(RANKS),
            unit=polres,
        )
        for n in range(OFFICERS)
    )
    standings_refresh(operation=operation)
    over = OVER_NEED_VILLAGES * 10
    village_of = [villages[n // 10] for n in range(over)]
    rest = villages[OVER_NEED_VILLAGES:]
    village_of += [rest[n % len(rest)] for n in range(OFFICERS - over)]
    postings = [
        PostingRequest(officer_id=officer.pk, duty=Duty.VILLAGE_GUARD, village_election_id=village.pk)
        for officer, village in zip(officers, village_of, strict=True)
    ]
    with transaction.atomic():
        locked = Operation.objects.select_for_update().get(pk=operation.pk)
        assignments_create_many(operation=locked, postings=postings, by=kabag)
    return operation
