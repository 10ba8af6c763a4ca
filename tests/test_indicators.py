"""Indicators (indicators.md), each checked on a small dataset worked out by hand.

October 2026 as of 20 October 2026 (an as-of date inside the month):

Porteurs                       contact     sexe  born        quartier    statut
  P1                           2026-10-01  F     2001-10-15  Planoise    Accueil    age 24
  P2                           2026-10-20  H     2000-10-20  Hors QPV    Accueil    age 26 that day
  P3                           2026-10-05  -     -           Montrapon   Émergence
  P4                           2026-09-30  F     1970-01-01  Hors QPV    Abandon
  P5 (created 2026-10-10)      2025-03-01  H     1980-01-01  Battant     Créé
  P6 (oriented Adie 10-01)     2024-06-01                    Hors QPV    Orienté
  P7 (oriented BGE 09-30)      2024-06-01                    Hors QPV    Orienté
  P8 (oriented Adie 10-15)     2024-06-01                    Hors QPV    Orienté
  P9 (created 2026-10-01)      2025-01-01                    Planoise    Créé
  P10 (created 2026-09-30)     2025-01-01                    Planoise    Créé

Rendez-vous: see RDV below; rows after the as-of date or outside October drop out.
"""

import json
from datetime import date
from decimal import Decimal

import pytest

from citeslab_xl.core import indicators as ind
from citeslab_xl.core import monthly, periods, selection
from citeslab_xl.core.dataset import from_records
from citeslab_xl.core.photolangage import capacites_photolangage
from citeslab_xl.core.schema import Settings

OCTOBER = periods.month(2026, 10)
AS_OF = date(2026, 10, 20)


def porteur(id_, contact, **fields):
    return {"id": id_, "nom": "Nom", "prenom": "Prénom", "quartier": "Hors QPV", "statut": "Accueil",
            "date_premier_contact": contact, "consentement": True, **fields}


def rendez_vous(day, id_, type_="Entretien", **fields):
    return {"date": day, "id_porteur": id_, "type": type_, **fields}


def build(settings=None, funders=("Caisse des Dépôts", "Agglomération", "Région"), **sheets):
    records = {key: [{"_row": i + 2, **row} for i, row in enumerate(rows)] for key, rows in sheets.items()}
    return from_records(records, settings, funders)


PORTEURS = [
    porteur("P1", date(2026, 10, 1), sexe="F", date_naissance=date(2001, 10, 15), quartier="Planoise",
            situation="Demandeur d'emploi", prescripteur="France Travail"),
    porteur("P2", date(2026, 10, 20), sexe="H", date_naissance=date(2000, 10, 20),
            situation="Salarié", prescripteur="Mission locale"),
    porteur("P3", date(2026, 10, 5), quartier="Montrapon", statut="Émergence"),
    porteur("P4", date(2026, 9, 30), sexe="F", date_naissance=date(1970, 1, 1), statut="Abandon"),
    porteur("P5", date(2025, 3, 1), sexe="H", quartier="Battant", statut="Créé", date_creation=date(2026, 10, 10),
            forme="SASU", secteur="Numérique"),
    porteur("P6", date(2024, 6, 1), statut="Orienté", partenaire="Adie", date_orientation=date(2026, 10, 1)),
    porteur("P7", date(2024, 6, 1), statut="Orienté", partenaire="BGE", date_orientation=date(2026, 9, 30)),
    porteur("P8", date(2024, 6, 1), statut="Orienté", partenaire="Adie", date_orientation=date(2026, 10, 15)),
    porteur("P9", date(2025, 1, 1), quartier="Planoise", statut="Créé", date_creation=date(2026, 10, 1),
            secteur="BTP"),
    porteur("P10", date(2025, 1, 1), quartier="Planoise", statut="Créé", date_creation=date(2026, 9, 30),
            forme="EI", secteur="BTP"),
]
RDV = [
    rendez_vous(date(2026, 10, 1), "P1", "Premier accueil", duree=45),  # first day of P, no Modalité
    rendez_vous(date(2026, 10, 20), "P4", modalite="Téléphone", duree=30),  # on the as-of date
    rendez_vous(date(2026, 10, 21), "P5", modalite="Visio", duree=60),  # after D: left out
    rendez_vous(date(2026, 9, 30), "P6", duree=60),  # before P; in the 90-day window
    rendez_vous(date(2026, 10, 10), "P5", "Suivi post-création", modalite="Visio"),  # no Durée: 0
    rendez_vous(date(2026, 10, 12), "P1", modalite="Face-à-face", duree=15),
    rendez_vous(date(2026, 7, 22), "P3"),  # 90 days before D is 23 July: out of the window
    rendez_vous(date(2026, 7, 23), "P2"),  # first day of the window
]
ATELIERS = [
    {"date": date(2026, 10, 3), "type": "Photolangage", "participants": 8},
    {"date": date(2026, 10, 31), "type": "Information collective", "participants": 12},
    {"date": date(2026, 11, 1), "type": "Photolangage", "participants": 5},
    {"date": date(2026, 10, 15), "type": "Photolangage", "participants": None},  # invalid count
]
SENSIBILISATION = [
    {"date": date(2026, 10, 2), "type_lieu": "Établissement scolaire", "structure": "Lycée", "personnes": 30},
    {"date": date(2026, 10, 9), "type_lieu": "Établissement scolaire", "structure": "Collège", "personnes": 25},
    {"date": date(2026, 9, 30), "type_lieu": "Forum-salon", "structure": "Salon", "personnes": 100},
]
FINANCEMENT = [
    {"annee": 2026, "poste": "Poste 1", "etp": Decimal("1"), "cout": Decimal("40000")},
    {"annee": 2026, "poste": "Poste 2", "etp": Decimal("0.5"), "cout": Decimal("20000")},
    {"annee": 2025, "poste": "Poste 1", "etp": Decimal("0.8"), "cout": Decimal("38000")},
]


