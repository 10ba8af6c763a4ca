"""Validation: located raw tables in, a `Dataset` and its anomalies out.

Each column of a data sheet is converted whole: one converter per column
(its `cells.py` type, then its column rule), applied in a tight loop that
converts each distinct value once, so the cost follows the data rather than
the machinery. A bad cell becomes an anomaly at its row and column and a null,
and the rest of the row still counts. Row and cross-sheet
rules follow (`row_rules.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from citeslab_xl.core import anomalies as A
from citeslab_xl.core import cells, geography, schema
from citeslab_xl.core.anomalies import Anomaly, BadCell, CellAnomaly, Position
from citeslab_xl.core.dataset import Dataset, from_columns, share_column
from citeslab_xl.core.gc_paused import gc_paused
from citeslab_xl.core.grid import ExcelError, RawColumn, RawTable, RawWorkbook, is_blank
from citeslab_xl.core.row_rules import Located, cross_sheet
from citeslab_xl.core.schema import Column, Kind, Settings

FIRST_DAY = date(2005, 1, 1)
HINTS = {
    Kind.DATE: "une date comme 12/03/2025",
    Kind.INT: "un nombre entier",
    Kind.DECIMAL: "un nombre",
    Kind.OUINON: "Oui ou Non",
    Kind.TEXT: "une valeur",
}


@dataclass(frozen=True)
class Context:
    as_of: date
    settings: Settings
    date1904: bool = False


# --- column rules -----------------------------------------------------------

def _date_between(low: Callable[[Context], date] | None, high: Callable[[Context], date] | None):
    def rule(value: date, ctx: Context) -> date:
        if low is not None and value < low(ctx):
            raise BadCell(A.DateTooEarly(limite=low(ctx)))
        if high is not None and value > high(ctx):
            raise BadCell(A.DateFuture(limite=high(ctx)))
        return value
    return rule


def _number_between(low, high, low_open: bool = False):
    def rule(value, ctx: Context):
        hi = high(ctx) if callable(high) else high
        too_low = value <= low if low_open else value < low
        if too_low or (hi is not None and value > hi):
            raise BadCell(A.NumberRange(mini=low, maxi=hi))
        return value
    return rule


def _text(check: Callable[[str], str]):
    return lambda value, ctx: check(value)


def _as_of(ctx: Context) -> date:
    return ctx.as_of


def _first_day(ctx: Context) -> date:
    return FIRST_DAY


def _one_year_ahead(ctx: Context) -> date:
    return ctx.as_of + timedelta(days=365)


COLUMN_RULES: dict[tuple[str, str], Callable] = {
    ("porteurs", "date_premier_contact"): _date_between(_first_day, _as_of),
    ("porteurs", "date_creation"): _date_between(None, _as_of),
    ("porteurs", "date_naissance"): _date_between(None, _as_of),
    ("porteurs", "siret"): _text(cells.check_siret),
    ("porteurs", "telephone"): _text(cells.check_phone),
    ("porteurs", "email"): _text(cells.check_email),
    ("rendez_vous", "date"): _date_between(_first_day, _one_year_ahead),
    ("rendez_vous", "duree"): _number_between(5, 480),
    ("ateliers", "participants"): _number_between(0, 100),
    ("photolangage", "images"): _text(cells.check_images),
    ("sensibilisation", "personnes"): _number_between(0, 2000),
    ("referents", "telephone"): _text(cells.check_phone),
    ("referents", "email"): _text(cells.check_email),
    ("suivi", "emplois"): _number_between(0, 500),
    ("suivi", "ca"): _number_between(0, None),
    ("financement", "annee"): _number_between(2005, lambda ctx: ctx.as_of.year + 3),
    ("financement", "etp"): _number_between(0, 1, low_open=True),
    ("financement", "cout"): _number_between(0, None),
}
SHARE_RULE = _number_between(0, 100)


# --- one column -------------------------------------------------------------------

@dataclass(frozen=True)
class Refused:
    """What a cell of the column cannot give: the anomaly, not yet placed."""

    anomaly: CellAnomaly


def _converter(column: Column, rule: Callable | None, ctx: Context) -> Callable[[Any], Any]:
    """The column's converter: its type, then its rule; raises BadCell."""
    kind = column.kind
    if kind is Kind.DATE:
        date1904 = ctx.date1904
        base: Callable[[Any], Any] = lambda value: cells.to_date(value, date1904)  # noqa: E731
    elif kind is Kind.INT:
        base = cells.to_int
    elif kind in (Kind.DECIMAL, Kind.PERCENT):
        base = cells.to_decimal
    elif kind is Kind.OUINON:
        base = cells.to_bool
    elif kind is Kind.LIST:
        assert column.list_name is not None, column.key  # the contract names the list of every list column
        allowed, list_name = ctx.settings.values(column.list_name), column.list_name
        base = lambda value: cells.to_list_value(value, allowed, list_name)  # noqa: E731
    else:
        base = cells.to_text
    if rule is None:
        return base
    return lambda value: rule(base(value), ctx)


