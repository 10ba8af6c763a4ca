"""The suppression pattern of a calendar year: one decision, every total of months derived from it."""

from __future__ import annotations

import random

from citeslab_xl.core import audit
from citeslab_xl.core.suppression import Hidden
from citeslab_xl.core.year_pattern import AGGREGATES, QUARTERS, YEAR, BreakdownCounts, FamilyCounts, decide_family
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
        relations = [audit.Relation(line.cells, line.total) for line in table.lines]
        shown, hidden = bounds_of(table.values, table.mask, relations, 5)
        sensitive = [k for k, state in ((k, table.mask[k[0]][k[1]]) for k in hidden)
                     if state is Hidden.PRIMARY and table.values[k[0]][k[1]]]
        assert audit.exposed(shown, hidden, relations, sensitive) == []
