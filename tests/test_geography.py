"""The QPV as they were on each person's first contact, and the form of their codes (workbook.md › Paramètres).

Besançon's 2024 geography: Battant and Hauts de Saint-Claude are QPV since
1 January 2024 only. Worked by hand:

Porteurs   first contact  quartier                QPV that day
  B1       2023-05-02     Planoise                yes (QN02503M)
  B2       2023-12-29     Battant                 no: a QPV from 1 January 2024
  B3       2023-11-06     Hors QPV                no
  B4       2024-01-02     Battant                 yes (QN02517N)
  B5       2024-03-04     Hauts de Saint-Claude   yes (QN02515N)
  B6       2024-06-03     Hors QPV                no
"""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook

from citeslab_xl.adapters.template import build_workbook
from citeslab_xl.core import geography, periods
from citeslab_xl.core import indicators as ind
from citeslab_xl.core.dataset import from_records
from citeslab_xl.core.periods import Period
from citeslab_xl.core.schema import DEFAULT_QUARTIERS, QPV_2024, Quartier, Settings
from citeslab_xl.doors.api import check_file

AS_OF = date(2024, 12, 31)
PEOPLE = [("B1", date(2023, 5, 2), "Planoise"), ("B2", date(2023, 12, 29), "Battant"),
          ("B3", date(2023, 11, 6), "Hors QPV"), ("B4", date(2024, 1, 2), "Battant"),
          ("B5", date(2024, 3, 4), "Hauts de Saint-Claude"), ("B6", date(2024, 6, 3), "Hors QPV")]
BOTH_YEARS = Period(date(2023, 1, 1), date(2024, 12, 31), "2023-2024")


def porteur(id_: str, contact: date, quartier: str | None) -> dict:
    return {"_row": int(id_[1:]) + 1, "id": id_, "nom": "N", "prenom": "P", "quartier": quartier,
            "statut": "Accueil", "date_premier_contact": contact, "consentement": True}


def people(settings: Settings | None = None, rows=PEOPLE):
    return from_records({"porteurs": [porteur(*row) for row in rows]}, settings)


def test_the_template_ships_the_six_official_codes_and_the_2024_entries():
    by_name = {name: (code, qpv, since, until) for name, code, qpv, since, until in DEFAULT_QUARTIERS}
    assert by_name == {
        "Orchamps-Palente": ("QN02502M", True, None, None), "Planoise": ("QN02503M", True, None, None),
        "Montrapon": ("QN02504M", True, None, None), "Clairs-Soleils": ("QN02505M", True, None, None),
        "Hauts de Saint-Claude": ("QN02515N", True, date(2024, 1, 1), None),
        "Battant": ("QN02517N", True, date(2024, 1, 1), None), "Hors QPV": ("", False, None, None)}
    assert all(geography.is_qpv_code(code) for code, *_ in by_name.values() if code)


def test_a_battant_resident_is_a_qpv_resident_from_2024_only():
    battant = next(q for q in Settings().quartiers if q.name == "Battant")
    assert not battant.qpv_on(date(2023, 12, 31))
    assert battant.qpv_on(QPV_2024) and battant.qpv_on(date(2030, 1, 1))
    data = people()
    assert ind.part_qpv(data, periods.year(2023), AS_OF) == 1 / 3  # B1 only: B2's Battant was not yet a QPV
    assert ind.part_qpv(data, periods.year(2024), AS_OF) == 2 / 3  # B4, B5
    assert ind.part_qpv(data, BOTH_YEARS, AS_OF) == 3 / 6


def test_qpv_reached_counts_each_qpv_once_with_the_map_of_each_first_contact():
    data = people(rows=[*PEOPLE, ("B7", date(2023, 6, 1), "Planoise")])
    assert ind.qpv_couverts(data, periods.year(2023), AS_OF) == 1  # Planoise (twice); not Battant in 2023
    assert ind.qpv_couverts(data, periods.year(2024), AS_OF) == 2  # Battant, Hauts de Saint-Claude
    assert ind.qpv_couverts(data, BOTH_YEARS, AS_OF) == 3
    assert ind.qpv_couverts(data, periods.year(2022), AS_OF) == 0


