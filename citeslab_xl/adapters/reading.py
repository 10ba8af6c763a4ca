"""Reading a workbook file into grids, fast and defensively.

Values come from python-calamine in bulk (an order of magnitude faster than
openpyxl on large sheets). Before any parser sees the file, its container is
checked so that a wrong format, a password-protected file, a truncated file or
a zip bomb ends in one French sentence rather than a traceback or a hang.
"""

from __future__ import annotations

import hashlib
import html
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from citeslab_xl.core import plan, schema
from citeslab_xl.core.errors import UnusableWorkbook
from citeslab_xl.core.gc_paused import gc_paused
from citeslab_xl.core.grid import ExcelError, Grid, RawWorkbook, find_parametres, find_sheet, locate, read_settings

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# What a real site reaches in 50 years, from the bytes per row of the demo's sheet XML (Porteurs 1,010,
# Rendez-vous 420, Suivi 250) at 1,000 new porteurs a year (a large site), with their 2.9 rendez-vous and
# 1.25 follow-ups each: 50,000 porteurs, 145,000 rendez-vous, 63,000 follow-ups, about 130 MB of XML, and
# at most 145,000 rows × 26 columns (as `_extent` counts them) = 3.8 million cells in one sheet.
# The limits are four times that, so that a site twice as large with twice the rendez-vous still opens (the
# 100,000-porteur stress workbook is 244 MB and 7.5 million cells); past them it is a bomb, not a workbook.
MAX_UNCOMPRESSED = 512 << 20
MAX_RATIO = 100
MAX_CELLS = 16_000_000  # calamine spends 32 bytes a cell of a sheet's dense block: at most 512 MB
SHARED_CELLS = 1_000_000  # a sheet past this many cells has its equal cells shared (`_shared`)
_SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml")
# Any attribute order: a row's r is digits only, a cell's starts with letters (past Z only: few matches, fast).
_ROW_REF = re.compile(rb' r="(\d{1,7})"')
_WIDE_CELL_REF = re.compile(rb' r="([A-Z]{2,3})\d')
_ERROR_TYPE = re.compile(rb' t="e"')
_CELL_REF = re.compile(rb' r="([A-Z]{1,3}\d{1,7})"')
_ERROR_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</")
_DATE1904 = re.compile(rb"<(?:\w+:)?workbookPr\b[^>]*\bdate1904=\"(?:1|true)\"")

DAMAGED = "fichier incomplet ou endommagé ; reprenez une copie intacte (ou la sauvegarde .bak)."
# What zipfile raises on a damaged member: a bad CRC or stream, or a directory naming a zip version or a
# compression method it lacks (NotImplementedError), or encryption (RuntimeError).
ZIP_ERRORS = (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error, NotImplementedError, RuntimeError)
SAVE_AS = "ouvrez-le dans Excel et enregistrez-le au format « Classeur Excel (*.xlsx) »"


def _refuse(path: Path, why: str) -> UnusableWorkbook:
    return UnusableWorkbook(f"{path.name} : {why}")


def check_container(path: Path) -> dict[str, dict[str, str]]:
    """Refuse, with a French sentence, anything that is not a readable .xlsx/.xlsm; give the error cells found
    on the way (sheet part -> cell reference -> `#N/A`...), which calamine reads as empty."""
    return _check_extents(path, check_package(path))


