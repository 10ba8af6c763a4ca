"""What the coordinator waits for, measured against the floor and a naive baseline (run by hand, not in CI).

    python benchmarks/run.py [--sizes 1,5,20] [--stress] [--rounds 5] [--out BENCHMARKS.md]

For each workbook size, every step runs once per round, the steps alternating within a round, so that the
machine's drift touches all of them alike; the figure is the median over the rounds. The **floor** is what no
reader of the file can avoid: inflating every worksheet part and parsing it with expat, no handlers. The
**naive** read is `pandas.read_excel(path, sheet_name=None, engine="openpyxl")`. Ratios are taken against
both, in the same rounds. CPU seconds are `time.process_time()`; peak memory is measured apart, one child
process per step (the high-water mark of its resident set), so that measuring it does not slow the timings.
"""

from __future__ import annotations

import argparse
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from xml.parsers import expat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

AS_OF = date(2026, 11, 26)
PEOPLE_PER_YEAR = 400
STRESS = (5000, 20)  # 5,000 people a year for 20 years: about 100,000 porteurs


def floor(path: Path) -> None:
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                expat.ParserCreate().Parse(package.read(name), True)


def naive(path: Path) -> None:
    import pandas as pd

    pd.read_excel(path, sheet_name=None, engine="openpyxl")


def calamine(path: Path) -> None:
    from citeslab_xl.adapters.reading import read_grids

    read_grids(path)


def check(path: Path) -> None:
    from citeslab_xl import api

    api.check_file(path, AS_OF)


def indicators(path: Path) -> None:
    from citeslab_xl import api
    from citeslab_xl.core import indicators as figures
    from citeslab_xl.core import periods

    figures.compute(api.check_file(path, AS_OF), periods.parse_period(str(AS_OF.year)), AS_OF)


def refresh(path: Path) -> None:
    from citeslab_xl import api

    api.refresh(_scratch_copy(path), AS_OF)


def export(path: Path) -> None:
    from citeslab_xl import api

    out = path.parent / f"export-{time.monotonic_ns()}.xlsx"
    api.export(path, out, as_of=AS_OF)
    out.unlink()


def actualiser(path: Path) -> None:
    """The button on xlwings' remote engine, with the payload its VBA client sends (built outside the timing)."""
    import xlremote

    from citeslab_xl.doors import buttons

    with xlremote.remote_book(_payload(path)) as book:
        buttons.actualiser(book, as_of=AS_OF)


_PAYLOADS: dict[Path, dict] = {}


def _payload(path: Path) -> dict:
    if path not in _PAYLOADS:
        import xlremote

        _PAYLOADS[path] = xlremote.payload_from_xlsx(path)
    return _PAYLOADS[path]


def _scratch_copy(path: Path) -> Path:
    copy = path.parent / f"refresh-{time.monotonic_ns()}{path.suffix}"
    shutil.copy(path, copy)
    return copy


STEPS: dict[str, Callable[[Path], None]] = {
    "floor": floor, "naive": naive, "calamine": calamine, "check": check, "indicators": indicators,
    "refresh": refresh, "export": export, "actualiser": actualiser,
}
BUTTON_MAX_YEARS = 20  # the remote-engine payload of the stress workbook is far beyond what a web client sends


@dataclass
class Samples:
    cpu: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    @property
    def wall_median(self) -> float:
        return statistics.median(self.wall)


def measure(path: Path, steps: list[str], rounds: int) -> dict[str, Samples]:
    results = {name: Samples() for name in steps}
    for name in steps:  # a warm-up round: imports and caches are not what the coordinator waits for
        STEPS[name](path)
    for _ in range(rounds):
        for name in steps:
            cpu, wall = time.process_time(), time.perf_counter()
            STEPS[name](path)
            results[name].cpu.append(time.process_time() - cpu)
            results[name].wall.append(time.perf_counter() - wall)
    return results


