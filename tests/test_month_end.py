"""The month at month end (workbook.md › Generated sheets): provisoire, then définitive once, then left alone.

The scenario of issue 10: a refresh on 15 November, then the scheduled one on
1 December, on a demo whose data run to 1 December. The file door
(`api.refresh`) and the buttons on xlwings' remote engine (tests/xlremote.py)
must both complete November with the whole month, mark it définitive, and
then leave it as it is unless asked.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from test_buttons import with_markers
from xlremote import alerts, apply_actions, payload_from_xlsx, remote_book, touched_sheets

from citeslab_xl.adapters.reading import read_workbook
from citeslab_xl.core import indicators, periods, plan, sheets
from citeslab_xl.core.figures import label
from citeslab_xl.demo import write_demo
from citeslab_xl.doors import api, buttons

NOVEMBER = periods.month(2026, 11)
THE_15TH, THE_1ST, THE_2ND = date(2026, 11, 15), date(2026, 12, 1), date(2026, 12, 2)
NOVEMBER_SHEET = "Synthèse 2026-11"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@pytest.fixture(scope="module")
def december_demo(tmp_path_factory) -> Path:
    """A demo whose data run to 1 December 2026: the whole of November exists."""
    path = tmp_path_factory.mktemp("month-end") / "demo.xlsx"
    write_demo(path, people=100, years=2, seed=11, as_of=THE_1ST)
    return path


@pytest.fixture
def workbook(december_demo, tmp_path) -> Path:
    copy = tmp_path / "Suivi CitésLab.xlsx"
    copy.write_bytes(december_demo.read_bytes())
    return copy


@pytest.fixture
def on_the_2nd(monkeypatch):
    """The machine's clock on 2 December, so that `--as-of 2026-12-02` is not a day still to come."""
    class December2nd(date):
        @classmethod
        def today(cls):
            return THE_2ND

    monkeypatch.setattr(api, "date", December2nd)


def activity(rows: list[list]) -> dict[str, list]:
    """The Activité table of a Synthèse sheet: each figure's label -> its four values (month, N-1, year, N-1)."""
    header = next(i for i, row in enumerate(rows) if row and row[0] == "Indicateur")
    found = {}
    for row in rows[header + 1:]:
        if not row or row[0] in (None, ""):
            break
        found[row[0]] = list(row[1:5])
    return found


def file_rows(path: Path, name: str) -> list[list]:
    return [list(row) for row in load_workbook(path)[name].iter_rows(values_only=True)]


def status_cell(rows: list[list]) -> str:
    return next(row[0] for row in rows[:plan.STATUS_ROWS] if isinstance(row[0], str) and row[0].startswith("Statut"))


def whole_month(path: Path) -> dict[str, list]:
    """November's figures as of 1 December, as `indicators.compute` gives them: what a définitive sheet must show.

    Approximately for a rate: the file keeps 16 significant digits of a double (openpyxl writes `%.16g`).
    """
    k = indicators.compute(api.check_file(path, THE_1ST), NOVEMBER, THE_1ST)
    return pytest.approx({label(key): k.scalar(key) for key in sheets.SYNTHESE_ACTIVITY}, rel=1e-15)


def sheet_part(path: Path, name: str) -> bytes:
    """The bytes of a sheet's XML part in the package."""
    with zipfile.ZipFile(path) as package:
        book = ET.fromstring(package.read("xl/workbook.xml"))
        rels = ET.fromstring(package.read("xl/_rels/workbook.xml.rels"))
        rid = next(s.get(RELATIONSHIP_ID) for s in book.iter(f"{MAIN}sheet") if s.get("name") == name)
        target = next(r.get("Target") for r in rels if r.get("Id") == rid)
        return package.read(target.lstrip("/") if target.startswith("/") else f"xl/{target}")


# --- the file door ---------------------------------------------------------------------------

def test_a_refresh_on_the_1st_completes_the_month_refreshed_on_the_15th(workbook):
    first = api.refresh(workbook, THE_15TH)
    assert [n for n in first.sheets if n.startswith("Synthèse")] == ["Synthèse 2026-10", NOVEMBER_SHEET]
    assert read_workbook(workbook).synthese_status == {"Synthèse 2026-10": plan.DEFINITIVE,
                                                       NOVEMBER_SHEET: plan.PROVISOIRE}
    on_the_15th = activity(file_rows(workbook, NOVEMBER_SHEET))
    assert status_cell(file_rows(workbook, NOVEMBER_SHEET)).startswith("Statut : provisoire — données au 15/11/2026")

    second = api.refresh(workbook, THE_1ST)
    assert [n for n in second.sheets if n.startswith("Synthèse")] == [NOVEMBER_SHEET, "Synthèse 2026-12"]
    rows = file_rows(workbook, NOVEMBER_SHEET)
    assert status_cell(rows).startswith("Statut : définitive (mois clos) — données au 01/12/2026")
    assert read_workbook(workbook).synthese_status[NOVEMBER_SHEET] == plan.DEFINITIVE
    complete = activity(rows)
    assert {name: values[0] for name, values in complete.items()} == whole_month(workbook)
    # the 15th saw half a month: the whole one has more people and more rendez-vous
    for figure in ("Nouveaux porteurs", "Rendez-vous"):
        assert complete[figure][0] > on_the_15th[figure][0], figure
    # on the 15th, the year-earlier columns counted 1–15 November 2025; now the whole of it
    assert on_the_15th["Rendez-vous"][1] < complete["Rendez-vous"][1]


