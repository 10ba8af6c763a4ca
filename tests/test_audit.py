"""Suppression holds across the exports of a year: the audit by linear programming (export.md › Small counts)."""

from __future__ import annotations

import os
import random
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citeslab_xl.adapters.reading import read_workbook
from citeslab_xl.core import audit, export_audit
from citeslab_xl.core.dataset import from_records
from citeslab_xl.core.export import build_export
from citeslab_xl.core.export_audit import audit_published, audit_year
from citeslab_xl.core.figures import label
from citeslab_xl.core.periods import parse_period
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
    assert not published.conflicts and not published.rate_leaks
    assert export_audit.consistent(published, qpv_of(dataset))  # else the audit would prove nothing
    assert exposed(findings) == []


@pytest.mark.slow
def test_the_demo_s_year_of_exports_leaves_no_hidden_count_worked_back(tmp_path):
    source = tmp_path / "demo.xlsx"
    write_demo(source, people=150, years=2, seed=5, as_of=AS_OF)
    dataset = validate(read_workbook(source), AS_OF)
    published, findings = audit_year(dataset, 2026, AS_OF)
    assert not published.conflicts and not published.rate_leaks
    assert export_audit.consistent(published, qpv_of(dataset))
    assert {k[1] for k in published.cells} >= {"accompagnes", "porteurs_recus", "orientes", "perennite",
                                                "cohorte_creations", "ateliers_participants"}
    assert any(k[2] == "creations_par_forme" for k in published.cells)
    assert any(v == "< 5" for v in published.cells.values())  # the audit has something to look at
    assert exposed(findings) == []


# --- the counts that bound the families, the tables of every sheet, the rates -----------------------------

def hand_profil_site() -> list[dict]:
    # tests/test_export.py's Profil case: 5 women of Planoise and 2 men of Battant, new in October 2026
    october = date(2026, 10, 5)
    return [porteur(i, october, "Planoise", "F") for i in range(5)] + [
        porteur(5 + i, october, "Battant", "H") for i in range(2)]


def qpv_of(dataset) -> list[str]:
    return dataset.settings.qpv_names(date(2026, 1, 1), date(2026, 12, 31))


def test_accompagnes_bound_the_new_porteurs_and_are_hidden_with_them():
    dataset = from_records({"porteurs": hand_profil_site()})
    published, findings = audit_year(dataset, 2026, AS_OF)
    accompanied = (2026, "accompagnes", "", "", (10,))
    battant = (2026, "nouveaux_porteurs", "quartier", "Battant", (10,))
    assert published.cells[(2026, "nouveaux_porteurs", "", "", (10,))] == "masqué"
    assert published.cells[accompanied] == "masqué"  # was 7: every new porteur of October is accompagné in it
    assert export_audit.consistent(published, qpv_of(dataset)) and exposed(findings) == []
    # 7 accompagnés would cap the new porteurs at 7, and Planoise « masqué » (at least 5) leaves Battant 1 or 2
    published.cells[accompanied] = 7
    flagged = {f.key: f.interval for f in exposed(audit_published(published, qpv_of(dataset)))}
    assert flagged[battant] == (1.0, 2.0)


def test_a_masque_of_accompagnes_beside_shown_recus_would_bound_the_new_porteurs_from_below():
    # 3 new porteurs in March, 2 others received: « at least 5 » accompagnés and 2 reçus leave at least 3 new
    shown = {"recus": 2}
    hidden = {"new": (1, 4), "accompagnes": audit.secondary_bounds(5)}
    relations = [audit.Relation(("new", "recus"), "either"), audit.Relation(("accompagnes", "gap"), "either")]
    found = audit.audit(shown, hidden, relations, ["new"], 5)
    assert [(f.key, f.interval, f.protected) for f in found if f.key == "new"] == [("new", (3.0, 4.0), False)]
    # hidden with the new porteurs, the reçus leave it its whole mark
    found = audit.audit({}, {**hidden, "recus": audit.secondary_bounds(5)}, relations, ["new"], 5)
    assert all(f.protected for f in found)


def created_in_january(quartiers: list[str]) -> list[dict]:
    people = []
    for i, q in enumerate(quartiers):
        people.append({**porteur(i, date(2025, 6, 2), q, "F"), "statut": "Créé", "date_creation": date(2026, 1, 12),
                       "forme": "SAS"})
    return people


def test_the_audit_reads_the_creations_by_quartier_and_pérennité_and_pérennité_no_longer_pins_january():
    # 5 businesses of Planoise and 1 of Battant, all created in January 2026; as of 31 January 2027 the 6 are
    # pérennité's « created at least a year ago »: beside a « masqué » January whose Planoise is « masqué »,
    # 6 would leave Battant exactly 1
    dataset = from_records({"porteurs": created_in_january(["Planoise"] * 5 + ["Battant"])})
    published, findings = audit_year(dataset, 2026, date(2027, 1, 31))
    battant = (2026, "creations", "creations_par_quartier", "Battant", (1,))
    eligibles = (0, "perennite", "1", "eligibles", ())
    assert published.cells[battant] == "< 5"  # read back from Créations › Par quartier du porteur
    assert published.cells[(2026, "creations", "creations_par_quartier", "Planoise", (1,))] == "masqué"
    assert published.cells[eligibles] == "masqué"
    assert export_audit.consistent(published, qpv_of(dataset)) and exposed(findings) == []
    assert not published.rate_leaks
    published.cells[eligibles] = 6  # as the file showed it before
    flagged = {f.key: f.interval for f in exposed(audit_published(published, qpv_of(dataset)))}
    assert flagged[battant] == (1.0, 1.0)


def born(i: int, month: int, age: int) -> dict:
    return {**porteur(i, date(2026, month, 10), "Planoise", "F"), "date_naissance": date(2026 - age, 1, 1)}


