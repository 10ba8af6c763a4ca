"""`adopt`: her own workbook made the managed one, every part she had kept byte for byte.

On the real workbooks of tests/corpus (charts and chartEx, pictures,
pivots, tables, conditional formats, hyperlinks, VBA) and on a CitésLab
workbook with a comment, a validation, a table, a chart, a button and VBA of
hers: each either is refused cleanly (nothing written) or gives an .xlsm in
which every original part is identical except the few adopt.py names, whose
VBA project follows MS-OVBA's write rules (test_vba_project.assert_interoperable)
and holds her modules and the tool's, whose buttons each resolve to their Sub,
on which `refresh` runs, that the SDK validator finds no worse than the
original, and that LibreOffice opens with its macros.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import CORPUS
from libreoffice import _convert, requires_soffice
from pyopenvba import ExcelFile
from pyopenvba.apps.excel import ExcelApplication
from pyopenvba.interpreter import VBADate
from test_macros import RUNPYTHON_COMMAND, runpython_commands, sheet_buttons, vba_subs
from test_vba_project import assert_interoperable, olevba_modules
from workbook_packages import UNUSABLE, WRITABLE, citeslab_workbook, parts_of, sheet_parts

from citeslab_xl.adapters.adopt import BUTTON_SHEETS, adopt, adopt_workbook, default_output
from citeslab_xl.adapters.macro_workbook import BUTTONS, MODULE_NAME, WORKBOOK_OPEN_CALL
from citeslab_xl.core.errors import CitesLabError, UnusableWorkbook, WriteRefused
from citeslab_xl.doors import api

AS_OF = date(2026, 11, 26)
VALIDATOR = Path(__file__).resolve().parents[1] / "tools" / "ooxml-validate"
MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
# The parts of hers adopt may change (adopt.py says how); every other one stays byte for byte.
CHANGEABLE = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "docProps/app.xml",
              "xl/vbaProject.bin"}
TOOL_MODULES = {MODULE_NAME, "xlwings", "Dictionary"}
SHEET_ELEMENT = re.compile(r'<sheet name="(?:Accueil|Boutons CitésLab)" sheetId="\d+" [^>]*\br:id="rId\d+"/>')


def adopted_corpus(folder: Path) -> dict[str, tuple[Path, Path | CitesLabError]]:
    """Each corpus file (a copy) and what adopt made of it: the .xlsm written, or the refusal."""
    results: dict[str, tuple[Path, Path | CitesLabError]] = {}
    for name in WRITABLE + UNUSABLE:
        copy = folder / name
        shutil.copyfile(CORPUS / name, copy)
        try:
            results[name] = (copy, adopt_workbook(copy))
        except CitesLabError as refusal:
            results[name] = (copy, refusal)
    return results


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, tuple[Path, Path | CitesLabError]]:
    return adopted_corpus(tmp_path_factory.mktemp("adopt"))


@pytest.fixture(scope="module")
def hers(tmp_path_factory) -> tuple[Path, Path]:
    """A CitésLab workbook of hers (.xlsm: Accueil with a button, a comment, a table, VBA) and its adoption."""
    folder = tmp_path_factory.mktemp("hers")
    original = citeslab_workbook(folder)
    return original, adopt_workbook(original, folder / "adopté.xlsm")


def adopted(corpus, name: str) -> tuple[Path, Path]:
    original, result = corpus[name]
    if isinstance(result, CitesLabError):
        pytest.skip(f"{name} is refused: {result.message}")
    return original, result


# --- the corpus ---------------------------------------------------------------------

@pytest.mark.parametrize("name", WRITABLE + UNUSABLE)
def test_each_workbook_is_refused_cleanly_or_keeps_every_part(corpus, name):
    original, result = corpus[name]
    if isinstance(result, CitesLabError):
        assert result.exit_code == 2 and "\n" not in result.message
        assert not default_output(original).exists()
        assert not [p for p in original.parent.iterdir() if p.name.startswith(".~citeslab")]
        return
    before, after = parts_of(original), parts_of(result)
    for part, data in before.items():
        assert part in after, f"{part} was dropped"
        if part not in CHANGEABLE:
            assert after[part] == data, f"{part} changed"
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(result) as target:
        infos = {info.filename: info for info in target.infolist()}
        for info in source.infolist():
            assert (infos[info.filename].compress_type, infos[info.filename].date_time) == \
                (info.compress_type, info.date_time)
    assert f'ContentType="{MACRO_MAIN}"' in after["[Content_Types].xml"].decode()
    assert list(sheet_parts(after))[:-1] == list(sheet_parts(before))


@pytest.mark.parametrize("name", WRITABLE)
def test_the_workbook_part_only_gains_the_sheet_and_its_code_name(corpus, name):
    original, result = adopted(corpus, name)
    old = parts_of(original)["xl/workbook.xml"].decode("utf-8")
    new = parts_of(result)["xl/workbook.xml"].decode("utf-8")
    assert len(SHEET_ELEMENT.findall(new)) == 1
    without = SHEET_ELEMENT.sub("", new)
    if 'codeName="ThisWorkbook"' not in old:
        given = '<workbookPr codeName="ThisWorkbook"/>' if "<workbookPr" not in old else ' codeName="ThisWorkbook"'
        assert without.count(given) == 1
        without = without.replace(given, "")
    assert re.sub(r"\s+/>", "/>", without) == re.sub(r"\s+/>", "/>", old)


@pytest.mark.parametrize("name", WRITABLE)
def test_the_vba_project_holds_hers_and_ours_in_the_interoperable_form(corpus, name):
    original, result = adopted(corpus, name)
    assert_interoperable(parts_of(result)["xl/vbaProject.bin"])
    modules = olevba_modules(result)
    her_modules = olevba_modules(original) if "xl/vbaProject.bin" in parts_of(original) else {}
    assert TOOL_MODULES | {"ThisWorkbook", "CitesLabBoutons"} | set(her_modules) == set(modules)
    for module, code in her_modules.items():
        if module != "ThisWorkbook":
            assert modules[module] == code, module
    assert WORKBOOK_OPEN_CALL in modules["ThisWorkbook"]


@pytest.mark.parametrize("name", WRITABLE)
def test_each_button_resolves_to_its_sub(corpus, name):
    _, result = adopted(corpus, name)
    subs = vba_subs(olevba_modules(result)[MODULE_NAME].replace("\r\n", "\n"))
    found = sheet_buttons(result, BUTTON_SHEETS[0])
    assert sorted(caption for caption, _, _ in found) == sorted(button.caption for button in BUTTONS)
    for caption, macro, _ in found:
        button = next(b for b in BUTTONS if b.caption == caption)
        assert macro == f"[0]!{button.macro}" and button.macro in subs


@pytest.mark.parametrize("name", ["vba.xlsm", "pivots.xlsx"])
def test_app_properties_list_the_new_sheet(corpus, name):
    _, result = adopted(corpus, name)
    titles = re.findall(r"<vt:lpstr>([^<]*)</vt:lpstr>", parts_of(result)["docProps/app.xml"].decode())
    sheets = list(sheet_parts(parts_of(result)))
    assert titles[1:1 + len(sheets)] == sheets  # titles[0] is the label of the worksheets' group
    assert f"<vt:i4>{len(sheets)}</vt:i4>" in parts_of(result)["docProps/app.xml"].decode()


def test_refresh_says_of_an_adopted_corpus_file_what_it_says_of_the_original(corpus):
    original, result = adopted(corpus, "charts.xlsx")
    with pytest.raises(UnusableWorkbook, match="Porteurs") as before:
        api.refresh(original, as_of=AS_OF)
    with pytest.raises(UnusableWorkbook, match="Porteurs") as after:
        api.refresh(result, as_of=AS_OF)
    assert after.value.message.replace(result.name, original.name) == before.value.message


# --- her CitésLab workbook -----------------------------------------------------------

def test_her_comment_table_validation_chart_and_button_are_kept_byte_for_byte(hers):
    original, result = hers
    before, after = parts_of(original), parts_of(result)
    hers_only = {"xl/comments/comment1.xml", "xl/tables/table1.xml", "xl/charts/chart1.xml",
                 "xl/ctrlProps/ctrlProp1.xml"}
    assert hers_only <= set(before)
    assert {part for part, data in before.items() if after.get(part) != data} <= CHANGEABLE


def test_her_accueil_is_left_alone_and_the_buttons_get_a_sheet_of_their_own(hers, tmp_path):
    original, result = hers
    assert adopt(original, tmp_path / "encore.xlsm").notes[0].startswith("Votre feuille « Accueil » est laissée")
    accueil = sheet_parts(parts_of(original))["Accueil"]
    assert parts_of(result)[accueil] == parts_of(original)[accueil]
    assert sheet_buttons(result, "Accueil") == sheet_buttons(original, "Accueil")
    found = sheet_buttons(result, "Boutons CitésLab")
    assert sorted(macro for _, macro, _ in found) == sorted(f"[0]!{button.macro}" for button in BUTTONS)
    # her button's drawing has shape ids of block 1: the tool's take the next block
    new_vml = [name for name in set(parts_of(result)) - set(parts_of(original)) if name.endswith(".vml")]
    assert [re.findall(rb'<o:idmap v:ext="edit" data="(\d+)"/>', parts_of(result)[name]) for name in new_vml] == \
        [[b"2"]]


def test_her_modules_stay_and_refresh_runs(hers, tmp_path):
    original, result = hers
    modules = olevba_modules(result)
    assert set(olevba_modules(original)) | TOOL_MODULES | {"CitesLabBoutons"} == set(modules)
    copy = Path(shutil.copy(result, tmp_path / "suivi.xlsm"))
    report = api.refresh(copy, as_of=AS_OF)
    assert report is not None
    after = parts_of(copy)
    assert after["xl/vbaProject.bin"] == parts_of(result)["xl/vbaProject.bin"]
    assert "Anomalies" in sheet_parts(after)
    assert sheet_buttons(copy, "Boutons CitésLab") == sheet_buttons(result, "Boutons CitésLab")


def test_a_demo_workbook_adopted_refreshes_and_its_generated_sheets_get_code_names(demo_copy, tmp_path):
    result = adopt_workbook(demo_copy)
    assert result == demo_copy.with_suffix(".xlsm")
    api.refresh(result, as_of=AS_OF)
    after = parts_of(result)
    sheets = sheet_parts(after)
    code_names = {}
    for name in ("Anomalies", "Synthèse 2026-11", "Journal"):
        found = re.search(r'<sheetPr\b[^>]*codeName="([^"]+)"', after[sheets[name]].decode())
        assert found, f"{name} has no code name"
        code_names[name] = found.group(1)
    assert len(set(code_names.values())) == len(code_names)
    assert code_names["Synthèse 2026-11"] == "Synthese_2026_11"
    api.refresh(result, as_of=AS_OF, rebuild=True)
    rebuilt = parts_of(result)
    for name, code in code_names.items():
        assert f'codeName="{code}"' in rebuilt[sheet_parts(rebuilt)[name]].decode(), name


def excel_app_properties(sheets: list[str], names: list[str]) -> bytes:
    """docProps/app.xml as Excel writes it: the worksheets' group, then the named ranges'."""
    titles = "".join(f"<vt:lpstr>{name}</vt:lpstr>" for name in sheets + names)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.openxmlformats.'
            'org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/'
            '2006/docPropsVTypes"><Application>Microsoft Excel</Application><HeadingPairs><vt:vector size="4" '
            'baseType="variant"><vt:variant><vt:lpstr>Feuilles de calcul</vt:lpstr></vt:variant><vt:variant>'
            f'<vt:i4>{len(sheets)}</vt:i4></vt:variant><vt:variant><vt:lpstr>Plages nommées</vt:lpstr></vt:variant>'
            f'<vt:variant><vt:i4>{len(names)}</vt:i4></vt:variant></vt:vector></HeadingPairs><TitlesOfParts>'
            f'<vt:vector size="{len(sheets) + len(names)}" baseType="lpstr">{titles}</vt:vector></TitlesOfParts>'
            '<AppVersion>16.0300</AppVersion></Properties>').encode()


def app_titles(path: Path) -> tuple[list[str], list[str]]:
    text = parts_of(path)["docProps/app.xml"].decode()
    counts = [int(n) for n in re.findall(r"<vt:i4>(\d+)</vt:i4>", text)]
    titles = re.findall(r"<vt:lpstr>([^<]*)</vt:lpstr>", text.split("<TitlesOfParts>")[1])
    assert re.search(rf'<vt:vector size="{len(titles)}" baseType="lpstr">', text)
    return titles[:counts[0]], titles[counts[0]:]


def test_app_properties_list_the_sheets_as_they_are_after_adopt_and_refresh(demo_copy, tmp_path):
    sheets = list(sheet_parts(parts_of(demo_copy)))
    names = ["Liste_Statut", "Liste_Quartier"]
    source = rewritten(demo_copy, tmp_path / "excel.xlsx", "docProps/app.xml",
                       lambda _: excel_app_properties(sheets, names))
    result = adopt_workbook(source)
    button_sheet = BUTTON_SHEETS[1] if "Accueil" in sheets else BUTTON_SHEETS[0]
    assert app_titles(result) == (sheets + [button_sheet], names)
    api.refresh(result, as_of=AS_OF)
    assert app_titles(result) == (list(sheet_parts(parts_of(result))), names)


@pytest.fixture(scope="module")
def refreshed_demo(demo_workbook, tmp_path_factory) -> Path:
    """The demo workbook adopted, then refreshed on AS_OF: Synthèse 2026-11 provisoire, 2026-10 définitive."""
    copy = Path(shutil.copy(demo_workbook, tmp_path_factory.mktemp("ouverture") / "suivi.xlsx"))
    result = adopt_workbook(copy)
    api.refresh(result, as_of=AS_OF)
    return result


def test_on_opening_it_offers_the_refresh_only_when_a_month_is_due(refreshed_demo):
    """The VBA of the monthly check, run by pyOpenVBA's Excel model on the sheets the refresh wrote."""
    app = ExcelApplication.open(refreshed_demo)
    book = app.application.workbooks_.books[0]
    app.add_module('Public Sub AddSheet(ByVal sheetName As String)\n    Dim added As Worksheet\n'
                   "    Set added = ThisWorkbook.Worksheets.Add\n    added.Name = sheetName\nEnd Sub\n",
                   name="TestHelpers")

    def due(day: date) -> str:
        return app.run(f"{MODULE_NAME}.SummaryDue", book, VBADate.from_datetime(datetime(day.year, day.month, day.day)))

    assert due(AS_OF) == ""  # this month's exists, last month's is définitive
    assert due(date(2026, 12, 1)) == "La synthèse du mois (feuille « Synthèse 2026-12 ») n'est pas encore faite."
    app.run("AddSheet", "Synthèse 2026-12")
    assert due(date(2026, 12, 1)) == ("La synthèse du mois dernier (feuille « Synthèse 2026-11 ») est encore "
                                      "provisoire.")


