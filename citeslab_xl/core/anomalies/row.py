"""Anomalies of one row: cells that are each readable but disagree with one another.

The anomaly points at the cell to correct; the other cells it was compared
with are its parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from citeslab_xl.core.anomalies.base import Anomaly


class RowAnomaly(Anomaly):
    """A rule between the cells of one row."""

    code = "row"
    description = "Des cellules d'une même ligne qui se contredisent."


@dataclass(frozen=True, kw_only=True)
class DateOrder(RowAnomaly):
    code = "date-order"
    template = ("« {colonne} » ({valeur}) ne peut pas être avant « {autre} » ({autre_valeur}) : "
                "corrigez l'une des deux dates.")
    description = "Une date antérieure à celle qui doit la précéder (orientation avant premier contact…)."

    autre: str  # the header of the date that must come first
    autre_valeur: date


@dataclass(frozen=True, kw_only=True)
class StatusIncomplete(RowAnomaly):
    code = "status-incomplete"
    template = "Le statut « {statut} » demande « {colonne} » : renseignez-la ou changez le statut."
    description = "Un statut (ou une réponse) qui exige une autre cellule restée vide."

    statut: str  # what requires the cell, e.g. "Créé" or "Accord de contact = Oui"


@dataclass(frozen=True, kw_only=True)
class AgeOutOfRange(RowAnomaly):
    code = "age-out-of-range"
    template = "Âge au premier contact de {age} ans : vérifiez la date de naissance (entre 15 et 90 ans attendu)."
    description = "Un âge au premier contact hors de 15 à 90 ans : la date de naissance est sans doute fausse."

    age: int


@dataclass(frozen=True, kw_only=True)
class ParticipantsOver(RowAnomaly):
    code = "participants-over"
    template = ("{nombre} identifiants pour {valeur} participants : "
                "augmentez « Participants » ou retirez des identifiants.")
    description = "Un atelier qui liste plus d'identifiants de porteurs que de participants."

    nombre: int  # how many IDs the row lists


@dataclass(frozen=True, kw_only=True)
class SharesOver100(RowAnomaly):
    code = "shares-over-100"
    template = "Les parts des financeurs font {total} % : la somme doit rester inférieure ou égale à 100 %."
    description = "Des parts de financeurs dont la somme dépasse 100 %."

    total: Decimal  # the sum of the shares, in %


class ReferentNoContact(RowAnomaly):
    code = "referent-no-contact"
    template = "Ce référent n'a ni téléphone ni e-mail : renseignez au moins l'un des deux."
    description = "Un référent qu'on ne peut pas joindre."


ROW_KINDS: tuple[type[RowAnomaly], ...] = (
    DateOrder, StatusIncomplete, AgeOutOfRange, ParticipantsOver, SharesOver100, ReferentNoContact,
)
