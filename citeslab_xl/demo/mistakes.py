"""Deliberate mistakes in a demo workbook: a share of the rows get exactly one, of a kind the validator must catch.

`Spoiled` says which cell was spoiled and with which anomaly code, which is
how the validator's recall is measured.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from citeslab_xl.core import schema
from citeslab_xl.demo.vocabulary import EARLIEST, slug


@dataclass(frozen=True)
class Spoiled:
    """A cell deliberately made wrong: the validator must flag it with `code`."""

    sheet: str  # the sheet's French name, as in Anomaly.feuille
    row: int  # Excel row
    column: str  # the column header, as in Anomaly.colonne
    code: str
    value: object


# --- deliberate mistakes ------------------------------------------------------------

@dataclass(frozen=True)
class _Mistake:
    column: str  # column key
    code: str
    applies: Callable[[int, dict], bool]
    value: Callable[[int, dict], object]


def _always(index: int, row: dict) -> bool:
    return True


# Financement is left clean: its few rows carry the funding history every demo shows.
SPOILABLE = ("porteurs", "rendez_vous", "ateliers", "photolangage", "sensibilisation", "referents", "suivi")
# Rows that name a porteur: changing that porteur's ID would orphan them.
DEPENDENTS = ("rendez_vous", "photolangage", "suivi")


class Spoiler:
    """Gives chosen rows one mistake each, of a kind the validator must catch."""

    def __init__(self, rows: dict[str, list[dict]], seed: int, as_of: date):
        self.rows = rows
        self.rng = random.Random(f"citeslab-demo-errors-{seed}")
        self.as_of = as_of
        self.mistakes = self.mistakes_by_sheet()
        self.free_porteurs: list[int] = []
        self.busy_ids: set[str] = set()

    def spoil(self, rate: float) -> list[Spoiled]:
        chosen = self.choose(rate)
        chosen_porteurs = {i for key, i in chosen if key == "porteurs"}
        self.free_porteurs = [i for i in range(len(self.rows["porteurs"])) if i not in chosen_porteurs]
        self.busy_ids = {self.rows[key][i]["id_porteur"] for key, i in chosen if key in DEPENDENTS}
        return [self.spoil_row(key, index) for key, index in chosen]

    def choose(self, rate: float) -> list[tuple[str, int]]:
        candidates = [(key, i) for key in SPOILABLE for i in range(len(self.rows[key]))]
        total = sum(len(r) for r in self.rows.values())
        chosen = self.rng.sample(candidates, min(len(candidates), round(rate * total)))
        return sorted(chosen, key=lambda c: (SPOILABLE.index(c[0]), c[1]))

    def spoil_row(self, key: str, index: int) -> Spoiled:
        row = self.rows[key][index]
        mistake = self.rng.choice([m for m in self.mistakes[key] if m.applies(index, row)])
        value = mistake.value(index, row)
        row[mistake.column] = value
        sheet = schema.SHEETS_BY_KEY[key]
        return Spoiled(sheet.name, index + 2, sheet.column(mistake.column).header, mistake.code, value)

    def bad_date_text(self, row: dict, column: str) -> str:
        year = row[column].year if isinstance(row[column], date) else self.as_of.year
        return self.rng.choice((f"31/02/{year}", f"30/02/{year}", "bientôt", "à définir"))

    def mistakes_by_sheet(self) -> dict[str, list[_Mistake]]:
        def bad_date(column):
            return _Mistake(column, "date-invalid", _always, lambda i, r: self.bad_date_text(r, column))

        def unknown(column, value, applies=_always):
            return _Mistake(column, "list-unknown", applies, lambda i, r: value)

        def consenting(i, r):
            return r["consentement"] is True

        def both_contacts(i, r):
            return bool(r["telephone"] and r["email"])

        # Statuts with neither partner nor creation date: no other rule reads their dates.
        plain = {"Accueil", "Émergence", "Abandon"}
        return {
            "porteurs": [
                _Mistake("date_naissance", "date-invalid", lambda i, r: r["date_naissance"] is not None,
                         lambda i, r: f"31/02/{r['date_naissance'].year}"),
                _Mistake("date_premier_contact", "date-future", lambda i, r: r["statut"] in plain,
                         lambda i, r: self.as_of + timedelta(days=self.rng.randint(5, 200))),
                # Only a porteur with no Suivi rows: those need the statut Créé.
                unknown("statut", "En cours", lambda i, r: r["statut"] in plain | {"En création"}),
                unknown("quartier", "Atlantis"),
                _Mistake("siret", "siret-invalid", lambda i, r: r["siret"] is not None,
                         lambda i, r: r["siret"][:-1] + str((int(r["siret"][-1]) + 1) % 10)),
                _Mistake("telephone", "phone-invalid", consenting, lambda i, r: "12 34"),
                _Mistake("email", "email-invalid", consenting,
                         lambda i, r: f"{slug(r['prenom'])}.{slug(r['nom'])}@"),
                _Mistake("consentement", "ouinon-invalid", _always, lambda i, r: "peut-être"),
                _Mistake("date_orientation", "date-order", self.can_precede_first_contact,
                         self.before_first_contact),
                _Mistake("id", "id-duplicate", self.can_duplicate, self.earlier_id),
            ],
            "rendez_vous": [
                bad_date("date"),
                unknown("type", "Appel"),
                unknown("modalite", "Sur place"),
                _Mistake("id_porteur", "id-unknown", _always, lambda i, r: "P99999"),
                _Mistake("duree", "number-range", _always, lambda i, r: 900),
            ],
            "ateliers": [
                _Mistake("date", "date-invalid", lambda i, r: r["type"] != "Photolangage",
                         lambda i, r: self.bad_date_text(r, "date")),
                _Mistake("participants", "number-range", _always, lambda i, r: 250),
            ],
            "photolangage": [
                _Mistake("images", "images-count", _always, lambda i, r: ";".join(r["images"].split(";")[:3])),
            ],
            "sensibilisation": [
                bad_date("date"),
                unknown("type_lieu", "Mairie"),
                _Mistake("personnes", "number-range", _always, lambda i, r: 5000),
            ],
            "referents": [
                _Mistake("telephone", "phone-invalid", both_contacts, lambda i, r: "12 34"),
                _Mistake("email", "email-invalid", both_contacts, lambda i, r: "contact@"),
                _Mistake("actif", "ouinon-invalid", _always, lambda i, r: "peut-être"),
            ],
            "suivi": [
                bad_date("date"),
                _Mistake("active", "ouinon-invalid", _always, lambda i, r: "peut-être"),
                _Mistake("emplois", "number-range", _always, lambda i, r: 900),
            ],
        }

    @staticmethod
    def can_precede_first_contact(index: int, row: dict) -> bool:
        return row["date_orientation"] is not None and row["date_premier_contact"] > EARLIEST

    def before_first_contact(self, index: int, row: dict) -> date:
        first = row["date_premier_contact"]
        return first - timedelta(days=self.rng.randint(1, min(30, (first - EARLIEST).days)))

    def can_duplicate(self, index: int, row: dict) -> bool:
        # The porteur whose ID changes loses its rendez-vous, suivi and
        # photolangage rows: none of them may carry a mistake of its own.
        return row["id"] not in self.busy_ids and bool(self.earlier_free(index))

    def earlier_free(self, index: int) -> list[int]:
        earlier = self.free_porteurs[:bisect.bisect_left(self.free_porteurs, index)]
        return [j for j in earlier if self.rows["porteurs"][j]["id"] not in self.busy_ids]

    def earlier_id(self, index: int, row: dict) -> str:
        return self.rows["porteurs"][self.rng.choice(self.earlier_free(index))]["id"]
