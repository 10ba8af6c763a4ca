"""Suppression decided once per calendar year (export.md › Small counts: suppression holds across exports).

The coordinator sends monthly, quarterly and yearly files of the same year. A
pattern decided per file would let two files undo each other, so the pattern
is decided here once per year, on the finest table any export shows: for each
count (a *family*: nouveaux porteurs, rendez-vous, ...), every month × every
category of its breakdowns, together with every total an export of the year
can show — each month, each quarter, each year to date (January to any month)
and the year, each with its breakdowns. Every export of the year reads its
cells from it: a cell hidden in one file is hidden in all.

How a hidden month is kept from being worked back from the totals: every
total of months (quarter, year to date, year) that holds a hidden month, in
the same column, is hidden too (« masqué », or « < N » when it is small
itself); a total made only of shown months adds nothing a reader could not
add up, so nothing published can narrow a hidden month beyond what its own
month's table allows, and each month's table is suppressed against its
totals as before (`suppression.suppress`). This is chosen over hiding
complementary months because it is provable without a search, the same in
every file, and cheap; its cost is that a year or quarter holding a small
month shows « masqué » for that figure. `core.audit` proves it by linear
programming on the union of a year's exports. The pattern depends on the
figures at the as-of date: when they change, it is decided again, and
earlier files may be superseded (the Lisez-moi says so).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from citeslab_xl.core import audit
from citeslab_xl.core.suppression import Hidden, Line, SuppressedTable, suppress

MONTHS = tuple((m,) for m in range(1, 13))
QUARTERS = tuple(tuple(range(3 * q + 1, 3 * q + 4)) for q in range(4))
YEAR = tuple(range(1, 13))
# every « Cumul au … » an export can show; January and the first quarter are already rows
YEARS_TO_DATE = tuple(tuple(range(1, m + 1)) for m in range(2, 12) if m != 3)
AGGREGATES: tuple[tuple[int, ...], ...] = (*MONTHS, *QUARTERS, *YEARS_TO_DATE, YEAR)
ROW = {months: i for i, months in enumerate(AGGREGATES)}
TOTAL = ("", "")  # the column of the family's own count


@dataclass(frozen=True)
class BreakdownCounts:
    """One breakdown of a family, month by month: its categories (« Non renseigné » included) add up to the total."""

    key: str
    categories: tuple[str, ...]
    months: Sequence[dict[str, int]]  # twelve
    subtotal: tuple[str, frozenset[str]] | None = None


@dataclass(frozen=True)
class FamilyCounts:
    key: str
    totals: Sequence[int]  # twelve
    breakdowns: tuple[BreakdownCounts, ...] = ()


@dataclass(frozen=True)
class FamilyPattern:
    key: str
    columns: tuple[tuple[str, str], ...]
    table: SuppressedTable

    def position(self, months: tuple[int, ...], breakdown: str = "", category: str = "") -> tuple[int, int]:
        return ROW[months], self.columns.index((breakdown, category))

    def value(self, months: tuple[int, ...], breakdown: str = "", category: str = "") -> int:
        i, j = self.position(months, breakdown, category)
        return int(self.table.values[i][j] or 0)

    def mark(self, months: tuple[int, ...], breakdown: str = "", category: str = "") -> Hidden | None:
        i, j = self.position(months, breakdown, category)
        return self.table.mask[i][j]

    def shown(self, months: tuple[int, ...], breakdown: str = "", category: str = "") -> int | str | None:
        i, j = self.position(months, breakdown, category)
        return self.table.shown(i, j)


@dataclass(frozen=True)
class YearPattern:
    year: int
    threshold: int
    families: dict[str, FamilyPattern] = field(default_factory=dict)

    def __getitem__(self, key: str) -> FamilyPattern:
        return self.families[key]


def decide(year: int, families: Iterable[FamilyCounts], threshold: int) -> YearPattern:
    """The pattern of the year: each family's table suppressed, then audited and completed until protected."""
    return YearPattern(year, threshold, {f.key: decide_family(f, threshold) for f in families})


def decide_family(counts: FamilyCounts, threshold: int) -> FamilyPattern:
    columns, grid, lines = _table(counts)
    month_lines = [line for line in lines if line.total[0] == line.cells[0][0] < 12]
    months = suppress(grid[:12], threshold, month_lines)
    mask: list[list[Hidden | None]] = [list(row) for row in months.mask]
    mask += [[_aggregate_mark(grid, mask, months_, j, threshold) for j in range(len(columns))]
             for months_ in AGGREGATES[12:]]
    aggregate_lines = [line for line in lines if line.total[0] == line.cells[0][0] >= 12]
    mask = [list(row) for row in suppress(grid, threshold, aggregate_lines, mask).mask]
    relations = [audit.Relation(line.cells, line.total) for line in lines]
    # the marks themselves tell a little (a « < N » total says its cells hold 1 to N − 1): the audit finds
    # what that still works back, rarely, and one more cell is hidden around it until nothing is
    while weak := _worked_back(grid, mask, relations, threshold):
        if not _hide_around(grid, mask, lines, weak):
            break
    return FamilyPattern(counts.key, columns, SuppressedTable(grid, mask, threshold, tuple(lines)))


