"""The Excel buttons, run on xlwings' real remote engine (the object model of xlwings Server and Lite).

Each workbook is a real file (the demo generator, the template), sent as the
VBA client would send it (`payload_from_xlsx`); the actions the buttons
return are replayed as Excel would run them (`apply_actions`) and compared
with what the file writer (`api.refresh`, `api.committee`) puts in the same
workbook for the same as-of date.
"""

from __future__ import annotations

import copy
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import AS_OF
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from xlremote import (
    action_counts,
    alerts,
    apply_actions,
    payload_from_xlsx,
    range_call_count,
    remote_book,
    replay,
    risky_texts,
    steps,
    touched_sheets,
    unsupported_actions,
)

from citeslab_xl.adapters import xlbook
from citeslab_xl.adapters.template import build_workbook
from citeslab_xl.adapters.workbook_file.ownership import book_marker_number
from citeslab_xl.adapters.writer import JOURNAL_HEADERS, OWNERSHIP_NAME
from citeslab_xl.adapters.xlbook import plan_sheet
from citeslab_xl.adapters.xlbook_look import EVERYTHING
from citeslab_xl.core import periods, plan, schema
from citeslab_xl.core.layout import EURO, SheetLayout, Table
from citeslab_xl.demo import generate
from citeslab_xl.doors import api, buttons

DATA_SHEETS = {sheet.name for sheet in schema.DATA_SHEETS} | {"Paramètres", "Accueil"}
# Data that Excel would not keep as typed: each is written where the validator echoes it in Anomalies.
RISKY = {"date_premier_contact": "=1+1", "quartier": "@SUM(A1)", "telephone": "-2+3",
         "email": '=HYPERLINK("http://example.invalid","x")', "sexe": "0612345678", "situation": "2025-03",
         "niveau": "VRAI"}
# The only formulas a button writes: Total rows and links to a cell of the workbook.
OUR_FORMULA = re.compile(r"=SUM\([A-Z]{1,3}\d+:[A-Z]{1,3}\d+\)"
                         r"|=HYPERLINK\(\"#'[^'\"]+'![A-Z]{1,3}\d+\",\"(?:[^\"]|\"\")*\"\)")  # a cell, or a name
LINK = re.compile(r"=HYPERLINK\(\"#([^\"]+)\",\"([^\"]+)\"\)")
ENTRY_POINTS = [buttons.verifier, buttons.actualiser, buttons.comite_pilotage, buttons.comite_technique]


# --- workbooks ------------------------------------------------------------------------

def demo_workbook(path: Path, people_per_year: int, risky: bool = False, errors: float = 0.05) -> Path:
    data = generate(people_per_year, years=2, seed=5, errors=errors, as_of=AS_OF)
    if risky:
        for porteur, (key, text) in zip(data.rows["porteurs"], RISKY.items(), strict=False):
            porteur[key] = text
    build_workbook(data.rows).save(path)
    return path


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return demo_workbook(tmp_path_factory.mktemp("demo") / "Suivi CitésLab.xlsx", 50, risky=True)


@pytest.fixture(scope="module")
def demo_payload(demo) -> dict:
    return payload_from_xlsx(demo)


def run_button(entry_point, payload: dict) -> dict:
    with remote_book(payload) as book:
        entry_point(book, as_of=AS_OF)
        return book.json()


@pytest.fixture(scope="module")
def actualised(demo_payload) -> dict:
    return run_button(buttons.actualiser, demo_payload)


@pytest.fixture(scope="module")
def refreshed_file(demo, tmp_path_factory) -> Path:
    """What `citeslab-xl refresh` writes for the same workbook and as-of date."""
    out = tmp_path_factory.mktemp("refresh") / "refreshed.xlsx"
    api.refresh(demo, as_of=AS_OF, out=out)
    return out


