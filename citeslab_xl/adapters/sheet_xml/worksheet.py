"""A `SheetLook` written as a worksheet part, straight from its grid, in one pass over its rows.

Texts are inline strings (`t="inlineStr"`), so her sharedStrings part is
never touched; a text that looks like a formula (`=1+1`) is a text like any
other: the only formulas are the Totals' `SUM`, which `sheet_grid` marks.
Dates are serial numbers of the workbook's date system (1900 or 1904).
Style indexes are those of her styles.xml once merged (`XfOf`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time

from citeslab_xl.adapters.opc import NS
from citeslab_xl.core.sheet_grid import GridCell
from citeslab_xl.core.sheet_look import PAGE_MARGINS, PLAIN, CellStyle, SheetLook
from citeslab_xl.core.text import column_letter

XfOf = Callable[[str, CellStyle], int]  # (number format, style) -> index in the merged cellXfs
A4 = 9  # ST_PaperSize
LAST_COLUMN_INDEX = 16383  # a row break spans every column (0-based XFD)
EPOCH_1900, EPOCH_1904 = datetime(1899, 12, 30), datetime(1904, 1, 1)
SECONDS_PER_DAY = 86400
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTRIBUTE_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def escape(text: str) -> str:
    if "&" in text or "<" in text or ">" in text:  # most texts have none: no copy then
        return text.translate(_ESCAPES)
    return text


def quote(text: str) -> str:
    return text.translate(_ATTRIBUTE_ESCAPES)


def serial(value: date | time, date1904: bool) -> float | int:
    """A date, a date and time or a time as the number Excel stores for it."""
    if isinstance(value, time):
        return _day_fraction(value)
    moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    days = (moment - (EPOCH_1904 if date1904 else EPOCH_1900)).days
    if not date1904 and 0 < days <= 60:
        days -= 1  # the 1900 date system counts a 29 February 1900 that never was: earlier days are one less
    fraction = _day_fraction(moment.time())
    return days + fraction if fraction else days


def _day_fraction(moment: time) -> float:
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6
    return seconds / SECONDS_PER_DAY


def worksheet_xml(look: SheetLook, xf_of: XfOf, date1904: bool, drawing_rid: str | None = None) -> bytes:
    """The sheet part, encoded row by row: at 100,000 porteurs a sheet has millions of cells, and a string per
    cell of it alive at once weighed more than the part itself."""
    grid = look.grid
    keys = sorted(grid.cells)  # (row, column): the order of the rows, and of the cells within a row
    letters = [""] + [column_letter(c) for c in range(1, grid.max_column + 1)]
    styles, heights = look.styles, look.heights
    style_attributes: dict[tuple[str, int], str] = {}  # ' s="12"', or "" for the plain cell
    links: list[tuple[str, str]] = []
    chunks = [_head(look).encode("utf-8")]
    end = 0
    for row in range(1, max(max(heights, default=0), grid.max_row) + 1):
        height = heights.get(row)
        start = end
        while end < len(keys) and keys[end][0] == row:
            end += 1
        if start == end:
            if height:
                chunks.append(f'<row r="{row}" ht="{height:g}" customHeight="1"/>'.encode())
            continue
        parts = [f'<row r="{row}" ht="{height:g}" customHeight="1">' if height else f'<row r="{row}">']
        for at in keys[start:end]:
            cell, cell_style = grid.cells[at], styles.get(at, PLAIN)
            key = (cell.number_format, id(cell_style))
            style = style_attributes.get(key)
            if style is None:
                index = xf_of(cell.number_format, cell_style)
                style = style_attributes[key] = f' s="{index}"' if index else ""
            ref = f"{letters[at[1]]}{row}"
            parts.append(_cell(ref, style, cell, date1904))
            if cell.link:
                links.append((ref, cell.link))
        parts.append("</row>")
        chunks.append("".join(parts).encode("utf-8"))
    chunks.append(("</sheetData>" + _tail(look, letters, links, drawing_rid)).encode("utf-8"))
    return b"".join(chunks)


def _cell(ref: str, style: str, cell: GridCell, date1904: bool) -> str:
    value = cell.value
    if value is None or value == "":  # an empty text is no value, as openpyxl wrote it
        return f'<c r="{ref}"{style}/>' if style else ""
    if cell.formula:
        return f'<c r="{ref}"{style}><f>{escape(str(value)[1:])}</f></c>'
    if isinstance(value, str):
        space = ' xml:space="preserve"' if value[0].isspace() or value[-1].isspace() else ""
        return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{escape(value)}</t></is></c>'
    if isinstance(value, (date, time)):
        value = serial(value, date1904)
    number = repr(value) if isinstance(value, float) else str(value)  # an int, a Decimal: exact
    return f'<c r="{ref}"{style}><v>{number}</v></c>'


def _head(look: SheetLook) -> str:
    grid = look.grid
    dimension = f"A1:{column_letter(grid.max_column)}{grid.max_row}"
    if look.freeze_row > 1:
        split = look.freeze_row - 1
        view = (f'<sheetView workbookViewId="0"><pane ySplit="{split}" topLeftCell="A{look.freeze_row}" '
                'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A1" sqref="A1"/>'
                "</sheetView>")
    else:
        view = '<sheetView workbookViewId="0"/>'
    columns = "".join(f'<col min="{j + 1}" max="{j + 1}" width="{width:g}" customWidth="1"/>'
                      for j, width in sorted(look.widths.items()))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{NS.MAIN}" xmlns:r="{NS.OFFICE_RELATIONSHIPS}">'
            f'<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr><dimension ref="{dimension}"/>'
            f'<sheetViews>{view}</sheetViews><sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>'
            + (f"<cols>{columns}</cols>" if columns else "") + "<sheetData>")


def _tail(look: SheetLook, letters: list[str], links: list[tuple[str, str]], drawing_rid: str | None) -> str:
    parts = []
    if look.merges:
        merges = "".join(f'<mergeCell ref="{letters[first]}{row}:{letters[last]}{row}"/>'
                         for row, first, last in look.merges)
        parts.append(f'<mergeCells count="{len(look.merges)}">{merges}</mergeCells>')
    if links:
        items = "".join(f'<hyperlink ref="{ref}" location="{quote(target)}"/>' for ref, target in links)
        parts.append(f"<hyperlinks>{items}</hyperlinks>")
    margins = "".join(f' {side}="{inches:g}"' for side, inches in PAGE_MARGINS.items())
    parts.append(f"<pageMargins{margins}/>")
    orientation = "landscape" if look.landscape else "portrait"
    parts.append(f'<pageSetup paperSize="{A4}" orientation="{orientation}" fitToWidth="1" fitToHeight="0"/>')
    centre, right = look.header
    header = f"&C{centre}" + (f"&R{right}" if right else "")
    parts.append(f"<headerFooter><oddHeader>{escape(header)}</oddHeader>"
                 f"<oddFooter>{escape('&C' + look.footer)}</oddFooter></headerFooter>")
    if look.breaks:
        breaks = "".join(f'<brk id="{row}" max="{LAST_COLUMN_INDEX}" man="1"/>' for row in look.breaks)
        parts.append(f'<rowBreaks count="{len(look.breaks)}" manualBreakCount="{len(look.breaks)}">{breaks}'
                     "</rowBreaks>")
    if drawing_rid:
        parts.append(f'<drawing r:id="{drawing_rid}"/>')
    parts.append("</worksheet>")
    return "".join(parts)

