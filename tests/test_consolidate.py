"""The network's workbook: many sites' long-form files stacked, checked, summed and suppressed again."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from openpyxl import load_workbook

from citeslab_xl.adapters.consolidate import consolidate
from citeslab_xl.core import periods
from citeslab_xl.core.errors import ForeignSchema
from citeslab_xl.demo.network import network_exports

AS_OF = date(2026, 11, 10)
MONTHS = [periods.month(2026, 9), periods.month(2026, 10)]
SITES = [(1, "CitésLab Planoise"), (2, "CitésLab Montrapon"), (3, "CitésLab Battant")]


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("network")
    # the third site sends September only: its October is missing
    paths = network_exports(folder, SITES[:2], MONTHS, AS_OF) + network_exports(folder, SITES[2:], MONTHS[:1], AS_OF)
    return folder, paths


def shown_by_site(paths, month: str, indicator: str) -> dict[str, str]:
    found = {}
    for path in paths:
        for row in csv.DictReader(path.with_suffix(".csv").open(encoding="utf-8")):
            if row["period_start"] == f"{month}-01" and row["indicator"] == indicator and not row["breakdown"] \
                    and row["period_end"][:7] == month:
                found[row["site"]] = row["shown"]
    return found


def test_network_totals_are_the_sum_of_the_sites_where_all_are_shown(exports, tmp_path):
    _, paths = exports
    out = consolidate(paths, tmp_path / "reseau.xlsx")
    wb = load_workbook(out)
    assert wb.sheetnames == ["Lisez-moi", "Complétude", "Par mois", "Par site"]
    months = {row[0]: row for row in wb["Par mois"].iter_rows(values_only=True) if row and row[0]}
    for month in ("2026-09", "2026-10"):
        sites = shown_by_site(paths, month, "nouveaux_porteurs")
        network = months[f"{month[5:]}/{month[:4]}"][1]
        if all(v.isdigit() for v in sites.values()):
            assert network == sum(int(v) for v in sites.values())
        else:
            assert network == "masqué"
    rates = {row[0]: row for row in wb["Complétude"].iter_rows(values_only=True) if row and row[0]}
    assert rates["CitésLab Battant"][1:3] == (2, 1) and rates["CitésLab Planoise"][1:3] == (2, 2)


def test_a_file_of_another_schema_version_is_refused_in_french(exports, tmp_path):
    _, paths = exports
    csv_path = paths[0].with_suffix(".csv")
    other = tmp_path / "ancien.csv"
    other.write_text(csv_path.read_text(encoding="utf-8").replace("\n1,", "\n0,"), encoding="utf-8")
    with pytest.raises(ForeignSchema, match="version 0 du schéma"):
        consolidate([paths[1], other], tmp_path / "reseau.xlsx")
    assert not (tmp_path / "reseau.xlsx").exists()


def test_the_command_writes_the_network_workbook_and_refuses_to_replace_it(exports, tmp_path):
    from conftest import run_cli

    _, paths = exports
    out = tmp_path / "réseau.xlsx"
    first = run_cli("consolidate", *paths, out)
    assert first.exit_code == 0, first.output
    assert out.is_file() and "Classeur du réseau écrit" in first.stderr
    again = run_cli("consolidate", *paths, out)
    assert again.exit_code == 2 and "existe déjà" in again.stderr