@pytest.fixture(scope="module")
def october():
    return build(porteurs=PORTEURS, rendez_vous=RDV, ateliers=ATELIERS,
                 sensibilisation=SENSIBILISATION, financement=FINANCEMENT)


def zeros(values, **counts):
    return {value: counts.get(value, 0) for value in values}


# --- activity ---------------------------------------------------------------------

def test_nouveaux_porteurs_counts_first_contacts_in_the_period(october):
    assert ind.nouveaux_porteurs(october, OCTOBER, AS_OF) == 3  # P1, P2, P3; P4 is 30 September


def test_rdv_counts_rows_in_the_period_not_after_the_as_of_date(october):
    assert ind.rdv(october, OCTOBER, AS_OF) == 4  # 1, 10, 12 and 20 October


def test_rdv_counts_both_ends_of_the_period():
    data = build(porteurs=[porteur("P1", date(2026, 1, 1))], rendez_vous=[
        rendez_vous(date(2026, 9, 30), "P1"), rendez_vous(date(2026, 10, 1), "P1"),
        rendez_vous(date(2026, 10, 31), "P1"), rendez_vous(date(2026, 11, 1), "P1")])
    assert ind.rdv(data, OCTOBER, date(2026, 11, 26)) == 2


def test_rdv_par_type(october):
    assert ind.rdv_par_type(october, OCTOBER, AS_OF) == {
        "Premier accueil": 1, "Entretien": 2, "Suivi post-création": 1}


def test_rdv_par_modalite_counts_an_empty_modalite_as_face_a_face(october):
    assert ind.rdv_par_modalite(october, OCTOBER, AS_OF) == {"Face-à-face": 2, "Téléphone": 1, "Visio": 1}


def test_heures_counts_a_missing_duree_as_zero(october):
    assert ind.heures(october, OCTOBER, AS_OF) == 1.5  # 45 + 30 + 0 + 15 = 90 min


@pytest.mark.parametrize("minutes, hours", [(75, 1.3), (69, 1.2), (3, 0.1), (2, 0.0), (81, 1.4)])
def test_heures_rounds_half_up_to_one_decimal(minutes, hours):
    # 75 min = 1.25 h → 1.3; 69 min = 1.15 h → 1.2; 3 min = 0.05 h → 0.1; 81 min = 1.35 h → 1.4
    data = build(porteurs=[porteur("P1", date(2026, 1, 1))],
                 rendez_vous=[rendez_vous(date(2026, 10, 5), "P1", duree=minutes)])
    assert ind.heures(data, OCTOBER, AS_OF) == hours


