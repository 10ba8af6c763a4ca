"""Periods and calendar arithmetic: the one home of months, quarters, years and anniversaries.

A `Period` is [debut, fin], both days included (indicators.md). Its label is
the spelling the sheets and the command line use: `2026-10`, `2026-T3`, `2026`
(the French `T` for trimestre; `Q` is accepted on input); its `kind` says
which of these it is. `shift_years` and `shift_months` move a date by whole
years or months (the anniversaries of the indicators, the milestones of the
follow-ups, the demo's calendar); `next_month`, `previous_month` and
`months_between` walk the months.

A period whose end is after the as-of date D is *partial* (indicators.md ›
Comparisons and partial periods): `elapsed` is the part of it that has run,
`same_span_earlier` the same days one year earlier, and `span_suffix` the
« , au 15/11 » that a column header adds to say so. `cohort_running` says
whether a creation cohort can still grow.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import Enum

from citeslab_xl.core.errors import RequestRefused

MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-[QT]([1-4])$", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})$")
_HINT = "tapez 2026-10 (un mois), 2026-T3 (un trimestre) ou 2026 (une année)"


class PeriodKind(Enum):
    MONTH = "mois"
    QUARTER = "trimestre"
    YEAR = "année"
    OTHER = "période"  # any other range: a year to date, the 90 days of the file active


@dataclass(frozen=True)
class Period:
    debut: date
    fin: date
    label: str

    def __contains__(self, day: date) -> bool:
        return self.debut <= day <= self.fin

    @property
    def kind(self) -> PeriodKind:
        if self == month_of(self.debut):
            return PeriodKind.MONTH
        if self.debut.month % 3 == 1 and self == quarter_of(self.debut):
            return PeriodKind.QUARTER
        if self == year(self.debut.year):
            return PeriodKind.YEAR
        return PeriodKind.OTHER

    @property
    def titre(self) -> str:
        """The period in words, for titles: « octobre 2026 », « 3e trimestre 2026 »."""
        kind = self.kind
        if kind is PeriodKind.MONTH:
            return f"{MONTHS_FR[self.debut.month - 1]} {self.debut.year}"
        if kind is PeriodKind.QUARTER:
            rank = (self.debut.month + 2) // 3
            return f"{rank}{'er' if rank == 1 else 'e'} trimestre {self.debut.year}"
        if kind is PeriodKind.YEAR:
            return f"année {self.debut.year}"
        return f"du {self.debut:%d/%m/%Y} au {self.fin:%d/%m/%Y}"


def month_end(year_: int, month_: int) -> date:
    return date(year_, month_, calendar.monthrange(year_, month_)[1])


def month(year_: int, month_: int) -> Period:
    return Period(date(year_, month_, 1), month_end(year_, month_), f"{year_}-{month_:02d}")


def quarter(year_: int, rank: int) -> Period:
    first = 3 * (rank - 1) + 1
    return Period(date(year_, first, 1), month_end(year_, first + 2), f"{year_}-T{rank}")


def year(year_: int) -> Period:
    return Period(date(year_, 1, 1), date(year_, 12, 31), str(year_))


def month_of(day: date) -> Period:
    return month(day.year, day.month)


def quarter_of(day: date) -> Period:
    return quarter(day.year, (day.month + 2) // 3)


def parse_period(text: str) -> Period:
    """`2026-10`, `2026-Q3` / `2026-T3` or `2026`; a `RequestRefused` in French otherwise."""
    cleaned = str(text).strip()
    found = _MONTH.match(cleaned) or _QUARTER.match(cleaned) or _YEAR.match(cleaned)
    if found is None:
        raise RequestRefused(f"« {text} » n'est pas une période reconnue : {_HINT}.", field="period")
    year_ = int(found[1])
    if year_ < 1900:
        raise RequestRefused(f"« {text} » : l'année {year_} n'est pas plausible ; {_HINT}.", field="period")
    if found.re is _YEAR:
        return year(year_)
    if found.re is _QUARTER:
        return quarter(year_, int(found[2]))
    if not 1 <= int(found[2]) <= 12:
        raise RequestRefused(f"« {text} » : le mois doit être entre 01 et 12 ; {_HINT}.", field="period")
    return month(year_, int(found[2]))


def shift_years(day: date, years: int) -> date:
    """The same day and month `years` later (or earlier); 29 February becomes 28 February."""
    target = day.year + years
    if day.month == 2 and day.day == 29 and not calendar.isleap(target):
        return date(target, 2, 28)
    return day.replace(year=target)


def shift_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), or the last day of that month when it is shorter."""
    index = day.month - 1 + months
    year_, month_ = day.year + index // 12, index % 12 + 1
    return date(year_, month_, min(day.day, calendar.monthrange(year_, month_)[1]))


def next_month(period: Period) -> Period:
    """The month after the one that holds the period's end."""
    return month_of(shift_months(period.fin.replace(day=1), 1))


def previous_month(period: Period) -> Period:
    """The month before the one that holds the period's start."""
    return month_of(shift_months(period.debut.replace(day=1), -1))


def period_between(debut: date, fin: date) -> Period:
    """The period [debut, fin], labelled as a month, quarter, year or year-to-date when it is one."""
    for candidate in (month_of(debut), quarter_of(debut), year(debut.year)):
        if (candidate.debut, candidate.fin) == (debut, fin):
            return candidate
    if debut == date(fin.year, 1, 1):
        return Period(debut, fin, f"{fin.year} (cumul au {fin:%d/%m})")
    return Period(debut, fin, f"{debut.isoformat()}/{fin.isoformat()}")


def previous_year(period: Period) -> Period:
    """The same period one year earlier: October 2025 for October 2026."""
    if period.fin == month_end(period.fin.year, period.fin.month):
        fin = month_end(period.fin.year - 1, period.fin.month)
    else:
        fin = shift_years(period.fin, -1)
    return period_between(shift_years(period.debut, -1), fin)


def year_to_date(period: Period) -> Period:
    """From 1 January of the period's last year to the end of the period."""
    return period_between(date(period.fin.year, 1, 1), period.fin)


def months_between(debut: date, fin: date) -> list[Period]:
    """Every month that meets [debut, fin], in order (empty when fin < debut)."""
    months = []
    y, m = debut.year, debut.month
    while (y, m) <= (fin.year, fin.month):
        months.append(month(y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def is_partial(period: Period, as_of: date) -> bool:
    """Whether the period is not over at D (its end is after D)."""
    return period.fin > as_of


def elapsed(period: Period, as_of: date) -> Period:
    """The part of the period up to D: the period itself once it is over, else [debut, D]."""
    return period if not is_partial(period, as_of) else period_between(period.debut, as_of)


def same_span_earlier(period: Period, as_of: date) -> Period:
    """The same days one year earlier: 1–15 November 2025 for November 2026 as of 15 November 2026.

    A period that is over is compared whole (October 2025 for October 2026);
    a partial one only over the days it has run.
    """
    return previous_year(elapsed(period, as_of))


def span_suffix(period: Period, as_of: date) -> str:
    """« , au 15/11 » for a partial period (a column header then says up to which day it compares), else « »."""
    return f", au {as_of:%d/%m}" if is_partial(period, as_of) else ""


COHORT_YEARS = 2  # the time a cohort's people are given to create (indicators.md › Comparisons)


def cohort_running(cohort_year: int, as_of: date) -> bool:
    """Whether a cohort (the people first met in that year) is *en cours* at D.

    It is while its year is not over, and until its last people (met on 31
    December) have had two years to create: until 31 December two years later.
    """
    return as_of < shift_years(date(cohort_year, 12, 31), COHORT_YEARS)
