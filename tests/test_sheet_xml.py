"""The generated sheets written as sheet XML (adapters/sheet_xml) say what their looks say.

A refresh writes each generated sheet straight from `sheet_look.look(layout)`;
openpyxl reads the file back here, as any program would, and every cell
(value, number format, bold, fill, wrap, centring), merged range, width,
height, frozen row, page header and chart must be the look's. Every part
written is well-formed XML (expat).
"""

from __future__ import annotations

import shutil
import zipfile
from datetime import date, datetime, time
from decimal import Decimal
from xml.parsers import expat

import pytest
from conftest import AS_OF, CORPUS
from libreoffice import first_page_png, requires_soffice, to_pdf
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from citeslab_xl import api
from citeslab_xl.adapters import writer
from citeslab_xl.adapters.render import render_workbook
from citeslab_xl.adapters.sheet_xml import sheet_parts, style_keys, styles_part
from citeslab_xl.adapters.sheet_xml.worksheet import serial
from citeslab_xl.core import plan
from citeslab_xl.core.layout import DATE, EURO, Chart, Note, SheetLayout, Table
from citeslab_xl.core.sheet_look import PLAIN, SheetLook, is_date_format, look


def _layouts(path) -> list[SheetLayout]:
    dataset = api.check_file(path, AS_OF)
    run = plan.refresh_plan([], AS_OF, None, False, {})
    return api.refresh_layouts(dataset, run, AS_OF)  # with the year's COPIL and the quarter's COTECH


@pytest.fixture(scope="module")
def refreshed(demo_workbook, tmp_path_factory):
    """The demo with its generated sheets written, read back by openpyxl, and the looks they were written from."""
    path = tmp_path_factory.mktemp("sheet_xml") / "suivi.xlsx"
    shutil.copyfile(demo_workbook, path)
    layouts = _layouts(path)
    writer.write_generated(path, layouts)
    return load_workbook(path), [look(layout) for layout in layouts]


def _expected_value(value, number_format: str):
    if value == "":
        return None
    if isinstance(value, date) and not isinstance(value, datetime) and is_date_format(number_format):
        return datetime(value.year, value.month, value.day)  # openpyxl reads every date as a datetime
    return value


def _assert_written_as_looked(ws, sheet: SheetLook) -> None:
    name = sheet.layout.name
    for (row, column), placed in sheet.grid.cells.items():
        cell = ws.cell(row=row, column=column)
        where = f"{name}!{cell.coordinate}"
        expected = _expected_value(placed.value, placed.number_format)
        if isinstance(expected, Decimal):
            assert cell.value == pytest.approx(float(expected)), where
        else:
            assert cell.value == expected, where
        assert (cell.data_type == "f") == placed.formula, where
        assert cell.number_format == placed.number_format, where
        style = sheet.styles.get((row, column), PLAIN)
        assert bool(cell.font.b) == bool(style.font and style.font.bold), where
        assert bool(cell.font.i) == bool(style.font and style.font.italic), where
        assert (cell.fill.fgColor.rgb[-6:] if cell.fill.fill_type == "solid" else None) == style.fill, where
        assert bool(cell.alignment.wrap_text) == style.wrap, where
        assert cell.alignment.horizontal == style.horizontal, where
        assert cell.alignment.vertical == style.vertical, where
        assert (cell.hyperlink.location if cell.hyperlink else None) == placed.link, where
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert merged == {f"{get_column_letter(a)}{row}:{get_column_letter(b)}{row}" for row, a, b in sheet.merges}, name
    assert {j: ws.column_dimensions[get_column_letter(j + 1)].width for j in sheet.widths} == sheet.widths, name
    assert {r: ws.row_dimensions[r].height for r in sheet.heights} == sheet.heights, name
    assert len(ws._charts) == len(sheet.charts), name
    assert [b.id for b in ws.row_breaks.brk] == sheet.breaks, name
    assert ws.freeze_panes == (f"A{sheet.freeze_row}" if sheet.freeze_row > 1 else None), name
    assert (ws.oddHeader.center.text, ws.oddHeader.right.text or "") == sheet.header, name
    assert ws.page_setup.orientation == ("landscape" if sheet.landscape else "portrait"), name


def test_every_generated_sheet_reads_back_as_its_look(refreshed):
    wb, looks = refreshed
    assert len(looks) >= 9
    assert sum(len(sheet.charts) for sheet in looks) >= 4  # the demo's sheets exercise charts, links, notes
    assert any(sheet.merges for sheet in looks) and any(sheet.breaks for sheet in looks)
    for sheet in looks:
        _assert_written_as_looked(wb[sheet.layout.name], sheet)


def test_every_part_written_is_well_formed(demo_workbook):
    looks = [look(layout) for layout in _layouts(demo_workbook)]
    styles, index = styles_part(style_keys(looks))
    parts = [styles]
    for sheet in looks:
        written = sheet_parts(sheet, lambda number_format, style: index[number_format, style], date1904=False)
        parts += [written.sheet, *([written.drawing] if written.drawing else []), *written.charts]
    assert len(parts) > len(looks) + 4
    for data in parts:
        expat.ParserCreate().Parse(data, True)  # raises on the first fault


def test_a_broken_part_would_be_caught_by_the_same_check():
    with pytest.raises(expat.ExpatError):
        expat.ParserCreate().Parse(b"<worksheet><sheetData></worksheet>", True)