def check_package(path: Path) -> list[str]:
    """Everything `check_container` refuses but a sheet's extent; the sheet parts, whose extents are checked
    before calamine reads them (`_check_extents`)."""
    if not path.exists():
        raise _refuse(path, "fichier introuvable ; vérifiez le chemin.")
    if not path.is_file():
        raise _refuse(path, "ce n'est pas un fichier ; indiquez un classeur .xlsx ou .xlsm.")
    with path.open("rb") as handle:
        head = handle.read(8)
    if not head:
        raise _refuse(path, "le fichier est vide ; indiquez un classeur .xlsx ou .xlsm enregistré par Excel.")
    if head == OLE_MAGIC:
        if _is_encrypted_package(path):
            raise _refuse(path, "classeur protégé par mot de passe ; ouvrez-le dans Excel, retirez le mot de passe "
                                "(Fichier › Informations › Protéger le classeur) et enregistrez-le, puis réessayez.")
        raise _refuse(path, f"classeur au format .xls (Excel 97-2003) ; {SAVE_AS}.")
    if not head.startswith(ZIP_MAGIC):
        raise _refuse(path, f"ce n'est pas un classeur Excel ; {SAVE_AS}.")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):  # e.g. "zip file version 8.4"
        raise _refuse(path, "fichier incomplet ou endommagé ; "
                            "reprenez une copie intacte (ou la sauvegarde .bak).") from None
    if "xl/workbook.bin" in names:
        raise _refuse(path, f"classeur binaire .xlsb ; {SAVE_AS}.")
    if "mimetype" in names or "content.xml" in names:
        raise _refuse(path, f"classeur OpenDocument (.ods) ; {SAVE_AS}.")
    if "xl/workbook.xml" not in names:
        raise _refuse(path, f"ce fichier zip n'est pas un classeur Excel ; {SAVE_AS}.")
    if "[content_types].xml" not in {name.casefold() for name in names}:  # Excel refuses such a package too
        raise _refuse(path, "fichier endommagé (il y manque [Content_Types].xml) ; "
                            "reprenez une copie intacte (ou la sauvegarde .bak).")
    total = sum(i.file_size for i in infos)
    ratio = max((i.file_size / max(i.compress_size, 1) for i in infos), default=0)
    if total > MAX_UNCOMPRESSED or (ratio > MAX_RATIO and total > 50 << 20):
        raise _refuse(path, "contenu décompressé anormalement volumineux (archive piégée ?) ; le fichier n'est pas lu.")
    return [i.filename for i in infos if _SHEET_PART.fullmatch(i.filename)]


def _check_extents(path: Path, sheets: list[str]) -> dict[str, dict[str, str]]:
    """Refuse a sheet whose cells span more than MAX_CELLS: calamine holds a sheet as one dense block, and a
    single cell at XFD1048576 would have it ask for 512 GB and abort the process."""
    try:
        with zipfile.ZipFile(path) as archive:
            return _extents_in(path, archive, sheets)
    except ZIP_ERRORS:
        raise _refuse(path, DAMAGED) from None


def _extents_in(path: Path, archive: zipfile.ZipFile, sheets: list[str]) -> dict[str, dict[str, str]]:
    errors: dict[str, dict[str, str]] = {}
    try:
        for name in sheets:
            rows, columns, errors[name] = _extent(archive, name)
            if rows * columns > MAX_CELLS:
                raise _refuse(path, f"une feuille s'étend sur {rows} lignes et {columns} colonnes, bien "
                                    "au-delà d'un classeur de suivi ; supprimez les lignes et colonnes vides "
                                    "en bas et à droite des tableaux, enregistrez, puis réessayez.")
    except ZIP_ERRORS:
        raise _refuse(path, DAMAGED) from None
    return {name: found for name, found in errors.items() if found}


def _extent(archive: zipfile.ZipFile, name: str) -> tuple[int, int, dict[str, str]]:
    """The last row and (past Z) column that a sheet's references reach, and its error cells; read by chunks,
    never the whole part."""
    rows, columns, errors = 0, 26, dict[str, str]()
    tail = b""
    with archive.open(name) as part:
        while chunk := part.read(1 << 20):
            text = tail + chunk
            rows = max([rows, *map(int, _ROW_REF.findall(text))])
            columns = max([columns, *map(_column_number, _WIDE_CELL_REF.findall(text))])
            errors.update(_error_cells(text))
            tail = text[-4096:]
    return rows, columns, errors


def _error_cells(text: bytes) -> Iterator[tuple[str, str]]:
    """(reference, error text) of each complete error cell (`<c r="B5" t="e">...<v>#N/A</v></c>`) in the text."""
    for match in _ERROR_TYPE.finditer(text):
        start, end = text.rfind(b"<", 0, match.start()), text.find(b"</c>", match.end())
        ref = _CELL_REF.search(text, start, text.find(b">", match.end()))
        if start < 0 or end < 0 or ref is None:
            continue  # cut by the chunk's end: the next chunk holds it whole
        value = _ERROR_VALUE.search(text, start, end)
        yield ref.group(1).decode(), value.group(1).decode() if value else "#N/A"


