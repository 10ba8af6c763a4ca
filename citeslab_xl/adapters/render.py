"""A `SheetLayout` rendered into an openpyxl worksheet, for the workbooks the tool creates with openpyxl.

`refresh` and `committee` write her workbook's generated sheets as sheet XML
(adapters/sheet_xml); the files the tool makes whole (the agglomeration's
export, the network's consolidation) are openpyxl workbooks. Both write the
same `core.sheet_look.look(layout)`: the placement, fonts, widths, heights,
page setup, page breaks and charts are decided there, once. Every text coming
from the data is written as text, never as a formula, even when it starts
with `=`, `+`, `-` or `@`: the only formulas in a generated sheet are the
`SUM` of a table's Total row.
"""

from __future__ import annotations

from functools import lru_cache

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from citeslab_xl.adapters import font_order
from citeslab_xl.adapters.sheet_xml.chart import native_chart
from citeslab_xl.core import sheet_look
from citeslab_xl.core.layout import SheetLayout
from citeslab_xl.core.sheet_grid import GENERAL
from citeslab_xl.core.sheet_look import PLAIN, CellStyle, SheetLook, look
from citeslab_xl.core.text import is_formula_like

font_order.use_excel_order()

FONT_NAME = sheet_look.FONT_NAME
HEADER_FILL = PatternFill("solid", fgColor=sheet_look.HEADER_FILL)


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
    _render_look(ws, look(layout))


def _render_look(ws: Worksheet, sheet: SheetLook) -> None:
    for (row, column), grid_cell in sheet.grid.cells.items():
        cell = ws.cell(row=row, column=column)
        cell.value = grid_cell.value
        if isinstance(grid_cell.value, str) and is_formula_like(grid_cell.value) and not grid_cell.formula:
            cell.data_type = "s"  # a text is always a text, even when it looks like a formula
        if grid_cell.number_format != GENERAL:
            cell.number_format = grid_cell.number_format
        cell_style = sheet.styles.get((row, column), PLAIN)
        if cell_style is not PLAIN:
            _apply(cell, cell_style)
        if grid_cell.link:
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=grid_cell.link)
    for row, first, last in sheet.merges:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    for column, width in sheet.widths.items():
        ws.column_dimensions[get_column_letter(column + 1)].width = width
    for row, height in sheet.heights.items():
        ws.row_dimensions[row].height = height
    ws.freeze_panes = f"A{sheet.freeze_row}"
    for place in sheet.charts:
        ws.add_chart(native_chart(place, ws.title), f"A{place.row}")
    _page_setup(ws, sheet)


def _apply(cell, cell_style: CellStyle) -> None:
    if cell_style.font is not None:
        cell.font = _font(cell_style.font)
    if cell_style.fill:
        cell.fill = PatternFill("solid", fgColor=cell_style.fill)
    if cell_style.top_border:
        cell.border = Border(top=Side(style="thin", color=cell_style.top_border))
    if cell_style.horizontal or cell_style.vertical or cell_style.wrap:
        cell.alignment = Alignment(horizontal=cell_style.horizontal, vertical=cell_style.vertical,
                                   wrap_text=cell_style.wrap or None)


@lru_cache(maxsize=64)
def _font(font: sheet_look.Font) -> Font:
    return Font(name=font.name, size=font.size, bold=font.bold or None, italic=font.italic or None,
                color=font.color, underline="single" if font.underline else None)


def _page_setup(ws: Worksheet, sheet: SheetLook) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if sheet.landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    for side, inches in sheet_look.PAGE_MARGINS.items():
        setattr(ws.page_margins, side, inches)
    centre, right = sheet.header
    ws.oddHeader.center.text = centre
    if right:
        ws.oddHeader.right.text = right
    ws.oddFooter.center.text = sheet.footer
    for row in sheet.breaks:
        ws.row_breaks.append(Break(id=row))
