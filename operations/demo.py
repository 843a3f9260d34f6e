"""Demo data: Polres Serang's Pilkades serentak 2019 (issue 2), as plain data plus one loader.

Places, codes, the operation name and the risky villages follow public reporting; the personnel are
generated (seeded, so every run yields the same names and NRPs) and flagged ``is_demo``. Strength is
scaled down from 474 Polres + 200 BKO but keeps the shape: the Polres alone cannot cover every
village's need, the Polres with its BKO contingents can.
"""

import datetime
import random
from contextlib import ExitStack
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from operations.models import BkoContingent, Jurisdiction, Officer, Operation, PatternSet, Position, Unit
from operations.positions import match_position
from operations.ranks import Pangkat
from operations.roles import KABAG_OPS, PIMPINAN, POLSEK
from villages.boundary_import import boundaries_import
from villages.models import Candidate, Desa, Election, Kecamatan, VillageElection

KABUPATEN = "Kabupaten Serang"

# The desa, kecamatan and kabupaten outlines of the demo area (a subset of the public data set).
BOUNDARY_DIR = Path(__file__).resolve().parent / "demo_boundaries"
BOUNDARY_FILES = [
    BOUNDARY_DIR / "kabupaten_36.04.sql",
    BOUNDARY_DIR / "kecamatan_36.04_demo.sql",
    BOUNDARY_DIR / "desa_36.04_demo.sql",
]
# Where the Polairud boat leaves for Pulau Tunda (approximate position of Pelabuhan Karangantu).
SEA_PORT = ("Pelabuhan Karangantu", "-6.034800", "106.161800")

KECAMATAN: list[tuple[str, str]] = [
    ("36.04.13", "Tirtayasa"),
    ("36.04.17", "Carenang"),
    ("36.04.18", "Binuang"),
]


@dataclass(frozen=True)
class DemoDesa:
    """A demo village; its centroid and outline come from the shipped boundary files."""

    code: str
    name: str
    tps: int
    voters: int
    access_notes: str = ""
    sea_access_only: bool = False


DESA: list[DemoDesa] = [
    DemoDesa("36.04.17.2001", "Carenang", 8, 4210, "Desa induk Mapolsek Carenang."),
    DemoDesa("36.04.17.2002", "Pamanuk", 6, 3080),
    DemoDesa("36.04.17.2003", "Mandaya", 7, 3540),
    DemoDesa("36.04.17.2004", "Teras", 5, 2460),
    DemoDesa("36.04.17.2006", "Ragas Masigit", 4, 1920),
    DemoDesa("36.04.17.2007", "Walikukun", 5, 2350),
    DemoDesa("36.04.17.2009", "Panenjoan", 3, 1580),
    DemoDesa(
        "36.04.17.2010",
        "Mekarsari",
        9,
        4730,
        "Mantan kepala desa mencalonkan lagi melawan pesaing kuat; massa kedua kubu besar.",
    ),
    DemoDesa("36.04.18.2001", "Binuang", 10, 5120),
    DemoDesa("36.04.18.2002", "Cakung", 6, 2870),
    DemoDesa(
        "36.04.18.2003",
        "Renged",
        12,
        5960,
        "Desa terjauh dari Mapolsek Carenang (±9 km), jalan desa sempit di sisi utara.",
    ),
    DemoDesa("36.04.18.2004", "Gembor", 5, 2240),
    DemoDesa("36.04.18.2005", "Warakas", 6, 2990),
    DemoDesa("36.04.18.2006", "Sukamampir", 4, 1760),
    DemoDesa(
        "36.04.18.2007",
        "Lamaran",
        7,
        3320,
        "Calon yang pernah kalah mencalonkan diri lagi.",
    ),
    DemoDesa(
        "36.04.13.2009",
        "Wargasara",
        4,
        1650,
        "Pulau Tunda: hanya dapat dicapai lewat laut. Penyeberangan dengan kapal Sat Polairud dari "
        "Pelabuhan Karangantu (±2 jam); jadwal bergantung cuaca.",
        True,
    ),
]


@dataclass(frozen=True)
class DemoUnit:
    name: str
    kind: str
    parent: str | None
    address: str
    latitude: str
    longitude: str
    supplies_bko: bool = False
    kecamatan_codes: tuple[str, ...] = ()


