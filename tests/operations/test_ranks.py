import pytest

from operations.ranks import Pangkat, normalise_rank


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("BRIPKA", Pangkat.BRIPKA),
        ("Bripka", Pangkat.BRIPKA),
        ("Brigadir Polisi Kepala", Pangkat.BRIPKA),
        ("  brigadir   polisi kepala ", Pangkat.BRIPKA),
        ("Brigadir Polisi", Pangkat.BRIGPOL),
        ("BRIGPOL", Pangkat.BRIGPOL),
        ("Bharada", Pangkat.BHARADA),
        ("Bhayangkara Dua", Pangkat.BHARADA),
        ("A.K.P.", Pangkat.AKP),
        ("Ajun Komisaris Polisi", Pangkat.AKP),
        ("Kompol", Pangkat.KOMPOL),
        ("AKBP", Pangkat.AKBP),
        ("Ajun Komisaris Besar Polisi", Pangkat.AKBP),
        ("Kombes Pol", Pangkat.KOMBES_POL),
        ("KOMBES", Pangkat.KOMBES_POL),
        ("Inspektur Polisi Dua", Pangkat.IPDA),
        ("Ajun Inspektur Polisi Satu", Pangkat.AIPTU),
        ("Sersan", None),
        ("", None),
    ],
)
def test_roster_spellings_normalise_to_one_rank(spelling, expected):
    assert normalise_rank(spelling) == expected


def test_seniority_follows_the_polri_ladder():
    ladder = [
        Pangkat.BHARADA,
        Pangkat.BRIPDA,
        Pangkat.BRIPTU,
        Pangkat.BRIGPOL,
        Pangkat.BRIPKA,
        Pangkat.AIPDA,
        Pangkat.AIPTU,
        Pangkat.IPDA,
        Pangkat.IPTU,
        Pangkat.AKP,
        Pangkat.KOMPOL,
        Pangkat.AKBP,
        Pangkat.KOMBES_POL,
    ]
    assert ladder == sorted(ladder)
    assert len(set(ladder)) == len(ladder)
