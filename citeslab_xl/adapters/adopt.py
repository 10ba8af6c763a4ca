"""The coordinator's own workbook turned into the managed one (`citeslab-xl adopt WB.xlsx [--out WB.xlsm]`).

`adopt(source, out)` writes a macro-enabled copy of her workbook that holds
every part she had, byte for byte, plus:
- the VBA project: the module `CitesLab` (one Sub per button, and the
  monthly check that `Workbook_Open` runs), xlwings' standalone modules
  (`xlwings`, `Dictionary`) unless her project has modules of those names,
  and `Workbook_Open` in ThisWorkbook (macro_workbook.with_monthly_check:
  hers is never replaced). A project of hers keeps every module; the whole
  project is then written in the interoperable form (vba.py);
- a sheet of the tool's holding the five buttons: `Accueil` when she has
  none, else `Boutons CitésLab` (her `Accueil` is left alone). It is
  appended after her sheets, so that no sheet index she relies on (defined
  names, the active sheet) moves; its cells use the default format, so that
  her styles are not touched.

The parts of hers that change, and how:
- `[Content_Types].xml`: the workbook part becomes macro-enabled, and the
  new parts get their types;
- the workbook part: the new sheet at the end of `<sheets>`, and
  `codeName="ThisWorkbook"` on `<workbookPr>` when it has no code name;
- the workbook's rels: the new sheet and, without a project of hers, the
  VBA project;
- `docProps/app.xml`: the new sheet in the list of worksheets, when the part
  lists them (app_properties.py);
- her `vbaProject.bin`, when she has one: her modules, plus the tool's.
Every other part keeps its name, bytes and zip metadata. Her sheets keep no
code name they lack: Excel gives one, with its document module, when it
opens the file.

It refuses, writing nothing, what it cannot carry: a signed workbook or VBA
project, Strict OOXML, a legacy shared workbook, a protected structure, a VBA
project it cannot read, a workbook that has the CitesLab module already.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from pyopenvba import ExcelFile, VBAModuleKind
from pyopenvba.cfb import CFB
from pyopenvba.exceptions import PyOpenVBAError
from pyopenvba.vba import VBAProject, parse_vba_project

from citeslab_xl.adapters import files, macro_workbook
from citeslab_xl.adapters.macro_workbook import BUTTONS, Button, add_modules, button_vml
from citeslab_xl.adapters.opc import CT, NS, RT, Package, PackageEdit, PackURI, rels, xmltext
from citeslab_xl.adapters.opc.package import Entry, write_zip
from citeslab_xl.adapters.opc.packuri import VML_DRAWING_URI
from citeslab_xl.adapters.reading import check_container
from citeslab_xl.adapters.vba import PROJECT_PART, UnreadableVBAProject, interoperable_project
from citeslab_xl.adapters.workbook_file import app_properties, code_names
from citeslab_xl.adapters.workbook_file.book import BookInfo, locked_structure
from citeslab_xl.adapters.workbook_file.splice import add_sheets
from citeslab_xl.core.errors import UnusableWorkbook, WriteRefused

SUFFIXES = (".xlsx", ".xlsm")
BUTTON_SHEETS = (macro_workbook.ACCUEIL, "Boutons CitésLab")  # the first of these she does not have
BUTTON_SHEET_CODE_NAME = "CitesLabBoutons"
WORKBOOK_CODE_NAME = "ThisWorkbook"  # what Excel names the workbook's module
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"  # the VB_Base of a worksheet's document module
NEW_SHEET_URI = PackURI("/xl/worksheets/sheet1.xml")
NEW_PROJECT_URI = PackURI("/xl/vbaProject.bin")
FIRST_BUTTON_ROW = 4
# Elements of <workbook> that come after <workbookPr>, in schema order.
AFTER_WORKBOOK_PR = ("workbookProtection", "bookViews", "sheets", "functionGroups", "externalReferences",
                     "definedNames", "calcPr", "oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr",
                     "smartTagTypes", "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst")
_VML_BLOCKS = re.compile(rb"\bdata\s*=\s*[\"']([\d,\s]+)[\"']")
_VML_SHAPE_IDS = re.compile(rb"_x0000_[st](\d+)")


@dataclass(frozen=True)
class Adoption:
    path: Path  # the .xlsm written
    button_sheet: str  # the sheet holding the buttons
    notes: list[str]  # what was left as it was, in French (her Workbook_Open, a module of hers kept)


def default_output(source: Path) -> Path:
    """`WB.xlsm` beside `WB.xlsx`; beside an `.xlsm`, a copy of another name (the original is never replaced)."""
    if source.suffix.lower() == ".xlsm":
        return source.with_name(f"{source.stem} - CitésLab.xlsm")
    return source.with_suffix(".xlsm")


def adopt_workbook(source: Path, out: Path | None = None) -> Path:
    """Write the macro-enabled copy of the workbook `source` with the tool's buttons (at `out`); its path."""
    return adopt(source, out).path


