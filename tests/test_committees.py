"""COPIL and COTECH on a small workbook whose every figure was worked out by hand (as of 26/11/2026).

The people:
- P1 Accueil, first seen 03/10/2025 (Planoise), a rendez-vous that day;
- P2 Martin Léa, 05/10/2026, oriented to Adie on 20/10/2026, seen again on 05/11/2026;
- P3 Créé, 30/10/2026 (Planoise, a QPV), business in Commerce on 31/10/2026;
- P4 Créé, 10/01/2023, business in BTP on 02/05/2023, no Suivi;
- P5 Accueil, 10/11/2025, oriented to BGE on 20/11/2025, never created;
- P6 Créé, 01/03/2026 (Hors QPV), oriented to BGE on 15/03/2026, seen 01/04/2026, Services on 01/09/2026;
- P7 Créé, 01/02/2023, business on 10/12/2023: its 3-year follow-up is due on 10/12/2026;
- P8 Émergence in Commerce, 01/06/2026, seen 10/11/2026 (in the quarter);
- P9 Émergence in Commerce, 01/02/2026, seen that day only (not in the quarter).
One référent, R1, in Commerce, who agreed and is active.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from citeslab_xl.core import committees, periods
from citeslab_xl.core.dataset import from_records

AS_OF = date(2026, 11, 26)


def porteur(ident, first, **extra):
    return {"_row": int(ident[1:]) + 1, "id": ident, "nom": extra.pop("nom", f"Nom{ident}"), "prenom": "P",
            "quartier": extra.pop("quartier", "Planoise"), "date_premier_contact": first,
            "statut": extra.pop("statut", "Accueil"), "consentement": True, **extra}


def rdv(row, ident, day):
    return {"_row": row, "date": day, "id_porteur": ident, "type": "Entretien", "duree": 60}


DATASET = from_records({
    "porteurs": [
        porteur("P1", date(2025, 10, 3)),
        porteur("P2", date(2026, 10, 5), nom="Martin", prenom="Léa", telephone="06 01 02 03 04", partenaire="Adie",
                date_orientation=date(2026, 10, 20), statut="Orienté"),
        porteur("P3", date(2026, 10, 30), secteur="Commerce", statut="Créé", date_creation=date(2026, 10, 31)),
        porteur("P4", date(2023, 1, 10), statut="Créé", secteur="BTP", date_creation=date(2023, 5, 2)),
        porteur("P5", date(2025, 11, 10), partenaire="BGE", date_orientation=date(2025, 11, 20)),
        porteur("P6", date(2026, 3, 1), quartier="Hors QPV", partenaire="BGE", date_orientation=date(2026, 3, 15),
                statut="Créé", secteur="Services", date_creation=date(2026, 9, 1)),
        porteur("P7", date(2023, 2, 1), statut="Créé", secteur="BTP", date_creation=date(2023, 12, 10)),
        porteur("P8", date(2026, 6, 1), statut="Émergence", secteur="Commerce"),
        porteur("P9", date(2026, 2, 1), statut="Émergence", secteur="Commerce"),
    ],
    "rendez_vous": [rdv(2, "P1", date(2025, 10, 3)), rdv(3, "P2", date(2026, 10, 5)),
                    rdv(4, "P2", date(2026, 10, 12)), rdv(5, "P3", date(2026, 10, 30)),
                    rdv(6, "P2", date(2026, 11, 5)), rdv(7, "P5", date(2025, 11, 10)),
                    rdv(8, "P6", date(2026, 3, 1)), rdv(9, "P6", date(2026, 4, 1)),
                    rdv(10, "P8", date(2026, 11, 10)), rdv(11, "P9", date(2026, 2, 1))],
    "referents": [{"_row": 2, "id": "R1", "nom": "Durand", "secteur": "Commerce", "accord": True, "actif": True}],
    "financement": [{"_row": 2, "annee": 2026, "poste": "Poste 1", "etp": Decimal(1), "cout": Decimal("1000.00"),
                     "part:Agglomération": Decimal(80), "part:Région": Decimal(20)}],
})


def table(layout, title):
    return next(t for t in layout.tables() if t.title and t.title.startswith(title))


def by_label(found):
    return {row[0]: row[1:] for row in found.rows}


# --- COPIL --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def copil():
    return committees.copil_layout(DATASET, 2026, AS_OF)


def test_objectives_compare_the_same_days_and_score_against_the_objective_pro_rata(copil):
    objectives = table(copil, "Objectifs")
    assert objectives.headers == ["Objectif", "Objectif fixé", "Résultat 2026, au 26/11", "Résultat 2025, au 26/11",
                                  "Atteint à"]
    # 2026: P2, P3, P6, P8, P9 came in 2026; 1 January–26 November 2025: P1 and P5
    # 26/11 is the 330th day of 365: 400 × 330 / 365 = 361.6
    assert committees.objective_pro_rata(400, periods.year(2026), AS_OF) == 361.6
    accompanied = objectives.rows[0]
    assert accompanied[:4] == ["Personnes accompagnées", 400, 5, 2]
    assert accompanied[4] == pytest.approx(5 / 361.6)
    assert committees.objective_pro_rata(400, periods.year(2025), AS_OF) == 400  # a year over: the whole objective


def test_objectives_leave_out_an_empty_cohort_and_mark_the_running_ones(copil):
    cohorts = by_label(table(copil, "Objectifs"))
    # nobody came in 2024: no row for that cohort
    assert list(cohorts) == ["Personnes accompagnées", "Taux de création (cohorte 2025, 2 personnes)",
                             "Taux de création (cohorte 2026, 5 personnes)"]
    assert cohorts["Taux de création (cohorte 2026, 5 personnes)"] == [0.4, 0.4, None, "en cours"]  # P3, P6 of 5
    assert cohorts["Taux de création (cohorte 2025, 2 personnes)"][1:] == [0.0, None, "en cours"]


def test_orientations_by_partner_with_what_they_became(copil):
    oriented = table(copil, "Orientations par partenaire")
    assert oriented.headers[1:4] == ["Orientés 2026, au 26/11", "Orientés 2025, au 26/11",
                                     "dont entreprise créée (2026)"]
    # Adie: P2 in 2026; BGE: P6 in 2026 (who created), P5 in 2025. The partners nobody went to are left out.
    assert by_label(oriented) == {"Adie": [1, 0, 0, 0.0], "BGE": [1, 1, 1, 1.0]}
    assert oriented.total


def test_creations_by_quartier_and_in_qpv_beside_the_previous_year(copil):
    assert by_label(table(copil, "Créations par quartier")) == {"Planoise": [1, 0], "Hors QPV": [1, 0]}
    qpv = by_label(table(copil, "Créations en quartier prioritaire"))
    assert qpv == {"Nombre": [1, 0], "Part des créations": [0.5, None]}  # P3 of P3 and P6; none in 2025
    assert by_label(table(copil, "Créations par secteur")) == {"Commerce": [1, 0], "Services": [1, 0]}


def test_public_and_activity_beside_the_previous_year(copil):
    public = by_label(table(copil, "Profil du public"))
    # 2026: P2, P3, P8, P9 in Planoise, P6 Hors QPV (4 of 5); 2025: P1 and P5 in Planoise
    assert public["Part des habitants d'un QPV"] == [0.8, 1.0]
    activity = by_label(table(copil, "Activité"))
    assert activity["Rendez-vous"] == [8, 2]  # 2026: P2 ×3, P6 ×2, P3, P8, P9; 2025: P1, P5


def test_survival_stands_beside_the_published_references(copil):
    survival = table(copil, "Pérennité")
    assert survival.headers[4:] == ["Référence BGE", "Référence Bpifrance (QPV)"]
    three = next(row for row in survival.rows if row[0] == "3 ans")
    assert three[4:] == [0.75, 0.77]
    assert all(row[4:] == [None, None] for row in survival.rows if row[0] != "3 ans")
    notes = [b.text for b in copil.blocks if hasattr(b, "text")]
    assert any("BGE" in text and "Bpifrance" in text and "75 %" in text and "77 %" in text for text in notes)


def test_a_closed_year_has_no_day_in_its_headers():
    closed = committees.copil_layout(DATASET, 2025, date(2026, 1, 15))
    assert table(closed, "Objectifs").headers[2:4] == ["Résultat 2025", "Résultat 2024"]
    assert not any(getattr(b, "text", "").startswith("Année en cours") for b in closed.blocks)


# --- COTECH -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cotech():
    return committees.cotech_layout(DATASET, periods.quarter_of(AS_OF), AS_OF)


def test_cotech_pipeline_counts_the_people_of_the_quarter(cotech):
    pipeline = by_label(table(cotech, "Porteurs accompagnés"))
    # P2 (Orienté), P3 (Créé), P8 (Émergence): came or were seen in October–November 2026
    assert pipeline == {"Accueil": [0], "Émergence": [1], "Orienté": [1], "En création": [0], "Créé": [1],
                        "Abandon": [0]}


def test_cotech_orientations_say_whether_they_were_followed_up(cotech):
    oriented = by_label(table(cotech, "Orientations par partenaire"))
    # Adie: P2 oriented on 20/10, seen again on 05/11; BGE: P5 and P6 since the start, P6 created
    assert oriented["Adie"] == [1, 1, 1, 0, 0.0]
    assert oriented["BGE"] == [0, 0, 2, 1, 0.5]


def test_cotech_lists_the_follow_ups_due_in_the_quarter_by_name(cotech):
    due = table(cotech, "Suivis dus dans le trimestre")
    assert due.headers[:4] == ["ID", "Nom", "Prénom", "Téléphone"]
    assert due.rows == [["P7", "NomP7", "P", None, "3 ans", date(2026, 12, 10), "à venir"]]
    assert due.links == {0: "'Porteurs'!A8"}


def test_cotech_suggests_referents_only_to_the_people_seen_in_the_quarter(cotech):
    suggested = table(cotech, "Suggestions de référents")
    assert [row[:2] + row[4:] for row in suggested.rows] == [["P8", "NomP8", "Commerce", "R1"]]  # not P9
    assert by_label(table(cotech, "Référents"))["Porteurs vus dans le trimestre à qui en proposer"] == [1]


def test_cotech_no_longer_lists_every_open_file(cotech):
    assert sum(len(t.rows) for t in cotech.tables()) < 40
