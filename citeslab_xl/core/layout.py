"""Generated sheets described as data.

A `SheetLayout` says what a generated sheet shows (title, blocks of tables,
notes, charts, number formats) and nothing about how it is written: the file
writer (sheet XML, or openpyxl for the files made whole) and the Excel buttons
(xlwings) render the same layout, placed by `sheet_grid` and dressed by
`sheet_look`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

# Number formats (indicators.md › Precision). The separators are the reader's: Excel and LibreOffice
# show `#,##0` as « 1 234 » and `0.0` as « 40,0 » in a French locale; the space before % and € is
# written in the format, since a French reader expects « 40,0 % » whatever the program's locale.
DATE = "dd/mm/yyyy"
EURO = '#,##0.00\\ "€"'
PERCENT = "0.0\\ %"
INTEGER = "#,##0"
ONE_DECIMAL = "#,##0.0"
TWO_DECIMALS = "#,##0.00"


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
    wrap_columns: tuple[int, ...] = ()  # columns whose long texts wrap in their cell (the row grows)


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
    rows: int | None = None  # the table's first rows plotted (None: all), e.g. without a month still running


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
    as_of: date | None = None  # the « données au » day, printed in the page header

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]
