"""The buttons' sheets take their look from `core.sheet_look`, as far as the client replaying the writes allows.

Each run is a real remote-engine run on the demo workbook (`payload_from_xlsx`),
its format actions replayed cell by cell (tests/xlremote_formats.py) and
compared with the same sheet written by `api.refresh` for the same as-of date,
read back with openpyxl. The classic engine (COM) cannot run here: its calls
are those of the same xlwings API, checked by giving a remote book the reach
of a client that has every format (`client_reach`).
"""

from __future__ import annotations

from datetime import date

import pytest
from conftest import AS_OF
from openpyxl import load_workbook
from test_buttons import demo_workbook, run_button
from xlremote import action_counts, payload_from_xlsx, unsupported_actions
from xlremote_formats import OFFICE_JS_ACTIONS, Formats, file_formats, sheet_formats

from citeslab_xl.adapters import xlbook
from citeslab_xl.adapters.xlbook_look import (
    CLASSIC,
    EVERYTHING,
    LIGHT_HEADER_FILL,
    OFFICE_JS,
    boxes,
)
from citeslab_xl.core import plan
from citeslab_xl.core.layout import DATE, EURO, Note, SheetLayout, Table
from citeslab_xl.core.sheet_look import BLUE
from citeslab_xl.doors import api, buttons

SYNTHESE = "Synthèse 2026-11"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return demo_workbook(tmp_path_factory.mktemp("look") / "Suivi CitésLab.xlsx", 50)


