"""How a generated sheet looks and prints, decided once for every writer (pure: no workbook library).

`sheet_grid.lay_out` says where each value lands; `look` adds what the
coordinator sees on top of it: each cell's font, fill, border and alignment,
the column widths, the row heights, the merged note cells, the frozen rows,
the page setup with its « Données au » header, the page breaks that keep a
chart on one page, and where each chart goes. The sheet XML writer
(adapters/sheet_xml) and the openpyxl renderer (adapters/render.py) both
write a `SheetLook`, so that a sheet looks the same whichever wrote it.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field
from functools import cache

from citeslab_xl.core.layout import Chart, Note, SheetLayout, Table
from citeslab_xl.core.sheet_grid import (
    PlacedTable,
    SheetGrid,
    block_height,
    cell_value,
    chart_has_data,
    lay_out,
    note_span,
    text_width,
)

FONT_NAME = "Calibri"
BLUE = "1F4E78"

CHART_WIDTH_CM, MAX_CHART_WIDTH_CM = 16, 24  # at least 16 cm, else as wide as the sheet's tables
CHART_HEIGHT_CM = 8
POINTS_PER_CM = 72 / 2.54
LINE_HEIGHT = 15  # points, one line of 11 pt text
MIN_WIDTH, MAX_WIDTH = 8, 50
TITLE_HEIGHT = 19  # points, the 14 pt title row
# The printable A4 page in points (0.7 in each side, 0.75 in top and bottom: the break computation has used
# these since it was made, though the sheets print with 0.75 in and 1 in margins, PAGE_MARGINS), and the points
# of one character of column width: Excel's (7 px + 5 px of padding per column, at 96 dpi) and LibreOffice's,
# which measured on its prints is about a third wider.
PAGE_POINTS = {False: (595 - 2 * 0.7 * 72, 842 - 2 * 0.75 * 72), True: (842 - 2 * 0.7 * 72, 595 - 2 * 0.75 * 72)}
PAGE_MARGINS = {"left": 0.75, "right": 0.75, "top": 1.0, "bottom": 1.0, "header": 0.5, "footer": 0.5}  # inches
POINTS_PER_CHARACTER, POINTS_PER_COLUMN = (5.25, 7.0), 3.75
PAGE_SAFETY = 0.92  # the programs round row heights and scales: keep a margin before the page's foot
PAGE_FOOTER = "Page &P / &N"
_DATA_DATE = re.compile(r"données au (\d{2}/\d{2}/\d{4})")


# --- the look of one cell ---------------------------------------------------------

@dataclass(frozen=True)
class Font:
    """A font over the workbook's default one (Calibri 11): None is the sheet's plain text."""

    size: float = 11
    bold: bool = False
    italic: bool = False
    color: str | None = None  # RRGGBB
    underline: bool = False
    name: str = FONT_NAME


TITLE_FONT = Font(size=14, bold=True, color=BLUE)
SUBTITLE_FONT = Font(italic=True, color="595959")
TABLE_TITLE_FONT = Font(size=12, bold=True, color=BLUE)
HEADER_FONT = Font(bold=True, color="FFFFFF")
TOTAL_FONT = Font(bold=True)
LINK_FONT = Font(color="0563C1", underline=True)
NOTE_FONT = Font(size=10, italic=True, color="404040")
HEADER_FILL = BLUE  # a solid fill
TOTAL_BORDER = BLUE  # a thin line above the Total row


@dataclass(frozen=True)
class CellStyle:
    """Everything a cell's format says but its number format."""

    font: Font | None = None
    fill: str | None = None  # RRGGBB of a solid fill
    top_border: str | None = None  # RRGGBB of a thin top border
    horizontal: str | None = None  # "center"
    vertical: str | None = None  # "top", "center"
    wrap: bool = False


PLAIN = CellStyle()


