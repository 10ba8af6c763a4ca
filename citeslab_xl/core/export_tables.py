"""The export's building blocks: the context of a run, breakdowns suppressed against their totals, the profile.

Shared by the six sheets of `core.export`: a cell of a count hidden when
small, a rate hidden with its count, a breakdown whose cells add up to its
total (« Non renseigné » included) so that secondary suppression holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from citeslab_xl.core import indicators, periods, schema, selection
from citeslab_xl.core.dataset import Dataset
from citeslab_xl.core.layout import PERCENT
from citeslab_xl.core.periods import Period
from citeslab_xl.core.suppression import SECONDARY_MARK, Line, SuppressedTable, is_small, small_mark, suppress

NON_RENSEIGNE = "Non renseigné"
TOTAL = "Total"
DONT_QPV = "dont quartiers prioritaires (QPV)"


# --- what every sheet needs ------------------------------------------------------

@dataclass(frozen=True)
class Context:
    dataset: Dataset
    period: Period
    as_of: date

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
        return any(self.table.hidden(i, column) for i in range(self.total_row))


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
        hidden = found.table.hidden(i, 0) or total < threshold
        rows.append([row_label, shown, rate_cell(indicators.rate(found.table.values[i][0] or 0, total), hidden)])
    return rows


# --- the new porteurs of the period (Profil, shares) -----------------------------------

def new_by_quartier(dataset: Dataset, period: Period) -> dict[str, int]:
    return selection.by_list(selection.new_porteurs(dataset, period)["quartier"],
                             dataset.settings.values(schema.QUARTIERS))


def new_by_sexe(dataset: Dataset, period: Period) -> dict[str, int]:
    return selection.by_list(selection.new_porteurs(dataset, period)["sexe"], dataset.settings.values("Sexe"))


@dataclass(frozen=True)
class Profile:
    """The breakdowns of the new porteurs of the period, suppressed once for Profil and the shares."""

    quartier: Breakdown
    sexe: Breakdown
    age: Breakdown
    situation: Breakdown
    prescripteur: Breakdown


def profile(ctx: Context) -> Profile:
    dataset, period, t = ctx.dataset, ctx.period, ctx.threshold
    total = [indicators.nouveaux_porteurs(dataset, period, ctx.as_of)]
    return Profile(
        quartier=breakdown([new_by_quartier(dataset, period)], total, t, (DONT_QPV, dataset.settings.qpv_names())),
        sexe=breakdown([new_by_sexe(dataset, period)], total, t),
        age=breakdown([indicators.par_tranche_age(dataset, period, ctx.as_of)], total, t),
        situation=breakdown([indicators.par_situation(dataset, period, ctx.as_of)], total, t),
        prescripteur=breakdown([indicators.par_prescripteur(dataset, period, ctx.as_of)], total, t),
    )