TRICKY = Table(["Texte", "Nombre", "Date", "Argent"], [
    ["=1+1", 1, date(2026, 3, 1), Decimal("1200.50")],
    ["+33 6 12 34 56 78", 2.5, datetime(2026, 3, 1, 8, 30), Decimal("0.1")],
    ["@SUM(A1)", None, date(1900, 1, 15), None],
    [" deux espaces ", -3, None, None],
    ["a < b & c > d \"cité\" l'été", 10 ** 15, None, None],
    ["contrôle\x01\x0bici", 0, time(12, 0), None],
], formats={3: EURO})


def _user_workbook(path, date1904: bool = False):
    wb = Workbook()
    wb.active.title = "Porteurs"
    wb.active["A1"] = "texte partagé"
    if date1904:
        wb.epoch = datetime(1904, 1, 1)
    wb.save(path)
    return path


@pytest.mark.parametrize("date1904", [False, True])
def test_tricky_values_read_back_as_written(tmp_path, date1904):
    path = _user_workbook(tmp_path / "suivi.xlsx", date1904)
    layout = SheetLayout("Anomalies", "Titre & co", "Au 26/11/2026", blocks=[TRICKY, Note("Une note."),
                         Chart("col", "Nombres", 0, [1])])
    writer.write_generated(path, [layout])
    ws = load_workbook(path)["Anomalies"]
    first = 5  # title, subtitle, blank row, header row
    assert [ws.cell(first + i, 1).value for i in range(6)] == [
        "=1+1", "+33 6 12 34 56 78", "@SUM(A1)", " deux espaces ", "a < b & c > d \"cité\" l'été", "contrôleici"]
    assert all(ws.cell(first + i, 1).data_type == "s" for i in range(6))  # texts, never formulas
    assert [ws.cell(first + i, 2).value for i in range(6)] == [1, 2.5, None, -3, 10 ** 15, 0]
    assert ws.cell(first, 3).value == datetime(2026, 3, 1)
    assert ws.cell(first + 1, 3).value == datetime(2026, 3, 1, 8, 30)
    assert ws.cell(first + 2, 3).value == datetime(1900, 1, 15)
    assert ws.cell(first + 5, 3).value == time(12, 0)
    assert ws.cell(first, 3).number_format == DATE and ws.cell(first, 3).alignment.horizontal == "center"
    assert ws.cell(first, 4).value == pytest.approx(1200.5) and ws.cell(first, 4).number_format == EURO
    assert ws.oddHeader.center.text == "Titre && co"


def test_serial_numbers_of_both_date_systems():
    assert serial(date(2026, 11, 26), False) == 46352
    assert serial(date(2026, 11, 26), True) == 46352 - 1462
    assert serial(date(1900, 1, 1), False) == 1  # before Excel's 29 February 1900
    assert serial(date(1900, 3, 1), False) == 61
    assert serial(datetime(2026, 11, 26, 12), False) == 46352.5
    assert serial(time(6), False) == 0.25


def test_shared_strings_are_left_as_they_were(tmp_path):
    path = tmp_path / "merge_cells.xlsx"  # saved by Excel, with a sharedStrings part
    shutil.copyfile(CORPUS / path.name, path)
    with zipfile.ZipFile(path) as archive:
        before, names = archive.read("xl/sharedStrings.xml"), set(archive.namelist())
    writer.write_generated(path, [SheetLayout("Anomalies", "Anomalies", blocks=[TRICKY])])
    with zipfile.ZipFile(path) as archive:
        assert archive.read("xl/sharedStrings.xml") == before
        (sheet,) = {name for name in archive.namelist() if name.startswith("xl/worksheets/sheet")} - names
        assert b't="inlineStr"' in archive.read(sheet) and b't="s"' not in archive.read(sheet)


def test_the_run_styles_are_collected_once_each():
    looks = [look(SheetLayout("A", "Titre", blocks=[TRICKY])), look(SheetLayout("B", "Titre", blocks=[TRICKY]))]
    keys = style_keys(looks)
    assert len(keys) == len(set(keys))
    styles, index = styles_part(keys)
    assert len(set(index.values())) == len(keys)  # distinct keys, distinct formats
    expat.ParserCreate().Parse(styles, True)


@requires_soffice
@pytest.mark.slow
def test_libreoffice_prints_the_sheet_xml_as_it_prints_the_openpyxl_rendering(demo_workbook, tmp_path):
    """The two writers of a look (sheet XML for her workbook, openpyxl for the files made whole) print alike."""
    layout = next(layout for layout in _layouts(demo_workbook) if layout.name.startswith("Synthèse"))
    assert any(isinstance(block, Chart) for block in layout.blocks)
    pictures = []
    for folder in ("xml", "openpyxl"):
        (tmp_path / folder).mkdir()
        book = tmp_path / folder / "feuille.xlsx"
        if folder == "xml":
            empty = Workbook()
            empty.active.title = "Vide"  # an empty sheet prints no page
            empty.save(book)
            writer.write_generated(book, [layout], keep_backups=0)
        else:
            render_workbook([layout]).save(book)
        pictures.append(first_page_png(to_pdf(book, tmp_path / folder), tmp_path / folder / "page.png").read_bytes())
    assert pictures[0] == pictures[1]
