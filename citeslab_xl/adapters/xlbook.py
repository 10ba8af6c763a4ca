"""The Excel buttons' side of the workbook: grids read from an `xlwings.Book`, layouts written into it.

The same code runs under classic xlwings (COM, `RunPython` from VBA), xlwings
Server and xlwings Lite, so it keeps to what xlwings' remote engine supports
(docs/xlwings-remote-notes.md): it reads values only, one bulk read per
sheet, and sends each client only the writes it can replay.

Writing a `SheetLayout`: the sheet is `sheet_look.look(layout)`, the look
the file writer renders too, so that every value sits where the file writer
puts it and looks as it does there, as far as the client allows; it is sent
in a fixed number of calls whatever the number of rows:
- one `setValues` of the whole block (xlwings splits a block of more than
  100,000 cells, a limit of its transport), in which the Total rows carry
  their `=SUM(...)` formulas and the internal links are
  `=HYPERLINK("#'Feuille'!C7","C7")` formulas;
- one `number_format` per rectangle of cells sharing a format (a table
  column, runs of adjacent columns), never one per row;
- each other format the same way, one call per rectangle of cells sharing
  one of its values (xlbook_look.py): a header row's bold, a date column's
  centring, a run of columns of one width, a run of rows of one height.
Every text is written with a leading apostrophe, which Excel keeps out of the
value: a name, a comment or an ID is stored as typed even when Excel would
take it for a formula (`=1+1`, `@SUM(A1)`, `+33 6...`), a number
(`0612345678`), a date (`2025-03`, `mars 2025`) or a boolean.

What each client replays (`client_reach`), and so what the buttons' sheets
have next to the file writer's; everything else stays undone:
- every client: values, number formats, header fills, autofit;
- classic xlwings (COM on Windows, AppleScript on the Mac): also fonts (bold,
  italic, size, colour), top borders of Total rows, centred dates, top and
  centre alignment, wrapped text, column widths (characters), row heights,
  merged notes: xlwings' API for all of these, on both engines;
- xlwings Lite, and xlwings Server's Office.js add-in (one client): fonts and
  frozen rows, the only formats among the actions its `funcs` map has
  (xlwings-server 8862003, static/js/custom-scripts/index.js, lines 841-886);
  the columns are autofitted instead of given their widths;
- xlwings Server's VBA (`RunServerPython`) and Office Scripts clients: the
  common set only (`addin/Remote.bas`, `js/xlwings.ts`), so the headers get
  a light fill (#D9E1F2) on which the default black text reads, instead of
  white on dark blue, and the columns are autofitted.
No client has: underlined links (xlwings' `Font` has no underline), frozen
rows under classic xlwings (its engines lack `freeze_panes`), charts (their
rows stay empty, so that every value keeps its place, and no page break is
needed before them), page setup (A4, orientation, fit to width, margins, the
« Données au » header and the page footer: xlwings' `PageSetup` has only the
print area) and page breaks. Running the command line `citeslab-xl refresh`
on the closed workbook rebuilds the same sheets with all of it.

Dates are written as `datetime.date` (the clients turn the ISO text into a
date); a date with a time (Journal) as an Excel serial number of the 1900
date system with its number format, since no client parses a time: in a
workbook using the 1904 date system (an option of old Mac workbooks, which
the remote engine does not report) such a time shows four years late.

Ownership: a sheet is the tool's when it carries the sheet-scoped defined
name `citeslab_xl_genere` or a workbook-scoped `citeslab_xl_genere_N` refers
to it (workbook_file/ownership.py explains these markers, shared with the file
writer). The workbook-scoped one is what the Office.js client sends even for a
sheet it leaves out, so that a button on the web can rebuild a sheet without
receiving it. The buttons give both to every sheet they create and the second
to a sheet they rebuild that lacks it; they rebuild an existing sheet only
when a marker names it, and refuse, writing nothing, when none does.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from citeslab_xl.adapters.workbook_file.ownership import (
    OWNERSHIP_NAME,
    book_marker_names,
    book_marker_number,
    marker_reference,
)
from citeslab_xl.adapters.xlbook_look import (
    CLASSIC,
    OFFICE_JS,
    PORTABLE,
    WIDTH,
    Box,
    Formats,
    Reach,
    formats,
    width_points,
)
from citeslab_xl.core import plan
from citeslab_xl.core.errors import WriteRefused
from citeslab_xl.core.grid import Grid
from citeslab_xl.core.journal import JOURNAL, JOURNAL_HEADERS, rows_below_header
from citeslab_xl.core.layout import SheetLayout
from citeslab_xl.core.sheet_grid import GENERAL, GridCell, SheetGrid
from citeslab_xl.core.sheet_look import look

EXCEL_EPOCH = datetime(1899, 12, 30)
SECONDS_PER_DAY = 86400



# --- reading --------------------------------------------------------------------

def sheet_names(book) -> list[str]:
    return [sheet.name for sheet in book.sheets]


def find_sheet(book, name: str):
    """The sheet named `name` without regard to case (as Excel compares sheet names), or None."""
    wanted = name.casefold()
    return next((sheet for sheet in book.sheets if sheet.name.casefold() == wanted), None)


def read_grid(sheet) -> Grid:
    """The sheet's used range in one bulk read: values only, dates as `datetime`."""
    used = sheet.used_range
    return Grid(sheet.name, used.options(ndim=2).value, used.row, used.column)


