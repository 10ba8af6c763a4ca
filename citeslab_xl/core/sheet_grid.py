"""Where every value of a `SheetLayout` lands, and with which number format (pure: no workbook library).

The file writers (adapters/sheet_xml, adapters/render.py) and the Excel
buttons (adapters/xlbook.py) place a layout alike: a title in A1, a subtitle
in A2, then each block below the previous one with a blank row between them;
a table is its title, its header row, its rows and an optional Total row of
`SUM` formulas; a note is one cell merged across the sheet's width. `lay_out` computes that placement
once, as a grid of cells; `sheet_look.look` adds how it looks and prints
(fonts, widths, heights, charts, page setup), also once for every writer.
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from citeslab_xl.core.layout import DATE, INTEGER, Block, Chart, Note, SheetLayout, Table
from citeslab_xl.core.text import column_letter

GENERAL = "General"
DATETIME = "dd/mm/yyyy hh:mm"
TIME = "h:mm:ss"
TOTAL_LABEL = "Total"
CHART_ROWS = 16  # rows a chart covers: 16 rows of 15 pt are 8.5 cm
NOTE_MIN_COLUMNS = 6  # a note spans at least this many columns, so it reads as a paragraph
MAX_TEXT = 32767  # Excel's limit for one cell
# the control characters XML 1.0 cannot carry (openpyxl's ILLEGAL_CHARACTERS_RE)
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


# --- values ---------------------------------------------------------------------

def cell_value(value):
    """What a data value becomes in a cell: a number, a date or a text, or nothing."""
    kind = type(value)  # the common kinds first, by their exact type: this runs for every cell of a run
    if kind is str:
        return _clean_text(value)
    if kind is int:
        return value
    if kind is float:
        return value if math.isfinite(value) else None
    if value is None:
        return None
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, numbers.Integral):  # numpy integers too
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, (date, time)):
        if _is_missing(value):  # pandas' NaT is a datetime
            return None
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.replace(tzinfo=None)  # Excel has no time zones
        return value
    if _is_missing(value):
        return None
    return _clean_text(str(value))


def _is_missing(value) -> bool:
    try:
        return bool(value != value)
    except (TypeError, ValueError):  # pandas.NA refuses to be a bool
        return True


def _clean_text(text: str) -> str:
    # characters XML cannot carry would make the whole file unreadable; a printable text has none
    if not text.isprintable():
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return text[:MAX_TEXT]


def text_width(value) -> int:
    """The characters a cell value takes on screen, its longest line for a text."""
    if value is None:
        return 0
    if isinstance(value, str):
        return len(value) if "\n" not in value else max(len(line) for line in value.split("\n"))
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    if isinstance(value, (int, float, Decimal)):
        return 12
    return max(len(line) for line in str(value).split("\n"))


def default_format(value, first_column: bool = False) -> str | None:
    """A date's or a time's format, a count's thousands separator (« 1 234 »); the first column holds labels."""
    if isinstance(value, datetime):
        return DATETIME
    if isinstance(value, date):
        return DATE
    if isinstance(value, time):
        return TIME
    if isinstance(value, int) and not isinstance(value, bool) and not first_column:
        return INTEGER
    return None


def table_cell_format(table: Table, i: int, j: int, value) -> str | None:
    """The number format of row i, column j of a table, `value` being already a cell value."""
    return table.cell_formats.get((i, j)) or table.formats.get(j) or default_format(value, first_column=j == 0)


def summed_columns(table: Table) -> list[int]:
    """The columns a Total row sums: numbers only, never the first one nor a percentage."""
    columns = []
    for j in range(1, len(table.headers)):
        if "%" in table.formats.get(j, ""):
            continue  # a sum of rates means nothing
        values = [cell_value(row[j]) for row in table.rows if j < len(row)]
        values = [v for v in values if v is not None]
        if values and all(isinstance(v, (int, float, Decimal)) for v in values):
            columns.append(j)
    return columns


# --- positions ------------------------------------------------------------------

def block_height(block: Block) -> int:
    if isinstance(block, Table):
        return (1 if block.title else 0) + 1 + len(block.rows) + (1 if block.total else 0)
    if isinstance(block, Chart):
        return CHART_ROWS
    return 1


def block_starts(layout: SheetLayout, first_row: int) -> list[int]:
    """The first row of each block; charts may plot a table placed after them."""
    starts, row = [], first_row
    for block in layout.blocks:
        starts.append(row)
        row += block_height(block) + 1
    return starts


def note_span(layout: SheetLayout) -> int:
    """The columns a note is merged across: the widest table, and at least NOTE_MIN_COLUMNS."""
    return max([NOTE_MIN_COLUMNS] + [len(t.headers) for t in layout.tables()])


@dataclass(slots=True)  # one per cell of a run: slots make them lighter and quicker to make
class GridCell:
    value: object = None  # a cell value (`cell_value`), or the formula of a Total
    number_format: str = GENERAL
    formula: bool = False  # a Total row's SUM: the only formulas of a generated sheet
    link: str | None = None  # an internal target, "'Feuille'!C7"
    header: bool = False  # a table header cell


