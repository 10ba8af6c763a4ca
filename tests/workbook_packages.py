"""Workbook packages for the writer's tests: corpus copies, a CitésLab workbook with a button and macros,
the layouts written into them, and what a test reads back of a package (parts, rels, sheets, Journal).
"""

from __future__ import annotations

import os
import re
import shutil
import zipfile
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

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
from citeslab_xl.adapters.workbook_file.ownership import book_marker_number
from citeslab_xl.adapters.writer import (
    JOURNAL_HEADERS,
    OWNERSHIP_PROPERTY,
)
from citeslab_xl.core.layout import EURO, INTEGER, PERCENT, Chart, Note, SheetLayout, Table

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"
VALIDATOR = ROOT / "tools" / "ooxml-validate"
AS_OF = date(2025, 1, 31)
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
    shared |= {t for _, kind, t in rels_of(parts, "") if kind.endswith(("/custom-properties", "/extended-properties"))}
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
SHEET = re.compile(r"<(?:\w+:)?sheet\b[^>]*/>")
TAB_POSITIONS = re.compile(r"\s(?:activeTab|firstSheet)=\"\d+\"")
LOCAL_SHEET_ID = re.compile(r"\slocalSheetId=\"\d+\"")


def _without_position(defined_name: str) -> str:
    return LOCAL_SHEET_ID.sub("", defined_name)


def assert_shared_parts_kept_their_entries(before: dict[str, bytes], after: dict[str, bytes]) -> None:
    book = main_part(before)
    old, new = before[book].decode("utf-8-sig"), after[book].decode("utf-8-sig")
    outside = [TAB_POSITIONS.sub("", DEFINED_NAMES.sub("", SHEETS_ELEMENT.sub("", text))) for text in (old, new)]
    assert outside[0] == outside[1], "workbook.xml changed outside <sheets>, <definedNames> and the active tab"
    # the tool's sheets move to their place in the tabs (tab_order.py): every sheet element is kept as it was,
    # and a position in <sheets> (localSheetId, activeTab) follows its sheet
    old_sheets, new_sheets = (SHEET.findall(SHEETS_ELEMENT.search(text).group(1)) for text in (old, new))
    assert set(old_sheets) <= set(new_sheets), "workbook.xml lost a <sheet>"
    for name in map(_without_position, DEFINED_NAME.findall(old)):
        assert name in map(_without_position, DEFINED_NAME.findall(new)), f"workbook.xml lost {name}"
    added_names = set(map(_without_position, DEFINED_NAME.findall(new))) - set(
        map(_without_position, DEFINED_NAME.findall(old)))
    assert all(f'name="{writer.OWNERSHIP_NAME}' in name for name in added_names), added_names

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
    # the tool's own workbook-scoped markers (ownership.py) are the only names a run may add
    return {"sheets": sheets, "names": {n: d.attr_text for n, d in wb.defined_names.items()
                                        if book_marker_number(n) is None}}


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
                         date(2024, 1 + i % 12, 1 + i), "Accueil" if i % 3 else "Créé",
                         "=à vérifier" if i == 4 else None])
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
    office = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts["xl/worksheets/_rels/sheet1.xml.rels"] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rIdB1" Type="' + office + b'/drawing" Target="../drawings/drawing50.xml"/>'
        b'<Relationship Id="rIdB2" Type="' + office + b'/vmlDrawing" Target="../drawings/vmlDrawing50.vml"/>'
        b'<Relationship Id="rIdB3" Type="' + office + b'/ctrlProp" Target="../ctrlProps/ctrlProp1.xml"/>'
        b'</Relationships>')
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
    officedocument = "application/vnd.openxmlformats-officedocument"
    types = types.replace("</Types>", (
        '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
        f'<Override PartName="/xl/drawings/drawing50.xml" ContentType="{officedocument}.drawing+xml"/>'
        f'<Override PartName="/xl/drawings/vmlDrawing50.vml" ContentType="{officedocument}.vmlDrawing"/>'
        '<Override PartName="/xl/ctrlProps/ctrlProp1.xml" '
        'ContentType="application/vnd.ms-excel.controlproperties+xml"/>'
        '</Types>'))
    assert "macroEnabled.main+xml" in types
    parts["[Content_Types].xml"] = types.encode()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    plain.unlink()
    return target


def corpus_copy(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copyfile(CORPUS / name, target)
    return target



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



def rewrite(path: Path, changes: dict[str, bytes]) -> None:
    parts = parts_of(path)
    parts.update(changes)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)