def adopt(source: str | Path, out: str | Path | None = None) -> Adoption:
    """`adopt_workbook`, with the sheet that holds the buttons and the notes for her."""
    source = Path(source)
    target = Path(out) if out is not None else default_output(source)
    if source.suffix.lower() not in SUFFIXES:
        raise UnusableWorkbook(f"{source.name} : l'outil prend en charge un classeur .xlsx ou .xlsm ; ouvrez-le "
                               "dans Excel et enregistrez-le au format « Classeur Excel (*.xlsx) ».")
    files.check_new_target(target, (".xlsm",))  # before reading a large workbook for nothing
    check_container(source)
    package = Package(source.read_bytes(), source.name)
    book = BookInfo.read(package)
    project = _her_project(package, book)
    sheet_name = _button_sheet_name(package, book)
    entries, notes = _adopted(package, book, project, sheet_name)

    def save(path: Path) -> None:
        with path.open("wb") as handle:
            write_zip(handle, entries)

    files.create_file(target, save, suffixes=(".xlsm",))
    if sheet_name != BUTTON_SHEETS[0]:
        notes.insert(0, f"Votre feuille « {BUTTON_SHEETS[0]} » est laissée telle quelle : les boutons de l'outil sont "
                        f"sur la feuille « {sheet_name} », la dernière du classeur.")
    return Adoption(target, sheet_name, notes)


# --- what cannot be carried -------------------------------------------------------

def _her_project(package: Package, book: BookInfo) -> PackURI | None:
    """Her VBA project part, if any; refuses a workbook that is not a plain one, or a project it cannot carry."""
    if book.structure_locked:
        raise locked_structure(package.label)
    if package.content_type(book.part) not in (CT.SML_SHEET_MAIN, CT.SML_SHEET_MACRO_MAIN):
        raise WriteRefused(f"« {package.label} » n'est pas un classeur ordinaire (modèle ou macro complémentaire) : "
                           "enregistrez-le au format « Classeur Excel (*.xlsx) », puis relancez. Rien n'a été écrit.")
    rel = book.rel_of(RT.VBA_PROJECT)
    part = package.find(rel.target) if rel is not None else None
    if part is None:
        return None
    if any(rel.type in RT.VBA_PROJECT_SIGNATURES for rel in package.rels(part)):
        raise WriteRefused(f"Les macros de « {package.label} » sont signées numériquement : y ajouter celles de "
                           "l'outil invaliderait la signature. Enregistrez-en une copie sans signature (Outils › "
                           "Signature électronique dans l'éditeur VBA), puis relancez. Rien n'a été écrit.")
    names = [name.casefold() for name in _project(package.parts[part], package.label).module_names()]
    if macro_workbook.MODULE_NAME.casefold() in names:
        raise WriteRefused(f"« {package.label} » a déjà le module « {macro_workbook.MODULE_NAME} » : il a déjà "
                           "les boutons de l'outil. Rien n'a été écrit.")
    return part


def _project(project_bin: bytes, label: str) -> VBAProject:
    try:
        return parse_vba_project(CFB.from_bytes(project_bin))
    except (PyOpenVBAError, LookupError, ValueError, UnicodeDecodeError) as error:
        raise _unreadable_project(label) from error


def _unreadable_project(label: str) -> WriteRefused:
    return WriteRefused(f"Le projet VBA (les macros) de « {label} » est illisible pour l'outil : ouvrez le "
                        "classeur dans Excel, enregistrez-le, puis relancez ; ou enregistrez-en une copie au format "
                        "« Classeur Excel (*.xlsx) », sans macros. Rien n'a été écrit.")