@cache
def style(font: Font | None = None, fill: str | None = None, top_border: str | None = None,
          horizontal: str | None = None, vertical: str | None = None, wrap: bool = False) -> CellStyle:
    """The one instance of each distinct style: the writers look styles up by identity, resolving each once."""
    return CellStyle(font, fill, top_border, horizontal, vertical, wrap)


HEADER_STYLE = style(HEADER_FONT, HEADER_FILL, vertical="center", wrap=True)
NOTE_STYLE = style(NOTE_FONT, vertical="top", wrap=True)
DATE_STYLE = style(horizontal="center")  # a right-aligned date would touch the text of the next column
WRAPPED_STYLE = style(vertical="top", wrap=True)
TOTAL_STYLE = style(TOTAL_FONT, top_border=TOTAL_BORDER)


def is_date_format(number_format: str) -> bool:
    """A date, or a date read back as its serial number (Journal's older rows)."""
    return "yy" in number_format


# --- the look of a sheet ------------------------------------------------------------

@dataclass
class ChartPlace:
    """A chart with data, where it goes and which rows of its table it plots."""

    chart: Chart
    row: int  # its top-left cell is in column A of this row
    header_row: int  # the plotted table's header row (the series' names)
    first_row: int
    last_row: int
    width_cm: float
    height_cm: float = CHART_HEIGHT_CM
    text_categories: bool = False  # the first column holds texts (else numbers, years)


@dataclass
class SheetLook:
    layout: SheetLayout
    grid: SheetGrid
    styles: dict[tuple[int, int], CellStyle] = field(default_factory=dict)  # (row, column), 1-based; else PLAIN
    widths: dict[int, float] = field(default_factory=dict)  # column index (0-based) -> width in characters
    heights: dict[int, float] = field(default_factory=dict)  # row (1-based) -> points, every row of the sheet
    merges: list[tuple[int, int, int]] = field(default_factory=list)  # (row, first column, last column)
    freeze_row: int = 1  # the first row below the frozen ones (1: nothing frozen)
    breaks: list[int] = field(default_factory=list)  # a page break after each of these rows
    charts: list[ChartPlace] = field(default_factory=list)
    header: tuple[str, str] = ("", "")  # the page header's centre and right parts, with their `&` codes
    footer: str = PAGE_FOOTER
    landscape: bool = False


def look(layout: SheetLayout) -> SheetLook:
    """Where every cell goes (`lay_out`) and how the sheet looks and prints."""
    grid = lay_out(layout)
    result = SheetLook(layout, grid, widths=column_widths(layout, grid), landscape=layout.landscape)
    styles = result.styles
    styles[1, 1] = style(TITLE_FONT)
    if layout.subtitle:
        styles[2, 1] = style(SUBTITLE_FONT)
    tall: dict[int, float] = {1: TITLE_HEIGHT}
    span = note_span(layout)
    for index, block in enumerate(layout.blocks):
        row = grid.starts[index]
        if isinstance(block, Table):
            _table_look(result, block, grid.placed[index], tall)
        elif isinstance(block, Note):
            styles[row, 1] = NOTE_STYLE
            if span > 1:
                result.merges.append((row, 1, span))
            # a merged cell does not grow with its text: give the row the height the text needs
            width = sum(result.widths.get(j, MIN_WIDTH) for j in range(span))
            tall[row] = LINE_HEIGHT * lines(grid.cells[row, 1].value, width)
        elif isinstance(block, Chart):
            _chart_look(result, index, block)
    result.heights = _row_heights(layout, grid, tall)
    result.freeze_row = grid.placed[0].first_row if len(layout.blocks) == 1 and 0 in grid.placed \
        else grid.first_block_row  # under a lone table's header row, so that it stays in view
    result.header = page_header(layout)
    result.breaks = chart_page_breaks(layout, grid.starts, result.widths, result.heights)
    return result


