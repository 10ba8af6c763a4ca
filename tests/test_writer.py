"""The writer changes the generated sheets and nothing else, or refuses and changes nothing.

The workbooks come from the public corpus (charts and chartEx charts, pictures,
pivot tables, Excel tables, VBA, external links...) and from a CitésLab
workbook built here with data validation, comments, conditional formats,
defined names, an Excel table, a chart, a VBA project and a form button.
After a write, every zip part the tool did not generate is byte-identical,
and the parts it shares with Excel (workbook list, rels, content types,
styles, custom properties) keep every entry they had.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import zipfile
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

import pytest
from libreoffice import recalculated_copy, requires_soffice
from openpyxl import Workbook, load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table as ExcelTable
from openpyxl.worksheet.table import TableStyleInfo

from citeslab_xl.adapters import writer
from citeslab_xl.adapters.writer import (
    JOURNAL_HEADERS,
    OWNERSHIP_PROPERTY,
    backup_paths,
    decode_owned,
    encode_owned,
    write_generated,
)
from citeslab_xl.core.errors import UnusableWorkbook, WriteRefused
from citeslab_xl.core.layout import EURO, INTEGER, PERCENT, Chart, Note, SheetLayout, Table

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path("/work/shared/corpus/real")
WRITABLE = ["charts.xlsx", "conditional_formatting.xlsx", "date.xlsx", "date_1904.xlsx", "date_iso.xlsx",
            "empty_sheet.xlsx", "encoded_entities.xlsx", "errors.xlsx", "formula.issue.xlsx", "has_x000D_.xlsx",
            "hyperlinks.xlsx", "inventory-table.xlsx", "issue3.xlsm", "merge_cells.xlsx", "merged_range.xlsx",
            "no-header.xlsx", "picture.xlsx", "pivots.xlsx", "rich_text_support.xlsx", "table-multiple.xlsx",
            "vba.xlsm", "whitespace_trim.xlsx", "workbook_properties.xlsx"]
UNUSABLE = ["any_sheets.ods", "any_sheets.xls", "any_sheets.xlsb", "minimal_package.xlsx", "pass_protected.xlsb",
            "pass_protected.xlsx", "too_small.xls"]

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
      "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
RUN_1 = [datetime(2025, 1, 31, 9, 0), "actualiser", "0.1.0", 120, 3]
RUN_2 = [datetime(2025, 1, 31, 17, 30), "actualiser", "0.1.0", 121, 2]


# --- layouts ----------------------------------------------------------------------

def anomalies(rows: int = 2) -> SheetLayout:
    data = [["Erreur", "Porteurs", 7, "C7", "=HYPERLINK(\"http://x\")", "Tapez une date.", "date-invalid"],
            ["Avertissement", "Porteurs", 9, "F9", "+33 6 12", "Vérifiez le numéro.", "phone-invalid"],
            ["Erreur", "Rendez-vous", 3, "A3", "@SUM(1)", "Tapez une date.", "date-invalid"]][:rows]
    table = Table(["Gravité", "Feuille", "Ligne", "Cellule", "Valeur", "Message", "Code"], data,
                  links={i: f"'{row[1]}'!{row[3]}" for i, row in enumerate(data)}, link_column=3)
    return SheetLayout("Anomalies", "Anomalies", "Au 31/01/2025", blocks=[table])


def synthese(with_chart: bool = True) -> SheetLayout:
    table = Table(["Quartier", "Accompagnés", "Taux", "Coût"],
                  [["Planoise", 12, 0.25, 1200.5], ["Battant", 7, 0.5, 300.25], ["-Hors QPV", 3, None, 10]],
                  title="Par quartier", formats={1: INTEGER, 2: PERCENT, 3: EURO}, total=True)
    blocks = [table, Note("Chiffres provisoires.")] + ([Chart("col", "Accompagnés", 0, [1])] if with_chart else [])
    return SheetLayout("Synthèse 2025-01", "Synthèse de janvier 2025", "Au 31/01/2025", blocks=blocks)


def generated(with_chart: bool = True) -> list[SheetLayout]:
    return [anomalies(), synthese(with_chart)]


# --- reading packages -----------------------------------------------------------------

def parts_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def folder_state(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def resolve(source: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    return os.path.normpath(str(PurePosixPath(source).parent / target)).replace("\\", "/")


def rels_of(parts: dict[str, bytes], part: str) -> list[tuple[str, str, str]]:
    """(Id, Type, resolved target) of the part's internal relationships."""
    folder, base = os.path.split(part)
    name = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
    if name not in parts:
        return []
    root = ElementTree.fromstring(parts[name])
    return [(r.get("Id"), r.get("Type"), resolve(part, r.get("Target")))
            for r in root.iterfind("rel:Relationship", NS) if r.get("TargetMode") != "External"]


def main_part(parts: dict[str, bytes]) -> str:
    return next(t for _, kind, t in rels_of(parts, "") if kind.endswith("/officeDocument"))


def sheet_parts(parts: dict[str, bytes]) -> dict[str, str]:
    """Sheet name -> part name, in workbook order."""
    book = main_part(parts)
    targets = {rid: target for rid, _, target in rels_of(parts, book)}
    root = ElementTree.fromstring(parts[book])
    return {s.get("name"): targets[s.get(f"{{{NS['r']}}}id")] for s in root.iterfind("m:sheets/m:sheet", NS)}


def shared_parts(parts: dict[str, bytes]) -> set[str]:
    """The parts that list or serve every sheet: the writer may add entries to them."""
    book = main_part(parts)
    folder, base = os.path.split(book)
    shared = {"[Content_Types].xml", "_rels/.rels", book, f"{folder}/_rels/{base}.rels"}
    shared |= {t for _, kind, t in rels_of(parts, book) if kind.endswith("/styles")}
    shared |= {t for _, kind, t in rels_of(parts, "") if kind.endswith("/custom-properties")}
    return shared


