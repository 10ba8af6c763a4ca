"""A `SheetLayout` rendered into an openpyxl worksheet.

The layout is laid out from the top: a title, a subtitle, then each block
(table, note, chart) below the previous one with a blank row between them.
Every text coming from the data is written as text, never as a formula, even
when it starts with `=`, `+`, `-` or `@`: the only formulas in a generated
sheet are the `SUM` of a table's Total row.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, PieChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from citeslab_xl.adapters import font_order
from citeslab_xl.core.layout import Chart, Note, SheetLayout, Table
from citeslab_xl.core.sheet_grid import (  # the placement the Excel buttons share (cell_value: test_render)
    TOTAL_LABEL,
    block_height,
    block_starts,
    cell_value,
    default_format,
    note_span,
    summed_columns,
)
from citeslab_xl.core.text import is_formula_like

font_order.use_excel_order()

FONT_NAME = "Calibri"
BLUE = "1F4E78"
TITLE_FONT = Font(name=FONT_NAME, size=14, bold=True, color=BLUE)
SUBTITLE_FONT = Font(name=FONT_NAME, size=11, italic=True, color="595959")
TABLE_TITLE_FONT = Font(name=FONT_NAME, size=12, bold=True, color=BLUE)
HEADER_FONT = Font(name=FONT_NAME, size=11, bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor=BLUE)
TOTAL_FONT = Font(name=FONT_NAME, size=11, bold=True)
TOTAL_BORDER = Border(top=Side(style="thin", color=BLUE))
LINK_FONT = Font(name=FONT_NAME, size=11, color="0563C1", underline="single")
NOTE_FONT = Font(name=FONT_NAME, size=10, italic=True, color="404040")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="center")
NOTE_ALIGNMENT = Alignment(wrap_text=True, vertical="top")
DATE_ALIGNMENT = Alignment(horizontal="center")  # a right-aligned date would touch the text of the next column

CHART_WIDTH_CM, MAX_CHART_WIDTH_CM = 16, 24  # at least 16 cm, else as wide as the sheet's tables
CHART_HEIGHT_CM = 8
POINTS_PER_CM = 72 / 2.54
LINE_HEIGHT = 15  # points, one line of 11 pt text
MIN_WIDTH, MAX_WIDTH = 8, 50
TITLE_HEIGHT = 19  # points, the 14 pt title row
# The printable A4 page in points (openpyxl's default margins: 0.7 in each side, 0.75 in top and bottom),
# and the points of one character of column width: Excel's (7 px + 5 px of padding per column, at 96 dpi)
# and LibreOffice's, which measured on its prints is about a third wider.
PAGE_POINTS = {False: (595 - 2 * 0.7 * 72, 842 - 2 * 0.75 * 72), True: (842 - 2 * 0.7 * 72, 595 - 2 * 0.75 * 72)}
POINTS_PER_CHARACTER, POINTS_PER_COLUMN = (5.25, 7.0), 3.75
PAGE_SAFETY = 0.92  # the programs round row heights and scales: keep a margin before the page's foot
_DATA_DATE = re.compile(r"données au (\d{2}/\d{2}/\d{4})")


@dataclass
class _Placed:
    """Where a table landed: the rows of its header, first data row and last data row."""

    header_row: int
    first_row: int
    last_row: int  # first_row - 1 when the table has no rows


def render_workbook(layouts: list[SheetLayout], *, date1904: bool = False) -> Workbook:
    """A new workbook holding only the given layouts, one sheet each, in order.

    `date1904` must follow the workbook the sheets go into: a date is stored as
    a number of days counted from the workbook's epoch.
    """
    wb = Workbook()
    wb.remove(wb.active)
    if date1904:
        wb.epoch = CALENDAR_MAC_1904
    for sheet_layout in layouts:
        render_layout(wb.create_sheet(sheet_layout.name), sheet_layout)
    return wb


def render_layout(ws: Worksheet, layout: SheetLayout) -> None:
    """Render `layout` into the (empty) worksheet `ws`; the sheet's name is left as is."""
    _write(ws, 1, 1, layout.title).font = TITLE_FONT
    ws.row_dimensions[1].height = TITLE_HEIGHT  # rows are 15 pt (below): the title's 14 pt needs more
    row = 2
    if layout.subtitle:
        _write(ws, 2, 1, layout.subtitle).font = SUBTITLE_FONT
        row = 3
    first_block_row = row + 1

    starts = block_starts(layout, first_block_row)
    widths = _column_widths(layout)
    placed: dict[int, _Placed] = {}
    for index, block in enumerate(layout.blocks):
        if isinstance(block, Table):
            placed[index] = _render_table(ws, starts[index], block, widths)
    span = note_span(layout)
    for index, block in enumerate(layout.blocks):
        if isinstance(block, Note):
            _render_note(ws, starts[index], block, span, widths)
        elif isinstance(block, Chart):
            _render_chart(ws, starts[index], block, layout, placed, _chart_width(layout, widths))

    for column, width in widths.items():
        ws.column_dimensions[get_column_letter(column + 1)].width = width
    ws.freeze_panes = _freeze_cell(layout, placed, first_block_row)
    _fix_row_heights(ws, layout, starts)
    _page_setup(ws, layout)
    _keep_charts_on_one_page(ws, layout, starts, widths)


