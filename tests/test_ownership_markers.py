"""The workbook-scoped ownership marker: written and read by both doors, so that a button on the web can leave
out a generated sheet and still refuse to overwrite a sheet of hers (workbook_file/ownership.py).

The Office.js client sends every workbook-scoped name but a sheet's own names only with its values
(tests/xlclient_options.py): the sheet-scoped marker of a sheet left out does not reach Python, the
workbook-scoped one does. Old workbooks carry only the sheet-scoped marker: both doors still own their sheets
by it, give them the other marker at their next run, and a button that left such a sheet out refuses it, as
it refuses a sheet of hers, saying what to do once.
"""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import AS_OF
from openpyxl import load_workbook
from workbook_packages import parts_of, rewrite
from xlclient_options import sent_payload
from xlremote import alerts, payload_from_xlsx, remote_book, steps

from citeslab_xl.adapters.workbook_file.ownership import (
    OWNERSHIP_NAME,
    book_marker_names,
    book_marker_number,
    marker_target,
)
from citeslab_xl.core import plan
from citeslab_xl.core.button_catalogue import button
from citeslab_xl.core.errors import WriteRefused
from citeslab_xl.doors import api, buttons

BOOK_MARKER = re.compile(rb'<definedName name="citeslab_xl_genere_\d+">[^<]*</definedName>')
SHEET_MARKER = re.compile(rb'<definedName name="citeslab_xl_genere" localSheetId="\d+">[^<]*</definedName>')
REFUSED = "n'a pas été créée par l'outil"


def book_markers(path) -> dict[str, str]:
    """Workbook-scoped marker -> what it refers to, as Excel would read the file."""
    wb = load_workbook(path)
    try:
        return {name: dn.attr_text for name, dn in wb.defined_names.items() if book_marker_number(name)}
    finally:
        wb.close()


def sheet_marked(path) -> list[str]:
    wb = load_workbook(path)
    try:
        return [ws.title for ws in wb.worksheets if OWNERSHIP_NAME in ws.defined_names]
    finally:
        wb.close()


def without(path, marker: re.Pattern) -> None:
    """The workbook with one kind of marker taken out of workbook.xml (and the custom property with it)."""
    parts = parts_of(path)
    changes = {"xl/workbook.xml": marker.sub(b"", parts["xl/workbook.xml"])}
    if "docProps/custom.xml" in parts:
        changes["docProps/custom.xml"] = re.sub(rb"<property [^>]*citeslab_xl\.feuilles.*?</property>", b"",
                                                parts["docProps/custom.xml"])
    rewrite(path, changes)


@pytest.fixture(scope="module")
def refreshed(demo_workbook, tmp_path_factory):
    path = tmp_path_factory.mktemp("owned") / "Suivi.xlsx"
    shutil.copy(demo_workbook, path)
    api.refresh(path, as_of=AS_OF)
    return path


@pytest.fixture
def copy_of(tmp_path):
    def make(source):
        target = tmp_path / "Suivi.xlsx"
        shutil.copy(source, target)
        return target
    return make


# --- the names themselves ------------------------------------------------------------------

def test_a_marker_names_the_sheet_whose_a1_it_refers_to():
    assert marker_target("'Synthèse 2026-11'!$A$1") == "Synthèse 2026-11"
    assert marker_target("='L''été'!$A$1") == "L'été"
    assert marker_target("Journal!$A$1") == "Journal"
    assert marker_target("#REF!$A$1") is None  # what Excel leaves once the sheet is deleted
    assert marker_target("'Anomalies'!$B$2") is None
    assert book_marker_number("citeslab_xl_genere_12") == 12
    assert book_marker_number("citeslab_xl_genere") is None and book_marker_number("'X'!citeslab_xl_genere_1") is None
    assert book_marker_names([3, 1], 2) == ["citeslab_xl_genere_4", "citeslab_xl_genere_5"]


# --- the file writer -------------------------------------------------------------------------

def test_the_file_writer_gives_every_generated_sheet_both_markers(refreshed):
    generated = [name for name in load_workbook(refreshed, read_only=True).sheetnames if plan.is_generated_name(name)]
    targets = [marker_target(reference) for reference in book_markers(refreshed).values()]
    assert sorted(targets) == sorted(generated)
    assert sorted(sheet_marked(refreshed)) == sorted(generated)


def test_a_second_refresh_adds_no_marker(refreshed, copy_of):
    path = copy_of(refreshed)
    api.refresh(path, as_of=AS_OF)
    assert book_markers(path) == book_markers(refreshed)


def test_an_old_workbook_gets_the_workbook_scoped_marker_at_its_next_refresh(refreshed, copy_of):
    path = copy_of(refreshed)
    without(path, BOOK_MARKER)
    assert book_markers(path) == {}
    api.refresh(path, as_of=AS_OF)
    assert sorted(book_markers(path).values()) == sorted(book_markers(refreshed).values())


def test_the_workbook_scoped_marker_alone_proves_ownership_to_the_file_writer(refreshed, copy_of):
    path = copy_of(refreshed)
    without(path, SHEET_MARKER)  # and the custom property: only the workbook-scoped marker is left
    api.refresh(path, as_of=AS_OF)  # would refuse every generated sheet if the marker were not read
    assert sorted(sheet_marked(path)) == sorted(sheet_marked(refreshed))


