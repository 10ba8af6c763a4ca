"""The funding split: exact cents, largest remainder, reste à charge, per-year totals."""

import json
from datetime import date
from decimal import Decimal as D

import pytest

from citeslab_xl.core import funding
from citeslab_xl.core.dataset import from_records
from citeslab_xl.core.funding import split_amounts

FUNDERS = ("Caisse des Dépôts", "Agglomération", "Région")


def financement(annee, poste, cout, etp="1", **shares):
    row = {"annee": annee, "poste": poste, "etp": D(etp), "cout": None if cout is None else D(cout)}
    row.update({f"part:{funder}": D(share) for funder, share in shares.items()})
    return row


def build(rows, funders=FUNDERS, **sheets):
    records = {"financement": rows, **sheets}
    records = {key: [{"_row": i + 2, **row} for i, row in enumerate(value)] for key, value in records.items()}
    return from_records(records, funders=funders)


def agglo_region(annee, cout="36000.00", poste="Poste 1"):
    return financement(annee, poste, cout, Agglomération="80", Région="20")


def cdc(annee, cout="36000.00", poste="Poste 1"):
    return financement(annee, poste, cout, **{"Caisse des Dépôts": "100"})


# --- the split of one row ----------------------------------------------------------------

def test_largest_remainder_gives_the_cents_to_the_largest_remainders():
    # 100.01 × 33.3334 % = 33.33673334; × 33.3333 % = 33.33663333 (twice); total 100.01:
    # floors 99.99, two cents left: CDC (.00673), then Agglomération before Région (same remainder)
    shares = {"Caisse des Dépôts": D("33.3334"), "Agglomération": D("33.3333"), "Région": D("33.3333")}
    assert split_amounts(D("100.01"), shares) == {
        "Caisse des Dépôts": D("33.34"), "Agglomération": D("33.34"), "Région": D("33.33")}


def test_amounts_add_up_to_the_rounded_covered_share_not_to_the_rounded_amounts():
    # 0.05 € at 30 % + 30 %: 0.015 each, covered 0.03; rounding each half up would give 0.04
    assert split_amounts(D("0.05"), {"A": D("30"), "B": D("30")}) == {"A": D("0.02"), "B": D("0.01")}


def test_the_covered_total_is_rounded_half_up():
    assert split_amounts(D("0.01"), {"A": D("50")}) == {"A": D("0.01")}  # 0.005 → 0.01


def test_a_zero_share_gets_nothing():
    assert split_amounts(D("999.99"), {"A": D("0"), "B": D("100")}) == {"A": D("0.00"), "B": D("999.99")}


# --- Besançon's history -------------------------------------------------------------------

@pytest.fixture
def besancon():
    return build([cdc(2005), cdc(2006), cdc(2007), agglo_region(2008), agglo_region(2026, "41234.57")])


def test_besancon_history(besancon):
    result = funding.funding_json(besancon)
    by_year = {row["annee"]: row for row in result["rows"]}
    for year in (2005, 2006, 2007):
        assert by_year[year]["parts"] == {"Caisse des Dépôts": "36000.00", "Agglomération": "0.00", "Région": "0.00"}
        assert by_year[year]["reste_a_charge"] == "0.00"
    assert by_year[2008]["parts"] == {"Caisse des Dépôts": "0.00", "Agglomération": "28800.00", "Région": "7200.00"}
    # 41234.57 × 80 % = 32987.656, × 20 % = 8246.914: the cent left goes to the larger remainder
    assert by_year[2026]["parts"] == {"Caisse des Dépôts": "0.00", "Agglomération": "32987.66", "Région": "8246.91"}
    assert by_year[2026]["cout"] == "41234.57"


def test_json_shape_and_amounts_as_strings(besancon):
    result = funding.funding_json(besancon)
    assert set(result) == {"rows", "par_annee"}
    assert set(result["rows"][0]) == {"annee", "poste", "cout", "parts", "reste_a_charge"}
    assert result["rows"][0] == {
        "annee": 2005, "poste": "Poste 1", "cout": "36000.00",
        "parts": {"Caisse des Dépôts": "36000.00", "Agglomération": "0.00", "Région": "0.00"},
        "reste_a_charge": "0.00"}
    assert result["par_annee"]["2008"] == {
        "Caisse des Dépôts": "0.00", "Agglomération": "28800.00", "Région": "7200.00"}
    assert json.loads(json.dumps(result)) == result
    assert "36000.00" in json.dumps(result)


def test_reste_a_charge_is_what_no_funder_covers():
    data = build([financement(2026, "Poste 1", "1000", Agglomération="33.33", Région="33.33")])
    row = funding.funding_json(data)["rows"][0]
    assert row["parts"]["Agglomération"] == "333.30" and row["parts"]["Région"] == "333.30"
    assert row["reste_a_charge"] == "333.40"


