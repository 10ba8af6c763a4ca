"""Running code that takes an `xlwings.Book` without Excel, for tests.

xlwings' remote engine (`xw.Book(json=payload)`) is the object model that
xlwings Server and xlwings Lite run: the client (VBA, Office.js, Office
Scripts) sends the workbook's values as JSON, Python reads them from that
snapshot, and every write is queued as an *action* that the client replays in
Excel (`book.json()["actions"]`).

This module builds the payload that the VBA client (`RunServerPython`, in
xlwings' `addin/Remote.bas`) would send for a real .xlsx/.xlsm file, replays
the returned actions on that payload the way Excel would (sheets added,
renamed, deleted, values written or cleared), and reports what the actions
touch. docs/xlwings-remote-notes.md says what the engine supports.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import re
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter, range_boundaries
from xlclient_options import sent_payload

# The remote engine registers itself at `import xlwings` only when a license
# key is set; the noncommercial key is the one a test may use.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import xlwings as xw


def _ensure_remote_engine() -> None:
    # Another module may have imported xlwings before the key was set: the
    # engine is then missing and is registered here instead.
    if "remote" not in {engine.name for engine in xw.engines}:
        from xlwings.pro import _xlremote

        xw.engines.add(xw.main.Engine(impl=_xlremote.engine))


_ensure_remote_engine()

CLIENTS = ("VBA", "Office.js", "Microsoft Office Scripts")
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # how VBA's JSON encoder writes a time of day
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
_PLAIN_NAME = re.compile(r"[^\W\d]\w*")
_FORBIDDEN_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


# --- The payload the clients send -------------------------------------------


def _iso(value: dt.datetime) -> str:
    # VBA: Format(date, "yyyy-mm-ddTHH:mm:ss.000Z"); Office.js: toISOString()
    return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _client_value(value, empty):
    if value is None or value == "":
        return empty
    if isinstance(value, dt.datetime):
        return _iso(value)
    if isinstance(value, dt.date):
        return _iso(dt.datetime.combine(value, dt.time()))
    if isinstance(value, dt.time):
        return _iso(dt.datetime.combine(_EXCEL_EPOCH, value))
    if isinstance(value, float) and value.is_integer():
        return int(value)  # JSON carries 5.0 as 5
    return value


def _sheet_values(ws, empty) -> list[list]:
    rows = [[_client_value(v, empty) for v in row]
            for row in ws.iter_rows(min_row=1, min_col=1, max_row=ws.max_row,
                                    max_col=ws.max_column, values_only=True)]
    if all(v == empty for row in rows for v in row):
        return [[]]  # VBA: an empty UsedRange is sent as Array(Array())
    return rows


def _absolute(min_col: int, min_row: int, max_col: int, max_row: int) -> str:
    first = f"${get_column_letter(min_col)}${min_row}"
    if (min_col, min_row) == (max_col, max_row):
        return first
    return f"{first}:${get_column_letter(max_col)}${max_row}"


def _tables(ws) -> list[dict]:
    tables = []
    for table in ws.tables.values():
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        headers = table.headerRowCount != 0
        totals = bool(table.totalsRowCount)
        body_top = min_row + headers
        body_bottom = max_row - totals
        style = table.tableStyleInfo.name if table.tableStyleInfo is not None else None
        tables.append({
            "name": table.displayName,
            "range_address": _absolute(min_col, min_row, max_col, max_row),
            "header_row_range_address": _absolute(min_col, min_row, max_col, min_row) if headers else None,
            "data_body_range_address": (_absolute(min_col, body_top, max_col, body_bottom)
                                        if body_top <= body_bottom else None),
            "total_row_range_address": _absolute(min_col, max_row, max_col, max_row) if totals else None,
            "show_headers": headers,
            "show_totals": totals,
            "table_style": style,
            "show_autofilter": table.autoFilter is not None,
        })
    return tables


def _pictures(ws) -> list[dict]:
    # openpyxl keeps images but not their names: Excel's default names stand in.
    return [{"name": f"Picture {i}", "height": image.height * 0.75, "width": image.width * 0.75}
            for i, image in enumerate(ws._images, start=1)]


def _quoted(sheet_name: str) -> str:
    if _PLAIN_NAME.fullmatch(sheet_name):
        return sheet_name
    return "'" + sheet_name.replace("'", "''") + "'"


def _destinations(defined) -> list[tuple[str, str]]:
    """The sheet ranges a name refers to; none for a formula, or for a table's structured reference
    (`T_porteurs[ID]`, the source of a drop-down), which openpyxl cannot resolve to a sheet."""
    if defined.type != "RANGE" or "[" in (defined.attr_text or ""):
        return []
    return list(defined.destinations)


def _names(wb) -> list[dict]:
    """Defined names that refer to one range, as VBA's `Name.RefersToRange` finds them."""
    index = {ws.title: i for i, ws in enumerate(wb.worksheets)}
    scoped = [(None, dn) for dn in wb.defined_names.values()]
    scoped += [(ws, dn) for ws in wb.worksheets for dn in ws.defined_names.values()]
    names = []
    for scope, defined in scoped:
        destinations = _destinations(defined)
        if len(destinations) != 1 or destinations[0][0] not in index:
            continue
        sheet_name, ref = destinations[0]
        name = defined.name.removeprefix("_xlnm.")
        names.append({
            "name": name if scope is None else f"{_quoted(scope.title)}!{name}",
            "sheet_index": index[sheet_name],
            "address": ref.replace("$", ""),
            "book_scope": scope is None,
            "scope_sheet_name": None if scope is None else scope.title,
            "scope_sheet_index": None if scope is None else index[scope.title],
        })
    return names