def with_markers(payload: dict, actions: dict) -> dict:
    """The payload the client sends next time: `replay` does not carry the names the actions added."""
    after = replay(payload, actions)
    names = [s["name"] for s in after["sheets"]]
    for action in actions["actions"]:
        if action["func"] == "namesAdd":
            name, refers_to = action["args"]
            sheet = re.fullmatch(r"='((?:[^']|'')+)'!\$A\$1", refers_to).group(1).replace("''", "'")
            index = names.index(sheet)
            if action["sheet_position"] is None:  # added through book.names: workbook scope
                after["names"].append({"name": name, "sheet_index": index, "address": "A1", "book_scope": True,
                                       "scope_sheet_name": None, "scope_sheet_index": None})
            else:
                after["names"].append({"name": f"'{sheet}'!{name}", "sheet_index": index, "address": "A1",
                                       "book_scope": False, "scope_sheet_name": sheet, "scope_sheet_index": index})
    return after


def with_users_sheet(payload: dict, name: str, a1: object) -> dict:
    """The payload of the same workbook with one more sheet of the user's, holding `a1` in its first cell."""
    added = copy.deepcopy(payload)
    added["sheets"].append({"name": name, "values": [[a1]], "pictures": [], "tables": []})
    return added


ISO_Z = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z")


def save_as_excel_would(payload: dict, path: Path) -> Path:
    """The workbook Excel saves once it has run the actions: values, formulas and the sheets' names."""
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in payload["sheets"]:
        ws = wb.create_sheet(sheet["name"])
        for r, row in enumerate(sheet["values"], start=1):
            for c, value in enumerate(row, start=1):
                if isinstance(value, str) and ISO_Z.fullmatch(value):
                    value = datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.000Z")
                if value not in (None, ""):
                    cell = ws.cell(r, c, value)
                    if isinstance(value, str) and not OUR_FORMULA.fullmatch(value):
                        cell.data_type = "s"
    for name in payload["names"]:
        if name["scope_sheet_name"] is not None:
            bare = name["name"].rsplit("!", 1)[-1]
            sheet = name["scope_sheet_name"]
            wb[sheet].defined_names[bare] = DefinedName(bare, attr_text=f"'{sheet}'!$A$1")
        elif book_marker_number(name["name"]):
            target = payload["sheets"][name["sheet_index"]]["name"]
            wb.defined_names[name["name"]] = DefinedName(name["name"], attr_text=f"'{target}'!$A$1")
    wb.save(path)
    return path


# --- comparing with the file writer ------------------------------------------------------

def trimmed(rows: list[list]) -> list[list]:
    rows = [[None if v == "" else v for v in row] for row in rows]
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    width = max((j + 1 for row in rows for j, v in enumerate(row) if v is not None), default=0)
    return [list(row[:width]) + [None] * (width - len(row)) for row in rows]


def shown(rows: list[list]) -> list[list]:
    """The values as the coordinator sees them: a link formula shows its text."""
    return [[LINK.fullmatch(v).group(2) if isinstance(v, str) and LINK.fullmatch(v) else v for v in row]
            for row in rows]


def links(rows: list[list]) -> dict[str, str]:
    return {f"{get_column_letter(j + 1)}{i + 1}": LINK.fullmatch(v).group(1)
            for i, row in enumerate(rows) for j, v in enumerate(row) if isinstance(v, str) and LINK.fullmatch(v)}


def file_sheets(path: Path) -> dict[str, list[list]]:
    wb = load_workbook(path)
    return {ws.title: trimmed([list(r) for r in ws.iter_rows(values_only=True)]) for ws in wb.worksheets}


def file_links(path: Path, sheet: str) -> dict[str, str]:
    ws = load_workbook(path)[sheet]
    return {c.coordinate: c.hyperlink.location for row in ws.iter_rows() for c in row
            if c.hyperlink is not None and c.hyperlink.location}


