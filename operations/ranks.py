"""The Polri rank ladder (pangkat). Values order seniority: a higher value outranks a lower one."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Pangkat(models.IntegerChoices):
    BHARADA = 10, _("Bharada")
    BHARATU = 11, _("Bharatu")
    BHARAKA = 12, _("Bharaka")
    ABRIPDA = 13, _("Abripda")
    ABRIPTU = 14, _("Abriptu")
    ABRIP = 15, _("Abrip")
    BRIPDA = 20, _("Bripda")
    BRIPTU = 21, _("Briptu")
    BRIGPOL = 22, _("Brigpol")
    BRIPKA = 23, _("Bripka")
    AIPDA = 24, _("Aipda")
    AIPTU = 25, _("Aiptu")
    IPDA = 30, _("Ipda")
    IPTU = 31, _("Iptu")
    AKP = 32, _("AKP")
    KOMPOL = 40, _("Kompol")
    AKBP = 41, _("AKBP")
    KOMBES_POL = 42, _("Kombes Pol")
    BRIGJEN_POL = 50, _("Brigjen Pol")
    IRJEN_POL = 51, _("Irjen Pol")
    KOMJEN_POL = 52, _("Komjen Pol")
    JENDERAL_POL = 53, _("Jenderal Pol")


# Spellings seen in rosters, beyond the abbreviation itself: full titles and older forms.
_FULL_TITLES: dict[Pangkat, tuple[str, ...]] = {
    Pangkat.BHARADA: ("Bhayangkara Dua",),
    Pangkat.BHARATU: ("Bhayangkara Satu",),
    Pangkat.BHARAKA: ("Bhayangkara Kepala",),
    Pangkat.ABRIPDA: ("Ajun Brigadir Polisi Dua",),
    Pangkat.ABRIPTU: ("Ajun Brigadir Polisi Satu",),
    Pangkat.ABRIP: ("Ajun Brigadir Polisi",),
    Pangkat.BRIPDA: ("Brigadir Polisi Dua",),
    Pangkat.BRIPTU: ("Brigadir Polisi Satu",),
    Pangkat.BRIGPOL: ("Brigadir Polisi", "Brigadir", "Brig"),
    Pangkat.BRIPKA: ("Brigadir Polisi Kepala", "Brigadir Kepala"),
    Pangkat.AIPDA: ("Ajun Inspektur Polisi Dua",),
    Pangkat.AIPTU: ("Ajun Inspektur Polisi Satu",),
    Pangkat.IPDA: ("Inspektur Polisi Dua",),
    Pangkat.IPTU: ("Inspektur Polisi Satu",),
    Pangkat.AKP: ("Ajun Komisaris Polisi",),
    Pangkat.KOMPOL: ("Komisaris Polisi",),
    Pangkat.AKBP: ("Ajun Komisaris Besar Polisi",),
    Pangkat.KOMBES_POL: ("Komisaris Besar Polisi", "Kombes"),
    Pangkat.BRIGJEN_POL: ("Brigadir Jenderal Polisi", "Brigjen"),
    Pangkat.IRJEN_POL: ("Inspektur Jenderal Polisi", "Irjen"),
    Pangkat.KOMJEN_POL: ("Komisaris Jenderal Polisi", "Komjen"),
    Pangkat.JENDERAL_POL: ("Jenderal Polisi", "Jenderal"),
}


def _key(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _index() -> dict[str, Pangkat]:
    index: dict[str, Pangkat] = {}
    for rank in Pangkat:
        for spelling in (rank.label, rank.name, *_FULL_TITLES.get(rank, ())):
            index[_key(str(spelling))] = rank
    return index


_BY_KEY = _index()


def normalise_rank(text: str) -> Pangkat | None:
    """The rank a roster spelling means ("BRIPKA", "Bripka", "Brigadir Polisi Kepala"), or None."""
    return _BY_KEY.get(_key(text or ""))
