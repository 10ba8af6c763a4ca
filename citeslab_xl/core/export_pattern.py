"""The year patterns of the export: which counts are decided once per calendar year, and how a sheet reads them.

Each *family* is a count of the export with the breakdowns it is shown with;
`year_pattern.decide` suppresses them month by month for a whole year. A
period made of whole months of one year (a month, a quarter, a year to date,
the year) reads its cells from its year's pattern, so that every file of the
year shows the same cell the same way. A period that cuts a month (the same
days of the previous year, for a period not over) is derived from the
pattern where that cannot reopen a hidden cell nor give, between two files
cut at two days, a small count by difference (`Patterns`); else it is
« masqué ».
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from citeslab_xl.core import indicators, periods, schema, selection
from citeslab_xl.core.dataset import Dataset
from citeslab_xl.core.periods import Period
from citeslab_xl.core.suppression import SECONDARY_MARK, Hidden, small_mark
from citeslab_xl.core.year_pattern import (
    AGGREGATES,
    TOTAL,
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
    cumulated: frozenset[str] = frozenset()  # the breakdowns Indicateurs shows for the years to date too


ATELIERS_PEOPLE = _people_by_type(indicators.ateliers, "participants")
ACTIONS_PEOPLE = _people_by_type(indicators.sensibilisation, "personnes")

FAMILIES: tuple[FamilySpec, ...] = (
    FamilySpec("nouveaux_porteurs", indicators.nouveaux_porteurs, (
        ("quartier", _new_by_quartier, True), ("sexe", _new_by_sexe, False),
        ("par_tranche_age", indicators.par_tranche_age, False), ("par_situation", indicators.par_situation, False),
        ("par_prescripteur", indicators.par_prescripteur, False))),
    FamilySpec("rdv", indicators.rdv, (("rdv_par_type", indicators.rdv_par_type, False),
                                       ("rdv_par_modalite", indicators.rdv_par_modalite, False)),
               frozenset({"rdv_par_type", "rdv_par_modalite"})),
    FamilySpec("orientations_total", _sum_of(indicators.orientations),
               (("orientations", indicators.orientations, False),), frozenset({"orientations"})),
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
        found.append(BreakdownCounts(key, tuple(categories), per_month, (DONT_QPV, qpv) if with_qpv else None,
                                     key in spec.cumulated))
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


def months_before(period: Period) -> tuple[int, ...] | None:
    """For a period that cuts its last month (1 November to 26 November, 1 January to 26 November): the whole
    months before that month, () when there are none, or None when they are not an aggregate of the patterns."""
    debut, fin = period.debut, period.fin
    if debut.day != 1 or debut.year != fin.year or fin == periods.month_end(fin.year, fin.month):
        return None
    before = tuple(range(debut.month, fin.month))
    return before if not before or before in AGGREGATES else None


def shareable_counts(days: Sequence[int], whole: int, threshold: int) -> set[int]:
    """The counts of the first days of a month that a file may show, whatever day it stops at.

    0 and the whole month, and a chain of counts read day after day, each at
    least N above the one kept before it and N below the whole month: any two
    differ by 0 or at least N, so two files cut at two days never give by
    difference a small count of the days between, and none leaves a small
    count for the rest of the month.
    """
    kept, last = {0, whole}, 0
    for n in days:
        if n >= last + threshold and whole - n >= threshold:
            kept.add(n)
            last = n
    return kept


def row_counts(dataset: Dataset, spec: FamilySpec, period: Period, as_of: date,
               qpv: frozenset[str]) -> dict[tuple[str, str], int]:
    """Every column of a family's pattern (as `family_counts` and `year_pattern` make them) for one period."""
    total = spec.total(dataset, period, as_of)
    row = {TOTAL: total}
    for key, counter, with_qpv in spec.breakdowns:
        counts = dict(counter(dataset, period, as_of))
        row.update({(key, c): n for c, n in counts.items()})
        row[(key, NON_RENSEIGNE)] = total - sum(counts.values())
        if with_qpv:
            row[(key, DONT_QPV)] = sum(n for c, n in counts.items() if c in qpv)
    return row