def _table_look(result: SheetLook, table: Table, placed: PlacedTable, tall: dict[int, float]) -> None:
    styles, cells, widths = result.styles, result.grid.cells, result.widths
    if table.title:
        styles[placed.header_row - 1, 1] = style(TABLE_TITLE_FONT)
    columns = range(1, len(table.headers) + 1)
    for column in columns:
        styles[placed.header_row, column] = HEADER_STYLE
    # a wrapped header needs a taller row: neither Excel nor LibreOffice grows it on opening
    header_lines = max([lines(h, widths.get(j, MIN_WIDTH)) for j, h in enumerate(table.headers)] + [1])
    if header_lines > 1:
        tall[placed.header_row] = LINE_HEIGHT * header_lines
    wrapped = set(table.wrap_columns)
    link_column = (table.link_column if table.link_column is not None else 0) + 1
    for i, values in enumerate(table.rows):
        r = placed.first_row + i
        row_lines = _wrapped_lines(table, values, widths)
        if row_lines > 1:  # no program grows it on opening; the whole row reads from its top, beside the text
            tall[r] = LINE_HEIGHT * row_lines
        for column in columns:
            dated = is_date_format(cells[r, column].number_format)
            if row_lines > 1:
                cell_style = style(horizontal="center" if dated else None, vertical="top",
                                   wrap=column - 1 in wrapped)
            else:
                cell_style = DATE_STYLE if dated else WRAPPED_STYLE if column - 1 in wrapped else PLAIN
            if cell_style is not PLAIN:
                styles[r, column] = cell_style
        if i in table.links:
            base = styles.get((r, link_column), PLAIN)
            styles[r, link_column] = style(LINK_FONT, base.fill, base.top_border, base.horizontal, base.vertical,
                                           base.wrap)
    if table.total:
        for column in columns:
            styles[placed.last_row + 1, column] = TOTAL_STYLE


def _wrapped_lines(table: Table, values: list, widths: dict[int, float]) -> int:
    return max([lines(values[j], widths.get(j, MIN_WIDTH)) for j in table.wrap_columns if j < len(values)
                and isinstance(values[j], str)] + [1])


def _chart_look(result: SheetLook, index: int, chart: Chart) -> None:
    layout, grid = result.layout, result.grid
    row = grid.starts[index]
    if not chart_has_data(chart, layout, grid.placed):
        result.styles[row, 1] = style(NOTE_FONT)  # « … : aucune donnée à représenter. »
        return
    table = layout.blocks[chart.table]
    assert isinstance(table, Table)  # chart_has_data refused anything else
    where = grid.placed[chart.table]
    last_row = where.last_row if chart.rows is None else min(where.last_row, where.first_row + chart.rows - 1)
    text_categories = any(isinstance(cell_value(r[0] if r else None), str) for r in table.rows)
    result.charts.append(ChartPlace(chart, row, where.header_row, where.first_row, last_row,
                                    chart_width(layout, result.widths), text_categories=text_categories))


def _row_heights(layout: SheetLayout, grid: SheetGrid, tall: dict[int, float]) -> dict[int, float]:
    """Every row of the sheet 15 pt high unless it needs more, in Excel and LibreOffice alike.

    LibreOffice would make a row without a height 12.8 pt (and ignores the sheet's default): the pages then
    break on the same rows in both programs, and a chart covers exactly the rows it was given.
    """
    last = max([grid.starts[i] + block_height(b) for i, b in enumerate(layout.blocks)] + [grid.max_row])
    return {row: tall.get(row, LINE_HEIGHT) for row in range(1, last + 1)}


# --- sizes ------------------------------------------------------------------------

def lines(text, width: float) -> int:
    """How many lines a wrapped text takes in a column `width` characters wide."""
    per_line = max(1, int(width) - 1)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in str(text or "").split("\n"))


def column_widths(layout: SheetLayout, grid: SheetGrid) -> dict[int, float]:
    """Each column as wide as its longest text (within MIN_WIDTH, MAX_WIDTH), unless the layout says."""
    widths: dict[int, float] = {}
    for index, placed in grid.placed.items():
        table = layout.blocks[index]
        assert isinstance(table, Table)  # only tables are placed
        for j, header in enumerate(table.headers):
            longest = max(text_width(header), placed.longest[j])
            widths[j] = max(widths.get(j, MIN_WIDTH), min(MAX_WIDTH, longest + 2))
    widths.update(layout.widths)
    return widths