def test_porteurs_recus_are_distinct_ids(october):
    assert ind.porteurs_recus(october, OCTOBER, AS_OF) == 3  # P1 (twice), P4, P5


def test_accompagnes_is_new_porteurs_or_met_in_the_period(october):
    assert ind.accompagnes(october, OCTOBER, AS_OF) == 5  # {P1, P2, P3} ∪ {P1, P4, P5}


def test_accompagnes_counts_a_new_porteur_whose_id_is_invalid():
    data = build(porteurs=[porteur(None, date(2026, 10, 2)), porteur("P2", date(2026, 10, 3))],
                 rendez_vous=[rendez_vous(date(2026, 10, 4), "P2"), rendez_vous(date(2026, 10, 5), "P3")])
    # the row without ID, P2 (new and met), P3 (met only)
    assert ind.accompagnes(data, OCTOBER, AS_OF) == 3
    # their Porteurs rows (COTECH's pipeline by Statut): P3 has none
    rows = selection.accompanied(data, OCTOBER, AS_OF).porteurs(data)
    assert len(rows) == 2 and rows["id"].isna().sum() == 1 and "P2" in set(rows["id"])


def test_the_accompanied_are_one_selection(october):
    accompanied = selection.accompanied(october, OCTOBER, AS_OF)
    assert sorted(accompanied.new["id"]) == ["P1", "P2", "P3"] and accompanied.others == {"P4", "P5"}
    assert sorted(accompanied.porteurs(october)["id"]) == ["P1", "P2", "P3", "P4", "P5"]


def test_file_active_is_the_90_days_to_the_as_of_date_without_abandons(october):
    # window 23 July – 20 October: P1, P2 (23 July), P4 (Abandon, left out), P5, P6; not P3 (22 July)
    assert ind.file_active(october, OCTOBER, AS_OF) == 4


def test_file_active_of_a_closed_month_ends_with_the_month():
    data = build(porteurs=[porteur("P1", date(2026, 1, 1)), porteur("P2", date(2026, 1, 1))],
                 rendez_vous=[rendez_vous(date(2026, 7, 3), "P1"), rendez_vous(date(2026, 11, 2), "P2")])
    # September as of 26 November: window 3 July – 30 September
    assert ind.file_active(data, periods.month(2026, 9), date(2026, 11, 26)) == 1


def test_file_active_leaves_out_ids_without_a_statut():
    data = build(porteurs=[porteur("P1", date(2026, 1, 1), statut=None)],
                 rendez_vous=[rendez_vous(date(2026, 10, 3), "P1"), rendez_vous(date(2026, 10, 3), "X9")])
    assert ind.file_active(data, OCTOBER, AS_OF) == 0


def test_etp_sums_the_financement_rows_of_the_year(october):
    assert ind.etp(october, OCTOBER, AS_OF) == 1.5


def test_etp_falls_back_on_the_charges_de_mission():
    settings = Settings(charges=[("Awa", 1.0), ("Bruno", 0.8)])
    data = build(settings, porteurs=[porteur("P1", date(2026, 1, 1))], financement=FINANCEMENT)
    assert ind.etp(data, periods.year(2024), date(2026, 1, 1)) == 1.8


def test_etp_takes_the_year_of_the_as_of_date_when_it_is_earlier():
    data = build(financement=FINANCEMENT)
    # the year 2026 seen on 15 December 2025: the 2025 rows count
    assert ind.etp(data, periods.year(2026), date(2025, 12, 15)) == 0.8


def test_file_active_par_etp_rounds_half_up(october):
    assert ind.file_active_par_etp(october, OCTOBER, AS_OF) == 2.7  # 4 / 1.5 = 2.67


def test_orientations_show_every_partner(october):
    partners = Settings().values("Partenaire")
    assert ind.orientations(october, OCTOBER, AS_OF) == zeros(partners, Adie=2)


