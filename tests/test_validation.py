"""Validation of a workbook file: every kind of anomaly, where it points, and what it leaves in the Dataset."""

from __future__ import annotations

import copy
import gc
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from citeslab_xl.adapters.template import build_workbook
from citeslab_xl.core import anomalies as A
from citeslab_xl.core import cells, row_rules, schema, validation
from citeslab_xl.core.grid import ExcelError
from citeslab_xl.doors.api import check_file

AS_OF = date(2025, 6, 30)
KINDS = {k.code: k for k in A.ALL_KINDS}

CLEAN = {
    "porteurs": [
        dict(id="P1", nom="Martin", prenom="Awa", sexe="F", date_naissance=date(1990, 5, 1), quartier="Planoise",
             situation="Demandeur d'emploi", niveau="Bac", prescripteur="France Travail",
             date_premier_contact=date(2025, 1, 10), charge="Chargée de mission 1", secteur="Commerce",
             statut="Créé", partenaire="Adie", date_orientation=date(2025, 2, 1), date_creation=date(2025, 3, 1),
             forme="Micro-entreprise", siret="73282932000074", telephone="03 81 00 00 00",
             email="awa.martin@exemple.fr", consentement=True, commentaire="Épicerie fine"),
        dict(id="P2", nom="Durand", prenom="Léo", quartier="Hors QPV", date_premier_contact=date(2025, 4, 2),
             statut="Accueil", consentement=True),
    ],
    "rendez_vous": [
        dict(date=date(2025, 1, 10), id_porteur="P1", type="Premier accueil", modalite="Visio", duree=60),
        dict(date=date(2025, 4, 2), id_porteur="P2", type="Premier accueil"),
    ],
    "ateliers": [dict(date=date(2025, 2, 10), type="Photolangage", theme="Mes envies", participants=2,
                      ids_participants="P1;P2", partenaire="BGE")],
    "photolangage": [dict(date=date(2025, 2, 10), id_porteur="P1", images="3;17;22;40", capacites="écoute; audace")],
    "sensibilisation": [dict(date=date(2025, 3, 3), type_lieu="Établissement scolaire", structure="Lycée Pasteur",
                             personnes=30)],
    "referents": [dict(id="R1", nom="Petit", prenom="Jean", entreprise="Boulangerie Petit", secteur="Artisanat",
                       telephone="0381000001", accord=True, date_accord=date(2025, 1, 1), actif=True)],
    "suivi": [dict(id_porteur="P1", date=date(2025, 6, 1), active=True, emplois=1, ca=Decimal("12000.50"))],
    "financement": [{"annee": 2025, "poste": "Poste 1", "etp": Decimal("0.8"), "cout": Decimal("50000"),
                     "part:Caisse des Dépôts": Decimal(30), "part:Agglomération": Decimal(40),
                     "part:Région": Decimal(20)}],
}

FRENCH_WORDS = {"le", "la", "les", "un", "une", "de", "des", "du", "est", "pas", "dans", "ou", "et", "au", "ne", "ni",
                "tapez", "saisissez", "corrigez", "choisissez", "renseignez", "vérifiez", "ajoutez", "n'est", "l'une"}
ENGLISH_WORDS = {"the", "is", "not", "invalid", "error", "must", "value", "should", "none"}


def looks_french(text: str) -> bool:
    words = set(re.findall(r"[\w']+", text.casefold()))
    return bool(words & FRENCH_WORDS) and not words & ENGLISH_WORDS


def clean_rows() -> dict:
    return copy.deepcopy(CLEAN)


def check_rows(tmp_path: Path, rows: dict, as_of: date = AS_OF):
    path = tmp_path / "classeur.xlsx"
    build_workbook(rows).save(path)
    return check_file(path, as_of)


def codes(dataset) -> list[str]:
    return [a.code for a in dataset.anomalies]


def _set(sheet: str, index: int, **values) -> Callable[[dict], None]:
    return lambda rows: rows[sheet][index].update(values)


def _append(sheet: str, **values) -> Callable[[dict], None]:
    return lambda rows: rows[sheet].append(dict(copy.deepcopy(rows[sheet][0]), **values))