def test_an_end_date_and_a_name_listed_under_two_codes():
    # an old 2015 QPV that left the list at the end of 2023, and a quartier whose code changed in 2024
    quartiers = [Quartier("Les Vaîtes", "QP025001", True, None, date(2023, 12, 31)),
                 Quartier("Palente", "QP025002", True, None, date(2023, 12, 31)),
                 Quartier("Palente", "QN02502M", True, QPV_2024, None), Quartier("Hors QPV", "", False)]
    settings = Settings(quartiers=quartiers)
    rows = [("B1", date(2023, 12, 31), "Les Vaîtes"), ("B2", date(2024, 1, 1), "Les Vaîtes"),
            ("B3", date(2023, 3, 1), "Palente"), ("B4", date(2024, 3, 1), "Palente")]
    data = people(settings, rows)
    assert ind.part_qpv(data, periods.year(2023), AS_OF) == 1.0
    assert ind.part_qpv(data, periods.year(2024), AS_OF) == 1 / 2  # B4 only
    assert ind.qpv_couverts(data, BOTH_YEARS, AS_OF) == 3  # QP025001, QP025002, QN02502M
    assert settings.values("Quartiers").count("Palente") == 2


def test_a_quartier_without_a_code_is_told_apart_by_its_name():
    settings = Settings(quartiers=[Quartier("Planoise"), Quartier("Montrapon"), Quartier("Hors QPV", qpv=False)])
    data = people(settings, [("B1", date(2024, 2, 1), "Planoise"), ("B2", date(2024, 2, 2), "Montrapon"),
                             ("B3", date(2024, 2, 5), "Planoise")])
    assert ind.qpv_couverts(data, periods.year(2024), AS_OF) == 2


def test_people_without_a_quartier_are_left_out_of_part_qpv_only():
    data = people(rows=[("B1", date(2024, 2, 1), "Battant"), ("B2", date(2024, 2, 2), None)])
    assert ind.part_qpv(data, periods.year(2024), AS_OF) == 1.0
    assert ind.qpv_couverts(data, periods.year(2024), AS_OF) == 1
    assert ind.nouveaux_porteurs(data, periods.year(2024), AS_OF) == 2


@pytest.mark.parametrize("code, official", [
    ("QN02517N", True), ("QP025001", True), ("qn02517n", True), (" QN02502M ", True),
    ("QN2517N", False), ("QN02517", False), ("QN025170N", False), ("QP02500", False), ("QP0250011", False),
    ("QX02517N", False), ("02517", False), ("QN0251AN", False),
])
def test_the_form_of_a_qpv_code(code, official):
    assert geography.is_qpv_code(code) is official


def _paramètres_cell(ws, header: str, name: str):
    """The cell of column `header` on the row of quartier `name` in Paramètres."""
    column = next(c.column for c in ws[1] if c.value == header)
    names = next(c.column for c in ws[1] if c.value == "Quartiers")
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=names).value == name)
    return ws.cell(row=row, column=column)


def test_a_code_of_no_official_form_and_an_unreadable_date_are_anomalies_of_parametres(tmp_path):
    wb = build_workbook({"porteurs": [porteur("B1", date(2024, 2, 1), "Battant")]})
    ws = wb["Paramètres"]
    code = _paramètres_cell(ws, "Code QPV", "Battant")
    code.value = "QN2517"
    since = _paramètres_cell(ws, "QPV depuis", "Hauts de Saint-Claude")
    since.value = "31/13/2024"
    path = tmp_path / "classeur.xlsx"
    wb.save(path)
    dataset = check_file(path, AS_OF)
    found = [a for a in dataset.anomalies if a.feuille == "Paramètres"]
    assert [(a.code, a.ligne, a.colonne, a.cellule, a.valeur) for a in found] == [
        ("date-invalid", since.row, "QPV depuis", since.coordinate, "31/13/2024"),
        ("qpv-code-invalid", code.row, "Code QPV", code.coordinate, "QN2517"),
    ]
    assert "QN02517N" in found[1].message and "« Battant »" in found[1].message
    assert all(a.is_error for a in found)