def _mark_errors(grid: Grid, errors: dict[str, str]) -> None:
    """Put each error cell's text, as an ExcelError, where calamine left an empty string."""
    for ref, text in errors.items():
        letters = ref.rstrip("0123456789")
        i, j = int(ref[len(letters):]) - grid.top, _column_number(letters.encode()) - grid.left
        if 0 <= i < len(grid.cells) and 0 <= j < len(grid.cells[i]):
            grid.cells[i][j] = ExcelError(text)


def _sheet_parts(path: Path) -> dict[str, str]:
    """Each sheet's name and part, through the workbook and its relationships (calamine has read both)."""
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
        if "xl/_rels/workbook.xml.rels" not in archive.namelist():
            return {}
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    targets = {}
    for rel in re.findall(r"<(?:\w+:)?Relationship\b[^>]*>", rels):
        rid, target = re.search(r'\bId="([^"]+)"', rel), re.search(r'\bTarget="([^"]+)"', rel)
        if rid and target:
            targets[rid.group(1)] = posixpath.normpath(posixpath.join("xl", target.group(1))).lstrip("/")
    parts = {}
    for sheet in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
        name, rid = re.search(r'\bname="([^"]*)"', sheet), re.search(r'\br:id="([^"]+)"', sheet)
        if name and rid and rid.group(1) in targets:
            parts[html.unescape(name.group(1))] = targets[rid.group(1)]
    return parts


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _is_encrypted_package(path: Path) -> bool:
    """An encrypted .xlsx is an OLE container holding an `EncryptedPackage` stream."""
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    return "EncryptedPackage".encode("utf-16-le") in head