def _selection(ws) -> str:
    views = ws.sheet_view.selection
    sqref = views[0].sqref if views and views[0].sqref else "A1"
    return str(sqref).replace(" ", ",")


def payload_from_xlsx(path: str | Path, *, client: str = "VBA", active_sheet: str | None = None,
                      selection: str | None = None, include=None, exclude=None) -> dict:
    """The JSON a client would send for this workbook, as `xw.Book(json=...)` takes it.

    Every worksheet's values from A1 to the last used cell (cached values of
    formula cells: a file written by openpyxl has none, see
    tests/libreoffice.py `recalculated_copy`). Dates as ISO strings ending in
    `Z`; empty cells as null (VBA) or "" (the JavaScript clients). The active
    sheet and the selection default to those saved in the file. `include` or
    `exclude` (a list, or names separated by commas) leave sheets out as the
    client does (`sent_payload`).
    """
    if client not in CLIENTS:
        raise ValueError(f"client must be one of {CLIENTS}")
    if include or exclude:
        return sent_payload(payload_from_xlsx(path, client=client, active_sheet=active_sheet, selection=selection),
                            include=include, exclude=exclude)
    empty = None if client == "VBA" else ""
    wb = openpyxl.load_workbook(path, data_only=True)
    try:
        titles = [ws.title for ws in wb.worksheets]
        active = wb[active_sheet] if active_sheet is not None else wb.active
        return {
            "client": client,
            "version": xw.__version__,
            "book": {
                "name": Path(path).name,
                "active_sheet_index": titles.index(active.title),
                "selection": selection if selection is not None else _selection(active),
            },
            "names": _names(wb),
            "sheets": [{"name": ws.title, "values": _sheet_values(ws, empty),
                        "pictures": _pictures(ws), "tables": _tables(ws)}
                       for ws in wb.worksheets],
        }
    finally:
        wb.close()


@contextmanager
def remote_book(source: str | Path | dict, **payload_options):
    """An `xw.Book` on the remote engine, from a workbook file or a payload; closed afterwards.

    The engine edits the dict it is given (an added sheet joins its list), so
    it gets a copy: the caller's payload stays what the client sent.
    """
    payload = source if isinstance(source, dict) else payload_from_xlsx(source, **payload_options)
    book = xw.Book(json=copy.deepcopy(payload))
    try:
        yield book
    finally:
        book.close()


# --- Replaying the actions -----------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One action, located: the sheet it addresses (its name when the action runs) and the range."""

    func: str
    sheet: str | None
    address: str | None
    args: list
    values: list | None


def _action_list(actions) -> list[dict]:
    return actions["actions"] if isinstance(actions, dict) else list(actions)


def _address(action: dict) -> str | None:
    if action.get("start_row") is None:
        return None
    top, left = action["start_row"] + 1, action["start_column"] + 1
    bottom, right = top + action["row_count"] - 1, left + action["column_count"] - 1
    first = f"{get_column_letter(left)}{top}"
    return first if (top, left) == (bottom, right) else f"{first}:{get_column_letter(right)}{bottom}"


