"""What the generated sheets show, on a small workbook worked out by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from citeslab_xl.core import committees, periods, plan, sheets
from citeslab_xl.core.anomalies import DateInvalid, NoRendezVous, Position
from citeslab_xl.core.dataset import from_records

AS_OF = date(2026, 11, 26)


def porteur(ident, first, **extra):
    return {"_row": int(ident[1:]) + 1, "id": ident, "nom": "N", "prenom": "P", "quartier": "Planoise",
            "date_premier_contact": first, "statut": extra.pop("statut", "Accueil"), "consentement": True, **extra}


def rdv(row, ident, day):
    return {"_row": row, "date": day, "id_porteur": ident, "type": "Entretien", "duree": 60}


DATASET = from_records({
    "porteurs": [
        porteur("P1", date(2025, 10, 3)),
        porteur("P2", date(2026, 10, 5), partenaire="Adie", date_orientation=date(2026, 10, 20), statut="Orienté"),
        porteur("P3", date(2026, 10, 30), secteur="Commerce", statut="Créé", date_creation=date(2026, 10, 31)),
        porteur("P4", date(2023, 1, 10), statut="Créé", secteur="BTP", date_creation=date(2023, 5, 2)),
    ],
    "rendez_vous": [rdv(2, "P1", date(2025, 10, 3)), rdv(3, "P2", date(2026, 10, 5)),
                    rdv(4, "P2", date(2026, 10, 12)), rdv(5, "P3", date(2026, 10, 30))],
    "financement": [{"_row": 2, "annee": 2026, "poste": "Poste 1", "etp": Decimal(1), "cout": Decimal("1000.00"),
                     "part:Agglomération": Decimal(80), "part:Région": Decimal(20)}],
})


def rows_by_label(table):
    return {row[0]: row[1:] for row in table.rows}


def test_synthese_compares_the_month_with_last_year_and_the_year_to_date():
    layout = sheets.synthese_layout(DATASET, periods.month(2026, 10), AS_OF)
    assert layout.name == "Synthèse 2026-10"
    activity = rows_by_label(layout.tables()[0])
    # month, same month N-1, year to date, year to date N-1, objective pro rata
    assert activity["Nouveaux porteurs"] == [2, 1, 2, 1, None]
    assert activity["Rendez-vous"] == [3, 1, 3, 1, None]
    assert activity["Personnes accompagnées"][:4] == [2, 1, 2, 1]
    assert activity["Personnes accompagnées"][4] == round(400 * 10 / 12, 1)
    assert activity["Créations d'entreprise"][:3] == [1, 0, 1]
    orientations = rows_by_label(layout.tables()[2])
    assert orientations["Adie"] == [1, 1] and orientations["BGE"] == [0, 0]


def test_echeancier_lists_what_is_late_or_due_not_what_is_done():
    layout = sheets.echeancier_layout(DATASET, AS_OF)
    rows = layout.tables()[0].rows
    # P4 created 2023-05-02 with no Suivi: every milestone up to 2026-05-02 is over 30 days late
    assert [(r[0], r[5], r[7]) for r in rows] == [("P4", "6 mois", "en retard"), ("P4", "1 an", "en retard"),
                                                  ("P4", "2 ans", "en retard"), ("P4", "3 ans", "en retard")]
    assert all(r[0] != "P3" for r in rows)  # created 2026-10-31: its first milestone is months away
    # the same names as À faire, the Nom linking to the person's row
    assert layout.tables()[0].headers[:4] == ["ID", "Nom", "Prénom", "Téléphone"]
    assert rows[0][1:3] == ["N", "P"] and layout.tables()[0].links[0] == "'Porteurs'!A5"


def test_financement_calcule_splits_to_the_cent():
    layout = sheets.financement_layout(DATASET, AS_OF)
    per_row = layout.tables()[0]
    assert per_row.headers[4:8] == ["Caisse des Dépôts", "Agglomération", "Région", "Reste à charge"]
    assert per_row.rows[0][4:8] == [Decimal("0.00"), Decimal("800.00"), Decimal("200.00"), Decimal("0.00")]


def test_copil_shows_objectives_and_the_recent_cohorts_that_have_people():
    layout = committees.copil_layout(DATASET, 2026, AS_OF)
    objectives = layout.tables()[0].rows
    assert objectives[0][:4] == ["Personnes accompagnées", 400, 2, 1]  # P2 and P3; 2025 to 26/11: P1
    # nobody came in 2024: that cohort is left out
    assert [row[0].split(",")[0] for row in objectives[1:]] == [
        "Taux de création (cohorte 2025", "Taux de création (cohorte 2026"]
    assert objectives[2][2] == 0.5  # P2 and P3 came in 2026, P3 created


def test_copil_does_not_score_a_cohort_still_running():
    objectives = {row[0].split(",")[0]: row[1:] for row in committees.copil_layout(DATASET, 2026, AS_OF)
                  .tables()[0].rows}
    # as of 26/11/2026 every cohort from 2024 on is en cours: its last people have not had two years
    assert objectives["Taux de création (cohorte 2026"] == [0.4, 0.5, None, "en cours"]
    assert objectives["Taux de création (cohorte 2025"][3] == "en cours"
    # cohort 2025 (P1, who did not create) is closed once its people have had two years, on 31/12/2027
    later = {row[0].split(",")[0]: row[4] for row in committees.copil_layout(DATASET, 2027, date(2027, 12, 31))
             .tables()[0].rows}
    assert later["Taux de création (cohorte 2025"] == 0.0
    # cohort 2026 scored on 31/12/2028: 0.5 of 0.4 is 125 %; cohorts 2027 and 2028 have nobody: not shown
    scored = {row[0].split(",")[0]: row[4] for row in committees.copil_layout(DATASET, 2028, date(2028, 12, 31))
              .tables()[0].rows}
    assert scored["Taux de création (cohorte 2026"] == 1.25
    assert "Taux de création (cohorte 2027" not in scored and "Taux de création (cohorte 2028" not in scored


def test_synthese_is_marked_provisoire_while_the_month_runs_and_definitive_after():
    november = periods.month(2026, 11)
    running = sheets.synthese_layout(DATASET, november, date(2026, 11, 15))
    assert running.blocks[0].text.startswith("Statut : provisoire — données au 15/11/2026.")
    closed = sheets.synthese_layout(DATASET, november, date(2026, 12, 1))
    assert closed.blocks[0].text.startswith("Statut : définitive (mois clos) — données au 01/12/2026.")


def test_a_partial_month_is_compared_with_the_same_days_a_year_earlier():
    data = from_records({"porteurs": [porteur("P1", date(2025, 11, 10)), porteur("P2", date(2025, 11, 20)),
                                      porteur("P3", date(2025, 3, 1)), porteur("P4", date(2025, 12, 5)),
                                      porteur("P5", date(2026, 11, 3))]})
    running = sheets.synthese_layout(data, periods.month(2026, 11), date(2026, 11, 15)).tables()[0]
    assert running.headers[1:5] == ["Mois, au 15/11", "Même mois N-1, au 15/11", "Cumul de l'année, au 15/11",
                                    "Cumul N-1, au 15/11"]
    # 1–15 November 2025: P1 only; 1 January–15 November 2025: P3 and P1
    assert rows_by_label(running)["Nouveaux porteurs"][:4] == [1, 1, 1, 2]
    closed = sheets.synthese_layout(data, periods.month(2026, 11), date(2026, 12, 1)).tables()[0]
    assert closed.headers[1:5] == ["Mois", "Même mois N-1", "Cumul de l'année", "Cumul N-1"]
    assert rows_by_label(closed)["Nouveaux porteurs"][:4] == [1, 2, 1, 3]


def test_anomalies_link_each_row_to_its_cell():
    found = [DateInvalid().at(Position("Porteurs", 7, "Date de naissance", 5), "31/02/2024"),
             NoRendezVous().at(Position("Porteurs", 9, "ID", 1), "P8")]
    layout = sheets.anomalies_layout(found, "Site", AS_OF)
    table = layout.tables()[0]
    assert layout.name == plan.ANOMALIES
    assert table.links == {0: "'Porteurs'!E7", 1: "'Porteurs'!A9"}
    assert [row[0] for row in table.rows] == ["Erreur", "Avertissement"]


def test_a_journal_row_says_which_day_the_figures_hold():
    from datetime import datetime

    import pytest

    from citeslab_xl.core import journal

    at = datetime(2026, 11, 27, 8, 30)
    given = journal.run_values("Actualiser les synthèses", "1.0", 120, 3, at=at, as_of=AS_OF)
    row = journal.row(given, ["Anomalies", "À faire"], "ab" * 32)
    assert dict(zip(journal.JOURNAL_HEADERS, row, strict=True)) == {
        "Date et heure": at, "Action": "Actualiser les synthèses", "Version": "1.0", "Lignes lues": 120,
        "Anomalies": 3, "Feuilles écrites": "Anomalies, À faire", "SHA-256 avant": "ab" * 32, "Données au": AS_OF}
    # without a day (an older door), the column stays empty; the older rows are read back by position
    assert journal.row(journal.run_values("x", "1.0", 1, 0, at=at), [], "")[-1] is None
    with pytest.raises(ValueError):
        journal.check_given([at, "x", "1.0"])
