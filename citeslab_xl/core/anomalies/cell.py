"""Anomalies of one cell: a value that cannot be read as its column's type, or breaks its column's rule.

The converters of `cells.py` and the column rules of `validation.py` raise
`BadCell` carrying one of these, not yet placed; validation places it at the
cell and keeps the value found there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from citeslab_xl.core.anomalies.base import Anomaly, show


class CellAnomaly(Anomaly):
    """A problem in one cell."""

    code = "cell"
    description = "Une cellule dont la valeur ne convient pas à sa colonne."


class BadCell(Exception):
    """A cell refused by a converter or a column rule; `anomaly` says why, validation says where."""

    def __init__(self, anomaly: CellAnomaly):
        super().__init__(anomaly.code)
        self.anomaly = anomaly


@dataclass(frozen=True, kw_only=True)
class RequiredMissing(CellAnomaly):
    code = "required-missing"
    template = "« {colonne} » est obligatoire : saisissez {hint}."
    description = "Une cellule obligatoire est vide."

    hint: str  # what to type, e.g. "une date comme 12/03/2025"


class DateInvalid(CellAnomaly):
    code = "date-invalid"
    template = "« {valeur} » n'est pas une date : tapez une date comme 12/03/2025."
    description = "La cellule n'est pas une date, ou une date impossible (31/02, année hors 1900-2099)."


@dataclass(frozen=True, kw_only=True)
class DateFuture(CellAnomaly):
    code = "date-future"
    template = "La date {valeur} est postérieure au {limite} : corrigez-la (date passée attendue)."
    description = "Une date qui ne peut pas être dans le futur l'est (ou dépasse la limite de la colonne)."

    limite: date  # the latest date the column allows


@dataclass(frozen=True, kw_only=True)
class DateTooEarly(CellAnomaly):
    code = "date-too-early"
    template = "La date {valeur} est antérieure au {limite} : vérifiez l'année."
    description = "Une date antérieure à la première date plausible de la colonne."

    limite: date  # the earliest date the column allows


@dataclass(frozen=True, kw_only=True)
class NumberInvalid(CellAnomaly):
    code = "number-invalid"
    template = "« {valeur} » n'est pas un nombre : tapez {hint}."
    description = "La cellule n'est pas un nombre (ou pas un nombre entier là où il en faut un)."

    hint: str  # what to type, e.g. "un nombre entier, par exemple 45"


@dataclass(frozen=True, kw_only=True)
class NumberRange(CellAnomaly):
    code = "number-range"
    template = "{valeur} est hors des limites de « {colonne} » : tapez une valeur entre {mini} et {maxi}."
    description = "Un nombre hors des limites de sa colonne."

    mini: int
    maxi: int | None  # None: no upper limit

    def params(self) -> dict[str, str]:
        return {"mini": show(self.mini), "maxi": "∞" if self.maxi is None else show(self.maxi)}


@dataclass(frozen=True, kw_only=True)
class ListUnknown(CellAnomaly):
    code = "list-unknown"
    template = ("« {valeur} » n'est pas dans la liste « {liste} » : choisissez {choix} "
                "(ou ajoutez la valeur dans Paramètres).")
    description = "Une valeur absente de la liste de la colonne (listes de Paramètres)."

    liste: str  # the list's name in Paramètres
    choix: tuple[str, ...]  # every value the list allows
    SHOWN_CHOICES: ClassVar[int] = 8

    def params(self) -> dict[str, str]:
        shown = ", ".join(self.choix[:self.SHOWN_CHOICES]) + (" …" if len(self.choix) > self.SHOWN_CHOICES else "")
        return {"liste": self.liste, "choix": shown}


class OuiNonInvalid(CellAnomaly):
    code = "ouinon-invalid"
    template = "« {valeur} » n'est pas une réponse oui/non : tapez Oui ou Non."
    description = "Une cellule Oui/Non qui contient autre chose."


class SiretInvalid(CellAnomaly):
    code = "siret-invalid"
    template = "« {valeur} » n'est pas un SIRET valide : tapez les 14 chiffres figurant sur l'avis de situation INSEE."
    description = "Un SIRET qui n'a pas 14 chiffres ou dont la clé de contrôle est fausse."


class PhoneInvalid(CellAnomaly):
    code = "phone-invalid"
    template = ("« {valeur} » n'est pas un numéro français : tapez 10 chiffres commençant par 0 "
                "(ex. 03 81 00 00 00) ou +33.")
    description = "Un numéro de téléphone qui n'est pas un numéro français."


class EmailInvalid(CellAnomaly):
    code = "email-invalid"
    template = "« {valeur} » n'est pas une adresse e-mail : tapez une adresse comme prenom.nom@exemple.fr."
    description = "Une adresse e-mail mal formée."


class ImagesCount(CellAnomaly):
    code = "images-count"
    template = "« {valeur} » : tapez exactement quatre numéros d'images séparés par « ; » (ex. 3;17;22;40)."
    description = "Un Photolangage qui ne cite pas exactement quatre numéros d'images."


class ExcelErrorValue(CellAnomaly):
    code = "excel-error"
    template = "La cellule affiche l'erreur {valeur} : corrigez la formule, ou tapez la valeur elle-même."
    description = "Une cellule qui affiche une erreur d'Excel (#N/A, #DIV/0!, #REF!...) au lieu d'une valeur."


CELL_KINDS: tuple[type[CellAnomaly], ...] = (
    RequiredMissing, DateInvalid, DateFuture, DateTooEarly, NumberInvalid, NumberRange, ListUnknown,
    OuiNonInvalid, SiretInvalid, PhoneInvalid, EmailInvalid, ImagesCount, ExcelErrorValue,
)
