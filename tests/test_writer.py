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

import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

import pytest
from libreoffice import recalculated_copy, requires_soffice
from openpyxl import Workbook, load_workbook
from openpyxl.workbook.defined_name import DefinedName
from workbook_packages import (
    AS_OF,
    BUTTON_PARTS,
    CORPUS,
    NS,
    RUN_1,
    RUN_2,
    VALIDATOR,
    WRITABLE,
    anomalies,
    assert_consistent,
    assert_data_sheets_unchanged,
    assert_only_generated_parts_changed,
    citeslab_workbook,
    corpus_copy,
    custom_properties,
    empty_elements,
    folder_state,
    generated,
    journal_rows,
    parts_of,
    rewrite,
    sheet_parts,
    snapshot,
    synthese,
    values,
)

from citeslab_xl.adapters import writer
from citeslab_xl.adapters.workbook_file.styles import StyleMerger
from citeslab_xl.adapters.writer import (
    OWNERSHIP_PROPERTY,
    decode_owned,
    encode_owned,
    write_generated,
)
from citeslab_xl.core.errors import WriteRefused
from citeslab_xl.core.layout import EURO, PERCENT
from citeslab_xl.core.plan import refresh_plan
from citeslab_xl.doors import api


@pytest.fixture
def citeslab(tmp_path) -> Path:
    return citeslab_workbook(tmp_path)


# --- preservation ---------------------------------------------------------------------

def test_the_corpus_carries_what_openpyxl_would_lose():
    charts, pivots, picture = (parts_of(CORPUS / n) for n in ("charts.xlsx", "pivots.xlsx", "picture.xlsx"))
    assert any(n.startswith("xl/charts/chartEx") for n in charts)
    assert any(n.startswith("xl/pivotTables/") for n in pivots)
    assert any(n.startswith("xl/media/") for n in picture)
    assert "xl/vbaProject.bin" in parts_of(CORPUS / "vba.xlsm")
    assert any(n.startswith("xl/tables/") for n in parts_of(CORPUS / "table-multiple.xlsx"))
    assert "xl/externalLinks/externalLink1.xml" in parts_of(CORPUS / "errors.xlsx")


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
    assert wb.sheetnames == ["Accueil", "Porteurs", "Rendez-vous", "Paramètres", "Synthèse 2025-01", "Anomalies",
                             "Journal"]  # the tabs' fixed order (plan.tab_order)


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
    # RUN_1 gives no as-of day: « Données au » stays empty
    assert journal_rows(citeslab) == [RUN_1 + ["Anomalies, Synthèse 2025-01", journal_rows(citeslab)[0][6], None]]


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
    sheet_id = next(s.get("sheetId") for s in book.iterfind("m:sheets/m:sheet", NS)
                    if s.get("name") == "Synthèse 2025-01")
    chain = parts["xl/calcChain.xml"].replace(b"</calcChain>", f'<c r="B8" i="{sheet_id}"/></calcChain>'.encode())
    rewrite(path, {"xl/calcChain.xml": chain})

    write_generated(path, generated())
    after = parts_of(path)
    assert "xl/calcChain.xml" not in after
    assert b"calcChain" not in after["xl/_rels/workbook.xml.rels"]
    assert b"calcChain" not in after["[Content_Types].xml"]
    assert_consistent(path)


def test_styles_are_appended_once(citeslab):
    write_generated(citeslab, generated())
    styles = parts_of(citeslab)["xl/styles.xml"]
    write_generated(citeslab, generated())
    assert parts_of(citeslab)["xl/styles.xml"] == styles


SCRATCH_STYLES = (  # what openpyxl writes by default: a font's children in its own order, not the schema's
    f'<styleSheet xmlns="{NS["m"]}"><fonts count="2"><font><name val="Calibri"/><sz val="11"/></font>'
    '<font><name val="Calibri"/><family val="2"/><b val="1"/><color rgb="FF1F4E78"/><sz val="14"/><u val="single"/>'
    '</font></fonts><fills count="2"><fill><patternFill/></fill><fill><patternFill patternType="gray125"/></fill>'
    '</fills><borders count="1"><border/></borders><cellXfs count="2">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0"/>'
    '</cellXfs></styleSheet>')