def custom_properties(path: Path) -> dict[str, str]:
    parts = parts_of(path)
    part = next(t for _, kind, t in rels_of(parts, "") if kind.endswith("/custom-properties"))
    root = ElementTree.fromstring(parts[part])
    return {p.get("name"): "".join(c.text or "" for c in p) for p in root}


def empty_elements(text: str, local: str) -> list[str]:
    return re.findall(rf"<(?:\w+:)?{local}\b[^>]*/>", text)


def canon(el) -> tuple:
    return (el.tag, tuple(sorted(el.attrib.items())), (el.text or "").strip(), tuple(canon(c) for c in el))


SHEETS_ELEMENT = re.compile(r"<(?:\w+:)?sheets>(.*?)</(?:\w+:)?sheets>", re.S)
DEFINED_NAMES = re.compile(r"<(?:\w+:)?definedNames>.*?</(?:\w+:)?definedNames>|<(?:\w+:)?definedNames\s*/>", re.S)
DEFINED_NAME = re.compile(r"<(?:\w+:)?definedName\b.*?</(?:\w+:)?definedName>", re.S)
STYLE_LISTS = ("numFmts", "fonts", "fills", "borders", "cellXfs")


def assert_shared_parts_kept_their_entries(before: dict[str, bytes], after: dict[str, bytes]) -> None:
    book = main_part(before)
    old, new = before[book].decode("utf-8-sig"), after[book].decode("utf-8-sig")
    outside = [DEFINED_NAMES.sub("", SHEETS_ELEMENT.sub("", text)) for text in (old, new)]
    assert outside[0] == outside[1], "workbook.xml changed outside <sheets> and <definedNames>"
    assert SHEETS_ELEMENT.search(new).group(1).startswith(SHEETS_ELEMENT.search(old).group(1))
    for name in DEFINED_NAME.findall(old):
        assert name in new, f"workbook.xml lost {name}"
    added_names = set(DEFINED_NAME.findall(new)) - set(DEFINED_NAME.findall(old))
    assert all(f'name="{writer.OWNERSHIP_NAME}"' in name for name in added_names), added_names

    for name in shared_parts(before) - {book}:
        old_text, new_text = before[name].decode("utf-8-sig"), after[name].decode("utf-8-sig")
        for local in ("Relationship", "Default", "Override"):
            for element in empty_elements(old_text, local):
                assert element in new_text, f"{name} lost {element}"
        for prop in re.findall(r"<(?:\w+:)?property\b.*?</(?:\w+:)?property>", old_text, re.S):
            if OWNERSHIP_PROPERTY not in prop:
                assert prop in new_text, f"{name} lost {prop}"

    styles = next((t for _, kind, t in rels_of(before, book) if kind.endswith("/styles")), None)
    if styles:
        old_root, new_root = ElementTree.fromstring(before[styles]), ElementTree.fromstring(after[styles])
        assert old_root.attrib == new_root.attrib
        for old_child in old_root:
            local = old_child.tag.split("}")[1]
            new_child = new_root.find(old_child.tag)
            if local in STYLE_LISTS:  # appended to, never reordered: every existing index keeps its look
                assert [canon(c) for c in new_child][:len(old_child)] == [canon(c) for c in old_child], local
            else:
                assert canon(new_child) == canon(old_child), local


def assert_consistent(path: Path) -> None:
    """Every relationship reaches a part, every part has a content type, nothing dangles."""
    parts = parts_of(path)
    types = ElementTree.fromstring(parts["[Content_Types].xml"])
    defaults = {d.get("Extension").lower() for d in types.iterfind("ct:Default", NS)}
    overrides = {o.get("PartName").lstrip("/").lower() for o in types.iterfind("ct:Override", NS)}
    lower = {name.lower() for name in parts}
    assert overrides <= lower, f"content types for missing parts: {overrides - lower}"
    for name in parts:
        if name != "[Content_Types].xml":
            assert name.lower() in overrides or name.rsplit(".", 1)[-1].lower() in defaults, name
        if name.endswith(".rels"):
            source = name.replace("_rels/", "").removesuffix(".rels")
            for _, _, target in rels_of(parts, source):
                assert target.lower() in lower, f"{name} -> {target}"
    for sheet, part in sheet_parts(parts).items():
        assert part in parts, sheet


def values(path: Path, sheet: str) -> list[list]:
    ws = load_workbook(path)[sheet]
    return [[c.value for c in row] for row in ws.iter_rows()]


def journal_rows(path: Path) -> list[list]:
    rows = values(path, "Journal")
    header = next(i for i, row in enumerate(rows) if row[0] == JOURNAL_HEADERS[0])
    return rows[header + 1:]


# --- what a person sees of the data sheets (openpyxl) ---------------------------------

def snapshot(path: Path) -> dict | None:
    """Cells, styles, dimensions and the rest of every sheet, as openpyxl reads them."""
    try:
        wb = load_workbook(path)
    except Exception:  # a few corpus files are beyond openpyxl; their bytes are still compared
        return None
    sheets = {}
    for ws in wb.worksheets:
        sheets[ws.title] = {
            "cells": [(c.coordinate, c.value, c.data_type, c.number_format, repr(c.font), repr(c.fill),
                       repr(c.border), repr(c.alignment), repr(c.protection),
                       c.comment.text if c.comment else None,
                       (c.hyperlink.target, c.hyperlink.location) if c.hyperlink else None)
                      for row in ws.iter_rows() for c in row],
            "widths": {k: (d.width, d.hidden) for k, d in ws.column_dimensions.items()},
            "heights": {k: d.height for k, d in ws.row_dimensions.items()},
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "validations": sorted((str(v.sqref), v.type, v.formula1) for v in ws.data_validations.dataValidation),
            "conditional": sorted((str(cf.sqref), tuple(r.type for r in cf.rules)) for cf in ws.conditional_formatting),
            "tables": sorted((t.displayName, t.ref) for t in ws.tables.values()),
            "freeze": ws.freeze_panes,
            "dimensions": ws.dimensions,
            "charts": len(ws._charts),
            "images": len(ws._images),
        }
    return {"sheets": sheets, "names": {n: d.attr_text for n, d in wb.defined_names.items()}}


