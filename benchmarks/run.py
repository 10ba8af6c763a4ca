"""What the coordinator waits for, measured against the floor and a naive baseline (run by hand, not in CI).

    python benchmarks/run.py [--sizes 1,5,20,20r,stress] [--steps check,refresh] [--rounds 3]
                             [--stress-rounds 1] [--workbooks DIR] [--no-memory] [--no-start-up]
                             [--timeout SECONDS] [--out BENCHMARKS.md]

Sizes are years of a demo site of 400 new porteurs a year, `stress` (5,000 a year for 20 years: about
100,000 porteurs and 518,000 rows), and a number followed by `r` (`20r`): that demo refreshed once, with
every generated sheet, on which only the reading steps are measured (the floor inflates those sheets too; the
reader skips them). For each size, every step runs once per round, the steps alternating within
a round, so that the machine's drift touches all of them alike; the figure is the median over the rounds. The
**floor** is what no reader of the file can avoid: inflating every worksheet part and parsing it with expat, no
handlers. The **naive** read is `pandas.read_excel(path, sheet_name=None, engine="openpyxl")`. Ratios are taken
against both, in the same rounds. CPU seconds are `time.process_time()`. Each step's peak memory is measured
apart, in a child process that runs that step alone (the high-water mark of its resident set, VmHWM: imports,
preparation and the step), so that one step's peak is not another's. With one round (the stress workbook by
default), the steps run only in those children, one after the other, and their CPU and wall times are taken
there, after the imports.

What a step needs and is not what the coordinator waits for is prepared outside its timing: the copy that
`refresh` rewrites, the JSON payload xlwings' VBA client would send for the `actualiser` button, and the
monthly exports that `consolidate` stacks. `--workbooks DIR` keeps the workbooks and those inputs in DIR and
reuses them on the next run, so that a re-run of a few steps on a few sizes takes minutes.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
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
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from xml.parsers import expat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

AS_OF = date(2026, 11, 26)
PEOPLE_PER_YEAR = 400
STRESS = (5000, 20)  # 5,000 people a year for 20 years: about 100,000 porteurs
STRESS_TARGETS_MB = {"check": 500, "refresh": 800}  # issue 13, item 5
REFRESHED = "r"  # a size ending so is that demo refreshed once (`workbook`)
READING_STEPS = ("floor", "calamine", "read", "check")
CONSOLIDATED_SIZE = "1"  # the site whose monthly exports `consolidate` stacks (see `consolidate_inputs`)


@dataclass
class Workbook:
    size: str  # years of 400 people, or "stress"
    path: Path
    porteurs: int
    rows: int
    seconds_to_make: float

    @property
    def label(self) -> str:
        if self.size.endswith(REFRESHED):
            return f"{self.size[:-1]} an(s), actualisé (ses feuilles générées, que la lecture saute)"
        return "stress" if self.size == "stress" else f"{self.size} an(s)"

    @property
    def scratch(self) -> Path:
        folder = self.path.parent / f"scratch-{self.size}"
        folder.mkdir(exist_ok=True)
        return folder


# --- the steps: each prepares what it needs (untimed) and returns the call that is timed --------------

def floor(book: Workbook) -> Callable[[], None]:
    def inflate_and_parse() -> None:
        with zipfile.ZipFile(book.path) as package:
            for name in package.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    expat.ParserCreate().Parse(package.read(name), True)
    return inflate_and_parse


def naive(book: Workbook) -> Callable[[], None]:
    import pandas as pd

    return lambda: pd.read_excel(book.path, sheet_name=None, engine="openpyxl")


def calamine(book: Workbook) -> Callable[[], None]:
    """Every sheet through calamine into Python lists: the parser's own cost, all sheets."""
    from citeslab_xl.adapters.reading import read_grids

    return lambda: read_grids(book.path)


def read(book: Workbook) -> Callable[[], None]:
    """What `check` reads before validating: the container checks, the sheets it uses, located."""
    from citeslab_xl.adapters.reading import read_workbook

    return lambda: read_workbook(book.path)


def check(book: Workbook) -> Callable[[], None]:
    from citeslab_xl.doors import api

    return lambda: api.check_file(book.path, AS_OF)


def indicators(book: Workbook) -> Callable[[], None]:
    from citeslab_xl.core import periods
    from citeslab_xl.doors import api

    return lambda: api.indicators(book.path, periods.parse_period(str(AS_OF.year)), AS_OF)


