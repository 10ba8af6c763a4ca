"""A large sheet's equal cells held as one object each (`reading._shared`), never changing a cell's type."""

from __future__ import annotations

from datetime import date

from citeslab_xl.adapters import reading

ROWS = reading.SHARED_CELLS // 4 + 1  # four columns: just past the size where sharing starts


def typed(cells: list[list]) -> list[list[tuple[type, object]]]:
    return [[(type(value), value) for value in row] for row in cells]


def sheet() -> list[list]:
    """Text, dates, a column mixing 1, 1.0 and True (equal keys, different cells) and one of floats only."""
    return [[f"Statut {i % 3}", date(2020, 1, 1 + i % 28), (1, 1.0, True)[i % 3], float(i % 5)] for i in range(ROWS)]


def test_equal_cells_are_shared_and_every_cell_keeps_its_value_and_type():
    cells = sheet()
    shared = reading._shared(sheet())
    assert typed(shared) == typed(cells)
    assert shared[0][0] is shared[3][0] and shared[0][1] is shared[28][1] and shared[0][3] is shared[5][3]


def test_a_smaller_sheet_is_left_as_it_is():
    cells = sheet()[: ROWS // 2]
    assert reading._shared(cells) is cells
