"""Excel on the web: what each button makes the client send, and what the button says when it is too much.

Office.js documents a 5 MB limit per call on Excel on the web, and the
Office.js client (xlwings Lite, xlwings Server's add-in) reads every sheet it
sends in one call. Each button's `web_include` / `web_exclude`
(core/button_catalogue.py, written into macros/lite/main.py) leaves out the
generated sheets it neither reads nor writes; `sent_payload` leaves them out
as the client does (tests/xlclient_options.py). The payloads are measured as
`JSON.stringify` writes them (`payload_bytes`).

Measured on the 20-year demo (400 porteurs a year, refreshed once, as of
2026-11-26; the figures are printed by the slow test): the whole workbook
7.7 MB; Vérifier 7.1 MB, Actualiser 7.7 MB (it rewrites every generated
sheet, so it sends them all), each Comité 5.9 MB, Exporter 4 kB. The data
sheets alone weigh 5.8 MB: at that size no button that reads the data fits
the web, and each says so (TOO_LARGE_FOR_WEB) where it runs (desktop Excel,
where the client has no such limit); on the web the client fails before
Python starts, with Office.js' own error. At 300 porteurs a year (whole
5.9 MB) the committees fit (4.5 MB) only through their exclusions; at 250
(whole 4.95 MB) every button fits.
"""

from __future__ import annotations

import copy
from datetime import date

import pytest
from conftest import AS_OF
from xlclient_options import excluded_sheets, payload_bytes, sent_payload
from xlremote import alerts, payload_from_xlsx, remote_book, steps, touched_sheets

from citeslab_xl.core import plan
from citeslab_xl.core.button_catalogue import BUTTONS, Button
from citeslab_xl.doors import api, buttons

TOO_LARGE = "Ce classeur est trop grand pour Excel sur le web"
FAILED = ("erreur inattendue", "n'a pas été créée par l'outil")


def run_button(button: Button, payload: dict) -> dict:
    with remote_book(payload) as book:
        getattr(buttons, button.entry_point)(book, as_of=AS_OF)
        return book.json()


def web_payload(button: Button, payload: dict) -> dict:
    return sent_payload(payload, include=button.web_include, exclude=button.web_exclude)


def the_alert(actions) -> str:
    (message, _title), = alerts(actions)
    return message


# --- the options themselves ------------------------------------------------------------

@pytest.mark.parametrize("button", BUTTONS, ids=lambda b: b.entry_point)
def test_a_button_leaves_out_only_generated_sheets_it_does_not_read(button):
    # A data sheet may bear another name (core/grid.py), Journal is read back, Synthèse holds the statuses.
    assert all(plan.is_generated_name(name) for name in button.web_exclude)
    assert plan.JOURNAL not in button.web_exclude
    assert not any(plan.synthese_month(name) for name in button.web_exclude)
    assert not (button.web_include and button.web_exclude)


def test_the_clients_leave_sheets_out_as_xlwings_does():
    payload = {"client": "Office.js", "version": "dev", "book": {"name": "b.xlsx", "active_sheet_index": 0,
                                                                 "selection": "A1"},
               "names": [{"name": "Anomalies!citeslab_xl_genere", "sheet_index": 1, "address": "A1",
                          "book_scope": False, "scope_sheet_name": "Anomalies", "scope_sheet_index": 1},
                         {"name": "liste", "sheet_index": 1, "address": "A1:A2", "book_scope": True,
                          "scope_sheet_name": None, "scope_sheet_index": None}],
               "sheets": [{"name": "Porteurs", "values": [["ID"], ["P1"]], "pictures": [], "tables": []},
                          {"name": "Anomalies", "values": [["x"]], "pictures": [], "tables": [{"name": "T"}]}]}
    sent = sent_payload(payload, exclude="Anomalies , Absente")
    assert [s["values"] for s in sent["sheets"]] == [[["ID"], ["P1"]], [[]]]
    assert sent["sheets"][1]["tables"] == []
    assert [n["name"] for n in sent["names"]] == ["liste"]  # Office.js loads no names of a sheet it leaves out
    vba = sent_payload({**payload, "client": "VBA"}, exclude=["Anomalies"])
    assert len(vba["names"]) == 2  # Remote.bas sends every name of wb.Names
    assert excluded_sheets(["Porteurs", "Anomalies"], include=["Porteurs"]) == {"Anomalies"}
    with pytest.raises(ValueError, match="not both"):
        sent_payload(payload, include=["Porteurs"], exclude=["Anomalies"])
    assert payload["sheets"][1]["values"] == [["x"]]  # the full payload is left as it was


# --- the too-large message ----------------------------------------------------------

