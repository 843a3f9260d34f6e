"""Starting values for the editable catalogues (see shared DOMAIN notes); seeded by a migration.

After seeding they live in the database and are edited in the admin by the Kabag Ops.
"""

from decimal import Decimal

# code, Indonesian label, kind, weight, full weight at (numbers), unit label
INDICATORS: list[tuple[str, str, str, str, str | None, str]] = [
    (
        "former_head_strong_rival",
        "Petahana/mantan kepala desa mencalonkan lagi melawan pesaing kuat",
        "boolean",
        "20",
        None,
        "",
    ),
    ("split_camps", "Kubu berimbang atau terbelah tajam, tim sukses militan", "boolean", "15", None, ""),
    ("lost_candidate_again", "Calon yang pernah kalah mencalonkan diri lagi", "boolean", "15", None, ""),
    ("candidate_count", "Jumlah calon terdaftar (lebih dari 5: zona merah)", "number", "10", "6", "calon"),
    (
        "eligibility_dispute",
        "Sengketa persyaratan calon (mis. ijazah) atau calon ditolak",
        "boolean",
        "10",
        None,
        "",
    ),
    (
        "conflict_history",
        "Riwayat konflik/kekerasan, judi (botoh), kampanye hitam, isu SARA",
        "boolean",
        "15",
        None,
        "",
    ),
    ("ormas_mobilisation", "Mobilisasi ormas atau kelompok dari luar desa", "boolean", "10", None, ""),
    (
        "neutrality_pressure",
        "Calon meminta bantuan polisi / tekanan pada netralitas Polri",
        "boolean",
        "5",
        None,
        "",
    ),
    ("travel_minutes", "Waktu tempuh dari Mapolsek", "number", "10", "60", "menit"),
    ("sea_crossing", "Hanya dapat dicapai lewat laut (perlu Polairud)", "boolean", "10", None, ""),
    (
        "committee_not_formed",
        "Panitia pilkades desa belum dibentuk menjelang pemungutan",
        "boolean",
        "5",
        None,
        "",
    ),
    ("many_voters", "Jumlah pemilih (DPT) besar", "number", "5", "5000", "pemilih"),
    (
        "crime_reports",
        "Laporan kejahatan terkini (mis. curanmor) 3 bulan terakhir",
        "number",
        "5",
        "10",
        "laporan",
    ),
]

# level value (1 aman, 2 rawan, 3 sangat rawan) -> lowest score
THRESHOLDS: dict[int, Decimal] = {1: Decimal("0"), 2: Decimal("25"), 3: Decimal("50")}

# name, source, form, {level: (police, tps_per_group or None, linmas)}
PATTERN_SETS: list[tuple[str, str, str, dict[int, tuple[int, int | None, int]]]] = [
    (
        "Polres Serang Pilkades 2021 (per desa)",
        "Polres Serang, Pilkades serentak 2021: 6/8/10 polisi + 2 Linmas per desa",
        "per_desa",
        {1: (6, None, 2), 2: (8, None, 2), 3: (10, None, 2)},
    ),
    (
        "Pilkada 2020 nasional (per kelompok TPS)",
        "Pilkada 2020: aman 2 polisi per 10 TPS, rawan 2 per 2, sangat rawan 2 per 1; 2 Linmas per TPS",
        "per_tps",
        {1: (2, 10, 20), 2: (2, 2, 4), 3: (2, 1, 2)},
    ),
    (
        "Pemilu 2019 (2-4-6)",
        "Pemilu 2019: aman 2-4-6, rawan 4-2-8, sangat rawan 6-2-8 (polisi-TPS-Linmas)",
        "per_tps",
        {1: (2, 4, 6), 2: (4, 2, 8), 3: (6, 2, 8)},
    ),
    (
        "Tanah Bumbu Pilkades 2023",
        "Tanah Bumbu, Pilkades 2023: 2-3-6, 2-2-4 (rawan 1), 2-1-2 (rawan 2)",
        "per_tps",
        {1: (2, 3, 6), 2: (2, 2, 4), 3: (2, 1, 2)},
    ),
    (
        "Sampang Pilkades 2019 (per desa)",
        "Sampang, Pilkades 2019: 15/30/45 personel per desa",
        "per_desa",
        {1: (15, None, 0), 2: (30, None, 0), 3: (45, None, 0)},
    ),
]


def seed_catalogues(apps, schema_editor=None) -> None:
    """Create the seeded rows that are missing; never overwrite what staff have edited."""
    indicator_model = apps.get_model("operations", "RiskIndicator")
    for order, (code, label, kind, weight, full_at, unit_label) in enumerate(INDICATORS, start=1):
        indicator_model.objects.get_or_create(
            code=code,
            defaults={
                "label": label,
                "kind": kind,
                "weight": Decimal(weight),
                "full_weight_at": Decimal(full_at) if full_at else None,
                "unit_label": unit_label,
                "order": order * 10,
            },
        )
    threshold_model = apps.get_model("operations", "LevelThreshold")
    for level, min_score in THRESHOLDS.items():
        threshold_model.objects.get_or_create(level=level, defaults={"min_score": min_score})
    set_model = apps.get_model("operations", "PatternSet")
    pattern_model = apps.get_model("operations", "SecurityPattern")
    for name, source, form, levels in PATTERN_SETS:
        pattern_set, created = set_model.objects.get_or_create(name=name, defaults={"source": source})
        if not created:
            continue
        for level, (police, tps, linmas) in levels.items():
            pattern_model.objects.create(
                pattern_set=pattern_set,
                level=level,
                form=form,
                police=police,
                tps_per_group=tps,
                linmas=linmas,
            )


# code, Indonesian name, unit kind whose officers all have it
CAPABILITIES: list[tuple[str, str, str]] = [
    ("boat_crew", "Awak kapal / angkutan laut (Polairud)", "polairud"),
    ("brimob", "Brimob: pengendalian massa dan reaksi cepat", "brimob"),
]


def seed_command_catalogues(apps, schema_editor=None) -> None:
    """The starting position (jabatan) and capability catalogues; rows already there are kept."""
    from operations.positions import POSITIONS

    position_model = apps.get_model("operations", "Position")
    for name, category, order, spellings in POSITIONS:
        position_model.objects.get_or_create(
            name=name,
            defaults={"category": category, "command_order": order, "spellings": "\n".join(spellings)},
        )
    capability_model = apps.get_model("operations", "Capability")
    for code, name, unit_kind in CAPABILITIES:
        capability_model.objects.get_or_create(code=code, defaults={"name": name, "unit_kind": unit_kind})