def merged_fonts(original_fonts: str) -> list[list[str]]:
    """The children of each font of a styles.xml holding `original_fonts`, once the scratch's bold font is merged."""
    original = (f'<styleSheet xmlns="{NS["m"]}"><fonts count="{original_fonts.count("<font>")}">{original_fonts}'
                '</fonts><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellXfs>'
                '</styleSheet>')
    merger = StyleMerger(original, SCRATCH_STYLES.encode())
    merger.map_xf(1)
    fonts = ElementTree.fromstring(merger.result() or original).find("m:fonts", NS)
    assert fonts.get("count") == str(len(fonts))
    return [[child.tag.split("}")[1] for child in font] for font in fonts]


def test_an_appended_font_has_its_children_in_the_schema_order():
    # CT_Font is a sequence: the Open XML SDK validator (and Excel's repair prompt) reject another order
    fonts = merged_fonts('<font><sz val="11"/><name val="Calibri"/></font>')
    assert fonts == [["sz", "name"], ["b", "u", "sz", "color", "name", "family"]]


def test_a_font_already_there_is_reused_whatever_the_order_of_its_children():
    bold = '<font><b val="1"/><u val="single"/><sz val="14"/><color rgb="FF1F4E78"/><name val="Calibri"/>' \
           '<family val="2"/></font>'
    assert merged_fonts('<font><sz val="11"/><name val="Calibri"/></font>' + bold) == \
        [["sz", "name"], ["b", "u", "sz", "color", "name", "family"]]


@pytest.mark.slow
def test_a_refresh_adds_no_error_under_the_open_xml_sdk_validator(tmp_path):
    """Every sheet of a refresh, spliced into the corpus' files (most saved by Excel), adds no error to them.

    Most of them are clean (0 errors stays 0); the others keep the errors they had, no more.
    The validator takes seconds to start: it runs once over every file, before and after.
    """
    (tmp_path / "citeslab").mkdir()
    source = citeslab_workbook(tmp_path / "citeslab")
    layouts = api.refresh_layouts(api.check_file(source, AS_OF), refresh_plan([], AS_OF), AS_OF)
    pairs = []
    for name in WRITABLE:
        written = corpus_copy(tmp_path, name)
        write_generated(written, layouts, journal_row=RUN_1, keep_backups=0)
        pairs.append((CORPUS / name, written))
    pairs.append(refreshed_pair(source))
    errors = assert_no_error_added(pairs, tmp_path / "validation.json")
    assert sum(not errors[original] for original, _ in pairs) >= 15


@pytest.mark.slow
@requires_soffice
def test_a_refresh_adds_no_error_to_a_workbook_libreoffice_saved(tmp_path):
    (tmp_path / "citeslab").mkdir()
    saved = recalculated_copy(citeslab_workbook(tmp_path / "citeslab"), tmp_path / "libreoffice")
    errors = assert_no_error_added([refreshed_pair(saved)], tmp_path / "validation.json")
    assert not errors[saved]


def refreshed_pair(path: Path) -> tuple[Path, Path]:
    """(a copy of the workbook as it was, the workbook refreshed)."""
    before = Path(shutil.copy(path, path.with_name("avant" + path.suffix)))
    api.refresh(path, as_of=AS_OF)
    return before, path


def assert_no_error_added(pairs: list[tuple[Path, Path]], report: Path) -> dict[Path, Counter]:
    errors = validator_errors([path for pair in pairs for path in pair], report)
    for original, written in pairs:
        added = errors[written] - errors[original]
        assert not added, f"{original.name}: {sorted(added)[:5]}"
    return errors


