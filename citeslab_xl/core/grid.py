"""From raw cell grids to located tables (no I/O).

Whoever reads the workbook (a file reader, an `xlwings.Book`) hands over each
sheet as a grid of values with its top-left position; this module finds which
sheet plays which role, where the header row is, which column is which, and
reads `Paramètres` into `Settings`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date

from citeslab_xl.core import cells, schema
from citeslab_xl.core.anomalies import BadCell
from citeslab_xl.core.schema import Column, Quartier, Settings, Sheet
from citeslab_xl.core.text import fold

HEADER_SEARCH_ROWS = 20


@dataclass
class Grid:
    """A sheet's used range: `cells[i][j]` is at Excel row `top + i`, column `left + j`."""

    name: str
    cells: list[list]
    top: int = 1
    left: int = 1


@dataclass
class RawColumn:
    index: int  # Excel column number, 1-based
    header: str
    column: Column | None  # None: a column the contract does not know, kept as is
    funder: str | None = None


@dataclass
class RawTable:
    sheet: Sheet
    sheet_name: str
    header_row: int
    columns: list[RawColumn]
    rows: list[tuple[int, list]]  # (Excel row, values aligned with columns)

    def raw_column(self, key: str) -> RawColumn | None:
        return next((c for c in self.columns if c.column is not None and c.column.key == key), None)


@dataclass
class RawWorkbook:
    sheet_names: list[str]
    tables: dict[str, RawTable]
    settings: Settings
    date1904: bool = False
    missing_columns: dict[str, list[Column]] = field(default_factory=dict)
    synthese_status: dict[str, str] = field(default_factory=dict)  # Synthèse sheet -> provisoire / définitive


class ExcelError(str):
    """A cell showing an Excel error (`#N/A`, `#DIV/0!`...): the reader marks it, validation names it."""


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_NAMES: dict[int, tuple[Sheet, dict[str, Column]]] = {}


def _columns_by_name(sheet: Sheet) -> dict[str, Column]:
    """Every name of the sheet's columns (header, key, synonyms; folded) -> the first column it names. Made
    once per sheet: the header search asks for it for each of the first rows' cells."""
    cached = _NAMES.get(id(sheet))
    if cached is None or cached[0] is not sheet:
        lookup: dict[str, Column] = {}
        for column in sheet.columns:
            for name in column.names():
                lookup.setdefault(name, column)
        cached = _NAMES[id(sheet)] = (sheet, lookup)
    return cached[1]


def _match_column(sheet: Sheet, header) -> tuple[Column | None, str | None]:
    if is_blank(header):
        return None, None
    key = fold(header)
    column = _columns_by_name(sheet).get(key)
    if column is not None:
        return column, None
    if sheet is schema.FINANCEMENT and key.endswith(fold(schema.FUNDER_SUFFIX)):
        funder = str(header).strip().rstrip(":").strip()[: -len(schema.FUNDER_SUFFIX)].strip()
        if funder:
            return None, funder
    return None, None


def _header_score(sheet: Sheet, row: list) -> int:
    matched = {c.key for c in (_match_column(sheet, v)[0] for v in row) if c is not None}
    return len(matched)


