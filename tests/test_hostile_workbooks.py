"""Hostile workbooks: whatever a data cell holds, the tool answers with figures or a typed refusal, never a crash.

Hypothesis writes small workbooks with openpyxl (every data sheet, every column of the contract) whose cells hold
plausible values mixed with hostile ones: any Unicode (control characters as Excel stores them, `_x0001_`, and
right-to-left marks), 100,000-character strings, Excel error cells, booleans, times, datetimes with a time part,
negative and huge serials, a 1904 date system, formulas without a cached value, numbers typed as text; and around
them merged cells over the header, a duplicated header, the header repeated mid-table, hidden rows, an empty
Porteurs sheet, and Paramètres with a threshold of 0, a negative capacity, an ETP of 0, an objective typed as text.

Properties: `check`, `indicators`, `funding` (Python API), `refresh --out` and `export` (the command line, in this
process) raise nothing but `CitesLabError`; each example ends within `EXAMPLE_SECONDS`; no rate is above 1 and no
count or amount below 0; every cell deliberately spoiled is named by an anomaly at its sheet, row and column; a
plausible date is read as written (in either date system) or named by an anomaly.

Budget: `CITESLAB_FUZZ_EXAMPLES` examples for the reading properties (default `DEFAULT_EXAMPLES`, a few seconds
in CI), a fifth of that for the commands that write; e.g. `CITESLAB_FUZZ_EXAMPLES=5000` for a long run.
"""

from __future__ import annotations

import os
import re
import signal
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as clock
from decimal import Decimal
from pathlib import Path

import pandas as pd
from conftest import AS_OF, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from citeslab_xl import api
from citeslab_xl.core import indicators, periods, schema
from citeslab_xl.core.errors import CitesLabError
from citeslab_xl.core.schema import Column, Kind

DEFAULT_EXAMPLES = 15
EXAMPLES = int(os.environ.get("CITESLAB_FUZZ_EXAMPLES", DEFAULT_EXAMPLES))
WRITE_EXAMPLES = max(3, EXAMPLES // 5)
EXAMPLE_SECONDS = 30  # one small workbook takes well under a second to check; past this it is a hang
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.large_base_example])
PERIODS = [periods.parse_period(p) for p in ("2026-10", "2026-T4", "2025", "2026")]
IDS = ("P1", "P2", "P3", "P4")
FUNDERS = ("Agglomération", "Région")
# Kept as said: Excel stores a control character of a cell as `_xHHHH_`, and that is what readers decode.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
RATE_KEYS = ("part_femmes", "part_qpv", "part_moins_26", "taux")
SPOILABLE_TEXT = ("siret", "telephone", "email", "images")
NON_NEGATIVE_FLOATS = ("heures", "etp", "capacite", "file_active_par_etp", "taux_charge", "scenario_poste_2")


def excel_escaped(text: str) -> str:
    return _ILLEGAL_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


# --- cell values ------------------------------------------------------------------------------

class Formula(str):
    """A formula written without a cached value (openpyxl never computes one)."""


class ErrorCell(str):
    """An Excel error value (`#N/A`, `#DIV/0!`...), written as an error cell."""


unicode_text = st.text(st.characters(codec="utf-8"), max_size=12).map(excel_escaped)
tricky_text = st.sampled_from(["\u202eQPV\u202c", "\u200fPlanoise", "Planoise\u200b", "  planoise  ", "Oui\u00a0",
                               "_x0007_", "=1/0", "@SUM(A1)", "+33", "-", "\t", "1 234,56 €", "33,333333 %",
                               "0,005 €", "12/13/2025", "29/02/2025", "2025-02-30", "1e308", "NaN", "-0",
                               "VRAI", "FAUX", "TRUE", "¯\\_(ツ)_/¯", "𝔓𝔬𝔯𝔱𝔢𝔲𝔯", "P1;P1;P9;;", "1;2;3;4;5"])
long_text = st.sampled_from(["é", "P", "\u202e", "; "]).map(lambda unit: (unit * 100_000)[:100_000])
errors = st.sampled_from(sorted(ERROR_CODES)).map(ErrorCell)
formulas = st.sampled_from(["=1/0", "=NA()", "=A1", "=SUM(A:A)", "=TODAY()", '=""', "=#REF!"]).map(Formula)
numbers = st.one_of(st.integers(-10**6, 10**15), st.sampled_from([-1, 0, 0.005, 33.333333, 1e-9, 2958466, 1e15]),
                    st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False))
