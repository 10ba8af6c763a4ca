"""Properties that hold for any data: exact funding parts, order-free and sheet-local indicators."""

import random
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from citeslab_xl.core import indicators, monthly, periods
from citeslab_xl.core.dataset import from_records
from citeslab_xl.core.funding import CENT, split_amounts, to_cent
from citeslab_xl.core.schema import DEFAULT_LISTS, DEFAULT_QUARTIERS

# --- funding ----------------------------------------------------------------------------------

cents = st.integers(min_value=0, max_value=10**11).map(lambda n: Decimal(n) / 100)
share = st.integers(min_value=0, max_value=10**6).map(lambda n: Decimal(n) / 10**4)  # 0 to 100 %, 4 decimals


@given(cout=cents, shares=st.lists(share, min_size=1, max_size=6).filter(lambda s: sum(s) <= 100))
def test_funding_parts_add_up_exactly(cout, shares):
    named = {f"F{i}": s for i, s in enumerate(shares)}
    amounts = split_amounts(cout, named)
    assert sum(amounts.values()) == to_cent(cout * sum(shares) / 100)
    assert cout - sum(amounts.values()) >= 0  # the reste à charge
    for funder, amount in amounts.items():
        assert amount == amount.quantize(CENT)
        assert abs(amount - cout * named[funder] / 100) < CENT


# --- random datasets -------------------------------------------------------------------------

DAYS = st.dates(date(2024, 1, 1), date(2027, 6, 30))
IDS = [f"P{i}" for i in range(8)]


def maybe(strategy):
    return st.none() | strategy


porteurs = st.lists(st.fixed_dictionaries({
    "id": maybe(st.sampled_from(IDS)),
    "sexe": maybe(st.sampled_from(("F", "H"))),
    "date_naissance": maybe(st.dates(date(1950, 1, 1), date(2008, 1, 1))),
    "quartier": maybe(st.sampled_from([q[0] for q in DEFAULT_QUARTIERS])),
    "situation": maybe(st.sampled_from(DEFAULT_LISTS["Situation"])),
    "niveau": maybe(st.sampled_from(DEFAULT_LISTS["Niveau de formation"])),
    "date_premier_contact": maybe(DAYS),
    "statut": maybe(st.sampled_from(DEFAULT_LISTS["Statut"])),
    "partenaire": maybe(st.sampled_from(DEFAULT_LISTS["Partenaire"])),
    "date_orientation": maybe(DAYS),
    "date_creation": maybe(DAYS),
    "forme": maybe(st.sampled_from(DEFAULT_LISTS["Forme juridique"])),
    "date_cessation": maybe(DAYS),
}), max_size=10)
rendez_vous = st.lists(st.fixed_dictionaries({
    "date": maybe(DAYS),
    "id_porteur": maybe(st.sampled_from(IDS + ["X1"])),
    "type": maybe(st.sampled_from(DEFAULT_LISTS["Type de rendez-vous"])),
    "modalite": maybe(st.sampled_from(DEFAULT_LISTS["Modalité"])),
    "duree": maybe(st.integers(5, 480)),
}), max_size=12)
ateliers = st.lists(st.fixed_dictionaries({
    "date": maybe(DAYS),
    "type": maybe(st.sampled_from(DEFAULT_LISTS["Type d'atelier"])),
    "participants": maybe(st.integers(0, 100)),
}), max_size=4)
actions = st.lists(st.fixed_dictionaries({
    "date": maybe(DAYS),
    "type_lieu": maybe(st.sampled_from(DEFAULT_LISTS["Type de lieu"])),
    "structure": st.just("Lycée"),
    "personnes": maybe(st.integers(0, 2000)),
}), max_size=4)
suivis = st.lists(st.fixed_dictionaries({
    "id_porteur": st.sampled_from(IDS),
    "date": maybe(DAYS),
    "active": st.booleans(),
    "emplois": maybe(st.integers(0, 20)),
}), max_size=6)
financements = st.lists(st.fixed_dictionaries({
    "annee": st.integers(2024, 2027),
    "poste": st.sampled_from(("Poste 1", "Poste 2")),
    "etp": st.sampled_from((Decimal("0.5"), Decimal("0.8"), Decimal("1"))),
    "cout": st.just(Decimal("1000")),
}), max_size=3)
sheets = st.fixed_dictionaries({
    "porteurs": porteurs, "rendez_vous": rendez_vous, "ateliers": ateliers, "sensibilisation": actions,
    "suivi": suivis, "financement": financements,
})
period_of_interest = st.one_of(
    st.builds(periods.month, st.integers(2025, 2026), st.integers(1, 12)),
    st.builds(periods.quarter, st.integers(2025, 2026), st.integers(1, 4)),
    st.builds(periods.year, st.integers(2025, 2026)),
)
as_of_dates = st.dates(date(2025, 1, 1), date(2027, 6, 30))