def to_excel_precision(rows: list[list]) -> list[list]:
    """Numbers equal to the 15 significant digits Excel shows: openpyxl writes 16 (`%.16g`), xlwings sends 17."""
    return [[pytest.approx(v, rel=1e-15, abs=0) if isinstance(v, float) else v for v in row] for row in rows]


def assert_same_as_file(after: dict[str, list[list]], path: Path, names: list[str]) -> None:
    expected = file_sheets(path)
    for name in names:
        assert shown(trimmed(after[name])) == to_excel_precision(expected[name]), name
        assert links(after[name]) == file_links(path, name), name


def journal(after: dict[str, list[list]]) -> list[list]:
    rows = trimmed(after["Journal"])
    header = next(i for i, row in enumerate(rows) if row[0] == JOURNAL_HEADERS[0])
    assert rows[header] == JOURNAL_HEADERS
    return rows[header + 1:]


def from_serial(serial: float) -> datetime:
    return datetime(1899, 12, 30) + timedelta(days=serial)


def generated_names(payload: dict, actions: dict) -> set[str]:
    return {name for name in touched_sheets(payload, actions) if plan.is_generated_name(name)}


# --- what each button writes ----------------------------------------------------------------

def test_actualiser_writes_what_the_file_writer_writes(demo_payload, actualised, refreshed_file):
    after = apply_actions(demo_payload, actualised)
    expected = load_workbook(refreshed_file).sheetnames
    assert list(after) == expected  # the same sheets, in the same fixed order (plan.tab_order)
    generated = [name for name in expected if plan.is_generated_name(name) and name != "Journal"]
    assert generated == ["À faire", "Synthèse 2026-11", "COPIL 2026", "COTECH 2026-T4", "Anomalies",
                         "Historique mensuel", "Financement calculé", "Échéancier suivis", "Synthèse 2026-10"]
    assert_same_as_file(after, refreshed_file, generated)

    (row,) = journal(after)
    (file_row,) = journal(file_sheets(refreshed_file))
    assert row[1:6] == file_row[1:6]  # action, version, rows read, anomalies, sheets written
    assert abs(from_serial(row[0]) - datetime.now()) < timedelta(hours=1)
    assert re.fullmatch(r"[0-9a-f]{64}", row[6])


def test_verifier_rebuilds_anomalies_and_counts_errors_and_warnings(demo, demo_payload, refreshed_file):
    actions = run_button(buttons.verifier, demo_payload)
    dataset = api.check_file(demo, AS_OF)
    errors, warnings = len(dataset.errors), len(dataset.warnings)
    assert errors > 1
    avertissements = f"{warnings} avertissement{'s' if warnings > 1 else ''}"
    assert alerts(actions) == [(f"{errors} erreurs, {avertissements} : voir la feuille « Anomalies ».", "CitésLab")]
    after = apply_actions(demo_payload, actions)
    assert list(after)[-2:] == ["Anomalies", "Journal"]
    assert_same_as_file(after, refreshed_file, ["Anomalies"])
    assert journal(after)[0][1] == "Vérifier les données"
    valeurs = [row[5] for row in trimmed(after["Anomalies"])]
    assert set(RISKY.values()) <= set(valeurs)  # kept as typed, not computed nor turned into numbers


def test_comite_pilotage_takes_the_year_of_the_selected_date(demo, tmp_path):
    ws = load_workbook(demo)["Porteurs"]
    column = next(c.column for c in ws[1] if c.value == "Date premier contact")
    cell = next(r[column - 1] for r in ws.iter_rows(min_row=2) if isinstance(r[column - 1].value, datetime)
                and r[column - 1].value.year == 2025)
    payload = payload_from_xlsx(demo, active_sheet="Porteurs", selection=cell.coordinate)
    actions = run_button(buttons.comite_pilotage, payload)
    assert generated_names(payload, actions) == {"COPIL 2025", "Journal"}
    out = tmp_path / "copil.xlsx"
    api.committee(demo, "copil", periods.year(2025), AS_OF, out=out)
    assert_same_as_file(apply_actions(payload, actions), out, ["COPIL 2025"])
    assert alerts(actions)[0][0].startswith("Feuille « COPIL 2025 » construite (données au 26/11/2026).")