def assert_data_sheets_unchanged(before: dict | None, after: dict | None) -> None:
    if before is None:
        return
    assert after is not None, "openpyxl reads the original but not the result"
    for name, sheet in before["sheets"].items():
        assert after["sheets"][name] == sheet, name
    assert after["names"] == before["names"]


# --- a CitésLab workbook with a form button and macros ----------------------------------

def citeslab_workbook(folder: Path) -> Path:
    """A coordinator's workbook: data sheets made with openpyxl, then a button and VBA added by hand."""
    wb = Workbook()
    accueil = wb.active
    accueil.title = "Accueil"
    accueil["A1"] = "Suivi CitésLab"
    accueil["A1"].font = Font(bold=True, size=16, color="1F4E78")
    accueil.merge_cells("A3:F3")
    accueil["A3"] = "Cliquez sur un bouton."

    porteurs = wb.create_sheet("Porteurs")
    porteurs.append(["ID", "Nom", "Prénom", "Quartier", "Date premier contact", "Statut", "Commentaire"])
    for i in range(1, 21):
        porteurs.append([f"P{i:03}", f"Nom{i}", f"Prénom{i}", "Planoise" if i % 2 else "Battant",
                         date(2024, 1 + i % 12, 1 + i), "Accueil" if i % 3 else "Créé", "=à vérifier" if i == 4 else None])
    porteurs["G5"].data_type = "s"
    for row in porteurs.iter_rows(min_row=2, min_col=5, max_col=5):
        row[0].number_format = "dd/mm/yyyy"
    porteurs["B3"].font = Font(italic=True, color="C00000")
    porteurs["B3"].comment = Comment("Nom d'usage", "Coordinatrice")
    table = ExcelTable(displayName="T_Porteurs", ref="A1:G21")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    porteurs.add_table(table)
    validation = DataValidation(type="list", formula1="Liste_Statut", allow_blank=True)
    validation.add("F2:F500")
    porteurs.add_data_validation(validation)
    porteurs.conditional_formatting.add(
        "E2:E500", CellIsRule(operator="greaterThan", formula=["TODAY()"], fill=PatternFill("solid", fgColor="FFC7CE")))
    porteurs.column_dimensions["B"].width = 22
    porteurs.row_dimensions[1].height = 30
    porteurs.freeze_panes = "A2"

    rdv = wb.create_sheet("Rendez-vous")
    rdv.append(["Mois", "Rendez-vous"])
    for month, count in (("janv.", 40), ("févr.", 52), ("mars", 47)):
        rdv.append([month, count])
    chart = BarChart()
    chart.add_data(Reference(rdv, min_col=2, min_row=1, max_row=4), titles_from_data=True)
    rdv.add_chart(chart, "D2")

    parametres = wb.create_sheet("Paramètres")
    parametres.append(["Statut"])
    for statut in ("Accueil", "Émergence", "Orienté", "En création", "Créé", "Abandon"):
        parametres.append([statut])
    wb.defined_names["Liste_Statut"] = DefinedName("Liste_Statut", attr_text="'Paramètres'!$A$2:$A$7")
    plain = folder / "plain.xlsx"
    wb.save(plain)
    return _with_button_and_macros(plain, folder / "Suivi CitésLab.xlsm")


BUTTON_IN_SHEET = (
    '<drawing xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rIdB1"/>'
    '<legacyDrawing xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rIdB2"/>'
    '<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
    '<mc:Choice xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main" Requires="x14">'
    '<controls><mc:AlternateContent><mc:Choice Requires="x14">'
    '<control xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" shapeId="1025" '
    'r:id="rIdB3" name="Bouton 1"><controlPr defaultSize="0" print="0" autoFill="0" autoPict="0" '
    'macro="[0]!Verifier"><anchor moveWithCells="1"><from>'
    '<xdr:col xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing">1</xdr:col>'
    '</from></anchor></controlPr></control></mc:Choice></mc:AlternateContent></controls>'
    '</mc:Choice></mc:AlternateContent>')
SHAPE_DRAWING = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><xdr:twoCellAnchor>'
    '<xdr:from><xdr:col>1</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>6</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>'
    '<xdr:to><xdr:col>4</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>8</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>'
    '<xdr:sp macro="[0]!Actualiser" textlink=""><xdr:nvSpPr><xdr:cNvPr id="2" name="Rectangle arrondi 1"/>'
    '<xdr:cNvSpPr/></xdr:nvSpPr><xdr:spPr><a:prstGeom prst="roundRect"><a:avLst/></a:prstGeom></xdr:spPr>'
    '<xdr:txBody><a:bodyPr/><a:p><a:r><a:t>Actualiser les synthèses</a:t></a:r></a:p></xdr:txBody></xdr:sp>'
    '<xdr:clientData/></xdr:twoCellAnchor></xdr:wsDr>')
BUTTON_VML = (
    '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:x="urn:schemas-microsoft-com:office:excel"><v:shape id="_x0000_s1025" type="#_x0000_t201" '
    'style="position:absolute;width:120pt;height:30pt"><v:textbox><div>Vérifier les données</div></v:textbox>'
    '<x:ClientData ObjectType="Button"><x:Anchor>1, 0, 3, 0, 3, 0, 5, 0</x:Anchor>'
    '<x:FmlaMacro>[0]!Verifier</x:FmlaMacro><x:TextHAlign>Center</x:TextHAlign></x:ClientData></v:shape></xml>')
