"""What the format actions of a remote-engine run leave on one sheet, and the same read from a file, to compare.

`tests/xlremote.py` replays the values of a run; this module replays its
formats: the actions xlwings queues for fonts, fills, borders, alignment,
wrapping, column widths, row heights, merges and frozen panes, each applied
to the cells of its range in order, as the client would. `file_formats`
reads the same from a worksheet written to a file (openpyxl), so that a
sheet the buttons wrote can be compared with the one `api.refresh` wrote.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl.utils import range_boundaries
from xlremote import steps

from citeslab_xl.adapters.xlbook_look import width_points

# The actions the Office.js client runs (xlwings Lite and xlwings Server's add-in share it): the `funcs` map of
# xlwings-server at 8862003, xlwings_server/static/js/custom-scripts/index.js, lines 841-886.
OFFICE_JS_ACTIONS = frozenset({
    "setValues", "addSheet", "setSheetName", "setAutofit", "setRangeColor", "activateSheet", "addHyperlink",
    "setNumberFormat", "setPictureName", "setPictureWidth", "setPictureHeight", "deletePicture", "addPicture",
    "updatePicture", "alert", "setRangeName", "namesAdd", "nameDelete", "runMacro", "rangeDelete", "rangeInsert",
    "rangeSelect", "rangeClearContents", "rangeClearFormats", "rangeGroup", "rangeUngroup", "rangeClear",
    "rangeAdjustIndent", "addTable", "setTableName", "resizeTable", "showAutofilterTable", "showHeadersTable",
    "showTotalsTable", "setTableStyle", "copyRange", "copyFromRange", "sheetDelete", "sheetClear",
    "sheetClearFormats", "sheetClearContents", "freezePaneAtRange", "freezePaneUnfreeze", "setFontProperty",
})

_HORIZONTAL = {"Center": "center", "Left": "left", "Right": "right", "General": None}
_VERTICAL = {"Top": "top", "Center": "center", "Bottom": None}


@dataclass
class Formats:
    """One sheet's formats, cell by cell (1-based (row, column)); only what differs from a new sheet."""

    fonts: dict[tuple[int, int], dict[str, object]] = field(default_factory=dict)  # bold, italic, size, color
    fills: dict[tuple[int, int], str] = field(default_factory=dict)  # RRGGBB
    top_borders: dict[tuple[int, int], str] = field(default_factory=dict)
    horizontal: dict[tuple[int, int], str] = field(default_factory=dict)
    vertical: dict[tuple[int, int], str] = field(default_factory=dict)
    wrapped: set[tuple[int, int]] = field(default_factory=set)
    widths: dict[int, float] = field(default_factory=dict)  # column -> characters
    heights: dict[int, float] = field(default_factory=dict)  # row -> points
    merges: set[str] = field(default_factory=set)
    freeze_row: int = 1


def _cells(address: str):
    left, top, right, bottom = range_boundaries(address)
    return [(row, column) for row in range(top, bottom + 1) for column in range(left, right + 1)]


def _color(value: str) -> str:
    return value.lstrip("#").upper()[-6:]


def sheet_formats(payload: dict, actions, sheet: str) -> Formats:
    """The formats the actions leave on `sheet` (points of column width turned back into characters)."""
    result = Formats()
    for step in steps(payload, actions):
        if step.sheet == sheet and step.func == "sheetClear":
            # Excel clears the cells' formats and merges, not the sizes of rows and columns nor the panes
            result = Formats(widths=result.widths, heights=result.heights, freeze_row=result.freeze_row)
        elif step.sheet == sheet:
            _apply(result, step)
    return result


def _apply(result: Formats, step) -> None:
    func, args = step.func, step.args
    if func == "freezePaneAtRange":
        result.freeze_row = int(args[0].split(":")[1]) + 1
        return
    if func == "freezePaneUnfreeze":
        result.freeze_row = 1
        return
    if step.address is None:
        return
    cells = _cells(step.address)
    if func == "setFontProperty":
        name, value = args
        for cell in cells:
            result.fonts.setdefault(cell, {})[name] = _color(value) if name == "color" else value
    elif func == "setRangeColor":
        result.fills.update(dict.fromkeys(cells, _color(args[0])))
    elif func == "setBorderProperty" and args[0] == "edge_top" and args[1] == "color":
        top = min(row for row, _ in cells)
        result.top_borders.update({cell: _color(args[2]) for cell in cells if cell[0] == top})
    elif func == "setHorizontalAlignment":
        result.horizontal.update(dict.fromkeys(cells, _HORIZONTAL[args[0]]))
    elif func == "setVerticalAlignment":
        result.vertical.update(dict.fromkeys(cells, _VERTICAL[args[0]]))
    elif func == "setWrapText":
        result.wrapped.update(cells) if args[0] else result.wrapped.difference_update(cells)
    elif func == "setColumnWidth":
        result.widths.update(dict.fromkeys((column for _, column in cells), in_characters(args[0])))
    elif func == "setRowHeight":
        result.heights.update(dict.fromkeys((row for row, _ in cells), args[0]))
    elif func == "rangeMerge":
        result.merges.add(step.address)


def file_formats(ws) -> Formats:
    """The same, read from an openpyxl worksheet (column widths in characters, as the file stores them)."""
    result = Formats()
    for row in ws.iter_rows():
        for cell in row:
            key = (cell.row, cell.column)
            font = {name: value for name, value in (("bold", cell.font.b), ("italic", cell.font.i),
                                                   ("size", cell.font.sz), ("color", _font_color(cell.font)))
                    if value and not (name == "size" and value == 11)}
            if font:
                result.fonts[key] = font
            if cell.fill.fill_type == "solid":
                result.fills[key] = _color(cell.fill.fgColor.rgb)
            if cell.border.top is not None and cell.border.top.style:
                result.top_borders[key] = _color(cell.border.top.color.rgb)
            if cell.alignment.horizontal:
                result.horizontal[key] = cell.alignment.horizontal
            if cell.alignment.vertical:
                result.vertical[key] = cell.alignment.vertical
            if cell.alignment.wrap_text:
                result.wrapped.add(key)
    for dimension in ws.column_dimensions.values():
        if dimension.customWidth:
            result.widths.update(dict.fromkeys(range(dimension.min, dimension.max + 1), dimension.width))
    result.heights = {row: dimension.height for row, dimension in ws.row_dimensions.items()
                      if dimension.height is not None}
    result.merges = {str(merged) for merged in ws.merged_cells.ranges}
    if ws.freeze_panes:
        result.freeze_row = range_boundaries(ws.freeze_panes)[1]
    return result


def _font_color(font) -> str | None:
    return _color(font.color.rgb) if font.color is not None and isinstance(font.color.rgb, str) else None


def in_characters(points: float) -> float:
    """A column width the remote engine was given in points, back in characters."""
    return round((points - width_points(0)) / (width_points(1) - width_points(0)), 2)