def test_a_marker_left_dangling_owns_nothing_and_keeps_its_number(refreshed, copy_of):
    path = copy_of(refreshed)
    without(path, SHEET_MARKER)
    book = parts_of(path)["xl/workbook.xml"]
    anomalies = next(name for name, ref in book_markers(path).items() if marker_target(ref) == "Anomalies")
    dangling = re.sub(rb'(<definedName name="' + anomalies.encode() + rb'">)[^<]*', rb"\1#REF!$A$1", book)
    rewrite(path, {"xl/workbook.xml": dangling})  # Anomalies deleted, and a sheet of hers took its name
    with pytest.raises(WriteRefused, match=f"« Anomalies ».*{REFUSED}"):
        api.refresh(path, as_of=AS_OF)


# --- the buttons on the web ------------------------------------------------------------------

def web_run(entry_point: str, payload: dict) -> tuple[dict, dict]:
    """(what the client sent, the actions) for the button's `web_exclude`."""
    chosen = button(entry_point)
    sent = sent_payload(payload, include=chosen.web_include, exclude=chosen.web_exclude)
    with remote_book(sent) as book:
        getattr(buttons, entry_point)(book, as_of=AS_OF)
        return sent, book.json()


def without_book_markers(payload: dict) -> dict:
    return {**payload, "names": [n for n in payload["names"] if not (n["book_scope"]
                                                                      and book_marker_number(n["name"]))]}


@pytest.fixture(scope="module")
def refreshed_payload(refreshed) -> dict:
    return payload_from_xlsx(refreshed, client="Office.js")


@pytest.mark.parametrize("entry_point", ["verifier", "actualiser"])
def test_a_button_rebuilds_a_sheet_it_did_not_receive(refreshed_payload, entry_point):
    sent, actions = web_run(entry_point, refreshed_payload)
    anomalies = next(s for s in sent["sheets"] if s["name"] == plan.ANOMALIES)
    assert anomalies["values"] == [[]]
    assert not any(n.get("scope_sheet_name") == plan.ANOMALIES for n in sent["names"])  # its own marker unsent
    written = {step.sheet for step in steps(sent, actions) if step.func == "setValues"}
    assert plan.ANOMALIES in written
    (message, _), = alerts(actions)
    assert REFUSED not in message
    assert not any(step.func == "namesAdd" and step.sheet is None and step.args[1] == "='Anomalies'!$A$1"
                   for step in steps(sent, actions))  # it has its marker: no second one


@pytest.mark.parametrize("entry_point", ["verifier", "actualiser"])
def test_a_sheet_of_hers_with_a_generated_name_is_refused_though_not_sent(refreshed_payload, entry_point):
    payload = without_book_markers(refreshed_payload)
    payload["names"] = [n for n in payload["names"] if n.get("scope_sheet_name") != plan.ANOMALIES]
    _, actions = web_run(entry_point, payload)  # her own « Anomalies »: no marker anywhere
    assert [a["func"] for a in actions["actions"]] == ["alert"]
    (message, _), = alerts(actions)
    assert f"La feuille « {plan.ANOMALIES} » {REFUSED}" in message and "Rien n'a été écrit." in message


@pytest.mark.parametrize("renamed", [False, True])
def test_a_marker_follows_its_sheet_when_renamed(refreshed_payload, renamed):
    # the tool's Anomalies renamed « Anomalies ancienne », and a sheet of hers given the name: the marker
    # went with the tool's sheet (Excel rewrites the reference), so hers is refused
    payload = without_book_markers(refreshed_payload)
    payload["names"] = [n for n in payload["names"] if n.get("scope_sheet_name") != plan.ANOMALIES]
    payload["sheets"] = [*payload["sheets"], {"name": "Anomalies ancienne", "values": [["x"]], "pictures": [],
                                              "tables": []}]
    anomalies = next(i for i, s in enumerate(payload["sheets"]) if s["name"] == plan.ANOMALIES)
    journal = next(i for i, s in enumerate(payload["sheets"]) if s["name"] == plan.JOURNAL)
    for number, index in ((1, len(payload["sheets"]) - 1 if renamed else anomalies), (2, journal)):
        payload["names"].append({"name": f"citeslab_xl_genere_{number}", "sheet_index": index, "address": "A1",
                                 "book_scope": True, "scope_sheet_name": None, "scope_sheet_index": None})
    _, actions = web_run("verifier", payload)
    (message, _), = alerts(actions)
    assert (f"« {plan.ANOMALIES} » {REFUSED}" in message) == renamed
    assert ([a["func"] for a in actions["actions"]] == ["alert"]) == renamed


def test_an_old_workbook_on_the_web_is_refused_then_works_once_run_on_the_pc(refreshed_payload):
    old = without_book_markers(refreshed_payload)  # a workbook refreshed before the workbook-scoped marker
    _, refused = web_run("verifier", old)
    (message, _), = alerts(refused)
    assert [a["func"] for a in refused["actions"]] == ["alert"]
    assert f"« {plan.ANOMALIES} » {REFUSED}" in message and "dans Excel sur le PC" in message
    with remote_book(old) as book:  # on the PC the client sends everything, the sheet-scoped marker with it
        buttons.verifier(book, as_of=AS_OF)
        on_the_pc = book.json()
    given = [step.args for step in steps(old, on_the_pc) if step.func == "namesAdd" and step.sheet is None]
    assert ["citeslab_xl_genere_1", "='Anomalies'!$A$1"] in given