moments = st.one_of(st.times(), st.datetimes(datetime(1900, 3, 1), datetime(2099, 12, 31)),
                    st.dates(date(1900, 3, 1), date(2099, 12, 31)))
HOSTILE = st.one_of(unicode_text, tricky_text, long_text, errors, formulas, numbers, moments, st.booleans())


def plausible(column: Column) -> st.SearchStrategy:
    """A value the contract accepts (most of the time: a date may still be after the as-of date)."""
    if column.key in ("id", "id_porteur"):
        return st.sampled_from(IDS)
    if column.key == "ids_participants":
        return st.sampled_from(["P1", "P1;P2", "P2 ; P3"])
    if column.key == "images":
        return st.just("1;2;3;4")
    if column.key == "annee":
        return st.integers(2024, 2027)
    if column.key == "etp":
        return st.sampled_from([1, 0.5, 0.333333, "0,8"])
    if column.kind is Kind.DATE:
        return st.one_of(st.dates(date(2024, 1, 1), AS_OF), st.datetimes(datetime(2024, 1, 1), datetime(2026, 11, 26)))
    if column.kind is Kind.INT:
        return st.integers(5, 60)
    if column.kind in (Kind.DECIMAL, Kind.PERCENT):
        return st.sampled_from([0, 0.005, 33.333333, 1250.5, "1 234,56 €", "45000"])
    if column.kind is Kind.OUINON:
        return st.sampled_from(["Oui", "non", "O", "N", True, False])
    if column.kind is Kind.LIST:
        assert column.list_name is not None
        return st.sampled_from(schema.Settings().values(column.list_name))
    return st.sampled_from(["Martin", "Awa", "Boulangerie du Lac", "0612345678", "awa@exemple.fr"])


def spoiled(column: Column) -> st.SearchStrategy:
    """A value that no cell of this column may hold without an anomaly: an error cell, whatever the column."""
    wrong = errors
    if column.kind is Kind.DATE:
        wrong |= st.sampled_from(["31/02/2025", "pas une date", "12/13/2025", -5, 0.5, 3e6]) | st.times()
    elif column.kind is Kind.INT:
        wrong |= st.sampled_from(["1 234,56 €", "douze", 2.5, True, "4 2 x"])
    elif column.kind in (Kind.DECIMAL, Kind.PERCENT):
        wrong |= st.sampled_from(["douze €", "1,2,3", True, "€"])
    elif column.kind is Kind.OUINON:
        wrong |= st.sampled_from(["peut-être", "x", "Ouii", 2])
    elif column.kind is Kind.LIST:
        wrong |= st.sampled_from(["\u202eInconnu", "_x0001_", "Planoise-Sud", "F H"])
    elif column.key in SPOILABLE_TEXT:
        wrong |= st.sampled_from(["abc", "12345", "@@", "1;2"])
    return wrong


# --- the workbook ------------------------------------------------------------------------------

@dataclass
class Sheet:
    spec: schema.Sheet
    headers: list[str]
    columns: list[Column | None]
    rows: list[list] = field(default_factory=list)
    spoiled: list[tuple[int, int]] = field(default_factory=list)  # (index in rows, index in columns)
    hidden: set[int] = field(default_factory=set)
    repeat_header_at: int | None = None
    merge_header_tail: bool = False
    title_row: bool = False

    def __repr__(self) -> str:  # what a failing example shows: the cells, not the contract
        rows = [[_short(v) for v in row] for row in self.rows]
        return (f"Sheet({self.spec.name!r}, headers={self.headers!r}, rows={rows!r}, spoiled={self.spoiled}, "
                f"hidden={self.hidden}, repeat_header_at={self.repeat_header_at}, "
                f"merge_header_tail={self.merge_header_tail}, title_row={self.title_row})")

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(repr(self))

    def excel_row(self, index: int) -> int:
        """The Excel row of `rows[index]`, below the optional title and the header, and the repeated header."""
        first = 3 if self.title_row else 2
        shift = 1 if self.repeat_header_at is not None and index >= self.repeat_header_at else 0
        return first + index + shift


def _short(value: object) -> object:
    return f"{value[:20]!r}…({len(value)})" if isinstance(value, str) and len(value) > 40 else value