def test_creations_and_breakdowns(october):
    assert ind.creations(october, OCTOBER, AS_OF) == 2  # P5, P9 (1 October); not P10 (30 September)
    settings = Settings()
    assert ind.creations_par_forme(october, OCTOBER, AS_OF) == zeros(settings.values("Forme juridique"), SASU=1)
    assert ind.creations_par_secteur(october, OCTOBER, AS_OF) == zeros(
        settings.values("Secteur"), Numérique=1, BTP=1)
    assert ind.creations_par_quartier(october, OCTOBER, AS_OF) == zeros(
        settings.values("Quartiers"), Battant=1, Planoise=1)


def test_ateliers_by_type(october):
    assert ind.ateliers(october, OCTOBER, AS_OF) == {
        "Photolangage": ind.Ateliers(nombre=2, participants=8),
        "Information collective": ind.Ateliers(nombre=1, participants=12),
        "Formation jeunes (France Active)": ind.Ateliers(nombre=0, participants=0),
        "Autre": ind.Ateliers(nombre=0, participants=0),
    }


def test_sensibilisation_by_type_de_lieu(october):
    result = ind.sensibilisation(october, OCTOBER, AS_OF)
    assert result["Établissement scolaire"] == ind.Actions(nombre=2, personnes=55)
    assert result["Forum-salon"] == ind.Actions(nombre=0, personnes=0)
    assert list(result) == list(Settings().values("Type de lieu"))


# --- public ------------------------------------------------------------------------------

def test_part_femmes_leaves_out_people_without_sexe(october):
    assert ind.part_femmes(october, OCTOBER, AS_OF) == 0.5  # P1 F, P2 H, P3 unknown


def test_part_qpv(october):
    assert ind.part_qpv(october, OCTOBER, AS_OF) == 2 / 3  # Planoise, Montrapon; exact (indicators.md › Precision)


def test_part_moins_26_among_people_with_a_birth_date(october):
    # P1 is 24; P2 turns 26 on the day of the first contact; P3 has no birth date
    assert ind.part_moins_26(october, OCTOBER, AS_OF) == 0.5


def test_par_tranche_age(october):
    assert ind.par_tranche_age(october, OCTOBER, AS_OF) == {"<26": 1, "26-49": 1, "50+": 0, "inconnu": 1}


def test_age_bands_edges():
    assert [ind.age_band(a) for a in (15, 25, 26, 49, 50, 90, float("nan"))] == [
        "<26", "<26", "26-49", "26-49", "50+", "50+", "inconnu"]


def test_par_situation_and_prescripteur(october):
    settings = Settings()
    assert ind.par_situation(october, OCTOBER, AS_OF) == zeros(
        settings.values("Situation"), **{"Demandeur d'emploi": 1, "Salarié": 1})
    assert ind.par_prescripteur(october, OCTOBER, AS_OF) == zeros(
        settings.values("Prescripteur"), **{"France Travail": 1, "Mission locale": 1})


def test_breakdowns_follow_the_lists_of_parametres():
    lists = dict(Settings().lists)
    lists["Situation"] = ("Salarié", "Intérimaire")
    data = build(Settings(lists=lists), porteurs=[
        porteur("P1", date(2026, 10, 2), situation="Salarié"),
        porteur("P2", date(2026, 10, 3), situation="Demandeur d'emploi")])
    # a value the list lacks is kept, after the list's values
    assert list(ind.par_situation(data, OCTOBER, AS_OF).items()) == [
        ("Salarié", 1), ("Intérimaire", 0), ("Demandeur d'emploi", 1)]


def test_age_of_someone_born_on_29_february():
    data = build(porteurs=[
        porteur("P1", date(2026, 2, 28), date_naissance=date(2000, 2, 29)),  # not yet 26
        porteur("P2", date(2026, 3, 1), date_naissance=date(2000, 2, 29))])  # 26
    assert ind.par_tranche_age(data, periods.year(2026), AS_OF) == {"<26": 1, "26-49": 1, "50+": 0, "inconnu": 0}


