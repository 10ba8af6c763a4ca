"""Small-count suppression: hand-computed tables, and checks that no hidden count can be worked back."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from citeslab_xl.core import audit
from citeslab_xl.core.suppression import (
    SECONDARY_MARK,
    Hidden,
    Line,
    SuppressedTable,
    rate_hidden,
    small_mark,
    suppress,
    suppress_grid,
    with_totals,
)
from citeslab_xl.core.year_pattern import cell_bounds

P, S = Hidden.PRIMARY, Hidden.SECONDARY


def column(*counts):
    return [[c] for c in counts]


# --- hand-computed examples -----------------------------------------------------------------

def test_small_counts_show_less_than_threshold_and_zeros_stay():
    table = suppress_grid(column(12, 3, 0, 9, 7), 5, column_totals=True)
    # 3 is small; the total 31 would give it back, so the smallest other non-zero count (7) goes too
    assert table.rows() == [[12], ["< 5"], [0], [9], [SECONDARY_MARK], [31]]
    assert [row[0] for row in table.mask] == [None, P, None, None, S, None]


def test_without_a_total_only_small_counts_are_hidden():
    table = suppress_grid(column(12, 3, 0, 9, 7), 5)
    assert table.rows() == [[12], ["< 5"], [0], [9], [7]]


def test_two_small_counts_protect_each_other():
    table = suppress_grid(column(20, 2, 3, 15), 5, column_totals=True)
    assert table.rows() == [[20], ["< 5"], ["< 5"], [15], [40]]


def test_secondary_cell_chosen_so_that_bounds_do_not_pin_the_small_one():
    # 12, 1, 5 and total 18: hiding 1 and 5 leaves 6 to share between « < 5 » (1-4) and
    # « masqué » (≥ 5): only 1 + 5 fits, so 12 must go as well
    table = suppress_grid(column(12, 1, 5, 0), 5, column_totals=True)
    assert table.rows() == [[SECONDARY_MARK], ["< 5"], [SECONDARY_MARK], [0], [18]]


def test_a_lone_non_zero_count_hides_the_total():
    # the only non-zero cell of the column is hidden by its row: the total would repeat it
    table = suppress_grid([[6, 0], [3, 8]], 5, row_totals=True, column_totals=True)
    assert table.mask == [
        [S, None, S],
        [P, S, S],
        [S, S, None],
    ]
    assert table.rows()[2][2] == 17


def test_two_dimensional_secondary_suppression_by_hand():
    counts = [
        [10, 2, 8],
        [6, 9, 12],
        [7, 11, 3],
    ]
    table = suppress_grid(counts, 5, row_totals=True, column_totals=True)
    # 2 and 3 are small; row 1 then hides 8, row 3 hides 7; column 1 hides 6, column 2 hides 9. That still
    # left 2 only 1 to 3 (column 3: 8 = 23 − 12 − « < 5 » is 7 to 10, so row 1 gives 2 = 20 − 10 − 8 ≤ 3):
    # 10 goes too, and 2 may be anything from 1 to 4 again
    assert table.mask == [
        [S, P, S, None],
        [S, S, None, None],
        [S, None, P, None],
        [None, None, None, None],
    ]
    assert_protected(table)
    assert table.rows()[3] == [23, 22, 23, 68]
    assert [row[3] for row in table.rows()] == [20, 27, 21, 68]


def test_under_a_small_total_zeros_are_hidden_too():
    # four « < 5 » cells and three zeros under « < 5 » would say: four times 1
    table = suppress_grid(column(1, 1, 0, 1, 0, 1, 0), 5, column_totals=True)
    assert table.rows() == [["< 5"]] * 8


def test_cells_that_are_not_counts_are_never_hidden():
    table = suppress([[None, 3, 12]], 5, [Line(((0, 1),), (0, 2))])
    assert table.rows() == [[None, "< 5", SECONDARY_MARK]]


def test_threshold_changes_the_mark():
    assert small_mark(10) == "< 10"
    assert suppress_grid(column(7, 30), 10, column_totals=True).rows() == [["< 10"], [SECONDARY_MARK], [37]]


def test_with_totals_computes_values_and_lines():
    grid, lines = with_totals([[1, 2], [3, 4]], row_totals=True, column_totals=True)
    assert grid == [[1, 2, 3], [3, 4, 7], [4, 6, 10]]
    assert Line(((0, 0), (0, 1)), (0, 2)) in lines
    assert Line(((0, 1), (1, 1)), (2, 1)) in lines
    assert Line(((0, 2), (1, 2)), (2, 2)) in lines  # the row totals add up to the grand total
    assert Line(((2, 0), (2, 1)), (2, 2)) in lines  # and so do the column totals
    assert len(lines) == 2 + 3 + 1


def test_rates_hidden_on_small_denominator_numerator_or_complement():
    assert rate_hidden(2, 4, 5)  # denominator below the threshold
    assert rate_hidden(3, 100, 5)  # 3 % of 100 gives back 3
    assert rate_hidden(97, 100, 5)  # and 97 % gives back the 3 others
    assert not rate_hidden(0, 100, 5)
    assert not rate_hidden(40, 100, 5)
    assert rate_hidden(40, 100, 5, numerator_hidden=True)  # hidden elsewhere by secondary suppression
    assert rate_hidden(60, 100, 5, complement_hidden=True)


# --- what a reader can work out -----------------------------------------------------------

def lone_hidden_lines(table: SuppressedTable) -> list[Line]:
    """Lines with a shown total and exactly one hidden non-zero cell: each gives that cell away."""
    return [
        line for line in table.lines
        if not table.hidden(*line.total)
        and sum(1 for p in line.cells if table.hidden(*p) and table.values[p[0]][p[1]]) == 1
    ]


def reader_values(table: SuppressedTable) -> dict[tuple[int, int], set[int]]:
    """For each hidden cell, values a reader could believe (at least two when there are two).

    Brute force: the hidden cells range over 1..N−1 (« < N ») or N and more
    (« masqué »), and every line must add up; a line with a single unknown
    left fixes it. Enumeration stops once every hidden cell has shown two
    possible values, which is all the test needs to know.
    """
    t = table.threshold
    unknown = [(i, j) for i, row in enumerate(table.mask) for j, state in enumerate(row) if state is not None]
    cap = sum(v for row in table.values for v in row if v is not None) + t
    under_small_total = {p for line in table.lines if table.shown(*line.total) == small_mark(t) for p in line.cells}
    domains = {
        p: range(t, cap + 1) if table.shown(*p) == SECONDARY_MARK else range(0 if p in under_small_total else 1, t)
        for p in unknown
    }
    seen: dict[tuple[int, int], set[int]] = {p: set() for p in unknown}
    equations = [[(p, 1) for p in line.cells] + [(line.total, -1)] for line in table.lines]

    def value(p, assigned):
        return assigned[p] if p in assigned else table.values[p[0]][p[1]] or 0

    def reachable(p, c, assigned) -> tuple[int, int]:
        if p in assigned or p not in domains:
            return c * value(p, assigned), c * value(p, assigned)
        ends = (c * domains[p][0], c * domains[p][-1])
        return min(ends), max(ends)

    def consistent(assigned) -> bool:
        """Every line can still add up, given what is left for its unknowns."""
        for eq in equations:
            spans = [reachable(p, c, assigned) for p, c in eq]
            if not sum(low for low, _ in spans) <= 0 <= sum(high for _, high in spans):
                return False
        return True

    def done() -> bool:
        return all(len(v) >= 2 for v in seen.values())

    def search(assigned) -> None:
        if done() or not consistent(assigned):
            return
        for eq in equations:
            free = [(p, c) for p, c in eq if p in domains and p not in assigned]
            if len(free) == 1:
                (p, c), = free
                forced = -c * sum(k * value(q, assigned) for q, k in eq if q != p)
                if forced in domains[p]:
                    search({**assigned, p: forced})
                return
        free = [p for p in unknown if p not in assigned]
        if not free:
            for p, v in assigned.items():
                seen[p].add(v)
            return
        for v in domains[free[0]]:
            search({**assigned, free[0]: v})
            if done():
                return

    search({})
    return seen


def assert_nothing_pinned(table: SuppressedTable) -> None:
    """No hidden non-zero count can be worked out (a hidden zero that comes out as 0 tells nothing)."""
    for (i, j), values in reader_values(table).items():
        if table.values[i][j]:
            assert len(values) >= 2, f"cell {(i, j)} = {table.values[i][j]} can be worked out"


counts = st.integers(min_value=0, max_value=9)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), threshold=st.integers(min_value=3, max_value=6),
       row_totals=st.booleans(), column_totals=st.booleans())
def test_no_line_with_a_total_shows_a_single_hidden_count(data, threshold, row_totals, column_totals):
    n_rows = data.draw(st.integers(min_value=1, max_value=5))
    n_cols = data.draw(st.integers(min_value=1, max_value=5))
    grid = data.draw(st.lists(st.lists(counts, min_size=n_cols, max_size=n_cols), min_size=n_rows, max_size=n_rows))
    table = suppress_grid(grid, threshold, row_totals, column_totals)
    assert lone_hidden_lines(table) == []
    for i, row in enumerate(table.values):
        for j, value in enumerate(row):
            if 0 < value < threshold:
                assert table.mask[i][j] is Hidden.PRIMARY
            if value == 0 and table.mask[i][j] is not None:
                assert any((i, j) in line.cells and table.mask[line.total[0]][line.total[1]] is Hidden.PRIMARY
                           for line in table.lines)
            if table.mask[i][j] is None:
                assert table.shown(i, j) == value


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.integers(min_value=0, max_value=14), min_size=1, max_size=6),
       threshold=st.integers(min_value=3, max_value=5))
def test_brute_force_no_hidden_count_of_a_column_can_be_worked_out(values, threshold):
    table = suppress_grid(column(*values), threshold, column_totals=True)
    assert_nothing_pinned(table)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), threshold=st.integers(min_value=3, max_value=5))
def test_brute_force_rows_with_totals_of_a_small_table(data, threshold):
    grid = data.draw(st.lists(st.lists(st.integers(min_value=0, max_value=8), min_size=3, max_size=3),
                              min_size=1, max_size=2))
    table = suppress_grid(grid, threshold, row_totals=True)
    assert_nothing_pinned(table)


def test_brute_force_on_the_hand_computed_two_dimensional_tables():
    assert_nothing_pinned(suppress_grid([[10, 2, 8], [6, 9, 12], [7, 11, 3]], 5, True, True))
    assert_nothing_pinned(suppress_grid([[6, 0], [3, 8]], 5, True, True))


def test_a_zero_hidden_under_a_small_total_may_show_through_a_zero_total():
    # row 2 is « < 5 » throughout, zeros included; column 2 adds up to 0, which says that its
    # hidden cell is 0: nothing to protect there. Column 1's total 8 would leave 2 = 8 − « masqué » at most 3:
    # it is hidden too, and the grand total with it
    table = suppress_grid([[6, 0], [2, 0]], 5, row_totals=True, column_totals=True)
    assert table.rows() == [
        [SECONDARY_MARK, 0, SECONDARY_MARK],
        ["< 5", "< 5", "< 5"],
        [SECONDARY_MARK, 0, SECONDARY_MARK],
    ]
    assert_nothing_pinned(table)
    assert_protected(table)


def test_two_small_counts_summing_to_six_are_not_left_two_to_four():
    # 20, 2, 4, 15 and total 41: with only the two « < 5 » hidden, they add up to 41 − 35 = 6, so each is 2
    # to 4 (the rule of the spec, two hidden cells, is met); 15 is hidden too, and each may be 1 to 4 again
    table = suppress_grid(column(20, 2, 4, 15), 5, column_totals=True)
    assert table.rows() == [[20], ["< 5"], ["< 5"], [SECONDARY_MARK], [41]]
    assert_protected(table)


def assert_protected(table: SuppressedTable) -> None:
    """The audit's criterion (linear programming): every « < N » still 1 to N − 1, or all its marks leave it."""
    relations = [audit.Relation(line.cells, line.total) for line in table.lines]
    shown, hidden = cell_bounds(table.values, table.mask, relations, table.threshold)
    small = [p for p in hidden if table.mask[p[0]][p[1]] is Hidden.PRIMARY]
    assert [f for f in audit.audit(shown, hidden, relations, small, table.threshold) if not f.protected] == []


@settings(max_examples=80, deadline=None)
@given(grid=st.lists(st.lists(st.sampled_from([0, 1, 2, 3, 5, 6, 8]), min_size=2, max_size=2),
                     min_size=2, max_size=2))
def test_brute_force_two_by_two_tables_with_every_total(grid):
    assert_nothing_pinned(suppress_grid(grid, 5, row_totals=True, column_totals=True))


def test_a_mask_decided_elsewhere_is_kept_and_protected_like_the_rest():
    from citeslab_xl.core.suppression import Hidden, Line, suppress

    # the middle cell is hidden for another table: here it needs a complement like any hidden cell
    grid = [[20, 30, 40, 90]]
    line = Line(((0, 0), (0, 1), (0, 2)), (0, 3))
    table = suppress(grid, 5, [line], [[None, Hidden.SECONDARY, None, None]])
    assert table.shown(0, 1) == "masqué"
    assert sum(table.hidden(0, j) for j in range(3)) == 2 and table.shown(0, 0) == "masqué"
