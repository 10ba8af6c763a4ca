"""Small-count suppression for the shared workbook (export.md › Small counts).

A table is a grid of counts (None where a cell is not a count) together with
its *lines*: each line is a set of cells whose sum is shown in a total cell.
Suppression returns the same values with a mask:

- primary: a count n with 0 < n < threshold, shown as « < threshold »;
- secondary: where a line shows its total and exactly one of its non-zero
  cells is hidden, that cell could be worked back from the total, so the
  smallest other non-zero cell of the line is hidden too (or, when there is no
  other one, the total itself); this is repeated until no line changes.

Two hidden cells are not always enough: in 12, « < 5 », « masqué », total 18,
a reader who knows that « < 5 » is 1 to 4 and « masqué » at least 5 finds 1
and 5. So the same step is also taken for a line where such bounds, narrowed
through every line of the table, pin a hidden count to a single value, or
leave a « < N » less than what the marks alone leave it (the audit's
criterion, `core.audit`): 20, « < 5 », « < 5 », 15 and total 41 say that the
two add up to 6, each 2 to 4 and not 1 to 4, so 15 is hidden too.

Under a total that is itself « < N », the zeros show « < N » too: otherwise
four « < 5 » cells under a « < 5 » total could only be four times 1.

After suppression, every line whose total is shown has 0 or at least 2 hidden
non-zero cells, and no hidden non-zero count is pinned or narrowed by those
bounds (they are narrowed one line at a time: a combination of lines can say
more in a 2-D table; the year's pattern checks that by linear programming).
Rates follow the spec (hidden when the denominator is below the threshold)
and, since a rate times a shown denominator gives back its numerator, also
when the numerator or its complement is a hidden count. Nothing here does
any I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

Position = tuple[int, int]
SECONDARY_MARK = "masqué"


class Hidden(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"


def small_mark(threshold: int) -> str:
    """What a small count shows instead of its value: « < 5 »."""
    return f"< {threshold}"


def is_small(count: int | None, threshold: int) -> bool:
    return count is not None and 0 < count < threshold


@dataclass(frozen=True)
class Line:
    """Cells whose sum is shown in `total` (a row or a column of a table with a total)."""

    cells: tuple[Position, ...]
    total: Position


@dataclass(frozen=True)
class SuppressedTable:
    values: list[list[int | None]]
    mask: list[list[Hidden | None]]
    threshold: int
    lines: tuple[Line, ...] = ()

    def hidden(self, i: int, j: int) -> bool:
        return self.mask[i][j] is not None

    def shown(self, i: int, j: int) -> int | str | None:
        """The cell as the reader sees it: its count, « < N », or « masqué »."""
        state = self.mask[i][j]
        if state is Hidden.PRIMARY:
            return small_mark(self.threshold)
        if state is Hidden.SECONDARY:
            return SECONDARY_MARK
        return self.values[i][j]

    def rows(self) -> list[list[int | str | None]]:
        return [[self.shown(i, j) for j in range(len(row))] for i, row in enumerate(self.values)]


def suppress(values: Sequence[Sequence[int | None]], threshold: int,
             lines: Iterable[Line] = (), hidden: Sequence[Sequence[Hidden | None]] | None = None) -> SuppressedTable:
    """Primary then secondary suppression of a grid of counts against its lines.

    `hidden`, when given, is a mask already decided (cells hidden for another
    table that shares these): those cells stay hidden and count as such.
    """
    grid = [list(row) for row in values]
    mask: list[list[Hidden | None]] = [
        [Hidden.PRIMARY if is_small(v, threshold) else None for v in row] for row in grid
    ]
    for i, row in enumerate(hidden or ()):
        for j, state in enumerate(row):
            mask[i][j] = mask[i][j] or state
    lines = tuple(lines)
    _hide_zeros_under_small_totals(grid, mask, lines)
    # what the marks alone leave each cell: the same whatever « masqué » is added below
    reference = _narrowed_bounds(grid, mask, lines, threshold, marks_only=True) if threshold > 2 else {}
    while (exposed := _exposing_line(grid, mask, lines, threshold, reference)) is not None:
        i, j = _next_to_hide(grid, mask, exposed)
        mask[i][j] = Hidden.SECONDARY
    return SuppressedTable(grid, mask, threshold, lines)


def _hide_zeros_under_small_totals(grid, mask, lines: tuple[Line, ...]) -> None:
    """Below a « < N » total, the zeros show « < N » too.

    Otherwise the number of non-zero cells would tell too much: four cells
    « < 5 » under a total « < 5 » can only be four times 1.
    """
    for line in lines:
        if mask[line.total[0]][line.total[1]] is Hidden.PRIMARY:
            for i, j in line.cells:
                if grid[i][j] == 0:
                    mask[i][j] = Hidden.PRIMARY


def _nonzero(grid, position: Position) -> bool:
    value = grid[position[0]][position[1]]
    return value is not None and value != 0


def _is_hidden(mask, position: Position) -> bool:
    return mask[position[0]][position[1]] is not None


def _next_to_hide(grid, mask, line: Line) -> Position:
    """The smallest shown non-zero cell of the line, or its total when there is none."""
    candidates = [p for p in line.cells if not _is_hidden(mask, p) and _nonzero(grid, p)]
    if candidates:
        return min(candidates, key=lambda p: (grid[p[0]][p[1]], p))
    return line.total


def _exposing_line(grid, mask, lines: tuple[Line, ...], threshold: int,
                   reference: dict[Position, tuple[float, float]]) -> Line | None:
    """A line that lets a reader narrow one of its hidden counts and still has a cell to hide, if any.

    First the rule of the spec: a shown total with exactly one hidden non-zero
    cell. Then what a reader who knows that « < N » means 1 to N − 1 and
    « masqué » at least N can still deduce: the bounds of every hidden count
    are narrowed through every line until nothing moves, and a count is
    exposed when its bounds meet, or when a « < N » is left less than what
    the marks alone leave it (`reference`: the shown counts taken as « at
    least N »), as the audit requires (`core.audit`).
    """
    for line in lines:
        if not _is_hidden(mask, line.total) \
                and sum(1 for p in line.cells if _is_hidden(mask, p) and _nonzero(grid, p)) == 1:
            return line
    if threshold <= 2:
        return None  # « < 2 » already says 1: no further hiding can help
    bounds = _narrowed_bounds(grid, mask, lines, threshold)
    # a zero hidden under a small total may come out as zero: that tells nothing about a person
    exposed = {p for p, (low, high) in bounds.items() if low == high and _nonzero(grid, p)}
    exposed |= {p for p, (low, high) in bounds.items() if mask[p[0]][p[1]] is Hidden.PRIMARY
                and (low > reference[p][0] or high < reference[p][1])}
    for line in sorted(lines, key=lambda line: _is_hidden(mask, line.total)):
        if exposed.intersection((*line.cells, line.total)) and _can_hide_more(grid, mask, line):
            return line
    return None


def _can_hide_more(grid, mask, line: Line) -> bool:
    return not _is_hidden(mask, line.total) or any(
        not _is_hidden(mask, p) and _nonzero(grid, p) for p in line.cells)


def _priors(mask, lines: tuple[Line, ...], threshold: int) -> dict[Position, tuple[float, float]]:
    """What the marks alone tell a reader: « masqué » is at least N, « < N » is 1 to N − 1,
    or 0 to N − 1 under a « < N » total (where zeros are hidden too)."""
    under_small_total = {
        p for line in lines if mask[line.total[0]][line.total[1]] is Hidden.PRIMARY for p in line.cells
    }
    priors: dict[Position, tuple[float, float]] = {}
    for i, row in enumerate(mask):
        for j, state in enumerate(row):
            if state is Hidden.PRIMARY:
                priors[(i, j)] = (0 if (i, j) in under_small_total else 1, threshold - 1)
            elif state is Hidden.SECONDARY:
                priors[(i, j)] = (threshold, math.inf)
    return priors


def _narrowed_bounds(grid, mask, lines: tuple[Line, ...], threshold: int,
                     marks_only: bool = False) -> dict[Position, tuple[float, float]]:
    """Bounds of each hidden count that every line's equation (sum of cells = total) allows
    (`marks_only`: of every count, a shown one taken only as « at least N »)."""
    bounds = _priors(mask, lines, threshold)
    if marks_only:
        bounds.update({(i, j): (threshold, math.inf) for i, row in enumerate(grid) for j, v in enumerate(row)
                       if v and mask[i][j] is None})
    changed = True
    while changed:
        changed = False
        for line in lines:
            terms = [(p, 1) for p in line.cells] + [(line.total, -1)]
            for position, low, high in _line_bounds(grid, terms, bounds):
                old_low, old_high = bounds[position]
                new = (max(old_low, low), min(old_high, high))
                if new != (old_low, old_high):
                    bounds[position] = new
                    changed = True
    return bounds


def _line_bounds(grid, terms, bounds):
    """For each hidden term of sum(coef × value) = 0, the bounds the other terms leave it."""
    known = sum(coef * (grid[p[0]][p[1]] or 0) for p, coef in terms if p not in bounds)
    unknown = [(p, coef) for p, coef in terms if p in bounds]
    for position, coef in unknown:
        others = [(bounds[p], c) for p, c in unknown if p != position]
        # coef × x = −known − Σ others, each other term c × y with y in its bounds
        rest_low = -known - sum(c * (b[1] if c > 0 else b[0]) for b, c in others)
        rest_high = -known - sum(c * (b[0] if c > 0 else b[1]) for b, c in others)
        low, high = (rest_low, rest_high) if coef > 0 else (-rest_high, -rest_low)
        yield position, low, high


def with_totals(counts: Sequence[Sequence[int | None]], row_totals: bool = False,
                column_totals: bool = False) -> tuple[list[list[int | None]], list[Line]]:
    """The grid with its totals appended (a last column, a last row) and the lines they make.

    With both, the bottom-right cell is the grand total, and the total row and
    total column are lines of their own.
    """
    grid = [list(row) for row in counts]
    n_rows, n_cols = len(grid), len(grid[0]) if grid else 0
    lines: list[Line] = []
    if row_totals:
        for i, row in enumerate(grid):
            row.append(_sum(row))
            lines.append(Line(tuple((i, j) for j in range(n_cols)), (i, n_cols)))
    if column_totals:
        width = len(grid[0]) if grid else n_cols
        grid.append([_sum(grid[i][j] for i in range(n_rows)) for j in range(width)])
        for j in range(width):
            lines.append(Line(tuple((i, j) for i in range(n_rows)), (n_rows, j)))
    if row_totals and column_totals:  # the column of row totals is already a line of the loop above
        lines.append(Line(tuple((n_rows, j) for j in range(n_cols)), (n_rows, n_cols)))
    return grid, lines


def _sum(values: Iterable[int | None]) -> int:
    return sum(v for v in values if v is not None)


def suppress_grid(counts: Sequence[Sequence[int | None]], threshold: int, row_totals: bool = False,
                  column_totals: bool = False) -> SuppressedTable:
    """`with_totals` then `suppress`: a table whose totals are computed here, as values."""
    grid, lines = with_totals(counts, row_totals, column_totals)
    return suppress(grid, threshold, lines)


def rate_hidden(numerator: int, denominator: int, threshold: int, numerator_hidden: bool | None = None,
                complement_hidden: bool | None = None) -> bool:
    """Whether a rate numerator / denominator must not be shown.

    Hidden when the denominator is below the threshold (export.md), and when the
    numerator or the complement (denominator − numerator) is a hidden count:
    the rate times the denominator would give it back. Pass `numerator_hidden` /
    `complement_hidden` when the workbook shows that count elsewhere with its
    own mask; by default a count is hidden when it is small.
    """
    if denominator < threshold:
        return True
    if numerator_hidden is None:
        numerator_hidden = is_small(numerator, threshold)
    if complement_hidden is None:
        complement_hidden = is_small(denominator - numerator, threshold)
    return numerator_hidden or complement_hidden