def test_rates_are_none_when_the_denominator_is_zero():
    data = build(porteurs=[porteur("P1", date(2026, 10, 2), quartier=None)], settings=Settings(charges=[]))
    assert ind.part_femmes(data, OCTOBER, AS_OF) is None  # no Sexe
    assert ind.part_moins_26(data, OCTOBER, AS_OF) is None  # no birth date
    assert ind.part_qpv(data, OCTOBER, AS_OF) is None  # no valid Quartier
    assert ind.etp(data, OCTOBER, AS_OF) == 0.0
    assert ind.file_active_par_etp(data, OCTOBER, AS_OF) is None
    assert ind.taux_charge(data, OCTOBER, AS_OF) is None
    assert ind.scenario_poste_2(data, OCTOBER, AS_OF) == 0.0  # 0 / (120 × 1)


def test_public_rates_are_none_for_an_empty_period(october):
    empty = periods.month(2026, 3)
    assert ind.nouveaux_porteurs(october, empty, AS_OF) == 0
    assert ind.part_femmes(october, empty, AS_OF) is None
    assert ind.part_qpv(october, empty, AS_OF) is None
    assert ind.part_moins_26(october, empty, AS_OF) is None


# --- caseload ------------------------------------------------------------------------------

def test_capacite_and_charge(october):
    assert ind.capacite(october, OCTOBER, AS_OF) == 180.0  # 120 × 1.5
    assert ind.taux_charge(october, OCTOBER, AS_OF) == 4 / 180
    assert ind.scenario_poste_2(october, OCTOBER, AS_OF) == 4 / 300  # 4 / (120 × 2.5)


def test_taux_charge_above_capacity_is_not_capped():
    settings = Settings(capacite_par_etp=2, charges=[("Awa", 1.0)])
    data = build(settings, porteurs=[porteur(f"P{i}", date(2026, 1, 1)) for i in range(3)],
                 rendez_vous=[rendez_vous(date(2026, 10, 1), f"P{i}") for i in range(3)])
    assert ind.taux_charge(data, OCTOBER, AS_OF) == 1.5  # 3 / 2
    assert ind.scenario_poste_2(data, OCTOBER, AS_OF) == 0.75  # 3 / (2 × 2)


# --- outcomes ---------------------------------------------------------------------------
# As of 28 February 2027 (not a leap year):
#   B1 created 2024-02-29, ceased 2027-02-28   anniversaries 2025-02-28, 2026-02-28, 2027-02-28
#   B2 created 2024-03-01                       3rd anniversary 2027-03-01: not eligible at 3
#   B3 created 2023-06-15, ceased 2024-06-15    ceased on its first anniversary: never active
#   B4 created 2023-06-15, ceased 2024-06-16    active at 1 year only
#   B5 created 2026-03-01                       no anniversary yet
#   B6 created 2020-01-10                       active throughout
FEB_28 = date(2027, 2, 28)
BUSINESSES = [
    porteur("B1", date(2023, 1, 1), statut="Créé", date_creation=date(2024, 2, 29), date_cessation=date(2027, 2, 28)),
    porteur("B2", date(2023, 1, 1), statut="Créé", date_creation=date(2024, 3, 1)),
    porteur("B3", date(2022, 1, 1), statut="Créé", date_creation=date(2023, 6, 15), date_cessation=date(2024, 6, 15)),
    porteur("B4", date(2022, 1, 1), statut="Créé", date_creation=date(2023, 6, 15), date_cessation=date(2024, 6, 16)),
    porteur("B5", date(2025, 1, 1), statut="Créé", date_creation=date(2026, 3, 1)),
    porteur("B6", date(2019, 1, 1), statut="Créé", date_creation=date(2020, 1, 10)),
]
SUIVI = [
    {"id_porteur": "B1", "date": date(2024, 9, 1), "active": True, "emplois": 1},
    {"id_porteur": "B1", "date": date(2025, 3, 1), "active": True, "emplois": 3},
    {"id_porteur": "B2", "date": date(2025, 1, 1), "active": True, "emplois": 2},
    {"id_porteur": "B2", "date": date(2027, 3, 15), "active": True, "emplois": 9},  # after D
    {"id_porteur": "B5", "date": date(2026, 6, 1), "active": True, "emplois": 4},
    {"id_porteur": "B5", "date": date(2026, 9, 1), "active": True, "emplois": None},  # invalid Emplois
    {"id_porteur": "B6", "date": date(2026, 1, 1), "active": True, "emplois": 50},  # created over 3 years ago
]


