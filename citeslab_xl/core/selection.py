"""Which rows a figure counts: one selection of the new porteurs, the accompanied, the rendez-vous (indicators.md).

The indicators, the generated sheets and the export all select their rows
here, so that "nouveaux porteurs" or "accompagnés" is the same set of people
wherever it is shown. A missing date is in no range and a missing value in no
category (indicators.md: valid rows only).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from citeslab_xl.core.dataset import Dataset
from citeslab_xl.core.per_run import memoised  # each indicator of a period selects the same rows again
from citeslab_xl.core.periods import Period


def between(column: pd.Series, debut: date, fin: date) -> pd.Series:
    """Dates in [debut, fin]; a missing date is in no range."""
    return column.between(pd.Timestamp(debut), pd.Timestamp(fin)).fillna(False).astype(bool)


def not_after(column: pd.Series, day: date) -> pd.Series:
    return (column <= pd.Timestamp(day)).fillna(False).astype(bool)


def by_list(values: pd.Series, categories: Iterable[str]) -> dict[str, int]:
    """Counts of each value of the list, zeros included, in the list's order; a value out of the list after them."""
    counts = values.dropna().value_counts()
    result = {str(c): int(counts.get(c, 0)) for c in categories}
    for extra in sorted(str(v) for v in counts.index if str(v) not in result):
        result[extra] = int(counts[extra])
    return result


@memoised
def new_porteurs(dataset: Dataset, period: Period) -> pd.DataFrame:
    """The Porteurs rows whose Date premier contact is in P."""
    porteurs = dataset.porteurs
    return porteurs[between(porteurs["date_premier_contact"], period.debut, period.fin)]


@memoised
def rdv_rows(dataset: Dataset, period: Period, as_of: date) -> pd.DataFrame:
    """The Rendez-vous rows dated in P and not after D."""
    rdv = dataset.rendez_vous
    dates = rdv["date"]
    return rdv[between(dates, period.debut, period.fin) & not_after(dates, as_of)]


def rdv_ids(dataset: Dataset, period: Period, as_of: date) -> set[str]:
    return set(rdv_rows(dataset, period, as_of)["id_porteur"].dropna())


@memoised
def creations(dataset: Dataset, period: Period) -> pd.DataFrame:
    """The Porteurs rows whose Date de création is in P."""
    porteurs = dataset.porteurs
    return porteurs[between(porteurs["date_creation"], period.debut, period.fin)]


@memoised
def businesses(dataset: Dataset, as_of: date) -> pd.DataFrame:
    """Every business created on or before D, whatever its Statut."""
    porteurs = dataset.porteurs
    return porteurs[not_after(porteurs["date_creation"], as_of)]


@dataclass(frozen=True)
class Accompanied:
    """The people accompanied in P: the new porteurs, plus the IDs met in rendez-vous that are not theirs.

    Counted as people, so that with valid IDs this is the spec's union and can
    never be lower than the new porteurs or the porteurs met.
    """

    new: pd.DataFrame
    others: frozenset[str]

    @property
    def count(self) -> int:
        return len(self.new) + len(self.others)

    def porteurs(self, dataset: Dataset) -> pd.DataFrame:
        """Their Porteurs rows (an ID met without a Porteurs row has none)."""
        porteurs = dataset.porteurs
        return porteurs[porteurs.index.isin(self.new.index) | porteurs["id"].isin(self.others)]


@memoised
def accompanied(dataset: Dataset, period: Period, as_of: date) -> Accompanied:
    new = new_porteurs(dataset, period)
    return Accompanied(new, frozenset(rdv_ids(dataset, period, as_of) - set(new["id"].dropna())))
