"""Periods: parsing `--period`, labels, previous year, year-to-date, months."""

from datetime import date

import pytest

from citeslab_xl.core import periods
from citeslab_xl.core.periods import Period, parse_period


@pytest.mark.parametrize("text, debut, fin, label", [
    ("2026-10", date(2026, 10, 1), date(2026, 10, 31), "2026-10"),
    ("2026-2", date(2026, 2, 1), date(2026, 2, 28), "2026-02"),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "2024-02"),
    ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), "2026-T3"),
    ("2026-t4", date(2026, 10, 1), date(2026, 12, 31), "2026-T4"),
    ("2026-q1", date(2026, 1, 1), date(2026, 3, 31), "2026-T1"),
    (" 2026 ", date(2026, 1, 1), date(2026, 12, 31), "2026"),
])
def test_parse_period_accepts_month_quarter_and_year(text, debut, fin, label):
    assert parse_period(text) == Period(debut, fin, label)


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-Q5", "2026-T0", "26", "oct 2026", "", "2026/10", "0999"])
def test_parse_period_refuses_in_french_and_says_what_to_type(text):
    with pytest.raises(ValueError) as raised:
        parse_period(text)
    assert "tapez 2026-10" in str(raised.value)
    assert "2026-T3" in str(raised.value)


def test_constructors_and_membership():
    october = periods.month(2026, 10)
    assert date(2026, 10, 1) in october and date(2026, 10, 31) in october
    assert date(2026, 11, 1) not in october and date(2026, 9, 30) not in october
    assert periods.quarter_of(date(2026, 11, 26)) == periods.quarter(2026, 4)
    assert periods.month_of(date(2026, 11, 26)).label == "2026-11"
    assert periods.year(2026).label == "2026"


def test_titles_in_french():
    assert periods.month(2026, 8).titre == "août 2026"
    assert periods.quarter(2026, 1).titre == "1er trimestre 2026"
    assert periods.quarter(2026, 3).titre == "3e trimestre 2026"
    assert periods.year(2026).titre == "année 2026"
    assert Period(date(2026, 1, 5), date(2026, 2, 3), "x").titre == "du 05/01/2026 au 03/02/2026"


def test_previous_year_keeps_the_kind_of_period():
    assert periods.previous_year(periods.month(2026, 10)) == periods.month(2025, 10)
    assert periods.previous_year(periods.quarter(2026, 3)) == periods.quarter(2025, 3)
    assert periods.previous_year(periods.year(2026)) == periods.year(2025)


def test_previous_year_of_a_leap_february_ends_on_the_28th():
    assert periods.previous_year(periods.month(2024, 2)) == periods.month(2023, 2)
    assert periods.previous_year(periods.month(2025, 2)).fin == date(2024, 2, 29)


def test_year_to_date_runs_from_the_first_of_january():
    ytd = periods.year_to_date(periods.month(2026, 10))
    assert (ytd.debut, ytd.fin) == (date(2026, 1, 1), date(2026, 10, 31))
    assert ytd.label == "2026 (cumul au 31/10)"
    assert periods.year_to_date(periods.month(2026, 12)) == periods.year(2026)
    assert periods.year_to_date(periods.month(2026, 1)) == periods.month(2026, 1)


def test_previous_year_of_a_year_to_date_stays_a_year_to_date():
    previous = periods.previous_year(periods.year_to_date(periods.month(2024, 2)))
    assert (previous.debut, previous.fin) == (date(2023, 1, 1), date(2023, 2, 28))
    assert previous.label == "2023 (cumul au 28/02)"


def test_shift_years_turns_29_february_into_28_february():
    assert periods.shift_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert periods.shift_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert periods.shift_years(date(2028, 2, 29), -3) == date(2025, 2, 28)
    assert periods.shift_years(date(2026, 3, 15), -2) == date(2024, 3, 15)


def test_months_between_covers_every_month_met():
    months = periods.months_between(date(2025, 11, 15), date(2026, 2, 1))
    assert [m.label for m in months] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert periods.months_between(date(2026, 3, 1), date(2026, 2, 28)) == []
    assert [m.label for m in periods.months_between(date(2026, 5, 31), date(2026, 5, 31))] == ["2026-05"]