@dataclass
class Book:
    sheets: list[Sheet]
    parametres: list[list]
    date1904: bool


def _headers(spec: schema.Sheet) -> list[tuple[str, Column | None]]:
    headers: list[tuple[str, Column | None]] = [(c.header, c) for c in spec.columns]
    if spec is schema.FINANCEMENT:
        headers += [(f"{funder} (%)", schema.Column(f"part:{funder}", f"{funder} (%)", Kind.PERCENT))
                    for funder in FUNDERS]
    return headers


@st.composite
def data_sheet(draw, spec: schema.Sheet) -> Sheet:
    named = _headers(spec)
    sheet = Sheet(spec, [h for h, _ in named], [c for _, c in named])
    if draw(st.booleans()):
        sheet.headers.append(draw(st.sampled_from(sheet.headers)))  # a duplicated header, kept as unknown
        sheet.columns.append(None)
    for _ in range(draw(st.integers(0, 4))):
        row = [draw(st.one_of(plausible(c), HOSTILE) if c is not None else HOSTILE) for c in sheet.columns]
        sheet.rows.append(row)
    sheet.merge_header_tail = len(sheet.headers) > 3 and draw(st.booleans())
    spoilable = len(sheet.columns) - (2 if sheet.merge_header_tail else 0)
    for i, row in enumerate(sheet.rows):
        if draw(st.booleans()):
            j = draw(st.integers(0, spoilable - 1))
            column = sheet.columns[j]
            if column is not None:
                row[j] = draw(spoiled(column))
                sheet.spoiled.append((i, j))
    sheet.hidden = {i for i in range(len(sheet.rows)) if draw(st.booleans())}
    if sheet.rows and draw(st.booleans()):
        sheet.repeat_header_at = draw(st.integers(0, len(sheet.rows)))
    sheet.title_row = draw(st.booleans())
    return sheet


SETTINGS_VALUES = {
    "Seuil de secret statistique": st.sampled_from([0, 5, -3, "cinq", 2.5]),
    "Capacité file active par ETP": st.sampled_from([120, -120, 0, "cent vingt", 1e-9]),
    "Objectif annuel accompagnés": st.sampled_from([400, "quatre cents", 0, -1, "1 234"]),
    "Objectif taux de création": st.sampled_from(["40 %", "quarante pour cent", 0.4, 40, 0, "0,4", -40]),
    "Durée de conservation (années)": st.sampled_from([3, 0, -2, "trois"]),
}


@st.composite
def parametres(draw) -> list[list]:
    rows: list[list] = [["Paramètre", "Valeur"]]
    for key, values in SETTINGS_VALUES.items():
        if draw(st.booleans()):
            rows.append([key, draw(values)])
    rows.append([])
    rows.append([schema.CHARGES, "ETP"])
    rows.append(["Chargée de mission 1", draw(st.sampled_from([1, 0, -1, "0,5", "un", ErrorCell("#N/A")]))])
    return rows


@st.composite
def books(draw) -> Book:
    sheets = []
    for spec in schema.DATA_SHEETS:
        if spec is schema.PORTEURS or draw(st.booleans()):
            sheets.append(draw(data_sheet(spec)))
    return Book(sheets, draw(parametres()), draw(st.booleans()))


def _put(ws, row: int, column: int, value) -> None:
    cell = ws.cell(row=row, column=column)
    if isinstance(value, ErrorCell):
        cell.value, cell.data_type = str(value), "e"
    elif isinstance(value, Formula):
        cell.value = str(value)  # openpyxl writes a formula, no cached value
    elif isinstance(value, str):
        cell.value, cell.data_type = value, "s"  # text stays text, even when it starts with "="
    else:
        cell.value = value
        if isinstance(value, (date, datetime)):
            cell.number_format = "dd/mm/yyyy hh:mm"
        elif isinstance(value, clock):
            cell.number_format = "hh:mm"