def _drop(sheet: str, index: int) -> Callable[[dict], None]:
    return lambda rows: rows[sheet].pop(index)


def _all(*changes: Callable[[dict], None]) -> Callable[[dict], None]:
    def apply(rows):
        for change in changes:
            change(rows)
    return apply


@dataclass
class Case:
    code: str
    breaks: Callable[[dict], None]
    fixes: Callable[[dict], None]
    where: tuple  # feuille, ligne, colonne, cellule, valeur
    gravite: str = "Erreur"


CASES = [
    Case("required-missing", _set("porteurs", 1, nom=None), _set("porteurs", 1, nom="Durand"),
         ("Porteurs", 3, "Nom", "B3", None)),
    Case("date-invalid", _set("porteurs", 1, date_premier_contact="31/02/2025"),
         _set("porteurs", 1, date_premier_contact="28/02/2025"),
         ("Porteurs", 3, "Date premier contact", "J3", "31/02/2025")),
    Case("date-future", _set("porteurs", 1, date_premier_contact=date(2025, 7, 1)),
         _set("porteurs", 1, date_premier_contact=AS_OF),
         ("Porteurs", 3, "Date premier contact", "J3", "01/07/2025")),
    Case("date-too-early", _set("porteurs", 1, date_premier_contact=date(2004, 12, 31)),
         _set("porteurs", 1, date_premier_contact=date(2005, 1, 1)),
         ("Porteurs", 3, "Date premier contact", "J3", "31/12/2004")),
    Case("date-order", _set("porteurs", 0, date_orientation=date(2025, 1, 9)),
         _set("porteurs", 0, date_orientation=date(2025, 1, 10)),
         ("Porteurs", 2, "Date d'orientation", "O2", "09/01/2025")),
    Case("number-invalid", _set("rendez_vous", 0, duree="une heure"), _set("rendez_vous", 0, duree="45"),
         ("Rendez-vous", 2, "Durée (min)", "E2", "une heure")),
    Case("number-range", _set("rendez_vous", 0, duree=4), _set("rendez_vous", 0, duree=5),
         ("Rendez-vous", 2, "Durée (min)", "E2", "4")),
    Case("list-unknown", _set("porteurs", 1, quartier="Paris"),
         _set("porteurs", 1, quartier="  hauts de saint-claude "),
         ("Porteurs", 3, "Quartier", "F3", "Paris")),
    Case("ouinon-invalid", _set("porteurs", 1, consentement="x"), _set("porteurs", 1, consentement="oui"),
         ("Porteurs", 3, "Consentement RGPD", "V3", "x")),
    Case("id-duplicate", _append("porteurs", id="p1"), _append("porteurs", id="P3"),
         ("Porteurs", 4, "ID", "A4", "p1")),
    Case("id-unknown", _set("rendez_vous", 1, id_porteur="P9"), _set("rendez_vous", 1, id_porteur="p2"),
         ("Rendez-vous", 3, "ID porteur", "B3", "P9")),
    Case("siret-invalid", _set("porteurs", 0, siret="73282932000075"),
         _set("porteurs", 0, siret="732 829 320 00074"),
         ("Porteurs", 2, "SIRET", "R2", "73282932000075")),
    Case("phone-invalid", _set("porteurs", 0, telephone="12345"), _set("porteurs", 0, telephone="+33 3 81 00 00 00"),
         ("Porteurs", 2, "Téléphone", "T2", "12345")),
    Case("email-invalid", _set("porteurs", 0, email="awa@"), _set("porteurs", 0, email="Awa.Martin@exemple.fr"),
         ("Porteurs", 2, "Email", "U2", "awa@")),
    Case("status-incomplete", _set("porteurs", 0, date_creation=None),
         _set("porteurs", 0, date_creation=date(2025, 1, 10)),
         ("Porteurs", 2, "Date de création", "P2", None)),
    Case("age-out-of-range", _set("porteurs", 0, date_naissance=date(2010, 1, 11)),
         _set("porteurs", 0, date_naissance=date(2010, 1, 10)),
         ("Porteurs", 2, "Date de naissance", "E2", "11/01/2010")),
    Case("excel-error", _set("porteurs", 0, commentaire="#N/A"), _set("porteurs", 0, commentaire="N/A"),
         ("Porteurs", 2, "Commentaire", "W2", "#N/A")),
    Case("images-count", _set("photolangage", 0, images="1;2;3"), _set("photolangage", 0, images="1; 2 ;3;4"),
         ("Photolangage", 2, "Images", "C2", "1;2;3")),
    Case("photolangage-date-unknown", _set("photolangage", 0, date=date(2025, 2, 11)),
         _all(_set("photolangage", 0, date=date(2025, 2, 11)), _set("ateliers", 0, date=date(2025, 2, 11))),
         ("Photolangage", 2, "Date", "A2", "11/02/2025")),
    Case("participants-over", _set("ateliers", 0, participants=1), _set("ateliers", 0, participants=2),
         ("Ateliers", 2, "Participants", "D2", "1")),
    Case("suivi-not-created", _set("suivi", 0, id_porteur="P2"), _set("suivi", 0, id_porteur="p1"),
         ("Suivi", 2, "ID porteur", "A2", "P2")),
    Case("shares-over-100", _set("financement", 0, **{"part:Région": Decimal("50.5")}),
         _set("financement", 0, **{"part:Région": Decimal(30)}),
         ("Financement", 2, "Région (%)", "G2", "120.5")),  # the share that takes the sum past 100 %
    Case("funding-duplicate", _append("financement", poste="poste 1"), _append("financement", poste="Poste 2"),
         ("Financement", 3, "Poste", "B3", "2025, poste 1")),
    Case("referent-no-contact", _set("referents", 0, telephone=None),
         _set("referents", 0, telephone=None, email="jean@boulangerie-petit.fr"),
         ("Référents", 2, "Téléphone", "F2", None)),
    Case("rgpd-no-consent", _set("porteurs", 0, consentement=False),
         _set("porteurs", 0, consentement=False, telephone=None, email=None),
         ("Porteurs", 2, "Consentement RGPD", "V2", "Non"), "Avertissement"),
    Case("retention-expired",
         _all(_set("porteurs", 1, date_premier_contact=date(2021, 1, 10)),
              _set("rendez_vous", 1, date=date(2022, 6, 29))),
         _all(_set("porteurs", 1, date_premier_contact=date(2021, 1, 10)),
              _set("rendez_vous", 1, date=date(2022, 6, 30))),
         ("Porteurs", 3, "ID", "A3", "29/06/2022"), "Avertissement"),
    Case("porteur-no-rdv", _drop("rendez_vous", 1), _set("rendez_vous", 1, modalite="Téléphone"),
         ("Porteurs", 3, "ID", "A3", "P2"), "Avertissement"),
]