def refresh(book: Workbook) -> Callable[[], None]:
    from citeslab_xl.doors import api

    copy = book.scratch / f"refresh-{time.monotonic_ns()}.xlsx"
    shutil.copy(book.path, copy)
    return lambda: api.refresh(copy, AS_OF)


def export(book: Workbook) -> Callable[[], None]:
    from citeslab_xl.doors import api

    out = book.scratch / f"export-{time.monotonic_ns()}.xlsx"
    return lambda: api.export(book.path, out, as_of=AS_OF)


def consolidate(book: Workbook) -> Callable[[], None]:
    from citeslab_xl.doors import api

    inputs = consolidate_inputs(book)
    out = book.scratch / f"reseau-{time.monotonic_ns()}.xlsx"
    return lambda: api.consolidate(list(inputs), out)


def actualiser(book: Workbook) -> Callable[[], None]:
    """The button on xlwings' remote engine, with the payload its VBA client sends."""
    import xlremote

    from citeslab_xl.doors import buttons

    payload = json.loads(payload_file(book).read_text(encoding="utf-8"))

    def click() -> None:
        with xlremote.remote_book(payload) as remote:
            buttons.actualiser(remote, as_of=AS_OF)
    return click


STEPS: dict[str, Callable[[Workbook], Callable[[], None]]] = {
    "floor": floor, "naive": naive, "calamine": calamine, "read": read, "check": check,
    "indicators": indicators, "refresh": refresh, "export": export, "consolidate": consolidate,
    "actualiser": actualiser,
}


def consolidate_months() -> list:
    """The last twelve closed months before AS_OF: a year of a site's monthly exports."""
    from citeslab_xl.core import periods

    month = periods.previous_month(periods.month_of(AS_OF))
    months = []
    for _ in range(12):
        months.append(month)
        month = periods.previous_month(month)
    return months[::-1]


def consolidate_inputs(book: Workbook) -> list[Path]:
    """The long-form CSVs of the site's twelve monthly exports (made once, kept with the workbook).

    A site's monthly file has the same few dozen rows whatever its history, so what `consolidate` costs does
    not follow the workbook's size: it is measured on the 1-year site only, whose exports are cheap to make.
    """
    folder = book.path.parent / f"exports-{book.size}"
    made = sorted(folder.glob("*.csv"))
    if len(made) == 12:
        return made
    from citeslab_xl.adapters.export_file import write_export
    from citeslab_xl.core.per_run import one_run
    from citeslab_xl.doors import api

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    dataset = api.check_file(book.path, AS_OF)
    with one_run():
        for month in consolidate_months():
            write_export(dataset, month, AS_OF, book.path, folder / f"site-{month.debut:%Y-%m}.xlsx", "benchmark")
    return sorted(folder.glob("*.csv"))


def payload_file(book: Workbook) -> Path:
    """The JSON that xlwings' VBA client would send for the workbook (made once, kept with the workbook)."""
    path = book.path.with_suffix(".payload.json")
    if not path.exists():
        import xlremote

        path.write_text(json.dumps(xlremote.payload_from_xlsx(book.path)), encoding="utf-8")
    return path


def steps_for(book: Workbook, chosen: list[str]) -> list[str]:
    if book.size.endswith(REFRESHED):  # what its generated sheets change: what reading costs
        return [name for name in chosen if name in READING_STEPS]
    return [name for name in chosen if name != "consolidate" or book.size == CONSOLIDATED_SIZE]


# --- measuring -------------------------------------------------------------------------------------

@dataclass
class Samples:
    cpu: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)
    peak_mb: float | None = None
    failure: str | None = None

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu) if self.cpu else float("nan")

    @property
    def wall_median(self) -> float:
        return statistics.median(self.wall) if self.wall else float("nan")


def timed(call: Callable[[], None]) -> tuple[float, float]:
    gc.collect()  # the garbage of the steps before is not charged to this one
    cpu, wall = time.process_time(), time.perf_counter()
    call()
    return time.process_time() - cpu, time.perf_counter() - wall


def measure(book: Workbook, steps: list[str], rounds: int) -> dict[str, Samples]:
    """Each step once per round, alternating, in this process (after a warm-up round: imports and caches
    are not what the coordinator waits for)."""
    results = {name: Samples() for name in steps}
    for name in steps:
        STEPS[name](book)()
    clear(book)
    for _ in range(rounds):
        for name in steps:
            cpu, wall = timed(STEPS[name](book))
            results[name].cpu.append(cpu)
            results[name].wall.append(wall)
            clear(book)
    return results


