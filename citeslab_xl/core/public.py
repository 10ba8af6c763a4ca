"""Who the new porteurs of a period are (indicators.md › Public): the shares and the QPV reached.

Each share is a `Share`, its numerator and its denominator, so that the export
can hide it with the people it counts; `indicators` turns them into the
``--json`` rates. A person without the value a share needs (no Sexe, no birth
date, no Niveau de formation, no Situation, no Quartier) is left out of that
share, numerator and denominator. The QPV are those in force on each
person's Date premier contact (`geography`).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import pandas as pd

from citeslab_xl.core import geography, selection
from citeslab_xl.core.dataset import Dataset
from citeslab_xl.core.periods import Period

BAC_PLUS = ("Bac", "Bac+2", "Bac+3 et plus")
JOB_SEEKERS = ("Demandeur d'emploi", "Bénéficiaire RSA")  # the programme counts RSA recipients among them


@dataclass(frozen=True)
class Share:
    """A share of the new porteurs: those counted among those who could be (the export hides it with them)."""

    numerator: int
    denominator: int

    @property
    def rate(self) -> float | None:
        """The exact fraction (indicators.md › Precision), None when nobody could be counted."""
        if not self.denominator:
            return None
        return float(Fraction(self.numerator, self.denominator))


def ages(frame: pd.DataFrame) -> pd.Series:
    """Completed years at Date premier contact (NaN without both dates)."""
    birth, contact = frame["date_naissance"], frame["date_premier_contact"]
    before_birthday = (contact.dt.month < birth.dt.month) | (
        (contact.dt.month == birth.dt.month) & (contact.dt.day < birth.dt.day))
    return contact.dt.year - birth.dt.year - before_birthday.astype(int)


def _among(values: pd.Series, wanted: tuple[str, ...]) -> Share:
    """The people whose value is one of `wanted`, among those with a value."""
    known = values.dropna()
    return Share(int(known.isin(wanted).sum()), len(known))


def femmes(dataset: Dataset, period: Period) -> Share:
    """F among F and H; people with no Sexe left out."""
    sexe = selection.new_porteurs(dataset, period)["sexe"]
    women, men = int((sexe == "F").sum()), int((sexe == "H").sum())
    return Share(women, women + men)


def qpv(dataset: Dataset, period: Period) -> Share:
    """People whose Quartier was a QPV on their Date premier contact, among those with a Quartier."""
    new = selection.new_porteurs(dataset, period)
    with_quartier = new[new["quartier"].notna()]
    return Share(int(geography.qpv_residents(with_quartier, dataset.settings).sum()), len(with_quartier))


def younger_than(dataset: Dataset, period: Period, years: int) -> Share:
    """People under `years` at their first contact, among those with a Date de naissance."""
    known = ages(selection.new_porteurs(dataset, period)).dropna()
    return Share(int((known < years).sum()), len(known))


def moins_26(dataset: Dataset, period: Period) -> Share:
    return younger_than(dataset, period, 26)


def moins_25(dataset: Dataset, period: Period) -> Share:
    """The national programme's band: under 25 at the first contact."""
    return younger_than(dataset, period, 25)


def bac_plus(dataset: Dataset, period: Period) -> Share:
    """Niveau de formation Bac, Bac+2 or Bac+3 et plus, among those with a Niveau de formation."""
    return _among(selection.new_porteurs(dataset, period)["niveau"], BAC_PLUS)


def demandeurs_emploi(dataset: Dataset, period: Period) -> Share:
    """Situation Demandeur d'emploi or Bénéficiaire RSA, among those with a Situation."""
    return _among(selection.new_porteurs(dataset, period)["situation"], JOB_SEEKERS)


def qpv_couverts(dataset: Dataset, period: Period) -> int:
    """The distinct QPV (by code, else by name) the new porteurs lived in on their first contact."""
    return geography.qpv_reached(selection.new_porteurs(dataset, period), dataset.settings)
