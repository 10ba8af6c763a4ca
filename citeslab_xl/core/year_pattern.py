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
itself, and then its months that are 0 show « < N » as well, as any detail
of a « < N » total does); a total made only of shown months adds nothing a
reader could not add up. Each month's table, then each total's, is
suppressed against its totals (`suppression.suppress`). That first pass
(`FamilyPattern.first`) is what each table's rules decide; the audit's
criterion (`core.audit`: every « < N » may still be anything from 1 to N − 1,
or all that the marks alone leave it) is then met on the whole year, months,
totals and breakdowns together (`_protect`): linear programs find the « < N »
cells the published counts still narrow, and the smallest shown cell beside
each is hidden, round after round, until none is left. This is chosen over
hiding complementary months because it is the same in every file and cheap;
its cost is that a year or quarter holding a small month shows « masqué »
for that figure. `core.export_audit` proves it by linear programming on the
union of a year's exports, with the counts that bound a family's from outside
its table (accompagnés, reçus, orientés, a cohort's businesses, pérennité's
counts), which the export hides where what they bound is hidden, so that
none narrows a cell of this table (`export_tables.LINKED`,
`perennite_counts_hidden`). The pattern depends on the figures at the as-of
date: when they change, it is decided again, and earlier files may be
superseded (the Lisez-moi says so).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from citeslab_xl.core import audit
from citeslab_xl.core.suppression import Hidden, Line, Position, SuppressedTable, suppress

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
    cumulated: bool = True  # some export shows it for a year to date too (else only for months, quarters, year)


@dataclass(frozen=True)
class FamilyCounts:
    key: str
    totals: Sequence[int]  # twelve
    breakdowns: tuple[BreakdownCounts, ...] = ()


@dataclass(frozen=True)
class FamilyPattern:
    """A family's table: `first` as the rules of each table decide it, `table` once the audit's criterion is
    met too (`_protect`, found on first use). That step only ever hides more, and only as « masqué », so a cell
    hidden in `first` is hidden the same way in `table`: asking for one does not need the programs."""

    key: str
    columns: tuple[tuple[str, str], ...]
    first: SuppressedTable
    unpublished: frozenset[Position] = frozenset()  # cells no export shows: what a reader does not see

    @cached_property
    def table(self) -> SuppressedTable:
        first = self.first
        mask = [list(row) for row in first.mask]
        _protect(first.values, mask, list(first.lines), first.threshold, self.unpublished)
        return SuppressedTable(first.values, mask, first.threshold, first.lines)

    def position(self, months: tuple[int, ...], breakdown: str = "", category: str = "") -> tuple[int, int]:
        return ROW[months], self.columns.index((breakdown, category))

    def value(self, months: tuple[int, ...], breakdown: str = "", category: str = "") -> int:
        i, j = self.position(months, breakdown, category)
        return int(self.first.values[i][j] or 0)

    def mark(self, months: tuple[int, ...], breakdown: str = "", category: str = "") -> Hidden | None:
        i, j = self.position(months, breakdown, category)
        return self.first.mask[i][j] or self.table.mask[i][j]

    def shown(self, months: tuple[int, ...], breakdown: str = "", category: str = "") -> int | str | None:
        i, j = self.position(months, breakdown, category)
        return self.first.shown(i, j) if self.first.mask[i][j] else self.table.shown(i, j)


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
    _hide_zeros_under_small_totals_of_months(grid, mask, lines)
    aggregate_lines = [line for line in lines if line.total[0] == line.cells[0][0] >= 12]
    mask = [list(row) for row in suppress(grid, threshold, aggregate_lines, mask).mask]
    return FamilyPattern(counts.key, columns, SuppressedTable(grid, mask, threshold, tuple(lines)),
                         _unpublished(counts, columns))


def _unpublished(counts: FamilyCounts, columns: tuple[tuple[str, str], ...]) -> frozenset[Position]:
    """The year-to-date cells of the breakdowns no export shows for a year to date."""
    hidden_keys = {b.key for b in counts.breakdowns if not b.cumulated}
    return frozenset((ROW[months], j) for months in YEARS_TO_DATE for j, (key, _) in enumerate(columns)
                     if key in hidden_keys)


def _protect(grid, mask, lines: list[Line], threshold: int, unpublished: frozenset[Position] = frozenset()) -> None:
    """Hide more, a few small cells at a time, until every hidden cell meets the audit's criterion.

    The marks themselves tell a little (a « < N » total says its cells hold 1
    to N − 1), and a line's other cells may leave a hidden one less than its
    whole mark, or a « masqué » less than N of room: the audit finds those,
    and one more cell is hidden beside each. Hiding a cell only widens what
    the others may be (a fixed value becomes an interval that holds it), so a
    cell once proven stays proven: each round checks only the cells that
    failed and those just hidden. The check is made on what the exports
    publish: a cell no export shows is, to the reader, any count.
    """
    relations = [audit.Relation(line.cells, line.total) for line in lines]
    lines_of: dict[Position, list[Line]] = {}
    for line in lines:
        for p in (*line.cells, line.total):
            lines_of.setdefault(p, []).append(line)
    truth: dict[audit.Key, int] = {(i, j): v for i, row in enumerate(grid) for j, v in enumerate(row)
                                   if v is not None}
    among: set[audit.Key] | None = None
    marks_only = None  # the same all along: only « masqué » cells are added
    while True:
        shown, hidden = cell_bounds(grid, mask, relations, threshold, unpublished)
        small = [p for p in hidden if mask[p[0]][p[1]] is Hidden.PRIMARY]
        marks_only = marks_only or audit.MarksOnly(shown, hidden, relations, threshold)
        failing: list[Position] = sorted(f.key for f in audit.unprotected(  # type: ignore[misc]
            shown, hidden, relations, small, threshold, among, truth, marks_only))
        added = _hide_beside(grid, mask, lines_of, failing, unpublished)
        if not added:
            return
        among = set(failing) | added