def test_the_clean_workbook_has_no_anomaly(tmp_path):
    dataset = check_rows(tmp_path, clean_rows())
    assert dataset.anomalies == []
    assert {k: len(dataset.table(k)) for k in CLEAN} == {k: len(v) for k, v in CLEAN.items()}


def test_every_kind_of_anomaly_has_a_case():
    tested = {c.code for c in CASES} | {"column-missing", "qpv-code-invalid"}  # a Paramètres cell: test_geography
    assert tested == {k.code for k in A.ALL_KINDS}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.code)
def test_anomaly_is_found_where_it_is(tmp_path, case):
    rows = clean_rows()
    case.breaks(rows)
    dataset = check_rows(tmp_path, rows)
    found = [a for a in dataset.anomalies if a.code == case.code]
    assert len(found) == 1, dataset.anomalies
    anomaly = found[0]
    assert (anomaly.feuille, anomaly.ligne, anomaly.colonne, anomaly.cellule, anomaly.valeur) == case.where
    assert anomaly.gravite.value == case.gravite
    assert anomaly.message.strip() and looks_french(anomaly.message), anomaly.message
    assert "{" not in anomaly.message and "None" not in anomaly.message
    if "{valeur}" in KINDS[case.code].template:
        assert anomaly.valeur in anomaly.message