def test_shift_months_keeps_the_day_or_takes_the_month_end():
    assert periods.shift_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert periods.shift_months(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert periods.shift_months(date(2026, 1, 15), -13) == date(2024, 12, 15)
    assert periods.shift_months(date(2026, 10, 1), -11) == date(2025, 11, 1)


def test_next_and_previous_month_cross_the_year():
    assert periods.next_month(periods.month(2026, 12)) == periods.month(2027, 1)
    assert periods.previous_month(periods.month(2027, 1)) == periods.month(2026, 12)
    # of a longer period: the month after its end, the month before its start
    assert periods.next_month(periods.quarter(2026, 3)) == periods.month(2026, 10)
    assert periods.previous_month(periods.year(2026)) == periods.month(2025, 12)


@pytest.mark.parametrize("period, kind", [
    (periods.month(2026, 2), periods.PeriodKind.MONTH),
    (periods.quarter(2026, 4), periods.PeriodKind.QUARTER),
    (periods.year(2026), periods.PeriodKind.YEAR),
    (periods.year_to_date(periods.month(2026, 10)), periods.PeriodKind.OTHER),
    (Period(date(2026, 2, 1), date(2026, 4, 30), "février-avril"), periods.PeriodKind.OTHER),
    (parse_period("2026-T3"), periods.PeriodKind.QUARTER),
])
def test_period_kind(period, kind):
    assert period.kind is kind


def test_period_between_names_the_standard_periods():
    assert periods.period_between(date(2026, 4, 1), date(2026, 6, 30)) == periods.quarter(2026, 2)
    assert periods.period_between(date(2026, 3, 2), date(2026, 3, 9)).label == "2026-03-02/2026-03-09"


def test_column_letter_matches_excel_names():
    from openpyxl.utils import get_column_letter

    from citeslab_xl.core.text import column_letter

    for index in (1, 2, 26, 27, 52, 53, 702, 703, 16384):
        assert column_letter(index) == get_column_letter(index)


# --- partial periods: like with like (indicators.md › Comparisons and partial periods) ----------

@pytest.mark.parametrize("period, as_of, debut, fin", [
    (periods.month(2026, 11), date(2026, 11, 15), date(2025, 11, 1), date(2025, 11, 15)),
    (periods.month(2026, 11), date(2026, 11, 30), date(2025, 11, 1), date(2025, 11, 30)),  # over on its last day
    (periods.month(2026, 11), date(2026, 12, 1), date(2025, 11, 1), date(2025, 11, 30)),
    (periods.month(2026, 12), date(2026, 12, 1), date(2025, 12, 1), date(2025, 12, 1)),  # one day against one day
    (periods.year(2026), date(2026, 12, 1), date(2025, 1, 1), date(2025, 12, 1)),  # 11 months against 11 months
    (periods.year_to_date(periods.month(2026, 11)), date(2026, 11, 15), date(2025, 1, 1), date(2025, 11, 15)),
    (periods.month(2028, 2), date(2028, 2, 28), date(2027, 2, 1), date(2027, 2, 28)),  # 1–28 February 2027
    (periods.month(2028, 2), date(2028, 2, 29), date(2027, 2, 1), date(2027, 2, 28)),  # a whole month, whole
])
def test_same_span_earlier_takes_the_same_days_a_year_earlier(period, as_of, debut, fin):
    earlier = periods.same_span_earlier(period, as_of)
    assert (earlier.debut, earlier.fin) == (debut, fin)


def test_a_period_is_partial_until_its_last_day():
    november = periods.month(2026, 11)
    assert periods.is_partial(november, date(2026, 11, 29)) and not periods.is_partial(november, date(2026, 11, 30))
    assert periods.elapsed(november, date(2026, 11, 15)) == Period(date(2026, 11, 1), date(2026, 11, 15),
                                                                   "2026-11-01/2026-11-15")
    assert periods.elapsed(november, date(2026, 12, 1)) is november
    assert periods.span_suffix(november, date(2026, 11, 15)) == ", au 15/11"
    assert periods.span_suffix(november, date(2026, 12, 1)) == ""


@pytest.mark.parametrize("as_of, running", [
    (date(2026, 6, 1), True),  # its year is not over
    (date(2027, 12, 31), True),  # people met in December 2026 have had one year
    (date(2028, 12, 30), True),
    (date(2028, 12, 31), False),  # the last of them have had two years
    (date(2030, 1, 1), False),
])
def test_a_cohort_runs_until_its_last_people_have_had_two_years(as_of, running):
    assert periods.cohort_running(2026, as_of) is running
