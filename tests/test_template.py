"""The managed workbook: built from code, committed, and readable back."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import quote_sheetname
from test_render import font_children

from citeslab_xl.adapters.font_order import EXCEL_ORDER
from citeslab_xl.adapters.reading import read_workbook
from citeslab_xl.adapters.template import build_workbook, list_range_name
from citeslab_xl.core import schema
from citeslab_xl.doors.api import check_file

COMMITTED = Path(__file__).parent.parent / "workbooks" / "template.xlsx"


def content(path: Path) -> dict:
    """What a person sees and gets from the workbook, not its zip bytes."""
    wb = load_workbook(path)
    sheets = {}
    for ws in wb.worksheets:
        sheets[ws.title] = {
            "cells": [(c.coordinate, c.value, c.number_format) for row in ws.iter_rows() for c in row
                      if c.value is not None],
            "validations": sorted((str(dv.sqref), dv.formula1, dv.type) for dv in ws.data_validations.dataValidation),
            "tables": sorted((t.displayName, t.ref) for t in ws.tables.values()),
            "freeze": ws.freeze_panes,
            "widths": {k: d.width for k, d in ws.column_dimensions.items()},
        }
    names = {n: d.attr_text for n, d in wb.defined_names.items()}
    return {"order": wb.sheetnames, "sheets": sheets, "names": names}


def test_committed_template_is_what_the_code_builds(tmp_path):
    built = tmp_path / "t.xlsx"
    build_workbook().save(built)
    assert content(built) == content(COMMITTED), "run: citeslab-xl template workbooks/template.xlsx"


def test_template_command_writes_the_same_workbook(tmp_path, cli):
    out = tmp_path / "vide.xlsx"
    result = cli("template", out)
    assert result.exit_code == 0, result.output
    assert content(out) == content(COMMITTED)


def test_every_data_sheet_is_an_excel_table_with_the_contract_headers():
    wb = load_workbook(COMMITTED)
    for sheet in schema.DATA_SHEETS:
        ws = wb[sheet.name]
        headers = [c.value for c in ws[1] if c.value is not None]
        assert headers[: len(sheet.columns)] == [c.header for c in sheet.columns]
        assert len(ws.tables) == 1
        assert ws.freeze_panes == "A2"
    assert [schema.funder_header(f) for f in schema.DEFAULT_FUNDERS] == \
        [c.value for c in wb["Financement"][1]][len(schema.FINANCEMENT.columns):]


def test_drop_downs_are_fed_from_parametres():
    wb = load_workbook(COMMITTED)
    validations = {dv.formula1 for dv in wb["Porteurs"].data_validations.dataValidation}
    assert f"={list_range_name('Statut')}" in validations
    assert f"={list_range_name(schema.QUARTIERS)}" in validations
    assert '"Oui,Non"' in validations
    target = wb.defined_names[list_range_name("Statut")].attr_text
    sheet_name, cells = target.split("!")
    assert sheet_name == quote_sheetname(schema.PARAMETRES_NAME)
    column = cells.split(":")[0].replace("$", "").rstrip("0123456789")
    assert wb["Paramètres"][f"{column}1"].value == "Statut"
    assert wb["Paramètres"][f"{column}2"].value == "Accueil"


def test_dates_euros_and_percent_are_formatted():
    wb = load_workbook(COMMITTED)
    assert wb["Porteurs"].column_dimensions["J"].number_format == "dd/mm/yyyy"
    assert wb["Financement"].column_dimensions["D"].number_format == "#,##0.00"
    assert wb["Paramètres"]["B4"].number_format == "0%"


def test_accueil_explains_every_sheet_and_button():
    wb = load_workbook(COMMITTED)
    text = " ".join(str(c.value) for row in wb["Accueil"].iter_rows() for c in row if c.value)
    for sheet in schema.DATA_SHEETS:
        assert sheet.name in text
    for button in ("Vérifier les données", "Actualiser les synthèses", "Comité de pilotage",
                   "Comité technique", "Exporter pour l'agglomération"):
        assert button in text


def test_the_empty_template_reads_back_with_default_settings_and_no_error():
    raw = read_workbook(COMMITTED)
    assert set(raw.tables) == {s.key for s in schema.DATA_SHEETS}
    assert raw.settings.seuil_secret == 5
    assert raw.settings.objectif_taux_creation == 0.40
    assert "Planoise" in raw.settings.qpv_names() and "Hors QPV" not in raw.settings.qpv_names()
    assert check_file(COMMITTED).errors == []


def test_the_committed_template_writes_fonts_in_excel_order():
    # the Open XML SDK reports any other order of a font's children as an error
    fonts = font_children(COMMITTED)
    assert len(fonts) >= 3
    assert all(font == sorted(font, key=EXCEL_ORDER.index) for font in fonts)