def write_book(book: Book, path: Path) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    if book.date1904:
        wb.epoch = CALENDAR_MAC_1904
    for sheet in book.sheets:
        ws = wb.create_sheet(sheet.spec.name)
        header_row = 2 if sheet.title_row else 1
        if sheet.title_row:
            ws.cell(row=1, column=1, value=f"Suivi — {sheet.spec.name}")
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=min(4, len(sheet.headers)))
        for j, header in enumerate(sheet.headers, start=1):
            ws.cell(row=header_row, column=j, value=header)
        if sheet.merge_header_tail:
            last = len(sheet.headers)
            ws.merge_cells(start_row=header_row, start_column=last - 1, end_row=header_row, end_column=last)
        for i, row in enumerate(sheet.rows):
            if sheet.repeat_header_at == i:
                for j, header in enumerate(sheet.headers, start=1):
                    ws.cell(row=sheet.excel_row(i) - 1, column=j, value=header)
            for j, value in enumerate(row, start=1):
                if value is not None:
                    _put(ws, sheet.excel_row(i), j, value)
            if i in sheet.hidden:
                ws.row_dimensions[sheet.excel_row(i)].hidden = True
    ws = wb.create_sheet(schema.PARAMETRES_NAME)
    for i, row in enumerate(book.parametres, start=1):
        for j, value in enumerate(row, start=1):
            _put(ws, i, j, value)
    wb.save(path)


# --- what must hold ---------------------------------------------------------------------------

class Hang(BaseException):
    """Raised by the alarm: a BaseException, so that no `except Exception` of the tool can swallow it."""


@contextmanager
def time_bound(seconds: float = EXAMPLE_SECONDS) -> Iterator[None]:
    def ring(signum, frame):
        raise Hang(f"plus de {seconds} s sur un petit classeur")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    start = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert time.monotonic() - start < seconds


@contextmanager
def workbook_file(book: Book) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="hostile-") as folder:
        path = Path(folder) / "suivi.xlsx"
        write_book(book, path)
        yield path


