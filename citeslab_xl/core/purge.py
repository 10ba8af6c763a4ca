"""The records kept past their retention period (Paramètres › Durée de conservation).

Validation already flags each one as a `retention-expired` warning; this
module only lists them, with the porteur's ID and last contact, for the
`purge-list` command. It never deletes anything: anonymising or deleting a
record is the coordinator's decision, made in the workbook.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from citeslab_xl.core import anomalies
from citeslab_xl.core.dataset import Dataset

HEADERS = ("Feuille", "Ligne", "ID", "Dernier contact")


@dataclass(frozen=True)
class PurgeRow:
    feuille: str
    ligne: int | None
    id: str | None
    dernier_contact: date | None

    def values(self) -> list:
        """The row under HEADERS, the date as the coordinator reads it."""
        shown = self.dernier_contact.strftime("%d/%m/%Y") if self.dernier_contact else None
        return [self.feuille, self.ligne, self.id, shown]

    def to_json(self) -> dict:
        return {"feuille": self.feuille, "ligne": self.ligne, "id": self.id,
                "dernier_contact": self.dernier_contact.isoformat() if self.dernier_contact else None}


def _day(shown: str | None) -> date | None:
    """The last contact as the anomaly shows it (dd/mm/yyyy)."""
    try:
        return datetime.strptime(shown or "", "%d/%m/%Y").date()
    except ValueError:
        return None


def purge_list(dataset: Dataset) -> list[PurgeRow]:
    """Every record past its retention period, in the order of the sheet."""
    porteurs = dataset.porteurs
    ids = {int(row): ident for row, ident in zip(porteurs["_row"], porteurs["id"]) if row is not None}
    found = [a for a in dataset.anomalies if a.code == anomalies.RetentionExpired.code]
    rows = [PurgeRow(a.feuille, a.ligne, ids.get(a.ligne), _day(a.valeur)) for a in found]
    return sorted(rows, key=lambda r: (r.feuille, r.ligne or 0))