# --- her Workbook_Open ------------------------------------------------------------

def her_workbook_open(folder: Path, code: str) -> Path:
    path = Path(shutil.copy(CORPUS / "vba.xlsm", folder / "ouverture.xlsm"))
    with ExcelFile(path) as book:
        module = book.vba_project().get_module("ThisWorkbook")
        module.body = code
        book.save()
    return path


def test_her_simple_workbook_open_gets_the_call_first(tmp_path):
    mine = 'Private Sub Workbook_Open()\r\n    MsgBox "Bonjour"\r\nEnd Sub\r\n'
    adoption = adopt(her_workbook_open(tmp_path, mine), tmp_path / "out.xlsm")
    code = olevba_modules(adoption.path)["ThisWorkbook"].replace("\r\n", "\n")
    assert re.search(r"Private Sub Workbook_Open\(\)\n    " + re.escape(WORKBOOK_OPEN_CALL) + r".*\n    MsgBox", code)
    assert code.count("Workbook_Open") == 1
    assert any("commence désormais" in note for note in adoption.notes)


def test_her_other_workbook_open_is_left_alone_and_said_so(tmp_path):
    mine = 'Private Sub Workbook_Open() \' au démarrage\r\n    MsgBox "Bonjour"\r\nEnd Sub\r\n'
    adoption = adopt(her_workbook_open(tmp_path, mine), tmp_path / "out.xlsm")
    code = olevba_modules(adoption.path)["ThisWorkbook"]
    assert WORKBOOK_OPEN_CALL not in code and 'MsgBox "Bonjour"' in code
    assert any(WORKBOOK_OPEN_CALL in note for note in adoption.notes)


