"""The suppression pattern of a calendar year: one decision, every total of months derived from it."""

from __future__ import annotations

import random

import pytest
from conftest import AS_OF

from citeslab_xl.core import audit
from citeslab_xl.core.suppression import Hidden
from citeslab_xl.core.year_pattern import (
    AGGREGATES,
    QUARTERS,
    YEAR,
    BreakdownCounts,
    FamilyCounts,
    _protect,
    decide_family,
)
from citeslab_xl.core.year_pattern import cell_bounds as bounds_of


def family(totals: list[int], seed: int = 0, categories: int = 3) -> FamilyCounts:
    rng = random.Random(seed)
    months = []
    for n in totals:
        counts = {f"c{k}": 0 for k in range(categories)}
        for _ in range(n):
            counts[f"c{rng.randrange(categories)}"] += 1
        months.append(counts)
    return FamilyCounts("x", totals, (BreakdownCounts("b", tuple(f"c{k}" for k in range(categories)), months),))


def test_a_total_holding_a_hidden_month_is_hidden_and_one_without_is_shown():
    pattern = decide_family(family([37, 36, 36, 36, 36, 36, 37, 11, 36, 36, 36, 1]), 5)
    assert pattern.shown((12,)) == "< 5"
    assert pattern.shown(QUARTERS[3]) == "masqué" and pattern.shown(YEAR) == "masqué"
    assert pattern.shown(QUARTERS[2]) == 84 and pattern.shown(tuple(range(1, 12))) == 373
    assert pattern.value(YEAR) == 374  # the value is kept for the tests and the audit; only the mark is shown


def test_every_total_of_months_adds_up_and_no_hidden_count_is_worked_back():
    for seed in range(3):
        pattern = decide_family(family([random.Random(seed).randint(0, 9) for _ in range(12)], seed), 5)
        table = pattern.table
        for months in AGGREGATES[12:]:
            for j in range(len(pattern.columns)):
                assert pattern.table.values[AGGREGATES.index(months)][j] == sum(
                    table.values[m - 1][j] for m in months)
        assert failing(table, table.mask) == {}


def failing(table, mask) -> dict:
    """The « < N » cells of the table, under that mask, that the audit finds narrowed, with their intervals."""
    relations = [audit.Relation(line.cells, line.total) for line in table.lines]
    shown, hidden = bounds_of(table.values, mask, relations, table.threshold)
    small = [k for k in hidden if mask[k[0]][k[1]] is Hidden.PRIMARY]
    return {f.key: f.interval for f in audit.audit(shown, hidden, relations, small, table.threshold)
            if not f.protected}


def test_two_small_counts_summing_to_six_in_one_line_get_a_third_cell_hidden():
    # August: 2 and 4 « < 5 », 30 and the total 36 shown: the spec's rule (two hidden cells) is met, yet
    # 36 − 30 = 6 leaves each 2 to 4. The audit flags that pattern; the year's pattern hides 30 as well
    months = [{"a": 10, "b": 10, "c": 16} for _ in range(12)]
    months[7] = {"a": 2, "b": 4, "c": 30}
    pattern = decide_family(FamilyCounts("x", [36] * 12, (BreakdownCounts("b", ("a", "b", "c"), months),)), 5)
    august = AGGREGATES.index((8,))
    assert pattern.table.rows()[august] == [36, "< 5", "< 5", "masqué"]
    old = [list(row) for row in pattern.table.mask]
    old[august][3] = None
    assert failing(pattern.table, old) == {(august, 1): (2.0, 4.0), (august, 2): (2.0, 4.0)}
    assert failing(pattern.table, pattern.table.mask) == {}


def test_the_programs_only_ever_add_masque_to_the_first_pass():
    # `mark` answers from the first pass when it hides a cell: the step that meets the criterion must agree
    for seed in range(3):
        pattern = decide_family(family([random.Random(seed).randint(0, 6) for _ in range(12)], seed), 5)
        for first, final in zip(pattern.first.mask, pattern.table.mask, strict=True):
            for before, after in zip(first, final, strict=True):
                assert before is None or before is after
                assert before is not None or after in (None, Hidden.SECONDARY)


@pytest.mark.slow
def test_a_familys_own_count_is_hidden_only_when_no_category_can_be(tmp_path):
    # The 3-year demo as of 26/11/2026: November's « Autre » prescripteur (1) needs one more cell hidden, and
    # the only shown one in its lines is November's count of nouveaux porteurs (34). Hiding it would hide the
    # year to date the agglomeration reads first (377): the pass looks further out for a category instead.
    from citeslab_xl import api
    from citeslab_xl.core import export_pattern
    from citeslab_xl.demo import write_demo

    path = tmp_path / "demo.xlsx"
    write_demo(path, years=3, as_of=AS_OF)
    _, dataset = api._read(path, AS_OF)
    spec = next(f for f in export_pattern.FAMILIES if f.key == "nouveaux_porteurs")
    pattern = decide_family(export_pattern.family_counts(dataset, spec, 2026, AS_OF), 5)
    november, to_november = AGGREGATES.index((11,)), AGGREGATES.index(tuple(range(1, 12)))
    assert pattern.table.mask[november][0] is None and pattern.shown(tuple(range(1, 12))) == 377
    assert pattern.table.rows()[to_november][0] == 377
    table = pattern.table  # the audit's criterion is met: one more pass finds nothing to hide
    again = [list(row) for row in table.mask]
    _protect(table.values, again, list(table.lines), table.threshold, pattern.unpublished)
    assert again == [list(row) for row in table.mask]