CONTROL_PROPERTIES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                      '<formControlPr xmlns="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main" '
                      'objectType="Button" lockText="1"/>')
BUTTON_PARTS = ["xl/drawings/drawing50.xml", "xl/drawings/vmlDrawing50.vml", "xl/ctrlProps/ctrlProp1.xml",
                "xl/worksheets/_rels/sheet1.xml.rels", "xl/vbaProject.bin"]


def _with_button_and_macros(plain: Path, target: Path) -> Path:
    parts = parts_of(plain)
    accueil = sheet_parts(parts)["Accueil"]
    assert accueil == "xl/worksheets/sheet1.xml" and "xl/worksheets/_rels/sheet1.xml.rels" not in parts
    parts[accueil] = parts[accueil].replace(b"</worksheet>", BUTTON_IN_SHEET.encode() + b"</worksheet>")
    parts["xl/worksheets/_rels/sheet1.xml.rels"] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rIdB1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing" '
        b'Target="../drawings/drawing50.xml"/>'
        b'<Relationship Id="rIdB2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing" '
        b'Target="../drawings/vmlDrawing50.vml"/>'
        b'<Relationship Id="rIdB3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/ctrlProp" '
        b'Target="../ctrlProps/ctrlProp1.xml"/></Relationships>')
    parts["xl/drawings/drawing50.xml"] = SHAPE_DRAWING.encode()
    parts["xl/drawings/vmlDrawing50.vml"] = BUTTON_VML.encode()
    parts["xl/ctrlProps/ctrlProp1.xml"] = CONTROL_PROPERTIES.encode()
    parts["xl/vbaProject.bin"] = parts_of(CORPUS / "vba.xlsm")["xl/vbaProject.bin"]
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdVBA" Type="http://schemas.microsoft.com/office/2006/relationships/'
                             b'vbaProject" Target="vbaProject.bin"/></Relationships>')
    types = parts["[Content_Types].xml"].decode()
    types = types.replace("spreadsheetml.sheet.main+xml", "").replace(
        "application/vnd.openxmlformats-officedocument.\"", "application/vnd.ms-excel.sheet.macroEnabled.main+xml\"")
    types = types.replace("</Types>", (
        '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
        '<Override PartName="/xl/drawings/drawing50.xml" ContentType="application/vnd.openxmlformats-officedocument.drawing+xml"/>'
        '<Override PartName="/xl/drawings/vmlDrawing50.vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/>'
        '<Override PartName="/xl/ctrlProps/ctrlProp1.xml" ContentType="application/vnd.ms-excel.controlproperties+xml"/>'
        '</Types>'))
    assert "macroEnabled.main+xml" in types
    parts["[Content_Types].xml"] = types.encode()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    plain.unlink()
    return target


@pytest.fixture
def citeslab(tmp_path) -> Path:
    return citeslab_workbook(tmp_path)


