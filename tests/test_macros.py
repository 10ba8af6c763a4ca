"""The buttons' way into Excel: macros/ (VBA, xlwings Lite) and the macro-enabled workbook.

What only Excel on Windows can show (a click on a button runs Python) is
listed in macros/README.md; these tests check everything before that: every
macro names a function of citeslab_xl.doors.buttons, the built .xlsm holds the
modules and the buttons bound to them, and a second program (LibreOffice)
opens it, finds each button's macro in the VBA project and saves it back
with the macros.
"""

from __future__ import annotations

import ast
import asyncio
import importlib.util
import posixpath
import re
import shutil
import tomllib
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pyopenvba
import pytest
import xlwings
from defusedxml import ElementTree
from libreoffice import _convert, requires_soffice
from oletools.olevba import VBA_Parser
from pyopenvba.apps.excel import ExcelApplication
from pyopenvba.interpreter import VBADate
from xlclient_options import read_call_sheets
from xllite import LiteClient, in_lite
from xlremote import alerts, payload_from_xlsx, remote_book

from citeslab_xl.adapters import template
from citeslab_xl.adapters.macro_workbook import (
    BUTTONS,
    MODULE_NAME,
    MONTHLY_CHECK,
    build_macro_workbook,
    vba_module,
    vba_text,
    workbook_open,
)
from citeslab_xl.core import button_catalogue
from citeslab_xl.core.errors import WriteRefused
from citeslab_xl.doors import api

MACROS = Path(__file__).resolve().parent.parent / "macros"
LITE_MAIN = MACROS / "lite" / "main.py"
# interfaces.md › Excel buttons: the five entry points of citeslab_xl.doors.buttons.
CONTRACT_ENTRY_POINTS = {"verifier", "actualiser", "comite_pilotage", "comite_technique", "exporter_agglomeration"}
RUNPYTHON_COMMAND = re.compile(r"import citeslab_xl\.buttons as b; b\.(\w+)\(\)")

MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
VML_X = "{urn:schemas-microsoft-com:office:excel}"
VML_V = "{urn:schemas-microsoft-com:vml}"


@pytest.fixture(scope="module")
def button_functions():
    """The names of the public functions of citeslab_xl.doors.buttons (imported here, so that
    only the tests that need the module fail while it is missing)."""
    from citeslab_xl.doors import buttons

    return {name for name in dir(buttons) if not name.startswith("_") and callable(getattr(buttons, name))}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build_macro_workbook(tmp_path_factory.mktemp("macros") / "suivi.xlsm")


def vba_subs(source: str) -> dict[str, str]:
    """Each `Public Sub` of a VBA module: name → body."""
    return dict(re.findall(r"^Public Sub (\w+)\(\)\s*$(.*?)^End Sub", source, re.MULTILINE | re.DOTALL))


def runpython_commands(body: str) -> list[str]:
    return re.findall(r'RunPython\s+"([^"]*)"', body)


def vba_modules(path: Path) -> dict[str, str]:
    """Every module of the workbook's VBA project as olevba reads it: name → source."""
    parser = VBA_Parser(str(path))
    try:
        assert parser.detect_vba_macros(), f"olevba finds no VBA project in {path.name}"
        return {stream.split("/")[-1]: code.replace("\r\n", "\n")
                for _, stream, _, code in parser.extract_macros()}
    finally:
        parser.close()


