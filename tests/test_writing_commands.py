"""The commands that write follow the file-writing policy (interfaces.md › Every file the tool writes).

`template` and `demo` never replace a file; `refresh` and `committee` on the workbook hold its lock from the
read to the write, so that two runs never write it at once.
"""

from __future__ import annotations

import pytest
from conftest import AS_OF, run_process
from openpyxl import load_workbook

from citeslab_xl.adapters import files

CREATING = [("template",), ("demo", "--people", "20", "--years", "1", "--as-of", str(AS_OF))]


def listing(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir()}


@pytest.mark.parametrize("command", CREATING, ids=lambda c: c[0])
def test_a_filled_workbook_is_never_replaced(cli, demo_copy, command):
    (demo_copy.parent / f"~${demo_copy.name}").write_bytes(b"Excel has it open")
    before = listing(demo_copy.parent)
    result = cli(command[0], demo_copy, *command[1:])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{demo_copy} existe déjà : l'outil ne remplace pas un fichier existant")
    assert listing(demo_copy.parent) == before  # byte-identical, and nothing left beside it


@pytest.mark.parametrize("command", CREATING, ids=lambda c: c[0])
@pytest.mark.parametrize(("target", "said"), [
    ("dossier.xlsx", "dossier.xlsx est un dossier"),
    ("absent/suivi.xlsx", "Le dossier absent n'existe pas"),
    ("suivi.csv", "suivi.csv : le fichier à écrire doit se terminer par « .xlsx »"),
])
def test_a_place_that_cannot_take_the_file_is_refused_with_the_path_as_typed(cli, tmp_path, monkeypatch, command,
                                                                              target, said):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dossier.xlsx").mkdir()
    result = cli(command[0], target, *command[1:])
    assert result.exit_code == 2
    assert result.stderr.startswith(said), result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["dossier.xlsx"] and not any((tmp_path / "dossier.xlsx").iterdir())


def test_template_and_demo_create_new_workbooks(cli, tmp_path):
    made = cli("template", tmp_path / "vide.xlsx")
    assert made.exit_code == 0 and made.stderr.startswith("Classeur créé : ")
    demo = cli("demo", tmp_path / "demo.xlsx", *CREATING[1][1:])
    assert demo.exit_code == 0, demo.stderr
    assert "Porteurs" in load_workbook(tmp_path / "vide.xlsx").sheetnames
    assert cli("check", tmp_path / "demo.xlsx", "--as-of", AS_OF).exit_code == 0


def test_a_demo_with_impossible_parameters_names_the_option_and_writes_nothing(cli, tmp_path):
    result = cli("demo", tmp_path / "demo.xlsx", "--errors", "1.5", "--as-of", AS_OF)
    assert result.exit_code == 2
    assert result.stderr.startswith("--errors : Le taux d'erreurs doit être compris entre 0 et 1")
    assert list(tmp_path.iterdir()) == []


def test_a_refresh_while_another_run_writes_the_workbook_waits_then_refuses(cli, demo_copy):
    before = demo_copy.read_bytes()
    with files.workbook_lock(demo_copy):  # another run, holding the workbook
        result = cli("refresh", demo_copy, "--as-of", AS_OF)
    assert result.exit_code == 2
    assert "est déjà en cours de mise à jour par une autre exécution de l'outil" in result.stderr
    assert demo_copy.read_bytes() == before
    assert cli("refresh", demo_copy, "--as-of", AS_OF).exit_code == 0  # once it is done, the next run writes


def test_a_folder_given_as_the_template_ends_in_a_french_line_not_a_traceback(tmp_path):
    (tmp_path / "modèle.xlsx").mkdir()
    run = run_process("template", tmp_path / "modèle.xlsx")
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "est un dossier" in run.stderr and "Traceback" not in run.stderr


@pytest.mark.parametrize("command", [("refresh",), ("committee", "copil")], ids=lambda c: c[0])
def test_an_existing_copy_target_is_refused_before_the_workbook_is_read(cli, tmp_path, command):
    # the source is not even a workbook: a refusal that names the target proves nothing was read or computed
    source, target = tmp_path / "suivi.xlsx", tmp_path / "copie.xlsx"
    source.write_bytes(b"not a zip")
    target.write_bytes(b"hers")
    result = cli(command[0], source, *command[1:], "--out", target, "--as-of", AS_OF)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{target} existe déjà"), result.stderr
    assert target.read_bytes() == b"hers"
