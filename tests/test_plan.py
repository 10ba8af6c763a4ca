"""Which monthly summaries a run makes (workbook.md › Generated sheets)."""

from datetime import date

from citeslab_xl.core import periods
from citeslab_xl.core.plan import due_months, is_generated_name, refresh_plan

AS_OF = date(2026, 11, 26)


def labels(months):
    return [m.label for m in months]


def test_first_run_makes_the_last_closed_month_and_the_current_one():
    assert labels(due_months(["Porteurs", "Paramètres"], AS_OF)) == ["2026-10", "2026-11"]


def test_first_run_in_january_reaches_back_to_december():
    assert labels(due_months([], date(2027, 1, 3))) == ["2026-12", "2027-01"]


def test_later_run_adds_the_months_since_the_last_one_and_rebuilds_the_current():
    existing = ["Synthèse 2026-07", "Synthèse 2026-08"]
    assert labels(due_months(existing, AS_OF)) == ["2026-09", "2026-10", "2026-11"]


def test_same_month_run_rebuilds_only_the_current_month():
    existing = ["Synthèse 2026-10", "Synthèse 2026-11"]
    assert labels(due_months(existing, AS_OF)) == ["2026-11"]


def test_a_closed_month_is_kept_unless_rebuild():
    existing = ["Synthèse 2026-10", "Synthèse 2026-11"]
    assert labels(due_months(existing, AS_OF, month=periods.month(2026, 10))) == ["2026-11"]
    assert labels(due_months(existing, AS_OF, month=periods.month(2026, 10), rebuild=True)) == ["2026-10", "2026-11"]
    assert labels(due_months(existing, AS_OF, rebuild=True)) == ["2026-10", "2026-11"]


def test_an_older_month_is_made_on_request():
    existing = ["Synthèse 2026-10", "Synthèse 2026-11"]
    assert labels(due_months(existing, AS_OF, month=periods.month(2025, 3))) == ["2025-03", "2026-11"]


def test_plan_names_every_sheet_of_a_refresh():
    plan = refresh_plan([], AS_OF)
    assert plan.sheet_names() == ["Anomalies", "Synthèse 2026-10", "Synthèse 2026-11", "Historique mensuel",
                                  "COPIL 2026", "COTECH 2026-T4", "Financement calculé", "Échéancier suivis"]


def test_generated_names_are_recognised_and_user_names_are_not():
    for name in ("Anomalies", "Synthèse 2026-10", "COPIL 2026", "COTECH 2026-T4", "Journal", "Échéancier suivis"):
        assert is_generated_name(name)
    for name in ("Porteurs", "Synthèse", "COPIL", "Mes notes", "Synthèse 2026-10 (2)"):
        assert not is_generated_name(name)