# What each anomaly keeps besides its message, typed (a date stays a date), for whoever reads it next.
TYPED_PARAMETERS = {
    "required-missing": {"hint": "une valeur"},
    "date-future": {"limite": AS_OF},
    "date-too-early": {"limite": date(2005, 1, 1)},
    "date-order": {"autre": "Date premier contact", "autre_valeur": date(2025, 1, 10)},
    "number-range": {"mini": 5, "maxi": 480},
    "id-duplicate": {"premiere": 2},
    "status-incomplete": {"statut": "Créé"},
    "age-out-of-range": {"age": 14},
    "participants-over": {"nombre": 2},
    "shares-over-100": {"total": Decimal("120.5")},
    "funding-duplicate": {"premiere": 2},
    "retention-expired": {"dernier_contact": date(2022, 6, 29), "annees": 3},
}


@pytest.mark.parametrize("code", TYPED_PARAMETERS)
def test_anomaly_keeps_its_parameters_typed(tmp_path, code):
    rows = clean_rows()
    next(c for c in CASES if c.code == code).breaks(rows)
    (anomaly,) = [a for a in check_rows(tmp_path, rows).anomalies if a.code == code]
    assert {name: getattr(anomaly, name) for name in TYPED_PARAMETERS[code]} == TYPED_PARAMETERS[code]


def test_a_list_value_keeps_the_whole_list(tmp_path):
    rows = clean_rows()
    rows["porteurs"][1]["secteur"] = "Spatial"
    (anomaly,) = check_rows(tmp_path, rows).anomalies
    assert isinstance(anomaly, A.ListUnknown) and anomaly.choix == schema.DEFAULT_LISTS["Secteur"]
    assert len(anomaly.choix) > A.ListUnknown.SHOWN_CHOICES  # the message shows the first ones, the anomaly all
    assert anomaly.message.endswith(" … (ou ajoutez la valeur dans Paramètres).")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.code)
def test_corrected_value_gives_no_such_anomaly(tmp_path, case):
    rows = clean_rows()
    case.fixes(rows)
    dataset = check_rows(tmp_path, rows)
    assert case.code not in codes(dataset), dataset.anomalies
    assert dataset.errors == []


def test_status_orienté_needs_a_partner_and_the_partner_a_date(tmp_path):
    rows = clean_rows()
    rows["porteurs"][1].update(statut="Orienté")
    rows["porteurs"].append(dict(rows["porteurs"][1], id="P3", partenaire="BGE"))
    rows["rendez_vous"].append(dict(rows["rendez_vous"][1], id_porteur="P3"))
    dataset = check_rows(tmp_path, rows)
    assert [(a.code, a.cellule) for a in dataset.anomalies] == [
        ("status-incomplete", "N3"), ("status-incomplete", "O4")]
    assert all("Orienté" in a.message for a in dataset.anomalies)


def test_referent_who_agreed_needs_the_date_of_the_agreement(tmp_path):
    rows = clean_rows()
    rows["referents"][0]["date_accord"] = None
    dataset = check_rows(tmp_path, rows)
    assert [(a.code, a.cellule) for a in dataset.anomalies] == [("status-incomplete", "I2")]


def test_follow_up_before_the_creation_is_a_date_order_error(tmp_path):
    rows = clean_rows()
    rows["suivi"][0]["date"] = date(2025, 2, 28)
    (anomaly,) = check_rows(tmp_path, rows).anomalies
    assert (anomaly.code, anomaly.cellule) == ("date-order", "B2")
    assert "01/03/2025" in anomaly.message


@pytest.mark.parametrize("siret", ["35600000000048", "35600000049837", "356 000 000 49837"])
def test_la_poste_sirets_follow_their_own_rule(tmp_path, siret):
    rows = clean_rows()
    rows["porteurs"][0]["siret"] = siret
    assert check_rows(tmp_path, rows).anomalies == []


@pytest.mark.parametrize("siret", ["35600000049838", "3560000004983", "7328293200007A"])
def test_bad_sirets(tmp_path, siret):
    rows = clean_rows()
    rows["porteurs"][0]["siret"] = siret
    assert codes(check_rows(tmp_path, rows)) == ["siret-invalid"]


