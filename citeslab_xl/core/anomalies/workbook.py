"""Anomalies of a sheet or between sheets: missing columns, duplicate and unknown identifiers, QPV codes.

In Paramètres, an unreadable setting keeps its default, as the workbook
contract says; only a QPV code of no official form is an anomaly.
"""

from __future__ import annotations

from dataclasses import dataclass

from citeslab_xl.core.anomalies.base import Anomaly, Gravite


class WorkbookAnomaly(Anomaly):
    """A rule over a whole sheet, or between sheets."""

    code = "workbook"
    description = "Une règle d'une feuille entière, ou entre feuilles."


class ColumnMissing(WorkbookAnomaly):
    code = "column-missing"
    template = "La colonne obligatoire « {colonne} » est absente : ajoutez-la dans la ligne d'en-tête."
    description = "Une colonne obligatoire manque dans la ligne d'en-tête de la feuille."


@dataclass(frozen=True, kw_only=True)
class IdDuplicate(WorkbookAnomaly):
    code = "id-duplicate"
    template = "L'identifiant « {valeur} » est déjà utilisé ligne {premiere} : donnez un identifiant unique."
    description = "Un identifiant utilisé deux fois dans la feuille (sans tenir compte des majuscules)."

    premiere: int  # the Excel row where the identifier first appears


@dataclass(frozen=True, kw_only=True)
class FundingDuplicate(WorkbookAnomaly):
    code = "funding-duplicate"
    template = ("Le couple (Année, Poste) ({valeur}) figure déjà ligne {premiere} : "
                "une seule ligne par année et par poste.")
    description = "Deux lignes de Financement pour la même année et le même poste."

    premiere: int  # the Excel row where the pair first appears


class IdUnknown(WorkbookAnomaly):
    code = "id-unknown"
    template = ("L'identifiant « {valeur} » n'existe pas dans la feuille Porteurs : "
                "tapez l'ID d'un porteur existant.")
    description = "Un identifiant de porteur qui n'est pas dans la feuille Porteurs."


class PhotolangageDateUnknown(WorkbookAnomaly):
    code = "photolangage-date-unknown"
    template = ("Aucun atelier Photolangage n'a lieu le {valeur} dans Ateliers : "
                "corrigez la date ou ajoutez l'atelier.")
    description = "Un Photolangage à une date où la feuille Ateliers n'a pas d'atelier Photolangage."


class SuiviNotCreated(WorkbookAnomaly):
    code = "suivi-not-created"
    template = ("Le porteur « {valeur} » n'a pas le statut Créé : "
                "un suivi ne concerne qu'une entreprise créée.")
    description = "Un suivi post-création pour un porteur dont le statut n'est pas Créé."


class NoRendezVous(WorkbookAnomaly):
    code = "porteur-no-rdv"
    gravite = Gravite.AVERTISSEMENT
    template = "Aucun rendez-vous pour le porteur « {valeur} » : ajoutez le premier accueil dans Rendez-vous."
    description = "Un porteur sans aucun rendez-vous (pas même le premier accueil)."


@dataclass(frozen=True, kw_only=True)
class QpvCodeInvalid(WorkbookAnomaly):
    code = "qpv-code-invalid"
    template = ("Le code QPV « {valeur} » du quartier « {quartier} » n'a pas la forme d'un code officiel : "
                "tapez QN, le département sur 3 chiffres, 2 chiffres et une lettre (par exemple QN02517N), "
                "ou QP suivi de 6 chiffres (géographie 2015), ou laissez la cellule vide.")
    description = "Un code QPV de Paramètres › Quartiers qui n'a pas la forme QN02517N (2024) ou QP025001 (2015)."

    quartier: str


WORKBOOK_KINDS: tuple[type[WorkbookAnomaly], ...] = (
    ColumnMissing, IdDuplicate, FundingDuplicate, IdUnknown, PhotolangageDateUnknown, SuiviNotCreated,
    NoRendezVous, QpvCodeInvalid,
)