def _button_sheet_name(package: Package, book: BookInfo) -> str:
    name = next((name for name in BUTTON_SHEETS if book.sheet(name) is None), None)
    if name is None:
        raise WriteRefused(f"« {package.label} » a déjà les feuilles « {BUTTON_SHEETS[0]} » et "
                           f"« {BUTTON_SHEETS[1]} » : renommez la seconde, puis relancez. Rien n'a été écrit.")
    return name


# --- the new package -----------------------------------------------------------------

def _adopted(package: Package, book: BookInfo, her_project: PackURI | None,
             sheet_name: str) -> tuple[list[Entry], list[str]]:
    edit = PackageEdit(package)
    edit.set_type(book.part, CT.SML_SHEET_MACRO_MAIN)
    sheet_code = code_names.new_code_name(BUTTON_SHEET_CODE_NAME, code_names.taken_names(package, book))
    sheet_part = _add_button_sheet(edit, sheet_code)
    worksheets = [sheet.name for sheet in book.sheets if sheet.rel_type == RT.WORKSHEET]
    add_sheets(edit, book, [(sheet_name, sheet_part)])
    app_properties.list_sheets(edit, worksheets, worksheets + [sheet_name])
    book_code = _workbook_code_name(edit, book)
    if her_project is None:
        project_bin, notes = _new_project(book_code, sheet_code)
        project_part = edit.free_name(NEW_PROJECT_URI)
        workbook_rels, _ = rels.add_relationship(edit.rels_text(book.part) or rels.EMPTY_RELS, RT.VBA_PROJECT,
                                                 project_part.relative_ref(book.part.base_uri))
        edit.put_rels(book.part, workbook_rels)
    else:
        project_part = her_project
        project_bin, notes = _her_project_with_ours(package.parts[her_project], package.label, book_code, sheet_code)
    try:
        edit.put(project_part, interoperable_project(project_bin), CT.VBA_PROJECT)
    except UnreadableVBAProject as error:
        raise _unreadable_project(package.label) from error
    return edit.entries(), notes


def _add_button_sheet(edit: PackageEdit, code_name: str) -> PackURI:
    rows = {button: FIRST_BUTTON_ROW + offset for offset, button in enumerate(BUTTONS)}
    sheet_part = edit.free_name(NEW_SHEET_URI)
    vml_part = edit.free_name(VML_DRAWING_URI)
    edit.put(vml_part, button_vml(rows, _free_vml_block(edit.package)).encode("utf-8"), CT.VML_DRAWING)
    sheet_rels, rid = rels.add_relationship(rels.EMPTY_RELS, RT.VML_DRAWING, vml_part.relative_ref(sheet_part.base_uri))
    edit.put(sheet_part, _button_sheet_xml(code_name, rows, rid).encode("utf-8"), CT.SML_WORKSHEET)
    edit.put_rels(sheet_part, sheet_rels)
    return sheet_part


def _free_vml_block(package: Package) -> int:
    """A block of VML shape ids that no drawing of hers uses (her comments' drawing takes block 1)."""
    used = {0}
    for name, data in package.parts.items():
        if name.ext == "vml":
            for found in _VML_BLOCKS.finditer(data):
                used |= {int(number) for number in re.split(rb"[,\s]+", found.group(1)) if number}
            used |= {int(number) // 1024 for number in _VML_SHAPE_IDS.findall(data)}
    return max(used) + 1


def _button_sheet_xml(code_name: str, rows: dict[Button, int], vml_rid: str) -> str:
    """The sheet of the buttons: a title, then each button over the cell that names it, its description beside."""
    descriptions = {b.caption: b.description for b in BUTTONS}
    lines = {1: ["CitésLab — les boutons de l'outil"],
             2: ["Chaque bouton lance l'outil citeslab-xl sur ce classeur ; vos feuilles de données ne sont jamais "
                 "modifiées."]}
    lines |= {row: [button.caption, descriptions[button.caption]] for button, row in rows.items()}
    sheet_rows = []
    for number, texts in sorted(lines.items()):
        height = f' ht="{macro_workbook.BUTTON_ROW_POINTS}" customHeight="1"' if number in rows.values() else ""
        cells = "".join(f'<c r="{column}{number}" t="inlineStr"><is><t>{xmltext.quote(text)}</t></is></c>'
                        for column, text in zip("AB", texts, strict=False))
        sheet_rows.append(f'<row r="{number}"{height}>{cells}</row>')
    last_row = max(lines)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{NS.MAIN}" xmlns:r="{NS.OFFICE_RELATIONSHIPS}">'
            f'<sheetPr codeName="{code_name}"/><dimension ref="A1:B{last_row}"/>'
            '<sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            '<cols><col min="1" max="1" width="34" customWidth="1"/><col min="2" max="2" width="100" customWidth="1"/>'
            f'</cols><sheetData>{"".join(sheet_rows)}</sheetData>'
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
            f'<legacyDrawing r:id="{vml_rid}"/></worksheet>')


