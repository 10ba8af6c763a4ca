"""Generated sheets described as data.

A `SheetLayout` says what a generated sheet shows (title, blocks of tables,
notes, charts, number formats) and nothing about how it is written: the file
writer (openpyxl) and the Excel buttons (xlwings) render the same layout.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

DATE = "dd/mm/yyyy"
EURO = '#,##0.00 "€"'
PERCENT = "0.0%"
INTEGER = "0"
ONE_DECIMAL = "0.0"


@dataclass
class Table:
    headers: list[str]
    rows: list[list]
    title: str | None = None
    formats: dict[int, str] = field(default_factory=dict)  # column index -> number format
    total: bool = False  # a last row "Total" summing the numeric columns with SUM formulas
    links: dict[int, str] = field(default_factory=dict)  # row index -> internal target "'Sheet'!B7"
    link_column: int | None = None
    cell_formats: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) -> format, over `formats`


@dataclass
class Note:
    text: str


@dataclass
class Chart:
    kind: Literal["bar", "col", "line", "pie"]
    title: str
    table: int  # index in SheetLayout.blocks of the Table it plots
    series: list[int]  # columns of that table, plotted against column 0
    y_title: str | None = None


Block = Table | Note | Chart


@dataclass
class SheetLayout:
    name: str
    title: str
    subtitle: str = ""
    blocks: list[Block] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)  # column index (0-based) -> width
    landscape: bool = False
    append_only: bool = False  # Journal: rows are added, never rewritten

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]