def sheet_buttons(path: Path, sheet_name: str) -> list[tuple[str, str, int]]:
    """The form buttons of a sheet, read from its VML drawing: (caption, macro, top row, 1-based)."""
    with zipfile.ZipFile(path) as package:
        def rels_of(part: str):
            folder, name = posixpath.split(part)
            rels = ElementTree.fromstring(package.read(posixpath.join(folder, "_rels", name + ".rels")))
            return {rel.get("Id"): (rel.get("Type"), resolve(folder, rel.get("Target"))) for rel in rels}

        def resolve(folder: str, target: str) -> str:
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))

        workbook = ElementTree.fromstring(package.read("xl/workbook.xml"))
        rel_id = next(s.get(f"{{{DOC_REL}}}id") for s in workbook.iter(f"{MAIN_NS}sheet")
                      if s.get("name") == sheet_name)
        sheet_part = rels_of("xl/workbook.xml")[rel_id][1]
        legacy = ElementTree.fromstring(package.read(sheet_part)).find(f"{MAIN_NS}legacyDrawing")
        assert legacy is not None, f"{sheet_name} has no VML drawing"
        vml_part = rels_of(sheet_part)[legacy.get(f"{{{DOC_REL}}}id")][1]
        vml = ElementTree.fromstring(package.read(vml_part))
    found = []
    for shape in vml.iter(f"{VML_V}shape"):
        data = shape.find(f"{VML_X}ClientData")
        if data is None or data.get("ObjectType") != "Button":
            continue
        caption = "".join(shape.find(f"{VML_V}textbox").itertext()).strip()
        macro = data.findtext(f"{VML_X}FmlaMacro")
        top_row = int(data.findtext(f"{VML_X}Anchor").split(",")[2]) + 1
        found.append((caption, macro, top_row))
    return found


# --- macros/ as text ------------------------------------------------------------

def test_the_bas_file_is_the_module_built_into_the_workbook():
    text = (MACROS / "CitesLab.bas").read_bytes().decode("ascii")  # the VBA editor imports ANSI text
    assert text.splitlines() == vba_module().splitlines()
    assert text.splitlines()[0] == f'Attribute VB_Name = "{MODULE_NAME}"'


def test_one_sub_per_button_and_one_button_per_entry_point():
    subs = vba_subs((MACROS / "CitesLab.bas").read_text(encoding="ascii").replace("\r\n", "\n"))
    assert set(subs) == {button.macro for button in BUTTONS}
    assert {button.entry_point for button in BUTTONS} == CONTRACT_ENTRY_POINTS
    accueil = [row for row in template.build_workbook()["Accueil"].iter_rows(values_only=True)]
    for button in BUTTONS:
        assert (button.caption, button.description) in {(row[0], row[1]) for row in accueil}
    for button in BUTTONS:
        assert runpython_commands(subs[button.macro]) == [f"import citeslab_xl.buttons as b; b.{button.entry_point}()"]


def test_every_runpython_names_a_function_of_the_buttons_module(button_functions):
    basic_files = sorted(MACROS.glob("*.bas"))
    assert basic_files
    for path in basic_files:
        commands = runpython_commands(path.read_text(encoding="ascii"))
        assert commands, f"{path.name} calls no Python"
        for command in commands:
            match = RUNPYTHON_COMMAND.fullmatch(command)
            assert match, f"{path.name}: RunPython « {command} » does not call citeslab_xl.buttons"
            assert match.group(1) in button_functions, f"{path.name}: citeslab_xl.buttons has no {match.group(1)}"


def lite_scripts() -> dict[str, tuple[str | None, ast.FunctionDef]]:
    """Each function of macros/lite/main.py decorated with @script: name → (display name, node)."""
    scripts = {}
    for node in ast.parse(LITE_MAIN.read_text(encoding="utf-8")).body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for decorator in node.decorator_list:
            call = decorator if isinstance(decorator, ast.Call) else None
            target = call.func if call else decorator
            if isinstance(target, ast.Name) and target.id == "script":
                names = [k.value.value for k in (call.keywords if call else []) if k.arg == "name"]
                scripts[node.name] = (names[0] if names else None, node)
    return scripts


def test_every_lite_script_hands_the_book_to_its_button(button_functions):
    scripts = lite_scripts()
    assert set(scripts) == CONTRACT_ENTRY_POINTS
    captions = {button.entry_point: button.caption for button in BUTTONS}
    for name, (display_name, node) in scripts.items():
        assert name in button_functions
        assert display_name == captions[name]
        book = node.args.args[0]
        if isinstance(node, ast.AsyncFunctionDef):  # xlwings Lite's async book: read sheet by sheet
            assert ast.unparse(book.annotation) == "xw.BookAsync"
            assert [ast.unparse(statement) for statement in node.body] == [
                f"await on_the_web(buttons.{name}, {book.arg})"]
        else:
            assert ast.unparse(book.annotation) == "xw.Book"
            assert [ast.unparse(statement) for statement in node.body] == [f"buttons.{name}({book.arg})"]