POLRES = "Polres Serang"
POLSEK_CARENANG = "Polsek Carenang"
POLSEK_TIRTAYASA = "Polsek Tirtayasa"
POLAIRUD = "Sat Polairud Polres Serang"
BRIMOB = "Sat Brimob Polda Banten"
POLDA = "Polda Banten"

UNITS: list[DemoUnit] = [
    DemoUnit(
        POLDA, Unit.Kind.POLDA, None, "Jl. Syech Nawawi Al Bantani, Serang", "-6.117600", "106.153400", True
    ),
    DemoUnit(
        BRIMOB, Unit.Kind.BRIMOB, POLDA, "Jl. Raya Serang–Pandeglang, Serang", "-6.131200", "106.171800", True
    ),
    DemoUnit(
        POLRES, Unit.Kind.POLRES, POLDA, "Jl. Raya Serang–Jakarta Km 5, Serang", "-6.120400", "106.150300"
    ),
    DemoUnit(
        POLSEK_CARENANG,
        Unit.Kind.POLSEK,
        POLRES,
        "Jl. Raya Carenang, Desa Carenang",
        "-6.070300",
        "106.333200",
        kecamatan_codes=("36.04.17", "36.04.18"),
    ),
    DemoUnit(
        POLSEK_TIRTAYASA,
        Unit.Kind.POLSEK,
        POLRES,
        "Jl. Raya Tirtayasa, Kecamatan Tirtayasa",
        "-6.018500",
        "106.330100",
        kecamatan_codes=("36.04.13",),
    ),
    DemoUnit(POLAIRUD, Unit.Kind.POLAIRUD, POLRES, "Pelabuhan Karangantu, Serang", "-6.035400", "106.160200"),
]


@dataclass(frozen=True)
class DemoOfficer:
    nrp: str
    name: str
    rank: int
    position: str
    unit: str
    home_desa_code: str | None = None


# The named leaders the demo users log in as, and the Kapolsek the issue names.
LEADERS: list[DemoOfficer] = [
    DemoOfficer("72050418", "Hendra Wiratama", Pangkat.AKBP, "Kapolres Serang", POLRES),
    DemoOfficer("76110237", "Dedi Supriatna", Pangkat.KOMPOL, "Kabag Ops Polres Serang", POLRES),
    DemoOfficer("74080512", "Bambang Sutisna", Pangkat.KOMPOL, "Wakapolres Serang", POLRES),
    DemoOfficer("79030655", "Asep Mulyana", Pangkat.AKP, "Kapolsek Carenang", POLSEK_CARENANG),
    DemoOfficer("80120341", "Rudi Hermawan", Pangkat.AKP, "Kapolsek Tirtayasa", POLSEK_TIRTAYASA),
    DemoOfficer("81060177", "Taufik Hidayat", Pangkat.IPTU, "Kasat Polairud", POLAIRUD),
    DemoOfficer("83020466", "Irfan Maulana", Pangkat.AKP, "Danki Brimob (BKO)", BRIMOB),
    DemoOfficer("84090228", "Fajar Permana", Pangkat.IPTU, "Kaur Bin Ops Polda (BKO)", POLDA),
]


@dataclass(frozen=True)
class Staffing:
    """Generated personnel of a unit besides its leader: positions first, then ranks by weight."""

    unit: str
    count: int
    positions: tuple[tuple[int, str], ...]
    ranks: tuple[tuple[int, int], ...]
    default_position: str


_BINTARA = ((Pangkat.BRIPDA, 10), (Pangkat.BRIPTU, 20), (Pangkat.BRIGPOL, 25), (Pangkat.BRIPKA, 25),
            (Pangkat.AIPDA, 10), (Pangkat.AIPTU, 10))  # fmt: skip
_TAMTAMA = ((Pangkat.BHARADA, 30), (Pangkat.BHARATU, 25), (Pangkat.BHARAKA, 15), (Pangkat.BRIPDA, 15),
            (Pangkat.BRIPTU, 10), (Pangkat.BRIPKA, 5))  # fmt: skip