def locate_table(sheet: Sheet, grid: Grid) -> tuple[RawTable, list[Column]]:
    """Find the header row among the first rows and read the rows below it."""
    scores = [_header_score(sheet, row) for row in grid.cells[:HEADER_SEARCH_ROWS]]
    best_score = max(scores, default=0)
    # The first row naming at least half as many columns as the best: a header partly lost under merged cells
    # still heads the table, and a copy of it further down is read (and named) as a bad row, not taken instead.
    best_index = next((i for i, s in enumerate(scores) if s * 2 >= best_score), None) if best_score else None
    if best_index is None:
        missing = [c for c in sheet.columns if c.required]
        return RawTable(sheet, grid.name, grid.top, [], []), missing

    header = grid.cells[best_index]
    matches = [(v, _match_column(sheet, v)[0]) for v in header]
    named_exactly = {c.key for v, c in matches if c is not None and fold(v) == fold(c.header)}
    columns: list[RawColumn] = []
    positions: list[int] = []
    seen: set[str] = set()
    for j, value in enumerate(header):
        if is_blank(value):
            continue
        column, funder = _match_column(sheet, value)
        if column is not None and column.key in named_exactly and fold(value) != fold(column.header):
            column = None  # a synonym ("ID") gives way to the column named exactly ("ID porteur")
        if column is not None and column.key in seen:
            column = None  # a second column of the same name is kept as unknown
        if column is not None:
            seen.add(column.key)
        columns.append(RawColumn(grid.left + j, str(value).strip(), column, funder))
        positions.append(j)

    rows = []
    pick = _picker(positions)
    width = positions[-1] + 1 if positions else 0
    # The usual line, every column named and no wider, is its own row: tested here, not through `pick`, since
    # this loop runs once per row of the sheet.
    whole = len(positions) if positions == list(range(len(positions))) else -1
    top, cells = grid.top, grid.cells
    for i in range(best_index + 1, len(cells)):
        line = cells[i]
        if len(line) == whole:
            values = line
        else:
            values = pick(line) if len(line) >= width else [line[j] if j < len(line) else None for j in positions]
        first = values[0] if values else None
        if (first is None or (first.__class__ is str and not first.strip())) and _blank_row(values):
            continue
        rows.append((top + i, values))
    missing = [c for c in sheet.columns if c.required and c.key not in seen]
    return RawTable(sheet, grid.name, grid.top + best_index, columns, rows), missing


def _picker(positions: list[int]) -> Callable[[list], list]:
    """The cells of a line at `positions` (a line at least as long as the last position)."""
    if positions == list(range(len(positions))):  # every column named, the usual case
        count = len(positions)
        # The line itself when it is no wider: a copy of every row would cost a quarter of the read's memory.
        return lambda line: line if len(line) == count else line[:count]
    return lambda line: [line[j] for j in positions]


def _blank_row(values: list) -> bool:
    for value in values:  # noqa: SIM110 -- a plain loop: all() over a generator costs twice as much per row
        if value is not None and (value.__class__ is not str or value.strip()):
            return False
    return True


def find_sheet(sheet: Sheet, grids: dict[str, Grid], overrides: dict[str, str]) -> Grid | None:
    wanted = overrides.get(sheet.key)
    if wanted is not None:
        for name, grid in grids.items():
            if fold(name) == fold(wanted):
                return grid
    # A sheet that Paramètres gives a role plays that role only, even when its name is another role's.
    assigned = {fold(name) for name in overrides.values()}
    names = sheet.names()
    return next((g for n, g in grids.items() if fold(n) in names and fold(n) not in assigned), None)


def find_parametres(grids: dict[str, Grid]) -> Grid | None:
    names = {fold(schema.PARAMETRES_NAME)} | {fold(s) for s in schema.PARAMETRES_SYNONYMS}
    return next((g for n, g in grids.items() if fold(n) in names), None)


# --- Paramètres ---------------------------------------------------------------

_SETTING_KEYS = {
    fold("Nom du site"): ("nom_du_site", str),
    fold("Objectif annuel accompagnés"): ("objectif_accompagnes", int),
    fold("Objectif taux de création"): ("objectif_taux_creation", "rate"),
    fold("Capacité file active par ETP"): ("capacite_par_etp", float),
    fold("Seuil de secret statistique"): ("seuil_secret", int),
    fold("Durée de conservation (années)"): ("duree_conservation", int),
    fold("Durée de conservation"): ("duree_conservation", int),
}


def _setting_value(kind, value):
    if kind is str:
        return str(value).strip()
    if kind == "rate":
        number = _amount(str(value).replace("%", ""))
        return number / 100 if number > 1 else number
    return kind(_amount(value))


def _amount(value) -> float:
    """A setting's number; a negative or non-finite one is unreadable (an objective, a capacity, an ETP...)."""
    number = float(str(value).replace(",", ".").strip())
    if not 0 <= number < float("inf"):
        raise ValueError(value)
    return number


def _column_below(cells: list[list], i: int, j: int, width: int = 1) -> list[list]:
    values = []
    for line in cells[i + 1:]:
        chunk = [line[j + k] if j + k < len(line) else None for k in range(width)]
        if is_blank(chunk[0]):
            break
        values.append(chunk)
    return values


def _yes(value) -> bool:
    return fold(value) in {"oui", "o", "yes", "vrai", "true", "1", "1.0"}


