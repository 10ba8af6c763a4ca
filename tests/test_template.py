"""The managed workbook: built from code, committed, and readable back."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from defusedxml import ElementTree
from libreoffice import recalculated_copy, requires_soffice, to_ods
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, quote_sheetname
from test_render import font_children

from citeslab_xl.adapters.font_order import EXCEL_ORDER
from citeslab_xl.adapters.reading import read_workbook
from citeslab_xl.adapters.template import (
    LAST_ROW,
    build_workbook,
    list_range_name,
    list_source,
    porteur_ids_name,
    table_name,
)
from citeslab_xl.core import schema
from citeslab_xl.doors.api import check_file

COMMITTED = Path(__file__).parent.parent / "workbooks" / "template.xlsx"
EXCEL_LAST_ROW = 1_048_576  # rows of an .xlsx sheet, in Excel and LibreOffice


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
    assert list_range_name("Statut") in validations  # as Excel writes it: no leading "="
    assert list_range_name(schema.QUARTIERS) in validations
    assert '"Oui,Non"' in validations
    target = wb.defined_names[list_range_name("Statut")].attr_text
    sheet_name, first_cell = target.split(":")[0].split("!")
    assert sheet_name == quote_sheetname(schema.PARAMETRES_NAME)
    column = first_cell.replace("$", "").rstrip("0123456789")
    assert first_cell == f"${column}$2"
    assert target == list_source(schema.PARAMETRES_NAME, column)
    assert wb["Paramètres"][f"{column}1"].value == "Statut"
    assert wb["Paramètres"][f"{column}2"].value == "Accueil"


def drop_down_columns(sheet: schema.Sheet) -> dict[str, str]:
    """The columns that must carry a drop-down: letter -> header."""
    return {get_column_letter(i): c.header for i, c in enumerate(sheet.columns, start=1)
            if c.kind in (schema.Kind.LIST, schema.Kind.OUINON) or c.key == "id_porteur"}


def test_drop_downs_reach_the_last_row_of_the_sheet():
    wb = load_workbook(COMMITTED)
    for sheet in schema.DATA_SHEETS:
        ranges = {str(dv.sqref) for dv in wb[sheet.name].data_validations.dataValidation}
        expected = {f"{letter}2:{letter}{EXCEL_LAST_ROW}" for letter in drop_down_columns(sheet)}
        assert ranges == expected, sheet.name
    assert LAST_ROW == EXCEL_LAST_ROW


def test_id_porteur_has_a_drop_down_fed_from_the_porteurs_table():
    wb = load_workbook(COMMITTED)
    sheets_with_ids = [s for s in schema.DATA_SHEETS if any(c.key == "id_porteur" for c in s.columns)]
    assert {s.name for s in sheets_with_ids} == {"Rendez-vous", "Suivi", "Photolangage"}
    for sheet in sheets_with_ids:
        letter = next(get_column_letter(i) for i, c in enumerate(sheet.columns, start=1) if c.key == "id_porteur")
        formulas = {str(dv.sqref): dv.formula1 for dv in wb[sheet.name].data_validations.dataValidation}
        assert formulas[f"{letter}2:{letter}{EXCEL_LAST_ROW}"] == porteur_ids_name()
    table_name, column = wb.defined_names[porteur_ids_name()].attr_text.rstrip("]").split("[")
    table = wb["Porteurs"].tables[table_name]
    assert table.ref.startswith("A1:") and wb["Porteurs"]["A1"].value == column == schema.PORTEURS.column("id").header


def grown_copy(path: Path, out: Path, ids: list[str], statuts: list[str]) -> Path:
    """The template after she typed porteurs and lengthened the Statut list, plus cells that measure the lists."""
    wb = load_workbook(path)
    porteurs = wb["Porteurs"]
    for row, porteur_id in enumerate(ids, start=2):
        porteurs.cell(row=row, column=1, value=porteur_id)
    table = porteurs.tables[table_name(schema.PORTEURS)]
    table.ref = f"{table.ref.split(':')[0]}:{table.ref.split(':')[1].rstrip('0123456789')}{len(ids) + 1}"
    statut = wb.defined_names[list_range_name("Statut")].attr_text.split("!")[1].split(":")[0].replace("$", "")
    column = statut.rstrip("0123456789")
    parametres = wb["Paramètres"]
    first = len(schema.DEFAULT_LISTS["Statut"]) + 2
    for row, value in enumerate(statuts, start=first):
        parametres[f"{column}{row}"] = value
    probe = wb.create_sheet("Mesure")
    probe["A1"] = f"=ROWS({porteur_ids_name()})"
    probe["A2"] = f"=INDEX({porteur_ids_name()},ROWS({porteur_ids_name()}))"
    probe["A3"] = f"=ROWS({list_range_name('Statut')})"
    probe["A4"] = f"=INDEX({list_range_name('Statut')},ROWS({list_range_name('Statut')}))"
    wb.save(out)
    return out


def ods_validations_of_last_row(ods: Path, sheet_name: str) -> tuple[int, dict[int, str]]:
    """How many rows LibreOffice gives the sheet, and the validation of each cell of its last row (by column)."""
    t = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
    with zipfile.ZipFile(ods) as package:
        root = ElementTree.fromstring(package.read("content.xml"))
    sheet = next(s for s in root.iter(f"{t}table") if s.get(f"{t}name") == sheet_name)
    rows, last = 0, {}
    for row in sheet.iter(f"{t}table-row"):
        rows += int(row.get(f"{t}number-rows-repeated", "1"))
        last, column = {}, 0
        for cell in row.findall(f"{t}table-cell"):
            repeated = int(cell.get(f"{t}number-columns-repeated", "1"))
            if cell.get(f"{t}content-validation-name"):
                last.update({column + k: cell.get(f"{t}content-validation-name") for k in range(repeated)})
            column += repeated
    conditions = {v.get(f"{t}name"): v.get(f"{t}condition") for v in root.iter(f"{t}content-validation")}
    return rows, {column: conditions[name] for column, name in last.items()}


@pytest.mark.slow
@requires_soffice
def test_libreoffice_sees_drop_downs_to_the_last_row_and_lists_that_grow(tmp_path):
    ids = [f"P{n:04d}" for n in range(1, 41)]
    grown = grown_copy(COMMITTED, tmp_path / "grown.xlsx", ids, ["En sommeil", "Réorienté"])
    values = load_workbook(recalculated_copy(grown, tmp_path / "lo"), data_only=True)["Mesure"]
    assert [values[f"A{r}"].value for r in range(1, 5)] == [40, "P0040", len(schema.DEFAULT_LISTS["Statut"]) + 2,
                                                            "Réorienté"]
    rows, last_row = ods_validations_of_last_row(to_ods(COMMITTED, tmp_path / "ods"), "Rendez-vous")
    assert rows == EXCEL_LAST_ROW
    columns = {c.key: i for i, c in enumerate(schema.RENDEZ_VOUS.columns)}
    assert porteur_ids_name() in last_row[columns["id_porteur"]]
    assert list_range_name("Type de rendez-vous") in last_row[columns["type"]]


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
