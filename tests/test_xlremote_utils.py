"""The remote-engine helpers: a real workbook opened as xlwings Server would, and the actions replayed."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.table import Table
from xlremote import (
    action_counts,
    alerts,
    apply_actions,
    client_actions,
    payload_from_xlsx,
    range_call_count,
    remote_book,
    replay,
    risky_texts,
    steps,
    touched_sheets,
    unsupported_actions,
)


@pytest.fixture
def workbook(tmp_path) -> Path:
    wb = openpyxl.Workbook()
    porteurs = wb.active
    porteurs.title = "Porteurs"
    porteurs.append(["ID", "Nom", "Date premier contact", "Montant", "RGPD"])
    porteurs.append(["P1", "Durand", dt.date(2025, 3, 12), 12.5, True])
    porteurs.append(["P2", None, dt.datetime(2024, 1, 2, 10, 30), 3.0, False])
    porteurs.add_table(Table(displayName="TPorteurs", ref="A1:E3"))
    wb.create_sheet("Vide")
    settings = wb.create_sheet("Paramètres")
    settings["B3"] = "Besançon"
    wb.defined_names["Site"] = DefinedName("Site", attr_text="'Paramètres'!$B$3")
    wb.active = 0
    porteurs.sheet_view.selection[0].sqref = "C2"
    path = tmp_path / "suivi.xlsx"
    wb.save(path)
    return path


def test_the_remote_engine_reads_the_workbook_as_excel_holds_it(workbook):
    with remote_book(workbook) as book:
        assert [sheet.name for sheet in book.sheets] == ["Porteurs", "Vide", "Paramètres"]
        assert book.sheets.active.name == "Porteurs"
        assert book.app.selection.value == dt.datetime(2025, 3, 12)
        assert book.sheets["Porteurs"].used_range.options(ndim=2).value == [
            ["ID", "Nom", "Date premier contact", "Montant", "RGPD"],
            ["P1", "Durand", dt.datetime(2025, 3, 12), 12.5, True],
            ["P2", None, dt.datetime(2024, 1, 2, 10, 30), 3, False],
        ]
        assert book.sheets["Porteurs"].tables["TPorteurs"].data_body_range.address == "$A$2:$E$3"
        assert book.names["Site"].refers_to_range.value == "Besançon"
        assert book.sheets["Vide"].used_range.value is None


def test_the_payload_has_the_shape_each_client_sends(workbook):
    vba = payload_from_xlsx(workbook)
    office = payload_from_xlsx(workbook, client="Office.js", active_sheet="Paramètres", selection="B3")

    assert vba["sheets"][0]["values"][2] == ["P2", None, "2024-01-02T10:30:00.000Z", 3, False]
    assert office["sheets"][0]["values"][2][1] == ""
    assert vba["sheets"][1]["values"] == [[]]  # an empty sheet
    assert vba["sheets"][2]["values"][2] == [None, "Besançon"]  # from A1, not from the first used cell
    assert vba["names"] == [{"name": "Site", "sheet_index": 2, "address": "B3", "book_scope": True,
                             "scope_sheet_name": None, "scope_sheet_index": None}]
    assert (office["book"]["active_sheet_index"], office["book"]["selection"]) == (2, "B3")
    with remote_book(office) as book:
        assert book.app.selection.value == "Besançon"


def _build_summary(book) -> None:
    """What a button does: one bulk read, a new sheet written in one block, a message."""
    rows = book.sheets["Porteurs"].used_range.options(ndim=2).value[1:]
    summary = book.sheets.add("Synthèse", after=book.sheets["Porteurs"])
    summary["A1"].value = [["Indicateur", "Valeur", "Au"],
                           ["Porteurs", len(rows), dt.date(2025, 6, 30)],
                           ["Montant total", sum(row[3] for row in rows), None]]
    summary["B2:B3"].number_format = "0"
    summary["C2"].add_hyperlink("#'Porteurs'!A1", "Voir les porteurs")
    book.sheets["Vide"].name = "Notes"
    book.app.alert("Synthèse à jour", title="Actualiser")


def test_actions_replayed_give_the_sheets_excel_would_show(workbook):
    payload = payload_from_xlsx(workbook)
    with remote_book(payload) as book:
        _build_summary(book)
        actions = book.json()

    after = apply_actions(payload, actions)

    assert list(after) == ["Porteurs", "Synthèse", "Notes", "Paramètres"]
    assert after["Synthèse"] == [["Indicateur", "Valeur", "Au"],
                                 ["Porteurs", 2, "Voir les porteurs"],
                                 ["Montant total", 15.5, None]]
    assert after["Porteurs"][1][:2] == ["P1", "Durand"]
    assert alerts(actions) == [("Synthèse à jour", "Actualiser")]
    assert touched_sheets(payload, actions) == {"Synthèse", "Vide"}
    assert range_call_count(actions) == 3
    assert action_counts(actions) == {"addSheet": 1, "setValues": 1, "setNumberFormat": 1, "addHyperlink": 1,
                                      "setSheetName": 1, "alert": 1}


def test_a_replayed_payload_opens_again_for_a_second_run(workbook):
    payload = payload_from_xlsx(workbook)
    with remote_book(payload) as book:
        _build_summary(book)
        first = replay(payload, book.json())

    with remote_book(first) as book:
        assert book.sheets["Synthèse"]["C2"].value == "Voir les porteurs"
        assert book.sheets["Synthèse"]["C1"].options(expand="down").value == ["Au", "Voir les porteurs"]
        assert book.names["Site"].refers_to_range.value == "Besançon"  # the name followed its sheet
        with pytest.raises(ValueError, match="already present"):
            book.sheets.add("synthèse")


def test_steps_name_the_sheet_and_range_of_each_action(workbook):
    payload = payload_from_xlsx(workbook)
    with remote_book(payload) as book:
        sheet = book.sheets["Vide"]
        sheet.name = "Notes"
        sheet["B2:C4"].clear_contents()
        actions = book.json()

    assert [(s.func, s.sheet, s.address) for s in steps(payload, actions)] == [
        ("setSheetName", "Vide", None),
        ("rangeClearContents", "Notes", "B2:C4"),
    ]


def test_where_excel_would_refuse_the_replay_refuses(workbook):
    payload = payload_from_xlsx(workbook)
    with remote_book(payload) as book:
        book.sheets["Vide"].name = "PORTEURS"  # the engine does not check; Excel does
        actions = book.json()

    with pytest.raises(ValueError, match="second sheet named 'PORTEURS'"):
        apply_actions(payload, actions)


def test_an_action_the_replay_does_not_model_is_not_silently_ignored(workbook):
    payload = payload_from_xlsx(workbook)
    with remote_book(payload) as book:
        book.sheets["Porteurs"]["A2:E2"].insert("down", "format_from_left_or_above")
        actions = book.json()

    with pytest.raises(NotImplementedError, match="rangeInsert"):
        apply_actions(payload, actions)


def test_texts_excel_would_turn_into_numbers_dates_or_formulas_are_found(workbook):
    payload = payload_from_xlsx(workbook)
    with remote_book(payload) as book:
        sheet = book.sheets.add("Anomalies")
        sheet["A1"].value = [["0612345678", "'0612345678", "=1+1", "'=1+1"],
                             ["12/03/2025", "+33 6 12 34 56 78", "12,5", "Durand"],
                             [dt.date(2025, 3, 12), "Rue du 8 mai", "1 000", "VRAI"]]
        actions = book.json()

    assert [(cell, text) for _, cell, text in risky_texts(payload, actions)] == [
        ("A1", "0612345678"), ("C1", "=1+1"), ("A2", "12/03/2025"), ("B2", "+33 6 12 34 56 78"),
        ("C2", "12,5"), ("C3", "1 000"), ("D3", "VRAI"),
    ]
    assert apply_actions(payload, actions)["Anomalies"][0][1::2] == ["0612345678", "=1+1"]


def test_what_the_vba_client_can_run():
    vba = client_actions("VBA")

    assert {"setValues", "addSheet", "sheetClear", "setNumberFormat", "setAutofit", "addHyperlink",
            "alert", "setRangeColor", "addTable"} <= vba
    assert vba.isdisjoint({"setFontProperty", "setColumnWidth", "setSheetAutofit", "setFormula", "addChart",
                           "setWrapText", "freezePaneAtRange"})
    assert client_actions("Microsoft Office Scripts") == vba


def test_sheet_autofit_needs_a_range_for_the_vba_client(workbook):
    with remote_book(workbook) as book:
        book.sheets["Porteurs"].autofit()
        whole_sheet = book.json()["actions"][:]
        book.sheets["Porteurs"].used_range.autofit()
        used_range = book.json()["actions"][len(whole_sheet):]

    assert unsupported_actions(whole_sheet, "VBA") == ["setSheetAutofit"]
    assert unsupported_actions(used_range, "VBA") == []


def test_reads_see_the_snapshot_not_the_writes_of_the_same_run(workbook):
    with remote_book(workbook) as book:
        sheet = book.sheets["Porteurs"]
        sheet["B2"].value = "Dupont"

        assert sheet["B2"].value == "Durand"


def test_sheets_add_before_a_sheet_other_than_the_first_lands_one_place_early(workbook):
    # xlwings 0.37.8: Sheets.add(before=sheet) queues position index - 2.
    payload = payload_from_xlsx(workbook)
    with remote_book(payload) as book:
        book.sheets.add("Nouvelle", before=book.sheets["Paramètres"])
        actions = book.json()

    assert list(apply_actions(payload, actions)) == ["Porteurs", "Nouvelle", "Vide", "Paramètres"]


def test_the_engine_is_there_even_when_xlwings_was_imported_without_a_key(tmp_path):
    # Another module importing xlwings first, before any license key is set.
    script = ("import xlwings, xlremote\n"
              "with xlremote.remote_book({'client': 'VBA', 'version': xlwings.__version__,\n"
              "    'book': {'name': 'b.xlsx', 'active_sheet_index': 0, 'selection': 'A1'}, 'names': [],\n"
              "    'sheets': [{'name': 'S', 'values': [[42]], 'pictures': [], 'tables': []}]}) as book:\n"
              "    print(book.sheets['S']['A1'].value)\n")
    env = {k: v for k, v in os.environ.items() if k != "XLWINGS_LICENSE_KEY"}
    done = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parent, env=env,
                          capture_output=True, text=True, timeout=120)

    assert done.stdout.strip() == "42", done.stderr
