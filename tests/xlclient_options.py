"""The sheets a client of xlwings leaves out of its payload (`include` / `exclude`), and the payload's size.

As xlwings' clients do it: addin/Remote.bas `RunServerPython` (VBA) and js/xlwings.ts (Office Scripts) of
the installed xlwings, and xlwingsjs/src/xlwings.ts `runPython` (Office.js: xlwings Server's add-in, the
model of xlwings Lite's client; github.com/xlwings/xlwings at 64926cf2). Each takes a comma-separated list
(xlwings Lite's `@script` joins a Python list with ",": xlwings/pro/udfs_officejs.py `custom_scripts_meta`;
the JavaScript clients trim each name), refuses
include and exclude together, and turns an include list into the exclusion of every other sheet. A sheet
left out is still listed, with `values` [[]] and no tables or pictures; the Office.js client also leaves
out its sheet-scoped names (it loads a sheet's names only when it sends the sheet), the other two keep them.

What Excel on the web limits is not that payload but each Office.js call, 5 MB per request or response.
The Office.js client (xlwings-server at 8862003, xlwings_server/static/js/custom-scripts/index.js
`getBookData`: lines 469-476 queue `range.load("values, numberFormatCategories")` for every sheet it sends,
line 483 makes one `context.sync()` for all of them; only afterwards, lines 526-538, does it turn date serial
numbers into ISO text) receives, in that one response, every sent sheet's used range from A1 twice: its raw
values (a date is its serial number, an empty cell "") and the number-format category of each cell
("General", "Date", "Text"...). `read_call_bytes` models that response as the JSON of those two grids per
sheet, UTF-8, no spaces, and ignores the envelope (a few object ids per sheet) and any escaping of accented
letters, so the real response is a little larger, never smaller. The client's other calls (names, tables,
pictures, one per sheet) are small.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import date, datetime, time
from pathlib import Path


def _names_list(names: str | list[str] | tuple[str, ...] | None) -> list[str]:
    if not names:
        return []
    items = names.split(",") if isinstance(names, str) else list(names)
    return [item.strip() for item in items]


def excluded_sheets(titles: list[str], *, include=None, exclude=None) -> set[str]:
    """The sheets a client leaves out for this include or exclude option (names as Excel spells them)."""
    included, excluded = _names_list(include), _names_list(exclude)
    if included and excluded:
        raise ValueError("Either use 'include' or 'exclude', but not both!")
    if included:
        return {title for title in titles if title not in included}
    return set(excluded) & set(titles)


def sent_payload(payload: dict, *, include=None, exclude=None) -> dict:
    """What the client sends instead of the full `payload` when a script or a call names include or exclude."""
    sent = copy.deepcopy(payload)
    left_out = excluded_sheets([sheet["name"] for sheet in sent["sheets"]], include=include, exclude=exclude)
    for sheet in sent["sheets"]:
        if sheet["name"] in left_out:
            sheet.update(values=[[]], pictures=[], tables=[])
    if sent["client"] == "Office.js":
        sent["names"] = [name for name in sent["names"]
                         if name["book_scope"] or name["scope_sheet_name"] not in left_out]
    return sent


def payload_bytes(payload: dict) -> int:
    """The size of the payload as the JavaScript clients send it: `JSON.stringify`, UTF-8, no spaces."""
    return len(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def _json_bytes(value) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


_EPOCH = datetime(1899, 12, 30)
_DAY_OR_YEAR = re.compile(r"[dy]", re.IGNORECASE)
_HOUR_OR_SECOND = re.compile(r"[hs]", re.IGNORECASE)
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def _raw_value(value):
    """A cell's value as Office.js' `Range.values` holds it: a date or a time is its serial number."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = (value - _EPOCH).total_seconds() / 86400
    elif isinstance(value, date):
        value = (value - _EPOCH.date()).days
    elif isinstance(value, time):
        value = (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    if isinstance(value, float) and value.is_integer():
        return int(value)  # JSON.stringify writes 45000, not 45000.0
    return value


def number_format_category(number_format: str, is_date: bool) -> str:
    """The `Excel.NumberFormatCategory` Excel reports for a cell of this number format."""
    bare = _QUOTED.sub("", number_format)
    if is_date:
        # a minute and a month are both `m`: a time has hours or seconds, and no day or year
        return "Time" if _HOUR_OR_SECOND.search(bare) and not _DAY_OR_YEAR.search(bare) else "Date"
    if number_format in ("General", ""):
        return "General"
    if number_format == "@":
        return "Text"
    if "%" in bare:
        return "Percentage"
    if "E+" in bare.upper():
        return "Scientific"
    if "?/" in bare:
        return "Fraction"
    if "€" in number_format or "$" in bare:
        return "Accounting" if "*" in bare else "Currency"
    if re.fullmatch(r"[0#,.\s]+", bare):
        return "Number"
    return "Custom"


def read_call_sheets(path: str | Path) -> dict[str, int]:
    """Sheet -> its share of the one Office.js read call: JSON of its values and its format categories."""
    import openpyxl  # here, not above: tests/xllite.py runs on the Lite path, whose imports are counted

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sizes = {}
        for ws in wb.worksheets:
            values, categories = [], []
            for row in ws.iter_rows(min_row=1, max_row=max(ws.max_row or 1, 1), min_col=1,
                                    max_col=max(ws.max_column or 1, 1)):
                values.append([_raw_value(getattr(cell, "value", None)) for cell in row])
                categories.append([number_format_category(getattr(cell, "number_format", "General") or "General",
                                                          getattr(cell, "is_date", False)) for cell in row])
            sizes[ws.title] = _json_bytes(values) + _json_bytes(categories)
        return sizes
    finally:
        wb.close()


def read_call_bytes(sheet_sizes: dict[str, int], sent: dict) -> int:
    """The size of the one Office.js call that reads the sheets `sent` carries values of (`sent_payload`)."""
    return sum(sheet_sizes[sheet["name"]] for sheet in sent["sheets"] if sheet["values"] not in ([], [[]]))
