"""Suppression holds across the exports of a year: the audit by linear programming (export.md › Small counts)."""

from __future__ import annotations

import os
import random
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citeslab_xl.adapters.reading import read_workbook
from citeslab_xl.core import audit
from citeslab_xl.core.dataset import from_records
from citeslab_xl.core.export_audit import audit_published, audit_year
from citeslab_xl.core.validation import validate
from citeslab_xl.demo import write_demo

QUARTIERS = ("Planoise", "Battant", "Montrapon", "Hors QPV")
AS_OF = date(2027, 1, 15)


def porteur(i: int, day: date, quartier: str, sexe: str) -> dict:
    return dict(_row=i + 2, id=f"P{i}", nom="N", prenom="P", sexe=sexe, quartier=quartier,
                date_premier_contact=day, consentement=True, statut="Accueil")


def site(per_month: list[int], seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    people = []
    for month, n in enumerate(per_month, start=1):
        for _ in range(n):
            people.append(porteur(len(people), date(2026, month, rng.randint(1, 28)), rng.choice(QUARTIERS),
                                  rng.choice("FH")))
    return people


def exposed(findings: list[audit.Finding]) -> list[audit.Finding]:
    return [f for f in findings if not f.protected]


def test_linear_programming_finds_a_month_given_away_by_two_totals():
    # the issue's case, as files published it before: the year, Q3's August and the other ten months
    months = [("m", m) for m in range(1, 13)]
    shown = {**{k: 33 for k in months if k[1] not in (8, 12)}, ("m", 8): 11, "year": 374}
    shown[("m", 1)] = 362 - 33 * 9
    found = audit.audit(shown, {("m", 12): (1, 4)}, [audit.Relation(tuple(months), "year")], [("m", 12)], 5)
    assert found[0].interval == (1.0, 1.0) and not found[0].protected


def test_two_small_counts_summing_to_six_are_flagged_and_a_third_hidden_cell_protects_them():
    # 20 + « < 5 » + « < 5 » + 15 = 41: the two add up to 6, so each is 2 to 4, not the 1 to 4 of its mark
    cells = [("c", i) for i in range(4)]
    line = [audit.Relation(tuple(cells), "total")]
    small = {("c", 1): (1, 4), ("c", 2): (1, 4)}
    found = audit.audit({("c", 0): 20, ("c", 3): 15, "total": 41}, small, line, small, 5)
    assert [(f.key, f.interval, f.protected) for f in found] == [
        (("c", 1), (2.0, 4.0), False), (("c", 2), (2.0, 4.0), False)]
    found = audit.audit({("c", 0): 20, "total": 41}, {**small, ("c", 3): audit.secondary_bounds(5)}, line, small, 5)
    assert all(f.protected for f in found) and found[0].interval == (1.0, 4.0)


def test_within_nested_small_totals_the_reference_is_what_the_marks_alone_leave():
    # two « < 5 » quarters whose half-year is « < 5 »: whatever is shown, each quarter is 1 to 3
    relations = [audit.Relation(("q1", "q2"), "h1")]
    marks = {k: (1, 4) for k in ("q1", "q2", "h1")}
    found = {f.key: f for f in audit.audit({}, marks, relations, marks, 5)}
    assert found["q1"].interval == (1.0, 3.0) and found["q1"].protected
    # were the half-year's count published (3), it would leave each quarter only 1 or 2: narrowed
    found = {f.key: f for f in audit.audit({"h1": 3}, {"q1": (1, 4), "q2": (1, 4)}, relations, ["q1", "q2"], 5)}
    assert found["q1"].interval == (1.0, 2.0) and not found["q1"].protected


def test_the_august_december_case_is_closed():
    # 374 new porteurs in 2026: 11 in August, 1 in December, 362 in the ten other months
    per_month = [37, 36, 36, 36, 36, 36, 37, 11, 36, 36, 36, 1]
    assert sum(per_month) == 374 and sum(per_month) - 11 - 1 == 362
    dataset = from_records({"porteurs": site(per_month)})
    published, findings = audit_year(dataset, 2026, AS_OF)
    assert not published.conflicts  # a cell hidden in one file is hidden in all
    total = (2026, "nouveaux_porteurs", "", "", tuple(range(1, 13)))
    december = (2026, "nouveaux_porteurs", "", "", (12,))
    assert published.cells[december] == "< 5"
    assert published.cells[(2026, "nouveaux_porteurs", "", "", (8,))] == 11  # the Q3 export still prints August
    assert published.cells[total] == "masqué"  # the year's total no longer gives December back
    december_found = next(f for f in findings if f.key == december)
    assert december_found.protected and december_found.interval == (1.0, 4.0)
    assert exposed(findings) == []
    # the audit can fail: had one file printed the year's 374, December would be 1 again
    published.cells[total] = 374
    flagged = exposed(audit_published(published, ()))
    assert [(f.key, f.interval) for f in flagged if f.key == december] == [(december, (1.0, 1.0))]


@pytest.mark.slow  # each example builds the seventeen exports of a year and audits them: minutes in all
@settings(max_examples=int(os.environ.get("CITESLAB_AUDIT_EXAMPLES", "2")), deadline=None, database=None,
          derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=0, max_value=7), min_size=12, max_size=12), st.integers(0, 10_000))
def test_no_hidden_count_of_a_small_site_can_be_worked_back_from_all_its_files(per_month, seed):
    dataset = from_records({"porteurs": site(per_month, seed)})
    published, findings = audit_year(dataset, 2026, AS_OF)
    assert not published.conflicts
    assert exposed(findings) == []


@pytest.mark.slow
def test_the_demo_s_year_of_exports_leaves_no_hidden_count_worked_back(tmp_path):
    source = tmp_path / "demo.xlsx"
    write_demo(source, people=150, years=2, seed=5, as_of=AS_OF)
    dataset = validate(read_workbook(source), AS_OF)
    published, findings = audit_year(dataset, 2026, AS_OF)
    assert not published.conflicts
    assert any(v == "< 5" for v in published.cells.values())  # the audit has something to look at
    assert exposed(findings) == []
