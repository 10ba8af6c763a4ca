"""The command line doors over indicators, funding, refresh, committee, export and purge-list (interfaces.md)."""

from __future__ import annotations

import json
import zipfile
from datetime import date
from decimal import Decimal

from conftest import AS_OF
from openpyxl import load_workbook

from citeslab_xl.adapters.template import build_workbook
from citeslab_xl.core.figures import CATALOGUE

SPEC_KEYS = {
    "periode", "nouveaux_porteurs", "rdv", "rdv_par_type", "rdv_par_modalite", "heures", "porteurs_recus",
    "accompagnes", "file_active", "etp", "file_active_par_etp", "orientations", "creations", "creations_par_forme",
    "creations_par_secteur", "creations_par_quartier", "ateliers", "sensibilisation", "part_femmes", "part_qpv",
    "part_moins_25", "part_bac_plus", "part_demandeurs_emploi", "qpv_couverts", "orientes",
    "taux_orientation", "part_moins_26", "par_situation", "par_prescripteur", "par_tranche_age", "taux_creation",
    "perennite", "emplois", "capacite", "taux_charge", "scenario_poste_2",
}


def test_indicators_json_has_exactly_the_spec_keys(cli, demo_workbook):
    result = cli("indicators", demo_workbook, "--period", "2026-10", "--as-of", AS_OF, "--json")
    assert result.exit_code == 0, result.stderr
    figures = json.loads(result.stdout)
    assert set(figures) == SPEC_KEYS
    assert figures["periode"] == {"debut": "2026-10-01", "fin": "2026-10-31"}
    assert set(figures["perennite"]) == {"1", "2", "3"}
    assert figures["accompagnes"] >= figures["nouveaux_porteurs"]