def test_comite_pilotage_without_a_selected_date_takes_the_current_year(demo_payload):
    assert demo_payload["book"]["selection"] == "A1"  # on Accueil: a title, no date
    actions = run_button(buttons.comite_pilotage, demo_payload)
    assert generated_names(demo_payload, actions) == {"COPIL 2026", "Journal"}


def test_comite_pilotage_refuses_a_year_not_yet_begun(demo_payload):
    payload = with_users_sheet(demo_payload, "Notes", "2027-03-01T00:00:00.000Z")  # a year after AS_OF
    payload["book"].update(active_sheet_index=len(payload["sheets"]) - 1, selection="A1")
    message = only_an_alert(run_button(buttons.comite_pilotage, payload))
    assert message.startswith("La période « 2027 » commence le 01/01/2027, après la date des calculs (26/11/2026)")


def test_comite_technique_builds_the_current_quarter(demo, demo_payload, tmp_path):
    actions = run_button(buttons.comite_technique, demo_payload)
    assert generated_names(demo_payload, actions) == {"COTECH 2026-T4", "Journal"}
    out = tmp_path / "cotech.xlsx"
    api.committee(demo, "cotech", None, AS_OF, out=out)
    assert_same_as_file(apply_actions(demo_payload, actions), out, ["COTECH 2026-T4"])
    assert journal(apply_actions(demo_payload, actions))[0][1:3] == ["Comité technique", api.__version__]


def test_the_template_gives_the_same_sheets_as_the_file_writer(tmp_path):
    path = tmp_path / "modele.xlsx"
    api.write_template(path)
    payload = payload_from_xlsx(path, client="Office.js")
    actions = run_button(buttons.actualiser, payload)
    assert alerts(actions)[0][0].endswith("Aucune anomalie : les données sont conformes.")
    out = tmp_path / "refreshed.xlsx"
    api.refresh(path, as_of=AS_OF, out=out)
    names = [n for n in load_workbook(out).sheetnames if plan.is_generated_name(n) and n != "Journal"]
    assert_same_as_file(apply_actions(payload, actions), out, names)


# --- what the actions may do ------------------------------------------------------------------

@pytest.mark.parametrize("entry_point", ENTRY_POINTS, ids=lambda f: f.__name__)
def test_every_shipped_client_can_run_the_actions(demo_payload, entry_point):
    actions = run_button(entry_point, demo_payload)
    assert unsupported_actions(actions, "VBA") == []
    assert unsupported_actions(actions, "Microsoft Office Scripts") == []


@pytest.mark.parametrize("entry_point", ENTRY_POINTS, ids=lambda f: f.__name__)
def test_no_action_touches_a_data_sheet(demo_payload, entry_point):
    actions = run_button(entry_point, demo_payload)
    touched = touched_sheets(demo_payload, actions)
    assert touched and all(plan.is_generated_name(name) for name in touched)
    assert touched.isdisjoint(DATA_SHEETS)


def test_every_text_is_kept_as_typed(demo_payload, actualised):
    risky = risky_texts(demo_payload, actualised)
    assert risky and all(OUR_FORMULA.fullmatch(text) for _, _, text in risky)  # Totals and links only
    assert not any("example.invalid" in text for _, _, text in risky)