def validator_errors(paths: list[Path], report: Path) -> dict[Path, Counter]:
    """(version, part, XPath, error id) of each file's errors, from one run of the Open XML SDK validator."""
    done = subprocess.run([str(VALIDATOR), "--json", str(report), *map(str, paths)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode in (0, 1), f"the validator could not run:\n{done.stderr}"
    errors: dict[Path, Counter] = {path: Counter() for path in paths}
    for result in json.loads(report.read_text(encoding="utf-8")):
        assert result["open_error"] is None, result
        errors[Path(result["file"])].update((result["version"], e["part"], e["xpath"], e["id"])
                                            for e in result["errors"])
    return errors


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
    assert properties[OWNERSHIP_PROPERTY] == "Synthèse 2025-01/Anomalies/Journal"  # in the order of the tabs
    assert decode_owned(properties) == ["Synthèse 2025-01", "Anomalies", "Journal"]


def test_ownership_keeps_the_other_custom_properties(tmp_path):
    path = corpus_copy(tmp_path, "date_1904.xlsx")
    custom = parts_of(path)["docProps/custom.xml"].replace(
        b"</Properties>", b'<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Service">'
                          b'<vt:lpwstr>CitesLab</vt:lpwstr></property></Properties>')
    rewrite(path, {"docProps/custom.xml": custom})
    write_generated(path, generated())
    write_generated(path, generated())
    properties = custom_properties(path)
    assert properties["Service"] == "CitesLab"
    assert decode_owned(properties) == ["Synthèse 2025-01", "Anomalies"]


def test_long_ownership_lists_fit_excel_properties():
    names = [f"Synthèse 2025-{m:02}" for m in range(1, 13)] + [f"Synthèse 2026-{m:02}" for m in range(1, 13)]
    properties = encode_owned(names)
    assert len(properties) > 1 and all(len(v) <= 255 for v in properties.values())
    assert decode_owned(dict(reversed(list(properties.items())))) == names


def test_earlier_ownership_is_kept(citeslab):
    write_generated(citeslab, generated())
    write_generated(citeslab, [], journal_row=RUN_1)
    assert decode_owned(custom_properties(citeslab)) == ["Synthèse 2025-01", "Anomalies", "Journal"]


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
    rewrite(citeslab, {"xl/workbook.xml": _without_sheet(book, "Anomalies").encode()})
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
    assert marked_sheets(citeslab) == ["Synthèse 2025-01", "Anomalies", "Journal"]


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
    assert decode_owned(custom_properties(path)) == ["Synthèse 2025-01", "Anomalies"]
    assert marked_sheets(path) == ["Synthèse 2025-01", "Anomalies"]
    assert_consistent(path)


def test_sheets_owned_before_the_marker_existed_receive_it(citeslab):
    write_generated(citeslab, generated())
    book = parts_of(citeslab)["xl/workbook.xml"]
    unmarked = re.sub(rb"<definedName name=\"citeslab_xl_genere\".*?</definedName>", b"", book)
    rewrite(citeslab, {"xl/workbook.xml": unmarked})
    assert marked_sheets(citeslab) == []
    write_generated(citeslab, [], journal_row=RUN_1)
    assert marked_sheets(citeslab) == ["Synthèse 2025-01", "Anomalies", "Journal"]


@requires_soffice
def test_ownership_and_journal_survive_a_save_by_another_program(tmp_path, citeslab):
    write_generated(citeslab, generated(), journal_row=RUN_1)
    saved = recalculated_copy(citeslab, tmp_path / "lo")  # LibreOffice rewrites every part
    write_generated(saved, generated(), journal_row=RUN_2)
    assert [r[:5] for r in journal_rows(saved)] == [RUN_1, RUN_2]
    assert decode_owned(custom_properties(saved)) == ["Synthèse 2025-01", "Anomalies", "Journal"]
    assert marked_sheets(saved) == ["Synthèse 2025-01", "Anomalies", "Journal"]


def test_a_journal_whose_header_was_removed_is_not_rewritten(citeslab):
    write_generated(citeslab, [], journal_row=RUN_1)
    part = sheet_parts(parts_of(citeslab))["Journal"]
    rewrite(citeslab, {part: parts_of(citeslab)[part].replace(b"Date et heure", b"Quand")})
    before = citeslab.read_bytes()
    with pytest.raises(WriteRefused, match="Journal"):
        write_generated(citeslab, [], journal_row=RUN_2)
    assert citeslab.read_bytes() == before