# Actions that change formats, objects or the interface, never a cell value.
_VALUE_NEUTRAL = frozenset({
    "setNumberFormat", "setFontProperty", "setColumnWidth", "setRowHeight", "setAutofit",
    "setSheetAutofit", "setRangeColor", "setRangeColors", "setWrapText", "setHorizontalAlignment",
    "setVerticalAlignment", "setBorderProperty", "rangeClearFormats", "sheetClearFormats",
    "rangeMerge", "rangeUnmerge", "rangeGroup", "rangeUngroup", "rangeAdjustIndent",
    "setRowHidden", "setColumnHidden", "setSheetVisibility", "setShowGridlines",
    "freezePaneAtRange", "freezePaneUnfreeze", "setPrintArea", "alert", "setScreenUpdating",
    "setCalculation", "calculate", "save", "namesAdd", "nameDelete", "setRangeName",
    "setNameRefersTo", "addTable", "setTableName", "setTableStyle", "showAutofilterTable",
    "resizeTable", "addPicture", "updatePicture", "deletePicture", "addChart", "deleteChart",
    "addNote", "setNoteText", "deleteNote", "addComment", "setCommentText", "deleteComment",
    "addConditionalFormat", "setConditionalFormat", "deleteConditionalFormat",
    "clearConditionalFormats", "setDataValidationList", "setDataValidationRule",
    "deleteDataValidation",
})
_VALUE_NEUTRAL_PREFIXES = ("setChart", "setPicture", "setShape", "showTableStyle")


