"""The figure catalogue: one label, kind and format per figure, read by every sheet and the terminal."""

from datetime import date

import pytest

from citeslab_xl.core import figures, indicators, monthly, periods
from citeslab_xl.core.dataset import from_records
from citeslab_xl.core.figures import FIGURES, Kind


def test_every_indicator_and_monthly_figure_has_one_entry():
    assert set(indicators.INDICATORS) <= set(FIGURES)
    assert set(monthly.MONTHLY_KEYS) <= set(FIGURES)
    labels = [figure.label for figure in figures.CATALOGUE]
    assert len(labels) == len(set(labels))  # no two figures share a label


def test_every_catalogue_key_is_read_from_the_typed_result():
    result = indicators.compute(from_records({"porteurs": []}), periods.month(2026, 10), date(2026, 11, 26))
    for figure in figures.CATALOGUE:
        value = result.value(figure.key)
        if figure.is_scalar:
            assert value is None or isinstance(value, (int, float)), figure.key
        else:
            assert isinstance(value, dict), figure.key


def test_a_derived_figure_names_a_count_of_the_catalogue():
    for figure in figures.CATALOGUE:
        if figure.computed_from is not None:
            assert FIGURES[figure.computed_from].kind is Kind.COUNT


@pytest.mark.parametrize("key, value, shown", [
    ("part_femmes", 0.4333, "43,3 %"),
    ("taux_charge", 1.0575, "105,8 %"),  # half up, over capacity
    ("accompagnes", 1234, "1 234"),
    ("heures", 1080.45, "1 080,5"),
    ("etp", 1.0, "1,00"),
    ("capacite", 120, "120,00"),
    ("part_qpv", None, "—"),
    ("taux_orientation", 0.25, "25,0 %"),
    ("qpv_couverts", 6, "6"),
])
def test_terminal_spelling(key, value, shown):
    assert FIGURES[key].display(value) == shown


def test_euros_and_formats():
    assert figures.display(Kind.EUROS, 36000) == "36 000,00 €"
    assert FIGURES["part_femmes"].number_format == "0.0%"
    assert FIGURES["nouveaux_porteurs"].number_format is None
    assert figures.years_label("1") == "1 an" and figures.years_label(3) == "3 ans"
