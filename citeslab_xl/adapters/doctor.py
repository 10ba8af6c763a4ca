"""`citeslab-xl doctor WB`: look at a workbook and what lies beside it, say what is wrong and what to do.

It only reads: no file is created, changed or removed (the advisory lock is
tried only when its file is already there). It never raises: whatever the
file is, the answer is a list of findings (`citeslab_xl.core.diagnosis`), and
a check that fails on a hostile file becomes a finding of its own, so that
the other checks still speak.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

from citeslab_xl.adapters import files
from citeslab_xl.adapters.opc import Package
from citeslab_xl.adapters.reading import check_container, is_date1904, read_grids, sha256_of
from citeslab_xl.adapters.workbook_file.book import BookInfo
from citeslab_xl.adapters.workbook_file.commit import TEMP_SUFFIX
from citeslab_xl.adapters.workbook_file.ownership import Ownership
from citeslab_xl.core import diagnosis
from citeslab_xl.core.diagnosis import FileFacts, Finding, Severity
from citeslab_xl.core.errors import UnusableWorkbook, WriteRefused
from citeslab_xl.core.grid import Grid, locate
from citeslab_xl.core.journal import JOURNAL
from citeslab_xl.core.validation import validate

__all__ = ["Finding", "Severity", "diagnose", "needs_action"]

needs_action = diagnosis.needs_action

T = TypeVar("T")
# What the standard library raises on a damaged zip (a bad deflate stream, an unknown compression method,
# an encrypted entry) where the checks of `reading` and the OPC package do not word it.
_DAMAGED_ZIP = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError, ValueError)


def diagnose(path: str | Path, *, today: date | None = None) -> list[Finding]:
    """What is wrong with the workbook at `path` and what to do, « Rien à faire » included; never raises."""
    path = Path(path)
    today = today or date.today()
    findings: list[Finding] = []
    busy = _guarded(findings, lambda: _beside(path)) or []
    findings += busy
    inspection = _guarded(findings, lambda: _inspect(path, today)) or _Inspection()
    findings += inspection.findings
    running = any(f.code == "run-in-progress" for f in busy)
    findings += _guarded(findings, lambda: _backups(path, inspection, running)) or []
    return diagnosis.with_verdict(findings)


def _guarded(findings: list[Finding], check: Callable[[], T]) -> T | None:
    """Run one check; a failure becomes a finding instead of hiding the others."""
    try:
        return check()
    except Exception as exc:  # any input, however hostile, gets an answer
        findings.append(diagnosis.todo("doctor-failed", f"Une partie du diagnostic n'a pas pu se faire "
                                                        f"({type(exc).__name__}) : le fichier est peut-être endommagé.",
                                       "Ouvrez-le dans Excel et réenregistrez-le, puis relancez ; si cela persiste, "
                                       "transmettez le fichier à la personne qui maintient l'outil."))
        return None


# --- beside the workbook ----------------------------------------------------------

def _beside(path: Path) -> list[Finding]:
    found = []
    for lock, program in ((f"~${path.name}", "Excel"), (f".~lock.{path.name}#", "LibreOffice")):
        if (path.parent / lock).exists():
            found.append(diagnosis.open_elsewhere(path.name, program, lock))
    running = files.is_locked(path)
    if running:
        found.append(diagnosis.run_in_progress(path.name))
    leftovers = _temporary_files(path)
    if leftovers and not running:
        found.append(diagnosis.interrupted_run(leftovers))
    return found


def _temporary_files(path: Path) -> list[str]:
    path = _real(path)
    if not path.parent.is_dir():
        return []
    # the writer's `.NAME.<random>.citeslab-tmp` (its backup copy's too), and `files.replace_file`'s
    # `.~citeslab-STEM-<random>.xlsx`
    prefixes = (f".{path.name}.", f".{path.stem}.bak", f".~citeslab-{path.stem}-")
    return sorted(entry.name for entry in path.parent.iterdir()
                  if entry.name.startswith(prefixes)
                  and (entry.name.endswith(TEMP_SUFFIX) or entry.name.startswith(prefixes[2])))


# --- the workbook -----------------------------------------------------------------

@dataclass
class _Inspection:
    findings: list[Finding] = field(default_factory=list)
    readable: bool = False  # the workbook can be read: a backup is not the only way out
    journal: Grid | None = None


def _inspect(path: Path, today: date) -> _Inspection:
    try:
        check_container(path)
    except UnusableWorkbook as refusal:
        return _Inspection([diagnosis.unreadable(refusal.message)])
    except _DAMAGED_ZIP as exc:
        return _Inspection([diagnosis.unreadable(_damaged(path, exc))])
    # the zip opens; when its content does not, `readable` stays False: a backup may be the way out
    inspection = _Inspection(_package(path))
    if any(f.code == "unreadable" for f in inspection.findings):
        return inspection
    try:
        grids = read_grids(path)
        raw = locate(grids, is_date1904(path))
    except UnusableWorkbook as refusal:
        inspection.findings.append(diagnosis.unreadable(refusal.message))
        return inspection
    inspection.readable = True
    inspection.journal = grids.get(JOURNAL)
    inspection.findings += diagnosis.journal_findings(inspection.journal, today)
    if "porteurs" not in raw.tables:
        inspection.findings.append(diagnosis.no_porteurs())
        return inspection
    inspection.findings += diagnosis.missing_column_findings(raw)
    inspection.findings += diagnosis.data_findings(validate(raw, today), str(path))
    return inspection


def _package(path: Path) -> list[Finding]:
    """What the writer would refuse or could not carry, read the way the writer reads it."""
    found: list[Finding] = []
    try:
        with zipfile.ZipFile(path) as archive:
            found += diagnosis.package_findings(archive.namelist())
        package = Package(path.read_bytes(), path.name)
        book = BookInfo.read(package)
        ownership = Ownership.read(package, book)
    except WriteRefused as refusal:
        return found or [diagnosis.writer_refusal(refusal.message)]  # a signed or shared book says so already
    except UnusableWorkbook as refusal:
        return found + [diagnosis.unreadable(refusal.message)]
    except _DAMAGED_ZIP as exc:
        return found + [diagnosis.unreadable(_damaged(path, exc))]
    if book.structure_locked:
        found.append(diagnosis.structure_locked())
    return found + diagnosis.generated_name_findings([sheet.name for sheet in book.sheets], ownership.owned)


def _damaged(path: Path, exc: Exception) -> str:
    if isinstance(exc, PermissionError):
        return f"{path.name} : lecture refusée par le système (droits insuffisants) ; demandez l'accès au fichier."
    return (f"{path.name} : fichier endommagé (une partie ne se décompresse pas : {type(exc).__name__}) ; "
            "reprenez une copie intacte (ou la sauvegarde .bak).")


# --- backups ----------------------------------------------------------------------

def _backups(path: Path, inspection: _Inspection, running: bool) -> list[Finding]:
    if running:
        return []  # a run in progress is making its backup right now
    # a backup offered in place of a broken workbook must read through, not merely open
    backups = [_facts(backup, thorough=not inspection.readable) for backup in _backup_files(path)]
    workbook = _facts(path) if path.is_file() and inspection.readable else None
    return diagnosis.backup_findings(workbook, backups, diagnosis.last_run_sha(inspection.journal), path.name)


def _backup_files(path: Path) -> list[Path]:
    """`NAME.bak.xlsx`, `NAME.bak1.xlsx`, `NAME.bak2.xlsx`... as `commit.backup_paths` names them, however many."""
    path = _real(path)
    if not path.parent.is_dir():
        return []
    pattern = re.compile(re.escape(path.stem) + r"\.bak\d*" + re.escape(path.suffix) + "$", re.IGNORECASE)
    return sorted(entry for entry in path.parent.iterdir() if pattern.match(entry.name) and entry.is_file())


def _real(path: Path) -> Path:
    """Where the writer keeps backups and temporary files: beside the file a link points to (`commit.commit`)."""
    return Path(os.path.realpath(path))


def _facts(path: Path, thorough: bool = False) -> FileFacts:
    try:
        check_container(path)
        if thorough:
            read_grids(path)
        readable = True
    except (UnusableWorkbook, *_DAMAGED_ZIP):
        readable = False
    return FileFacts(path.name, datetime.fromtimestamp(path.stat().st_mtime), sha256_of(path), readable)
