"""The export's building blocks: the context of a run, breakdowns suppressed against their totals, the profile.

Shared by the six sheets of `core.export`: a cell of a count hidden when
small, a rate hidden with its count, a breakdown whose cells add up to its
total (« Non renseigné » included) so that secondary suppression holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from citeslab_xl.core import indicators, periods, public, selection
from citeslab_xl.core.dataset import Dataset
from citeslab_xl.core.export_pattern import DONT_QPV as DONT_QPV
from citeslab_xl.core.export_pattern import NON_RENSEIGNE, Patterns, months_of
from citeslab_xl.core.figures import label
from citeslab_xl.core.layout import PERCENT
from citeslab_xl.core.periods import Period
from citeslab_xl.core.suppression import (
    SECONDARY_MARK,
    Hidden,
    Line,
    SuppressedTable,
    is_small,
    rate_hidden,
    small_mark,
    suppress,
)

TOTAL = "Total"


# --- what every sheet needs ------------------------------------------------------

@dataclass(frozen=True)
class Context:
    dataset: Dataset
    period: Period
    as_of: date
    # the year patterns every sheet reads (export.md › suppression holds across exports); several exports
    # of the same data and as-of date may share them
    patterns: Patterns = field(default=None, compare=False, repr=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.patterns is None:
            object.__setattr__(self, "patterns", Patterns(self.dataset, self.as_of))

    @property
    def threshold(self) -> int:
        return int(self.dataset.settings.seuil_secret)

    def compare(self) -> list[tuple[str, Period]]:
        """The columns of Indicateurs: the period, the same one a year earlier, and both years to date.

        A period not over at the as-of date is compared with the same days a
        year earlier, and its headers say up to which day (« Décembre 2025, au 01/12 »).
        """
        period, as_of = self.period, self.as_of
        suffix = periods.span_suffix(period, as_of)
        columns = [(capitalized(period.titre) + suffix, period),
                   (capitalized(periods.previous_year(period).titre) + suffix,
                    periods.same_span_earlier(period, as_of))]
        ytd = periods.year_to_date(period)
        if ytd != period:
            earlier = periods.same_span_earlier(ytd, as_of)
            columns += [(_cumul_header(periods.elapsed(ytd, as_of)), ytd), (_cumul_header(earlier), earlier)]
        return columns


def _cumul_header(ytd: Period) -> str:
    """« Cumul 2026 au 31/10 »: from 1 January to the end of the period, or to the as-of date before it."""
    return f"Cumul {ytd.fin.year} au {ytd.fin:%d/%m}"


def capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def count_cell(n: int, threshold: int) -> int | str:
    """A count on its own (no total to protect it against): hidden only when small."""
    return small_mark(threshold) if is_small(n, threshold) else n


# Counts the patterns do not decide but that bound a family's (indicators.md): a new porteur of P is accompagné
# in P, and so is every porteur reçu (accompagnés ≤ nouveaux + reçus); a reçu has a rendez-vous in P (reçus ≤
# rdv); an orientation by partner is a porteur orienté. Shown beside a hidden cell of those families, they would
# bound it (7 accompagnés cap a « masqué » total of new porteurs at 7), and a « masqué » is itself a bound
# (« at least N » accompagnés with 2 reçus leave at least 3 new porteurs): so they are hidden with them.
LINKED: dict[str, tuple[str, ...]] = {"accompagnes": ("nouveaux_porteurs", "rdv"),
                                      "porteurs_recus": ("nouveaux_porteurs", "rdv"),
                                      "orientes": ("orientations_total",)}


def linked_cell(ctx: Context, key: str, value: int, period: Period) -> int | str:
    """A count of `LINKED`: hidden (« < N » when small, else « masqué ») where a family it bounds is hidden; a
    zero stays 0 (« masqué » says « at least N »)."""
    if any(ctx.patterns.hidden(f, period) for f in LINKED[key]):
        return hidden_count(value, ctx.threshold)
    return count_cell(value, ctx.threshold)


def hidden_count(n: int, threshold: int) -> int | str:
    """A count hidden for what it would tell of others: « < N » when small, « masqué » (at least N) else, 0 as 0
    (« masqué » would say « at least N »)."""
    if is_small(n, threshold):
        return small_mark(threshold)
    return SECONDARY_MARK if n else 0


def perennite_counts_hidden(ctx: Context, years: int) -> bool:
    """Whether the businesses created `years` years or more before the as-of date (pérennité's « Entreprises
    créées depuis au moins ce temps ») would give back a hidden count of creations.

    They are the creations of every year before the one that holds that day,
    of its months before, and of the first days of its month: beside the
    totals the year patterns show, they would bound a hidden one (6 created
    by 31 January 2026, a January « masqué » of which Battant is « < 5 » and
    Planoise « masqué »: Battant is 1). So the pérennité's counts are shown
    only when all those totals are, and the first days of the month are 0,
    the whole month, or leave at least N on both sides; else they are hidden
    (its rate may still be shown: without its counts it bounds nothing).
    """
    businesses = selection.businesses(ctx.dataset, ctx.as_of)
    created = businesses["date_creation"]
    if created.empty:
        return False
    as_of = ctx.as_of
    year, month = as_of.year - years, as_of.month
    patterns, t = ctx.patterns, ctx.threshold
    if any(patterns.hidden("creations", periods.year(y)) for y in range(created.min().year, year)):
        return True
    if month > 1 and patterns.hidden("creations", periods.period_between(date(year, 1, 1),
                                                                          periods.month_end(year, month - 1))):
        return True
    if patterns.hidden("creations", periods.month(year, month)):
        return True
    whole = patterns.cell("creations", periods.month(year, month))[0]
    anniversary = created + pd.DateOffset(years=years)
    in_month = (created.dt.year == year) & (created.dt.month == month)
    first = int((in_month & selection.not_after(anniversary, as_of)).sum())
    return first not in (0, whole) and (first < t or whole - first < t)


def rate_cell(value: float | None, hidden: bool) -> float | str | None:
    if value is None:
        return None
    return SECONDARY_MARK if hidden else value


def percent_cells(rows: list[list], columns: range) -> dict[tuple[int, int], str]:
    """PERCENT on the numeric cells of those columns, so that a hidden rate keeps its text."""
    return {(i, j): PERCENT for i, row in enumerate(rows) for j in columns if isinstance(row[j], float)}


# --- breakdowns ----------------------------------------------------------------------

@dataclass(frozen=True)
class Breakdown:
    """Counts by category for one or more columns, suppressed against their totals."""

    labels: list[str]
    table: SuppressedTable

    def rows(self) -> list[list]:
        return [[row_label, *values] for row_label, values in zip(self.labels, self.table.rows(), strict=True)]

    @property
    def total_row(self) -> int:
        return len(self.labels) - 1

    def any_hidden(self, column: int = 0) -> bool:
        """Whether a cell or the total is hidden: a share read against them would give one back."""
        return any(self.table.hidden(i, column) for i in range(self.total_row + 1))


def breakdown(columns: list[dict[str, int]], totals: list[int], threshold: int,
              subtotal: tuple[str, set[str]] | None = None) -> Breakdown:
    """Rows: each category, « Non renseigné » when the categories miss some of the total,
    the subtotal (« dont … ») when asked, and the total; each column is a line."""
    categories = list(dict.fromkeys(key for column in columns for key in column))
    grid = [[column.get(key, 0) for column in columns] for key in categories]
    labels = list(categories)
    remainders = [total - sum(column.values()) for column, total in zip(columns, totals, strict=True)]
    if any(remainders):
        grid.append(remainders)
        labels.append(NON_RENSEIGNE)
    n_cells = len(grid)
    members: tuple[int, ...] = ()
    if subtotal is not None:
        name, keys = subtotal
        members = tuple(i for i, key in enumerate(categories) if key in keys)
        grid.append([sum(grid[i][j] for i in members) for j in range(len(columns))])
        labels.append(name)
    grid.append(list(totals))
    labels.append(TOTAL)
    total_row = len(grid) - 1
    lines = [Line(tuple((i, j) for i in range(n_cells)), (total_row, j)) for j in range(len(columns))]
    if subtotal is not None:
        others = [i for i in range(n_cells) if i not in members]
        for j in range(len(columns)):
            lines.append(Line(tuple((i, j) for i in members), (n_cells, j)))
            # the total minus the subtotal gives the other cells' sum: a line as well
            lines.append(Line((*((i, j) for i in others), (n_cells, j)), (total_row, j)))
    return Breakdown(labels, suppress(grid, threshold, lines))


def shares(found: Breakdown, threshold: int) -> list[list]:
    """Each row's count and its share of the total; a share goes with its hidden count."""
    total = found.table.values[found.total_row][0]
    rows: list[list] = []
    for i, row_label in enumerate(found.labels):
        shown = found.table.shown(i, 0)
        if i == found.total_row or not total:
            rows.append([row_label, shown, None])
            continue
        # a share of a hidden total would give it back (count / share)
        hidden = found.table.hidden(i, 0) or found.table.hidden(found.total_row, 0) or total < threshold
        rows.append([row_label, shown, rate_cell(indicators.rate(found.table.values[i][0] or 0, total), hidden)])
    return rows


