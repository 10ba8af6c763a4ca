"""Runs of `refresh` killed at chosen points, and what a workbook must be after each (tests/test_faults.py).

A run is forked from the test process, which has imported everything already, so that a kill point costs the run
up to that point rather than the seconds of imports. It kills itself (SIGKILL) before the n-th filesystem
operation of the run (counted with an audit hook), before the n-th zip entry of the new file, or inside an entry
after n bytes; or the test kills it after a delay. `Chain` checks, after each run, that the workbook is
byte-for-byte the old one or a complete new one, that it opens, that no Journal row is lost, and that the `.bak`
copies rotate and never exceed their number.
"""

from __future__ import annotations

import hashlib
import inspect
import io
import json
import os
import random
import signal
import sys
import time
import traceback
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from conftest import AS_OF, run_cli
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook
from workbook_packages import sheet_parts

from citeslab_xl.adapters import files
from citeslab_xl.adapters.workbook_file import commit
from citeslab_xl.adapters.writer import TEMP_SUFFIX, backup_paths, write_generated
from citeslab_xl.doors import api

KEEP = inspect.signature(write_generated).parameters["keep_backups"].default
"""How many `.bak` copies a refresh keeps."""

WATCHED_EVENTS = {"open", "os.rename", "os.remove", "os.link", "os.chmod", "os.chown", "os.listdir", "os.scandir",
                  "tempfile.mkstemp", "os.truncate", "os.mkdir", "os.symlink"}
"""The audit events of a filesystem operation (os.replace raises `os.rename`, os.unlink `os.remove`)."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def journal_rows(data: bytes) -> list[list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    if "Journal" not in book.sheet_names:
        return []
    rows = book.get_sheet_by_name("Journal").to_python()
    header = next(i for i, row in enumerate(rows) if row[0] == "Date et heure")
    body = rows[header + 1:]
    return body[:next((i for i, row in enumerate(body) if row[0] == ""), len(body))]


_OPENED: set[str] = set()


def assert_opens(data: bytes) -> None:
    """calamine reads every sheet and openpyxl loads the package (once per version)."""
    if sha256(data) in _OPENED:
        return
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()
    load_workbook(io.BytesIO(data)).close()
    _OPENED.add(sha256(data))


def assert_refreshed_from(data: bytes, before: bytes, reference: bytes, runs: int = 1) -> None:
    """`data` is a complete refresh of `before` (`runs` of them): the reference's parts, Journal grown by `runs`."""
    new, expected = parts(data), parts(reference)
    journal = sheet_parts(new)["Journal"]
    assert new.keys() == expected.keys()
    assert [name for name in new if name != journal and new[name] != expected[name]] == []
    rows, old = journal_rows(data), journal_rows(before)
    assert rows[:len(old)] == old and len(rows) == len(old) + runs  # no row lost, one per run
    last_expected = journal_rows(reference)[-1]
    for row in rows[len(old):]:
        assert isinstance(row[0], datetime) and row[1:5] == last_expected[1:5]
    if runs == 1:
        assert rows[-1][6] == sha256(before)  # the run read exactly the version it replaced
    assert_opens(data)


def backups(workbook: Path) -> dict[str, bytes]:
    """Every `NAME.bak*.xlsx` beside the workbook."""
    stem, suffix = workbook.stem, workbook.suffix
    return {p.name: p.read_bytes() for p in workbook.parent.iterdir()
            if p.name.startswith(f"{stem}.bak") and p.name.endswith(suffix)}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(TEMP_SUFFIX) or
                  (p.name.startswith(".~citeslab-") and not p.name.endswith(".lock")))


def seasoned(folder: Path, reference: bytes, original: Path) -> Path:
    """A refreshed workbook with its KEEP backups, each different."""
    workbook = folder / original.name
    workbook.write_bytes(reference)
    olders = [original.read_bytes()] + [f"sauvegarde {i}".encode() for i in range(1, KEEP)]
    for path, data in zip(backup_paths(workbook, KEEP), olders, strict=True):
        path.write_bytes(data)
    return workbook


