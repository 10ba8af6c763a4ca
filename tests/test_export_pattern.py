"""The periods that cut a month (the same days a year earlier): derived from the year's pattern when safe."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import combinations

from hypothesis import given
from hypothesis import strategies as st

from citeslab_xl.core import periods
from citeslab_xl.core.dataset import from_records
from citeslab_xl.core.export import build_export
from citeslab_xl.core.export_audit import audit_published, collect
from citeslab_xl.core.export_pattern import Patterns, shareable_counts
from citeslab_xl.core.layout import Table

AS_OF = date(2026, 11, 26)


def porteur(i: int, day: date) -> dict:
    return dict(_row=i + 2, id=f"P{i}", nom="N", prenom="P", sexe="F", quartier="Planoise",
                date_premier_contact=day, consentement=True, statut="Accueil")


def november_2025(days: list[int]) -> list[dict]:
    """One new porteur of November 2025 per day listed (and 30 in March 2026, so that 2026 has figures)."""
    people = [porteur(i, date(2025, 11, d)) for i, d in enumerate(days)]
    return people + [porteur(len(people) + i, date(2026, 3, 2)) for i in range(30)]


def activity(people: list[dict], period: str = "2026-11") -> dict[str, list]:
    layouts = build_export(from_records({"porteurs": people}), periods.parse_period(period), AS_OF, "0" * 64, "1")
    table = next(b for layout in layouts if layout.name == "Indicateurs" for b in layout.blocks
                 if isinstance(b, Table) and b.title == "Activité")
    return {"headers": table.headers, **{row[0]: row[1:] for row in table.rows}}


@given(st.lists(st.integers(0, 4), min_size=1, max_size=31), st.integers(3, 6))
def test_two_files_cut_at_two_days_never_differ_by_a_small_count(steps, threshold):
    days = [sum(steps[:i + 1]) for i in range(len(steps))]
    whole = days[-1] if days[-1] >= threshold else 0
    days = [min(n, whole) for n in days]
    kept = shareable_counts(days, whole, threshold)
    assert {0, whole} <= kept
    for a, b in combinations(sorted(kept), 2):
        assert b - a >= threshold
    # what a file at each day would show: only counts of the chain, so any two files differ by 0 or ≥ N
    shown = [n for n in days if n in kept]
    assert all(abs(a - b) == 0 or abs(a - b) >= threshold for a, b in combinations(shown, 2))


def test_the_same_days_a_year_earlier_are_shown_when_they_and_the_rest_of_the_month_are_not_small():
    # 10 on the 3rd, 10 on the 20th, 10 on the 28th: at the 26th, 20 of 30, and the rest 10
    found = activity(november_2025([3] * 10 + [20] * 10 + [28] * 10))
    assert found["headers"][2] == "Novembre 2025, au 26/11"
    assert found["Nouveaux porteurs"][1] == 20
    assert found["Nouveaux porteurs"][3] == 20  # the year to date: January to October 2025 (0) and those days


def test_the_same_days_are_masque_when_the_rest_of_the_month_is_small():
    # 28 of 30 at the 26th: the 2 of the 27th and 28th would be 30 − 28
    found = activity(november_2025([3] * 10 + [20] * 18 + [28] * 2))
    assert found["Nouveaux porteurs"][1] == "masqué" and found["Nouveaux porteurs"][3] == "masqué"


def test_the_same_days_are_masque_when_another_cut_day_would_give_a_small_count_by_difference():
    # 10 on the 3rd, 2 on the 10th, 18 on the 20th: a file at the 9th shows 10; at the 12th 12 would give
    # the 2 of the 10th by difference, so it is « masqué » there; at the 26th, 30 − 0 = the whole month
    people = november_2025([3] * 10 + [10] * 2 + [20] * 18)
    patterns = Patterns(from_records({"porteurs": people}), AS_OF)
    shown = {day: patterns.shown("nouveaux_porteurs", periods.period_between(date(2025, 11, 1),
                                                                             date(2025, 11, day)))
             for day in (9, 12, 26)}
    assert shown == {9: 10, 12: "masqué", 26: 30}


def test_a_month_hidden_in_its_year_s_pattern_hides_its_first_days():
    found = activity(november_2025([3] * 3))  # November 2025 is « < 5 »
    assert found["Nouveaux porteurs"][1] == "masqué"


def test_the_audit_reads_the_same_days_a_year_earlier_and_they_reopen_nothing():
    people = november_2025([3] * 10 + [20] * 10 + [28] * 10)
    people += [porteur(100 + i, date(2025, 10, 1) + timedelta(days=3 * i)) for i in range(9)]
    people += [porteur(200, date(2025, 11, 5)), porteur(201, date(2025, 8, 5))]
    dataset = from_records({"porteurs": people})
    published = collect(dataset, [periods.month(2026, 11), periods.year(2026)], AS_OF)
    partial = {k: v for k, v in published.cells.items() if k[4][:1] == ("partiel",)}
    assert partial[(2025, "nouveaux_porteurs", "", "", ("partiel", 11, 11, 26))] == 21
    assert not published.conflicts
    assert [f for f in audit_published(published, ()) if not f.protected] == []
