"""Excel on the web: what each button makes the client read, and what the button says when it is too much.

Excel on the web refuses an Office.js call over 5 MB, and the Office.js client (xlwings Lite, xlwings
Server's add-in) reads every sheet it sends in one call, values and number-format categories of each cell
(tests/xlclient_options.py cites the client and states the model of that call). Each button's
`web_include` / `web_exclude` (core/button_catalogue.py, written into macros/lite/main.py) leaves out every
generated sheet with a fixed name: a button proves that a sheet it rewrites is the tool's by the
workbook-scoped marker, which the client sends for every sheet (tests/test_ownership_markers.py). Two sizes
are measured: the JSON Python receives (`payload_bytes`) and the one read call (`read_call_bytes`, from the
workbook file's number formats); the larger is what must stay under 5 MB. The button itself estimates the
call from what it received (xlbook.web_read_bytes) and says so when it is over.

Measured on the 20-year demo (400 porteurs a year, refreshed once, as of 2026-11-26; the slow test prints
it), payload / read call, in MB:
    whole workbook                  7.68 / 11.40
    data sheets alone               5.81 /  8.67
    Vérifier        before 7.11 / 10.48   now 5.87 / 8.73
    Actualiser      before 7.68 / 11.40   now 5.87 / 8.73
    Comités (each)  before 5.87 /  8.73   now 5.87 / 8.73
    Exporter        before 0.004 / 0.004  now the same
With one read call (xlwings Server's add-in, a sync book in xlwings Lite) the data sheets alone are over
the limit: no button that reads them can run on the web at that size, and each says so where it runs
(desktop Excel, whose Office.js has no such limit), naming its command line; on the web the client fails
before Python starts, on Office.js' own error. That call grows with the porteurs recorded, about 1.1 kB per
porteur and year of history: 20 years at 200 a year fit (4.61 MB), at 250 they do not (5.65); 10 years at
400 fit (4.31); 5 years at 400 take 2.17. So there every button fits up to about 4,300 porteur-years (200 a
year for 21 years, 400 a year for 10), Exporter at any size.

xlwings Lite's scripts (macros/lite/main.py) take the async book instead and read each sheet in its own
call (buttons.on_the_web; tests/xllite.py models the client): on the 20-year demo the largest call is
Rendez-vous' 3.71 MB (Porteurs 3.63), so every button runs there; that sheet grows 0.47 kB per porteur
and year (measured at 5 to 20 years, 150 to 400 a year), so Lite's buttons fit up to about 10,700
porteur-years (400 a year for 26 years, 530 a year for 20), and past that the button stops before writing
anything, saying in French which sheet Excel could not read and what to do.
"""

from __future__ import annotations

import asyncio
import copy
import importlib.util
import shutil
from datetime import date

import pytest
from conftest import AS_OF, ROOT
from xlclient_options import (
    excluded_sheets,
    number_format_category,
    payload_bytes,
    read_call_bytes,
    read_call_sheets,
    sent_payload,
)
from xllite import LiteClient, PayloadTooLarge, general_call_bytes, in_lite
from xlremote import alerts, payload_from_xlsx, remote_book, steps

from citeslab_xl.adapters import xlbook
from citeslab_xl.core import plan
from citeslab_xl.core.button_catalogue import BUTTONS, Button
from citeslab_xl.doors import api, buttons

TOO_LARGE = "Ce classeur est trop grand pour Excel sur le web"
FAILED = ("erreur inattendue", "n'a pas été créée par l'outil")
DATA_READERS = [b for b in BUTTONS if b.entry_point != "exporter_agglomeration"]


def run_button(button: Button, payload: dict, as_of: date = AS_OF) -> dict:
    with remote_book(payload) as book:
        getattr(buttons, button.entry_point)(book, as_of=as_of)
        return book.json()


def web_payload(button: Button, payload: dict) -> dict:
    return sent_payload(payload, include=button.web_include, exclude=button.web_exclude)


def estimated(payload: dict) -> int:
    with remote_book(payload) as book:
        return xlbook.web_read_bytes(book)


def the_alert(actions) -> str:
    (message, _title), = alerts(actions)
    return message


