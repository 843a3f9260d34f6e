"""Write a synthetic Kemendagri-style region list of national size (CSV `kode,nama`).

The real list (about 84,000 desa/kelurahan in about 7,300 kecamatan) cannot be fetched here, so
this builds one with the same shape: 38 provinces, ~514 kabupaten/kota, ~7,300 kecamatan, 84,000 desa.
Coordinates are not part of the official list; bench/build_world.py adds them.

    python bench/synthetic_regions.py bench/out/regions.csv [--desa 84000]
"""

import argparse
import random
from pathlib import Path

SYLLABLES = [
    "su",
    "ka",
    "ma",
    "ja",
    "ra",
    "ng",
    "sa",
    "wa",
    "ti",
    "ga",
    "li",
    "pa",
    "de",
    "ban",
    "mek",
    "cir",
]


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).title()


def write_regions(
    path: Path, desa_total: int = 84_000, seed: int = 2019, kabupaten_per_province: int = 14
) -> tuple[int, int]:
    """Write the list; 14 kabupaten per province gives ~158 desa each, 7 gives ~316 (Kab. Serang: 326)."""
    rng = random.Random(seed)
    provinces = 38
    kecamatan_total = round(desa_total / 11.5)
    kecamatan_per_kab = max(1, kecamatan_total // (provinces * kabupaten_per_province))
    desa_per_kec = desa_total / (provinces * kabupaten_per_province * kecamatan_per_kab)
    written_desa = written_kec = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        out.write("kode,nama\n")
        for p in range(11, 11 + provinces):
            out.write(f"{p},PROVINSI {_name(rng).upper()}\n")
            for k in range(1, kabupaten_per_province + 1):
                out.write(f"{p}.{k:02d},KAB. {_name(rng).upper()}\n")
                for c in range(1, kecamatan_per_kab + 1):
                    out.write(f"{p}.{k:02d}.{c:02d},{_name(rng)}\n")
                    written_kec += 1
                    target = round(desa_per_kec * written_kec) - written_desa
                    for d in range(1, target + 1):
                        out.write(f"{p}.{k:02d}.{c:02d}.{2000 + d},{_name(rng)}\n")
                    written_desa += target
    return written_kec, written_desa


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("path", type=Path)
    parser.add_argument("--desa", type=int, default=84_000)
    parser.add_argument("--kabupaten-per-province", type=int, default=14)
    args = parser.parse_args()
    kecamatan, desa = write_regions(args.path, args.desa, kabupaten_per_province=args.kabupaten_per_province)
    print(f"wrote {args.path}: {kecamatan} kecamatan, {desa} desa")


if __name__ == "__main__":
    main()