def test_age_limits_are_inclusive(tmp_path):
    rows = clean_rows()
    rows["porteurs"][0]["date_naissance"] = date(1934, 1, 11)  # 90 at first contact
    assert check_rows(tmp_path, rows).anomalies == []
    rows["porteurs"][0]["date_naissance"] = date(1934, 1, 10)  # 91
    assert codes(check_rows(tmp_path, rows)) == ["age-out-of-range"]


def test_planned_appointments_are_accepted_up_to_a_year_ahead(tmp_path):
    rows = clean_rows()
    rows["rendez_vous"].append(dict(date=date(2026, 6, 30), id_porteur="P2", type="Entretien"))
    assert check_rows(tmp_path, rows).anomalies == []
    rows["rendez_vous"][-1]["date"] = date(2026, 7, 1)
    assert codes(check_rows(tmp_path, rows)) == ["date-future"]


@pytest.mark.parametrize("typed, kind", [("12/03/3025", "date-invalid"), ("01/01/1850", "date-invalid")])
def test_years_far_off_are_refused_in_every_date_column(tmp_path, typed, kind):
    rows = clean_rows()
    rows["ateliers"][0]["date"] = typed
    rows["sensibilisation"][0]["date"] = typed
    rows["suivi"][0]["date"] = typed
    rows["porteurs"][1]["date_orientation"] = typed
    dataset = check_rows(tmp_path, rows)
    assert [(a.code, a.cellule) for a in dataset.anomalies if a.code == kind] == [
        (kind, "O3"), (kind, "A2"), (kind, "A2"), (kind, "B2")]
    assert dataset.ateliers["date"].isna().all() and dataset.suivi["date"].isna().all()


def test_funder_shares_out_of_range(tmp_path):
    rows = clean_rows()
    rows["financement"][0]["part:Agglomération"] = Decimal(-5)
    (anomaly,) = check_rows(tmp_path, rows).anomalies
    assert (anomaly.code, anomaly.cellule, anomaly.colonne) == ("number-range", "F2", "Agglomération (%)")


@pytest.mark.parametrize("etp, code", [(Decimal(0), "number-range"), (Decimal("1.2"), "number-range"),
                                       ("un", "number-invalid"), (Decimal("0.5"), None)])
def test_etp_is_above_zero_and_at_most_one(tmp_path, etp, code):
    rows = clean_rows()
    rows["financement"][0]["etp"] = etp
    assert codes(check_rows(tmp_path, rows)) == ([code] if code else [])


# --- a missing column ---------------------------------------------------------------

def _porteurs_sheet(path: Path, headers: list[str], *rows: list) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Porteurs"
    ws.append(["Liste des porteurs"])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


HEADERS = ["ID", "Nom", "Prénom", "Quartier", "Date premier contact", "Statut", "Consentement RGPD"]
ROW = ["P1", "Martin", "Awa", "Planoise", date(2025, 3, 12), "Accueil", "Oui"]


def test_column_missing(tmp_path):
    path = _porteurs_sheet(tmp_path / "sans_statut.xlsx", HEADERS[:5] + HEADERS[6:], ROW[:5] + ROW[6:])
    dataset = check_file(path, AS_OF)
    (anomaly,) = dataset.anomalies
    assert (anomaly.code, anomaly.gravite.value, anomaly.feuille, anomaly.ligne, anomaly.colonne) == \
        ("column-missing", "Erreur", "Porteurs", 2, "Statut")
    assert anomaly.cellule is None and anomaly.valeur is None
    assert looks_french(anomaly.message) and "Statut" in anomaly.message
    assert dataset.porteurs.loc[0, "nom"] == "Martin"
    assert dataset.porteurs["statut"].isna().all()


def test_column_present_gives_no_column_missing(tmp_path):
    dataset = check_file(_porteurs_sheet(tmp_path / "complet.xlsx", HEADERS, ROW), AS_OF)
    assert dataset.anomalies == []