# --- positions ------------------------------------------------------------------

# --- values ---------------------------------------------------------------------

def _write(ws: Worksheet, row: int, column: int, value):
    """Write a data value; a text is always a text, even when it looks like a formula."""
    cell = ws.cell(row=row, column=column)
    value = cell_value(value)
    cell.value = value
    if is_formula_like(value):
        cell.data_type = "s"
    return cell


# --- blocks ---------------------------------------------------------------------

def _render_table(ws: Worksheet, row: int, table: Table, widths: dict[int, float]) -> _Placed:
    if table.title:
        _write(ws, row, 1, table.title).font = TABLE_TITLE_FONT
        row += 1
    header_row = row
    for j, header in enumerate(table.headers):
        cell = _write(ws, header_row, j + 1, header)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT
    # a wrapped header needs a taller row: neither Excel nor LibreOffice grows it on opening
    lines = max([_lines(h, widths.get(j, MIN_WIDTH)) for j, h in enumerate(table.headers)] + [1])
    if lines > 1:
        ws.row_dimensions[header_row].height = LINE_HEIGHT * lines

    link_column = table.link_column if table.link_column is not None else 0
    for i, values in enumerate(table.rows):
        r = header_row + 1 + i
        for j in range(len(table.headers)):
            value = values[j] if j < len(values) else None
            cell = _write(ws, r, j + 1, value)
            number_format = (table.cell_formats.get((i, j)) or table.formats.get(j)
                             or default_format(cell.value, first_column=j == 0))
            if number_format:
                cell.number_format = number_format
            if number_format and "yy" in number_format:  # a date, or a date read back as its serial number
                cell.alignment = DATE_ALIGNMENT
            elif j in table.wrap_columns:
                cell.alignment = NOTE_ALIGNMENT
        _fit_wrapped(ws, r, table, values, widths)
        target = table.links.get(i)
        if target:
            cell = ws.cell(row=r, column=link_column + 1)
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=target)
            cell.font = LINK_FONT

    placed = _Placed(header_row, header_row + 1, header_row + len(table.rows))
    if table.total:
        _render_total(ws, table, placed)
    return placed


def _fit_wrapped(ws: Worksheet, r: int, table: Table, values: list, widths: dict[int, float]) -> None:
    """A row whose wrapped texts need several lines gets their height (no program grows it on opening)."""
    lines = max([_lines(values[j], widths.get(j, MIN_WIDTH)) for j in table.wrap_columns if j < len(values)
                 and isinstance(values[j], str)] + [1])
    if lines > 1:
        ws.row_dimensions[r].height = LINE_HEIGHT * lines
        for j in range(len(table.headers)):  # the whole row read from its top, beside the wrapped text
            cell = ws.cell(row=r, column=j + 1)
            cell.alignment = Alignment(horizontal=cell.alignment.horizontal, vertical="top",
                                       wrap_text=j in table.wrap_columns)


def _render_total(ws: Worksheet, table: Table, placed: _Placed) -> None:
    r = placed.last_row + 1
    for j in range(len(table.headers)):
        cell = ws.cell(row=r, column=j + 1)
        cell.font, cell.border = TOTAL_FONT, TOTAL_BORDER
    ws.cell(row=r, column=1, value=TOTAL_LABEL)
    for j in summed_columns(table):
        letter = get_column_letter(j + 1)
        cell = ws.cell(row=r, column=j + 1)
        cell.value = f"=SUM({letter}{placed.first_row}:{letter}{placed.last_row})"
        number_format = table.formats.get(j) or _column_format(ws, j + 1, placed)
        if number_format:
            cell.number_format = number_format


