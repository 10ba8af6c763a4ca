"""Measure what the coordinator waits for, on a 20-year demo workbook.

Each figure is a median of a few runs, and every speed is also given as a
ratio against a baseline run in the same process (openpyxl's reader for the
reading step), so the figures compare across machines.

    python scripts/benchmark.py [--years 20] [--runs 3] [--out BENCHMARKS.md]
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from citeslab_xl.adapters.reading import read_grids, read_workbook
from citeslab_xl.core.validation import validate
from citeslab_xl.demo import write_demo
from citeslab_xl.doors import api

AS_OF = date(2026, 11, 26)


def timed(function, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def read_with_openpyxl(path: Path) -> int:
    wb = load_workbook(path, read_only=True, data_only=True)
    cells = sum(len(row) for ws in wb.worksheets for row in ws.iter_rows(values_only=True))
    wb.close()
    return cells


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="citeslab-bench-"))
    workbook = folder / "demo.xlsx"
    start = time.perf_counter()
    data = write_demo(workbook, years=args.years, as_of=AS_OF)
    demo_seconds = time.perf_counter() - start
    porteurs = len(data.rows["porteurs"])
    rdv = len(data.rows["rendez_vous"])

    baseline = timed(lambda: read_with_openpyxl(workbook), args.runs)
    calamine = timed(lambda: read_grids(workbook), args.runs)
    raw = read_workbook(workbook)
    validation = timed(lambda: validate(raw, AS_OF), args.runs)
    check = timed(lambda: api.check_file(workbook, AS_OF), args.runs)

    def refresh_once() -> None:
        copy = folder / "refresh.xlsx"
        shutil.copy(workbook, copy)
        api.refresh(copy, AS_OF)

    refresh = timed(refresh_once, args.runs)

    lines = [
        f"Workbook: {args.years} years, {porteurs} porteurs, {rdv} rendez-vous, "
        f"{data.row_count} rows in all ({workbook.stat().st_size / 1e6:.1f} MB); as of {AS_OF}.",
        f"Machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}; "
        f"median of {args.runs} runs.",
        "",
        "| step | seconds | ratio to the openpyxl read baseline |",
        "|---|---|---|",
        f"| baseline: read every value with openpyxl (read-only) | {baseline:.2f} | 1.00 |",
        f"| read every value with python-calamine | {calamine:.2f} | {calamine / baseline:.2f} |",
        f"| validate (pydantic models, cross-sheet rules) | {validation:.2f} | {validation / baseline:.2f} |",
        f"| `check` end to end (read, locate, validate) | {check:.2f} | {check / baseline:.2f} |",
        f"| `refresh` end to end (check, every due sheet, safe write) | {refresh:.2f} | {refresh / baseline:.2f} |",
        f"| (making the demo workbook, once) | {demo_seconds:.2f} | |",
    ]
    report = "\n".join(lines)
    print(report)
    if args.out:
        args.out.write_text("# Benchmarks\n\nMade by `python scripts/benchmark.py --out BENCHMARKS.md`.\n\n"
                            + report + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