STAFFING: list[Staffing] = [
    Staffing(
        POLRES,
        67,
        (
            (Pangkat.AKP, "Kasat Samapta"),
            (Pangkat.AKP, "Kasat Intelkam"),
            (Pangkat.AKP, "Kasat Reskrim"),
            (Pangkat.AKP, "Kasat Binmas"),
            (Pangkat.AKP, "Kasat Lantas"),
            (Pangkat.IPTU, "Kasubbag Dalops Bag Ops"),
            (Pangkat.IPTU, "Kanit Turjawali Sat Samapta"),
            (Pangkat.IPDA, "Paur Subbag Dalops"),
            (Pangkat.IPDA, "Kanit Dalmas Sat Samapta"),
            (Pangkat.IPDA, "Kanit Intelkam"),
        ),
        _BINTARA,
        "Anggota Polres Serang",
    ),
    Staffing(
        POLSEK_CARENANG,
        23,
        (
            (Pangkat.IPTU, "Wakapolsek Carenang"),
            (Pangkat.IPDA, "Kanit Reskrim"),
            (Pangkat.AIPTU, "Kanit Intelkam"),
            (Pangkat.AIPTU, "Kanit Samapta"),
            (Pangkat.AIPDA, "Kanit Binmas"),
            (Pangkat.BRIPKA, "Bhabinkamtibmas Desa Carenang"),
            (Pangkat.BRIPKA, "Bhabinkamtibmas Desa Mekarsari"),
            (Pangkat.BRIPKA, "Bhabinkamtibmas Desa Binuang"),
            (Pangkat.BRIPKA, "Bhabinkamtibmas Desa Renged"),
            (Pangkat.BRIGPOL, "Bhabinkamtibmas Desa Lamaran"),
            (Pangkat.BRIGPOL, "Bhabinkamtibmas Desa Pamanuk"),
        ),
        _BINTARA,
        "Anggota Polsek Carenang",
    ),
    Staffing(
        POLSEK_TIRTAYASA,
        9,
        (
            (Pangkat.IPDA, "Wakapolsek Tirtayasa"),
            (Pangkat.BRIPKA, "Bhabinkamtibmas Desa Wargasara"),
        ),
        _BINTARA,
        "Anggota Polsek Tirtayasa",
    ),
    Staffing(POLAIRUD, 5, ((Pangkat.AIPTU, "Nakhoda kapal patroli"),), _BINTARA, "Anggota Sat Polairud"),
    Staffing(BRIMOB, 35, ((Pangkat.IPDA, "Danton Brimob (BKO)"),), _TAMTAMA, "Anggota Brimob (BKO)"),
    Staffing(POLDA, 23, ((Pangkat.IPDA, "Danton Dalmas Polda (BKO)"),), _BINTARA, "Anggota Polda (BKO)"),
]

# Polsek Carenang officers living in a demo desa: the neutrality rule keeps them away from it.
RESIDENTS: dict[str, str] = {
    "Bhabinkamtibmas Desa Carenang": "36.04.17.2001",
    "Kanit Intelkam": "36.04.17.2010",
    "Kanit Binmas": "36.04.18.2007",
    "Wakapolsek Carenang": "36.04.18.2003",
}

_FIRST_NAMES = (
    "Ahmad", "Asep", "Ade", "Agus", "Andi", "Budi", "Cecep", "Dadang", "Dede", "Deni", "Dian", "Eko",
    "Endang", "Firman", "Galih", "Hadi", "Heri", "Iwan", "Jajang", "Lukman", "Maman", "Muhamad", "Nana",
    "Oman", "Rahmat", "Rizky", "Saepul", "Sandi", "Ujang", "Usep", "Wahyu", "Yayan", "Yudi", "Zaenal",
    "Siti", "Dewi", "Rina", "Nurul",
)  # fmt: skip
_LAST_NAMES = (
    "Hidayat", "Saputra", "Setiawan", "Suryadi", "Kurniawan", "Gunawan", "Firmansyah", "Rahman", "Hakim",
    "Sulaeman", "Supriadi", "Nugraha", "Wibowo", "Santoso", "Pratama", "Ramdani", "Fauzi", "Kusnadi",
    "Syahputra", "Rosadi", "Hasanudin", "Jaelani", "Munandar", "Somantri",
)  # fmt: skip