@pytest.fixture(scope="module")
def outcomes():
    return build(porteurs=BUSINESSES, suivi=SUIVI)


def test_perennite_with_the_29_february_rule(outcomes):
    assert ind.perennite(outcomes, periods.year(2027), FEB_28) == {
        "1": ind.Survival(eligibles=5, actives=4, taux=0.8),  # B1 B2 B3 B4 B6; B3 inactive
        "2": ind.Survival(eligibles=5, actives=3, taux=0.6),  # B1 B2 B3 B4 B6; B3 B4 inactive
        "3": ind.Survival(eligibles=4, actives=1, taux=0.25),  # B1 B3 B4 B6; only B6 active
    }


def test_a_29_february_business_completes_its_years_on_28_february(outcomes):
    day_before = ind.perennite(outcomes, periods.year(2027), date(2027, 2, 27))
    assert day_before["3"].eligibles == 3  # B3 B4 B6: B1 not yet three years old


def test_perennite_is_null_without_eligible_business():
    data = build(porteurs=[porteur("B1", date(2026, 1, 1), statut="Créé", date_creation=date(2026, 5, 1))])
    assert ind.perennite(data, OCTOBER, AS_OF) == {
        str(k): ind.Survival(eligibles=0, actives=0, taux=None) for k in (1, 2, 3)}


def test_emplois_sums_the_latest_valid_suivi_of_recent_businesses(outcomes):
    # less than three years old: B2 (2; the 2027-03-15 row is after D) and B5 (4, its last valid row);
    # B1 turned three on 28 February 2027
    assert ind.emplois(outcomes, periods.year(2027), FEB_28) == 6
    # the day before, B1 counts with its latest row (3)
    assert ind.emplois(outcomes, periods.year(2027), date(2027, 2, 27)) == 9


def test_taux_creation_of_the_cohort_year():
    data = build(porteurs=[
        porteur("C1", date(2026, 1, 1), statut="Créé", date_creation=date(2026, 6, 1)),
        porteur("C2", date(2026, 12, 31)),
        porteur("C3", date(2026, 5, 5), statut="Créé", date_creation=date(2027, 3, 1)),  # after D
        porteur("C4", date(2025, 12, 31), statut="Créé", date_creation=date(2026, 2, 1)),  # cohort 2025
    ])
    assert ind.taux_creation(data, periods.quarter(2026, 4), FEB_28) == {
        "2026": ind.Cohort(cohorte=3, creations=1, taux=1 / 3, objectif=0.4, en_cours=True)}


def test_taux_creation_of_an_empty_cohort_is_null():
    result = ind.taux_creation(build(porteurs=[]), periods.month(2020, 5), AS_OF)
    assert result == {"2020": ind.Cohort(cohorte=0, creations=0, taux=None, objectif=0.4, en_cours=False)}


# --- photolangage ---------------------------------------------------------------------------

def test_capacites_photolangage_most_often_noted_first():
    data = build(photolangage=[
        {"date": date(2026, 10, 3), "id_porteur": "P1", "images": "1;2;3;4",
         "capacites": "Confiance; créativité ;Écoute"},
        {"date": date(2026, 10, 3), "id_porteur": "P2", "images": "1;2;3;4", "capacites": "Confiance;écoute;Écoute"},
        {"date": date(2026, 10, 3), "id_porteur": "P3", "images": "1;2;3;4", "capacites": "Écoute"},
        {"date": date(2026, 10, 3), "id_porteur": "P4", "images": "1;2;3;4", "capacites": None},
        {"date": date(2026, 11, 2), "id_porteur": "P1", "images": "1;2;3;4", "capacites": "Rigueur"},
    ])
    assert capacites_photolangage(data, OCTOBER, AS_OF) == [("Écoute", 3), ("Confiance", 2), ("créativité", 1)]
    assert capacites_photolangage(data, OCTOBER, AS_OF, limit=1) == [("Écoute", 3)]
    assert capacites_photolangage(data, periods.month(2026, 9), AS_OF) == []