def read_grids(book, names: list[str]) -> dict[str, Grid]:
    return {sheet.name: read_grid(sheet) for sheet in book.sheets if sheet.name in names}


def synthese_status(book) -> dict[str, str]:
    """The status each `Synthèse AAAA-MM` sheet states (provisoire / définitive), one read of its column A top each.

    The buttons read no generated sheet otherwise: these few cells are what
    the run plan needs to complete a month that has closed (core/plan.py).
    """
    top = (1, 1), (plan.STATUS_ROWS, 1)
    return plan.read_statuses({sheet.name: sheet.range(*top).options(ndim=1).value
                               for sheet in book.sheets if plan.synthese_month(sheet.name) is not None})


def sheets_read_by_buttons(book, skip: tuple[str, ...] = ()) -> list:
    """The sheets a button reads: the data sheets, Journal, the Synthèse sheets and the active one (the selection).

    Less the sheets in `skip` (the button's `web_exclude`) unless active. The committee sheets are never read.
    """
    active = book.sheets.active.name
    return [sheet for sheet in book.sheets
            if sheet.name == active or (sheet.name not in skip and _read_by_buttons(sheet.name))]


def _read_by_buttons(name: str) -> bool:
    return not plan.is_generated_name(name) or name == JOURNAL or plan.synthese_month(name) is not None


def web_read_bytes(book, per_sheet: bool = False) -> int | None:
    """Under the remote engine, what reading this workbook costs on the web, in bytes; else None.

    Excel on the web refuses an Office.js call over 5 MB, and the Office.js client reads every sheet it sends
    in one call (xlwings-server, static/js/custom-scripts/index.js `getBookData`, lines 469-483) that returns,
    per cell, its raw value and its number-format category; only afterwards does it turn a date's serial
    number into the ISO text Python receives. So this is the larger of the JSON Python received and that call
    rebuilt from it: ISO dates back to serial numbers, each cell's category "Date" for a date and "General"
    otherwise (a text or number cell has a shorter or equal one, so the estimate errs on the large side).
    `per_sheet`: the sheets were read one call each (`buttons.on_the_web`): the largest of those calls.
    """
    if book.app.engine.name != "remote":
        return None
    payload = book.impl.api
    calls = [_read_call_bytes(sheet["values"]) for sheet in payload["sheets"]
             if sheet.get("values") not in (None, [], [[]])]
    if per_sheet:
        return max(calls, default=0)
    return max(_json_bytes(payload), sum(calls))


_ISO_Z = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{3}Z")
_EXCEL_EPOCH_DATE = date(1899, 12, 30)


def _json_bytes(value) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8"))