def _hide_beside(grid, mask, lines_of: dict[Position, list[Line]], failing: list[Position],
                 unpublished: frozenset[Position]) -> set[Position]:
    """Beside each failing cell, the cell to hide (`_to_hide`), with the totals of months that hold it.

    A failing cell that shares a line with a cell hidden in this round waits
    for the next: that cell may be enough for both.
    """
    added: set[Position] = set()
    for cell in failing:
        if any(p in added for line in lines_of.get(cell, ()) for p in (*line.cells, line.total)):
            continue
        choice = _to_hide(grid, mask, lines_of, cell, unpublished)
        if choice is None:
            continue
        for i, j in _with_totals_of_months(choice):
            if mask[i][j] is None and grid[i][j]:
                mask[i][j] = Hidden.SECONDARY
                added.add((i, j))
    return added


def _to_hide(grid, mask, lines_of: dict[Position, list[Line]], cell: Position,
             unpublished: frozenset[Position]) -> Position | None:
    """The smallest shown non-zero cell of the cell's lines, from the line with the fewest hidden cells first
    (the one that pins it), a month before a total of months, the fewest cells hidden with it (`_cost`); when
    its lines have none, the lines of their cells, and so on outwards. A family's own count (column 0: the
    nouveaux porteurs, rendez-vous… the agglomeration reads first) is taken only when no category is left at
    any distance: hiding it hides every total of months that holds it."""
    seen_lines: set[int] = set()
    frontier = {cell}
    fallback = None
    while frontier:
        lines = [line for p in sorted(frontier) for line in lines_of.get(p, ()) if id(line) not in seen_lines]
        seen_lines.update(id(line) for line in lines)
        candidates = []
        for line in lines:
            members = (*line.cells, line.total)
            hidden = sum(1 for p in members if mask[p[0]][p[1]] is not None)
            candidates += [(p[1] == 0, hidden, p[0] >= 12, _cost(mask, p), grid[p[0]][p[1]], p) for p in members
                           if mask[p[0]][p[1]] is None and grid[p[0]][p[1]] and p not in unpublished]
        if candidates:
            best = min(candidates)
            if not best[0]:
                return best[-1]
            fallback = fallback or best[-1]
        frontier = {p for line in lines for p in (*line.cells, line.total)}
    return fallback


def _cost(mask, position: Position) -> int:
    """How many cells hiding this one hides: itself and the shown totals of months that hold it."""
    return sum(1 for i, j in _with_totals_of_months(position) if mask[i][j] is None)


def _with_totals_of_months(position: Position) -> list[Position]:
    """A month's cell and every total of months that holds it, in its column; any other cell alone."""
    i, j = position
    if i >= 12:
        return [position]
    return [position, *((ROW[months], j) for months in AGGREGATES[12:] if i + 1 in months)]


def cell_bounds(grid, mask, relations: list[audit.Relation], threshold: int,
                unpublished: frozenset[Position] = frozenset()) -> tuple[dict, dict]:
    """What a reader knows of the table: the shown values, and each mark's bounds (not the unpublished cells)."""
    shown = {(i, j): int(v) for i, row in enumerate(grid) for j, v in enumerate(row)
             if v is not None and mask[i][j] is None and (i, j) not in unpublished}
    small = [(i, j) for i, row in enumerate(mask) for j, state in enumerate(row)
             if state is Hidden.PRIMARY and (i, j) not in unpublished]
    zero_possible = audit.under_small_totals(small, relations)
    hidden: dict = {p: audit.small_bounds(threshold, p in zero_possible) for p in small}
    hidden.update({(i, j): audit.secondary_bounds(threshold) for i, row in enumerate(mask)
                   for j, state in enumerate(row) if state is Hidden.SECONDARY and (i, j) not in unpublished})
    return shown, hidden


def _aggregate_mark(grid, mask, months: tuple[int, ...], j: int, threshold: int) -> Hidden | None:
    """A total of months is hidden when it holds a hidden month (or is small itself); a zero stays 0."""
    value = grid[ROW[months]][j]
    if not value:
        return None
    if value < threshold:
        return Hidden.PRIMARY
    return Hidden.SECONDARY if any(mask[m - 1][j] is not None for m in months) else None


def _hide_zeros_under_small_totals_of_months(grid, mask, lines: list[Line]) -> None:
    """In a column, the months of a total of months « < N » show « < N » when they are 0, as any detail of a
    « < N » total does: a 0 shown beside it would pin the others (1 « < 5 » month and two 0 give it back).
    Not a 0 whose month's total is 0 too: the reader knows it is 0 whatever it shows."""
    certain = {p for line in lines if grid[line.total[0]][line.total[1]] == 0 for p in line.cells}
    for months in AGGREGATES[12:]:
        for j, state in enumerate(mask[ROW[months]]):
            if state is Hidden.PRIMARY:
                for m in months:
                    if grid[m - 1][j] == 0 and (m - 1, j) not in certain:
                        mask[m - 1][j] = Hidden.PRIMARY


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