def _workbook_code_name(edit: PackageEdit, book: BookInfo) -> str:
    """The workbook's code name, given it (`ThisWorkbook`) when it has none, so that its module is bound."""
    text = edit.text(book.part)
    found = code_names.code_name_of(text, "workbookPr")
    if found:
        return found
    if xmltext.has_element(text, "workbookPr"):
        text = xmltext.set_attribute(text, "workbookPr", "codeName", WORKBOOK_CODE_NAME)
    else:
        prefix = xmltext.prefix_of(text, "workbook")
        text = xmltext.insert_child(text, "workbook", f'<{prefix}workbookPr codeName="{WORKBOOK_CODE_NAME}"/>',
                                    AFTER_WORKBOOK_PR)
    edit.put_text(book.part, text)
    return WORKBOOK_CODE_NAME


# --- the VBA project ---------------------------------------------------------------------

def _new_project(book_code: str, sheet_code: str) -> tuple[bytes, list[str]]:
    """A project as Excel makes one for the workbook and the buttons' sheet, with the tool's modules."""
    scratch = Workbook()
    scratch.code_name = book_code
    scratch.active.sheet_properties.codeName = sheet_code
    with tempfile.TemporaryDirectory(prefix="citeslab-adopt-") as work:
        path = Path(work, "projet.xlsm")
        scratch.save(path)
        with ExcelFile(path) as host:
            notes = add_modules(host.add_vba_project(), book_code)
            host.save()
        return _project_part(path), notes


def _her_project_with_ours(project_bin: bytes, label: str, book_code: str, sheet_code: str) -> tuple[bytes, list[str]]:
    """Her project, every module kept, with the buttons' sheet's document module and the tool's modules."""
    with tempfile.TemporaryDirectory(prefix="citeslab-adopt-") as work:
        path = Path(work, "projet.xlsm")
        with zipfile.ZipFile(path, "w") as scratch:  # pyOpenVBA reads and writes the project in a package
            scratch.writestr(PROJECT_PART, project_bin)
        try:
            with ExcelFile(path) as host:
                project = host.vba_project()
                project.add_module(sheet_code, _document_header(sheet_code), kind=VBAModuleKind.other)
                workbook_module = _workbook_module(project, book_code)
                notes = add_modules(project, workbook_module) if workbook_module else [
                    "Le projet VBA du classeur n'a pas de module « ThisWorkbook » : l'outil ne proposera pas "
                    "d'actualiser les synthèses à l'ouverture."]
                host.save()
        except (PyOpenVBAError, LookupError, ValueError, UnicodeError) as error:
            raise _unreadable_project(label) from error
        return _project_part(path), notes


def _document_header(name: str) -> str:
    return (f'Attribute VB_Name = "{name}"\r\nAttribute VB_Base = "{WORKSHEET_BASE}"\r\n'
            "Attribute VB_GlobalNameSpace = False\r\nAttribute VB_Creatable = False\r\n"
            "Attribute VB_PredeclaredId = True\r\nAttribute VB_Exposed = True\r\n"
            "Attribute VB_TemplateDerived = False\r\nAttribute VB_Customizable = True\r\n")


def _workbook_module(project: VBAProject, book_code: str) -> str | None:
    names = {name.casefold(): name for name in project.module_names()}
    return names.get(book_code.casefold())


def _project_part(path: Path) -> bytes:
    with zipfile.ZipFile(path) as package:
        return package.read(PROJECT_PART)