def chart_width(layout: SheetLayout, widths: dict[int, float]) -> float:
    """The width of the sheet's tables in cm, within [CHART_WIDTH_CM, MAX_CHART_WIDTH_CM]."""
    columns = max([len(t.headers) for t in layout.tables()] + [1])
    points = sum(widths.get(j, MIN_WIDTH) * POINTS_PER_CHARACTER[0] + POINTS_PER_COLUMN for j in range(columns))
    return round(min(MAX_CHART_WIDTH_CM, max(CHART_WIDTH_CM, points / POINTS_PER_CM)), 1)


# --- printing ---------------------------------------------------------------------

def page_header(layout: SheetLayout) -> tuple[str, str]:
    """The page header's centre (the title) and right part (the day the figures hold, not the day printed)."""
    as_of = data_date(layout)
    return layout.title.replace("&", "&&"), f"Données au {as_of}" if as_of else ""


def data_date(layout: SheetLayout) -> str | None:
    """The « données au » day of a sheet, JJ/MM/AAAA: its `as_of`, or the one its subtitle states."""
    if layout.as_of is not None:
        return f"{layout.as_of:%d/%m/%Y}"
    found = _DATA_DATE.search(layout.subtitle)
    return found[1] if found else None


def _page_rows_points(layout: SheetLayout, widths: dict[int, float], per_character: float) -> float:
    """How many points of rows one printed page holds, once the sheet is scaled to the page's width."""
    page_width, page_height = PAGE_POINTS[layout.landscape]
    columns = max([len(t.headers) for t in layout.tables()] + [1])
    sheet_width = sum(widths.get(j, MIN_WIDTH) * per_character + POINTS_PER_COLUMN for j in range(columns))
    scale = min(1.0, page_width / sheet_width)
    return page_height * PAGE_SAFETY / scale


def chart_page_breaks(layout: SheetLayout, starts: list[int], widths: dict[int, float],
                      heights: dict[int, float]) -> list[int]:
    """The rows after which a page break keeps a chart from starting at a page's foot and ending on the next.

    Excel and LibreOffice scale the sheet to the page's width differently (their character widths differ),
    so their pages break on different rows: the chart is moved when it would cross a break in either.
    """
    pages = [_page_rows_points(layout, widths, per_character) for per_character in POINTS_PER_CHARACTER]
    ends = [start + block_height(block) for start, block in zip(starts, layout.blocks, strict=True)]
    above = _points_above(heights, max(ends, default=1))
    tops, breaks = [1] * len(pages), []
    for index, block in enumerate(layout.blocks):
        start, end = starts[index], ends[index]  # with the blank row after the block
        if isinstance(block, Chart):
            chart = above[end] - above[start]
            if any(above[start] - above[top] + chart > page and above[start] > above[top]
                   for top, page in zip(tops, pages, strict=True)):
                breaks.append(start - 1)
                tops = [start] * len(pages)
        for k, page in enumerate(pages):
            while above[end] - above[tops[k]] > page:
                tops[k] = _row_after(above, tops[k], page)  # a long table runs over pages: from the top of its last
    return breaks


def _points_above(heights: dict[int, float], last: int) -> list[float]:
    """`above[r]`: the points of rows 1 to r − 1, for r up to `last`; heights are summed once, not per page."""
    above = [0.0, 0.0]
    for row in range(1, last):
        above.append(above[-1] + heights.get(row, TITLE_HEIGHT if row == 1 else LINE_HEIGHT))
    return above


def _row_after(above: list[float], top: int, page: float) -> int:
    """The first row of the page after the one starting at `top`."""
    return bisect.bisect_right(above, above[top] + page) - 1

