"""Suppression decided once per calendar year (export.md › Small counts: suppression holds across exports).

The coordinator sends monthly, quarterly and yearly files of the same year. A
pattern decided per file would let two files undo each other, so the pattern
is decided here once per year, on the finest table any export shows: for each
count (a *family*: nouveaux porteurs, rendez-vous, ...), every month × every
category of its breakdowns, together with every total an export of the year
can show — each month, each quarter, each year to date (January to any month)
and the year, each with its breakdowns. Every export of the year reads its
cells from it: a cell hidden in one file is hidden in all.

How a hidden month is kept from being worked back from the totals: by
complementary cells, not by hiding every total that holds it (a small site
has a small month in nearly every quarter: its year would show nothing).
`suppression.suppress` hides first, line by line; then the audit
(`core.audit`, linear programming over every relation of the table at once:
the months add up to each quarter, year to date and year, the categories to
their total) finds any « < N » still narrowed down, and one more cell is
hidden next to it — a month or a category before a year to date, a year to
date before a quarter, the year last — until none is. The pattern depends on
the figures at the as-of date: when they change, it is decided again and
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


def _hiding_rank(months: tuple[int, ...]) -> int:
    """Which totals are hidden first when a cell needs a complement: the year, most read, last."""
    if len(months) == 1:
        return 0
    if months in YEARS_TO_DATE:
        return 1
    return 2 if months in QUARTERS else 3


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
    n = len(AGGREGATES)
    mask: list[list[Hidden | None]] = [[None] * len(columns) for _ in range(n)]
    row_lines = [line for line in lines if line.total[0] == line.cells[0][0]]
    month_lines = [line for line in row_lines if line.total[0] < 12]
    _months(grid, mask, month_lines, threshold)
    aggregate_lines = [line for line in row_lines if line.total[0] >= 12]
    _aggregates(grid, mask, aggregate_lines, threshold)
    relations = [audit.Relation(line.cells, line.total) for line in lines]
    while weak := _exposed(grid, mask, relations, threshold):
        if not _protect(grid, mask, lines, weak):
            break  # everything around them is hidden already: nothing more can be done in this table
    return FamilyPattern(counts.key, columns, SuppressedTable(grid, mask, threshold, tuple(lines)))


def _months(grid, mask, month_lines: list[Line], threshold: int) -> None:
    """The month table: each month's categories against its total, and each hidden month paired in its quarter.

    A month hidden alone in its quarter (in one column) would come back from
    the quarter; so a second month of the quarter is hidden with it, which in
    its own row needs a complement too: repeated until nothing moves.
    """
    while True:
        table = suppress(grid[:12], threshold, month_lines, mask[:12])
        mask[:12] = [list(row) for row in table.mask]
        if not _pair_in_quarters(grid, mask, threshold):
            return


def _pair_in_quarters(grid, mask, threshold: int) -> bool:
    paired = False
    for j in range(len(grid[0])):
        for quarter in QUARTERS:
            rows = [m - 1 for m in quarter]
            hidden = [i for i in rows if mask[i][j] is not None and grid[i][j]]
            if len(hidden) != 1:
                continue
            partners = [i for i in rows if mask[i][j] is None and grid[i][j]]
            if partners:
                need = 2 * threshold - 1 - int(grid[hidden[0]][j])  # enough slack for « < N » to span 1..N − 1
                wide = [i for i in partners if grid[i][j] >= need]
                i = min(wide, key=lambda i: grid[i][j]) if wide else max(partners, key=lambda i: grid[i][j])
                mask[i][j] = Hidden.SECONDARY
                paired = True
    return paired


def _aggregates(grid, mask, aggregate_lines: list[Line], threshold: int) -> None:
    """The quarters, years to date and year: small ones hidden, and every one that would undo the months.

    A year to date that ends inside a quarter, between two of its hidden
    months, would separate them: hidden. A total holding a month hidden alone
    in its quarter (no partner could be found) is hidden.
    """
    decided: list[list[Hidden | None]] = [[None] * len(grid[0]) for _ in AGGREGATES[12:]]
    for r, months in enumerate(AGGREGATES[12:]):
        for j in range(len(grid[0])):
            if _undoes_months(grid, mask, months, j):
                decided[r][j] = Hidden.SECONDARY
    table = suppress(grid, threshold, aggregate_lines, [*mask[:12], *decided])
    mask[12:] = [list(row) for row in table.mask[12:]]


def _undoes_months(grid, mask, months: tuple[int, ...], j: int) -> bool:
    for quarter in QUARTERS:
        hidden = [m for m in quarter if mask[m - 1][j] is not None and grid[m - 1][j]]
        inside = [m for m in hidden if m in months]
        if inside and (len(hidden) == 1 or len(inside) < len(hidden)):
            return True
    return False


def _protect(grid, mask, lines: list[Line], weak: list[tuple[int, int]]) -> bool:
    """What the audit still finds: every total holding the cell hidden, then a complement next to it."""
    hid = False
    for i, j in weak:
        months = set(AGGREGATES[i])
        holders = [r for r in range(12, len(AGGREGATES)) if months <= set(AGGREGATES[r])
                   and mask[r][j] is None and grid[r][j]]
        for r in holders:
            mask[r][j] = Hidden.SECONDARY
            hid = True
    if hid:
        return True
    return _hide_complements(grid, mask, lines, weak)


def _hide_complements(grid, mask, lines: list[Line], weak: list[tuple[int, int]]) -> bool:
    """One more hidden cell next to each exposed one (one per line per round: the next audit judges)."""
    touched: set[tuple[int, int]] = set()
    hid = False
    for cell in weak:
        if cell in touched:
            continue
        complement = _complement(grid, mask, lines, cell)
        if complement is None:
            continue
        mask[complement[0]][complement[1]] = Hidden.SECONDARY
        hid = True
        touched |= {p for line in lines if complement in (*line.cells, line.total) for p in (*line.cells, line.total)}
    return hid


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


def _exposed(grid, mask, relations: list[audit.Relation], threshold: int) -> list[tuple[int, int]]:
    shown, hidden = cell_bounds(grid, mask, relations, threshold)
    return sorted(f.key for f in audit.exposed(shown, hidden, relations, _sensitive(grid, mask)))


def cell_bounds(grid, mask, relations: list[audit.Relation], threshold: int):
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


def _complement(grid, mask, lines: list[Line], weak: tuple[int, int]) -> tuple[int, int] | None:
    """The shown non-zero cell to hide next to `weak`: in its lines first, then in theirs, and so on."""
    seen, ring = {weak}, {weak}
    while ring:
        around = {p for line in lines if ring.intersection((*line.cells, line.total))
                  for p in (*line.cells, line.total)} - seen
        candidates = [p for p in around if mask[p[0]][p[1]] is None and grid[p[0]][p[1]]]
        if candidates:
            return min(candidates, key=lambda p: (p[1] == 0, _hiding_rank(AGGREGATES[p[0]]), grid[p[0]][p[1]], p))
        seen |= around
        ring = around
    return None
