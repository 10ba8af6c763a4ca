"""French everywhere a user of the command line reads: help pages, usage lines, usage errors (issue 10 › 5)."""

from __future__ import annotations

import re

import pytest
import typer
from conftest import run_cli

from citeslab_xl.doors import french
from citeslab_xl.doors.cli import app

GROUP = typer.main.get_command(app)
COMMANDS = sorted(GROUP.commands)
# Click's and Typer's own English words, as they would show through.
ENGLISH = re.compile(r"Usage:|Options:|Commands:|Arguments:|Show this message|\[required\]|default:|Error|Missing|"
                     r"No such|Invalid value|Try '|Did you mean|does not|requires|<path>|<str>|<int>|<float>|"
                     r"\bCOMMAND\b|\bARGS\b")


def assert_french(text: str) -> None:
    assert not ENGLISH.search(text), ENGLISH.search(text)


def test_the_main_help_is_in_french(cli):
    result = cli("--help")
    assert result.exit_code == 0
    assert result.stdout.startswith("Utilisation : citeslab-xl [OPTIONS] COMMANDE [ARGUMENTS]...")
    for heading in ("Options :", "Commandes :", "--help  Affiche cette aide, puis s'arrête."):
        assert heading in result.stdout
    assert all(name in result.stdout for name in COMMANDS)
    assert_french(result.stdout)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_help_is_in_french(cli, name):
    result = cli(name, "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Utilisation : citeslab-xl {name} [OPTIONS]")
    assert "Arguments :" in result.stdout and "Options :" in result.stdout
    assert_french(result.stdout)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_parameter_says_what_it_is_in_french(name):
    for param in GROUP.commands[name].params:
        assert param.help, (name, param.name)
        assert param.param_type_name != "option" or param.is_flag or param.metavar, (name, param.opts)


def test_a_required_option_and_a_default_are_said_in_french(cli):
    indicators = cli("indicators", "--help").stdout
    assert re.search(r"--period PÉRIODE\s+AAAA-MM \(un mois\), AAAA-Tn \(un trimestre\) ou AAAA \(une\s+année\)\."
                     r"\s+\[obligatoire\]", indicators), indicators
    assert "[défaut\u00a0: 400]" in cli("demo", "--help").stdout


@pytest.mark.parametrize(("args", "said"), [
    (("check",), "il manque l'argument CLASSEUR : le classeur de suivi (.xlsx ou .xlsm)."),
    (("indicators", "suivi.xlsx"), "il manque l'option --period : AAAA-MM (un mois), AAAA-Tn (un trimestre) ou AAAA "
                                   "(une année)."),
    (("committee", "suivi.xlsx"), "il manque l'argument copil|cotech : copil : comité de pilotage"),
    (("check", "suivi.xlsx", "--bogus"), "l'option --bogus n'existe pas pour cette commande."),
    (("check", "suivi.xlsx", "--as-off", "2026-01-01"), "l'option --as-off n'existe pas pour cette commande. "
                                                        "Vouliez-vous dire --as-of ?"),
    (("check", "suivi.xlsx", "--as-of"), "l'option --as-of attend une valeur (AAAA-MM-JJ)."),
    (("check", "suivi.xlsx", "--json=oui"), "l'option --json ne prend pas de valeur."),
    (("check", "un.xlsx", "deux.xlsx"), "argument(s) en trop : deux.xlsx."),
    (("chek", "suivi.xlsx"), "la commande « chek » n'existe pas. Vouliez-vous dire « check » ?"),
    (("vérifier",), "la commande « vérifier » n'existe pas."),
    (("check", "suivi.xlsx", "--as-of", "26/11/2026"), "--as-of « 26/11/2026 » : tapez une date au format "
                                                       "AAAA-MM-JJ"),
    (("refresh", "suivi.xlsx", "--month", "novembre"), "--month « novembre » n'est pas une période reconnue"),
    (("demo", "demo.xlsx", "--people", "beaucoup"), "--people « beaucoup » : tapez un nombre entier"),
    (("demo", "demo.xlsx", "--errors", "cinq"), "--errors « cinq » : tapez une part entre 0 et 1"),
], ids=lambda value: " ".join(value) if isinstance(value, tuple) else None)
def test_a_usage_error_says_in_french_what_is_wrong_and_names_the_option(cli, args, said):
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"Erreur : {said}" in result.stderr, result.stderr
    assert_french(result.stderr)


def test_a_usage_error_shows_the_usage_line_and_where_help_is(cli):
    result = cli("check")
    assert result.stderr.splitlines()[:2] == ["Utilisation : citeslab-xl check [OPTIONS] {CLASSEUR}",
                                              "Aide : citeslab-xl check --help"]


def test_no_command_at_all_shows_the_french_help(cli):
    result = cli()
    assert result.exit_code == 2
    assert result.stderr.startswith("Utilisation : citeslab-xl") and "Commandes :" in result.stderr


def test_a_value_refused_by_typer_itself_is_still_said_in_french():
    option = GROUP.commands["check"].params[1]
    message = french.error_message(typer.BadParameter("Input should be a valid date", param=option))
    assert message == "la valeur donnée à --as-of n'est pas reconnue ; voyez l'aide ci-dessus."


def test_the_french_keeps_the_decimal_comma_a_user_may_type(cli, tmp_path):
    result = cli("demo", tmp_path / "demo.xlsx", "--people", "5", "--years", "1", "--errors", "0,5",
                 "--as-of", "2026-11-26")
    assert result.exit_code == 0, result.stderr


def test_run_cli_is_the_real_entry_point():
    assert GROUP.__class__ is french.FrenchGroup
    assert all(isinstance(command, french.FrenchCommand) for command in GROUP.commands.values())
    assert run_cli("--help").exit_code == 0
