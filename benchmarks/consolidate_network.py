"""Time `consolidate` on a network: N sites × Y years of monthly long-form files, generated synthetically.

Making 150 demo workbooks and 36,000 real exports would take hours, so the
long-form CSVs are written directly, in the schema of `core.long_form`: each
monthly file holds its month and its year to date, for the six indicators of
the year patterns and four categories of one breakdown each (36 rows a file).
The files are made from a fixed seed, so a FOLDER that already holds them is
reused as it is. Prints the seconds of each stage of `consolidate` and the
peak memory of the process.
Usage: python benchmarks/consolidate_network.py [SITES] [YEARS] [FOLDER]
"""

from __future__ import annotations

import csv
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from citeslab_xl.adapters.consolidate import INDICATORS, consolidate
from citeslab_xl.core import long_form, periods

CATEGORIES = ("a", "b", "c", "d")
ROWS_PER_FILE = len(INDICATORS) * (2 + len(CATEGORIES))  # month and year to date, the month also by category


def cell(value: int, threshold: int = 5) -> tuple[object, str]:
    return (None, f"< {threshold}") if 0 < value < threshold else (value, str(value))


def years_of(years: int) -> range:
    return range(2026 - years + 1, 2027)


def path_of(folder: Path, site: int, year: int, month: int) -> Path:
    return folder / f"site{site:03d}-{year}-{month:02d}.csv"


def write_site(folder: Path, site: int, years: int, rng: random.Random) -> list[Path]:
    paths = []
    for year in years_of(years):
        ytd = dict.fromkeys(INDICATORS, 0)
        for m in range(1, 13):
            month = periods.month(year, m)
            path = path_of(folder, site, year, m)
            rows: list[tuple[date, date, str, str, str, object, str]] = []
            for indicator in INDICATORS:
                parts = [rng.randint(0, 12) for _ in CATEGORIES]
                ytd[indicator] += sum(parts)
                spans = [(month.debut, month.fin, sum(parts), parts), (periods.year(year).debut, month.fin,
                                                                       ytd[indicator], None)]
                for start, end, total, by in spans:
                    value, shown = cell(total)
                    rows.append((start, end, indicator, "", "", value, shown))
                    for category, n in zip(CATEGORIES, by or (), strict=False):
                        value, shown = cell(n)
                        rows.append((start, end, indicator, "b", category, value, shown))
            with path.open("w", encoding="utf-8", newline="") as f:
                writer = csv.writer(f)
                writer.writerow(long_form.COLUMNS)
                for start, end, indicator, b, c, value, shown in rows:
                    writer.writerow([long_form.SCHEMA_VERSION, f"Site {site:03d}", "0" * 64, 5,
                                     month.fin, month.debut, month.fin, start, end,
                                     indicator, b, c, "" if value is None else value, shown])
            paths.append(path)
    return paths


def network_files(folder: Path, sites: int, years: int) -> tuple[list[Path], float | None]:
    """The files of the network, and the seconds taken to write them (None when `folder` already held them)."""
    expected = [path_of(folder, s, y, m) for s in range(1, sites + 1) for y in years_of(years) for m in range(1, 13)]
    if all(p.is_file() for p in expected):
        return expected, None
    rng = random.Random(0)
    started = time.perf_counter()
    paths = [p for site in range(1, sites + 1) for p in write_site(folder, site, years, rng)]
    return paths, time.perf_counter() - started


def peak_memory_mb() -> float | None:
    """VmHWM of this process (Linux), in MB."""
    status = Path("/proc/self/status")
    if not status.is_file():
        return None
    for line in status.read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def main() -> None:
    sites = int(sys.argv[1]) if len(sys.argv) > 1 else 150
    years = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    folder = Path(sys.argv[3]) if len(sys.argv) > 3 else Path(tempfile.mkdtemp(prefix="network-"))
    folder.mkdir(parents=True, exist_ok=True)
    paths, made = network_files(folder, sites, years)
    out = folder / "reseau.xlsx"
    out.unlink(missing_ok=True)  # this script's own output of an earlier run
    stages: dict[str, float] = {}
    started, cpu = time.perf_counter(), time.process_time()
    consolidate(paths, out, stages)
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"{sites} sites × {years} years: {len(paths)} files, {len(paths) * ROWS_PER_FILE} rows, "
          + ("reused" if made is None else f"generated in {made:.1f} s"))
    for stage, seconds in stages.items():
        print(f"  {stage:<16} {seconds:8.2f} s")
    peak = peak_memory_mb()
    print(f"consolidate {took:.1f} s (CPU {cpu:.1f} s, all threads); workbook {out.stat().st_size / 1e3:.0f} kB"
          + ("" if peak is None else f"; peak memory (VmHWM) {peak:.0f} MB"))


if __name__ == "__main__":
    main()
