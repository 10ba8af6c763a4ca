"""The anomaly taxonomy: stable codes, one message per kind, typed parameters kept on the occurrence."""

from __future__ import annotations

import string
from dataclasses import FrozenInstanceError, fields
from datetime import date
from decimal import Decimal

import pytest

from citeslab_xl.core import anomalies as A
from citeslab_xl.core import cells
from citeslab_xl.core.anomalies import cell, privacy, row, workbook

WHERE = A.Position("Porteurs", 12, "Date d'orientation", 15)
TEN_VALUES = tuple(f"V{i}" for i in range(10))

# Each kind with typed parameters, the value found in the cell, and the message scripts and users have read
# since the codes were first published: a change here is a change of the contract.
MESSAGES: dict[str, tuple[A.Anomaly, object, str]] = {
    "required-missing": (A.RequiredMissing(hint="une date comme 12/03/2025"), None,
                         "« Date d'orientation » est obligatoire : saisissez une date comme 12/03/2025."),
    "date-invalid": (A.DateInvalid(), "31/02/1997",
                     "« 31/02/1997 » n'est pas une date : tapez une date comme 12/03/2025."),
    "date-future": (A.DateFuture(limite=date(2026, 11, 26)), "01/01/2030",
                    "La date 01/01/2030 est postérieure au 26/11/2026 : corrigez-la (date passée attendue)."),
    "date-too-early": (A.DateTooEarly(limite=date(2005, 1, 1)), date(1999, 1, 1),
                       "La date 01/01/1999 est antérieure au 01/01/2005 : vérifiez l'année."),
    "number-invalid": (A.NumberInvalid(hint="un nombre entier, par exemple 45"), "douze",
                       "« douze » n'est pas un nombre : tapez un nombre entier, par exemple 45."),
    "number-range": (A.NumberRange(mini=0, maxi=None), -3.0,
                     "-3 est hors des limites de « Date d'orientation » : tapez une valeur entre 0 et ∞."),
    "list-unknown": (A.ListUnknown(liste="Quartier", choix=TEN_VALUES), "Mars",
                     "« Mars » n'est pas dans la liste « Quartier » : choisissez V0, V1, V2, V3, V4, V5, V6, V7 … "
                     "(ou ajoutez la valeur dans Paramètres)."),
    "ouinon-invalid": (A.OuiNonInvalid(), "peut-être",
                       "« peut-être » n'est pas une réponse oui/non : tapez Oui ou Non."),
    "siret-invalid": (A.SiretInvalid(), "123",
                      "« 123 » n'est pas un SIRET valide : tapez les 14 chiffres figurant sur l'avis de situation "
                      "INSEE."),
    "phone-invalid": (A.PhoneInvalid(), "12 34",
                      "« 12 34 » n'est pas un numéro français : tapez 10 chiffres commençant par 0 "
                      "(ex. 03 81 00 00 00) ou +33."),
    "email-invalid": (A.EmailInvalid(), "a@b",
                      "« a@b » n'est pas une adresse e-mail : tapez une adresse comme prenom.nom@exemple.fr."),
    "images-count": (A.ImagesCount(), "1;2",
                     "« 1;2 » : tapez exactement quatre numéros d'images séparés par « ; » (ex. 3;17;22;40)."),
    "excel-error": (A.ExcelErrorValue(), "#N/A",
                    "La cellule affiche l'erreur #N/A : corrigez la formule, ou tapez la valeur elle-même."),
    "date-order": (A.DateOrder(autre="Date premier contact", autre_valeur=date(2023, 12, 15)), date(2023, 12, 6),
                   "« Date d'orientation » (06/12/2023) ne peut pas être avant « Date premier contact » "
                   "(15/12/2023) : corrigez l'une des deux dates."),
    "status-incomplete": (A.StatusIncomplete(statut="Créé"), None,
                          "Le statut « Créé » demande « Date d'orientation » : renseignez-la ou changez le statut."),
    "age-out-of-range": (A.AgeOutOfRange(age=9), date(2016, 1, 1),
                         "Âge au premier contact de 9 ans : vérifiez la date de naissance "
                         "(entre 15 et 90 ans attendu)."),
    "participants-over": (A.ParticipantsOver(nombre=3), 2,
                          "3 identifiants pour 2 participants : augmentez « Participants » ou retirez des "
                          "identifiants."),
    "shares-over-100": (A.SharesOver100(total=Decimal("120.50")), Decimal("120.50"),
                        "Les parts des financeurs font 120.5 % : la somme doit rester inférieure ou égale à 100 %."),
    "referent-no-contact": (A.ReferentNoContact(), None,
                            "Ce référent n'a ni téléphone ni e-mail : renseignez au moins l'un des deux."),
    "column-missing": (A.ColumnMissing(), None,
                       "La colonne obligatoire « Date d'orientation » est absente : ajoutez-la dans la ligne "
                       "d'en-tête."),
    "id-duplicate": (A.IdDuplicate(premiere=7), "P-1",
                     "L'identifiant « P-1 » est déjà utilisé ligne 7 : donnez un identifiant unique."),
    "funding-duplicate": (A.FundingDuplicate(premiere=2), "2025, poste 1",
                          "Le couple (Année, Poste) (2025, poste 1) figure déjà ligne 2 : une seule ligne par année "
                          "et par poste."),
    "id-unknown": (A.IdUnknown(), "P-9",
                   "L'identifiant « P-9 » n'existe pas dans la feuille Porteurs : tapez l'ID d'un porteur existant."),
    "photolangage-date-unknown": (A.PhotolangageDateUnknown(), date(2025, 2, 10),
                                  "Aucun atelier Photolangage n'a lieu le 10/02/2025 dans Ateliers : corrigez la "
                                  "date ou ajoutez l'atelier."),
    "suivi-not-created": (A.SuiviNotCreated(), "P-2",
                          "Le porteur « P-2 » n'a pas le statut Créé : un suivi ne concerne qu'une entreprise "
                          "créée."),
    "porteur-no-rdv": (A.NoRendezVous(), "P-3",
                       "Aucun rendez-vous pour le porteur « P-3 » : ajoutez le premier accueil dans Rendez-vous."),
    "qpv-code-invalid": (A.QpvCodeInvalid(quartier="Battant"), "QN2517",
                         "Le code QPV « QN2517 » du quartier « Battant » n'a pas la forme d'un code officiel : "
                         "tapez QN, le département sur 3 chiffres, 2 chiffres et une lettre (par exemple QN02517N), "
                         "ou QP suivi de 6 chiffres (géographie 2015), ou laissez la cellule vide."),
    "rgpd-no-consent": (A.NoConsent(), "Non",
                        "Coordonnées personnelles sans consentement RGPD : effacez-les ou recueillez le "
                        "consentement (Oui)."),
    "retention-expired": (A.RetentionExpired(dernier_contact=date(2022, 6, 29), annees=3), date(2022, 6, 29),
                          "Dernier contact le 29/06/2022 : la durée de conservation (3 ans) est dépassée ; "
                          "anonymisez ou supprimez ce dossier."),
}
WARNINGS = {"rgpd-no-consent", "retention-expired", "porteur-no-rdv"}
SCOPES = {cell: A.CellAnomaly, row: A.RowAnomaly, workbook: A.WorkbookAnomaly, privacy: A.PrivacyAnomaly}