def test_a_definitive_month_is_left_alone_unless_asked(workbook, on_the_2nd):
    api.refresh(workbook, THE_15TH)
    api.refresh(workbook, THE_1ST)
    before = sheet_part(workbook, NOVEMBER_SHEET)
    third = api.refresh(workbook, THE_2ND)
    assert NOVEMBER_SHEET not in third.sheets and "Synthèse 2026-12" in third.sheets
    assert sheet_part(workbook, NOVEMBER_SHEET) == before  # byte for byte
    asked = api.refresh(workbook, THE_2ND, month=NOVEMBER)
    assert NOVEMBER_SHEET in asked.sheets
    rows = file_rows(workbook, NOVEMBER_SHEET)
    assert status_cell(rows).startswith("Statut : définitive (mois clos) — données au 02/12/2026")
    assert {name: values[0] for name, values in activity(rows).items()} == whole_month(workbook)


def test_a_sheet_made_before_the_status_line_is_completed_too(workbook):
    """A Synthèse written by an earlier version says only « données au 15/11/2026 »: it is completed once."""
    api.refresh(workbook, THE_15TH)
    book = load_workbook(workbook)
    ws = book[NOVEMBER_SHEET]
    status_row = next(r for r in range(1, plan.STATUS_ROWS + 1) if str(ws.cell(r, 1).value).startswith("Statut"))
    ws.cell(status_row, 1).value = None
    book.save(workbook)
    assert read_workbook(workbook).synthese_status[NOVEMBER_SHEET] == plan.PROVISOIRE  # from its subtitle
    assert NOVEMBER_SHEET in api.refresh(workbook, THE_1ST).sheets


# --- the buttons, on the remote engine ---------------------------------------------------------

def actualiser(payload: dict, as_of: date) -> dict:
    """The actions of the Actualiser button clicked on that day."""
    with remote_book(payload) as book:
        buttons.actualiser(book, as_of=as_of)
        return book.json()


def accueil_with(payload: dict, typed: object) -> dict:
    """The same payload with `typed` in a free cell of Accueil below its text, that cell selected."""
    changed = {**payload, "sheets": [dict(sheet) for sheet in payload["sheets"]], "book": dict(payload["book"])}
    index = next(i for i, sheet in enumerate(changed["sheets"]) if sheet["name"] == buttons.ACCUEIL)
    values = [list(row) for row in changed["sheets"][index]["values"]]
    width = max(len(row) for row in values)
    values.append([typed] + [None] * (width - 1))
    changed["sheets"][index]["values"] = values
    changed["book"].update(active_sheet_index=index, selection=f"A{len(values)}")
    return changed


def test_the_buttons_complete_the_month_and_rebuild_a_month_chosen_on_accueil(workbook):
    start = payload_from_xlsx(workbook)
    first = actualiser(start, THE_15TH)
    after_15th = with_markers(start, first)
    assert activity(apply_actions(start, first)[NOVEMBER_SHEET])["Nouveaux porteurs"][0] > 0

    second = actualiser(after_15th, THE_1ST)
    assert {NOVEMBER_SHEET, "Synthèse 2026-12"} <= touched_sheets(after_15th, second)
    rows = apply_actions(after_15th, second)[NOVEMBER_SHEET]
    assert status_cell(rows).startswith("Statut : définitive (mois clos) — données au 01/12/2026")
    assert {name: values[0] for name, values in activity(rows).items()} == whole_month(workbook)

    after_1st = with_markers(after_15th, second)
    third = actualiser(after_1st, THE_2ND)
    assert NOVEMBER_SHEET not in touched_sheets(after_1st, third)
    assert "Synthèse 2026-12" in touched_sheets(after_1st, third)

    for typed in ("2026-11", "2026-11-20T00:00:00.000Z"):  # a month typed as text, or a date of that month
        asked = actualiser(accueil_with(after_1st, typed), THE_2ND)
        assert NOVEMBER_SHEET in touched_sheets(after_1st, asked), typed
        assert NOVEMBER_SHEET in alerts(asked)[0][0]


def test_a_date_selected_in_a_data_sheet_rebuilds_no_closed_month(workbook):
    start = payload_from_xlsx(workbook)
    first = actualiser(start, THE_15TH)
    later = with_markers(start, first)
    porteurs = next(i for i, sheet in enumerate(later["sheets"]) if sheet["name"] == "Porteurs")
    later = {**later, "book": {**later["book"], "active_sheet_index": porteurs}}
    column = later["sheets"][porteurs]["values"][0].index("Date premier contact")
    row = next(r for r, values in enumerate(later["sheets"][porteurs]["values"][1:], start=2)
               if str(values[column]).startswith("2025-03"))
    later["book"]["selection"] = f"{get_column_letter(column + 1)}{row}"
    actions = actualiser(later, THE_1ST)
    assert not any(name.startswith("Synthèse 2025") for name in touched_sheets(later, actions))


def test_a_month_chosen_after_the_as_of_date_is_refused(workbook):
    message = alerts(actualiser(accueil_with(payload_from_xlsx(workbook), "2027-01"), THE_1ST))[0][0]
    assert message.startswith("La période « 2027-01 » commence le 01/01/2027, après la date des calculs")
