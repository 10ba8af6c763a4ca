"""`citeslab-xl check` as the person who looks after the tool runs it (interfaces.md › Command line)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from conftest import run_cli, run_process

from citeslab_xl.adapters.template import build_workbook

FIELDS = {"code", "gravite", "feuille", "ligne", "colonne", "cellule", "valeur", "message"}

PORTEURS = [
    dict(id="P1", nom="Martin", prenom="Awa", quartier="Planoise", date_premier_contact=date(2025, 3, 12),
         statut="Accueil", consentement=True),
    dict(id="P2", nom="Durand", prenom="Léo", quartier="Hors QPV", date_premier_contact=date(2025, 4, 2),
         statut="Accueil", consentement=True),
]
RENDEZ_VOUS = [dict(date=date(2025, 3, 12), id_porteur="P1", type="Premier accueil")]  # P2 has none: a warning


def check(path: Path, *args: str):
    return run_cli("check", path, *args)


def save(path: Path, porteurs=PORTEURS, rendez_vous=RENDEZ_VOUS) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    build_workbook({"porteurs": porteurs, "rendez_vous": rendez_vous}).save(path)
    return path


@pytest.fixture
def with_warning(tmp_path) -> Path:
    return save(tmp_path / "dossier" / "classeur.xlsx")


@pytest.fixture
def with_error(tmp_path) -> Path:
    porteurs = [PORTEURS[0], dict(PORTEURS[1], quartier="Lune", consentement="peut-être")]
    return save(tmp_path / "dossier" / "erreurs.xlsx", porteurs)


def test_clean_workbook_with_warnings_exits_0(with_warning):
    run = check(with_warning, "--as-of", "2025-06-30")
    assert run.exit_code == 0, run.stderr
    assert "porteur-no-rdv" in run.stdout
    assert "Porteurs!A3" in run.stdout
    assert "0 erreur(s), 1 avertissement(s)." in run.stderr


def test_workbook_without_anomaly_says_so(tmp_path):
    path = save(tmp_path / "propre.xlsx", rendez_vous=RENDEZ_VOUS + [dict(RENDEZ_VOUS[0], id_porteur="P2")])
    run = check(path, "--as-of", "2025-06-30")
    assert run.exit_code == 0, run.stderr
    assert run.stdout.strip() == "Aucune anomalie."
    assert "0 erreur(s), 0 avertissement(s)." in run.stderr


def test_errors_in_the_data_exit_1(with_error):
    run = check(with_error, "--as-of", "2025-06-30")
    assert run.exit_code == 1, run.stderr
    lines = [line.split(maxsplit=3) for line in run.stdout.splitlines()]
    assert ["Erreur", "Porteurs!F3", "list-unknown"] in [line[:3] for line in lines], run.stdout
    assert ["Erreur", "Porteurs!V3", "ouinon-invalid"] in [line[:3] for line in lines], run.stdout
    assert "2 erreur(s)" in run.stderr


def test_the_as_of_date_is_the_day_of_the_checks(with_warning):
    run = check(with_warning, "--as-of", "2025-04-01")
    assert run.exit_code == 1
    assert "date-future" in run.stdout and "Porteurs!J3" in run.stdout


def test_unusable_workbook_exits_2(tmp_path):
    wb = build_workbook()
    wb.remove(wb["Porteurs"])
    path = tmp_path / "sans_porteurs.xlsx"
    wb.save(path)
    run = run_process("check", path, cwd=tmp_path)
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.strip().startswith("sans_porteurs.xlsx : aucune feuille « Porteurs »")
    assert "Traceback" not in run.stderr


def test_missing_file_exits_2(tmp_path):
    run = run_process("check", "absent.xlsx", cwd=tmp_path)
    assert run.returncode == 2
    assert "absent.xlsx" in run.stderr and "introuvable" in run.stderr
    assert "Traceback" not in run.stderr


def test_json_lists_every_anomaly_with_its_fields(with_error):
    run = check(with_error, "--as-of", "2025-06-30", "--json")
    assert run.exit_code == 1
    anomalies = json.loads(run.stdout)
    assert isinstance(anomalies, list) and anomalies
    assert all(set(a) == FIELDS for a in anomalies)
    by_code = {a["code"]: a for a in anomalies}
    assert by_code["list-unknown"] == {
        "code": "list-unknown", "gravite": "Erreur", "feuille": "Porteurs", "ligne": 3, "colonne": "Quartier",
        "cellule": "F3", "valeur": "Lune", "message": by_code["list-unknown"]["message"]}
    assert "Lune" in by_code["list-unknown"]["message"]
    assert by_code["porteur-no-rdv"]["gravite"] == "Avertissement"
    assert by_code["ouinon-invalid"]["valeur"] == "peut-être"


def test_json_of_a_workbook_without_anomaly_is_an_empty_list(tmp_path):
    path = save(tmp_path / "propre.xlsx", rendez_vous=RENDEZ_VOUS + [dict(RENDEZ_VOUS[0], id_porteur="P2")])
    run = check(path, "--as-of", "2025-06-30", "--json")
    assert run.exit_code == 0
    assert json.loads(run.stdout) == []


def test_messages_go_to_stderr_and_only_json_to_stdout(with_warning):
    run = check(with_warning, "--as-of", "2025-06-30", "--json")
    json.loads(run.stdout)
    assert "avertissement" not in run.stdout
    assert "1 avertissement(s)" in run.stderr


@pytest.mark.parametrize("bad", ["31/12/2025", "2025-13-01", "demain", ""])
def test_bad_as_of_exits_2_with_a_french_message(with_warning, bad):
    run = check(with_warning, "--as-of", bad)
    assert run.exit_code == 2
    assert run.stdout == ""
    assert "AAAA-MM-JJ" in run.stderr and f"« {bad} »" in run.stderr
    assert "Traceback" not in run.stderr


def test_check_writes_nothing(with_error):
    folder = with_error.parent
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    for args in ((), ("--json",), ("--as-of", "2025-06-30")):
        check(with_error, *args)
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    assert after == before


def test_a_folder_is_not_a_workbook(tmp_path):
    run = check(tmp_path)
    assert run.exit_code == 2
    assert tmp_path.name in run.stderr and "Traceback" not in run.stderr
