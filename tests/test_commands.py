"""The command line doors over indicators, funding, refresh and committee (interfaces.md)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from citeslab_xl.adapters.template import build_workbook
from citeslab_xl.demo import write_demo

AS_OF = "2026-11-26"
SPEC_KEYS = {
    "periode", "nouveaux_porteurs", "rdv", "rdv_par_type", "rdv_par_modalite", "heures", "porteurs_recus",
    "accompagnes", "file_active", "etp", "file_active_par_etp", "orientations", "creations", "creations_par_forme",
    "creations_par_secteur", "creations_par_quartier", "ateliers", "sensibilisation", "part_femmes", "part_qpv",
    "part_moins_26", "par_situation", "par_prescripteur", "par_tranche_age", "taux_creation", "perennite",
    "emplois", "capacite", "taux_charge", "scenario_poste_2",
}


def run(*args):
    return subprocess.run([sys.executable, "-m", "citeslab_xl", *map(str, args)], capture_output=True, text=True)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.xlsx"
    write_demo(path, people=150, years=2, seed=3, as_of=date(2026, 11, 26))
    return path


def test_indicators_json_has_exactly_the_spec_keys(demo):
    result = run("indicators", demo, "--period", "2026-10", "--as-of", AS_OF, "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert set(figures) == SPEC_KEYS
    assert figures["periode"] == {"debut": "2026-10-01", "fin": "2026-10-31"}
    assert set(figures["perennite"]) == {"1", "2", "3"}
    assert figures["accompagnes"] >= figures["nouveaux_porteurs"]


def test_indicators_readable_table_and_bad_period(demo):
    result = run("indicators", demo, "--period", "2026-T4", "--as-of", AS_OF)
    assert result.returncode == 0 and "Personnes accompagnées" in result.stdout
    from citeslab_xl.core.indicators import INDICATORS, LABELS
    assert set(INDICATORS) <= set(LABELS)  # every figure has its French label
    bad = run("indicators", demo, "--period", "octobre", "--as-of", AS_OF)
    assert bad.returncode == 2 and "tapez 2026-10" in bad.stderr and "Traceback" not in bad.stderr


def funding_workbook(path, shares):
    rows = {"porteurs": [], "financement": [
        {"annee": 2007, "poste": "Poste 1", "etp": 1, "cout": Decimal("45000.00"), "part:Caisse des Dépôts": 100},
        {"annee": 2008, "poste": "Poste 1", "etp": 1, "cout": Decimal("45000.01"),
         "part:Agglomération": shares[0], "part:Région": shares[1]},
    ]}
    build_workbook(rows).save(path)
    return path


def test_funding_json_in_cents_and_exit_codes(tmp_path):
    good = run("funding", funding_workbook(tmp_path / "ok.xlsx", (80, 20)), "--json")
    assert good.returncode == 0, good.stderr
    data = json.loads(good.stdout)
    assert data["rows"][0]["parts"]["Caisse des Dépôts"] == "45000.00"
    parts = data["rows"][1]["parts"]
    assert (parts["Agglomération"], parts["Région"]) == ("36000.01", "9000.00")
    assert data["par_annee"]["2008"]["Agglomération"] == "36000.01"
    bad = run("funding", funding_workbook(tmp_path / "ko.xlsx", (80, 30)), "--json")
    assert bad.returncode == 1 and "100 %" in bad.stderr
    assert [r["annee"] for r in json.loads(bad.stdout)["rows"]] == [2007]


def parts(path):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_refresh_twice_only_journal_grows(demo, tmp_path):
    path = tmp_path / "suivi.xlsx"
    path.write_bytes(demo.read_bytes())
    first = run("refresh", path, "--as-of", AS_OF)
    assert first.returncode == 0, first.stderr
    wb = load_workbook(path)
    for name in ("Anomalies", "Synthèse 2026-10", "Synthèse 2026-11", "Historique mensuel", "COPIL 2026",
                 "COTECH 2026-T4", "Financement calculé", "Échéancier suivis", "Journal"):
        assert name in wb.sheetnames
    before = parts(path)
    second = run("refresh", path, "--as-of", AS_OF)
    assert second.returncode == 0, second.stderr
    after = parts(path)
    changed = {n for n in after if after[n] != before.get(n)}
    journal = load_workbook(path)["Journal"]
    assert changed and all(n.endswith(".xml") for n in changed)
    journal_rows = [r for r in journal.iter_rows(values_only=True) if r[1] == "Actualiser les synthèses"]
    assert len(journal_rows) == 2
    for name in sorted(changed):
        assert name.startswith(("xl/worksheets/", "docProps/", "xl/workbook.xml")), name


def test_committee_writes_one_sheet_to_out_and_leaves_the_source(demo, tmp_path):
    out = tmp_path / "copil.xlsx"
    source_bytes = demo.read_bytes()
    result = run("committee", demo, "copil", "--period", "2025", "--as-of", AS_OF, "--out", out)
    assert result.returncode == 0, result.stderr
    assert demo.read_bytes() == source_bytes
    assert "COPIL 2025" in load_workbook(out).sheetnames
    wrong = run("committee", demo, "comite", "--as-of", AS_OF)
    assert wrong.returncode == 2 and "copil" in wrong.stderr



def test_export_command_writes_a_values_only_workbook_beside(demo, tmp_path):
    out = tmp_path / "agglo.xlsx"
    result = run("export", demo, out, "--as-of", AS_OF)
    assert result.returncode == 0, result.stderr
    wb = load_workbook(out)
    assert wb.sheetnames == ["Lisez-moi", "Indicateurs", "Mensuel", "Profil", "Créations", "Financement"]
    readme = " ".join(str(c) for row in wb["Lisez-moi"].iter_rows(values_only=True) for c in row if c)
    assert "01/01/2026" in readme  # the default period: the year so far
    same = run("export", demo, demo, "--as-of", AS_OF)
    assert same.returncode == 2 and "Traceback" not in same.stderr


def test_purge_list_lists_old_records_and_deletes_nothing(tmp_path):
    path = tmp_path / "vieux.xlsx"
    rows = {"porteurs": [
        {"id": "P1", "nom": "Ancien", "prenom": "Dossier", "quartier": "Planoise", "date_premier_contact": date(2015, 3, 2),
         "statut": "Abandon", "consentement": True},
        {"id": "P2", "nom": "Récent", "prenom": "Dossier", "quartier": "Battant", "date_premier_contact": date(2026, 3, 2),
         "statut": "Accueil", "consentement": True},
    ]}
    build_workbook(rows).save(path)
    before = path.read_bytes()
    result = run("purge-list", path, "--as-of", AS_OF, "--json")
    assert result.returncode == 0, result.stderr
    assert [(r["id"], r["dernier_contact"]) for r in json.loads(result.stdout)] == [("P1", "2015-03-02")]
    assert path.read_bytes() == before
