"""Dates that mean what they say (interfaces.md › Dates and periods): refused with exit 2, named, nothing written."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import AS_OF

from citeslab_xl.core import periods
from citeslab_xl.core.errors import RequestRefused
from citeslab_xl.doors import api

TOMORROW = date.today() + timedelta(days=1)


def files_in(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir()}


@pytest.mark.parametrize("args", [
    ("check", "{wb}"), ("refresh", "{wb}"), ("committee", "{wb}", "copil"), ("indicators", "{wb}", "--period", "2026"),
    ("export", "{wb}", "{folder}/export.xlsx"), ("purge-list", "{wb}"), ("demo", "{folder}/demo.xlsx"),
], ids=lambda args: args[0])
def test_an_as_of_after_today_is_refused_by_every_command(cli, demo_copy, args):
    folder = demo_copy.parent
    before = files_in(folder)
    result = cli(*[a.format(wb=demo_copy, folder=folder) for a in args], "--as-of", TOMORROW)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith(f"--as-of : La date des calculs, le {TOMORROW:%d/%m/%Y}, est après aujourd'hui")
    assert result.stdout == ""
    assert files_in(folder) == before  # nothing written, not even a lock


def test_today_is_a_valid_as_of(cli, demo_workbook):
    result = cli("indicators", demo_workbook, "--period", str(date.today().year), "--as-of", date.today(), "--json")
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(("args", "option"), [
    (("indicators", "{wb}", "--period", "2026-12"), "--period"),
    (("committee", "{wb}", "copil", "--period", "2027"), "--period"),
    (("committee", "{wb}", "cotech", "--period", "2027-T1"), "--period"),
    (("export", "{wb}", "{folder}/export.xlsx", "--period", "2026-12"), "--period"),
    (("refresh", "{wb}", "--month", "2026-12"), "--month"),
], ids=lambda value: value if isinstance(value, str) else " ".join(value[:1] + value[2:]))
def test_a_period_that_starts_after_the_as_of_date_is_refused(cli, demo_copy, args, option):
    folder = demo_copy.parent
    before = files_in(folder)
    result = cli(*[a.format(wb=demo_copy, folder=folder) for a in args], "--as-of", AS_OF)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith(f"{option} : La période « {args[-1]} » commence le ")
    assert "après la date des calculs (26/11/2026)" in result.stderr
    assert files_in(folder) == before


@pytest.mark.parametrize(("args", "said"), [
    (("committee", "{wb}", "copil", "--period", "2026-T3"), "Un COPIL (comité de pilotage) porte sur une année : "
                                                            "« 2026-T3 » est un trimestre. Tapez une année, par "
                                                            "exemple 2026."),
    (("committee", "{wb}", "copil", "--period", "2026-10"), "« 2026-10 » est un mois"),
    (("committee", "{wb}", "cotech", "--period", "2026"), "Un COTECH (comité technique) porte sur un trimestre : "
                                                          "« 2026 » est une année. Tapez un trimestre, par exemple "
                                                          "2026-T4."),
    (("refresh", "{wb}", "--month", "2026-T3"), "Une synthèse mensuelle porte sur un mois : « 2026-T3 » est un "
                                                "trimestre. Tapez un mois, par exemple 2026-11."),
    (("refresh", "{wb}", "--month", "2025"), "« 2025 » est une année"),
], ids=lambda value: value if isinstance(value, str) else " ".join(value[:1] + value[2:]))
def test_a_period_of_the_wrong_kind_is_refused_never_turned_into_another(cli, demo_copy, args, said):
    before = files_in(demo_copy.parent)
    result = cli(*[a.format(wb=demo_copy) for a in args], "--as-of", AS_OF)
    assert result.exit_code == 2, result.stderr
    option = args[-2]
    assert result.stderr.startswith(f"{option} : ") and said in result.stderr
    assert files_in(demo_copy.parent) == before


def test_the_period_of_each_committee_is_its_kind(cli, demo_workbook, tmp_path):
    for args, sheet in ((("copil", "--period", "2025"), "COPIL 2025"), (("cotech", "--period", "2026-T3"),
                                                                       "COTECH 2026-T3")):
        out = tmp_path / f"{args[0]}.xlsx"
        result = cli("committee", demo_workbook, *args, "--as-of", AS_OF, "--out", out)
        assert result.exit_code == 0, result.stderr
        assert f"({sheet})" in result.stderr


def test_a_quarter_under_way_is_accepted_and_the_checks_are_the_apis():
    assert api.check_period(periods.quarter_of(AS_OF), AS_OF) == periods.quarter(2026, 4)
    with pytest.raises(RequestRefused) as refused:
        api.committee_period("copil", periods.parse_period("2026-T3"), AS_OF)
    assert refused.value.field == "period" and refused.value.exit_code == 2
    with pytest.raises(RequestRefused) as refused:
        api.check_as_of(TOMORROW)
    assert refused.value.field == "as_of"
    assert api.committee_period("cotech", None, AS_OF) == periods.quarter(2026, 4)
    assert api.committee_period("copil", None, AS_OF) == periods.year(2026)
