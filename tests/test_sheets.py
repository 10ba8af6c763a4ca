"""What the generated sheets show, on a small workbook worked out by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from citeslab_xl.core import periods, plan, sheets
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
    assert [(r[0], r[2], r[4]) for r in rows] == [("P4", "6 mois", "en retard"), ("P4", "1 an", "en retard"),
                                                  ("P4", "2 ans", "en retard"), ("P4", "3 ans", "en retard")]
    assert all(r[0] != "P3" for r in rows)  # created 2026-10-31: its first milestone is months away


def test_financement_calcule_splits_to_the_cent():
    layout = sheets.financement_layout(DATASET, AS_OF)
    per_row = layout.tables()[0]
    assert per_row.headers[4:8] == ["Caisse des Dépôts", "Agglomération", "Région", "Reste à charge"]
    assert per_row.rows[0][4:8] == [Decimal("0.00"), Decimal("800.00"), Decimal("200.00"), Decimal("0.00")]


def test_copil_shows_objectives_and_the_recent_cohorts():
    layout = sheets.copil_layout(DATASET, 2026, AS_OF)
    objectives = layout.tables()[0].rows
    assert objectives[0][:3] == ["Personnes accompagnées", 400, 2]  # P2 and P3; P1 was last seen in 2025
    assert [row[0].split(",")[0] for row in objectives[1:]] == [
        "Taux de création (cohorte 2024", "Taux de création (cohorte 2025", "Taux de création (cohorte 2026"]
    assert objectives[3][2] == 0.5  # P2 and P3 came in 2026, P3 created


def test_anomalies_link_each_row_to_its_cell():
    found = [DateInvalid().at(Position("Porteurs", 7, "Date de naissance", 5), "31/02/2024"),
             NoRendezVous().at(Position("Porteurs", 9, "ID", 1), "P8")]
    layout = sheets.anomalies_layout(found, "Site", AS_OF)
    table = layout.tables()[0]
    assert layout.name == plan.ANOMALIES
    assert table.links == {0: "'Porteurs'!E7", 1: "'Porteurs'!A9"}
    assert [row[0] for row in table.rows] == ["Erreur", "Avertissement"]