class _Replay:
    """The workbook as the client would leave it, action after action."""

    def __init__(self, payload: dict):
        self.payload = copy.deepcopy(payload)
        self.sheets: list[dict] = self.payload["sheets"]
        self.empty = None if self.payload["client"] == "VBA" else ""
        # Names follow their sheet through moves and deletions, as in Excel.
        self.name_targets = [(name, self.sheets[name["sheet_index"]],
                              None if name["scope_sheet_index"] is None else self.sheets[name["scope_sheet_index"]])
                             for name in self.payload["names"]]
        self.handlers = {
            "addSheet": self.add_sheet, "setSheetName": self.rename_sheet, "sheetDelete": self.delete_sheet,
            "setSheetPosition": self.move_sheet, "copySheet": self.copy_sheet,
            "activateSheet": self.activate_sheet, "rangeSelect": self.select_range,
            "sheetClear": self.clear_sheet, "sheetClearContents": self.clear_sheet,
            "setValues": self.set_values, "setFormula": self.set_formula,
            "rangeClear": self.clear_range, "rangeClearContents": self.clear_range,
            "addHyperlink": self.add_hyperlink,
        }

    def run(self, action: dict) -> Step:
        func = action["func"]
        position = action.get("sheet_position")
        sheet = self.sheets[position] if position is not None else None
        name = action["args"][1] if func == "addSheet" else sheet["name"] if sheet else None
        step = Step(func, name, _address(action), action["args"], action.get("values"))
        if func in self.handlers:
            self.handlers[func](action, sheet)
        elif func not in _VALUE_NEUTRAL and not func.startswith(_VALUE_NEUTRAL_PREFIXES):
            raise NotImplementedError(f"apply_actions does not interpret {func!r}")
        return step

    def finish(self) -> dict:
        names = []
        for name, target, scope in self.name_targets:
            if self.holds(target) and (scope is None or self.holds(scope)):
                name["sheet_index"] = self.index(target)
                if scope is not None:
                    name["scope_sheet_index"] = self.index(scope)
                    name["scope_sheet_name"] = scope["name"]
                    name["name"] = f"{_quoted(scope['name'])}!{name['name'].rsplit('!', 1)[-1]}"
                names.append(name)
        self.payload["names"] = names
        return self.payload

    def holds(self, sheet: dict) -> bool:
        return any(s is sheet for s in self.sheets)

    def index(self, sheet: dict) -> int:
        return next(i for i, s in enumerate(self.sheets) if s is sheet)

    def activate(self, index: int, selection: str = "A1") -> None:
        self.payload["book"]["active_sheet_index"] = index
        self.payload["book"]["selection"] = selection

    def check_name(self, name: str, renamed: dict | None = None) -> None:
        # Excel refuses these; the remote engine only checks the length.
        if not 0 < len(name) <= 31 or _FORBIDDEN_IN_SHEET_NAME.search(name) or name[0] == "'" or name[-1] == "'":
            raise ValueError(f"Excel refuses the sheet name {name!r}")
        if any(s["name"].casefold() == name.casefold() and s is not renamed for s in self.sheets):
            raise ValueError(f"Excel refuses a second sheet named {name!r}")

    def add_sheet(self, action, _):
        index, name = action["args"]
        self.check_name(name)
        self.sheets.insert(index, {"name": name, "values": [[]], "pictures": [], "tables": []})
        self.activate(index)

    def rename_sheet(self, action, sheet):
        self.check_name(action["args"][0], renamed=sheet)
        sheet["name"] = action["args"][0]

    def delete_sheet(self, _, sheet):
        if len(self.sheets) == 1:
            raise ValueError("Excel refuses to delete the only sheet of a workbook")
        index = self.index(sheet)
        self.sheets.remove(sheet)
        active = self.payload["book"]["active_sheet_index"]
        if active > index:
            self.activate(active - 1)
        elif active == index:
            self.activate(min(index, len(self.sheets) - 1))

    def move_sheet(self, action, sheet):
        self.sheets.remove(sheet)
        self.sheets.insert(action["args"][0], sheet)

    def copy_sheet(self, action, sheet):
        where, target, name = action["args"]
        self.check_name(name)
        self.sheets.insert(target if where == "Before" else target + 1, {**copy.deepcopy(sheet), "name": name})

    def activate_sheet(self, action, _):
        self.activate(action["args"][0])

    def select_range(self, action, sheet):
        self.activate(self.index(sheet), _address(action))

    def clear_sheet(self, _, sheet):
        sheet["values"] = [[]]

    def write(self, action, sheet, rows) -> None:
        top, left = action["start_row"], action["start_column"]
        grid = [] if sheet["values"] in ([], [[]]) else [list(row) for row in sheet["values"]]
        width = max([len(row) for row in grid] + [left + len(row) for row in rows])
        height = max(len(grid), top + len(rows))
        grid = [row + [self.empty] * (width - len(row)) for row in grid]
        grid += [[self.empty] * width for _ in range(height - len(grid))]
        for i, row in enumerate(rows):
            grid[top + i][left:left + len(row)] = row
        sheet["values"] = grid

    def excel_value(self, value):
        # What the cell holds once the client has written the engine's value.
        if value is None or value == "":
            return self.empty
        if isinstance(value, str):
            if _ISO_DATE.fullmatch(value) or _ISO_DATETIME.fullmatch(value):
                return _iso(dt.datetime.fromisoformat(value))
            if value.startswith("'"):
                return value[1:]
        return value

    def set_values(self, action, sheet):
        self.write(action, sheet, [[self.excel_value(v) for v in row] for row in action["values"]])

    def set_formula(self, action, sheet):
        # Formulas are kept as their text: nothing here computes them.
        formulas = action["values"]
        if not isinstance(formulas, list):
            formulas = [[formulas] * action["column_count"]] * action["row_count"]
        self.write(action, sheet, formulas)

    def clear_range(self, action, sheet):
        values = [] if sheet["values"] == [[]] else sheet["values"]
        top, left = action["start_row"], action["start_column"]
        bottom = min(len(values), top + action["row_count"])
        right = min(max((len(row) for row in values), default=0), left + action["column_count"])
        if top < bottom and left < right:
            self.write(action, sheet, [[self.empty] * (right - left)] * (bottom - top))

    def add_hyperlink(self, action, sheet):
        # The cell shows text_to_display (xlwings sends the address when none is given).
        self.write(action, sheet, [[action["args"][1]]])


def steps(payload: dict, actions) -> list[Step]:
    """Each action with the name of the sheet it addresses and its A1 range."""
    run = _Replay(payload)
    return [run.run(action) for action in _action_list(actions)]


def replay(payload: dict, actions) -> dict:
    """The payload the client would send next time, once Excel has run the actions.

    Sheets added, renamed, moved, copied or deleted; values written or cleared
    (text written with a leading apostrophe loses it, ISO date strings become
    dates, formulas stay as their text). Raises ValueError where Excel would
    refuse (a duplicate sheet name...) and NotImplementedError for an action that
    changes values in a way not modelled here (sort, insert, copy...).
    """
    run = _Replay(payload)
    for action in _action_list(actions):
        run.run(action)
    return run.finish()


