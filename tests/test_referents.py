"""Référents de parcours suggested to porteurs in Émergence or En création."""

from datetime import date

from citeslab_xl.core.dataset import from_records
from citeslab_xl.core.referents import Suggestion, suggest_referents


def porteur(id_, statut, secteur, contact):
    return {"id": id_, "nom": "N", "prenom": "P", "quartier": "Hors QPV", "statut": statut, "secteur": secteur,
            "date_premier_contact": contact, "consentement": True}


def referent(id_, secteur, accord=True, actif=True):
    return {"id": id_, "nom": "N", "prenom": "P", "entreprise": "E", "secteur": secteur, "email": "a@b.fr",
            "accord": accord, "actif": actif}


def build(porteurs, referents):
    records = {"porteurs": porteurs, "referents": referents}
    return from_records({k: [{"_row": i + 2, **r} for i, r in enumerate(v)] for k, v in records.items()})


REFERENTS = [
    referent("R3", "BTP"), referent("R1", "BTP"), referent("R4", "BTP"), referent("R2", "BTP"),
    referent("R5", "BTP", accord=False),
    referent("R6", "BTP", actif=False),
    referent("R8", "BTP", accord=None),  # invalid Accord: not a yes
    referent("R7", "Commerce"),
]
PORTEURS = [
    porteur("B", "En création", "BTP", date(2026, 2, 1)),
    porteur("G", "Émergence", "BTP", date(2026, 1, 1)),
    porteur("A", "Émergence", "BTP", date(2026, 1, 1)),
    porteur("C", "Accueil", "BTP", date(2025, 1, 1)),  # not building a project yet
    porteur("D", "Émergence", None, date(2025, 1, 1)),  # no Secteur
    porteur("E", "Émergence", "Commerce", date(2026, 3, 1)),
    porteur("F", "En création", "Numérique", date(2026, 1, 15)),
]


def test_suggestions_share_the_load_in_order_of_first_contact():
    # served A, G (same day, by ID), F, B, E; each gets the least suggested référents of its sector
    assert suggest_referents(build(PORTEURS, REFERENTS)) == [
        Suggestion("A", "BTP", ("R1", "R2", "R3")),  # all at 0
        Suggestion("G", "BTP", ("R4", "R1", "R2")),  # R4 at 0, then R1, R2, R3 at 1, by ID
        Suggestion("F", "Numérique", ()),  # nobody in that sector
        Suggestion("B", "BTP", ("R3", "R4", "R1")),  # R3, R4 at 1; R1, R2 at 2
        Suggestion("E", "Commerce", ("R7",)),
    ]


def test_no_referent_sheet_gives_empty_suggestions():
    assert suggest_referents(build([porteur("A", "Émergence", "BTP", date(2026, 1, 1))], [])) == [
        Suggestion("A", "BTP", ())]