def test_indicators_readable_table_and_bad_period(cli, demo_workbook):
    result = cli("indicators", demo_workbook, "--period", "2026-T4", "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    assert "4e trimestre 2026" in result.stdout
    for figure in CATALOGUE:  # every single figure, under its French label
        assert not figure.is_scalar or figure.label in result.stdout, figure.label
    bad = cli("indicators", demo_workbook, "--period", "octobre", "--as-of", AS_OF)
    assert bad.exit_code == 2 and bad.stdout == ""
    assert "--period « octobre »" in bad.stderr and "tapez 2026-10" in bad.stderr


def funding_workbook(path, shares):
    rows = {"porteurs": [], "financement": [
        {"annee": 2007, "poste": "Poste 1", "etp": 1, "cout": Decimal("45000.00"), "part:Caisse des Dépôts": 100},
        {"annee": 2008, "poste": "Poste 1", "etp": 1, "cout": Decimal("45000.01"),
         "part:Agglomération": shares[0], "part:Région": shares[1]},
    ]}
    build_workbook(rows).save(path)
    return path


def test_funding_json_in_cents_and_exit_codes(cli, tmp_path):
    good = cli("funding", funding_workbook(tmp_path / "ok.xlsx", (80, 20)), "--json")
    assert good.exit_code == 0, good.stderr
    data = json.loads(good.stdout)
    assert data["rows"][0]["parts"]["Caisse des Dépôts"] == "45000.00"
    parts = data["rows"][1]["parts"]
    assert (parts["Agglomération"], parts["Région"]) == ("36000.01", "9000.00")
    assert data["par_annee"]["2008"]["Agglomération"] == "36000.01"
    bad = cli("funding", funding_workbook(tmp_path / "ko.xlsx", (80, 30)), "--json")
    assert bad.exit_code == 1 and "100 %" in bad.stderr
    assert [r["annee"] for r in json.loads(bad.stdout)["rows"]] == [2007]


def parts(path):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_refresh_twice_only_journal_grows(cli, demo_copy):
    first = cli("refresh", demo_copy, "--as-of", AS_OF)
    assert first.exit_code == 0, first.stderr
    wb = load_workbook(demo_copy)
    for name in ("Anomalies", "Synthèse 2026-10", "Synthèse 2026-11", "Historique mensuel", "COPIL 2026",
                 "COTECH 2026-T4", "Financement calculé", "Échéancier suivis", "Journal"):
        assert name in wb.sheetnames
    before = parts(demo_copy)
    second = cli("refresh", demo_copy, "--as-of", AS_OF)
    assert second.exit_code == 0, second.stderr
    after = parts(demo_copy)
    changed = {n for n in after if after[n] != before.get(n)}
    journal = load_workbook(demo_copy)["Journal"]
    assert changed and all(n.endswith(".xml") for n in changed)
    journal_rows = [r for r in journal.iter_rows(values_only=True) if r[1] == "Actualiser les synthèses"]
    assert len(journal_rows) == 2
    for name in sorted(changed):
        assert name.startswith(("xl/worksheets/", "docProps/", "xl/workbook.xml")), name


def test_committee_writes_one_sheet_to_out_and_leaves_the_source(cli, demo_workbook, tmp_path):
    out = tmp_path / "copil.xlsx"
    source_bytes = demo_workbook.read_bytes()
    result = cli("committee", demo_workbook, "copil", "--period", "2025", "--as-of", AS_OF, "--out", out)
    assert result.exit_code == 0, result.stderr
    assert demo_workbook.read_bytes() == source_bytes
    assert "COPIL 2025" in load_workbook(out).sheetnames
    wrong = cli("committee", demo_workbook, "comite", "--as-of", AS_OF)
    assert wrong.exit_code == 2 and "« comite » n'est pas un comité" in wrong.stderr and "copil" in wrong.stderr


def workbook_with_an_error(path):
    porteur = dict(id="P1", nom="Martin", prenom="Awa", quartier="Lune", date_premier_contact=date(2026, 3, 12),
                   statut="Accueil", consentement=True)
    build_workbook({"porteurs": [porteur]}).save(path)
    return path


def test_refresh_and_committee_exit_1_after_writing_when_the_data_hold_errors(cli, tmp_path):
    path = workbook_with_an_error(tmp_path / "erreurs.xlsx")
    refreshed = cli("refresh", path, "--as-of", AS_OF)
    assert refreshed.exit_code == 1, refreshed.stderr
    assert "1 erreur(s)" in refreshed.stderr
    assert {"Anomalies", "Synthèse 2026-11", "Journal"} <= set(load_workbook(path).sheetnames)
    copil = cli("committee", path, "copil", "--as-of", AS_OF)
    assert copil.exit_code == 1, copil.stderr
    assert "COPIL 2026" in load_workbook(path).sheetnames


def test_export_command_writes_a_values_only_workbook_beside(cli, demo_workbook, tmp_path):
    out = tmp_path / "agglo.xlsx"
    result = cli("export", demo_workbook, out, "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    wb = load_workbook(out)
    assert wb.sheetnames == ["Lisez-moi", "Indicateurs", "Mensuel", "Profil", "Créations", "Financement",
                             "Données longues"]
    readme = " ".join(str(c) for row in wb["Lisez-moi"].iter_rows(values_only=True) for c in row if c)
    assert "01/01/2026" in readme  # the default period: the year so far
    same = cli("export", demo_workbook, demo_workbook, "--as-of", AS_OF)
    assert same.exit_code == 2 and same.stderr.strip()


def test_purge_list_lists_old_records_and_deletes_nothing(cli, tmp_path):
    path = tmp_path / "vieux.xlsx"
    rows = {"porteurs": [
        {"id": "P1", "nom": "Ancien", "prenom": "Dossier", "quartier": "Planoise",
         "date_premier_contact": date(2015, 3, 2), "statut": "Abandon", "consentement": True},
        {"id": "P2", "nom": "Récent", "prenom": "Dossier", "quartier": "Battant",
         "date_premier_contact": date(2026, 3, 2), "statut": "Accueil", "consentement": True},
    ]}
    build_workbook(rows).save(path)
    before = path.read_bytes()
    result = cli("purge-list", path, "--as-of", AS_OF, "--json")
    assert result.exit_code == 0, result.stderr
    assert [(r["id"], r["dernier_contact"]) for r in json.loads(result.stdout)] == [("P1", "2015-03-02")]
    assert "1 dossier(s) au-delà de 3 an(s)" in result.stderr
    assert path.read_bytes() == before
