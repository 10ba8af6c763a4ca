"""Append-only sheets (`Journal`): the rows already in the file are kept above the new ones."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from xml.etree.ElementTree import Element

from citeslab_xl.adapters.opc import NS, RT, Package, PackURI
from citeslab_xl.adapters.workbook_file.book import BookInfo
from citeslab_xl.core.journal import rows_below_header
from citeslab_xl.core.layout import SheetLayout

_MAIN = f"{{{NS.MAIN}}}"
_INTEGER = re.compile(r"-?\d+")


def with_previous_rows(package: Package, book: BookInfo, layout: SheetLayout) -> SheetLayout:
    """The layout with the rows already in its sheet kept above its new rows."""
    sheet = book.sheet(layout.name)
    tables = layout.tables()
    if sheet is None or sheet.part is None or not tables:
        return layout
    table = tables[0]
    previous = rows_below_header(sheet.name, sheet_rows(package, book, sheet.part), table.headers)
    if table.total and previous:
        previous = previous[:-1]
    index = layout.blocks.index(table)
    links = {i + len(previous): target for i, target in table.links.items()}
    blocks = list(layout.blocks)
    blocks[index] = replace(table, rows=previous + list(table.rows), links=links)
    return replace(layout, blocks=blocks)


def sheet_rows(package: Package, book: BookInfo, part: PackURI) -> list[list]:
    """The values of a sheet part, row by row from A1; dates stay serial numbers (the layout formats them)."""
    strings = _shared_strings(package, book)
    grid: dict[int, dict[int, object]] = {}
    for r_index, row in enumerate(package.xml(part).iter(f"{_MAIN}row"), start=1):
        cells = grid.setdefault(int(row.get("r", r_index)), {})
        for c_index, cell in enumerate(row.iter(f"{_MAIN}c"), start=1):
            ref = cell.get("r")
            cells[_column_number(ref) if ref else c_index] = _cell_value(cell, strings)
    return [_from_column_a(grid.get(r, {})) for r in range(1, max(grid, default=0) + 1)]


def _from_column_a(cells: dict[int, object]) -> list:
    return [cells.get(c) for c in range(1, max(cells, default=0) + 1)]


def _column_number(ref: str) -> int:
    number = 0
    for ch in ref:
        if not ch.isalpha():
            break
        number = number * 26 + ord(ch.upper()) - 64
    return number


def _text_of(el: Element) -> str:
    """The text of a shared or inline string: one `t`, or rich-text runs (phonetic readings left out)."""
    plain = el.find(f"{_MAIN}t")
    if plain is not None:
        return plain.text or ""
    return "".join(run.findtext(f"{_MAIN}t") or "" for run in el.findall(f"{_MAIN}r"))


def _cell_value(cell: Element, strings: list[str]) -> object:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = cell.find(f"{_MAIN}is")
        return _text_of(inline) if inline is not None else None
    v = cell.find(f"{_MAIN}v")
    if v is None or v.text is None:
        return None
    text = v.text
    if kind == "s":
        index = int(text)
        return strings[index] if 0 <= index < len(strings) else None
    if kind in ("str", "e"):
        return text
    if kind == "b":
        return text in ("1", "true")
    if kind == "d":
        return datetime.fromisoformat(text)
    return int(text) if _INTEGER.fullmatch(text) else float(text)


def _shared_strings(package: Package, book: BookInfo) -> list[str]:
    part = book.part_of(RT.SHARED_STRINGS, package)
    if part is None:
        return []
    return [_text_of(si) for si in package.xml(part).iter(f"{_MAIN}si")]