def test_each_missing_required_column_is_reported_once(tmp_path):
    dataset = check_file(_porteurs_sheet(tmp_path / "maigre.xlsx", ["ID", "Nom"], ["P1", "Martin"], ["P2", "Durand"]),
                         AS_OF)
    assert sorted(a.colonne for a in dataset.anomalies) == sorted(
        ["Prénom", "Quartier", "Date premier contact", "Statut", "Consentement RGPD"])
    assert {a.code for a in dataset.anomalies} == {"column-missing"}


# --- one bad cell hides nothing -----------------------------------------------------

def test_a_row_with_three_bad_cells_gives_three_anomalies_and_the_other_rows_are_checked(tmp_path):
    rows = clean_rows()
    rows["porteurs"][0].update(quartier="Lune", telephone="12", date_premier_contact="hier")
    rows["porteurs"][1].update(consentement="peut-être")
    dataset = check_rows(tmp_path, rows)
    assert [(a.code, a.cellule) for a in dataset.errors] == [
        ("list-unknown", "F2"), ("date-invalid", "J2"), ("phone-invalid", "T2"), ("ouinon-invalid", "V3")]


def test_anomalies_of_every_sheet_are_reported_together(tmp_path):
    rows = clean_rows()
    rows["porteurs"][1]["sexe"] = "X"
    rows["sensibilisation"][0]["personnes"] = 2001
    rows["suivi"][0]["emplois"] = "deux"
    rows["financement"][0]["cout"] = Decimal(-1)
    dataset = check_rows(tmp_path, rows)
    assert [(a.feuille, a.code) for a in dataset.anomalies] == [
        ("Porteurs", "list-unknown"), ("Sensibilisation", "number-range"), ("Suivi", "number-invalid"),
        ("Financement", "number-range")]


def test_a_bad_cell_becomes_null_and_the_rest_of_the_row_is_kept(tmp_path):
    rows = clean_rows()
    rows["porteurs"][0].update(quartier="Lune", date_creation="bientôt")
    rows["rendez_vous"][0]["duree"] = 1000
    dataset = check_rows(tmp_path, rows)
    porteur = dataset.porteurs.iloc[0]
    assert porteur["quartier"] is None and pd.isna(porteur["date_creation"])
    assert (porteur["id"], porteur["nom"], porteur["statut"]) == ("P1", "Martin", "Créé")
    assert porteur["date_premier_contact"] == datetime(2025, 1, 10)
    rdv = dataset.rendez_vous.iloc[0]
    assert pd.isna(rdv["duree"]) and rdv["type"] == "Premier accueil"
    assert len(dataset.porteurs) == 2 and len(dataset.rendez_vous) == 2


def test_a_duplicate_id_keeps_its_row_without_the_id(tmp_path):
    rows = clean_rows()
    rows["porteurs"].append(dict(rows["porteurs"][1], id="P2", nom="Autre"))
    dataset = check_rows(tmp_path, rows)
    assert codes(dataset) == ["id-duplicate"]
    assert list(dataset.porteurs["id"]) == ["P1", "P2", None]
    assert dataset.porteurs.iloc[2]["nom"] == "Autre"


# --- canonical values ---------------------------------------------------------------

def test_list_and_oui_non_values_are_stored_in_their_canonical_spelling(tmp_path):
    rows = clean_rows()
    rows["porteurs"][0].update(quartier="planoise ", sexe="femme", statut="CRÉÉ", consentement="OUI",
                               situation="demandeur d’emploi", forme="micro-entreprise")
    rows["porteurs"][1].update(sexe="h", statut="accueil", consentement="n", quartier="HORS  QPV")
    rows["referents"][0].update(accord="Oui", actif="O")
    rows["rendez_vous"][0]["modalite"] = "face-a-face"
    dataset = check_rows(tmp_path, rows)
    assert codes(dataset) == []
    porteurs = dataset.porteurs
    assert list(porteurs["quartier"]) == ["Planoise", "Hors QPV"]
    assert list(porteurs["sexe"]) == ["F", "H"]
    assert list(porteurs["statut"]) == ["Créé", "Accueil"]
    assert list(porteurs["consentement"]) == [True, False]
    assert porteurs.loc[0, "situation"] == "Demandeur d'emploi"
    assert porteurs.loc[0, "forme"] == "Micro-entreprise"
    assert dataset.rendez_vous.loc[0, "modalite"] == "Face-à-face"
    assert dataset.referents.loc[0, "actif"] is True