def _cell_outcome(value, convert: Callable[[Any], Any], missing: Refused | None):
    """One distinct value of the column: typed, None (blank), or Refused."""
    if value.__class__ is ExcelError:
        return Refused(A.ExcelErrorValue())
    if value is None or (isinstance(value, str) and not value.strip()):  # is_blank, once per distinct value
        return missing
    try:
        return convert(value)
    except BadCell as bad:
        return Refused(bad.anomaly)


def convert_column(values: Sequence, convert: Callable[[Any], Any],
                   missing: Refused | None = None) -> tuple[list, list[tuple[int, CellAnomaly]]]:
    """A whole column typed, and the (index, anomaly) of each bad cell, which becomes None.

    A column repeats the same few values (dates, list values, Oui/Non), so each
    distinct value is converted once, and the column is rebuilt from those by
    lookups that run at C speed. `missing` is what a blank cell gives when the
    column is required.
    """
    keys = _keys(values)
    keyed_by_type = keys is not values
    outcomes = dict.fromkeys(keys)  # filled in place: one dictionary, however many distinct values
    anomalies: dict[Any, CellAnomaly] = {}  # the refused keys
    for key in outcomes:
        outcome = _cell_outcome(key[1] if keyed_by_type and key.__class__ is _Typed else key, convert, missing)
        outcomes[key] = outcome
        if outcome.__class__ is Refused:
            anomalies[key] = outcome.anomaly
    typed = list(map(outcomes.__getitem__, keys))
    if not anomalies:
        return typed, []
    refused = [(index, anomalies[key]) for index, key in enumerate(keys) if key in anomalies]
    for index, _ in refused:
        typed[index] = None
    return typed, refused


_NUMBERS = frozenset({bool, int, float})
_TYPED = _NUMBERS | {ExcelError}


def _keys(values: Sequence) -> Sequence:
    """The values as dictionary keys. 1, 1.0 and True are one key yet convert differently, and so are
    the text "#N/A" and an error cell: when a column mixes such types, each of them is keyed with its type."""
    types = set(map(type, values))
    if len(types & _NUMBERS) < 2 and ExcelError not in types:
        return values
    return [_Typed(value) if value.__class__ in _TYPED else value for value in values]


class _Typed(tuple):
    """A number keyed with its type."""

    __slots__ = ()

    def __new__(cls, value):
        return super().__new__(cls, (value.__class__, value))


# --- one sheet ----------------------------------------------------------------

def _raw_key(raw: RawColumn) -> str | None:
    if raw.column is not None:
        return raw.column.key
    if raw.funder is not None:
        return share_column(raw.funder)
    return None


def _fields(sheet: schema.Sheet, funders: tuple[str, ...]) -> dict[str, tuple[Column, Callable | None]]:
    """Every typed field of the sheet's rows, in order, with its column rule."""
    fields = {c.key: (c, COLUMN_RULES.get((sheet.key, c.key))) for c in sheet.columns}
    for funder in funders:
        share = schema.Column(share_column(funder), schema.funder_header(funder), Kind.PERCENT)
        fields[share.key] = (share, SHARE_RULE)
    return fields