@dataclass
class PlacedTable:
    """Where a table landed: the rows of its header, first data row and last data row."""

    header_row: int
    first_row: int
    last_row: int  # first_row - 1 when the table has no rows
    longest: list[int] = field(default_factory=list)  # by column, the widest value of its rows (`text_width`)


@dataclass
class SheetGrid:
    cells: dict[tuple[int, int], GridCell] = field(default_factory=dict)  # (row, column), 1-based
    placed: dict[int, PlacedTable] = field(default_factory=dict)  # by block index
    starts: list[int] = field(default_factory=list)  # the first row of each block
    first_block_row: int = 3
    max_row: int = 1  # the extent of the cells, as a spreadsheet counts it
    max_column: int = 1

    def place(self, row: int, column: int, cell: GridCell) -> GridCell:
        self.cells[row, column] = cell
        self.max_row, self.max_column = max(self.max_row, row), max(self.max_column, column)
        return cell

    def put(self, row: int, column: int, value, number_format: str | None = None) -> GridCell:
        return self.place(row, column, GridCell(cell_value(value), number_format or GENERAL))


def lay_out(layout: SheetLayout) -> SheetGrid:
    """Every cell of the sheet the layout describes, where the file writer puts it."""
    grid = SheetGrid()
    grid.put(1, 1, layout.title)
    row = 2
    if layout.subtitle:
        grid.put(2, 1, layout.subtitle)
        row = 3
    grid.first_block_row = row + 1
    grid.starts = block_starts(layout, grid.first_block_row)
    for index, block in enumerate(layout.blocks):
        if isinstance(block, Table):
            grid.placed[index] = _place_table(grid, grid.starts[index], block)
    span = note_span(layout)
    for index, block in enumerate(layout.blocks):
        if isinstance(block, Note):
            grid.put(grid.starts[index], 1, block.text)
            for column in range(2, span + 1):  # the merged cells
                grid.place(grid.starts[index], column, GridCell())
        elif isinstance(block, Chart) and not chart_has_data(block, layout, grid.placed):
            grid.put(grid.starts[index], 1, f"{block.title} : aucune donnée à représenter.")
    return grid


def chart_has_data(chart: Chart, layout: SheetLayout, placed: dict[int, PlacedTable]) -> bool:
    table, where = layout.blocks[chart.table], placed.get(chart.table)
    if not isinstance(table, Table) or where is None:
        raise ValueError(f"le graphique « {chart.title} » ne désigne pas un tableau (bloc {chart.table})")
    return where.last_row >= where.first_row and bool(chart.series)


def _place_table(grid: SheetGrid, row: int, table: Table) -> PlacedTable:
    if table.title:
        grid.put(row, 1, table.title)
        row += 1
    header_row = row
    for j, header in enumerate(table.headers):
        grid.put(header_row, j + 1, header).header = True
    columns = len(table.headers)
    column_formats = [table.formats.get(j) for j in range(columns)]
    cell_formats, cells = table.cell_formats, grid.cells
    longest = [0] * columns
    # one loop over every cell of the run: values converted once, formats and widths found on the way
    for i, values in enumerate(table.rows, start=header_row + 1):
        given = len(values)
        for j in range(columns):
            value = cell_value(values[j]) if j < given else None
            number_format = ((cell_formats.get((i - header_row - 1, j)) if cell_formats else None)
                             or column_formats[j] or default_format(value, first_column=j == 0) or GENERAL)
            cells[i, j + 1] = GridCell(value, number_format)
            if value is not None and (width := text_width(value)) > longest[j]:
                longest[j] = width
    if table.rows and columns:
        grid.max_row, grid.max_column = max(grid.max_row, header_row + len(table.rows)), max(grid.max_column, columns)
    link_column = table.link_column if table.link_column is not None else 0
    for i, target in table.links.items():
        if target and 0 <= i < len(table.rows):
            r = header_row + 1 + i
            cell = cells.get((r, link_column + 1)) or grid.place(r, link_column + 1, GridCell())
            cell.link = target
            if cell.value is None:  # a link needs a text to click on: openpyxl shows its target
                cell.value = target
    placed = PlacedTable(header_row, header_row + 1, header_row + len(table.rows), longest)
    if table.total:
        _place_total(grid, table, placed)
    return placed


def _place_total(grid: SheetGrid, table: Table, placed: PlacedTable) -> None:
    r = placed.last_row + 1
    for j in range(len(table.headers)):
        grid.place(r, j + 1, GridCell())
    grid.put(r, 1, TOTAL_LABEL)
    for j in summed_columns(table):
        letter = column_letter(j + 1)
        grid.place(r, j + 1, GridCell(f"=SUM({letter}{placed.first_row}:{letter}{placed.last_row})",
                                      table.formats.get(j) or _column_format(grid, j + 1, placed), formula=True))


def _column_format(grid: SheetGrid, column: int, placed: PlacedTable) -> str:
    """The format a Total takes from the cells it sums, when they share one."""
    found = {cell.number_format for r in range(placed.first_row, placed.last_row + 1)
             if (cell := grid.cells[r, column]).value is not None}
    return found.pop() if len(found) == 1 else GENERAL
