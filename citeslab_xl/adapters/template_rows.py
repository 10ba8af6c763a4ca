"""The managed workbook saved with its data sheets' rows written straight as XML.

openpyxl takes a minute to write the rows of a 100,000-porteur demo, one cell
object and one XML element at a time. Here openpyxl saves the workbook with
its tables, drop-downs, names and widths but no rows (`build_workbook(fill=False)`),
and each data sheet's rows are then spliced into its part, written as openpyxl
writes them: the same values, types and number formats (inline texts, dates as
serial numbers, a cell left out when empty), so that no reader can tell.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from zipfile import ZipFile

from openpyxl import Workbook
from openpyxl.cell.cell import TIME_TYPES, Cell, get_time_format
from openpyxl.compat import safe_string
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from citeslab_xl.adapters.template import FORMATS, build_workbook, column_kinds, row_values
from citeslab_xl.core import schema
from citeslab_xl.core.schema import Sheet

# A CR stays raw, as openpyxl writes it: readers take CR LF for LF, from either file alike.
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def save_filled_workbook(target: str | Path, rows: dict[str, list[dict]],
                         funders: tuple[str, ...] = schema.DEFAULT_FUNDERS,
                         charges: tuple[tuple[str, float], ...] = schema.DEFAULT_CHARGES) -> None:
    """Save at `target` the workbook `build_workbook(rows, funders, charges)` would save."""
    wb = build_workbook(rows, funders, charges, fill=False)
    # Before the save: the rows' number formats must be in the styles openpyxl writes.
    sheet_rows = {sheet.name: _rows_xml(wb, sheet, funders, rows.get(sheet.key, [])) for sheet in schema.DATA_SHEETS}
    package = BytesIO()
    wb.save(package)
    parts = {wb[name].path[1:]: xml for name, xml in sheet_rows.items() if xml is not None}
    with ZipFile(package) as source, ZipFile(target, "w") as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename in parts:
                data = _splice(data, *parts[info.filename])
            out.writestr(info, data)  # its compression and date kept


def _splice(part: bytes, dimension: str, rows_xml: str) -> bytes:
    """The part with the rows after its header row, and its dimension stretched over them."""
    head, found, tail = part.partition(b"</sheetData>")
    if not found:
        raise ValueError("feuille sans <sheetData> : le classeur n'a pas pu être rempli")
    head, count = _replace_dimension(head, dimension)
    if count != 1:
        raise ValueError("feuille sans <dimension> : le classeur n'a pas pu être rempli")
    return head + rows_xml.encode("utf-8") + found + tail


def _replace_dimension(head: bytes, dimension: str) -> tuple[bytes, int]:
    start = head.find(b'<dimension ref="')
    if start < 0:
        return head, 0
    end = head.index(b'"', start + len(b'<dimension ref="'))
    return head[:start] + f'<dimension ref="{dimension}'.encode() + head[end:], 1


def _rows_xml(wb: Workbook, sheet: Sheet, funders: tuple[str, ...], rows: list[dict]) -> tuple[str, str] | None:
    """(dimension, the rows from row 2) of a data sheet, or None when it has no rows."""
    if not rows:
        return None
    ws = wb[sheet.name]
    formats = [FORMATS.get(kind) for kind in column_kinds(sheet, funders)]
    letters = [get_column_letter(index) for index in range(1, len(formats) + 1)]
    styles: dict[str, str] = {}  # number format -> ' s="N"'

    def style(number_format: str) -> str:
        attribute = styles.get(number_format)
        if attribute is None:
            cell = Cell(ws)  # never in the sheet: it only registers the style, as a formatted cell would
            cell.number_format = number_format
            attribute = styles[number_format] = f' s="{cell.style_id}"'
        return attribute

    parts = []
    for excel_row, row in enumerate(rows, start=2):
        parts.append(f'<row r="{excel_row}">')
        for letter, column_format, value in zip(letters, formats, row_values(sheet, funders, row), strict=True):
            if value is not None:
                parts.append(_cell_xml(f"{letter}{excel_row}", value, column_format, style, wb.epoch))
        parts.append("</row>")
    return f"A1:{letters[-1]}{len(rows) + 1}", "".join(parts)


def _cell_xml(ref: str, value: object, column_format: str | None, style, epoch: datetime) -> str:
    """A cell as openpyxl writes it once `build_workbook` has set its value and number format."""
    if isinstance(value, str):  # every text is a text, even one that looks like a formula
        if not value:
            return f'<c r="{ref}" t="inlineStr"/>'
        stripped = value.strip()
        space = ' xml:space="preserve"' if stripped and stripped != value else ""
        return f'<c r="{ref}" t="inlineStr"><is><t{space}>{value.translate(_ESCAPES)}</t></is></c>'
    if isinstance(value, TIME_TYPES):
        fits = column_format is not None and isinstance(value, (date, datetime))
        text = safe_string(to_excel(value, epoch))
        attribute = style(column_format if fits else get_time_format(type(value)))
    elif isinstance(value, (int, float, Decimal)):
        text = safe_string(value)
        attribute = style(column_format) if column_format else ""
    else:
        raise TypeError(f"valeur de cellule non prise en charge : {value!r}")
    if not text:  # NaN or infinity: openpyxl writes the cell without its value
        return f'<c r="{ref}"{attribute} t="n"/>'
    return f'<c r="{ref}"{attribute} t="n"><v>{text}</v></c>'