def _missing(column: Column) -> Refused | None:
    """What a blank cell of the column gives: nothing, or the anomaly of a required cell left empty."""
    if not column.required:
        return None
    return Refused(A.RequiredMissing(hint=HINTS.get(column.kind, "une valeur de la liste")))


def validate_table(table: RawTable, ctx: Context, funders: tuple[str, ...]) -> tuple[Located, list[Anomaly]]:
    """Each column converted whole; each bad cell named at its row and column, and left null."""
    sheet = table.sheet
    fields = _fields(sheet, funders if sheet is schema.FINANCEMENT else ())
    by_key = {k: c for c in table.columns if (k := _raw_key(c)) is not None}
    # The last of two columns of the same key wins, as it does in `by_key`.
    position = {k: i for i, c in enumerate(table.columns) if (k := _raw_key(c)) is not None}
    cells_by_column = list(zip(*(values for _, values in table.rows), strict=True)) if table.rows \
        else [()] * len(table.columns)
    excel_rows = [excel_row for excel_row, _ in table.rows]
    columns: dict[str, list] = {}
    refused: list[tuple[int, int, str, CellAnomaly]] = []
    for order, (key, (column, rule)) in enumerate(fields.items()):
        if key not in position:
            columns[key] = [None] * len(excel_rows)
            continue
        typed, bad = convert_column(cells_by_column[position[key]], _converter(column, rule, ctx), _missing(column))
        columns[key] = typed
        refused += [(index, order, key, anomaly) for index, anomaly in bad]
    refused.sort(key=lambda r: (r[0], r[1]))  # row by row, each row's cells in the contract's order
    found: list[Anomaly] = []
    bad_keys: dict[int, set[str]] = {}
    for index, _, key, anomaly in refused:
        raw = by_key[key]
        value = cells_by_column[position[key]][index]
        where = Position(table.sheet_name, excel_rows[index], raw.header, raw.index)
        found.append(anomaly.at(where, None if is_blank(value) else value))
        bad_keys.setdefault(index, set()).add(key)
    absent_required = frozenset(c.key for c in sheet.columns if c.required and c.key not in by_key)
    for key in sorted(absent_required):
        column = sheet.column(key)
        found.append(A.ColumnMissing().at(Position(table.sheet_name, table.header_row, column.header)))
    return Located(table, columns, excel_rows, by_key, bad_keys, absent_required), found


# --- the whole workbook ------------------------------------------------------------

def funders_of(raw: RawWorkbook) -> tuple[str, ...]:
    table = raw.tables.get("financement")
    if table is None:
        return schema.DEFAULT_FUNDERS
    return tuple(c.funder for c in table.columns if c.funder is not None)


def validate(raw: RawWorkbook, as_of: date) -> Dataset:
    """The typed tables and every anomaly of the workbook."""
    with gc_paused():  # no cycles are made here, and the collector would walk every typed cell (gc_paused.py)
        return _validate(raw, as_of)


def _validate(raw: RawWorkbook, as_of: date) -> Dataset:
    ctx = Context(as_of, raw.settings, raw.date1904)
    funders = funders_of(raw)
    located: dict[str, Located] = {}
    found: list[Anomaly] = []
    for key, table in raw.tables.items():
        sheet, anomalies = validate_table(table, ctx, funders)
        located[key] = sheet
        found += anomalies
    found += cross_sheet(located, funders, as_of, raw.settings)
    found += geography.settings_anomalies(raw.settings)
    tables = {key: {"_row": sheet.excel_rows, **sheet.columns} for key, sheet in located.items()}
    del located  # from_columns frees each sheet's lists as it builds its table
    dataset = from_columns(tables, raw.settings, funders)
    dataset.anomalies = sorted(found, key=_order(raw))
    dataset.sheet_names = {key: table.sheet_name for key, table in raw.tables.items()}
    return dataset


def _order(raw: RawWorkbook):
    positions = {name: i for i, name in enumerate(raw.sheet_names)}

    def key(a: Anomaly):
        return (positions.get(a.feuille, 99), a.ligne or 0, a.cellule or "", a.code)
    return key
