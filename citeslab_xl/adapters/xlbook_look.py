"""A sheet's look (`core.sheet_look`) as the few range calls the buttons make through xlwings.

xlbook.py writes a generated sheet through xlwings' object model; this module
turns the look the file writer renders into rectangles, one per run of cells
sharing a value of one attribute (bold, a fill, a centred date, wrapping...),
so that a format costs one call per table column or per header row, never
one per cell or per data row. What a client can replay decides which of them
are sent (`Reach`, xlbook.py says which client has which).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from citeslab_xl.core.sheet_look import (
    HEADER_FILL,
    LINE_HEIGHT,
    POINTS_PER_CHARACTER,
    POINTS_PER_COLUMN,
    CellStyle,
    Font,
    SheetLook,
)

Box = tuple[int, int, int, int]  # top row, left column, bottom row, right column (1-based, inclusive)

# What a client may be asked to do beyond values, number formats, fills and autofit (the portable set).
FONT, WIDTH, HEIGHT, WRAP, ALIGN, MERGE, BORDER, FREEZE = (
    "font", "width", "height", "wrap", "align", "merge", "border", "freeze")
Reach = frozenset[str]
PORTABLE: Reach = frozenset()
EVERYTHING: Reach = frozenset({FONT, WIDTH, HEIGHT, WRAP, ALIGN, MERGE, BORDER, FREEZE})
# What each client replays beyond the portable set (xlbook.py's docstring says where each list comes from).
CLASSIC: Reach = EVERYTHING - {FREEZE}
OFFICE_JS: Reach = frozenset({FONT, FREEZE})

LIGHT_HEADER_FILL = "#D9E1F2"  # on which the default black text reads, when the header cannot be white
DEFAULT_FONT = Font()


@dataclass
class Formats:
    """Every format call of one sheet but its number formats, as rectangles."""

    fills: list[tuple[Box, str]] = field(default_factory=list)
    fonts: list[tuple[Box, str, object]] = field(default_factory=list)  # (box, Font property, value)
    top_borders: list[tuple[Box, str]] = field(default_factory=list)
    horizontal: list[tuple[Box, str]] = field(default_factory=list)
    vertical: list[tuple[Box, str]] = field(default_factory=list)
    wrapped: list[Box] = field(default_factory=list)
    widths: list[tuple[int, int, float]] = field(default_factory=list)  # first, last column (1-based), characters
    heights: list[tuple[int, int, float]] = field(default_factory=list)  # first, last row, points
    merges: list[Box] = field(default_factory=list)
    freeze_row: int | None = None  # the first row below the frozen ones (1: nothing frozen; None: not sent)


def width_points(characters: float) -> float:
    """A column width in characters (classic xlwings' unit) as points (the remote engine's): Calibri 11's."""
    return round(characters * POINTS_PER_CHARACTER[0] + POINTS_PER_COLUMN, 2)


def boxes(keyed: dict[tuple[int, int], object]) -> list[tuple[Box, object]]:
    """Rectangles of cells sharing a key: runs of adjacent columns in a row, stacked while rows repeat them."""
    by_row: dict[int, list[tuple[int, object]]] = {}
    for (row, column), key in sorted(keyed.items()):
        by_row.setdefault(row, []).append((column, key))
    done: list[tuple[Box, object]] = []
    open_boxes: dict[tuple[int, int, object], list[int]] = {}  # (left, right, key) -> [top, bottom]
    for row in sorted(by_row):
        still_open = {}
        for left, right, key in _runs(by_row[row]):
            box = open_boxes.pop((left, right, key), None)
            if box is not None and box[1] == row - 1:
                box[1] = row
            else:
                if box is not None:
                    done.append(((box[0], left, box[1], right), key))
                box = [row, row]
            still_open[left, right, key] = box
        done += [((top, left, bottom, right), key) for (left, right, key), (top, bottom) in open_boxes.items()]
        open_boxes = still_open
    done += [((top, left, bottom, right), key) for (left, right, key), (top, bottom) in open_boxes.items()]
    return sorted(done, key=lambda item: item[0])


def _runs(cells: list[tuple[int, object]]) -> list[tuple[int, int, object]]:
    runs: list[list] = []
    for column, key in cells:
        if runs and runs[-1][1] == column - 1 and runs[-1][2] == key:
            runs[-1][1] = column
        else:
            runs.append([column, column, key])
    return [(left, right, key) for left, right, key in runs]


def _keyed(styles: dict[tuple[int, int], CellStyle],
           attribute: Callable[[CellStyle], object]) -> list[tuple[Box, object]]:
    return boxes({cell: value for cell, style in styles.items() if (value := attribute(style)) is not None})


_FONT_PROPERTIES: dict[str, Callable[[Font], object]] = {
    "bold": lambda font: True if font.bold else None,
    "italic": lambda font: True if font.italic else None,
    "size": lambda font: font.size if font.size != DEFAULT_FONT.size else None,
    "color": lambda font: "#" + font.color if font.color else None,
}


def _of_font(value_of: Callable[[Font], object]) -> Callable[[CellStyle], object]:
    return lambda style: value_of(style.font) if style.font else None


def _spans(values: dict[int, float], skip: float | None = None) -> list[tuple[int, int, float]]:
    """(first, last, value) of each run of consecutive keys holding the same value, `skip` left out."""
    spans: list[list] = []
    for key, value in sorted(values.items()):
        if value == skip:
            continue
        if spans and spans[-1][1] == key - 1 and spans[-1][2] == value:
            spans[-1][1] = key
        else:
            spans.append([key, key, value])
    return [(first, last, value) for first, last, value in spans]


def formats(look: SheetLook, reach: Reach) -> Formats:
    """The calls that give a sheet written with values and number formats the look, within `reach`."""
    styles = look.styles
    result = Formats()
    # A header's white text needs its font: without one, a light fill on which the default black reads.
    result.fills = [(box, LIGHT_HEADER_FILL if fill == HEADER_FILL and FONT not in reach else "#" + str(fill))
                    for box, fill in _keyed(styles, lambda style: style.fill)]
    if FONT in reach:
        for name, value_of in _FONT_PROPERTIES.items():
            result.fonts += [(box, name, value) for box, value in _keyed(styles, _of_font(value_of))]
    if BORDER in reach:
        result.top_borders = [(box, "#" + str(color)) for box, color in _keyed(styles, lambda s: s.top_border)]
    if ALIGN in reach:
        result.horizontal = [(box, str(v)) for box, v in _keyed(styles, lambda style: style.horizontal)]
        result.vertical = [(box, str(v)) for box, v in _keyed(styles, lambda style: style.vertical)]
    if WRAP in reach:
        result.wrapped = [box for box, _ in _keyed(styles, lambda style: True if style.wrap else None)]
    if WIDTH in reach:
        result.widths = _spans({column + 1: width for column, width in look.widths.items()})
    if HEIGHT in reach and look.heights:
        # every row its one line, then the taller ones: as many calls as there are runs of tall rows
        result.heights = [(1, max(look.heights), LINE_HEIGHT)] + _spans(look.heights, skip=LINE_HEIGHT)
    if MERGE in reach:
        result.merges = [(row, first, row, last) for row, first, last in look.merges]
    if FREEZE in reach:
        result.freeze_row = look.freeze_row
    return result