def clear(book: Workbook) -> None:
    shutil.rmtree(book.scratch, ignore_errors=True)


def in_child(book: Workbook, step: str, timeout: float) -> Samples:
    """One step, alone in a fresh process: its CPU and wall time after the imports, and its peak memory."""
    command = [sys.executable, __file__, "--child", step, json.dumps(asdict(book), default=str)]
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return Samples(failure=f"not finished in {timeout:.0f} s of wall time")
    finally:
        clear(book)
    if done.returncode != 0:
        return Samples(failure=(done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1][:200])
    answer = json.loads(done.stdout.splitlines()[-1])
    return Samples([answer["cpu"]], [answer["wall"]], answer["peak_mb"])


def child(step: str, book_json: str) -> None:
    fields = json.loads(book_json)
    book = Workbook(fields["size"], Path(fields["path"]), fields["porteurs"], fields["rows"],
                    fields["seconds_to_make"])
    cpu, wall = timed(STEPS[step](book))
    print(json.dumps({"cpu": cpu, "wall": wall, "peak_mb": peak_mb()}))


def peak_mb() -> float:
    """This process's resident-set high-water mark, from /proc (VmHWM): `ru_maxrss` would carry over a
    parent's high-water mark through fork and exec."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM"))
    return int(line.split()[1]) / 1024


def cpu_of_command(arguments: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(arguments, check=True, capture_output=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        samples.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(samples)


# --- the workbooks ----------------------------------------------------------------------------------

def workbook(folder: Path, size: str) -> Workbook:
    """The demo of that size, made once per folder (its counts kept beside it); `20r` is the 20-year demo
    after one refresh, with every generated sheet."""
    path, facts = folder / f"demo-{size}.xlsx", folder / f"demo-{size}.json"
    if path.exists() and facts.exists():
        return Workbook(size, path, **json.loads(facts.read_text()))
    if size.endswith(REFRESHED):
        from citeslab_xl.doors import api

        source = workbook(folder, size[:-1])
        shutil.copy(source.path, path)
        start = time.perf_counter()
        api.refresh(path, AS_OF)
        for backup in folder.glob(f"demo-{size}.bak*"):
            backup.unlink()
        facts.write_text(json.dumps({"porteurs": source.porteurs, "rows": source.rows,
                                     "seconds_to_make": time.perf_counter() - start}))
        return workbook(folder, size)
    from citeslab_xl.demo import write_demo

    people, years = STRESS if size == "stress" else (PEOPLE_PER_YEAR, int(size))
    start = time.perf_counter()
    data = write_demo(path, people=people, years=years, as_of=AS_OF)
    book = Workbook(size, path, len(data.rows["porteurs"]), data.row_count, time.perf_counter() - start)
    facts.write_text(json.dumps({"porteurs": book.porteurs, "rows": book.rows,
                                 "seconds_to_make": book.seconds_to_make}))
    return book


def prepare(book: Workbook, steps: list[str]) -> None:
    """The inputs that are not timed, made before any timing (and kept with the workbook)."""
    if "actualiser" in steps:
        payload_file(book)
    if "consolidate" in steps:
        consolidate_inputs(book)


# --- the report -------------------------------------------------------------------------------------

def table(book: Workbook, results: dict[str, Samples], rounds: int) -> list[str]:
    floor_cpu = results["floor"].cpu_median if "floor" in results else float("nan")
    naive_cpu = results["naive"].cpu_median if "naive" in results else float("nan")
    how = (f"median of {rounds} rounds, steps alternating in one process" if rounds > 1 else
           "one round, each step alone in its own process (times after its imports)")
    lines = [f"### {book.label}: {spaced(book.porteurs)} porteurs, {spaced(book.rows)} rows, "
             f"{book.path.stat().st_size / 1e6:.1f} MB (made in {book.seconds_to_make:.1f} s)",
             "", f"{how}.", "", "| step | CPU s | wall s | × floor | × naive | µs per row | peak MB |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    notes = []
    for name, samples in results.items():
        if samples.failure:
            lines.append(f"| {name} | — | — | — | — | — | — |")
            notes.append(f"- {name}: not measured ({samples.failure}).")
            continue
        cpu, rows = samples.cpu_median, book.rows
        if name == "consolidate":
            rows = sum(1 for path in consolidate_inputs(book) for _ in path.open(encoding="utf-8")) - 12
            notes.append(f"- consolidate stacks the site's 12 monthly exports ({spaced(rows)} long-form rows, "
                         "the unit of its µs per row).")
        peak = "" if samples.peak_mb is None else f"{samples.peak_mb:.0f}"
        to_naive = "" if naive_cpu != naive_cpu else f"{cpu / naive_cpu:.2f}"  # NaN: the naive read not measured
        lines.append(f"| {name} | {cpu:.3f} | {samples.wall_median:.3f} | {cpu / floor_cpu:.1f} | "
                     f"{to_naive} | {cpu / rows * 1e6:.1f} | {peak} |")
    if book.size == "stress":
        for name, limit in STRESS_TARGETS_MB.items():
            if name in results and results[name].peak_mb is not None:
                peak = results[name].peak_mb
                notes.append(f"- {name} peaks at {peak:.0f} MB: target ≤ {limit} MB, "
                             f"{'met' if peak <= limit else 'not met'}.")
    return lines + ([""] + notes if notes else []) + [""]


def spaced(count: int) -> str:
    return f"{count:,}".replace(",", " ")


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f} / {fifteen:.1f}"


def start_up(runs: int) -> list[str]:
    script = Path(sys.executable).parent / "citeslab-xl"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "citeslab_xl"]
    bare = cpu_of_command([sys.executable, "-c", "pass"], runs)
    help_cpu = cpu_of_command([*command, "--help"], runs)
    return ["### Start-up", "", f"Median of {runs} runs.", "", "| command | CPU s | × bare interpreter |",
            "|---|---:|---:|", f"| `python -c pass` | {bare:.3f} | 1.0 |",
            f"| `citeslab-xl --help` | {help_cpu:.3f} | {help_cpu / bare:.1f} |", ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,5,20", help="years of 400 people each, or stress; comma-separated")
    parser.add_argument("--steps", help=f"only these steps, comma-separated (known: {', '.join(STEPS)}); the floor "
                                        "is always measured, for the ratios")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--stress-rounds", type=int, default=1)
    parser.add_argument("--workbooks", type=Path, help="keep the workbooks and inputs here, and reuse them")
    parser.add_argument("--no-memory", action="store_true", help="no child process per step (no peak memory)")
    parser.add_argument("--no-start-up", action="store_true", help="leave out the start-up of `citeslab-xl`")
    parser.add_argument("--out", type=Path, help="write the figures below the marker of this Markdown file")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds of wall time a child may take")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    chosen = list(STEPS)
    if args.steps:
        asked = args.steps.split(",")
        unknown = [name for name in asked if name not in STEPS]
        if unknown:
            parser.error(f"unknown steps: {', '.join(unknown)} (known: {', '.join(STEPS)})")
        chosen = [name for name in STEPS if name in {"floor", *asked}]

    folder = args.workbooks or Path(tempfile.mkdtemp(prefix="citeslab-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    books = [workbook(folder, size.strip()) for size in args.sizes.split(",")]
    report = [f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} "
              f"{platform.python_version()}; as of {AS_OF}; load average (1 / 5 / 15 min) at the start: {load()}.",
              ""]
    for book in books:
        steps = steps_for(book, chosen)
        prepare(book, steps)
        rounds = args.stress_rounds if book.size == "stress" else args.rounds
        if rounds > 1:
            results = measure(book, steps, rounds)
            if not args.no_memory:
                for name in steps:
                    results[name].peak_mb = in_child(book, name, args.timeout).peak_mb
        else:
            results = {name: in_child(book, name, args.timeout) for name in steps}
        lines = table(book, results, rounds)
        print("\n".join(lines), flush=True)
        report += lines
    if not args.no_start_up:
        report += start_up(max(args.rounds, 5))
    report += [f"Load average at the end: {load()}.", ""]
    text = "\n".join(report)
    print(text)
    if args.out:  # the figures replace what follows the marker; the prose above it is kept
        above = args.out.read_text(encoding="utf-8").split("<!-- figures -->")[0] if args.out.exists() else ""
        args.out.write_text(above + "<!-- figures -->\n\n" + text, encoding="utf-8")
    if not args.workbooks:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