@pytest.fixture(scope="module")
def refreshed(demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("look-file") / "refreshed.xlsx"
    api.refresh(demo, as_of=AS_OF, out=out)
    return load_workbook(out)


@pytest.fixture(scope="module")
def office_js(demo) -> dict:
    return payload_from_xlsx(demo, client="Office.js")


def run_with_reach(payload: dict, reach, monkeypatch) -> dict:
    with monkeypatch.context() as patch:
        patch.setattr(xlbook, "client_reach", lambda book: reach)
        return run_button(buttons.actualiser, payload)


def generated(refreshed) -> list[str]:
    return [name for name in refreshed.sheetnames if plan.is_generated_name(name)]


def test_with_every_format_each_sheet_looks_as_the_file_writers(office_js, refreshed, monkeypatch):
    actions = run_with_reach(office_js, EVERYTHING, monkeypatch)
    for name in generated(refreshed):
        assert sheet_formats(office_js, actions, name) == file_formats(refreshed[name]), name
    synthese = sheet_formats(office_js, actions, SYNTHESE)
    assert synthese.merges and synthese.wrapped and synthese.freeze_row > 1
    assert set(synthese.heights.values()) > {15} and len(set(synthese.widths.values())) > 1


def test_a_sheet_rebuilt_with_every_format_looks_as_a_new_one(refreshed, monkeypatch, tmp_path):
    path = tmp_path / "refreshed.xlsx"
    refreshed.save(path)
    payload = payload_from_xlsx(path, client="Office.js")
    actions = run_with_reach(payload, EVERYTHING, monkeypatch)
    assert action_counts(actions)["addSheet"] == 0
    for name in (SYNTHESE, "À faire", "Anomalies"):  # Journal has one more row
        assert sheet_formats(payload, actions, name) == file_formats(refreshed[name]), name


def test_the_dates_are_centred_as_in_the_file(office_js, refreshed, monkeypatch):
    actions = run_with_reach(office_js, EVERYTHING, monkeypatch)
    centred = {name: sheet_formats(office_js, actions, name).horizontal for name in generated(refreshed)}
    assert any(centred.values())  # some sheet of the demo shows dates
    for name, cells in centred.items():
        assert cells == file_formats(refreshed[name]).horizontal, name


def test_the_classic_engine_gets_everything_but_frozen_rows(office_js, refreshed, monkeypatch):
    actions = run_with_reach(office_js, CLASSIC, monkeypatch)
    assert not {"freezePaneAtRange", "freezePaneUnfreeze"} & set(action_counts(actions))  # COM has no freeze_panes
    button, file = sheet_formats(office_js, actions, SYNTHESE), file_formats(refreshed[SYNTHESE])
    assert button.freeze_row == 1 and file.freeze_row > 1
    assert button == Formats(**{**file.__dict__, "freeze_row": 1})


def test_on_office_js_headers_are_white_on_blue_and_the_top_rows_frozen(office_js, refreshed):
    actions = run_button(buttons.actualiser, office_js)
    assert sorted(set(action_counts(actions)) - OFFICE_JS_ACTIONS) == []
    for name in generated(refreshed):
        button, file = sheet_formats(office_js, actions, name), file_formats(refreshed[name])
        assert (button.fonts, button.fills, button.freeze_row) == (file.fonts, file.fills, file.freeze_row), name
        # what this client cannot do stays undone: the columns are autofitted instead
        assert (button.widths, button.heights, button.merges, button.wrapped) == ({}, {}, set(), set())
    assert BLUE in file_formats(refreshed[SYNTHESE]).fills.values()
    assert action_counts(actions)["setAutofit"] > 0


def test_the_vba_client_gets_no_font_and_a_light_header_fill(demo, refreshed):
    payload = payload_from_xlsx(demo)
    actions = run_button(buttons.actualiser, payload)
    assert unsupported_actions(actions, "VBA") == []
    synthese = sheet_formats(payload, actions, SYNTHESE)
    assert synthese.fonts == {} and synthese.freeze_row == 1
    assert set(synthese.fills.values()) == {LIGHT_HEADER_FILL.lstrip("#")}
    assert synthese.fills.keys() == file_formats(refreshed[SYNTHESE]).fills.keys()  # the same header cells


def test_the_reach_follows_the_client(demo, office_js):
    from xlremote import remote_book

    with remote_book(office_js) as book:
        assert xlbook.client_reach(book) == OFFICE_JS
    with remote_book(payload_from_xlsx(demo, client="Microsoft Office Scripts")) as book:
        assert xlbook.client_reach(book) == frozenset()


# --- as few calls as the cells allow -------------------------------------------------------------

def test_boxes_stack_the_runs_of_a_column_and_split_where_the_key_changes():
    keyed = {(row, column): "x" for row in range(3, 10) for column in (2, 3)}
    keyed |= {(5, 4): "y", (6, 4): "y", (8, 4): "y"}
    assert boxes(keyed) == [((3, 2, 9, 3), "x"), ((5, 4, 6, 4), "y"), ((8, 4, 8, 4), "y")]


def format_calls(write) -> int:
    f = write.formats
    return sum(len(calls) for calls in (f.fills, f.fonts, f.top_borders, f.horizontal, f.vertical, f.wrapped,
                                        f.widths, f.heights, f.merges))


def test_format_calls_do_not_grow_with_the_rows():
    def layout(rows: int) -> SheetLayout:
        data = [[f"L{i}", 1.5 * i, date(2025, 1, 1 + i % 28), "court"] for i in range(rows)]
        table = Table(["Ligne", "Montant", "Date", "Commentaire"], data, formats={1: EURO, 2: DATE},
                      total=True, wrap_columns=(3,), links={i: "'Porteurs'!A2" for i in range(rows)})
        return SheetLayout("Essai", "Essai", subtitle="Données au 26/11/2026", blocks=[Note("Une note."), table])
    small, large = xlbook.plan_sheet(layout(10), EVERYTHING), xlbook.plan_sheet(layout(3000), EVERYTHING)
    assert format_calls(small) == format_calls(large) > 0
    assert ((7, 3, 3006, 3), "center") in large.formats.horizontal  # the dates, in one call
    assert large.formats.merges == [(4, 1, 4, 6)]  # the note, across the sheet