def peak_memory_mb(path: Path, step: str) -> float:
    """The resident-set high-water mark of a child process that runs one step once (imports included).

    Read from /proc (VmHWM, the child's own memory map): `ru_maxrss` would carry over the parent's
    high-water mark through fork and exec.
    """
    code = (f"import sys; sys.argv = ['x']; sys.path[:0] = [{str(ROOT)!r}]; import benchmarks.run as b; "
            f"from pathlib import Path; b.STEPS[{step!r}](Path({str(path)!r})); "
            "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])")
    done = subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, capture_output=True, text=True)
    return int(done.stdout.split()[-1]) / 1024


def cpu_of_command(arguments: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(arguments, check=True, capture_output=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        samples.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(samples)


@dataclass
class Workbook:
    label: str
    path: Path
    porteurs: int
    rows: int
    seconds_to_make: float


def make_workbook(folder: Path, people: int, years: int, label: str) -> Workbook:
    from citeslab_xl.demo import write_demo

    path = folder / f"demo-{label}.xlsx"
    start = time.perf_counter()
    data = write_demo(path, people=people, years=years, as_of=AS_OF)
    return Workbook(label, path, len(data.rows["porteurs"]), data.row_count, time.perf_counter() - start)


def table(book: Workbook, results: dict[str, Samples], memory: dict[str, float]) -> list[str]:
    floor_cpu = results["floor"].cpu_median
    naive_cpu = results["naive"].cpu_median if "naive" in results else float("nan")
    lines = [f"### {book.label}: {book.porteurs:,} porteurs, {book.rows:,} rows, "
             f"{book.path.stat().st_size / 1e6:.1f} MB (made in {book.seconds_to_make:.1f} s)".replace(",", " "),
             "", "| step | CPU s | wall s | × floor | × naive | µs per row | peak MB |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, samples in results.items():
        cpu = samples.cpu_median
        lines.append(f"| {name} | {cpu:.3f} | {samples.wall_median:.3f} | {cpu / floor_cpu:.1f} | "
                     f"{cpu / naive_cpu:.2f} | {cpu / book.rows * 1e6:.1f} | {memory.get(name, float('nan')):.0f} |")
    return lines + [""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,5,20", help="years of 400 people each, comma-separated")
    parser.add_argument("--stress", action="store_true", help="also 5,000 people a year for 20 years")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--steps", help="only these steps, comma-separated (the floor is always measured)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    chosen = ["floor", *(name for name in args.steps.split(",") if name != "floor")] if args.steps else list(STEPS)
    unknown = [name for name in chosen if name not in STEPS]
    if unknown:
        parser.error(f"unknown steps: {', '.join(unknown)} (known: {', '.join(STEPS)})")

    folder = Path(tempfile.mkdtemp(prefix="citeslab-bench-"))
    books = [make_workbook(folder, PEOPLE_PER_YEAR, int(years), f"{years} an(s)") for years in args.sizes.split(",")]
    if args.stress:
        books.append(make_workbook(folder, *STRESS, "stress"))
    report = [f"Machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
              f"as of {AS_OF}; median of {args.rounds} rounds, steps alternating within each round.", ""]
    for book in books:
        years = int(book.label.split()[0]) if book.label[0].isdigit() else 99
        steps = [name for name in chosen if name != "actualiser" or years <= BUTTON_MAX_YEARS]
        results = measure(book.path, steps, args.rounds)
        memory = {} if args.no_memory else {name: peak_memory_mb(book.path, name) for name in steps}
        report += table(book, results, memory)
    bare = cpu_of_command([sys.executable, "-c", "pass"], args.rounds)
    help_cpu = cpu_of_command([sys.executable, "-m", "citeslab_xl", "--help"], args.rounds)
    report += ["### Start-up", "", "| command | CPU s | × bare interpreter |", "|---|---:|---:|",
               f"| `python -c pass` | {bare:.3f} | 1.0 |",
               f"| `citeslab-xl --help` | {help_cpu:.3f} | {help_cpu / bare:.1f} |", ""]
    text = "\n".join(report)
    print(text)
    if args.out:  # the figures replace what follows the marker; the prose above it is kept
        above = args.out.read_text(encoding="utf-8").split("<!-- figures -->")[0] if args.out.exists() else ""
        args.out.write_text(above + "<!-- figures -->\n\n" + text, encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