def test_typed_values_in_the_dataset(tmp_path):
    dataset = check_rows(tmp_path, clean_rows())
    assert dataset.suivi.loc[0, "ca"] == Decimal("12000.50")
    assert dataset.financement.loc[0, "part:Agglomération"] == Decimal(40)
    assert dataset.financement.loc[0, "etp"] == Decimal("0.8")
    assert str(dataset.rendez_vous["duree"].dtype) == "Int64"
    assert dataset.porteurs.loc[0, "siret"] == "73282932000074"
    assert dataset.funders == ("Caisse des Dépôts", "Agglomération", "Région")


def test_a_fully_clean_workbook_has_no_error_even_with_warnings(tmp_path):
    rows = clean_rows()
    rows["rendez_vous"].pop()
    dataset = check_rows(tmp_path, rows)
    assert dataset.errors == []
    assert codes(dataset) == ["porteur-no-rdv"]


# --- whole columns --------------------------------------------------------------------

def test_a_bad_value_repeated_down_a_column_is_named_at_each_of_its_cells(tmp_path):
    rows = clean_rows()
    for ident in ("P3", "P4"):
        rows["porteurs"].append(dict(rows["porteurs"][1], id=ident))
        rows["rendez_vous"].append(dict(rows["rendez_vous"][1], id_porteur=ident))
    for porteur in rows["porteurs"][1:]:
        porteur["quartier"] = "Lune"  # one distinct value, converted once, refused at three cells
    dataset = check_rows(tmp_path, rows)
    assert [(a.code, a.ligne, a.colonne, a.cellule, a.valeur) for a in dataset.errors] == [
        ("list-unknown", n, "Quartier", f"F{n}", "Lune") for n in (3, 4, 5)]
    assert dataset.porteurs["quartier"].tolist() == ["Planoise", None, None, None]


def test_equal_numbers_of_different_types_are_converted_each_as_itself():
    typed, refused = validation.convert_column([1.0, True, 1, 2.5, 1.0, None], cells.to_int)
    assert typed == [1, None, 1, None, 1, None] and [type(v) for v in typed[:1]] == [int]
    assert [(index, anomaly.code) for index, anomaly in refused] == [(1, "number-invalid"), (3, "number-invalid")]
    texts, _ = validation.convert_column([1.0, True, "  x ", "  x "], cells.to_text)
    assert texts == ["1", "True", "x", "x"]


def test_a_required_blank_is_refused_at_each_blank_cell_and_an_optional_one_is_null():
    missing = validation.Refused(A.RequiredMissing(hint="une valeur"))
    typed, refused = validation.convert_column(["a", None, "  ", "b", None], cells.to_text, missing)
    assert typed == ["a", None, None, "b", None]
    assert [(index, anomaly.code) for index, anomaly in refused] == [
        (1, "required-missing"), (2, "required-missing"), (4, "required-missing")]
    assert validation.convert_column(["a", None, "  "], cells.to_text) == (["a", None, None], [])


@pytest.mark.parametrize("enabled", [True, False])
def test_validation_leaves_the_garbage_collector_as_it_found_it(tmp_path, enabled):
    seen = []
    original = row_rules.cross_sheet

    def spy(*args):
        seen.append(gc.isenabled())
        return original(*args)

    (gc.enable if enabled else gc.disable)()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(validation, "cross_sheet", spy)
            check_rows(tmp_path, clean_rows())
        assert seen == [False] and gc.isenabled() is enabled
    finally:
        gc.enable()


def test_an_error_cell_and_the_same_text_typed_in_a_cell_are_told_apart():
    typed, refused = validation.convert_column(["#N/A", ExcelError("#N/A"), "#N/A"], cells.to_text)
    assert typed == ["#N/A", None, "#N/A"]
    assert [(index, anomaly.code) for index, anomaly in refused] == [(1, A.ExcelErrorValue.code)]