# --- refusals -----------------------------------------------------------------------

def rewritten(source: Path, target: Path, part: str, change) -> Path:
    parts = parts_of(source)
    parts[part] = change(parts[part])
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return target


REFUSED = {
    "protected structure": ("charts.xlsx", "xl/workbook.xml",
                            lambda data: data.replace(b"<sheets>", b'<workbookProtection lockStructure="1"/>'
                                                                      b"<sheets>"), "protégée"),
    "unreadable VBA": ("vba.xlsm", "xl/vbaProject.bin", lambda data: b"pas un projet VBA", "illisible"),
    "signed": ("charts.xlsx", "_rels/.rels", lambda data: data.replace(b"</Relationships>", (
        b'<Relationship Id="rIdSig" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
        b'digital-signature/origin" Target="_xmlsignatures/origin.sigs"/></Relationships>')), "signé"),
    "strict": ("charts.xlsx", "xl/workbook.xml", lambda data: data.replace(
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        b"http://purl.oclc.org/ooxml/spreadsheetml/main"), "Strict"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_what_cannot_be_carried_is_refused_and_nothing_is_written(tmp_path, case):
    name, part, change, message = REFUSED[case]
    source = rewritten(CORPUS / name, tmp_path / name, part, change)
    with pytest.raises(WriteRefused, match=message):
        adopt_workbook(source)
    assert list(tmp_path.iterdir()) == [source]


def test_an_adopted_workbook_is_not_adopted_twice(corpus, tmp_path):
    _, result = adopted(corpus, "charts.xlsx")
    with pytest.raises(WriteRefused, match="déjà le module"):
        adopt_workbook(result, tmp_path / "encore.xlsm")
    assert list(tmp_path.iterdir()) == []


def test_an_existing_output_is_never_replaced(tmp_path):
    source = Path(shutil.copy(CORPUS / "charts.xlsx", tmp_path / "suivi.xlsx"))
    existing = tmp_path / "suivi.xlsm"
    existing.write_bytes(b"son classeur")
    with pytest.raises(WriteRefused, match="existe déjà"):
        adopt_workbook(source)
    assert existing.read_bytes() == b"son classeur"
    with pytest.raises(WriteRefused, match=r"\.xlsm"):
        adopt_workbook(source, tmp_path / "suivi-boutons.xlsx")


@pytest.mark.parametrize(("out", "message"), [("dossier", "est un dossier"),
                                             ("absent/suivi.xlsm", "n'existe pas")])
def test_an_output_the_policy_refuses_is_refused_before_reading(tmp_path, out, message):
    source = Path(shutil.copy(CORPUS / "charts.xlsx", tmp_path / "suivi.xlsx"))
    (tmp_path / "dossier").mkdir()
    with pytest.raises(WriteRefused, match=message):
        adopt_workbook(source, tmp_path / out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dossier", "suivi.xlsx"]


def test_the_default_output_never_is_the_source():
    assert default_output(Path("d/suivi.xlsx")) == Path("d/suivi.xlsm")
    assert default_output(Path("d/suivi.xlsm")) == Path("d/suivi - CitésLab.xlsm")


# --- other programs ----------------------------------------------------------------

@pytest.mark.slow
def test_the_sdk_validator_finds_no_error_the_original_had_not(corpus, hers, demo_workbook, refreshed_demo,
                                                                tmp_path):
    pairs = {name: (original, result) for name, (original, result) in corpus.items() if isinstance(result, Path)}
    pairs["hers"] = hers
    pairs["demo, adopted and refreshed"] = (demo_workbook, refreshed_demo)
    excel_saved = rewritten(demo_workbook, tmp_path / "excel.xlsx", "docProps/app.xml",
                            lambda _: excel_app_properties(list(sheet_parts(parts_of(demo_workbook))), []))
    refreshed = adopt_workbook(excel_saved)
    api.refresh(refreshed, as_of=AS_OF)
    pairs["demo with Excel's app.xml, adopted and refreshed"] = (excel_saved, refreshed)
    out = tmp_path / "validation.json"
    files = [str(path) for pair in pairs.values() for path in pair]
    done = subprocess.run([str(VALIDATOR), "--json", str(out), *files], capture_output=True, text=True, timeout=900)
    assert done.returncode in (0, 1), done.stderr
    reports = {}
    for report in json.loads(out.read_text(encoding="utf-8")):
        reports[(report["file"], report["version"])] = report
    versions = {version for _, version in reports}
    for name, (original, result) in pairs.items():
        for version in versions:
            before, after = reports[(str(original), version)], reports[(str(result), version)]
            assert not after["open_error"], (name, version, after["open_error"])
            key = lambda e: (e["part"], e["id"], e["description"])  # noqa: E731
            assert sorted(map(key, after["errors"])) == sorted(map(key, before["errors"])), (name, version)


@pytest.mark.slow
@requires_soffice
@pytest.mark.parametrize("name", ["vba.xlsm", "charts.xlsx"])
def test_libreoffice_keeps_the_macros_and_finds_each_buttons_sub(corpus, tmp_path, name):
    _, result = adopted(corpus, name)
    resaved = _convert(result, tmp_path / "resaved.xlsm", "xlsm:Calc MS Excel 2007 VBA XML", timeout=180)
    modules = olevba_modules(resaved)
    assert set(modules) >= TOOL_MODULES
    if name == "vba.xlsm":
        assert "testVBA" in modules
    commands = runpython_commands(modules[MODULE_NAME])
    assert [RUNPYTHON_COMMAND.fullmatch(c).group(1) for c in commands] == [b.entry_point for b in BUTTONS]
    # LibreOffice keeps a button's macro only when it finds the Sub in the project
    assert sorted(macro for _, macro, _ in sheet_buttons(resaved, BUTTON_SHEETS[0])) == \
        sorted(f"{MODULE_NAME}.{button.macro}" for button in BUTTONS)


def test_the_command_writes_the_copy_then_refuses_to_replace_it(demo_copy):
    from conftest import run_cli

    first = run_cli("adopt", demo_copy)
    assert first.exit_code == 0, first.output
    assert demo_copy.with_suffix(".xlsm").is_file()
    assert "Boutons CitésLab" in first.stderr
    again = run_cli("adopt", demo_copy)
    assert again.exit_code == 2 and "existe déjà" in again.stderr