def test_each_added_sheet_is_marked_as_the_tools(demo_payload, actualised):
    added = [step.sheet for step in steps(demo_payload, actualised) if step.func == "addSheet"]
    adds = [(step.sheet, step.args) for step in steps(demo_payload, actualised) if step.func == "namesAdd"]
    by_sheet = [args for sheet, args in adds if sheet is not None]  # sheet.names.add: the sheet's own marker
    by_book = [args for sheet, args in adds if sheet is None]  # book.names.add: the workbook-scoped one
    assert by_sheet == [[OWNERSHIP_NAME, f"='{name}'!$A$1"] for name in added]
    # every sheet written ends with a workbook-scoped marker, the one it had or a new one, never two
    had = {demo_payload["sheets"][n["sheet_index"]]["name"] for n in demo_payload["names"]
           if n["book_scope"] and book_marker_number(n["name"])}
    written = {step.sheet for step in steps(demo_payload, actualised) if step.func == "setValues"}
    given = [refers_to for _, refers_to in by_book]
    assert sorted(given) == sorted(f"='{name}'!$A$1" for name in written - had)
    numbers = [book_marker_number(marker) for marker, _ in by_book]
    assert all(numbers) and len(set(numbers)) == len(numbers)


@pytest.mark.slow  # a workbook of 2,400 porteurs
def test_the_number_of_calls_does_not_grow_with_the_rows(tmp_path, monkeypatch):
    # Both sizes keep every sheet under xlwings' own write budget (it splits a larger write into parts of
    # 100,000 cells, by design) and give every list of À faire at least one row, so that only the number
    # of rows differs: three times as many. Under each client's reach: the portable set (VBA), Office.js's,
    # and every format (classic xlwings' calls, made here on the remote engine).
    counts = []
    for people_per_year, expected in ((400, 800), (1200, 2400)):
        path = demo_workbook(tmp_path / f"suivi{people_per_year}.xlsx", people_per_year, errors=0.02)
        payload = payload_from_xlsx(path)
        assert abs(len(payload["sheets"][1]["values"]) - 1 - expected) < expected * 0.05  # porteurs
        office_js = {**payload, "client": "Office.js"}
        runs = [run_button(buttons.actualiser, payload), run_button(buttons.actualiser, office_js)]
        with monkeypatch.context() as patch:
            patch.setattr(xlbook, "client_reach", lambda book: EVERYTHING)
            runs.append(run_button(buttons.actualiser, office_js))
        counts.append([(action_counts(actions), range_call_count(actions)) for actions in runs])
    assert counts[0] == counts[1]
    assert counts[0][0][1] < counts[0][1][1] < counts[0][2][1]  # each reach sends more


def test_number_formats_go_by_column_not_by_row():
    def layout(rows: int) -> SheetLayout:
        data = [[f"L{i}", None if i % 3 else 1.5 * i, date(2025, 1, 1 + i % 28)] for i in range(rows)]
        return SheetLayout("Essai", "Essai", blocks=[Table(["Ligne", "Montant", "Date"], data, formats={1: EURO},
                                                           total=True)])
    small, large = plan_sheet(layout(10)), plan_sheet(layout(3000))
    assert [fmt for _, fmt in small.number_formats] == [fmt for _, fmt in large.number_formats]
    assert ((4, 2, 3004, 2), EURO) in large.number_formats  # the column and its Total, in one call
    assert large.values[3003][1] == "=SUM(B4:B3003)"


# --- runs after runs, and the other door ------------------------------------------------------

def test_a_second_run_rebuilds_the_sheets_in_place_and_appends_to_the_journal(demo_payload, actualised):
    first = apply_actions(demo_payload, actualised)
    second_payload = with_markers(demo_payload, actualised)
    actions = run_button(buttons.actualiser, second_payload)
    counts = action_counts(actions)
    assert counts["addSheet"] == 0 and counts["sheetClear"] == 9  # the current month, every-run sheets, Journal
    after = apply_actions(second_payload, actions)
    assert list(after) == list(first)
    for name in first:
        if name != "Journal":
            assert after[name] == first[name], name
    rows = journal(after)
    assert len(rows) == 2 and rows[0] == journal(first)[0]


def test_sheets_made_by_the_command_line_are_rebuilt_by_the_buttons(refreshed_file):
    payload = payload_from_xlsx(refreshed_file)
    actions = run_button(buttons.actualiser, payload)
    assert alerts(actions)[0][0].startswith("Synthèses actualisées")
    assert action_counts(actions)["addSheet"] == 0
    rows = journal(apply_actions(payload, actions))
    assert [row[1] for row in rows] == ["Actualiser les synthèses"] * 2