# --- the new porteurs of the period (Profil, shares) -----------------------------------

@dataclass(frozen=True)
class Profile:
    """The breakdowns of the new porteurs of the period, suppressed once for Profil and the shares."""

    quartier: Breakdown
    sexe: Breakdown
    age: Breakdown
    situation: Breakdown
    prescripteur: Breakdown


def profile(ctx: Context, period: Period | None = None) -> Profile:
    """The breakdowns of the new porteurs of the period (the run's, by default), as the year pattern shows them."""
    columns = [period or ctx.period]
    return Profile(
        quartier=pattern_breakdown(ctx, "nouveaux_porteurs", "quartier", columns),
        sexe=pattern_breakdown(ctx, "nouveaux_porteurs", "sexe", columns),
        age=pattern_breakdown(ctx, "nouveaux_porteurs", "par_tranche_age", columns),
        situation=pattern_breakdown(ctx, "nouveaux_porteurs", "par_situation", columns),
        prescripteur=pattern_breakdown(ctx, "nouveaux_porteurs", "par_prescripteur", columns),
    )


def pattern_breakdown(ctx: Context, family: str, key: str, columns: list[Period]) -> Breakdown:
    """A breakdown read from the year patterns: each category (« Non renseigné », the « dont … » subtotal
    included, as the pattern has them), then the family's total, one column per period."""
    patterns = ctx.patterns
    categories = patterns.categories(family, key, columns[0])
    cells = [*((key, c) for c in categories), ("", "")]
    values: list[list[int | None]] = []
    mask: list[list[Hidden | None]] = []
    for breakdown_key, category in cells:
        values.append([_pattern_value(patterns, family, p, breakdown_key, category) for p in columns])
        mask.append([_pattern_mark(patterns, family, p, breakdown_key, category) for p in columns])
    return Breakdown([*categories, TOTAL], SuppressedTable(values, mask, ctx.threshold))