def _serial(match: re.Match) -> int | float:
    year, month, day, hour, minute, second = map(int, match.groups())
    days = (date(year, month, day) - _EXCEL_EPOCH_DATE).days
    seconds = hour * 3600 + minute * 60 + second
    return days + seconds / SECONDS_PER_DAY if seconds else days


def _read_call_bytes(values: list[list]) -> int:
    raw, categories = [], []
    for row in values:
        raw_row, category_row = [], []
        for value in row:
            match = _ISO_Z.fullmatch(value) if isinstance(value, str) else None
            raw_row.append(_serial(match) if match else value)
            category_row.append("Date" if match else "General")
        raw.append(raw_row)
        categories.append(category_row)
    return _json_bytes(raw) + _json_bytes(categories)


def _canonical(value):
    # COM reads 5.0 where the remote clients send 5: both hash alike
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (date, time)):
        return value.isoformat()
    return value


def grids_sha256(grids: dict[str, Grid]) -> str:
    """SHA-256 of the values read, as canonical JSON: what Journal records when there is no file to hash."""
    content = [[grid.name, grid.top, grid.left, [[_canonical(v) for v in row] for row in grid.cells]]
               for grid in grids.values()]
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def journal_rows(book) -> list[list]:
    """The rows already in `Journal` (none when it does not exist), to write back above the new one."""
    sheet = find_sheet(book, JOURNAL)
    if sheet is None:
        return []
    grid = read_grid(sheet)
    # both doors put the table in column A
    rows = [[None] * (grid.left - 1) + list(row) for row in grid.cells]
    return rows_below_header(sheet.name, rows, JOURNAL_HEADERS)


# --- ownership ------------------------------------------------------------------

def is_marked(sheet) -> bool:
    """Whether the sheet carries the sheet-scoped marker (its names are spelled `Feuille!nom`)."""
    return any(name.name.rsplit("!", 1)[-1].casefold() == OWNERSHIP_NAME for name in sheet.names)


def book_markers(book) -> dict[int, str | None]:
    """N -> the sheet each workbook-scoped marker `citeslab_xl_genere_N` refers to (None once it is deleted)."""
    markers: dict[int, str | None] = {}
    for name in book.names:
        number = book_marker_number(name.name)  # a sheet-scoped copy is spelled `Feuille!nom`: not one
        if number is None:
            continue
        try:
            markers[number] = name.refers_to_range.sheet.name
        except Exception:  # #REF!: its sheet was deleted, and no sheet is the tool's by it
            markers[number] = None
    return markers


def owned_sheets(book) -> set[str]:
    """The sheets (casefolded) that either marker names as the tool's."""
    by_book = {target.casefold() for target in book_markers(book).values() if target is not None}
    return by_book | {sheet.name.casefold() for sheet in book.sheets if is_marked(sheet)}


def check_ownership(book, names: list[str]) -> None:
    """Refuse, before anything is written, when one of `names` is a sheet the tool did not make."""
    owned = owned_sheets(book)
    for name in names:
        sheet = find_sheet(book, name)
        if sheet is not None and sheet.name.casefold() not in owned:
            raise WriteRefused(
                f"La feuille « {sheet.name} » n'a pas été créée par l'outil : elle n'est pas remplacée. "
                "Renommez-la (clic droit sur l'onglet › Renommer), puis relancez. Si l'outil l'a créée avant "
                "qu'il ne marque ses feuilles pour Excel sur le web, lancez une fois ce bouton dans Excel sur le "
                "PC, ou « citeslab-xl refresh » sur le classeur fermé. Rien n'a été écrit.")


# --- a layout as a few bulk writes (pure) ------------------------------------------

@dataclass
class SheetWrite:
    """What to send for one generated sheet."""

    name: str
    values: list[list]  # from A1
    number_formats: list[tuple[Box, str]] = field(default_factory=list)
    formats: Formats = field(default_factory=Formats)
    autofit: Box | None = None


def as_text(text: str):
    """A text as Excel must store it: the apostrophe keeps Excel from parsing it and is not part of the value."""
    return "'" + text if text else None