@pytest.fixture(scope="module")
def small_payload(demo_workbook) -> dict:
    return payload_from_xlsx(demo_workbook, client="Office.js")


def test_a_workbook_that_fits_the_web_gets_no_warning(small_payload):
    button = next(b for b in BUTTONS if b.entry_point == "comite_technique")
    sent = web_payload(button, small_payload)
    assert payload_bytes(sent) < buttons.WEB_PAYLOAD_LIMIT
    message = the_alert(run_button(button, sent))
    assert message.startswith("Feuille « COTECH 2026-T4 » construite") and TOO_LARGE not in message


def test_a_workbook_too_large_for_the_web_says_so_and_still_works(small_payload):
    oversized = copy.deepcopy(small_payload)
    notes = [[f"note {i} " + "x" * 100] for i in range(50_000)]  # a sheet of hers, about 5.5 MB
    oversized["sheets"].append({"name": "Notes", "values": notes, "pictures": [], "tables": []})
    size = payload_bytes(oversized)
    assert size > buttons.WEB_PAYLOAD_LIMIT
    message = the_alert(run_button(next(b for b in BUTTONS if b.entry_point == "comite_technique"), oversized))
    assert message.startswith("Feuille « COTECH 2026-T4 » construite")
    assert f"{TOO_LARGE} ({size / 1_000_000:.1f} Mo envoyés à Python".replace(".", ",") in message
    assert "citeslab-xl refresh" in message


# --- a 20-year workbook -------------------------------------------------------------------

def refreshed_demo_payload(folder, people: int) -> dict:
    """The Office.js payload of a 20-year demo refreshed once (its generated sheets exist)."""
    from citeslab_xl.demo import write_demo

    path = folder / "Suivi CitésLab.xlsx"
    write_demo(path, people=people, years=20, as_of=date(2026, 11, 26))
    api.refresh(path, as_of=AS_OF)
    return payload_from_xlsx(path, client="Office.js")


@pytest.fixture(scope="module")
def twenty_years(tmp_path_factory) -> dict:
    return refreshed_demo_payload(tmp_path_factory.mktemp("web"), people=400)  # the demo's default size


def _data_writes(payload: dict, actions) -> list:
    # Journal's row holds the time of the run: every other value written must not depend on what was left out
    return [(s.sheet, s.address, s.values) for s in steps(payload, actions) if s.func == "setValues"
            and s.sheet != plan.JOURNAL]


@pytest.mark.slow
@pytest.mark.parametrize("button", BUTTONS, ids=lambda b: b.entry_point)
def test_each_button_on_what_the_web_client_sends_of_a_20_year_workbook(button, twenty_years, capsys):
    sent = web_payload(button, twenty_years)
    size, whole = payload_bytes(sent), payload_bytes(twenty_years)
    with capsys.disabled():
        print(f"\n{button.caption}: {size:,} bytes sent of {whole:,}")
    left_out = excluded_sheets([s["name"] for s in twenty_years["sheets"]], include=button.web_include,
                               exclude=button.web_exclude)
    assert size < whole if left_out else size == whole
    actions = run_button(button, sent)
    message = the_alert(actions)
    assert not any(failure in message for failure in FAILED), message
    assert not touched_sheets(sent, actions) & left_out  # a sheet it writes is always sent, marker and all
    assert (TOO_LARGE in message) == (size > buttons.WEB_PAYLOAD_LIMIT)
    if button.entry_point == "exporter_agglomeration":
        assert size < buttons.WEB_PAYLOAD_LIMIT and message.startswith(buttons.EXPORT_BY_COMMAND)
    elif left_out:  # the same sheets as from the whole workbook
        assert _data_writes(sent, actions) == _data_writes(twenty_years, run_button(button, twenty_years))


@pytest.mark.slow
def test_the_committees_fit_the_web_only_by_leaving_out_what_they_do_not_read(tmp_path):
    # 300 porteurs a year for 20 years: the whole workbook is over the limit (5.9 MB), the committees'
    # payload under it (4.5 MB); Vérifier (5.5 MB) and Actualiser (the whole) are not.
    payload = refreshed_demo_payload(tmp_path, people=300)
    assert payload_bytes(payload) > buttons.WEB_PAYLOAD_LIMIT
    for button in (b for b in BUTTONS if b.entry_point in ("comite_pilotage", "comite_technique")):
        sent = web_payload(button, payload)
        assert payload_bytes(sent) < buttons.WEB_PAYLOAD_LIMIT
        message = the_alert(run_button(button, sent))
        assert message.startswith("Feuille « CO") and TOO_LARGE not in message