def read_settings(grid: Grid | None, date1904: bool = False) -> Settings:
    """Paramètres as typed settings; anything missing or unreadable keeps the default."""
    settings = Settings()
    if grid is None:
        return settings
    settings.parametres_sheet = grid.name
    list_names = {fold(n): n for n in schema.DEFAULT_LISTS}
    sheet_keys = {fold(f"Feuille {s.name}"): s.key for s in schema.DATA_SHEETS}
    cells = grid.cells
    for i, line in enumerate(cells):
        for j, value in enumerate(line):
            if is_blank(value) or not isinstance(value, str):
                continue
            key = fold(value)
            right = line[j + 1] if j + 1 < len(line) else None
            if key in _SETTING_KEYS and not is_blank(right):
                attr, kind = _SETTING_KEYS[key]
                with suppress(TypeError, ValueError):  # an unreadable setting keeps its default (the contract)
                    setattr(settings, attr, _setting_value(kind, right))
            elif key in sheet_keys and not is_blank(right):
                settings.sheet_names[sheet_keys[key]] = str(right).strip()
            elif key == fold(schema.QUARTIERS):
                rows = _column_below(cells, i, j, 5)
                if rows:
                    dated = _dated_columns(line, j)
                    settings.quartiers = [_quartier(row, dated, grid.top + i + 1 + k, grid.left + j, date1904)
                                          for k, row in enumerate(rows)]
            elif key == fold(schema.CHARGES):
                rows = _column_below(cells, i, j, 2)
                if rows:
                    settings.charges = [(str(n).strip(), _etp(e)) for n, e in rows]
            elif key in list_names:
                rows = _column_below(cells, i, j)
                if rows:
                    settings.lists[list_names[key]] = tuple(str(r[0]).strip() for r in rows)
    return settings


# The QPV date columns of Quartiers, found by their header: a workbook made before they existed has the next
# list there (Chargés de mission), whose names must not be read as dates.
_QPV_DATE_HEADERS = {
    3: {fold(h) for h in (schema.QUARTIER_HEADERS[2], "QPV depuis le", "Depuis", "Depuis le", "Début QPV")},
    4: {fold(h) for h in (schema.QUARTIER_HEADERS[3], "Jusqu'au", "Fin QPV")},
}


def _dated_columns(header: list, j: int) -> set[int]:
    """Which of the offsets 3 (QPV since) and 4 (QPV until) from the Quartiers header are those columns."""
    return {offset for offset, names in _QPV_DATE_HEADERS.items()
            if j + offset < len(header) and not is_blank(header[j + offset]) and fold(header[j + offset]) in names}


def _quartier(row: list, dated: set[int], excel_row: int, excel_column: int, date1904: bool) -> Quartier:
    """A line of Quartiers: name, QPV code, QPV oui/non (empty: oui), QPV since and until (empty: no bound)."""
    name, code, qpv = row[:3]
    given = {offset: row[offset] for offset in dated if not is_blank(row[offset])}
    dates = {offset: _day(value, date1904) for offset, value in given.items()}
    unreadable = tuple((offset, given[offset]) for offset in sorted(given) if dates[offset] is None)
    return Quartier(str(name).strip(), "" if is_blank(code) else str(code).strip(),
                    True if is_blank(qpv) else _yes(qpv), dates.get(3), dates.get(4),
                    excel_row, excel_column, unreadable)


def _day(value, date1904: bool) -> date | None:
    try:
        return cells.to_date(value, date1904)
    except BadCell:
        return None


def _etp(value) -> float:
    try:
        return _amount(value)
    except ValueError:
        return 1.0


def locate(grids: dict[str, Grid], date1904: bool = False) -> RawWorkbook:
    """Every data sheet found in the grids, located and cut into rows."""
    settings = read_settings(find_parametres(grids), date1904)
    tables: dict[str, RawTable] = {}
    missing: dict[str, list[Column]] = {}
    for sheet in schema.DATA_SHEETS:
        grid = find_sheet(sheet, grids, settings.sheet_names)
        if grid is None:
            continue
        table, absent = locate_table(sheet, grid)
        tables[sheet.key] = table
        if absent:
            missing[sheet.key] = absent
    return RawWorkbook(list(grids), tables, settings, date1904, missing)