def _excel_value(value):
    if isinstance(value, str):
        return as_text(value)
    if isinstance(value, datetime):
        if value.time() == time():
            return value.date()
        return (value - EXCEL_EPOCH).total_seconds() / SECONDS_PER_DAY
    if isinstance(value, time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / SECONDS_PER_DAY
    if isinstance(value, Decimal):
        return float(value)
    return value


def _formula_text(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _link_formula(location: str, shown) -> str:
    label = shown if isinstance(shown, (int, float)) else _formula_text(str(shown))
    return f"=HYPERLINK({_formula_text('#' + location)},{label})"


def _cell_value(cell: GridCell | None):
    if cell is None or cell.value is None:
        return None
    if cell.link:
        return _link_formula(cell.link, cell.value)
    if cell.formula:
        return cell.value  # a Total row's SUM: the only formulas of a generated sheet
    return _excel_value(cell.value)


def _takes_any_format(cell: GridCell | None) -> bool:
    # A text, or an empty cell the layout gave no format, shows the same under any of the layouts'
    # number formats, so a format rectangle may run across them: a column gets one call, not one
    # per stretch of rows. An empty cell of a formatted column keeps its format, as in the file.
    if cell is None:
        return True
    if cell.value is None:
        return cell.number_format == GENERAL
    return isinstance(cell.value, str) and not cell.formula


def _format_runs(grid: SheetGrid) -> list[tuple[Box, str]]:
    """Rectangles of one number format each, as few as the cells allow."""
    runs: dict[tuple[int, int, str], list[int]] = {}  # (top, bottom, format) -> columns, ascending
    for column in range(1, grid.max_column + 1):
        current: list | None = None  # [top, bottom, format]
        for row in range(1, grid.max_row + 1):
            cell = grid.cells.get((row, column))
            if cell is None or _takes_any_format(cell):
                continue
            if current is not None and current[2] == cell.number_format:
                current[1] = row
                continue
            if current is not None:
                runs.setdefault(tuple(current), []).append(column)
            current = [row, row, cell.number_format]
        if current is not None:
            runs.setdefault(tuple(current), []).append(column)
    boxes = []
    for (top, bottom, number_format), columns in runs.items():
        if number_format != GENERAL:  # a cleared or new sheet is General already
            boxes += [((top, left, bottom, right), number_format) for left, right in _spans(columns)]
    return sorted(boxes)


def _spans(numbers: list[int]) -> list[tuple[int, int]]:
    """Ascending numbers as (first, last) of each run of consecutive ones."""
    spans: list[list[int]] = []
    for n in numbers:
        if spans and spans[-1][1] == n - 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return [(first, last) for first, last in spans]


def _autofit_box(values: list[list], fills: list[tuple[Box, str]]) -> Box | None:
    """From the first table header to the end of the last table: titles and notes would widen column A."""
    if not fills:
        return None
    headers = sorted({box[0] for box, _ in fills})
    return headers[0], 1, max(_table_end(values, header) for header in headers), len(values[0])


def _table_end(values: list[list], header: int) -> int:
    """The last row of the table whose header is on `header`: a table ends at the first empty row."""
    row = header
    while row < len(values) and any(v is not None for v in values[row]):  # values[row] is Excel row row + 1
        row += 1
    return row


def plan_sheet(layout: SheetLayout, reach: Reach = PORTABLE) -> SheetWrite:
    """The values and formats of a generated sheet, placed and formatted as the file writer does, within `reach`."""
    sheet_look = look(layout)
    grid = sheet_look.grid
    values = [[_cell_value(grid.cells.get((row, column))) for column in range(1, grid.max_column + 1)]
              for row in range(1, grid.max_row + 1)]
    sheet_formats = formats(sheet_look, reach)
    autofit = None if WIDTH in reach else _autofit_box(values, sheet_formats.fills)
    return SheetWrite(layout.name, values, _format_runs(grid), sheet_formats, autofit)


# --- writing ------------------------------------------------------------------------

def _range(sheet, box: Box):
    top, left, bottom, right = box
    return sheet.range((top, left), (bottom, right))


def client_reach(book) -> Reach:
    """What the client that replays the writes can do beyond the portable set (see the module's docstring)."""
    if book.app.engine.name != "remote":
        return CLASSIC
    return OFFICE_JS if book.impl.api.get("client") == "Office.js" else PORTABLE


def write_sheet(book, write: SheetWrite, after: str | None = None, book_marker: str | None = None):
    """Rebuild the sheet (or add it after `after`, by default at the end, marked as the tool's) in a few bulk calls.

    `book_marker`: the workbook-scoped marker to give the sheet, when no such marker refers to it yet.
    """
    sheet = find_sheet(book, write.name)
    if sheet is None:
        sheet = book.sheets.add(write.name, after=find_sheet(book, after) if after else book.sheets[-1])
        sheet.names.add(OWNERSHIP_NAME, "=" + marker_reference(write.name))
    else:
        sheet.clear()  # clearing, not deleting, keeps the links that point to the sheet
    if book_marker is not None:
        book.names.add(book_marker, "=" + marker_reference(write.name))
    _range(sheet, (1, 1, len(write.values), len(write.values[0]))).value = write.values
    for box, number_format in write.number_formats:
        _range(sheet, box).number_format = number_format
    _write_formats(sheet, write.formats, remote=book.app.engine.name == "remote")
    if write.autofit is not None:
        _range(sheet, write.autofit).columns.autofit()
    return sheet


def _write_formats(sheet, formats: Formats, remote: bool) -> None:
    for box, color in formats.fills:
        _range(sheet, box).color = color
    for box, name, value in formats.fonts:
        setattr(_range(sheet, box).font, name, value)
    for box, color in formats.top_borders:
        _range(sheet, box).borders.set("edge_top", line_style="continuous", weight="thin", color=color)
    for box, horizontal in formats.horizontal:
        _range(sheet, box).horizontal_alignment = horizontal
    for box, vertical in formats.vertical:
        _range(sheet, box).vertical_alignment = vertical
    for box in formats.wrapped:
        _range(sheet, box).wrap_text = True
    for first, last, characters in formats.widths:
        # the remote engine passes points on to Office.js; classic xlwings takes Excel's characters
        _range(sheet, (1, first, 1, last)).column_width = width_points(characters) if remote else characters
    for first, last, points in formats.heights:
        _range(sheet, (first, 1, last, 1)).row_height = points
    for box in formats.merges:
        _range(sheet, box).merge()
    if formats.freeze_row is not None and formats.freeze_row > 1:
        sheet.freeze_panes.freeze_at(f"1:{formats.freeze_row - 1}")


def write_layouts(book, layouts: list[SheetLayout], reach: Reach | None = None) -> dict[str, object]:
    """Write every layout, or nothing when one of them would replace a sheet the tool did not make.

    `reach`: what the client can do (by default, `client_reach`).
    """
    check_ownership(book, [layout.name for layout in layouts])
    reach = client_reach(book) if reach is None else reach
    writes = [plan_sheet(layout, reach) for layout in layouts]  # everything computed before the first write
    places = _places(book, writes)
    markers = book_markers(book)
    by_book = {target.casefold() for target in markers.values() if target is not None}
    unmarked = [write.name for write, _ in places if write.name.casefold() not in by_book]
    new_markers = dict(zip(unmarked, book_marker_names(list(markers), len(unmarked)), strict=True))
    return {write.name: write_sheet(book, write, after, new_markers.get(write.name)) for write, after in places}


def _places(book, writes: list[SheetWrite]) -> list[tuple[SheetWrite, str | None]]:
    """The writes in the order of the tabs (plan.tab_order), each new sheet with the sheet it goes after.

    The sheets already there stay where they are (the remote engine cannot move a sheet): a new one goes
    after the sheet that precedes it in the fixed order.
    """
    names = sheet_names(book)
    present = {name.casefold() for name in names}
    by_name = {write.name: write for write in writes}
    everything = names + [name for name in by_name if name.casefold() not in present]
    wanted = plan.tab_order(everything, [name for name in everything if plan.is_generated_name(name)])
    placed = []
    for i, name in enumerate(wanted):
        if name in by_name:
            placed.append((by_name[name], wanted[i - 1] if i and name.casefold() not in present else None))
    return placed