def test_sheets_made_by_the_buttons_are_rebuilt_by_the_command_line(demo_payload, actualised, tmp_path):
    path = save_as_excel_would(with_markers(demo_payload, actualised), tmp_path / "après les boutons.xlsx")
    before = load_workbook(path).sheetnames
    report = api.refresh(path, as_of=AS_OF)
    assert load_workbook(path).sheetnames == before
    assert report.sheets == ["Anomalies", "À faire", "Synthèse 2026-11", "Historique mensuel", "COPIL 2026",
                             "COTECH 2026-T4", "Financement calculé", "Échéancier suivis"]
    assert [row[1] for row in journal(file_sheets(path))] == ["Actualiser les synthèses"] * 2
    # the command line reads the buttons' workbook-scoped markers: it adds none of its own
    wb = load_workbook(path)
    targets = [dn.attr_text for n, dn in wb.defined_names.items() if book_marker_number(n)]
    assert sorted(targets) == sorted(f"'{name}'!$A$1" for name in wb.sheetnames if plan.is_generated_name(name))


# --- refusals and errors: a French message, nothing written -----------------------------------

def only_an_alert(actions: dict) -> str:
    assert [a["func"] for a in actions["actions"]] == ["alert"]
    ((message, title),) = alerts(actions)
    assert title == "CitésLab"
    return message


@pytest.mark.parametrize("name", ["Anomalies", "anomalies", "Journal"])
@pytest.mark.parametrize("entry_point", [buttons.verifier, buttons.actualiser], ids=lambda f: f.__name__)
def test_a_users_sheet_with_a_generated_name_is_never_overwritten(demo_payload, name, entry_point):
    message = only_an_alert(run_button(entry_point, with_users_sheet(demo_payload, name, "mes notes")))
    assert f"La feuille « {name} » n'a pas été créée par l'outil" in message and "Rien n'a été écrit." in message


def test_a_journal_whose_header_was_removed_is_not_rewritten(demo_payload, actualised):
    payload = with_markers(demo_payload, actualised)
    journal_sheet = next(s for s in payload["sheets"] if s["name"] == "Journal")
    journal_sheet["values"] = copy.deepcopy(journal_sheet["values"])
    for row in journal_sheet["values"]:
        if row[0] == JOURNAL_HEADERS[0]:
            row[0] = "Quand"
    message = only_an_alert(run_button(buttons.verifier, payload))
    assert "ne contient plus son en-tête « Date et heure »" in message


def test_a_workbook_without_porteurs_is_refused(tmp_path):
    wb = Workbook()
    wb.active.title = "Budget"
    wb.active["A1"] = "Dépenses"
    wb.save(tmp_path / "budget.xlsx")
    message = only_an_alert(run_button(buttons.actualiser, payload_from_xlsx(tmp_path / "budget.xlsx")))
    assert message.startswith("Ce classeur n'a pas de feuille « Porteurs »")


def test_an_unexpected_error_becomes_a_french_message(demo_payload, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("division par zéro")
    monkeypatch.setattr("citeslab_xl.core.sheets.anomalies_layout", broken)
    message = only_an_alert(run_button(buttons.actualiser, demo_payload))
    assert message.startswith("« Actualiser les synthèses » s'est arrêté sur une erreur inattendue "
                              "(ZeroDivisionError : division par zéro). Les feuilles de données n'ont pas été "
                              "modifiées.")
    assert "Traceback" not in message


def test_the_export_under_the_remote_engine_points_to_the_command_line(demo_payload):
    message = only_an_alert(run_button(buttons.exporter_agglomeration, demo_payload))
    assert "citeslab-xl export CLASSEUR.xlsx EXPORT.xlsx" in message
