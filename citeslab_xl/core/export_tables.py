"""The export's building blocks: the context of a run, breakdowns suppressed against their totals, the profile.

Shared by the six sheets of `core.export`: a cell of a count hidden when
small, a rate hidden with its count, a breakdown whose cells add up to its
total (« Non renseigné » included) so that secondary suppression holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from citeslab_xl.core import indicators, periods
from citeslab_xl.core.dataset import Dataset
from citeslab_xl.core.export_pattern import DONT_QPV as DONT_QPV
from citeslab_xl.core.export_pattern import NON_RENSEIGNE, Patterns
from citeslab_xl.core.layout import PERCENT
from citeslab_xl.core.periods import Period
from citeslab_xl.core.suppression import (
    SECONDARY_MARK,
    Hidden,
    Line,
    SuppressedTable,
    is_small,
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