def _worked_back(grid, mask, relations: list[audit.Relation], threshold: int) -> list[tuple[int, int]]:
    shown, hidden = cell_bounds(grid, mask, relations, threshold)
    return [f.key for f in audit.exposed(shown, hidden, relations, _sensitive(grid, mask))]  # type: ignore[misc]


def _hide_around(grid, mask, lines: list[Line], weak: list[tuple[int, int]]) -> bool:
    """For each cell worked back, the smallest shown non-zero cell of its lines (a month before a total)."""
    hid = False
    for cell in weak:
        around = {p for line in lines if cell in (*line.cells, line.total) for p in (*line.cells, line.total)}
        candidates = [p for p in around if mask[p[0]][p[1]] is None and grid[p[0]][p[1]]]
        if candidates:
            i, j = min(candidates, key=lambda p: (p[0] >= 12, p[1] == 0, grid[p[0]][p[1]], p))
            mask[i][j] = Hidden.SECONDARY
            hid = True
    return hid


def cell_bounds(grid, mask, relations: list[audit.Relation], threshold: int) -> tuple[dict, dict]:
    """What a reader knows of the table: the shown values, and each mark's bounds."""
    shown = {(i, j): int(v) for i, row in enumerate(grid) for j, v in enumerate(row)
             if v is not None and mask[i][j] is None}
    small = [(i, j) for i, row in enumerate(mask) for j, state in enumerate(row) if state is Hidden.PRIMARY]
    zero_possible = audit.under_small_totals(small, relations)
    hidden: dict = {p: audit.small_bounds(threshold, p in zero_possible) for p in small}
    hidden.update({(i, j): audit.secondary_bounds(threshold) for i, row in enumerate(mask)
                   for j, state in enumerate(row) if state is Hidden.SECONDARY})
    return shown, hidden


def _sensitive(grid, mask) -> list[tuple[int, int]]:
    """The small non-zero counts: a hidden zero singles nobody out."""
    return [(i, j) for i, row in enumerate(mask) for j, state in enumerate(row)
            if state is Hidden.PRIMARY and grid[i][j]]


def _aggregate_mark(grid, mask, months: tuple[int, ...], j: int, threshold: int) -> Hidden | None:
    """A total of months is hidden when it holds a hidden month (or is small itself); a zero stays 0."""
    value = grid[ROW[months]][j]
    if not value:
        return None
    if value < threshold:
        return Hidden.PRIMARY
    return Hidden.SECONDARY if any(mask[m - 1][j] is not None for m in months) else None


def _table(counts: FamilyCounts):
    """The grid (one row per aggregate of months, one column per category), and its lines."""
    columns: list[tuple[str, str]] = [TOTAL]
    for b in counts.breakdowns:
        columns += [(b.key, c) for c in b.categories]
        if b.subtotal is not None:
            columns.append((b.key, b.subtotal[0]))
    month_cells = []
    for m in range(12):
        row = {TOTAL: counts.totals[m]}
        for b in counts.breakdowns:
            row.update({(b.key, c): b.months[m].get(c, 0) for c in b.categories})
            if b.subtotal is not None:
                row[(b.key, b.subtotal[0])] = sum(b.months[m].get(c, 0) for c in b.subtotal[1])
        month_cells.append(row)
    grid: list[list[int | None]] = [[sum(month_cells[m - 1][c] for m in months) for c in columns]
                                    for months in AGGREGATES]
    index = {c: j for j, c in enumerate(columns)}
    lines: list[Line] = []
    for i in range(len(AGGREGATES)):
        for b in counts.breakdowns:
            lines.append(Line(tuple((i, index[(b.key, c)]) for c in b.categories), (i, 0)))
            if b.subtotal is not None:
                name, members = b.subtotal
                inside = [c for c in b.categories if c in members]
                outside = [c for c in b.categories if c not in members]
                lines.append(Line(tuple((i, index[(b.key, c)]) for c in inside), (i, index[(b.key, name)])))
                lines.append(Line((*((i, index[(b.key, c)]) for c in outside), (i, index[(b.key, name)])), (i, 0)))
    for months in AGGREGATES[12:]:
        for j in range(len(columns)):
            lines.append(Line(tuple((ROW[(m,)], j) for m in months), (ROW[months], j)))
    return tuple(columns), grid, lines