def test_per_year_totals_add_the_posts():
    data = build([agglo_region(2026, "30000.00", "Poste 1"), agglo_region(2026, "15000.50", "Poste 2"),
                  cdc(2025, "100.00")])
    assert funding.funding_json(data)["par_annee"] == {
        "2025": {"Caisse des Dépôts": "100.00", "Agglomération": "0.00", "Région": "0.00"},
        "2026": {"Caisse des Dépôts": "0.00", "Agglomération": "36000.40", "Région": "9000.10"},
    }


def test_rows_are_in_year_and_post_order():
    data = build([agglo_region(2026, poste="Poste 2"), cdc(2005), agglo_region(2026, poste="Poste 1")])
    assert [(r["annee"], r["poste"]) for r in funding.funding_json(data)["rows"]] == [
        (2005, "Poste 1"), (2026, "Poste 1"), (2026, "Poste 2")]


def test_a_row_over_100_percent_is_not_split_and_is_reported():
    data = build([financement(2026, "Poste 1", "1000", Agglomération="90", Région="20"),
                  agglo_region(2026, "500", "Poste 2")])
    errors = funding.funding_errors(data)
    assert [(e.annee, e.poste, e.ligne, e.total_shares) for e in errors] == [(2026, "Poste 1", 2, D("110"))]
    assert errors[0].parts == {} and errors[0].reste_a_charge is None
    result = funding.funding_json(data)
    assert [r["poste"] for r in result["rows"]] == ["Poste 2"]
    assert result["par_annee"]["2026"] == {"Caisse des Dépôts": "0.00", "Agglomération": "400.00", "Région": "100.00"}


def test_exactly_100_percent_is_not_an_error():
    data = build([financement(2026, "Poste 1", "10", Agglomération="66.67", Région="33.33")])
    assert funding.funding_errors(data) == []


def test_rows_without_year_or_cost_are_left_out():
    data = build([financement(None, "Poste 1", "1000"), financement(2026, "Poste 1", None), cdc(2026, "10")])
    assert [(r["annee"], r["cout"]) for r in funding.funding_json(data)["rows"]] == [(2026, "10.00")]


def test_other_funders_and_empty_shares():
    funders = ("Agglomération", "Région", "FSE")
    data = build([financement(2026, "Poste 1", "1000", Agglomération="50", FSE="25")], funders)
    assert funding.funding_json(data)["rows"][0]["parts"] == {
        "Agglomération": "500.00", "Région": "0.00", "FSE": "250.00"}
    assert funding.funding_json(data)["rows"][0]["reste_a_charge"] == "250.00"


# --- cost per person and per creation -------------------------------------------------------

def porteur(id_, contact, **fields):
    return {"id": id_, "nom": "N", "prenom": "P", "quartier": "Hors QPV", "statut": "Accueil",
            "date_premier_contact": contact, "consentement": True, **fields}


def test_cost_per_person_accompanied_and_per_creation():
    data = build(
        [agglo_region(2026, "600.00", "Poste 1"), agglo_region(2026, "400.00", "Poste 2"), cdc(2025, "500.00")],
        porteurs=[porteur("P1", date(2026, 2, 1)), porteur("P2", date(2026, 3, 1), statut="Créé",
                                                             date_creation=date(2026, 9, 1)),
                  porteur("P3", date(2024, 3, 1))],
        rendez_vous=[{"date": date(2026, 5, 1), "id_porteur": "P3", "type": "Entretien"},
                     {"date": date(2026, 12, 1), "id_porteur": "P3", "type": "Entretien"}],
    )
    years = {y.annee: y for y in funding.funding_years(data, date(2026, 11, 26))}
    # 2026: 1000 € for P1, P2, P3 (accompanied) and one creation
    assert years[2026].cout == D("1000.00")
    assert (years[2026].accompagnes, years[2026].creations) == (3, 1)
    assert years[2026].cout_par_accompagne == D("333.33")
    assert years[2026].cout_par_creation == D("1000.00")
    assert years[2026].reste_a_charge == D("0.00")
    # 2025: nobody, so both costs are left empty
    assert years[2025].cout_par_accompagne is None and years[2025].cout_par_creation is None


def test_a_flagged_row_still_counts_in_the_cost_of_its_year():
    data = build([financement(2026, "Poste 1", "1000", Agglomération="90", Région="20"),
                  agglo_region(2026, "500", "Poste 2")])
    (year,) = funding.funding_years(data, date(2026, 11, 26))
    assert year.cout == D("1500.00")
    assert year.parts == {"Caisse des Dépôts": D("0"), "Agglomération": D("400.00"), "Région": D("100.00")}
