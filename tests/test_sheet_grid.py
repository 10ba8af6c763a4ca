"""The placement of a layout (`sheet_grid.lay_out`) is the file writer's, cell for cell.

The Excel buttons write a layout from this grid, the file writer renders it
with openpyxl: every value, number format, header fill, link and the extent of
the sheet must agree, on every generated sheet of a demo with errors (links,
Total rows, empty tables under charts, dates, money, rates).
"""

from __future__ import annotations

from datetime import date

import pytest
from conftest import AS_OF
from openpyxl import Workbook

from citeslab_xl import api
from citeslab_xl.adapters.render import render_layout
from citeslab_xl.core import plan
from citeslab_xl.core.layout import Chart, Note, SheetLayout, Table
from citeslab_xl.core.sheet_grid import GENERAL, lay_out


def _layouts(path) -> list[SheetLayout]:
    dataset = api.check_file(path, AS_OF)
    run = plan.refresh_plan([], AS_OF, None, False, {})
    return [*api.refresh_layouts(dataset, run, AS_OF), api.committee_layout(dataset, "copil", None, AS_OF),
            api.committee_layout(dataset, "cotech", None, AS_OF)]


def _assert_placed_as_rendered(layout: SheetLayout) -> None:
    ws = Workbook().active
    render_layout(ws, layout)
    grid = lay_out(layout)
    assert (grid.max_row, grid.max_column) == (ws.max_row, ws.max_column), layout.name
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=ws.max_column):
        for cell in row:
            placed = grid.cells.get((cell.row, cell.column))
            where = f"{layout.name}!{cell.coordinate}"
            if placed is None:
                assert (cell.value, cell.number_format) == (None, GENERAL), where
                continue
            assert placed.value == cell.value, where
            assert type(placed.value) is type(cell.value), where
            assert placed.number_format == cell.number_format, where
            assert placed.formula == (cell.data_type == "f"), where
            assert placed.header == (cell.fill.fill_type == "solid"), where
            assert placed.link == (cell.hyperlink.location if cell.hyperlink else None), where


def test_every_generated_sheet_is_placed_as_the_file_writer_renders_it(demo_workbook):
    layouts = _layouts(demo_workbook)
    assert len(layouts) >= 9
    for layout in layouts:
        _assert_placed_as_rendered(layout)


def test_an_empty_table_a_total_and_a_chart_without_data_are_placed_as_rendered():
    table = Table(["Mois", "Nombre", "Taux"], [["2026-01", 3, 0.5], ["2026-02", None, 0.25]], title="T",
                  formats={2: "0.0%"}, total=True, links={1: "'Porteurs'!B7"}, link_column=1)
    empty = Table(["Jour", "Montant"], [], title="Vide")
    layout = SheetLayout("Essai", "Titre", "", [Note("Une note\nsur deux lignes"), table, empty,
                                                Chart("bar", "Rien", table=2, series=[1]),
                                                Chart("line", "Mois", table=1, series=[1]),
                                                Table(["Date", "Quand"], [[date(2026, 3, 1), "=1+1"]])])
    _assert_placed_as_rendered(layout)


def test_a_chart_must_plot_a_table():
    layout = SheetLayout("Essai", "Titre", "", [Note("n"), Chart("bar", "Rien", table=0, series=[1])])
    with pytest.raises(ValueError, match="ne désigne pas un tableau"):
        lay_out(layout)