def concrete_kinds(base: type[A.Anomaly] = A.Anomaly) -> set[type[A.Anomaly]]:
    found = set()
    for sub in base.__subclasses__():
        if sub not in SCOPES.values():
            found.add(sub)
        found |= concrete_kinds(sub)
    return found


def test_the_codes_are_unique_and_the_same_as_ever():
    codes = [kind.code for kind in A.ALL_KINDS]
    assert len(codes) == len(set(codes))
    assert set(codes) == set(MESSAGES)
    assert {kind.code: kind for kind in A.ALL_KINDS} == A.BY_CODE


def test_the_registry_lists_every_kind_defined():
    assert set(A.ALL_KINDS) == concrete_kinds()


@pytest.mark.parametrize("module", SCOPES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_each_module_holds_the_kinds_of_its_scope(module):
    defined = {k for k in vars(module).values() if isinstance(k, type) and k in set(A.ALL_KINDS)}
    assert defined and all(issubclass(kind, SCOPES[module]) for kind in defined)


@pytest.mark.parametrize("code", MESSAGES)
def test_the_message_is_rendered_from_the_template_as_before(code):
    kind_params, value, message = MESSAGES[code]
    anomaly = kind_params.at(WHERE, value)
    assert type(anomaly) is A.BY_CODE[code]
    assert anomaly.message == message
    assert anomaly.gravite is (A.Gravite.AVERTISSEMENT if code in WARNINGS else A.Gravite.ERREUR)


@pytest.mark.parametrize("kind", A.ALL_KINDS, ids=lambda k: k.code)
def test_the_template_names_only_the_position_and_the_kind_s_own_parameters(kind):
    named = {name for _, name, _, _ in string.Formatter().parse(kind.template) if name}
    own = {f.name for f in fields(kind)} - {"position", "valeur"}
    assert named <= own | {"valeur", "colonne"}
    assert kind.description and kind.description != A.Anomaly.description


def test_the_occurrence_keeps_its_typed_parameters_and_position():
    expired = A.RetentionExpired(dernier_contact=date(2022, 6, 29), annees=3).at(WHERE, date(2022, 6, 29))
    assert expired.dernier_contact == date(2022, 6, 29) and expired.annees == 3
    assert (expired.feuille, expired.ligne, expired.colonne, expired.cellule, expired.valeur) == (
        "Porteurs", 12, "Date d'orientation", "O12", "29/06/2022")
    assert A.Position("Porteurs", 12, "Date d'orientation").cellule is None  # a column absent from the file


def test_placing_an_anomaly_makes_a_new_one():
    found = A.DateFuture(limite=date(2026, 11, 26))
    placed = found.at(WHERE, "01/01/2030")
    assert found.position == A.UNPLACED and found.valeur is None
    assert placed == A.DateFuture(position=WHERE, valeur="01/01/2030", limite=date(2026, 11, 26))
    with pytest.raises(FrozenInstanceError):
        placed.valeur = "autre"  # type: ignore[misc]


def test_json_keeps_the_published_keys_in_order():
    anomaly = A.ListUnknown(liste="Sexe", choix=("F", "H")).at(A.Position("Porteurs", 4, "Sexe", 4), "X")
    assert anomaly.to_json() == {
        "code": "list-unknown", "gravite": "Erreur", "feuille": "Porteurs", "ligne": 4, "colonne": "Sexe",
        "cellule": "D4", "valeur": "X",
        "message": "« X » n'est pas dans la liste « Sexe » : choisissez F, H (ou ajoutez la valeur dans Paramètres).",
    }
    assert list(anomaly.to_json()) == ["code", "gravite", "feuille", "ligne", "colonne", "cellule", "valeur", "message"]


@pytest.mark.parametrize(("convert", "value", "expected"), [
    (lambda v: cells.to_date(v), "31/02/1997", A.DateInvalid()),
    (lambda v: cells.to_int(v), "douze", A.NumberInvalid(hint="un nombre entier, par exemple 45")),
    (lambda v: cells.to_decimal(v), "beaucoup", A.NumberInvalid(hint="un montant, par exemple 1250,50")),
    (lambda v: cells.to_bool(v), "peut-être", A.OuiNonInvalid()),
    (lambda v: cells.to_list_value(v, TEN_VALUES, "Quartier"), "Mars", A.ListUnknown(liste="Quartier",
                                                                                      choix=TEN_VALUES)),
    (lambda v: cells.check_siret(v), "73282932000075", A.SiretInvalid()),
    (lambda v: cells.check_phone(v), "12 34", A.PhoneInvalid()),
    (lambda v: cells.check_email(v), "a@b", A.EmailInvalid()),
    (lambda v: cells.check_images(v), "1;2", A.ImagesCount()),
])
def test_a_converter_refuses_a_cell_with_the_anomaly_of_the_taxonomy(convert, value, expected):
    with pytest.raises(A.BadCell) as refused:
        convert(value)
    assert refused.value.anomaly == expected  # unplaced: validation says where