def _column_format(ws: Worksheet, column: int, placed: _Placed) -> str | None:
    """The format a Total takes from the cells it sums, when they share one."""
    found = {ws.cell(row=r, column=column).number_format for r in range(placed.first_row, placed.last_row + 1)
             if ws.cell(row=r, column=column).value is not None}
    return found.pop() if len(found) == 1 else None


def _render_note(ws: Worksheet, row: int, note: Note, span: int, widths: dict[int, float]) -> None:
    cell = _write(ws, row, 1, note.text)
    cell.font, cell.alignment = NOTE_FONT, NOTE_ALIGNMENT
    if span > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=span)
    # a merged cell does not grow with its text: give the row the height the text needs
    ws.row_dimensions[row].height = LINE_HEIGHT * _lines(cell.value, sum(widths.get(j, MIN_WIDTH) for j in range(span)))


def _lines(text, width: float) -> int:
    """How many lines a wrapped text takes in a column `width` characters wide."""
    per_line = max(1, int(width) - 1)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in str(text or "").split("\n"))


def _chart_width(layout: SheetLayout, widths: dict[int, float]) -> float:
    """The width of the sheet's tables in cm, within [CHART_WIDTH_CM, MAX_CHART_WIDTH_CM]."""
    columns = max([len(t.headers) for t in layout.tables()] + [1])
    points = sum(widths.get(j, MIN_WIDTH) * POINTS_PER_CHARACTER[0] + POINTS_PER_COLUMN for j in range(columns))
    return round(min(MAX_CHART_WIDTH_CM, max(CHART_WIDTH_CM, points / POINTS_PER_CM)), 1)


def _render_chart(ws: Worksheet, row: int, chart: Chart, layout: SheetLayout, placed: dict[int, _Placed],
                  width_cm: float) -> None:
    table = layout.blocks[chart.table]
    where = placed.get(chart.table)
    if not isinstance(table, Table) or where is None:
        raise ValueError(f"le graphique « {chart.title} » ne désigne pas un tableau (bloc {chart.table})")
    last_row = where.last_row if chart.rows is None else min(where.last_row, where.first_row + chart.rows - 1)
    if last_row < where.first_row or not chart.series:
        cell = _write(ws, row, 1, f"{chart.title} : aucune donnée à représenter.")
        cell.font = NOTE_FONT
        return
    native = _native_chart(chart)
    series = chart.series[:1] if chart.kind == "pie" else chart.series
    for column in series:
        data = Reference(ws, min_col=column + 1, min_row=where.header_row, max_row=last_row)
        native.add_data(data, titles_from_data=True)
    categories = Reference(ws, min_col=1, min_row=where.first_row, max_row=last_row)
    if any(isinstance(cell_value(r[0] if r else None), str) for r in table.rows):
        # openpyxl refers to categories as numbers; Excel would then number the bars 1, 2, 3
        for serie in native.series:
            serie.cat = AxDataSource(strRef=StrRef(f=str(categories)))
    else:
        native.set_categories(categories)
    if chart.kind == "line":
        for serie in native.series:
            serie.smooth = False  # a smoothed curve overshoots: it dips below zero between two low months
    if len(native.series) == 1 and chart.kind != "pie":
        native.legend = None  # the title names the one series
    elif native.legend is not None:
        native.legend.position = "b"  # under the plot, which keeps the sheet's width
    native.width = width_cm
    ws.add_chart(native, f"A{row}")


def _native_chart(chart: Chart):
    if chart.kind == "pie":
        native = PieChart()
    else:
        native = LineChart() if chart.kind == "line" else BarChart()
        if chart.kind in ("bar", "col"):
            native.type = chart.kind
        if chart.kind == "bar":
            # horizontal bars are drawn from the bottom up: reversed, they read in the table's order
            native.x_axis.scaling.orientation = "maxMin"
        if chart.y_title:
            native.y_axis.title = chart.y_title
        # openpyxl marks axes as deleted by default: Excel would hide the labels
        native.x_axis.delete = False
        native.y_axis.delete = False
    native.title = chart.title
    native.height = CHART_HEIGHT_CM
    return native


