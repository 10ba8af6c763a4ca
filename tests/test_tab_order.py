"""The generated sheets take a fixed place among the tabs (plan.tab_order, workbook_file/tab_order.py)."""

from __future__ import annotations

import re
import zipfile
from datetime import date

from openpyxl import load_workbook

from citeslab_xl.core.plan import tab_order
from citeslab_xl.doors import api

AS_OF = date(2026, 11, 26)  # conftest's demo date


def test_her_sheets_first_then_a_faire_the_month_the_committees_the_rest_and_older_syntheses_last():
    names = ["Porteurs", "Rendez-vous", "Accueil", "Anomalies", "Synthèse 2026-10", "Synthèse 2026-11",
             "Historique mensuel", "COPIL 2025", "COPIL 2026", "COTECH 2026-T3", "COTECH 2026-T4",
             "Financement calculé", "Échéancier suivis", "Journal", "À faire", "Synthèse 2026-09", "Mes notes"]
    generated = [n for n in names if n not in ("Porteurs", "Rendez-vous", "Accueil", "Mes notes")]
    assert tab_order(names, generated) == [
        "Porteurs", "Rendez-vous", "Accueil", "Mes notes", "À faire", "Synthèse 2026-11", "COPIL 2026",
        "COPIL 2025", "COTECH 2026-T4", "COTECH 2026-T3", "Anomalies", "Historique mensuel",
        "Financement calculé", "Échéancier suivis", "Journal", "Synthèse 2026-10", "Synthèse 2026-09"]


def test_a_sheet_she_named_like_ours_stays_where_she_put_it():
    assert tab_order(["COPIL 2019", "Porteurs", "À faire"], ["À faire"]) == ["COPIL 2019", "Porteurs", "À faire"]


def _workbook_xml(path) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/workbook.xml").decode()


def test_a_refresh_writes_the_tabs_in_that_order(demo_copy):
    before = load_workbook(demo_copy, read_only=True).sheetnames
    api.refresh(demo_copy, as_of=AS_OF)
    after = load_workbook(demo_copy, read_only=True).sheetnames
    assert after[:len(before)] == before  # her sheets, as they were
    assert after[len(before):] == ["À faire", "Synthèse 2026-11", "COPIL 2026", "COTECH 2026-T4", "Anomalies",
                                   "Historique mensuel", "Financement calculé", "Échéancier suivis", "Journal",
                                   "Synthèse 2026-10"]
    # the ownership marker of each sheet (a localSheetId) followed its sheet
    text = _workbook_xml(demo_copy)
    positions = [int(p) for p in re.findall(r'localSheetId="(\d+)"', text)]
    assert {after[p] for p in positions} >= set(after[len(before):])
    journal = load_workbook(demo_copy)["Journal"]
    last = [c.value for c in journal[journal.max_row]]
    assert last[-1].date() == AS_OF  # « Données au », the day the figures hold
    # a second run a month later keeps the order, the new month first, the older ones last
    api.refresh(demo_copy, as_of=date(2026, 12, 1))
    again = load_workbook(demo_copy, read_only=True).sheetnames
    assert again[len(before):len(before) + 4] == ["À faire", "Synthèse 2026-12", "COPIL 2026", "COTECH 2026-T4"]
    assert again[-2:] == ["Synthèse 2026-11", "Synthèse 2026-10"]
