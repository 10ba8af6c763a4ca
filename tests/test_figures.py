"""The figure catalogue: one label, kind and format per figure, read by every sheet and the terminal."""

from datetime import date

import pytest

from citeslab_xl.core import figures, indicators, monthly, periods
from citeslab_xl.core.dataset import from_records
from citeslab_xl.core.figures import FIGURES, Kind
from citeslab_xl.core.layout import PERCENT


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
    assert FIGURES["part_femmes"].number_format == PERCENT  # « 40,0 % », the layout's French percentage
    assert FIGURES["nouveaux_porteurs"].number_format is None
    assert figures.years_label("1") == "1 an" and figures.years_label(3) == "3 ans"


# --- the national figures on every sheet that shows the public (issue 11) ---------------------------

NATIONAL = ("part_qpv", "qpv_couverts", "part_moins_25", "part_bac_plus", "part_demandeurs_emploi")


def _table(layout, title: str):
    return next(t for t in layout.tables() if t.title and t.title.startswith(title))


def _national_dataset():
    people = [{"_row": i + 2, "id": f"P{i}", "nom": "N", "prenom": "P", "statut": "Orienté", "consentement": True,
               "date_premier_contact": date(2026, 10, 1 + i), "quartier": "Planoise" if i % 2 else "Battant",
               "date_naissance": date(1990, 1, 1), "niveau": "Bac", "situation": "Demandeur d'emploi",
               "partenaire": "Adie", "date_orientation": date(2026, 10, 20)} for i in range(6)]
    return from_records({"porteurs": people})


def test_the_national_figures_are_in_the_synthese_the_copil_and_the_export():
    from citeslab_xl.core import committees, export, sheets

    as_of, dataset = date(2026, 11, 26), _national_dataset()
    synthese = _table(sheets.synthese_layout(dataset, periods.month(2026, 10), as_of), "Public")
    rows = {row[0]: row[1] for row in synthese.rows}
    assert [rows[FIGURES[key].label] for key in NATIONAL] == [1.0, 2, 0.0, 1.0, 1.0]
    reached = next(i for i, row in enumerate(synthese.rows) if row[0] == FIGURES["qpv_couverts"].label)
    assert (reached, 1) not in synthese.cell_formats  # a number of quartiers, not a percentage
    activity = {row[0]: row[1] for row in _table(sheets.synthese_layout(dataset, periods.month(2026, 10), as_of),
                                                 "Activité").rows}
    assert (activity["Personnes orientées"], activity["Taux d'orientation"]) == (6, 1.0)
    copil = committees.copil_layout(dataset, 2026, as_of)
    assert FIGURES["part_bac_plus"].label in {row[0] for row in _table(copil, "Profil du public").rows}
    layouts = export.build_export(dataset, periods.year(2026), as_of, "0" * 64, "1")
    public = _table(next(layout for layout in layouts if layout.name == "Indicateurs"), "Public")
    assert {FIGURES[key].label for key in NATIONAL} <= {row[0] for row in public.rows}