def _nrp(rng: random.Random, rank: int, taken: set[str]) -> str:
    """A Polri-style NRP: birth year and month, then a serial; younger ranks were born later."""
    while True:
        if rank < Pangkat.BRIPDA:
            year = rng.randint(96, 101)
        elif rank < Pangkat.IPDA:
            year = rng.randint(75, 98)
        else:
            year = rng.randint(70, 88)
        nrp = f"{year % 100:02d}{rng.randint(1, 12):02d}{rng.randint(0, 9999):04d}"
        if nrp not in taken:
            taken.add(nrp)
            return nrp


def demo_officers() -> list[DemoOfficer]:
    """Every demo officer, leaders first; the same list on every call (seeded generator)."""
    rng = random.Random(2019)
    taken = {leader.nrp for leader in LEADERS}
    officers = list(LEADERS)
    for staffing in STAFFING:
        rank_values = [rank for rank, _ in staffing.ranks]
        rank_weights = [weight for _, weight in staffing.ranks]
        for index in range(staffing.count):
            if index < len(staffing.positions):
                rank, position = staffing.positions[index]
            else:
                rank = rng.choices(rank_values, rank_weights)[0]
                position = staffing.default_position
            officers.append(
                DemoOfficer(
                    nrp=_nrp(rng, rank, taken),
                    name=f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}",
                    rank=rank,
                    position=position,
                    unit=staffing.unit,
                    home_desa_code=RESIDENTS.get(position) if staffing.unit == POLSEK_CARENANG else None,
                )
            )
    return officers


ELECTION_NAME = "Pilkades Serentak Kabupaten Serang 2019"
VOTING_DAY = datetime.date(2019, 10, 20)


@dataclass(frozen=True)
class DemoCandidate:
    full_name: str
    head_status: str = Candidate.HeadStatus.NONE
    lost_before: bool = False
    estimated_supporters: int | None = None
    needs_close_escort: bool = False
    notes: str = ""


# The villages the reporting names; every other village gets ordinary generated candidates.
NAMED_CANDIDATES: dict[str, list[DemoCandidate]] = {
    "36.04.17.2010": [
        DemoCandidate(
            "H. Sukarta",
            head_status=Candidate.HeadStatus.FORMER,
            estimated_supporters=2100,
            needs_close_escort=True,
            notes="Mantan kepala desa 2007–2013, mencalonkan lagi.",
        ),
        DemoCandidate(
            "Jaenudin",
            estimated_supporters=2300,
            needs_close_escort=True,
            notes="Pesaing kuat; tim sukses besar dan militan.",
        ),
        DemoCandidate("Ratna Sari", estimated_supporters=250),
    ],
    "36.04.18.2007": [
        DemoCandidate(
            "Mulyadi",
            lost_before=True,
            estimated_supporters=1400,
            needs_close_escort=True,
            notes="Kalah pada Pilkades 2013, mencalonkan diri lagi.",
        ),
        DemoCandidate("Haerudin", estimated_supporters=1500),
    ],
}


def demo_candidates(desa_code: str, voters: int) -> list[DemoCandidate]:
    """The candidates of one demo village, the same on every call."""
    if desa_code in NAMED_CANDIDATES:
        return NAMED_CANDIDATES[desa_code]
    rng = random.Random(desa_code)
    count = rng.randint(2, 4)
    candidates = []
    for _ in range(count):
        share = rng.randint(15, 40) / 100
        candidates.append(
            DemoCandidate(
                f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}",
                estimated_supporters=int(voters * share),
            )
        )
    return candidates


OPERATION_NAME = "Ops Aman Pilkades Kalimaya 2019"
OPERATION_SPRIN = "Sprin/1475/VIII/OPS.1.3./2019"
OPERATION_STARTS = datetime.date(2019, 8, 26)
OPERATION_ENDS = datetime.date(2019, 11, 30)
OPERATION_PATTERN_SET = "Polres Serang Pilkades 2021 (per desa)"
# The order is signed before the operation starts (its number carries August, VIII).
OPERATION_ORDER_DATE = datetime.date(2019, 8, 23)
OPERATION_BASIS = (
    "Undang-Undang Nomor 2 Tahun 2002 tentang Kepolisian Negara Republik Indonesia.\n"
    "Undang-Undang Nomor 6 Tahun 2014 tentang Desa.\n"
    "Rencana Operasi Kepolisian Terpusat Kewilayahan Aman Pilkades Kalimaya 2019 Polres Serang."
)
OPERATION_PURPOSE = (
    "Melaksanakan pengamanan pemilihan kepala desa serentak Kabupaten Serang 2019 di desa yang "
    "tercantum dalam lampiran ini.\n"
    "Melaksanakan pam melekat calon yang ditetapkan dan tim kapal ke Pulau Tunda.\n"
    "Melaporkan pelaksanaan tugas kepada Kapolres Serang melalui Kabag Ops."
)
BKO_ARRIVED_ON = datetime.date(2019, 10, 17)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    officer_nrp: str | None
    is_staff: bool = False
    is_superuser: bool = False