def _pattern_value(patterns: Patterns, family: str, period: Period, key: str, category: str) -> int:
    return patterns.cell(family, period, key, category)[0]


def _pattern_mark(patterns: Patterns, family: str, period: Period, key: str, category: str) -> Hidden | None:
    return patterns.cell(family, period, key, category)[1]


# --- the shares of indicators.md › Public ----------------------------------------------------

# shares whose numerator no table shows (the under 25, the Bac and more, the QPV of each one's first contact):
# their numerators add up over months, so a total of months would give a hidden month's back by difference
OFF_TABLES = frozenset({"part_qpv", "part_moins_25", "part_bac_plus"})


def public_rates(ctx: Context, period: Period, profile_: Profile) -> list[tuple[str, float | None, bool]]:
    """The figures of indicators.md › Public, each with whether it must be hidden.

    A shown share times its denominator gives its numerator (the share is
    exact), so a share is shown only where that adds nothing: with its
    people not small, nor its complement, and with the Profil breakdown it
    could be read against shown in full (its numerator and denominator are
    cells of it). A share of `OFF_TABLES` is decided month by month, like the
    year's pattern, and a total of months shows it only when every one of its
    months does; a period that cuts a month does not show it (two files cut at
    two days would differ by a small count). The number of QPV reached goes
    with the new porteurs and the quartiers of Profil, whose hidden cells it
    would tell apart from zeros.
    """
    found = [(label(key), SHARES[key](ctx.dataset, period).rate, _share_hidden(ctx, key, period, profile_) or (
        key in OFF_TABLES and _off_tables_hidden(ctx, key, period))) for key in SHARES]
    reached = public.qpv_couverts(ctx.dataset, period)
    hidden = is_small(indicators.nouveaux_porteurs(ctx.dataset, period, ctx.as_of), ctx.threshold) \
        or profile_.quartier.any_hidden()
    found.insert(2, (label("qpv_couverts"), reached, hidden))
    return found


SHARES = {"part_femmes": public.femmes, "part_qpv": public.qpv, "part_moins_25": public.moins_25,
          "part_moins_26": public.moins_26, "part_bac_plus": public.bac_plus,
          "part_demandeurs_emploi": public.demandeurs_emploi}
READ_AGAINST = {"part_femmes": "sexe", "part_qpv": "quartier", "part_moins_25": "age", "part_moins_26": "age",
                "part_demandeurs_emploi": "situation"}  # the Profil breakdown each share could be read against


def _share_hidden(ctx: Context, key: str, period: Period, profile_: Profile) -> bool:
    share = SHARES[key](ctx.dataset, period)
    against = READ_AGAINST.get(key)
    hidden = rate_hidden(share.numerator, share.denominator, ctx.threshold) or (
        against is not None and getattr(profile_, against).any_hidden())
    if key == "part_moins_25" and not hidden:
        # beside the under 26 of Profil, it gives the porteurs aged 25: not a small count either
        hidden = is_small(public.moins_26(ctx.dataset, period).numerator - share.numerator, ctx.threshold)
    return hidden


def _off_tables_hidden(ctx: Context, key: str, period: Period) -> bool:
    """Whether a share of `OFF_TABLES` is hidden because a month of the period hides it (or the period cuts one)."""
    months = months_of(period)
    if months is None:
        return True
    if len(months) == 1:
        return False  # the month's own test is `_share_hidden`
    return any(_share_hidden(ctx, key, month, profile(ctx, month))
               for month in (periods.month(period.fin.year, m) for m in months))
