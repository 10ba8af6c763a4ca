"""Typed refusals: what the tool will not do, said in French, with the exit code of interfaces.md."""

from __future__ import annotations

from datetime import date

import pytest
from typer.testing import CliRunner

from citeslab_xl.core.errors import CitesLabError, RequestRefused, UnusableWorkbook, WriteRefused
from citeslab_xl.core.periods import parse_period
from citeslab_xl.demo import generate
from citeslab_xl.doors.cli import app


@pytest.mark.parametrize("refusal", [UnusableWorkbook, WriteRefused, RequestRefused])
def test_every_refusal_carries_its_sentence_and_exit_code_2(refusal):
    args = ("Phrase pour l'utilisateur.",) + (("period",) if refusal is RequestRefused else ())
    raised = refusal(*args)
    assert isinstance(raised, CitesLabError)
    assert (raised.message, str(raised), raised.exit_code) == ("Phrase pour l'utilisateur.",) * 2 + (2,)


def test_a_refused_period_names_the_option_refused():
    with pytest.raises(RequestRefused) as refused:
        parse_period("2026-13")
    assert refused.value.field == "period"
    assert isinstance(refused.value, ValueError)  # callers that caught ValueError still do


@pytest.mark.parametrize(("kwargs", "field", "words"), [
    (dict(people_per_year=0), "people", "au moins 1"),
    (dict(errors=1.5), "errors", "taux d'erreurs"),
    (dict(as_of=date(2004, 12, 31)), "as_of", "postérieure au 01/01/2005"),
])
def test_a_refused_demo_says_which_parameter(kwargs, field, words):
    with pytest.raises(RequestRefused) as refused:
        generate(**kwargs)
    assert refused.value.field == field and words in refused.value.message


@pytest.mark.parametrize("args", [
    ["demo", "{out}", "--errors", "2"],
    ["demo", "{out}", "--people", "0"],
])
def test_the_command_line_turns_a_refused_demo_into_its_sentence_and_exit_2(tmp_path, args):
    out = tmp_path / "demo.xlsx"
    result = CliRunner().invoke(app, [a.format(out=out) for a in args])
    assert result.exit_code == 2, result.output
    option = "--errors" if "--errors" in args else "--people, --years"
    assert result.stderr.startswith(f"{option} : Le ") and "Traceback" not in result.stderr
    assert not out.exists()


def test_the_command_line_names_the_refused_period(tmp_path):
    result = CliRunner().invoke(app, ["indicators", str(tmp_path / "absent.xlsx"), "--period", "2026-13"])
    assert result.exit_code == 2
    assert "Erreur : --period « 2026-13 » : le mois doit être entre 01 et 12" in result.stderr