# Fixed demo passwords, re-set on every run and printed by `manage.py load_demo`.
LOGINS: list[DemoLogin] = [
    DemoLogin("admin", "Demo-Admin-2019!", "", None, is_staff=True, is_superuser=True),
    DemoLogin("kapolres", "Demo-Kapolres-2019!", PIMPINAN, "72050418"),
    DemoLogin("kabagops", "Demo-Kabagops-2019!", KABAG_OPS, "76110237", is_staff=True),
    DemoLogin("polsek.carenang", "Demo-Carenang-2019!", POLSEK, "79030655"),
    DemoLogin("polsek.tirtayasa", "Demo-Tirtayasa-2019!", POLSEK, "80120341"),
]


@transaction.atomic
def demo_load() -> list[DemoLogin]:
    """Create or update the Serang demo; a second run changes no counts. Returns the logins."""
    kecamatan = {
        code: Kecamatan.objects.update_or_create(
            code=code, defaults={"name": name, "kabupaten_name": KABUPATEN}
        )[0]
        for code, name in KECAMATAN
    }
    desa = {
        row.code: Desa.objects.update_or_create(
            code=row.code,
            defaults={
                "name": row.name,
                "kecamatan": kecamatan[row.code[:8]],
                "access_notes": row.access_notes,
                "sea_access_only": row.sea_access_only,
            },
        )[0]
        for row in DESA
    }
    _load_boundaries()
    units = _load_units(kecamatan)
    officers = _load_officers(units, desa)
    _load_election(desa)
    _load_operation(units)
    _load_logins(officers)
    return LOGINS


def _load_boundaries() -> None:
    """Real centroids and outlines of the demo's desa, kecamatan and kabupaten (public MIT data,
    see demo_boundaries/LICENSE), through the same import as any province's files."""
    with ExitStack() as stack:
        boundaries_import(
            sources=[(path.name, stack.enter_context(path.open("rb"))) for path in BOUNDARY_FILES],
            prefix="36.04",
        )


def _load_units(kecamatan: dict[str, Kecamatan]) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for row in UNITS:
        units[row.name] = Unit.objects.update_or_create(
            name=row.name,
            defaults={
                "kind": row.kind,
                "parent": units[row.parent] if row.parent else None,
                "hq_address": row.address,
                "hq_latitude": Decimal(row.latitude),
                "hq_longitude": Decimal(row.longitude),
                "supplies_bko": row.supplies_bko,
            },
        )[0]
        for code in row.kecamatan_codes:
            Jurisdiction.objects.update_or_create(
                kecamatan=kecamatan[code], defaults={"unit": units[row.name]}
            )
    return units


_OFFICER_FIELDS = [
    "name",
    "rank",
    "position",
    "jabatan",
    "desa_binaan",
    "unit",
    "home_desa",
    "phone",
    "is_active",
    "is_demo",
]
_BHABIN_PREFIX = "Bhabinkamtibmas Desa "