def state(folder: Path, workbook: Path) -> dict[str, bytes]:
    """The folder's files but the lock (which a run creates empty, and which is not the workbook's content)."""
    lock = files.lock_path(Path(os.path.realpath(workbook))).name
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name != lock and not p.is_dir()}


# --- forked runs ----------------------------------------------------------------------------

def fork(run: Callable[[], object]) -> int:
    """`run` in a child process; it exits 0, 2 on a refusal (the CLI's code when it returns one), 1 on a crash."""
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        result = run()
        code = result if isinstance(result, int) else 0
    except Exception:  # the parent sees the code; the traceback goes to the captured stderr
        traceback.print_exc()
    finally:
        os._exit(code)


def wait(pid: int) -> int:
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def armed_refresh(workbook: Path, kind: str, at: int, counts_file: Path) -> Callable[[], None]:
    """A refresh that kills itself at the `at`-th filesystem event, zip entry or byte; counts them otherwise."""
    counts = {"event": 0, "entry": 0, "byte": 0}
    folder = str(workbook.parent)

    def write_entry(disk, archive, info, data):
        counts["entry"] += 1
        if kind == "entry" and counts["entry"] == at:
            archive.fp.flush()
            die()
        if kind == "byte" and counts["byte"] + len(data) >= at:
            archive.fp.write(data[:at - counts["byte"]])
            archive.fp.flush()
            die()
        counts["byte"] += len(data)
        archive.write(info)

    def audit(event: str, args: tuple) -> None:
        if event in WATCHED_EVENTS and args and folder in str(args[0]):
            counts["event"] += 1
            if kind == "event" and counts["event"] == at:
                die()

    def run() -> None:
        commit.Disk.write_entry = write_entry  # type: ignore[method-assign]  # in the child only
        sys.addaudithook(audit)
        api.refresh(workbook, as_of=AS_OF)
        counts_file.write_text(json.dumps(counts))

    return run


class Chain:
    """Refreshes of one workbook, some killed: after each, the workbook is the old one or a complete new one."""

    def __init__(self, workbook: Path, reference: bytes):
        self.workbook, self.reference = workbook, reference
        self.current = workbook.read_bytes()
        self.versions = {sha256(self.current)}
        self.outcomes: dict[str, int] = {"inchangé": 0, "nouveau": 0, "terminé": 0}
        assert_opens(self.current)

    def check(self, code: int) -> None:
        """After a run that exited with `code` (-SIGKILL when killed)."""
        assert code in (0, -signal.SIGKILL), code
        now, kept = self.workbook.read_bytes(), backups(self.workbook)
        allowed = {path.name for path in backup_paths(self.workbook, KEEP)}
        assert set(kept) <= allowed, sorted(kept)  # never more than KEEP copies
        assert {sha256(data) for data in kept.values()} <= self.versions  # each is a version the workbook had
        if now == self.current:
            assert code != 0, "a refresh that ended left the workbook unchanged"
            self.outcomes["inchangé"] += 1
        else:
            assert_refreshed_from(now, self.current, self.reference)
            assert kept[backup_paths(self.workbook, 1)[0].name] == self.current  # the replaced version is kept
            self.current = now
            self.versions.add(sha256(now))
            self.outcomes["terminé" if code == 0 else "nouveau"] += 1
        if code == 0:  # a run that ends removes what killed runs left behind
            assert leftovers(self.workbook.parent) == []

    def run(self, kind: str, at: int, counts_file: Path) -> float:
        """One run, checked; returns how long it took."""
        start = time.monotonic()
        code = wait(fork(armed_refresh(self.workbook, kind, at, counts_file)))
        took = time.monotonic() - start
        self.check(code)
        return took

    def timed_kill(self, delay: float, counts_file: Path) -> None:
        pid = fork(armed_refresh(self.workbook, "none", 0, counts_file))
        time.sleep(delay)
        os.kill(pid, signal.SIGKILL)  # a child that has just ended is a zombie: the signal is harmless
        self.check(wait(pid))

    def measure(self, counts_file: Path) -> tuple[dict[str, int], float]:
        """A complete run: how many events, entries and bytes it has, and how long it takes."""
        counts_file.unlink(missing_ok=True)
        took = self.run("none", 0, counts_file)
        return json.loads(counts_file.read_text()), took