def figures_in_range(tree: object, key: str = "") -> None:
    """No rate above 1, no count or amount below 0, anywhere in an indicators' JSON."""
    if isinstance(tree, dict):
        for name, value in tree.items():
            figures_in_range(value, str(name) if key in ("", "periode") or isinstance(value, (dict, list)) else key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                _in_range(str(name), value, key)
    elif isinstance(tree, list):
        for value in tree:
            figures_in_range(value, key)


def _in_range(name: str, value: float, parent: str) -> None:
    where = f"{parent}.{name}" if parent else name
    assert value == value, f"{where} n'est pas un nombre"
    if name.startswith(RATE_KEYS) or (parent.startswith(RATE_KEYS) and name == "taux"):
        assert 0 <= value <= 1, f"{where} = {value}"
    elif isinstance(value, int) or name in NON_NEGATIVE_FLOATS or parent in ("ateliers", "sensibilisation"):
        assert value >= 0, f"{where} = {value}"


def assert_spoils_named(book: Book, dataset) -> None:
    named = {(a.feuille, a.ligne, a.colonne) for a in dataset.anomalies}
    for sheet in book.sheets:
        for i, j in sheet.spoiled:
            cell = (sheet.spec.name, sheet.excel_row(i), sheet.headers[j])
            assert cell in named, f"{cell} = {sheet.rows[i][j]!r} : aucune anomalie"


def assert_dates_read_as_written(book: Book, dataset) -> None:
    named = {(a.feuille, a.ligne, a.colonne) for a in dataset.anomalies}
    for sheet in book.sheets:
        table = dataset.table(sheet.spec.key)
        by_row = table.set_index("_row") if "_row" in table and table["_row"].is_unique else None
        for i, row in enumerate(sheet.rows):
            for j, (value, column) in enumerate(zip(row, sheet.columns, strict=True)):
                if column is None or column.kind is not Kind.DATE or not isinstance(value, (date, datetime)):
                    continue
                excel_row = sheet.excel_row(i)
                if (sheet.spec.name, excel_row, sheet.headers[j]) in named or by_row is None:
                    continue
                read = by_row.at[excel_row, column.key]
                expected = value.date() if isinstance(value, datetime) else value
                assert not pd.isna(read) and read.date() == expected, (sheet.spec.name, excel_row, column.key,
                                                                       value, read)


# --- the properties ---------------------------------------------------------------------------

@FUZZ
@given(book=books())
def test_reading_and_figures_of_a_hostile_workbook(book):
    with workbook_file(book) as path, time_bound():
        try:
            dataset = api.check_file(path, AS_OF)
        except CitesLabError:
            return
        assert_spoils_named(book, dataset)
        assert_dates_read_as_written(book, dataset)
        for period in PERIODS:
            figures_in_range(indicators.compute(dataset, period, AS_OF).to_json())
        report = api.funding(path)
        for row in report.split.to_json()["rows"]:
            assert Decimal(row["reste_a_charge"]) >= 0 and all(Decimal(p) >= 0 for p in row["parts"].values())


@settings(FUZZ, max_examples=WRITE_EXAMPLES)
@given(book=books())
def test_commands_on_a_hostile_workbook_exit_with_a_code_never_a_crash(book):
    with workbook_file(book) as path, time_bound(3 * EXAMPLE_SECONDS):
        day = AS_OF.isoformat()
        for args, codes in ((["check", path, "--as-of", day, "--json"], {0, 1}),
                            (["indicators", path, "--period", "2026-10", "--as-of", day, "--json"], {0}),
                            (["funding", path, "--json"], {0, 1}),
                            (["refresh", path, "--as-of", day, "--out", path.with_name("copie.xlsx")], {0, 1}),
                            (["export", path, path.with_name("agglo.xlsx"), "--as-of", day], {0})):
            result = run_cli(*args)  # an exception that escaped the command fails here
            assert result.exit_code in codes | {2}, (args[0], result.exit_code, result.stderr)
            if result.exit_code == 2:
                assert result.stderr.strip() and "Traceback" not in result.stderr, (args[0], result.stderr)


def test_the_generator_really_writes_what_it_says(tmp_path):
    """The hostile cells reach the file as such: an error cell, a formula without value, 1904 dates."""
    spec = schema.PORTEURS
    sheet = Sheet(spec, [c.header for c in spec.columns], list(spec.columns))
    sheet.rows = [[ErrorCell("#N/A"), Formula("=1/0"), "_x0001_\u202e", date(2025, 3, 12)] + [None] * 19]
    path = tmp_path / "x.xlsx"
    write_book(Book([sheet], [], date1904=True), path)
    from openpyxl import load_workbook

    ws = load_workbook(path)["Porteurs"]
    assert ws["A2"].data_type == "e" and ws["B2"].data_type == "f" and ws.parent.epoch == CALENDAR_MAC_1904
    assert ws["D2"].value.date() == date(2025, 3, 12)


def _porteurs(*rows: list, title_row: bool = False) -> Sheet:
    spec = schema.PORTEURS
    sheet = Sheet(spec, [c.header for c in spec.columns], list(spec.columns), title_row=title_row)
    sheet.rows = [row + [None] * (len(sheet.headers) - len(row)) for row in rows]
    return sheet


VALID = ["P1", "Martin", "Awa", "F", date(1990, 1, 1), "Planoise", None, None, None, date(2026, 3, 12), None, None,
         "Accueil", None, None, None, None, None, None, None, None, "Oui"]


def test_an_error_cell_is_named_by_an_anomaly_even_in_an_optional_or_text_column(tmp_path):
    """calamine reads an error cell as an empty string: the reader marks it from the sheet's XML."""
    row = list(VALID)
    row[4], row[16] = ErrorCell("#N/A"), ErrorCell("#DIV/0!")  # Date de naissance, Forme juridique: optional
    row.append(ErrorCell("#REF!"))  # Commentaire: free text
    path = tmp_path / "erreur.xlsx"
    write_book(Book([_porteurs(row, title_row=True)], [], date1904=True), path)
    found = {(a.ligne, a.colonne, a.code, a.valeur) for a in api.check_file(path, AS_OF).anomalies}
    assert found == {(3, "Date de naissance", "excel-error", "#N/A"), (3, "Forme juridique", "excel-error", "#DIV/0!"),
                     (3, "Commentaire", "excel-error", "#REF!")}


def test_a_header_repeated_below_a_merged_one_drops_no_row(tmp_path):
    """The partial header heads the table; its copy below is read as a row, and named as a bad one."""
    sheet = _porteurs(VALID, ["P2", *VALID[1:]])
    sheet.merge_header_tail = True
    sheet.repeat_header_at = 1
    path = tmp_path / "entête.xlsx"
    write_book(Book([sheet], [], date1904=False), path)
    dataset = api.check_file(path, AS_OF)
    assert sorted(dataset.porteurs["id"]) == ["ID", "P1", "P2"]
    assert ("Porteurs", 3, "Date premier contact", "date-invalid") in {(a.feuille, a.ligne, a.colonne, a.code)
                                                                       for a in dataset.anomalies}
