"""Time `consolidate` on a network: N sites × Y years of monthly long-form files, generated synthetically.

Making 150 demo workbooks and 36,000 real exports would take hours, so the
long-form CSVs are written directly, in the schema of `core.long_form`: each
monthly file holds its month and its year to date, for the six indicators of
the year patterns and four categories of one breakdown each (36 rows a file).
Usage: python benchmarks/consolidate_network.py [SITES] [YEARS] [FOLDER]
"""

from __future__ import annotations

import csv
import random
import sys
import tempfile
import time
from pathlib import Path

from citeslab_xl.adapters.consolidate import INDICATORS, consolidate
from citeslab_xl.core import long_form, periods

CATEGORIES = ("a", "b", "c", "d")


def cell(value: int, threshold: int = 5) -> tuple[object, str]:
    return (None, f"< {threshold}") if 0 < value < threshold else (value, str(value))


def write_site(folder: Path, site: int, years: int, rng: random.Random) -> list[Path]:
    paths = []
    for year in range(2026 - years + 1, 2027):
        ytd = dict.fromkeys(INDICATORS, 0)
        for m in range(1, 13):
            month = periods.month(year, m)
            path = folder / f"site{site:03d}-{year}-{m:02d}.csv"
            rows = []
            for indicator in INDICATORS:
                parts = [rng.randint(0, 12) for _ in CATEGORIES]
                ytd[indicator] += sum(parts)
                spans = [(month.debut, month.fin, sum(parts), parts), (periods.year(year).debut, month.fin,
                                                                       ytd[indicator], None)]
                for start, end, total, by in spans:
                    value, shown = cell(total)
                    rows.append([start, end, indicator, "", "", value, shown])
                    for category, n in zip(CATEGORIES, by or (), strict=False):
                        value, shown = cell(n)
                        rows.append([start, end, indicator, "b", category, value, shown])
            with path.open("w", encoding="utf-8", newline="") as f:
                writer = csv.writer(f)
                writer.writerow(long_form.COLUMNS)
                for start, end, indicator, b, c, value, shown in rows:
                    writer.writerow([long_form.SCHEMA_VERSION, f"Site {site:03d}", "0" * 64, 5,
                                     month.fin, month.debut, month.fin, start, end,
                                     indicator, b, c, "" if value is None else value, shown])
            paths.append(path)
    return paths


def main() -> None:
    sites = int(sys.argv[1]) if len(sys.argv) > 1 else 150
    years = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    folder = Path(sys.argv[3]) if len(sys.argv) > 3 else Path(tempfile.mkdtemp(prefix="network-"))
    rng = random.Random(0)
    started = time.perf_counter()
    paths = [p for site in range(1, sites + 1) for p in write_site(folder, site, years, rng)]
    made = time.perf_counter() - started
    started = time.perf_counter()
    consolidate(paths, folder / "reseau.xlsx")
    took = time.perf_counter() - started
    print(f"{sites} sites × {years} years: {len(paths)} files, generated in {made:.1f} s; consolidate {took:.1f} s")


if __name__ == "__main__":
    main()
