"""Positions (jabatan) as data: the starting catalogue and how a roster spelling is read.

The catalogue lives in the database (operations.Position, seeded from ``POSITIONS`` by a migration and
edited by the Kabag Ops); this module only holds the starting rows and the pure matching rule, so the
roster import reads "KAPOLSEK CARENANG", "Kapolsek" and "Kepala Kepolisian Sektor" alike.
"""

from __future__ import annotations

from collections.abc import Iterable

from operations.ranks import Pangkat

PIMPINAN = "pimpinan"
KAPOLSEK = "kapolsek"
STAFF = "staff"
BHABINKAMTIBMAS = "bhabinkamtibmas"
FIELD = "field"

# Categories never proposed for a village duty, nor offered as free officers on the board: they
# command (pimpinan, Kapolsek as area controller) or run the command post. A manual posting of one
# of them to a village needs a written reason.
OFF_VILLAGE_DUTY = frozenset({PIMPINAN, KAPOLSEK, STAFF})
# Without a catalogue position, Kompol and above count as commanders (Kabag Ops, Kasat, Kapolres).
COMMAND_RANK = Pangkat.KOMPOL

# name, category, order in the command line, spellings seen in rosters (beyond the name itself)
POSITIONS: list[tuple[str, str, int, tuple[str, ...]]] = [
    ("Kapolres", PIMPINAN, 10, ("Kepala Kepolisian Resor", "Kapolresta", "Kapolres Metro")),
    ("Wakapolres", PIMPINAN, 20, ("Wakil Kepala Kepolisian Resor", "Wakapolresta")),
    ("Kabag Ops", PIMPINAN, 30, ("Kabagops", "Kepala Bagian Operasi", "Kepala Bagian Operasional")),
    ("Kabag", PIMPINAN, 40, ("Kepala Bagian", "Kabag Ren", "Kabag SDM", "Kabag Log")),
    ("Kasat", PIMPINAN, 50, ("Kepala Satuan",)),
    ("Kasi", PIMPINAN, 60, ("Kepala Seksi", "Kasi Propam", "Kasi Humas", "Kasium")),
    ("Kapolsek", KAPOLSEK, 70, ("Kepala Kepolisian Sektor", "Kapolsubsektor")),
    ("Wakapolsek", KAPOLSEK, 80, ("Wakil Kepala Kepolisian Sektor",)),
    ("Kasubbag", STAFF, 90, ("Kepala Subbagian", "Kasubbagops", "Kasubbag Ops")),
    ("Paur", STAFF, 91, ("Perwira Urusan",)),
    ("Operator", STAFF, 92, ("Operator Posko", "Staf Posko", "Ba Posko", "Posko", "Staf Ops", "Bamin")),
    (
        "Bhabinkamtibmas",
        BHABINKAMTIBMAS,
        100,
        ("Bhabin", "Bhayangkara Pembina Keamanan dan Ketertiban Masyarakat", "Babinkamtibmas"),
    ),
    ("Danki", FIELD, 110, ("Komandan Kompi",)),
    ("Danton", FIELD, 111, ("Komandan Peleton",)),
    ("Kanit", FIELD, 120, ("Kepala Unit",)),
    ("Panit", FIELD, 121, ("Perwira Unit",)),
    ("Banit", FIELD, 122, ("Bintara Unit",)),
    ("Anggota", FIELD, 130, ("Bintara", "Anggota Polsek", "Personel")),
]


def position_key(text: str) -> str:
    return "".join(ch for ch in (text or "").lower() if ch.isalnum())


def match_position(text: str, catalogue: Iterable[tuple[int, str, Iterable[str]]]) -> int | None:
    """The catalogue entry a roster spelling means, or None.

    ``catalogue`` holds (id, name, spellings). An exact spelling wins; otherwise the longest
    spelling the text starts with ("Kapolsek Carenang" is a Kapolsek, "Kasat Polairud" a Kasat).
    Letters and digits only, case ignored: "KA POLSEK", "Ka.Polsek" and "kapolsek" are one key.
    """
    key = position_key(text)
    if not key:
        return None
    best: tuple[int, int] | None = None  # (length of the matched spelling, id)
    for position_id, name, spellings in catalogue:
        for spelling in (name, *spellings):
            candidate = position_key(spelling)
            if not candidate:
                continue
            if candidate == key:
                return position_id
            if key.startswith(candidate) and (best is None or len(candidate) > best[0]):
                best = (len(candidate), position_id)
    return best[1] if best else None


def kept_off_village_duty(*, category: str | None, rank: int) -> bool:
    """Whether an officer commands or staffs the operation rather than guards a village.

    His position's category says so; without a catalogue position, Kompol and above (Kapolres,
    Kabag Ops, Kasat in most rosters) are taken as commanders.
    """
    return category in OFF_VILLAGE_DUTY or rank >= COMMAND_RANK