def test_the_lite_verifier_does_what_the_button_does(tmp_path):
    spec = importlib.util.spec_from_file_location("citeslab_lite_main", LITE_MAIN)
    lite = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(lite)
    from citeslab_xl.doors import buttons

    path = tmp_path / "modele.xlsx"
    template.build_workbook().save(path)
    payload = payload_from_xlsx(path, client="Office.js", active_sheet="Accueil", selection="A1")
    client = LiteClient(payload, read_call_sheets(path))  # the async book, read sheet by sheet (tests/xllite.py)
    lite_book = client.async_book(exclude=button_catalogue.button("verifier").web_exclude)
    with in_lite(client):
        asyncio.run(lite.verifier(lite_book))
    through_lite = lite_book.json()
    with remote_book(payload) as book:
        buttons.verifier(book)
        direct = book.json()
    assert alerts(through_lite) == alerts(direct) != []


def test_the_lite_requirements_name_xlwings_and_the_wheel_of_this_version():
    # no package index serves citeslab-xl: Lite installs it from the wheel's address (macros/README.md › 7.1)
    lines = [line.strip() for line in (MACROS / "lite" / "requirements.txt").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    version = tomllib.loads((MACROS.parent / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert [re.split(r"[<>=!~ ]", lines[0])[0]] == ["xlwings"]
    assert len(lines) == 2 and lines[1].startswith("https://")
    assert lines[1].rsplit("/", 1)[1] == f"citeslab_xl-{version}-py3-none-any.whl"


# --- the built workbook -------------------------------------------------------------

def test_the_workbook_holds_the_button_module_and_xlwings_runpython(built):
    modules = vba_modules(built)
    assert {MODULE_NAME, "xlwings", "Dictionary", "ThisWorkbook"} <= set(modules)
    assert modules[MODULE_NAME].strip("\n").splitlines() == vba_module().splitlines()
    assert re.search(r"^Public Function RunPython\(PythonCommand As String\)", modules["xlwings"], re.MULTILINE)
    assert f"'Version: {xlwings.__version__}" in modules["xlwings"]
    report = pyopenvba.check_file(built)
    assert report.ok, report.issues


def test_opening_the_workbook_runs_the_monthly_check(built):
    modules = vba_modules(built)
    body = modules["ThisWorkbook"].split("Attribute VB_Customizable = True\n")[1]
    assert body.strip("\n").splitlines() == workbook_open().strip("\r\n").split("\r\n")
    assert f"Public Sub {MONTHLY_CHECK}(ByVal book As Workbook)" in modules[MODULE_NAME]


def test_every_module_runs_in_an_excel_model(built):
    """pyOpenVBA's interpreter parses every module (a syntax error raises) and runs the monthly check."""
    app = ExcelApplication.open(built)
    book = app.application.workbooks_.books[0]
    due = app.run(f"{MODULE_NAME}.SummaryDue", book, VBADate.from_datetime(datetime(2026, 11, 26)))
    assert due == "La synthèse du mois (feuille « Synthèse 2026-11 ») n'est pas encore faite."


def test_vba_text_keeps_the_module_ascii():
    assert vba_text("Synthèse « 1 »") == '"Synth" & ChrW(232) & "se " & ChrW(171) & " 1 " & ChrW(187)'
    assert vba_text('dit "oui"') == '"dit " & ChrW(34) & "oui" & ChrW(34)'
    assert vba_text("") == '""'
    vba_module().encode("ascii")


def test_each_button_on_accueil_runs_its_macro(built):
    modules = vba_modules(built)
    subs = vba_subs(modules[MODULE_NAME])
    accueil = openpyxl.load_workbook(built)["Accueil"]
    found = sheet_buttons(built, "Accueil")
    assert sorted(caption for caption, _, _ in found) == sorted(button.caption for button in BUTTONS)
    for caption, macro, row in found:
        button = next(b for b in BUTTONS if b.caption == caption)
        assert macro == f"[0]!{button.macro}"
        assert button.macro in subs
        assert accueil.cell(row=row, column=1).value == caption  # drawn over the cell that names it


def test_the_workbook_is_the_template_made_macro_enabled(built, tmp_path):
    with zipfile.ZipFile(built) as package:
        content_types = package.read("[Content_Types].xml").decode("utf-8")
        assert "xl/vbaProject.bin" in package.namelist()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in content_types
    assert "spreadsheetml.sheet.main+xml" not in content_types
    reference = tmp_path / "modele.xlsx"
    template.build_workbook().save(reference)
    made, expected = openpyxl.load_workbook(built), openpyxl.load_workbook(reference)
    assert made.sheetnames == expected.sheetnames
    for name in expected.sheetnames:
        assert [c.value for c in made[name][1]] == [c.value for c in expected[name][1]]
        assert sorted(made[name].tables) == sorted(expected[name].tables)
        assert len(made[name].data_validations.dataValidation) == len(expected[name].data_validations.dataValidation)
    assert api.check_file(built, as_of=date(2026, 11, 26)).errors == []


def test_a_refresh_leaves_the_macros_and_buttons_as_they_were(built, tmp_path):
    copy = shutil.copy(built, tmp_path / "suivi.xlsm")
    api.refresh(copy, as_of=date(2026, 11, 26))
    with zipfile.ZipFile(built) as before, zipfile.ZipFile(copy) as after:
        assert after.read("xl/vbaProject.bin") == before.read("xl/vbaProject.bin")
    assert sheet_buttons(copy, "Accueil") == sheet_buttons(built, "Accueil")
    refreshed = openpyxl.load_workbook(copy, keep_vba=True)
    assert "Anomalies" in refreshed.sheetnames
    # in an .xlsm every sheet has a code name (its VBA document module's), the generated ones included
    code_names = [sheet.sheet_properties.codeName for sheet in refreshed.worksheets]
    assert all(code_names) and len({name.casefold() for name in code_names}) == len(code_names)
    assert refreshed["Synthèse 2026-11"].sheet_properties.codeName == "Synthese_2026_11"


def test_another_suffix_is_refused_and_nothing_is_written(tmp_path):
    with pytest.raises(WriteRefused, match=r"\.xlsm"):
        build_macro_workbook(tmp_path / "suivi.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_an_existing_workbook_is_never_replaced(tmp_path):
    existing = tmp_path / "suivi.xlsm"
    existing.write_bytes(b"le classeur rempli de la coordinatrice")
    with pytest.raises(WriteRefused, match="existe déjà"):
        build_macro_workbook(existing)
    assert existing.read_bytes() == b"le classeur rempli de la coordinatrice"
    assert list(tmp_path.iterdir()) == [existing]


@requires_soffice
def test_libreoffice_finds_every_macro_and_saves_them_back(built, tmp_path):
    resaved = _convert(built, tmp_path / "resaved.xlsm", "xlsm:Calc MS Excel 2007 VBA XML", timeout=180)
    modules = vba_modules(resaved)
    assert [RUNPYTHON_COMMAND.fullmatch(c).group(1) for c in runpython_commands(modules[MODULE_NAME])] == \
        [button.entry_point for button in BUTTONS]
    # LibreOffice keeps a button's macro only when it finds the Sub in the project,
    # and then names it Module.Sub.
    assert sorted((caption, macro) for caption, macro, _ in sheet_buttons(resaved, "Accueil")) == \
        sorted((button.caption, f"{MODULE_NAME}.{button.macro}") for button in BUTTONS)


def test_the_lite_script_is_made_from_the_button_catalogue():
    from citeslab_xl.adapters.lite_script import lite_script

    assert (MACROS / "lite" / "main.py").read_text(encoding="utf-8") == lite_script()
