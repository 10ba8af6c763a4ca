"""What every anomaly is: a kind (class) and an occurrence (instance).

A kind is a subclass of `Anomaly` with a stable `code` (what scripts and tests
rely on), a `gravite`, a French `template` that says what to type instead, and
a `description` of the rule. An occurrence is an instance: where it is (a
`Position`), the value as the cell showed it, and the kind's own typed
parameters (a date stays a `date`), from which the message is rendered.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar, Self

from citeslab_xl.core.text import column_letter


class Gravite(StrEnum):
    ERREUR = "Erreur"
    AVERTISSEMENT = "Avertissement"


def show(value: object) -> str:
    """A value as the coordinator would read it in a message."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


@dataclass(frozen=True)
class Position:
    """Where an anomaly is: a sheet, and when known its Excel row and column."""

    feuille: str
    ligne: int | None = None
    colonne: str | None = None  # the header as typed in the file
    index: int | None = None  # the column's Excel number, 1-based

    @property
    def cellule(self) -> str | None:
        if self.ligne is None or self.index is None:
            return None
        return f"{column_letter(self.index)}{self.ligne}"


# A converter finds a bad cell without knowing where it is; validation places it.
UNPLACED = Position("")
_OCCURRENCE_FIELDS = frozenset({"position", "valeur"})


@dataclass(frozen=True, kw_only=True)
class Anomaly:
    """One occurrence of a problem; its class is its kind."""

    code: ClassVar[str] = "anomaly"
    gravite: ClassVar[Gravite] = Gravite.ERREUR
    template: ClassVar[str] = "{valeur}"
    description: ClassVar[str] = "Une anomalie du classeur."

    position: Position = UNPLACED
    valeur: str | None = None  # the value as the coordinator reads it in the cell

    def at(self, position: Position, value: object = None) -> Self:
        """The same anomaly placed in the workbook, with the value found there."""
        return replace(self, position=position, valeur=None if value is None else show(value))

    def params(self) -> dict[str, str]:
        """The kind's own parameters as the message shows them."""
        return {f.name: show(getattr(self, f.name)) for f in fields(self) if f.name not in _OCCURRENCE_FIELDS}

    @property
    def message(self) -> str:
        return self.template.format(valeur=self.valeur, colonne=self.colonne, **self.params())

    @property
    def feuille(self) -> str:
        return self.position.feuille

    @property
    def ligne(self) -> int | None:
        return self.position.ligne

    @property
    def colonne(self) -> str | None:
        return self.position.colonne

    @property
    def cellule(self) -> str | None:
        return self.position.cellule

    @property
    def is_error(self) -> bool:
        return self.gravite is Gravite.ERREUR

    def to_json(self) -> dict[str, object]:
        return {"code": self.code, "gravite": self.gravite.value, "feuille": self.feuille, "ligne": self.ligne,
                "colonne": self.colonne, "cellule": self.cellule, "valeur": self.valeur, "message": self.message}