def is_date1904(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return bool(_DATE1904.search(archive.read("xl/workbook.xml")))
    except ZIP_ERRORS:  # e.g. a CRC that calamine does not check
        raise _refuse(path, DAMAGED) from None


def read_grids(path: Path) -> dict[str, Grid]:
    """Every sheet of the workbook as a grid (after `check_container`; error cells left empty)."""
    with _calamine(path) as book:
        return {meta.name: _grid(book, meta.name) for meta in book.sheets_metadata}


@contextmanager
def _calamine(path: Path) -> Iterator[Any]:
    """The workbook opened by calamine; whatever calamine raises on a broken package, refused in French."""
    # imported here, not above: python-calamine is compiled and Pyodide < 0.29 lacks it, and the buttons
    # (xlwings Lite among them) import this module without reading any file (tests/test_lite_path.py)
    import python_calamine

    try:
        yield python_calamine.CalamineWorkbook.from_path(str(path))
    except UnusableWorkbook:
        raise
    except Exception as exc:  # calamine raises several exception types for a broken package
        raise _refuse(path, f"le classeur ne peut pas être lu ({type(exc).__name__}) ; "
                            f"{SAVE_AS} puis réessayez.") from None


def _grid(book: Any, name: str, rows: int | None = None) -> Grid:
    """One sheet's used range (its first `rows` rows only, when given)."""
    sheet = book.get_sheet_by_name(name)
    start = sheet.start or (0, 0)
    cells = sheet.to_python(skip_empty_area=True, nrows=rows)
    del sheet  # calamine's own copy of the sheet, before the next one is parsed
    return Grid(name, _shared(cells), start[0] + 1, start[1] + 1)


class _NeededSheets:
    """The sheets a command reads, each checked before calamine parses it: Paramètres, the data sheets (under
    the names Paramètres gives them, else the contract's), and the first rows of each Synthèse (its status).

    The tool's generated sheets (Anomalies, À faire, the Échéancier...) are no input, and on a workbook refreshed
    for years they hold as many cells as the data: parsing them would only cost time and memory, as it would
    for the user's own sheets.
    """

    def __init__(self, path: Path, book: Any, archive: zipfile.ZipFile, sheet_parts: list[str]):
        self.path, self.book, self.archive, self.sheet_parts = path, book, archive, sheet_parts
        self.parts = _sheet_parts(path)
        self.names = [meta.name for meta in book.sheets_metadata]
        self.grids: dict[str, Grid] = {}
        self.unmapped_checked = False

    def read(self, name: str, rows: int | None = None) -> None:
        if name in self.grids:
            return
        errors = self._check(name)
        grid = self.grids[name] = _grid(self.book, name, rows)
        if errors:
            _mark_errors(grid, errors)

    def _check(self, name: str) -> dict[str, str]:
        """The sheet's extent refused past MAX_CELLS, and its error cells; a sheet whose part the workbook's
        relationships do not name has every such part checked instead."""
        part = self.parts.get(name)
        if part in self.sheet_parts:
            return _extents_in(self.path, self.archive, [part]).get(part, {})
        if not self.unmapped_checked:
            _extents_in(self.path, self.archive, [p for p in self.sheet_parts if p not in self.parts.values()])
            self.unmapped_checked = True
        return {}

    def in_order(self) -> dict[str, Grid]:
        return {name: self.grids[name] for name in self.names if name in self.grids}


def _read_needed(path: Path, sheet_parts: list[str], date1904: bool) -> tuple[list[str], dict[str, Grid]]:
    """Every sheet name, and the grids of the sheets `locate` and the run's plan use (`_NeededSheets`)."""
    with _calamine(path) as book, zipfile.ZipFile(path) as archive:
        needed = _NeededSheets(path, book, archive, sheet_parts)
        unread = {name: Grid(name, []) for name in needed.names}  # `locate`'s choice needs the names alone
        parametres = find_parametres(unread)
        if parametres is not None:
            needed.read(parametres.name)
        overrides = read_settings(needed.grids.get(parametres.name) if parametres else None, date1904).sheet_names
        for sheet in schema.DATA_SHEETS:
            if (found := find_sheet(sheet, unread, overrides)) is not None:
                needed.read(found.name)
        for name in needed.names:
            if plan.synthese_month(name) is not None:
                needed.read(name, plan.STATUS_ROWS)
        return needed.names, needed.in_order()


def _shared(cells: list[list]) -> list[list]:
    """A large sheet's equal cells as one object each.

    calamine makes a Python object per cell, and a sheet repeats the same few
    values (list values, dates, IDs in Rendez-vous): nine tenths of a
    100,000-porteur workbook's cell memory are copies. Sharing them costs about
    half the parse again, so only sheets past SHARED_CELLS pay it.
    """
    if not cells or len(cells) * len(cells[0]) < SHARED_CELLS or len(set(map(len, cells))) > 1:
        return cells
    columns = [_shared_column(column) for column in zip(*cells, strict=True)]
    return [list(row) for row in zip(*columns, strict=True)]


_NUMBERS = frozenset({bool, int, float})


def _shared_column(values: tuple) -> Iterable:
    """The column with each value replaced by one object equal to it (lazily: the rows are rebuilt from it)."""
    one_of_each = dict(zip(values, values, strict=True))  # value -> the last cell equal to it
    # 1.0 and True are equal keys, yet different cells: a column mixing number types is left as it is. Equal
    # cells of different types leave a number among the keys, so that columns without one skip the check.
    if not _NUMBERS.isdisjoint(map(type, one_of_each)) and len(_NUMBERS.intersection(map(type, values))) > 1:
        return values
    return map(one_of_each.__getitem__, values)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_workbook(path: str | Path) -> RawWorkbook:
    """Every data sheet of a workbook file, located; raises UnusableWorkbook."""
    path = Path(path)
    sheet_parts = check_package(path)
    date1904 = is_date1904(path)
    with gc_paused():  # the grids hold every cell as its own object, and no cycle (core/gc_paused.py)
        names, grids = _read_needed(path, sheet_parts, date1904)
        raw = locate(grids, date1904)
    # `locate` chose among the sheets read exactly as among them all; the anomalies are ordered by every sheet
    raw.sheet_names = names
    raw.synthese_status = plan.statuses_from_grids(grids)  # which months the run must complete (core/plan.py)
    if "porteurs" not in raw.tables:
        raise _refuse(path, "aucune feuille « Porteurs » ; ce n'est pas un classeur CitésLab "
                            "(créez-en un avec « citeslab-xl template » "
                            "ou indiquez la feuille dans Paramètres › Feuille Porteurs).")
    return raw