def corpus_copy(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copyfile(CORPUS / name, target)
    return target


# --- preservation ---------------------------------------------------------------------

def test_the_corpus_carries_what_openpyxl_would_lose():
    charts, pivots, picture = (parts_of(CORPUS / n) for n in ("charts.xlsx", "pivots.xlsx", "picture.xlsx"))
    assert any(n.startswith("xl/charts/chartEx") for n in charts)
    assert any(n.startswith("xl/pivotTables/") for n in pivots)
    assert any(n.startswith("xl/media/") for n in picture)
    assert "xl/vbaProject.bin" in parts_of(CORPUS / "vba.xlsm")
    assert any(n.startswith("xl/tables/") for n in parts_of(CORPUS / "table-multiple.xlsx"))
    assert "xl/externalLinks/externalLink1.xml" in parts_of(CORPUS / "errors.xlsx")


def assert_only_generated_parts_changed(before: dict[str, bytes], after: dict[str, bytes], written: list[str]) -> None:
    shared = shared_parts(before)
    for name, data in before.items():
        assert name in after, f"{name} was dropped"
        if name not in shared:
            assert after[name] == data, f"{name} changed"
    assert_shared_parts_kept_their_entries(before, after)
    sheets = sheet_parts(after)
    assert list(sheets)[:len(sheet_parts(before))] == list(sheet_parts(before))
    assert set(written) <= set(sheets)
    new_parts = set(after) - set(before)
    for name in written:
        assert sheets[name] in new_parts


@pytest.mark.parametrize("name", WRITABLE)
def test_corpus_workbook_keeps_every_part_it_had(tmp_path, name):
    path = corpus_copy(tmp_path, name)
    before, seen_before = parts_of(path), snapshot(path)
    report = write_generated(path, generated(), journal_row=RUN_1)
    after = parts_of(path)
    assert report.added == ["Anomalies", "Synthèse 2025-01", "Journal"]
    assert_only_generated_parts_changed(before, after, report.added)
    assert_data_sheets_unchanged(seen_before, snapshot(path))
    assert_consistent(path)
    assert report.backup.read_bytes() == (CORPUS / name).read_bytes()


@pytest.mark.parametrize("name", ["charts.xlsx", "pivots.xlsx", "vba.xlsm", "picture.xlsx", "errors.xlsx"])
def test_rebuilding_keeps_every_part_it_had(tmp_path, name):
    path = corpus_copy(tmp_path, name)
    before = parts_of(path)
    write_generated(path, generated(), journal_row=RUN_1)
    write_generated(path, generated(with_chart=False), journal_row=RUN_2)
    after = parts_of(path)
    assert_only_generated_parts_changed(before, after, ["Anomalies", "Synthèse 2025-01", "Journal"])
    assert_consistent(path)


def test_citeslab_workbook_with_button_and_macros(citeslab):
    before, seen_before = parts_of(citeslab), snapshot(citeslab)
    assert seen_before["sheets"]["Porteurs"]["validations"] and seen_before["sheets"]["Porteurs"]["conditional"]
    report = write_generated(citeslab, generated(), journal_row=RUN_1)
    after = parts_of(citeslab)
    assert_only_generated_parts_changed(before, after, report.added)
    for name in BUTTON_PARTS:
        assert after[name] == before[name]
    assert_data_sheets_unchanged(seen_before, snapshot(citeslab))
    assert_consistent(citeslab)
    wb = load_workbook(citeslab, keep_vba=True)
    assert wb.sheetnames == ["Accueil", "Porteurs", "Rendez-vous", "Paramètres", "Anomalies", "Synthèse 2025-01",
                             "Journal"]


def test_generated_sheets_hold_the_layouts(citeslab):
    write_generated(citeslab, generated(), journal_row=RUN_1)
    wb = load_workbook(citeslab)
    ws = wb["Anomalies"]
    header = next(r[0].row for r in ws.iter_rows() if r[0].value == "Gravité")
    assert [c.value for c in ws[header + 1]][:5] == ["Erreur", "Porteurs", 7, "C7", '=HYPERLINK("http://x")']
    assert ws.cell(header + 1, 5).data_type == "s"  # a value that looks like a formula stays text
    assert ws.cell(header + 1, 4).hyperlink.location == "'Porteurs'!C7"
    assert ws.cell(header, 1).font.b and ws.cell(header, 1).fill.fgColor.rgb.endswith("1F4E78")
    assert ws["A1"].font.sz == 14

    synthese_sheet = wb["Synthèse 2025-01"]
    total = next(r[0].row for r in synthese_sheet.iter_rows() if r[0].value == "Total")
    assert synthese_sheet.cell(total, 2).value == f"=SUM(B{total - 3}:B{total - 1})"
    assert synthese_sheet.cell(total - 3, 3).number_format == PERCENT
    assert synthese_sheet.cell(total - 3, 4).number_format == EURO
    assert len(synthese_sheet._charts) == 1
    assert journal_rows(citeslab) == [RUN_1 + ["Anomalies, Synthèse 2025-01", journal_rows(citeslab)[0][6]]]


def test_the_journal_records_what_was_written_and_the_file_before(citeslab):
    report = write_generated(citeslab, generated(), journal_row=RUN_1)
    (row,) = journal_rows(citeslab)
    assert row[5] == "Anomalies, Synthèse 2025-01"
    assert row[6] == report.sha256_before == __import__("hashlib").sha256(report.backup.read_bytes()).hexdigest()


@requires_soffice
def test_libreoffice_opens_the_result_and_computes_the_totals(tmp_path, citeslab):
    write_generated(citeslab, generated(), journal_row=RUN_1)
    copy = recalculated_copy(citeslab, tmp_path / "lo")
    ws = load_workbook(copy, data_only=True)["Synthèse 2025-01"]
    total = next(r[0].row for r in ws.iter_rows() if r[0].value == "Total")
    assert ws.cell(total, 2).value == 12 + 7 + 3
    assert ws.cell(total, 4).value == pytest.approx(1200.5 + 300.25 + 10)


# --- idempotency and rebuilding ----------------------------------------------------------

def test_same_layouts_twice_give_the_same_package(citeslab):
    write_generated(citeslab, generated())
    first = parts_of(citeslab)
    write_generated(citeslab, generated())
    assert list(parts_of(citeslab).items()) == list(first.items())


def test_only_the_journal_grows(citeslab):
    write_generated(citeslab, generated(), journal_row=RUN_1)
    first = parts_of(citeslab)
    write_generated(citeslab, generated(), journal_row=RUN_2)
    second = parts_of(citeslab)
    journal = sheet_parts(second)["Journal"]
    assert list(second) == list(first)
    assert [n for n in first if first[n] != second[n]] == [journal]
    rows = journal_rows(citeslab)
    assert [r[:5] for r in rows] == [RUN_1, RUN_2]


def test_a_rebuilt_sheet_keeps_its_place_and_part(citeslab):
    write_generated(citeslab, generated())
    first = sheet_parts(parts_of(citeslab))
    write_generated(citeslab, [anomalies(rows=3)])
    second = sheet_parts(parts_of(citeslab))
    assert second == first
    assert [r[0] for r in values(citeslab, "Anomalies")[4:]] == ["Erreur", "Avertissement", "Erreur"]


def test_a_rebuilt_sheet_leaves_no_orphan_parts(citeslab):
    write_generated(citeslab, generated(with_chart=True))
    with_chart = parts_of(citeslab)
    write_generated(citeslab, generated(with_chart=False))
    without = parts_of(citeslab)
    gone = set(with_chart) - set(without)
    assert any(n.startswith("xl/charts/") for n in gone) and any(n.startswith("xl/drawings/drawing") for n in gone)
    assert_consistent(citeslab)
    for name in BUTTON_PARTS + ["xl/drawings/drawing1.xml"]:  # the button and the user's chart stay
        assert without[name] == with_chart[name]
    write_generated(citeslab, generated(with_chart=True))
    again = parts_of(citeslab)
    types = "[Content_Types].xml"
    assert {n: d for n, d in again.items() if n != types} == {n: d for n, d in with_chart.items() if n != types}
    assert sorted(empty_elements(again[types].decode(), "Override")) == \
        sorted(empty_elements(with_chart[types].decode(), "Override"))


def test_a_stale_calc_chain_is_dropped(tmp_path):
    path = corpus_copy(tmp_path, "pivots.xlsx")
    write_generated(path, generated())
    parts = parts_of(path)
    assert "xl/calcChain.xml" in parts  # it lists only the user's formulas: kept as it was
    # Excel, after a save, lists the formulas of the Total row in calcChain
    book = ElementTree.fromstring(parts["xl/workbook.xml"])
    sheet_id = next(s.get("sheetId") for s in book.iterfind("m:sheets/m:sheet", NS) if s.get("name") == "Synthèse 2025-01")
    chain = parts["xl/calcChain.xml"].replace(b"</calcChain>", f'<c r="B8" i="{sheet_id}"/></calcChain>'.encode())
    _rewrite(path, {"xl/calcChain.xml": chain})

    write_generated(path, generated())
    after = parts_of(path)
    assert "xl/calcChain.xml" not in after
    assert b"calcChain" not in after["xl/_rels/workbook.xml.rels"]
    assert b"calcChain" not in after["[Content_Types].xml"]
    assert_consistent(path)


def _rewrite(path: Path, changes: dict[str, bytes]) -> None:
    parts = parts_of(path)
    parts.update(changes)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_styles_are_appended_once(citeslab):
    write_generated(citeslab, generated())
    styles = parts_of(citeslab)["xl/styles.xml"]
    write_generated(citeslab, generated())
    assert parts_of(citeslab)["xl/styles.xml"] == styles


def test_a_workbook_without_styles_gets_them(tmp_path):
    path = corpus_copy(tmp_path, "charts.xlsx")
    assert "xl/styles.xml" not in parts_of(path)
    write_generated(path, generated())
    ws = load_workbook(path)["Anomalies"]
    assert ws["A1"].font.b and ws["A1"].font.sz == 14


def test_dates_in_a_1904_workbook(tmp_path):
    path = corpus_copy(tmp_path, "date_1904.xlsx")
    write_generated(path, [], journal_row=RUN_1)
    assert journal_rows(path)[0][0] == RUN_1[0]


# --- ownership ----------------------------------------------------------------------

def test_ownership_is_a_custom_property(citeslab):
    write_generated(citeslab, generated(), journal_row=RUN_1)
    properties = custom_properties(citeslab)
    assert properties[OWNERSHIP_PROPERTY] == "Anomalies/Synthèse 2025-01/Journal"
    assert decode_owned(properties) == ["Anomalies", "Synthèse 2025-01", "Journal"]


def test_ownership_keeps_the_other_custom_properties(tmp_path):
    path = corpus_copy(tmp_path, "date_1904.xlsx")
    custom = parts_of(path)["docProps/custom.xml"].replace(
        b"</Properties>", b'<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Service">'
                          b'<vt:lpwstr>CitesLab</vt:lpwstr></property></Properties>')
    _rewrite(path, {"docProps/custom.xml": custom})
    write_generated(path, generated())
    write_generated(path, generated())
    properties = custom_properties(path)
    assert properties["Service"] == "CitesLab"
    assert decode_owned(properties) == ["Anomalies", "Synthèse 2025-01"]


def test_long_ownership_lists_fit_excel_properties():
    names = [f"Synthèse 2025-{m:02}" for m in range(1, 13)] + [f"Synthèse 2026-{m:02}" for m in range(1, 13)]
    properties = encode_owned(names)
    assert len(properties) > 1 and all(len(v) <= 255 for v in properties.values())
    assert decode_owned(dict(reversed(list(properties.items())))) == names


def test_earlier_ownership_is_kept(citeslab):
    write_generated(citeslab, generated())
    write_generated(citeslab, [], journal_row=RUN_1)
    assert decode_owned(custom_properties(citeslab)) == ["Anomalies", "Synthèse 2025-01", "Journal"]


@pytest.mark.parametrize("user_name", ["Anomalies", "anomalies"])
def test_a_users_sheet_with_a_generated_name_is_never_overwritten(tmp_path, user_name):
    wb = Workbook()
    wb.active.title = "Porteurs"
    wb.create_sheet(user_name)["A1"] = "mes notes"
    path = tmp_path / "Suivi.xlsx"
    wb.save(path)
    before = folder_state(tmp_path)
    with pytest.raises(WriteRefused, match=f"« {user_name} ».*n'a pas été créée par l'outil"):
        write_generated(path, generated())
    assert folder_state(tmp_path) == before


def test_a_generated_sheet_the_user_deleted_is_no_longer_owned(citeslab):
    write_generated(citeslab, generated())
    book = parts_of(citeslab)["xl/workbook.xml"].decode()
    _rewrite(citeslab, {"xl/workbook.xml": _without_sheet(book, "Anomalies").encode()})
    write_generated(citeslab, [synthese()])
    assert decode_owned(custom_properties(citeslab)) == ["Synthèse 2025-01"]
    assert marked_sheets(citeslab) == ["Synthèse 2025-01"]


def _without_sheet(book: str, name: str) -> str:
    """workbook.xml as Excel leaves it after « Supprimer la feuille »: the sheet and its names gone."""
    names = re.findall(r'<sheet name="([^"]*)"', book)
    position = names.index(name)
    without = re.sub(rf'<sheet name="{name}"[^>]*/>', "", book)
    without = re.sub(rf'<definedName [^>]*localSheetId="{position}"[^>]*>.*?</definedName>', "", without)
    return re.sub(r'localSheetId="(\d+)"',
                  lambda m: f'localSheetId="{int(m.group(1)) - (int(m.group(1)) > position)}"', without)


def marked_sheets(path: Path) -> list[str]:
    """The sheets carrying the ownership marker, each referring to its own A1."""
    wb = load_workbook(path)
    marked = []
    for ws in wb.worksheets:
        marker = ws.defined_names.get(writer.OWNERSHIP_NAME)
        if marker is not None:
            assert list(marker.destinations) == [(ws.title, "$A$1")]
            marked.append(ws.title)
    return marked


def test_ownership_is_also_a_defined_name_on_each_generated_sheet(citeslab):
    write_generated(citeslab, generated(), journal_row=RUN_1)
    assert marked_sheets(citeslab) == ["Anomalies", "Synthèse 2025-01", "Journal"]


def test_a_sheet_marked_by_the_excel_buttons_is_owned(tmp_path):
    """The buttons cannot write document properties: their marker alone proves ownership."""
    wb = Workbook()
    wb.active.title = "Porteurs"
    anomalies_sheet = wb.create_sheet("Anomalies")
    anomalies_sheet["A1"] = "écrit par les boutons"
    anomalies_sheet.defined_names[writer.OWNERSHIP_NAME] = DefinedName(writer.OWNERSHIP_NAME,
                                                                       attr_text="'Anomalies'!$A$1")
    path = tmp_path / "Suivi.xlsx"
    wb.save(path)
    report = write_generated(path, generated())
    assert report.replaced == ["Anomalies"] and report.added == ["Synthèse 2025-01"]
    assert values(path, "Anomalies")[0][0] == "Anomalies"
    assert decode_owned(custom_properties(path)) == ["Anomalies", "Synthèse 2025-01"]
    assert marked_sheets(path) == ["Anomalies", "Synthèse 2025-01"]
    assert_consistent(path)


def test_sheets_owned_before_the_marker_existed_receive_it(citeslab):
    write_generated(citeslab, generated())
    book = parts_of(citeslab)["xl/workbook.xml"]
    _rewrite(citeslab, {"xl/workbook.xml": re.sub(rb"<definedName name=\"citeslab_xl_genere\".*?</definedName>", b"", book)})
    assert marked_sheets(citeslab) == []
    write_generated(citeslab, [], journal_row=RUN_1)
    assert marked_sheets(citeslab) == ["Anomalies", "Synthèse 2025-01", "Journal"]


@requires_soffice
def test_ownership_and_journal_survive_a_save_by_another_program(tmp_path, citeslab):
    write_generated(citeslab, generated(), journal_row=RUN_1)
    saved = recalculated_copy(citeslab, tmp_path / "lo")  # LibreOffice rewrites every part
    write_generated(saved, generated(), journal_row=RUN_2)
    assert [r[:5] for r in journal_rows(saved)] == [RUN_1, RUN_2]
    assert decode_owned(custom_properties(saved)) == ["Anomalies", "Synthèse 2025-01", "Journal"]
    assert marked_sheets(saved) == ["Anomalies", "Synthèse 2025-01", "Journal"]


def test_a_journal_whose_header_was_removed_is_not_rewritten(citeslab):
    write_generated(citeslab, [], journal_row=RUN_1)
    part = sheet_parts(parts_of(citeslab))["Journal"]
    _rewrite(citeslab, {part: parts_of(citeslab)[part].replace(b"Date et heure", b"Quand")})
    before = citeslab.read_bytes()
    with pytest.raises(WriteRefused, match="Journal"):
        write_generated(citeslab, [], journal_row=RUN_2)
    assert citeslab.read_bytes() == before


# --- refusals ----------------------------------------------------------------------

@pytest.mark.parametrize("lock", ["~$Suivi CitésLab.xlsm", ".~lock.Suivi CitésLab.xlsm#"])
def test_an_open_workbook_is_left_alone(citeslab, lock):
    (citeslab.parent / lock).write_text("coordinatrice")
    before = folder_state(citeslab.parent)
    with pytest.raises(WriteRefused, match="est ouvert dans"):
        write_generated(citeslab, generated())
    assert folder_state(citeslab.parent) == before


@pytest.mark.parametrize("name", UNUSABLE)
def test_unusable_files_are_refused_untouched(tmp_path, name):
    path = corpus_copy(tmp_path, name)
    with pytest.raises(UnusableWorkbook, match=re.escape(name)):
        write_generated(path, generated())
    assert folder_state(tmp_path) == {name: (CORPUS / name).read_bytes()}


def _signed(parts):
    return {"_rels/.rels": parts["_rels/.rels"].replace(b"</Relationships>", (
        b'<Relationship Id="rIdSig" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
        b'digital-signature/origin" Target="_xmlsignatures/origin.sigs"/></Relationships>'))}


def _shared(parts):
    return {"xl/_rels/workbook.xml.rels": parts["xl/_rels/workbook.xml.rels"].replace(b"</Relationships>", (
        b'<Relationship Id="rIdRev" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'revisionHeaders" Target="revisions/revisionHeaders.xml"/></Relationships>'))}


def _locked(parts):
    return {"xl/workbook.xml": parts["xl/workbook.xml"].replace(b"<bookViews>", b'<workbookProtection lockStructure="1"/><bookViews>')}


def _strict(parts):
    return {"xl/workbook.xml": parts["xl/workbook.xml"].replace(
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", b"http://purl.oclc.org/ooxml/spreadsheetml/main")}


@pytest.mark.parametrize("change, message", [(_signed, "signé numériquement"), (_shared, "classeur partagé"),
                                             (_locked, "structure"), (_strict, "Strict")])
def test_packages_a_splice_would_break_are_refused(tmp_path, change, message):
    path = corpus_copy(tmp_path, "vba.xlsm")
    _rewrite(path, change(parts_of(path)))
    before = folder_state(tmp_path)
    with pytest.raises(WriteRefused, match=message):
        write_generated(path, generated())
    assert folder_state(tmp_path) == before


def test_a_protected_structure_still_lets_owned_sheets_be_rebuilt(tmp_path):
    path = corpus_copy(tmp_path, "vba.xlsm")
    write_generated(path, generated())
    _rewrite(path, _locked(parts_of(path)))
    report = write_generated(path, generated())
    assert report.replaced == ["Anomalies", "Synthèse 2025-01"] and report.added == []


def test_out_must_keep_the_extension(tmp_path):
    path = corpus_copy(tmp_path, "vba.xlsm")
    with pytest.raises(WriteRefused, match="extension"):
        write_generated(path, generated(), out=tmp_path / "copie.xlsx")
    assert folder_state(tmp_path) == {"vba.xlsm": (CORPUS / "vba.xlsm").read_bytes()}


@pytest.mark.parametrize("names", [["Anomalies", "anomalies"], ["Synthèse: janvier"], ["x" * 32], ["History"]])
def test_impossible_sheet_names_are_a_programming_error(tmp_path, names):
    path = corpus_copy(tmp_path, "vba.xlsm")
    with pytest.raises(ValueError):
        write_generated(path, [SheetLayout(n, n) for n in names])


def test_a_journal_row_has_five_values(tmp_path):
    with pytest.raises(ValueError):
        write_generated(corpus_copy(tmp_path, "vba.xlsm"), [], journal_row=RUN_1[:4])


# --- out, backups -------------------------------------------------------------------

def test_out_leaves_the_original_untouched(tmp_path):
    path = corpus_copy(tmp_path, "pivots.xlsx")
    out = tmp_path / "copie" / "synthese.xlsx"
    out.parent.mkdir()
    report = write_generated(path, generated(), out=out)
    assert path.read_bytes() == (CORPUS / "pivots.xlsx").read_bytes()
    assert report.path == out and report.backup is None
    assert "Anomalies" in sheet_parts(parts_of(out))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copie", "pivots.xlsx"]


def test_backups_rotate(tmp_path):
    path = corpus_copy(tmp_path, "vba.xlsm")
    versions = []
    for run in range(4):
        versions.append(path.read_bytes())
        write_generated(path, [anomalies(rows=1 + run % 3)], keep_backups=3)
    bak, bak1, bak2 = backup_paths(path, 3)
    assert [bak.name, bak1.name, bak2.name] == ["vba.bak.xlsm", "vba.bak1.xlsm", "vba.bak2.xlsm"]
    assert [bak.read_bytes(), bak1.read_bytes(), bak2.read_bytes()] == versions[:0:-1]
    assert not (tmp_path / "vba.bak3.xlsm").exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_the_workbook_keeps_its_permissions(tmp_path):
    path = corpus_copy(tmp_path, "vba.xlsm")
    path.chmod(0o640)
    report = write_generated(path, generated())
    assert path.stat().st_mode & 0o777 == 0o640
    assert report.backup.stat().st_mode & 0o777 == 0o640


def test_no_backup_when_none_is_asked(tmp_path):
    path = corpus_copy(tmp_path, "vba.xlsm")
    report = write_generated(path, generated(), keep_backups=0)
    assert report.backup is None and [p.name for p in tmp_path.iterdir()] == ["vba.xlsm"]


# --- crashes -----------------------------------------------------------------------

def test_an_error_while_writing_leaves_the_original_and_no_temporary_file(citeslab, monkeypatch):
    before = folder_state(citeslab.parent)
    written = []

    def failing(archive, info, data):
        if len(written) == 3:
            raise RuntimeError("disque plein")
        written.append(info.filename)
        archive.writestr(info, data)

    monkeypatch.setattr(writer, "_write_entry", failing)
    with pytest.raises(RuntimeError, match="disque plein"):
        write_generated(citeslab, generated())
    assert folder_state(citeslab.parent) == before
    monkeypatch.undo()
    write_generated(citeslab, generated())
    assert "Anomalies" in sheet_parts(parts_of(citeslab))


def test_a_failed_rename_leaves_the_original(citeslab, monkeypatch):
    before = citeslab.read_bytes()

    def failing(temp, target):
        raise PermissionError(13, "Permission refusée")

    monkeypatch.setattr(writer, "_replace", failing)
    with pytest.raises(WriteRefused, match="est resté tel qu'il était"):
        write_generated(citeslab, generated())
    assert citeslab.read_bytes() == before
    assert not list(citeslab.parent.glob("*" + writer.TEMP_SUFFIX))


KILLED_RUN = textwrap.dedent("""
    import os, signal, sys
    from citeslab_xl.adapters import writer
    from citeslab_xl.core.layout import SheetLayout, Table

    where, path = sys.argv[1], sys.argv[2]
    calls = []

    def kill_on_third_entry(archive, info, data):
        calls.append(info.filename)
        if len(calls) == 3:
            archive.fp.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        archive.writestr(info, data)

    def kill_before_rename(temp, target):
        os.kill(os.getpid(), signal.SIGKILL)

    if where == "entries":
        writer._write_entry = kill_on_third_entry
    else:
        writer._replace = kill_before_rename
    layout = SheetLayout("Anomalies", "Anomalies", blocks=[Table(["Gravité"], [["Erreur"]])])
    writer.write_generated(path, [layout])
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")
@pytest.mark.parametrize("where", ["entries", "rename"])
def test_a_killed_process_leaves_the_original_intact(citeslab, where):
    before = citeslab.read_bytes()
    done = subprocess.run([sys.executable, "-c", KILLED_RUN, where, str(citeslab)], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True)
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()
    assert citeslab.read_bytes() == before
    leftovers = list(citeslab.parent.glob(".*" + writer.TEMP_SUFFIX))
    assert len(leftovers) == 1  # the half-written file, named so that nobody takes it for a workbook

    write_generated(citeslab, generated())  # the next run is not disturbed, and cleans up
    assert not list(citeslab.parent.glob(".*" + writer.TEMP_SUFFIX))
    assert_only_generated_parts_changed(parts_of(backup_paths(citeslab, 1)[0]), parts_of(citeslab),
                                        ["Anomalies", "Synthèse 2025-01"])