# --- many months at once -------------------------------------------------------------------

def test_monthly_activity(october):
    months = [periods.month(2026, 9), OCTOBER, periods.month(2026, 11)]
    assert monthly.monthly_activity(october, months, AS_OF) == [
        # P4 new; P6 met on the 30th; window 3 July – 30 September: P2, P3, P6; P7 to BGE; P10 created
        {"mois": "2026-09", "nouveaux_porteurs": 1, "rdv": 1, "heures": 1.0, "porteurs_recus": 1, "accompagnes": 2,
         "file_active": 3, "orientations_total": 1, "creations": 1, "ateliers_nombre": 0, "ateliers_participants": 0,
         "sensibilisation_nombre": 1, "sensibilisation_personnes": 100},
        {"mois": "2026-10", "nouveaux_porteurs": 3, "rdv": 4, "heures": 1.5, "porteurs_recus": 3, "accompagnes": 5,
         "file_active": 4, "orientations_total": 2, "creations": 2, "ateliers_nombre": 3, "ateliers_participants": 20,
         "sensibilisation_nombre": 2, "sensibilisation_personnes": 55},
        # after the as-of date: the file active is still that of 20 October; the 1 November workshop counts
        {"mois": "2026-11", "nouveaux_porteurs": 0, "rdv": 0, "heures": 0.0, "porteurs_recus": 0, "accompagnes": 0,
         "file_active": 4, "orientations_total": 0, "creations": 0, "ateliers_nombre": 1, "ateliers_participants": 5,
         "sensibilisation_nombre": 0, "sensibilisation_personnes": 0},
    ]


# --- the --json object ------------------------------------------------------------------------

def leaves(value):
    if isinstance(value, dict):
        assert all(type(key) is str for key in value)
        for item in value.values():
            yield from leaves(item)
    else:
        yield value


SPEC_KEYS = {
    "periode", "nouveaux_porteurs", "rdv", "rdv_par_type", "rdv_par_modalite", "heures", "porteurs_recus",
    "accompagnes", "file_active", "etp", "file_active_par_etp", "orientations", "creations",
    "creations_par_forme", "creations_par_secteur", "creations_par_quartier", "ateliers", "sensibilisation",
    "part_femmes", "part_qpv", "part_moins_25", "part_bac_plus", "part_demandeurs_emploi", "qpv_couverts", "orientes",
    "taux_orientation", "part_moins_26", "par_situation", "par_prescripteur", "par_tranche_age",
    "taux_creation", "perennite", "emplois", "capacite", "taux_charge", "scenario_poste_2",
}


def test_compute_has_exactly_the_spec_keys_and_is_plain_json(october):
    figures = ind.compute(october, OCTOBER, AS_OF)
    assert (figures.nouveaux_porteurs, figures.orientations_total) == (3, 2)
    result = figures.to_json()
    assert set(result) == SPEC_KEYS
    assert result["periode"] == {"debut": "2026-10-01", "fin": "2026-10-31"}
    assert json.loads(json.dumps(result)) == result
    assert all(type(leaf) in (bool, int, float, str, type(None)) for leaf in leaves(result))  # no numpy, no Decimal
    assert (result["nouveaux_porteurs"], result["rdv"], result["accompagnes"], result["file_active"]) == (3, 4, 5, 4)
    # cohort 2026: P1, P2, P3 and P4 (30 September), none created yet
    assert result["taux_creation"] == {"2026": {"cohorte": 4, "creations": 0, "taux": 0.0, "objectif": 0.4,
                                                "en_cours": True}}
    assert set(result["perennite"]) == {"1", "2", "3"}


def test_compute_on_an_empty_workbook():
    result = ind.compute(build(porteurs=[]), OCTOBER, AS_OF).to_json()
    assert set(result) == SPEC_KEYS
    assert result["accompagnes"] == 0 and result["heures"] == 0.0 and result["emplois"] == 0
    assert result["part_femmes"] is None and result["etp"] == 1.0  # the template's one chargée de mission
    json.dumps(result)