def public_share(dataset, period: str, key: str):
    layouts = build_export(dataset, parse_period(period), AS_OF, "0" * 64, "1")
    public = next(b for layout in layouts if layout.name == "Indicateurs" for b in layout.tables()
                  if b.title == "Public")
    return next(row[1] for row in public.rows if row[0] == label(key))


def test_a_share_whose_numerator_no_table_shows_is_shown_for_a_total_of_months_only_with_all_its_months():
    # under 25 at the first contact: 5 of 10 in January and February, 2 of 12 in March (hidden: small; 5 are 25,
    # so that every age band of Profil is shown). Q1's share times its denominator (the 32 with a birth date,
    # in Profil) would give 12, and 12 − 5 − 5 = March's 2
    people = [born(i, 1, 20 if i < 5 else 40) for i in range(10)]
    people += [born(10 + i, 2, 20 if i < 5 else 40) for i in range(10)]
    people += [born(20 + i, 3, 20 if i < 2 else 25 if i < 7 else 40) for i in range(12)]
    dataset = from_records({"porteurs": people})
    assert public_share(dataset, "2026-01", "part_moins_25") == 0.5
    assert public_share(dataset, "2026-03", "part_moins_25") == "masqué"
    assert public_share(dataset, "2026-T1", "part_moins_26") == 17 / 32  # its numerator is a Profil cell
    assert public_share(dataset, "2026-T1", "part_moins_25") == "masqué"


def test_a_share_under_25_beside_the_under_26_would_give_the_porteurs_aged_25():
    people = [born(i, 1, 20) for i in range(6)] + [born(6, 1, 25)] + [born(7 + i, 1, 40) for i in range(6)]
    dataset = from_records({"porteurs": people})
    assert public_share(dataset, "2026-01", "part_moins_26") == 7 / 13
    assert public_share(dataset, "2026-01", "part_moins_25") == "masqué"  # 7 − 6 = the one aged 25


def test_a_cohort_s_businesses_are_hidden_with_its_people():
    # 3 new porteurs in March and 3 in June (« < 5 » each, the year « masqué »), all 6 of whom have created:
    # 6 businesses shown would leave the year at least 6, so each month at least 2
    people = [porteur(i, date(2026, 3 if i < 3 else 6, 3), "Planoise", "F") for i in range(6)]
    people = [{**p, "statut": "Créé", "date_creation": date(2026, 9, 1), "forme": "SAS"} for p in people]
    dataset = from_records({"porteurs": people})
    published, findings = audit_year(dataset, 2026, AS_OF)
    created = (2026, "cohorte_creations", "", "", ())
    assert published.cells[(2026, "nouveaux_porteurs", "", "", tuple(range(1, 13)))] == "masqué"
    assert published.cells[created] == "masqué" and exposed(findings) == []
    published.cells[created] = 6
    flagged = {f.key: f.interval for f in exposed(audit_published(published, qpv_of(dataset)))}
    assert flagged[(2026, "nouveaux_porteurs", "", "", (3,))] == (2.0, 4.0)


def test_the_porteurs_orientes_are_hidden_with_the_orientations_they_bound():
    # 3 orientations in January, 10 in February and in March: Q1's « masqué » hides January's « < 5 »; 23
    # orientés in Q1 would cap it at 23 and leave January at most 3
    months = [1] * 3 + [2] * 10 + [3] * 10
    people = [{**porteur(i, date(2025, 6, 2), "Planoise", "F"), "partenaire": "Adie",
               "date_orientation": date(2026, m, 9)} for i, m in enumerate(months)]
    dataset = from_records({"porteurs": people})
    published, findings = audit_year(dataset, 2026, AS_OF)
    orientes = (2026, "orientes", "", "", (1, 2, 3))
    assert published.cells[(2026, "orientations_total", "", "", (1, 2, 3))] == "masqué"
    assert published.cells[orientes] == "masqué" and exposed(findings) == []
    published.cells[orientes] = 23
    flagged = {f.key: f.interval for f in exposed(audit_published(published, qpv_of(dataset)))}
    assert flagged[(2026, "orientations_total", "", "", (1,))] == (1.0, 3.0)


def test_a_shown_rate_is_exact_so_it_gives_back_a_hidden_part_beside_the_other():
    # the cell holds the exact fraction (only its format rounds to 0.1 %): 3 / 7 × 7 is 3 again
    assert round(3 / 7 * 7) == 3 and f"{3 / 7:.1%}" == "42.9%"
    published = export_audit.Published(5)
    published.rate(("Profil", "Battant", "Par quartier"), 3 / 7, "< 5", 7)
    published.rate(("Profil", "Battant", "Par quartier"), 3 / 7, "< 5", "masqué")  # the ratio of two hidden
    published.rate(("Profil", "Battant", "Par quartier"), "masqué", "< 5", 7)
    assert published.rate_leaks == [("Profil", "Battant", "Par quartier")]


def test_the_audit_flags_a_public_share_shown_beside_a_hidden_cell_of_its_profil_table():
    dataset = from_records({"porteurs": hand_profil_site()})
    published = export_audit.Published(5)
    layouts = build_export(dataset, parse_period("2026-10"), AS_OF, "0" * 64, "1")
    public = next(b for layout in layouts if layout.name == "Indicateurs" for b in layout.tables()
                  if b.title == "Public")
    export_audit._public(published, layouts[1], layouts[3])
    assert published.rate_leaks == []
    women = next(row for row in public.rows if row[0] == label("part_femmes"))
    women[1] = 5 / 7  # as if shown: F « masqué » and H « < 5 » in Profil
    export_audit._public(published, layouts[1], layouts[3])
    assert published.rate_leaks == [("Indicateurs", label("part_femmes"), public.headers[1])]
