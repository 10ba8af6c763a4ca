"""Writing the generated sheets into the coordinator's workbook, and nothing else.

The workbook is never re-saved: the generated sheets are written as sheet
XML from their layouts (adapters/sheet_xml), then spliced into the original
package at the zip level, so that every part the tool did not generate keeps its name,
bytes and zip metadata. The steps, one module each under
`citeslab_xl.adapters.workbook_file`:
- `book`: what the workbook part says; refuses a signed, legacy shared or
  Strict OOXML workbook;
- `ownership`: which sheets are the tool's (a custom document property and a
  sheet-scoped defined name); a sheet with a generated name that is not the
  tool's is refused;
- `append_only`: the rows already in `Journal`, kept above the new one;
- `splice` (with `styles`): the new package;
- `commit`: backups `NAME.bak.xlsx`... and the atomic replacement; refuses
  when Excel or LibreOffice has the file open.
Every refusal comes before anything is written.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from citeslab_xl.adapters import files
from citeslab_xl.adapters.opc import Package
from citeslab_xl.adapters.reading import check_container
from citeslab_xl.adapters.workbook_file import splice
from citeslab_xl.adapters.workbook_file.append_only import with_previous_rows
from citeslab_xl.adapters.workbook_file.book import BookInfo
from citeslab_xl.adapters.workbook_file.commit import (
    TEMP_SUFFIX,
    Disk,
    backup_paths,
    commit,
    create_copy,
    refuse_if_open,
)
from citeslab_xl.adapters.workbook_file.ownership import (
    OWNERSHIP_NAME,
    OWNERSHIP_PROPERTY,
    Ownership,
    decode_owned,
    encode_owned,
    marker_reference,
)
from citeslab_xl.core import journal
from citeslab_xl.core.errors import UnusableWorkbook, WriteRefused
from citeslab_xl.core.journal import JOURNAL, JOURNAL_HEADERS, journal_layout
from citeslab_xl.core.layout import SheetLayout

__all__ = ["JOURNAL", "JOURNAL_HEADERS", "OWNERSHIP_NAME", "OWNERSHIP_PROPERTY", "TEMP_SUFFIX", "Disk", "WriteReport",
           "backup_paths", "decode_owned", "encode_owned", "journal_layout", "marker_reference", "refuse_if_open",
           "write_generated"]

SUFFIXES = (".xlsx", ".xlsm")
FORBIDDEN_IN_SHEET_NAMES = set("[]:*?/\\")
SHEET_NAME_MAX = 31


@dataclass
class WriteReport:
    path: Path  # the file written
    backup: Path | None  # the copy of its previous version, when one was kept
    added: list[str]  # sheets appended at the end of the workbook
    replaced: list[str]  # sheets the tool owned, rebuilt in place
    sha256_before: str  # of the workbook read, before the run


def write_generated(path: str | Path, layouts: list[SheetLayout], *, out: str | Path | None = None,
                    journal_row: list | None = None, keep_backups: int = 3, disk: Disk | None = None) -> WriteReport:
    """Write `layouts` into the workbook at `path` (or into a copy at `out`).

    `journal_row` adds one row to `Journal`: the caller gives the first five
    values of `JOURNAL_HEADERS` (`journal.run_values`); the writer adds the
    sheets written and the SHA-256 of the file it read. `disk` does the
    physical writes (the real disk by default). Raises WriteRefused or
    UnusableWorkbook, with nothing written, when it will not or cannot write.
    """
    source = Path(path)
    target = Path(out) if out is not None else source
    layouts = list(layouts)
    _check_request(source, target, layouts, journal_row)
    if out is not None:  # a new file, never one that exists (interfaces.md › Every file the tool writes)
        files.check_new_target(target, (source.suffix.lower(),))
    refuse_if_open(target)
    check_container(source)
    original = source.read_bytes()
    sha256_before = hashlib.sha256(original).hexdigest()

    package = Package(original, source.name)
    book = BookInfo.read(package)
    ownership = Ownership.read(package, book)
    if journal_row is not None:
        row = journal.row(journal_row, [layout.name for layout in layouts], sha256_before)
        layouts.append(journal_layout([row]))
    sheets = splice.plan(package, book, ownership, layouts)
    layouts = [with_previous_rows(package, book, layout) if layout.append_only else layout for layout in layouts]
    entries = splice.splice(package, book, ownership, sheets, layouts)
    if out is None:
        backup = commit(target, entries, keep_backups, disk or Disk())
    else:
        create_copy(target, entries, disk or Disk())
        backup = None
    return WriteReport(target, backup, sheets.added, sheets.replaced, sha256_before)


def _check_request(source: Path, target: Path, layouts: list[SheetLayout], journal_row: list | None) -> None:
    if not layouts and journal_row is None:
        raise ValueError("aucune feuille à écrire")
    names = [layout.name for layout in layouts] + ([JOURNAL] if journal_row is not None else [])
    for name in names:
        _check_sheet_name(name)
    folded = [name.casefold() for name in names]
    if len(set(folded)) != len(folded):
        raise ValueError(f"feuilles en double : {names}")
    if journal_row is not None:
        journal.check_given(journal_row)
    if source.suffix.lower() not in SUFFIXES:
        raise UnusableWorkbook(f"{source.name} : l'outil écrit dans un classeur .xlsx ou .xlsm ; "
                               "ouvrez-le dans Excel et enregistrez-le au format « Classeur Excel (*.xlsx) ».")
    if target.suffix.lower() != source.suffix.lower():
        raise WriteRefused(f"« {target.name} » doit avoir la même extension que « {source.name} » ({source.suffix}) : "
                           "Excel refuse d'ouvrir un classeur dont l'extension ne correspond pas au contenu.")


def _check_sheet_name(name: str) -> None:
    if (not name or len(name) > SHEET_NAME_MAX or FORBIDDEN_IN_SHEET_NAMES & set(name)
            or name.startswith("'") or name.endswith("'") or name.casefold() == "history"):
        raise ValueError(f"nom de feuille impossible dans Excel : {name!r}")
