"""Generated sheets in the real spreadsheet application: LibreOffice opens, renders and recalculates them."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import AS_OF
from libreoffice import pdf_text, recalculated_copy, requires_soffice, to_pdf
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries

from citeslab_xl.core import plan
from citeslab_xl.demo import write_demo
from citeslab_xl.doors import api

pytestmark = [requires_soffice, pytest.mark.slow]


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lo")
    path = folder / "suivi.xlsx"
    write_demo(path, people=200, years=3, seed=5, errors=0.02, as_of=AS_OF)
    api.refresh(path, AS_OF)
    return path


def generated_sheets(wb) -> list[str]:
    return [name for name in wb.sheetnames if plan.is_generated_name(name)]


def test_every_formula_recalculates_to_the_python_figure(refreshed, tmp_path):
    ours = load_workbook(refreshed)
    theirs = load_workbook(recalculated_copy(refreshed, tmp_path), data_only=True)
    checked = 0
    for name in generated_sheets(ours):
        ws = ours[name]
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type != "f":
                    continue
                formula = str(cell.value)
                assert formula.startswith("=SUM(") and formula.endswith(")"), formula
                min_col, min_row, max_col, max_row = range_boundaries(formula[5:-1])
                expected = sum(c.value or 0 for line in ws.iter_rows(min_row=min_row, max_row=max_row,
                                                                       min_col=min_col, max_col=max_col)
                               for c in line if isinstance(c.value, (int, float)))
                assert theirs[name][cell.coordinate].value == pytest.approx(expected), (name, cell.coordinate)
                checked += 1
    assert checked >= 5


def test_every_generated_sheet_opens_and_renders_to_pdf(refreshed, tmp_path):
    wb = load_workbook(refreshed)
    names = generated_sheets(wb)
    assert {"Anomalies", "Synthèse 2026-11", "COPIL 2026", "COTECH 2026-T4", "Journal"} <= set(names)
    pdf = to_pdf(refreshed, tmp_path)
    text = pdf_text(pdf)
    for title in ("Anomalies des données", "Synthèse mensuelle", "Historique mensuel", "Comité de pilotage 2026",
                  "Comité technique", "Financement calculé", "Échéancier des suivis"):
        assert title in text, title


def test_a_formula_like_value_stays_text_after_libreoffice(tmp_path):
    from citeslab_xl.adapters.template import build_workbook

    path = tmp_path / "inj.xlsx"
    rows = {"porteurs": [{"id": "=1+1", "nom": "@SUM(A1)", "prenom": "-2+3", "quartier": '=HYPERLINK("http://example.invalid","x")',
                          "date_premier_contact": date(2026, 1, 5), "statut": "Accueil", "consentement": True}]}
    build_workbook(rows).save(path)
    api.refresh(path, AS_OF)
    copy = recalculated_copy(path, tmp_path / "lo")
    for wb in (load_workbook(path), load_workbook(copy)):
        values = {c.value for row in wb["Anomalies"].iter_rows() for c in row}
        assert '=HYPERLINK("http://example.invalid","x")' in values
        assert all(c.data_type != "f" for row in wb["Anomalies"].iter_rows(min_col=6, max_col=6) for c in row)