def _trimmed(rows: list[list]) -> list[list]:
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    width = max((max((j + 1 for j, v in enumerate(row) if v is not None), default=0) for row in rows), default=0)
    return [row[:width] for row in rows]


def sheet_values(payload: dict) -> dict[str, list[list]]:
    """Every sheet's values as the remote engine reads them, trailing empty rows and columns dropped."""
    with remote_book(payload) as book:
        return {sheet.name: _trimmed(sheet.used_range.options(ndim=2).value) for sheet in book.sheets}


def apply_actions(payload: dict, actions) -> dict[str, list[list]]:
    """Sheet name -> values, in workbook order, after Excel has run the actions."""
    return sheet_values(replay(payload, actions))


# --- What the actions touch ------------------------------------------------------


def touched_sheets(payload: dict, actions) -> set[str]:
    """Names of the sheets that any action addresses (a renamed sheet under its old name)."""
    return {step.sheet for step in steps(payload, actions) if step.sheet is not None}


def range_call_count(actions) -> int:
    """Actions that address a range: the client makes one Excel range call for each."""
    return sum(1 for action in _action_list(actions) if action.get("start_row") is not None)


def action_counts(actions) -> Counter:
    return Counter(action["func"] for action in _action_list(actions))


def alerts(actions) -> list[tuple[str, str]]:
    """(prompt, title) of each `book.app.alert`."""
    return [(a["args"][0], a["args"][1]) for a in _action_list(actions) if a["func"] == "alert"]


_CLIENT_SOURCES = {
    "VBA": ("addin/Remote.bas", r"^Sub (\w+)\(wb As Workbook, action As Dictionary\)"),
    "Microsoft Office Scripts": ("js/xlwings.ts", r"^registerCallback\((\w+)\);"),
}


def client_actions(client: str) -> frozenset[str]:
    """The actions that a client shipped with the installed xlwings knows how to run.

    The Office.js client (xlwings Server's add-in, xlwings Lite) is not shipped
    with the Python package, so it has no entry here.
    """
    relative, pattern = _CLIENT_SOURCES[client]
    source = (Path(xw.__file__).parent / relative).read_text(encoding="utf-8", errors="replace")
    return frozenset(re.findall(pattern, source, re.MULTILINE))


def unsupported_actions(actions, client: str) -> list[str]:
    """Sorted names of the actions that this client would fail to run."""
    return sorted(set(action_counts(actions)) - client_actions(client))


# Text that Excel does not keep as typed when a client assigns it to a cell:
# a formula, a number ("0612345678", "12,5", "1 000"), a date or a time
# ("12/03/2025", "3-4", "12:30"), a boolean.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d[\d \u00a0\u202f]*([.,]\d*)?|[.,]\d+)(e[+-]?\d+)?\s*%?", re.IGNORECASE)
_DATE_OR_TIME = re.compile(r"(\d{1,4}([/.-])\d{1,2}(\2\d{1,4})?)?\s*(\d{1,2}:\d{2}(:\d{2})?\s*([ap]m)?)?",
                           re.IGNORECASE)
_BOOLEANS = {"TRUE", "FALSE", "VRAI", "FAUX"}


def _coerced_by_excel(text: str) -> bool:
    stripped = text.strip()
    if _ISO_DATE.fullmatch(text) or _ISO_DATETIME.fullmatch(text):
        return False  # how the engine writes a Python date: meant to become one
    return (text.startswith(_FORMULA_START) or stripped.upper() in _BOOLEANS
            or (bool(stripped) and bool(_NUMBER.fullmatch(stripped) or _DATE_OR_TIME.fullmatch(stripped))))


def risky_texts(payload: dict, actions) -> list[tuple[str, str, str]]:
    """(sheet, cell, text) of each string written by `range.value` that Excel would not keep as text.

    Excel parses a string assigned to a cell as if typed: '=1+1' becomes a
    formula, '0612345678' the number 612345678. Writing "'" + text keeps it.
    """
    found = []
    for step, action in zip(steps(payload, actions), _action_list(actions), strict=True):
        if step.func != "setValues":
            continue
        for i, row in enumerate(action["values"]):
            for j, value in enumerate(row):
                if isinstance(value, str) and _coerced_by_excel(value):
                    cell = f"{get_column_letter(action['start_column'] + j + 1)}{action['start_row'] + i + 1}"
                    found.append((step.sheet, cell, value))
    return found
