"""Which monthly summaries a run makes (workbook.md › Generated sheets)."""

from datetime import date

from citeslab_xl.core import periods
from citeslab_xl.core.plan import (
    DEFINITIVE,
    PROVISOIRE,
    due_months,
    is_generated_name,
    read_status,
    read_statuses,
    refresh_plan,
    status_line,
    status_of,
)

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


def test_a_closed_month_is_kept_unless_asked():
    existing = ["Synthèse 2026-09", "Synthèse 2026-10", "Synthèse 2026-11"]
    assert labels(due_months(existing, AS_OF)) == ["2026-11"]
    assert labels(due_months(existing, AS_OF, month=periods.month(2026, 10))) == ["2026-10", "2026-11"]
    assert labels(due_months(existing, AS_OF, month=periods.month(2026, 10), rebuild=True)) == ["2026-10", "2026-11"]
    assert labels(due_months(existing, AS_OF, rebuild=True)) == ["2026-09", "2026-10", "2026-11"]


def test_the_first_run_after_a_month_closes_rebuilds_it_once():
    existing = ["Synthèse 2026-10", "Synthèse 2026-11"]
    on_the_15th = {"Synthèse 2026-10": DEFINITIVE, "Synthèse 2026-11": PROVISOIRE}
    december = date(2026, 12, 1)
    assert labels(due_months(existing, december, statuses=on_the_15th)) == ["2026-11", "2026-12"]
    on_the_1st = {**on_the_15th, "Synthèse 2026-11": DEFINITIVE, "Synthèse 2026-12": PROVISOIRE}
    assert labels(due_months([*existing, "Synthèse 2026-12"], date(2026, 12, 2), statuses=on_the_1st)) == ["2026-12"]


def test_a_provisoire_month_left_behind_is_completed_with_the_months_since():
    existing = ["Synthèse 2026-08"]
    statuses = {"Synthèse 2026-08": PROVISOIRE}
    assert labels(due_months(existing, AS_OF, statuses=statuses)) == ["2026-08", "2026-09", "2026-10", "2026-11"]


def test_the_current_month_is_provisoire_until_its_last_day():
    november = periods.month(2026, 11)
    assert status_of(november, date(2026, 11, 29)) == PROVISOIRE
    assert status_of(november, date(2026, 11, 30)) == DEFINITIVE
    assert status_line(november, date(2026, 11, 15)).startswith("Statut : provisoire — données au 15/11/2026.")
    assert status_line(november, date(2026, 12, 1)).startswith("Statut : définitive (mois clos) — données au 01/12")


def test_the_status_is_read_back_from_the_sheet():
    november = periods.month(2026, 11)
    for day in (date(2026, 11, 15), date(2026, 12, 1)):
        top = ["Synthèse mensuelle — novembre 2026", "Site — données au …", None, status_line(november, day)]
        assert read_status("Synthèse 2026-11", top) == status_of(november, day)
    assert read_status("Synthèse 2026-11", [None, "Statut : DÉFINITIVE"]) == DEFINITIVE
    assert read_status("COPIL 2026", ["Statut : provisoire"]) is None


def test_a_sheet_made_before_the_status_line_is_judged_by_its_date():
    assert read_status("Synthèse 2026-11", ["Synthèse", "Besançon — données au 15/11/2026"]) == PROVISOIRE
    assert read_status("Synthèse 2026-11", ["Synthèse", "Besançon — données au 01/12/2026"]) == DEFINITIVE
    assert read_status("Synthèse 2026-11", ["Synthèse", "mes notes", 42]) == DEFINITIVE  # unreadable: not rebuilt
    assert read_statuses({"Synthèse 2026-11": ["Statut : provisoire"], "Porteurs": ["Statut : provisoire"]}) == {
        "Synthèse 2026-11": PROVISOIRE}


def test_an_older_month_is_made_on_request():
    existing = ["Synthèse 2026-10", "Synthèse 2026-11"]
    assert labels(due_months(existing, AS_OF, month=periods.month(2025, 3))) == ["2025-03", "2026-11"]


def test_plan_names_every_sheet_of_a_refresh():
    plan = refresh_plan([], AS_OF)
    assert plan.sheet_names() == ["Anomalies", "À faire", "Synthèse 2026-10", "Synthèse 2026-11",
                                  "Historique mensuel", "COPIL 2026", "COTECH 2026-T4", "Financement calculé",
                                  "Échéancier suivis"]


def test_generated_names_are_recognised_and_user_names_are_not():
    for name in ("Anomalies", "Synthèse 2026-10", "COPIL 2026", "COTECH 2026-T4", "Journal", "Échéancier suivis",
                 "À faire"):
        assert is_generated_name(name)
    for name in ("Porteurs", "Synthèse", "COPIL", "Mes notes", "Synthèse 2026-10 (2)"):
        assert not is_generated_name(name)