class Patterns:
    """The year patterns of one export run, decided on first use.

    A period that cuts a month (the same days a year earlier, for a period
    not over) is derived from its year's pattern, all of a family's row or
    nothing (`partial`): its first days are shown only when the whole month
    is shown in every column and, in every column, they are one of the
    `shareable_counts`; its whole months before (a year to date) only where
    the pattern shows them. Then what it shows adds nothing to any hidden
    cell: the days shown and the rest of the month are both known where the
    whole month already is, and the months before are shown ones. The audit
    checks it with the rest (`export_audit`).
    """

    def __init__(self, dataset: Dataset, as_of: date):
        self.dataset, self.as_of = dataset, as_of
        self._years: dict[int, YearPattern] = {}
        self._first_days: dict[tuple[str, date], dict[tuple[str, str], int] | None] = {}

    def year(self, year: int) -> YearPattern:
        if year not in self._years:
            self._years[year] = year_pattern(self.dataset, year, self.as_of)
        return self._years[year]

    def cell(self, family: str, period: Period, breakdown: str = "", category: str = "") -> tuple[int, Hidden | None]:
        """The cell's count and its mark, as every file of the year shows it (0 and « masqué » when hidden in a
        period that cuts a month)."""
        pattern = self.year(period.fin.year)[family]
        if (breakdown, category) not in pattern.columns:
            return 0, None  # a category absent that year
        months = months_of(period)
        if months is not None:
            return pattern.value(months, breakdown, category), pattern.mark(months, breakdown, category)
        before = months_before(period)
        days = None if before is None else self._first_days_of(family, period.fin)
        if days is None or (before and pattern.mark(before, breakdown, category) is not None):
            return 0, Hidden.SECONDARY
        earlier = pattern.value(before, breakdown, category) if before else 0
        return earlier + days[(breakdown, category)], None

    def shown(self, family: str, period: Period, breakdown: str = "", category: str = "") -> int | str | None:
        """The cell as every file of the year shows it."""
        value, mark = self.cell(family, period, breakdown, category)
        if mark is Hidden.PRIMARY:
            return small_mark(int(self.dataset.settings.seuil_secret))
        return SECONDARY_MARK if mark is Hidden.SECONDARY else value

    def hidden(self, family: str, period: Period, breakdown: str = "", category: str = "") -> bool:
        return self.cell(family, period, breakdown, category)[1] is not None

    def _first_days_of(self, family: str, fin: date) -> dict[tuple[str, str], int] | None:
        """The family's counts from the 1st of the month to `fin`, when they may be shown (else None)."""
        if (family, fin) not in self._first_days:
            self._first_days[(family, fin)] = self._decide_first_days(family, fin)
        return self._first_days[(family, fin)]

    def _decide_first_days(self, family: str, fin: date) -> dict[tuple[str, str], int] | None:
        pattern, month = self.year(fin.year)[family], (fin.month,)
        if any(pattern.mark(month, *column) is not None for column in pattern.columns):
            return None
        spec = next(s for s in FAMILIES if s.key == family)
        qpv = frozenset(self.dataset.settings.qpv_names(date(fin.year, 1, 1), date(fin.year, 12, 31)))
        first = date(fin.year, fin.month, 1)
        last = periods.month_end(fin.year, fin.month).day
        days = [row_counts(self.dataset, spec, periods.period_between(first, date(fin.year, fin.month, d)),
                           self.as_of, qpv) for d in range(1, last + 1)]
        found = days[fin.day - 1]
        for column in pattern.columns:
            counts = [row.get(column, 0) for row in days]
            if found.get(column, 0) not in shareable_counts(counts, pattern.value(month, *column),
                                                            pattern.first.threshold):
                return None
        return {column: found.get(column, 0) for column in pattern.columns}

    def categories(self, family: str, breakdown: str, period: Period) -> list[str]:
        pattern = self.year(period.fin.year)[family]
        return [c for b, c in pattern.columns if b == breakdown]
