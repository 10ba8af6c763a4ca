"""The command line: a thin door over the Python API (interfaces.md › Command line)."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from citeslab_xl import api
from citeslab_xl.errors import CitesLabError

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="CitésLab : vérifier le classeur, calculer les indicateurs, préparer les synthèses.")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def fail(message: str, code: int = 2) -> None:
    err.print(message, markup=False, highlight=False)
    raise typer.Exit(code)


def parse_as_of(text: Optional[str]) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--as-of « {text} » : tapez une date au format AAAA-MM-JJ, par exemple 2026-11-26.")


@contextmanager
def refusals():
    """Every refusal of the engine becomes its French sentence and its exit code."""
    try:
        yield
    except CitesLabError as exc:
        fail(exc.message, exc.exit_code)


@contextmanager
def working(message: str):
    """A spinner on a terminal, nothing when the output is piped."""
    if err.is_terminal:
        with err.status(message):
            yield
    else:
        yield


@app.command()
def template(out_path: Path = typer.Argument(..., metavar="OUT.xlsx", help="Le classeur à créer.")):
    """Écrit le classeur géré, vide (le même que workbooks/template.xlsx)."""
    with refusals():
        api.write_template(out_path)
    err.print(f"Classeur créé : {out_path}", markup=False)


@app.command()
def check(
    workbook: Path = typer.Argument(..., metavar="CLASSEUR", help="Le classeur .xlsx ou .xlsm à vérifier."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Date du jour des calculs (AAAA-MM-JJ)."),
    as_json: bool = typer.Option(False, "--json", help="Écrit les anomalies en JSON."),
):
    """Vérifie chaque ligne ; code de sortie 0 sans erreur, 1 avec erreurs, 2 fichier inutilisable."""
    day = parse_as_of(as_of)
    with refusals(), working("Lecture et vérification du classeur…"):
        dataset = api.check_file(workbook, day)
    if as_json:
        json.dump([a.to_json() for a in dataset.anomalies], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        print_anomalies(dataset.anomalies)
    errors, warnings = len(dataset.errors), len(dataset.warnings)
    err.print(f"{errors} erreur(s), {warnings} avertissement(s).", markup=False)
    raise typer.Exit(1 if errors else 0)


def print_anomalies(anomalies) -> None:
    if not anomalies:
        out.print("Aucune anomalie.", markup=False)
        return
    if not out.is_terminal:
        for a in anomalies:
            where = f"{a.feuille}!{a.cellule}" if a.cellule else a.feuille
            out.print(f"{a.gravite.value}\t{where}\t{a.code}\t{a.message}", markup=False, highlight=False)
        return
    table = Table("Gravité", "Feuille", "Cellule", "Colonne", "Valeur", "Message", "Code", show_lines=False)
    for a in anomalies:
        table.add_row(a.gravite.value, a.feuille, a.cellule or "", a.colonne or "", a.valeur or "", a.message, a.code)
    out.print(table, markup=False, highlight=False)


def main() -> None:
    app()