def build(records):
    return from_records({key: [{"_row": i + 2, **row} for i, row in enumerate(rows)] for key, rows in records.items()})


def shuffled(records, seed):
    rng = random.Random(seed)
    return {key: rng.sample(rows, len(rows)) for key, rows in records.items()}


# Which sheets each indicator may read: changing any other sheet must leave it alone.
READS = {
    "ateliers": {"ateliers"},
    "sensibilisation": {"sensibilisation"},
    "emplois": {"porteurs", "suivi"},
    "etp": {"financement"},
    "file_active_par_etp": {"porteurs", "rendez_vous", "financement"},
    "capacite": {"financement"},
    "taux_charge": {"porteurs", "rendez_vous", "financement"},
    "scenario_poste_2": {"porteurs", "rendez_vous", "financement"},
    **{key: {"rendez_vous"} for key in ("rdv", "rdv_par_type", "rdv_par_modalite", "heures", "porteurs_recus")},
    **{key: {"porteurs", "rendez_vous"} for key in ("accompagnes", "file_active", "taux_orientation")},
}


@settings(max_examples=25, deadline=None)
@given(records=sheets, period=period_of_interest, as_of=as_of_dates, seed=st.integers(0, 10**6))
def test_no_indicator_depends_on_row_order(records, period, as_of, seed):
    assert indicators.compute(build(shuffled(records, seed)), period, as_of).to_json() == indicators.compute(
        build(records), period, as_of).to_json()


@settings(max_examples=25, deadline=None)
@given(records=sheets, other=sheets,
       changed=st.sampled_from(("rendez_vous", "ateliers", "sensibilisation", "suivi", "financement")),
       period=period_of_interest, as_of=as_of_dates)
def test_an_indicator_ignores_the_sheets_it_does_not_read(records, other, changed, period, as_of):
    before = indicators.compute(build(records), period, as_of).to_json()
    after = indicators.compute(build({**records, changed: other[changed]}), period, as_of).to_json()
    for key in before:
        if changed not in READS.get(key, {"porteurs"}):
            assert after[key] == before[key], key


@settings(max_examples=40, deadline=None)
@given(records=sheets, period=period_of_interest, as_of=as_of_dates)
def test_accompagnes_is_at_least_the_new_porteurs_and_the_people_met(records, period, as_of):
    data = build(records)
    accompagnes = indicators.accompagnes(data, period, as_of)
    assert accompagnes >= indicators.nouveaux_porteurs(data, period, as_of)
    assert accompagnes >= indicators.porteurs_recus(data, period, as_of)


@settings(max_examples=40, deadline=None)
@given(records=sheets, period=period_of_interest, as_of=as_of_dates)
def test_the_national_figures_keep_their_bounds(records, period, as_of):
    k = indicators.compute(build(records), period, as_of)
    # taux_orientation has no such bound: someone oriented in P need not be accompanied in P (indicators.md)
    for share in (k.part_moins_25, k.part_bac_plus, k.part_demandeurs_emploi, k.part_qpv):
        assert share is None or 0 <= share <= 1
    # the same people counted, the younger band inside the older one
    assert (k.part_moins_25 is None) == (k.part_moins_26 is None)
    assert k.part_moins_25 is None or (k.part_moins_26 is not None and k.part_moins_25 <= k.part_moins_26)
    qpv_lines = sum(1 for q in DEFAULT_QUARTIERS if q[2])
    assert 0 <= k.qpv_couverts <= min(qpv_lines, k.nouveaux_porteurs)
    assert (k.qpv_couverts == 0) == (not k.part_qpv)


def one_month(data, month, as_of):
    """What `monthly_activity` must give, from the per-period functions."""
    figures = indicators.compute(data, month, as_of)
    return {"mois": month.label, **{key: figures.scalar(key) for key in monthly.MONTHLY_KEYS}}


@settings(max_examples=20, deadline=None)
@given(records=sheets, as_of=as_of_dates, first=st.dates(date(2025, 6, 1), date(2027, 3, 1)))
def test_monthly_activity_agrees_with_the_indicators_of_each_month(records, as_of, first):
    data = build(records)
    months = periods.months_between(first, first + timedelta(days=100))
    assert monthly.monthly_activity(data, months, as_of) == [one_month(data, m, as_of) for m in months]
