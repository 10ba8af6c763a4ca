"""The records kept past their retention period (Paramètres › Durée de conservation).

Validation already flags each one as a `retention-expired` warning; this
module only lists them, with the porteur's ID and the last contact the warning keeps (a date), for the
`purge-list` command. It never deletes anything: anonymising or deleting a
record is the coordinator's decision, made in the workbook.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from citeslab_xl.core.anomalies import RetentionExpired
from citeslab_xl.core.dataset import Dataset

HEADERS = ("Feuille", "Ligne", "ID", "Dernier contact")


@dataclass(frozen=True)
class PurgeRow:
    feuille: str
    ligne: int | None
    id: str | None
    dernier_contact: date

    def values(self) -> list:
        """The row under HEADERS, the date as the coordinator reads it."""
        return [self.feuille, self.ligne, self.id, self.dernier_contact.strftime("%d/%m/%Y")]

    def to_json(self) -> dict:
        return {"feuille": self.feuille, "ligne": self.ligne, "id": self.id,
                "dernier_contact": self.dernier_contact.isoformat()}


def purge_list(dataset: Dataset) -> list[PurgeRow]:
    """Every record past its retention period, in the order of the sheet."""
    porteurs = dataset.porteurs
    rows_and_ids = zip(porteurs["_row"], porteurs["id"], strict=True)
    ids: dict[int | None, str] = {int(row): ident for row, ident in rows_and_ids if row is not None}
    found = [a for a in dataset.anomalies if isinstance(a, RetentionExpired)]
    rows = [PurgeRow(a.feuille, a.ligne, ids.get(a.ligne), a.dernier_contact) for a in found]
    return sorted(rows, key=lambda r: (r.feuille, r.ligne or 0))
