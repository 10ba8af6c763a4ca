"""The year patterns of the export: which counts are decided once per calendar year, and how a sheet reads them.

Each *family* is a count of the export with the breakdowns it is shown with;
`year_pattern.decide` suppresses them month by month for a whole year. A
period made of whole months of one year (a month, a quarter, a year to date,
the year) reads its cells from its year's pattern, so that every file of the
year shows the same cell the same way. A period that cuts a month (the same
days of the previous year, for a period not over) is not in any pattern: its
counts are « masqué », since two such files at two as-of dates would give a
single day's count by difference.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from citeslab_xl.core import indicators, periods, schema, selection
from citeslab_xl.core.dataset import Dataset
from citeslab_xl.core.periods import Period
from citeslab_xl.core.suppression import SECONDARY_MARK
from citeslab_xl.core.year_pattern import (
    AGGREGATES,
    BreakdownCounts,
    FamilyCounts,
    YearPattern,
    decide,
)

NON_RENSEIGNE = "Non renseigné"
DONT_QPV = "dont quartiers prioritaires (QPV)"

Counter = Callable[[Dataset, Period, date], dict[str, int]]


def _new_by_quartier(dataset: Dataset, period: Period, as_of: date) -> dict[str, int]:
    return selection.by_list(selection.new_porteurs(dataset, period)["quartier"],
                             dataset.settings.values(schema.QUARTIERS))


def _new_by_sexe(dataset: Dataset, period: Period, as_of: date) -> dict[str, int]:
    return selection.by_list(selection.new_porteurs(dataset, period)["sexe"], dataset.settings.values("Sexe"))


def _people_by_type(events: Callable, part: str) -> Counter:
    def counts(dataset: Dataset, period: Period, as_of: date) -> dict[str, int]:
        return {kind: int(getattr(v, part)) for kind, v in events(dataset, period, as_of).items()}
    return counts


def _sum_of(counter: Counter) -> Callable[[Dataset, Period, date], int]:
    return lambda dataset, period, as_of: sum(counter(dataset, period, as_of).values())


@dataclass(frozen=True)
class FamilySpec:
    key: str  # the count's key in figures.CATALOGUE
    total: Callable[[Dataset, Period, date], int]
    breakdowns: tuple[tuple[str, Counter, bool], ...]  # (key, counter, with the QPV subtotal)


ATELIERS_PEOPLE = _people_by_type(indicators.ateliers, "participants")
ACTIONS_PEOPLE = _people_by_type(indicators.sensibilisation, "personnes")

FAMILIES: tuple[FamilySpec, ...] = (
    FamilySpec("nouveaux_porteurs", indicators.nouveaux_porteurs, (
        ("quartier", _new_by_quartier, True), ("sexe", _new_by_sexe, False),
        ("par_tranche_age", indicators.par_tranche_age, False), ("par_situation", indicators.par_situation, False),
        ("par_prescripteur", indicators.par_prescripteur, False))),
    FamilySpec("rdv", indicators.rdv, (("rdv_par_type", indicators.rdv_par_type, False),
                                       ("rdv_par_modalite", indicators.rdv_par_modalite, False))),
    FamilySpec("orientations_total", _sum_of(indicators.orientations),
               (("orientations", indicators.orientations, False),)),
    FamilySpec("creations", indicators.creations, (
        ("creations_par_forme", indicators.creations_par_forme, False),
        ("creations_par_secteur", indicators.creations_par_secteur, False),
        ("creations_par_quartier", indicators.creations_par_quartier, True))),
    FamilySpec("ateliers_participants", _sum_of(ATELIERS_PEOPLE), (("ateliers", ATELIERS_PEOPLE, False),)),
    FamilySpec("sensibilisation_personnes", _sum_of(ACTIONS_PEOPLE), (("sensibilisation", ACTIONS_PEOPLE, False),)),
)
FAMILY_KEYS = frozenset(f.key for f in FAMILIES)


def family_counts(dataset: Dataset, spec: FamilySpec, year: int, as_of: date) -> FamilyCounts:
    months = [periods.month(year, m) for m in range(1, 13)]
    totals = [spec.total(dataset, month, as_of) for month in months]
    qpv = frozenset(dataset.settings.qpv_names(months[0].debut, months[-1].fin))  # the year's map (1 January)
    found = []
    for key, counter, with_qpv in spec.breakdowns:
        per_month = [dict(counter(dataset, month, as_of)) for month in months]
        categories = list(dict.fromkeys(c for counts in per_month for c in counts))
        remainders = [total - sum(counts.values()) for total, counts in zip(totals, per_month, strict=True)]
        if any(remainders):
            categories.append(NON_RENSEIGNE)
            for counts, rest in zip(per_month, remainders, strict=True):
                counts[NON_RENSEIGNE] = rest
        found.append(BreakdownCounts(key, tuple(categories), per_month, (DONT_QPV, qpv) if with_qpv else None))
    return FamilyCounts(spec.key, totals, tuple(found))


def year_pattern(dataset: Dataset, year: int, as_of: date) -> YearPattern:
    threshold = int(dataset.settings.seuil_secret)
    return decide(year, (family_counts(dataset, spec, year, as_of) for spec in FAMILIES), threshold)


def months_of(period: Period) -> tuple[int, ...] | None:
    """The months of the period when it is an aggregate the patterns decide (else None: it cuts a month)."""
    if period.debut.year != period.fin.year or period.debut.day != 1 \
            or period.fin != periods.month_end(period.fin.year, period.fin.month):
        return None
    months = tuple(range(period.debut.month, period.fin.month + 1))
    return months if months in AGGREGATES else None


class Patterns:
    """The year patterns of one export run, decided on first use."""

    def __init__(self, dataset: Dataset, as_of: date):
        self.dataset, self.as_of = dataset, as_of
        self._years: dict[int, YearPattern] = {}

    def year(self, year: int) -> YearPattern:
        if year not in self._years:
            self._years[year] = year_pattern(self.dataset, year, self.as_of)
        return self._years[year]

    def shown(self, family: str, period: Period, breakdown: str = "", category: str = "") -> int | str | None:
        """The cell as every file of the year shows it; « masqué » for a period that cuts a month."""
        months = months_of(period)
        if months is None:
            return SECONDARY_MARK
        return self.year(period.fin.year)[family].shown(months, breakdown, category)

    def hidden(self, family: str, period: Period, breakdown: str = "", category: str = "") -> bool:
        months = months_of(period)
        return months is None or self.year(period.fin.year)[family].mark(months, breakdown, category) is not None

    def categories(self, family: str, breakdown: str, period: Period) -> list[str]:
        pattern = self.year(period.fin.year)[family]
        return [c for b, c in pattern.columns if b == breakdown]