def spread(total: int, count: int) -> list[int]:
    """`count` points from 1 to `total`, evenly spread, the first and the last included."""
    if count >= total:
        return list(range(1, total + 1))
    if count == 1:
        return [(total + 1) // 2]
    return sorted({1 + round(i * (total - 1) / (count - 1)) for i in range(count)})


def kill_everywhere(chain: Chain, tmp_path: Path, *, events: int, entries: int, byte_points: int, timers: int,
                    seasons: int) -> int:
    counts_file = tmp_path / "counts.json"
    for _ in range(seasons - 1):  # runs that give the workbook its backups, so that the counts are the steady ones
        chain.measure(counts_file)
    counts, duration = chain.measure(counts_file)
    points = ([("event", n) for n in spread(counts["event"], events)]
              + [("entry", n) for n in spread(counts["entry"], entries)]
              + [("byte", n) for n in spread(counts["byte"], byte_points)])
    for kind, at in points:
        chain.run(kind, at, counts_file)
    rng = random.Random(10)
    for _ in range(timers):
        chain.timed_kill(rng.uniform(0, duration), counts_file)
    print(f"{len(points) + timers} points d'arrêt ({counts}, {duration:.2f} s) : {chain.outcomes}")
    return len(points) + timers


# --- two runs at once ----------------------------------------------------------------------

def _cli_child(workbook: Path, start: int, report: Path) -> Callable[[], int]:
    def run() -> int:
        os.read(start, 1)  # both children leave this line together
        result = run_cli("refresh", workbook, "--as-of", AS_OF)
        report.write_text(json.dumps({"code": result.exit_code, "stderr": result.stderr}))
        return result.exit_code
    return run


def race(workbook: Path, tmp_path: Path) -> list[dict]:
    start_read, start_write = os.pipe()
    reports = [tmp_path / f"course-{i}.json" for i in range(2)]
    pids = [fork(_cli_child(workbook, start_read, report)) for report in reports]
    os.write(start_write, b"go")
    codes = [wait(pid) for pid in pids]
    os.close(start_read)
    os.close(start_write)
    results = [json.loads(report.read_text()) for report in reports]
    assert [r["code"] for r in results] == codes
    return results


def two_runs_at_once(chain: Chain, tmp_path: Path, rounds: int) -> dict[str, int]:
    seen = {"attendu": 0, "refusé": 0}
    for _ in range(rounds):
        before = chain.current
        results = race(chain.workbook, tmp_path)
        codes = sorted(r["code"] for r in results)
        now = chain.workbook.read_bytes()
        if codes == [0, 0]:  # the second waited for the lock, then refreshed what the first had written
            assert_refreshed_from(now, before, chain.reference, runs=2)
            bak, bak1 = (backups(chain.workbook)[p.name] for p in backup_paths(chain.workbook, 2))
            assert bak1 == before and journal_rows(now)[-1][6] == sha256(bak)
            assert journal_rows(now)[-2][6] == sha256(before)
            seen["attendu"] += 1
        else:
            assert codes == [0, 2], results
            refused = next(r for r in results if r["code"] == 2)
            assert "déjà en cours de mise à jour" in refused["stderr"], refused
            assert_refreshed_from(now, before, chain.reference)
            seen["refusé"] += 1
        chain.current = now
        chain.versions |= {sha256(now), *(sha256(data) for data in backups(chain.workbook).values())}
        assert leftovers(chain.workbook.parent) == []
    return seen