def lite_scripts():
    """macros/lite/main.py, as xlwings Lite runs it."""
    spec = importlib.util.spec_from_file_location("citeslab_lite_main", ROOT / "macros" / "lite" / "main.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_in_lite(button: Button, client: LiteClient) -> dict:
    """The button's Lite script on the async book xlwings Lite gives it; its actions."""
    book = client.async_book(include=button.web_include, exclude=button.web_exclude)
    try:
        with in_lite(client):
            asyncio.run(lite_scripts().__dict__[button.entry_point](book))
        return book.json()
    finally:
        book.close()


def too_large_message(size: int, button: Button) -> str:
    return buttons.TOO_LARGE_FOR_WEB.format(size=f"{size / 1_000_000:.1f}".replace(".", ","), command=button.command)


# --- the options themselves ------------------------------------------------------------

@pytest.mark.parametrize("button", BUTTONS, ids=lambda b: b.entry_point)
def test_a_button_leaves_out_only_generated_sheets_it_need_not_receive(button):
    # A data sheet may bear another name (core/grid.py), Journal is read back, Synthèse holds the statuses.
    assert all(plan.is_generated_name(name) for name in button.web_exclude)
    assert plan.JOURNAL not in button.web_exclude
    assert not any(plan.synthese_month(name) for name in button.web_exclude)
    assert not (button.web_include and button.web_exclude)


def test_every_button_that_reads_the_data_leaves_out_every_fixed_generated_sheet():
    assert all(set(b.web_exclude) == set(plan.EVERY_RUN) for b in DATA_READERS)


def test_the_clients_leave_sheets_out_as_xlwings_does():
    payload = {"client": "Office.js", "version": "dev", "book": {"name": "b.xlsx", "active_sheet_index": 0,
                                                                 "selection": "A1"},
               "names": [{"name": "Anomalies!citeslab_xl_genere", "sheet_index": 1, "address": "A1",
                          "book_scope": False, "scope_sheet_name": "Anomalies", "scope_sheet_index": 1},
                         {"name": "citeslab_xl_genere_1", "sheet_index": 1, "address": "A1", "book_scope": True,
                          "scope_sheet_name": None, "scope_sheet_index": None}],
               "sheets": [{"name": "Porteurs", "values": [["ID"], ["P1"]], "pictures": [], "tables": []},
                          {"name": "Anomalies", "values": [["x"]], "pictures": [], "tables": [{"name": "T"}]}]}
    sent = sent_payload(payload, exclude="Anomalies , Absente")
    assert [s["values"] for s in sent["sheets"]] == [[["ID"], ["P1"]], [[]]]
    assert sent["sheets"][1]["tables"] == []
    # Office.js loads no names of a sheet it leaves out, but every workbook-scoped name
    assert [n["name"] for n in sent["names"]] == ["citeslab_xl_genere_1"]
    vba = sent_payload({**payload, "client": "VBA"}, exclude=["Anomalies"])
    assert len(vba["names"]) == 2  # Remote.bas sends every name of wb.Names
    assert excluded_sheets(["Porteurs", "Anomalies"], include=["Porteurs"]) == {"Anomalies"}
    with pytest.raises(ValueError, match="not both"):
        sent_payload(payload, include=["Porteurs"], exclude=["Anomalies"])
    assert payload["sheets"][1]["values"] == [["x"]]  # the full payload is left as it was


def test_the_number_format_categories_excel_reports():
    assert number_format_category("General", False) == "General"
    assert number_format_category("@", False) == "Text"
    assert number_format_category("DD/MM/YYYY", True) == "Date"
    assert number_format_category("hh:mm", True) == "Time"
    assert number_format_category("0%", False) == "Percentage"
    assert number_format_category("0.00", False) == "Number"
    assert number_format_category('#,##0.00\\ "€"', False) == "Currency"
    assert number_format_category('_-* #,##0.00\\ "€"_-', False) == "Accounting"


# --- a small workbook: the estimate, the message ----------------------------------------------

@pytest.fixture(scope="module")
def small(demo_workbook, tmp_path_factory) -> tuple[dict, dict[str, int]]:
    """A refreshed 2-year demo: its Office.js payload and each sheet's share of the read call."""
    path = tmp_path_factory.mktemp("web") / "Suivi.xlsx"
    shutil.copy(demo_workbook, path)
    api.refresh(path, as_of=AS_OF)
    return payload_from_xlsx(path, client="Office.js"), read_call_sheets(path)


@pytest.mark.parametrize("button", BUTTONS, ids=lambda b: b.entry_point)
def test_the_buttons_estimate_of_the_read_call_is_close_and_not_below(small, button):
    payload, sheet_sizes = small
    sent = web_payload(button, payload)
    call = read_call_bytes(sheet_sizes, sent)
    assert call > payload_bytes(sent) or button.web_include  # values and categories: more than the values
    assert max(call, payload_bytes(sent)) <= estimated(sent) <= 1.05 * max(call, payload_bytes(sent))


def test_a_workbook_that_fits_the_web_gets_no_warning(small):
    payload, sheet_sizes = small
    button = next(b for b in BUTTONS if b.entry_point == "comite_technique")
    sent = web_payload(button, payload)
    assert max(read_call_bytes(sheet_sizes, sent), estimated(sent)) < buttons.WEB_PAYLOAD_LIMIT
    message = the_alert(run_button(button, sent))
    assert message.startswith("Feuille « COTECH 2026-T4 » construite") and TOO_LARGE not in message


@pytest.mark.parametrize("button", DATA_READERS, ids=lambda b: b.entry_point)
def test_a_workbook_too_large_for_the_web_says_so_and_still_works(small, button):
    oversized = copy.deepcopy(small[0])
    # a sheet of hers of 390,000 short cells: 1.8 MB of values, but 3.9 MB of categories in the read call
    notes = [["oui", "non", "?"] for _ in range(130_000)]
    oversized["sheets"].append({"name": "Notes", "values": notes, "pictures": [], "tables": []})
    sent = web_payload(button, oversized)
    size = estimated(sent)
    assert payload_bytes(sent) < buttons.WEB_PAYLOAD_LIMIT < size  # the categories make the difference
    message = the_alert(run_button(button, sent))
    assert not any(failure in message for failure in FAILED), message
    assert message.endswith("\n" + too_large_message(size, button))
    assert button.command in message


# --- a 20-year workbook -------------------------------------------------------------------

def refreshed_demo(folder, people: int) -> tuple[dict, dict[str, int]]:
    """The Office.js payload of a 20-year demo refreshed once (its generated sheets exist), and its read call."""
    from citeslab_xl.demo import write_demo

    path = folder / "Suivi CitésLab.xlsx"
    write_demo(path, people=people, years=20, as_of=date(2026, 11, 26))
    api.refresh(path, as_of=AS_OF)
    return payload_from_xlsx(path, client="Office.js"), read_call_sheets(path)


@pytest.fixture(scope="module")
def twenty_years(tmp_path_factory) -> tuple[dict, dict[str, int]]:
    return refreshed_demo(tmp_path_factory.mktemp("web"), people=400)  # the demo's default size


def _data_writes(payload: dict, actions) -> list:
    # Journal's row holds the time of the run: every other value written must not depend on what was left out
    return [(s.sheet, s.address, s.values) for s in steps(payload, actions) if s.func == "setValues"
            and s.sheet != plan.JOURNAL]


@pytest.mark.slow
@pytest.mark.parametrize("button", BUTTONS, ids=lambda b: b.entry_point)
def test_each_button_on_what_the_web_client_reads_of_a_20_year_workbook(button, twenty_years, capsys):
    payload, sheet_sizes = twenty_years
    sent = web_payload(button, payload)
    size, call = payload_bytes(sent), read_call_bytes(sheet_sizes, sent)
    data = sum(sheet_sizes[s["name"]] for s in payload["sheets"] if not plan.is_generated_name(s["name"]))
    with capsys.disabled():
        print(f"\n{button.caption}: payload {size:,} of {payload_bytes(payload):,} bytes; read call {call:,} "
              f"of {read_call_bytes(sheet_sizes, payload):,} (data sheets alone {data:,})")
    left_out = excluded_sheets([s["name"] for s in payload["sheets"]], include=button.web_include,
                               exclude=button.web_exclude)
    assert left_out and size < payload_bytes(payload)
    actions = run_button(button, sent)
    message = the_alert(actions)
    assert not any(failure in message for failure in FAILED), message
    if button.entry_point == "exporter_agglomeration":
        assert max(size, call) < buttons.WEB_PAYLOAD_LIMIT and message == buttons.EXPORT_BY_COMMAND
        return
    # her data sheets alone are over the limit: this button cannot run on the web, and says so
    assert data > buttons.WEB_PAYLOAD_LIMIT and call > data
    assert message.endswith("\n" + too_large_message(estimated(sent), button))
    assert _data_writes(sent, actions) == _data_writes(payload, run_button(button, payload))


@pytest.mark.slow
def test_twenty_years_at_200_porteurs_a_year_fit_the_web_with_every_button(tmp_path):
    payload, sheet_sizes = refreshed_demo(tmp_path, people=200)
    assert read_call_bytes(sheet_sizes, payload) > buttons.WEB_PAYLOAD_LIMIT  # only by leaving sheets out
    for button in BUTTONS:
        sent = web_payload(button, payload)
        assert max(read_call_bytes(sheet_sizes, sent), estimated(sent)) < buttons.WEB_PAYLOAD_LIMIT
        message = the_alert(run_button(button, sent))
        assert TOO_LARGE not in message and not any(failure in message for failure in FAILED), message


# --- xlwings Lite: one call per sheet -----------------------------------------------------

@pytest.mark.parametrize("button", DATA_READERS, ids=lambda b: b.entry_point)
def test_in_lite_each_sheet_is_read_in_its_own_call(small, button):
    payload, sheet_sizes = small
    client = LiteClient(payload, sheet_sizes)
    actions = run_in_lite(button, client)
    read = [sheet for sheet, _ in client.calls]
    names = [s["name"] for s in payload["sheets"]]
    active = names[payload["book"]["active_sheet_index"]]
    committees = ("COPIL ", "COTECH ")  # never read
    assert read == [n for n in names if n == active or (n not in button.web_exclude and not n.startswith(committees))]
    assert all(size <= buttons.WEB_PAYLOAD_LIMIT for _, size in client.calls)
    message = the_alert(actions)
    assert not any(failure in message for failure in FAILED) and TOO_LARGE not in message, message
    # the Lite script passes no date: the run is as of today, as the same button run directly today
    assert _data_writes(payload, actions) == _data_writes(payload, run_button(button, payload, date.today()))


@pytest.mark.parametrize("button", DATA_READERS, ids=lambda b: b.entry_point)
def test_in_lite_a_sheet_too_large_to_read_stops_the_button_in_french(small, button):
    payload, sheet_sizes = copy.deepcopy(small[0]), dict(small[1])
    notes = [["oui", "non", "?"] for _ in range(200_000)]
    payload["sheets"].append({"name": "Notes", "values": notes, "pictures": [], "tables": []})
    sheet_sizes["Notes"] = general_call_bytes(notes)
    actions = run_in_lite(button, LiteClient(payload, sheet_sizes))
    assert [a["func"] for a in actions["actions"]] == ["alert"]  # nothing written
    message = the_alert(actions)
    assert message.startswith(f"Excel n'a pas pu lire la feuille « Notes » ({PayloadTooLarge.__name__} : ")
    assert button.command in message and message.endswith("Rien n'a été écrit.")


@pytest.mark.parametrize("button", DATA_READERS[:2], ids=lambda b: b.entry_point)
def test_in_lite_a_sheet_of_hers_with_a_generated_name_is_refused(small, button):
    payload = copy.deepcopy(small[0])
    index = next(i for i, s in enumerate(payload["sheets"]) if s["name"] == plan.ANOMALIES)
    payload["names"] = [n for n in payload["names"] if n["sheet_index"] != index]  # no marker: hers
    actions = run_in_lite(button, LiteClient(payload, small[1]))
    assert [a["func"] for a in actions["actions"]] == ["alert"]
    assert f"La feuille « {plan.ANOMALIES} » n'a pas été créée par l'outil" in the_alert(actions)


def test_in_lite_a_sheet_the_client_cannot_name_alone_is_refused(small):
    payload, sheet_sizes = copy.deepcopy(small[0]), dict(small[1])
    payload["sheets"].append({"name": "Notes, 2025", "values": [["x"]], "pictures": [], "tables": []})
    sheet_sizes["Notes, 2025"] = general_call_bytes([["x"]])
    client = LiteClient(payload, sheet_sizes)
    actions = run_in_lite(next(b for b in BUTTONS if b.entry_point == "verifier"), client)
    assert [a["func"] for a in actions["actions"]] == ["alert"] and client.calls == []
    assert the_alert(actions).startswith("La feuille « Notes, 2025 » ne peut pas être lue seule par xlwings Lite")


@pytest.mark.slow
@pytest.mark.parametrize("button", DATA_READERS, ids=lambda b: b.entry_point)
def test_in_lite_every_button_runs_on_a_20_year_workbook(button, twenty_years, capsys):
    payload, sheet_sizes = twenty_years
    client = LiteClient(payload, sheet_sizes)
    actions = run_in_lite(button, client)
    largest = max(client.calls, key=lambda call: call[1])
    with capsys.disabled():
        print(f"\n{button.caption} in Lite: {len(client.calls)} calls, the largest {largest[1]:,} bytes "
              f"(« {largest[0]} »)")
    assert largest[1] < buttons.WEB_PAYLOAD_LIMIT
    message = the_alert(actions)
    assert not any(failure in message for failure in FAILED) and TOO_LARGE not in message, message
    # the Lite script passes no date: the run is as of today, as the same button run directly today
    assert _data_writes(payload, actions) == _data_writes(payload, run_button(button, payload, date.today()))