# --- sheet settings -------------------------------------------------------------

def _text_width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    if isinstance(value, (int, float, Decimal)):
        return 12
    return max(len(line) for line in str(value).split("\n"))


def _column_widths(layout: SheetLayout) -> dict[int, float]:
    widths: dict[int, float] = {}
    for table in layout.tables():
        for j, header in enumerate(table.headers):
            longest = max([_text_width(header)] + [_text_width(cell_value(r[j])) for r in table.rows if j < len(r)])
            widths[j] = max(widths.get(j, MIN_WIDTH), min(MAX_WIDTH, longest + 2))
    widths.update(layout.widths)
    return widths


def _freeze_cell(layout: SheetLayout, placed: dict[int, _Placed], first_block_row: int) -> str:
    """Under a lone table's header row, so that it stays in view; otherwise under the title."""
    if len(layout.blocks) == 1 and 0 in placed:
        return f"A{placed[0].first_row}"
    return f"A{first_block_row}"


def _page_setup(ws: Worksheet, layout: SheetLayout) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if layout.landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddHeader.center.text = layout.title.replace("&", "&&")
    as_of = data_date(layout)
    if as_of:
        ws.oddHeader.right.text = f"Données au {as_of}"  # the day the figures hold, not the day it is printed
    ws.oddFooter.center.text = "Page &P / &N"


def data_date(layout: SheetLayout) -> str | None:
    """The « données au » day of a sheet, JJ/MM/AAAA: its `as_of`, or the one its subtitle states."""
    if layout.as_of is not None:
        return f"{layout.as_of:%d/%m/%Y}"
    found = _DATA_DATE.search(layout.subtitle)
    return found[1] if found else None


# --- page breaks ----------------------------------------------------------------

def _fix_row_heights(ws: Worksheet, layout: SheetLayout, starts: list[int]) -> None:
    """Every row of the sheet 15 pt high unless it needs more, in Excel and LibreOffice alike.

    LibreOffice would make a row without a height 12.8 pt (and ignores the sheet's default): the pages then
    break on the same rows in both programs, and a chart covers exactly the rows it was given.
    """
    last = max([starts[i] + block_height(b) for i, b in enumerate(layout.blocks)] + [ws.max_row])
    for row in range(2, last + 1):
        if ws.row_dimensions[row].height is None:
            ws.row_dimensions[row].height = LINE_HEIGHT


def _row_points(ws: Worksheet, row: int) -> float:
    height = ws.row_dimensions[row].height if row in ws.row_dimensions else None
    return height or (TITLE_HEIGHT if row == 1 else LINE_HEIGHT)


def _page_rows_points(layout: SheetLayout, widths: dict[int, float], per_character: float) -> float:
    """How many points of rows one printed page holds, once the sheet is scaled to the page's width."""
    page_width, page_height = PAGE_POINTS[layout.landscape]
    columns = max([len(t.headers) for t in layout.tables()] + [1])
    sheet_width = sum(widths.get(j, MIN_WIDTH) * per_character + POINTS_PER_COLUMN for j in range(columns))
    scale = min(1.0, page_width / sheet_width)
    return page_height * PAGE_SAFETY / scale


def _keep_charts_on_one_page(ws: Worksheet, layout: SheetLayout, starts: list[int],
                             widths: dict[int, float]) -> None:
    """A page break before a chart that would otherwise start at the foot of a page and end on the next.

    Excel and LibreOffice scale the sheet to the page's width differently (their character widths differ),
    so their pages break on different rows: the chart is moved when it would cross a break in either.
    """
    pages = [_page_rows_points(layout, widths, per_character) for per_character in POINTS_PER_CHARACTER]
    ends = [start + block_height(block) for start, block in zip(starts, layout.blocks, strict=True)]
    above = _points_above(ws, max(ends, default=1))
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
    for row in breaks:
        ws.row_breaks.append(Break(id=row))


def _points_above(ws: Worksheet, last: int) -> list[float]:
    """`above[r]`: the points of rows 1 to r − 1, for r up to `last`; heights are summed once, not per page."""
    above = [0.0, 0.0]
    for row in range(1, last):
        above.append(above[-1] + _row_points(ws, row))
    return above


def _row_after(above: list[float], top: int, page: float) -> int:
    """The first row of the page after the one starting at `top`."""
    return bisect.bisect_right(above, above[top] + page) - 1