def test_the_template_file_is_read_with_its_dates_and_counts_them(tmp_path):
    rows = [porteur(*row) for row in PEOPLE]
    path = tmp_path / "classeur.xlsx"
    build_workbook({"porteurs": rows}).save(path)
    ws = load_workbook(path)["Paramètres"]
    assert _paramètres_cell(ws, "QPV depuis", "Battant").is_date
    dataset = check_file(path, AS_OF)
    assert [a for a in dataset.anomalies if a.feuille == "Paramètres"] == []
    battant = next(q for q in dataset.settings.quartiers if q.name == "Battant")
    assert (battant.code, battant.since, battant.until) == ("QN02517N", QPV_2024, None)
    assert ind.part_qpv(dataset, periods.year(2023), AS_OF) == 1 / 3
    assert ind.part_qpv(dataset, periods.year(2024), AS_OF) == 2 / 3


def test_the_quartiers_that_were_qpv_through_a_period():
    settings = Settings()
    every_qpv = {"Orchamps-Palente", "Planoise", "Montrapon", "Clairs-Soleils", "Hauts de Saint-Claude", "Battant"}
    assert settings.qpv_names() == every_qpv
    assert settings.qpv_names(date(2023, 1, 1), date(2023, 12, 31)) == every_qpv - {"Battant", "Hauts de Saint-Claude"}
    assert settings.qpv_names(date(2024, 1, 1), date(2024, 12, 31)) == every_qpv
    assert "Battant" not in settings.qpv_names(date(2023, 12, 1), date(2024, 1, 31))  # not a QPV all along
    ended = Settings(quartiers=[Quartier("Les Vaîtes", "QP025001", True, None, date(2023, 12, 31))])
    assert ended.qpv_names(date(2023, 1, 1), date(2023, 12, 31)) == {"Les Vaîtes"}
    assert ended.qpv_names(date(2024, 1, 1), date(2024, 1, 31)) == set()


def test_a_workbook_made_before_the_qpv_dates_reads_its_next_list_as_it_is(tmp_path):
    # Quartiers with three columns, then a blank one and Chargés de mission: the names are not QPV dates
    wb = build_workbook({"porteurs": [porteur("B1", date(2023, 3, 1), "Battant")]})
    ws = wb["Paramètres"]
    names = next(c.column for c in ws[1] if c.value == "Quartiers")
    for row in ws.iter_rows(min_col=names + 3, max_col=names + 4):
        for cell in row:
            cell.value = None
    ws.cell(row=1, column=names + 4, value="Chargés de mission")
    ws.cell(row=2, column=names + 4, value="Awa Diallo")
    ws.cell(row=1, column=names + 5, value="ETP")
    ws.cell(row=2, column=names + 5, value=1)
    path = tmp_path / "ancien.xlsx"
    wb.save(path)
    dataset = check_file(path, AS_OF)
    assert [a for a in dataset.anomalies if a.feuille == "Paramètres"] == []
    assert all(q.since is None and q.until is None for q in dataset.settings.quartiers)
    assert ind.part_qpv(dataset, periods.year(2023), AS_OF) == 1.0  # without dates, Battant is a QPV all along


@pytest.mark.parametrize(("year", "battant_counts"), [(2023, False), (2024, True)])
def test_the_exports_qpv_subtotal_uses_the_map_of_its_year(year, battant_counts):
    from citeslab_xl.core.export_pattern import FAMILIES, family_counts

    spec = next(f for f in FAMILIES if f.key == "nouveaux_porteurs")
    counts = family_counts(people(), spec, year, AS_OF)
    quartiers = next(b for b in counts.breakdowns if b.subtotal is not None)
    assert quartiers.subtotal is not None
    assert ("Battant" in quartiers.subtotal[1]) is battant_counts
    assert "Planoise" in quartiers.subtotal[1]