def _load_officers(units: dict[str, Unit], desa: dict[str, Desa]) -> dict[str, Officer]:
    rows = demo_officers()
    existing = Officer.objects.in_bulk([row.nrp for row in rows], field_name="nrp")
    # Positions read as the roster import reads them ("Kapolsek Carenang": Kapolsek), and each
    # Bhabinkamtibmas gets the desa his title names as desa binaan.
    catalogue = [(p.pk, p.name, p.spelling_list()) for p in Position.objects.all()]
    desa_by_name = {d.name: d for d in desa.values()}
    to_create, to_update = [], []
    for row in rows:
        officer = existing.get(row.nrp) or Officer(nrp=row.nrp)
        officer.name = row.name
        officer.rank = row.rank
        officer.position = row.position
        officer.jabatan_id = match_position(row.position, catalogue)
        binaan = row.position.removeprefix(_BHABIN_PREFIX) if row.position.startswith(_BHABIN_PREFIX) else ""
        officer.desa_binaan = desa_by_name.get(binaan)
        officer.unit = units[row.unit]
        officer.home_desa = desa[row.home_desa_code] if row.home_desa_code else None
        # Obviously fake numbers, derived from the NRP so they stay unique and stable.
        officer.phone = f"0812-{row.nrp[:4]}-{row.nrp[4:]}"
        officer.is_active = True
        officer.is_demo = True
        (to_update if officer.pk else to_create).append(officer)
    Officer.objects.bulk_create(to_create)
    Officer.objects.bulk_update(to_update, _OFFICER_FIELDS)
    return Officer.objects.in_bulk([row.nrp for row in rows], field_name="nrp")


def _load_election(desa: dict[str, Desa]) -> None:
    election, _ = Election.objects.update_or_create(
        name=ELECTION_NAME, defaults={"voting_day": VOTING_DAY, "status": Election.Status.PLANNED}
    )
    for row in DESA:
        village_election, _ = VillageElection.objects.update_or_create(
            election=election,
            desa=desa[row.code],
            defaults={
                "tps_count": row.tps,
                "registered_voters": row.voters,
                # Committees were not yet formed at the end of August 2019.
                "committee_formed_on": None,
                "status": VillageElection.Status.PREPARATION,
            },
        )
        for number, candidate in enumerate(demo_candidates(row.code, row.voters), start=1):
            Candidate.objects.update_or_create(
                village_election=village_election,
                ballot_number=number,
                defaults={
                    "full_name": candidate.full_name,
                    "head_status": candidate.head_status,
                    "lost_before": candidate.lost_before,
                    "status": Candidate.Status.REGISTERED,
                    "estimated_supporters": candidate.estimated_supporters,
                    "needs_close_escort": candidate.needs_close_escort,
                    "notes": candidate.notes,
                },
            )


def _load_operation(units: dict[str, Unit]) -> Operation:
    election = Election.objects.get(name=ELECTION_NAME)
    operation, _ = Operation.objects.update_or_create(
        name=OPERATION_NAME,
        defaults={
            "election": election,
            "sprin_number": OPERATION_SPRIN,
            "order_date": OPERATION_ORDER_DATE,
            "order_basis": OPERATION_BASIS,
            "order_purpose": OPERATION_PURPOSE,
            # The Kapolres of the demo signs the order (LEADERS[0]).
            "signatory_name": LEADERS[0].name,
            "signatory_rank": LEADERS[0].rank,
            "signatory_nrp": LEADERS[0].nrp,
            "starts_on": OPERATION_STARTS,
            "ends_on": OPERATION_ENDS,
            "status": Operation.Status.ACTIVE,
            "pattern_set": PatternSet.objects.get(name=OPERATION_PATTERN_SET),
            "sea_port_name": SEA_PORT[0],
            "sea_port_latitude": Decimal(SEA_PORT[1]),
            "sea_port_longitude": Decimal(SEA_PORT[2]),
        },
    )
    for name in (BRIMOB, POLDA):
        BkoContingent.objects.update_or_create(
            operation=operation,
            unit=units[name],
            defaults={
                "status": BkoContingent.Status.ARRIVED,
                "expected_strength": units[name].officers.count(),
                "arrived_on": BKO_ARRIVED_ON,
            },
        )
    return operation


def _load_logins(officers: dict[str, Officer]) -> None:
    user_model = get_user_model()
    for login in LOGINS:
        user, _ = user_model.objects.get_or_create(username=login.username)
        user.is_staff = login.is_staff
        user.is_superuser = login.is_superuser
        user.is_active = True
        user.set_password(login.password)
        user.save()
        user.groups.set([Group.objects.get(name=login.role)] if login.role else [])
        if login.officer_nrp:
            officer = officers[login.officer_nrp]
            Officer.objects.filter(user=user).exclude(pk=officer.pk).update(user=None)
            officer.user = user
            officer.save(update_fields=["user"])
