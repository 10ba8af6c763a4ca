"""The rows written straight as XML: the same workbook as openpyxl's, to whoever reads it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from citeslab_xl.adapters.template import build_workbook
from citeslab_xl.adapters.template_rows import save_filled_workbook
from citeslab_xl.demo import generate

AS_OF = date(2026, 11, 26)
ODD_TEXTS = ["", " lead", "trail ", "   ", "=1+1", "+33 6", "a & <b> > c", "deux\r\nlignes", "tab\tulation", "é — ü"]


def _rows() -> tuple[dict[str, list[dict]], tuple[tuple[str, float], ...]]:
    """A small demo with mistakes, and texts, numbers and dates an ordinary demo may not have."""
    data = generate(60, 2, seed=4, errors=0.1, as_of=AS_OF)
    rows = {key: list(values) for key, values in data.rows.items()}
    model = rows["porteurs"][0]
    rows["porteurs"] += [{**model, "nom": text, "id": f"odd-{i}"} for i, text in enumerate(ODD_TEXTS)]
    rows["suivi"] += [
        {"id_porteur": "P1", "date": datetime(2026, 3, 4, 15, 30), "emplois": 3.5, "ca": Decimal("1234.56")},
        {"id_porteur": "P2", "date": None, "emplois": 2**40, "ca": float("nan"), "active": True},
    ]
    return rows, data.charges


def _cells(path) -> dict[str, list[tuple]]:
    wb = load_workbook(path)
    return {ws.title: [(c.coordinate, c.value, c.data_type, c.number_format, c.font.b, c.fill.fill_type,
                        c.fill.fgColor.rgb) for row in ws.iter_rows() for c in row] for ws in wb}


def _structure(path) -> tuple:
    wb = load_workbook(path)
    names = {name: value.attr_text for name, value in wb.defined_names.items()}
    sheets = [(ws.title, ws.dimensions, ws.freeze_panes, ws.print_title_rows,
               [(str(d.sqref), d.type, d.formula1, d.errorStyle, d.error) for d in ws.data_validations.dataValidation],
               [(t.name, t.ref, [c.name for c in t.tableColumns], t.autoFilter.ref) for t in ws.tables.values()],
               {k: (v.width, v.number_format) for k, v in ws.column_dimensions.items()}) for ws in wb]
    return names, sheets


def test_rows_written_as_xml_read_back_as_openpyxl_wrote_them(tmp_path):
    rows, charges = _rows()
    slow, fast = tmp_path / "openpyxl.xlsx", tmp_path / "xml.xlsx"
    build_workbook(rows, charges=charges).save(slow)
    save_filled_workbook(fast, rows, charges=charges)
    slow_cells, fast_cells = _cells(slow), _cells(fast)
    assert list(fast_cells) == list(slow_cells)
    for sheet, cells in slow_cells.items():
        assert fast_cells[sheet] == cells, sheet
    assert _structure(fast) == _structure(slow)
    porteurs = load_workbook(fast)["Porteurs"]
    expected = [text.replace("\r\n", "\n") or None for text in ODD_TEXTS]  # as XML reads a CR LF in a text
    assert [c.value for c in porteurs["B"][-len(ODD_TEXTS):]] == expected


def test_an_empty_workbook_is_the_template(tmp_path):
    save_filled_workbook(tmp_path / "empty.xlsx", {})
    build_workbook().save(tmp_path / "template.xlsx")
    assert _cells(tmp_path / "empty.xlsx") == _cells(tmp_path / "template.xlsx")
    assert _structure(tmp_path / "empty.xlsx") == _structure(tmp_path / "template.xlsx")
