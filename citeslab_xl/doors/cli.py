"""The command line: a thin door over the Python API (interfaces.md › Command line)."""

from __future__ import annotations

import json
import re
import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from citeslab_xl.core.errors import CitesLabError
from citeslab_xl.doors import api

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="CitésLab : vérifier le classeur, calculer les indicateurs, préparer les synthèses.")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def fail(message: str, code: int = 2) -> None:
    err.print(message, markup=False, highlight=False)
    raise typer.Exit(code)


def parse_as_of(text: str | None) -> date:
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
    as_of: str | None = typer.Option(None, "--as-of", help="Date du jour des calculs (AAAA-MM-JJ)."),
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


@app.command()
def demo(
    out_path: Path = typer.Argument(..., metavar="OUT.xlsx", help="Le classeur de démonstration à créer."),
    people: int = typer.Option(400, "--people", help="Nouveaux porteurs par an."),
    years: int = typer.Option(3, "--years", help="Nombre d'années d'activité."),
    seed: int = typer.Option(0, "--seed", help="Graine : la même graine donne le même classeur."),
    errors: float = typer.Option(0.0, "--errors", help="Part des lignes à fausser volontairement (0 à 1)."),
    as_of: str | None = typer.Option(None, "--as-of", help="Date du jour des données (AAAA-MM-JJ)."),
):
    """Crée un classeur de démonstration réaliste (noms fictifs, quartiers de Besançon)."""
    from citeslab_xl.demo import write_demo

    day = parse_as_of(as_of)
    try:
        with working("Création du classeur de démonstration…"):
            data = write_demo(out_path, people=people, years=years, seed=seed, errors=errors, as_of=day)
    except ValueError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{out_path} : écriture impossible ({exc.strerror}) ; choisissez un autre dossier.")
    err.print(f"Classeur de démonstration créé : {out_path} ({data.row_count} lignes, "
              f"{len(data.spoiled)} erreur(s) volontaire(s)).", markup=False)


@app.command()
def indicators(
    workbook: Path = typer.Argument(..., metavar="CLASSEUR"),
    period: str = typer.Option(..., "--period", help="AAAA-MM, AAAA-Tn ou AAAA."),
    as_of: str | None = typer.Option(None, "--as-of", help="Date du jour des calculs (AAAA-MM-JJ)."),
    as_json: bool = typer.Option(False, "--json", help="Écrit les indicateurs en JSON."),
):
    """Les indicateurs d'une période (indicators.md)."""
    from citeslab_xl.core import indicators as ind
    from citeslab_xl.core.periods import parse_period

    day = parse_as_of(as_of)
    try:
        chosen = parse_period(period)
    except ValueError as exc:
        fail(f"--period : {exc}")
    with refusals(), working("Calcul des indicateurs…"):
        figures = ind.compute(api.check_file(workbook, day), chosen, day)
    if as_json:
        json.dump(figures, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        print_figures(figures, f"Indicateurs — {chosen.titre} (au {day:%d/%m/%Y})")


@app.command()
def funding(
    workbook: Path = typer.Argument(..., metavar="CLASSEUR"),
    as_json: bool = typer.Option(False, "--json", help="Écrit la répartition en JSON."),
):
    """La répartition du coût du poste entre financeurs ; code 1 si une ligne dépasse 100 %."""
    from citeslab_xl.core import funding as fund

    with refusals():
        dataset = api.check_file(workbook, date.today())
    split = fund.split_funding(dataset)
    if as_json:
        json.dump(split.to_json(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        print_funding(split)
    in_error = [a for a in dataset.errors if a.feuille == dataset.sheet_names.get("financement")]
    for anomaly in in_error:
        err.print(f"{anomaly.feuille}!{anomaly.cellule} : {anomaly.message}", markup=False)
    raise typer.Exit(1 if in_error else 0)


def _period_option(text: str | None):
    from citeslab_xl.core.periods import parse_period

    if text is None:
        return None
    try:
        return parse_period(text)
    except ValueError as exc:
        fail(f"--period : {exc}")


def _report_written(report) -> None:
    err.print(f"{report.path} : {len(report.sheets)} feuille(s) écrite(s) ({', '.join(report.sheets)}) ; "
              f"{report.errors} erreur(s), {report.warnings} avertissement(s) dans les données."
              + (f" Version précédente gardée : {report.backup.name}." if report.backup else ""), markup=False)


@app.command()
def refresh(
    workbook: Path = typer.Argument(..., metavar="CLASSEUR"),
    as_of: str | None = typer.Option(None, "--as-of", help="Date du jour des calculs (AAAA-MM-JJ)."),
    month: str | None = typer.Option(None, "--month", help="Un mois à (re)faire : AAAA-MM."),
    rebuild: bool = typer.Option(False, "--rebuild", help="Refait aussi les synthèses de mois clos."),
    out_path: Path | None = typer.Option(None, "--out", help="Écrit dans ce fichier au lieu du classeur."),
):
    """Vérifie, puis refait les feuilles générées qui sont dues (bouton « Actualiser les synthèses »)."""
    day = parse_as_of(as_of)
    chosen = _period_option(month)
    if chosen is not None and not re.fullmatch(r"\d{4}-\d{2}", chosen.label):
        fail(f"--month « {month} » : tapez un mois, par exemple 2026-10.")
    with refusals(), working("Actualisation des synthèses…"):
        report = api.refresh(workbook, day, chosen, rebuild, out_path)
    _report_written(report)


@app.command()
def committee(
    workbook: Path = typer.Argument(..., metavar="CLASSEUR"),
    kind: str = typer.Argument(..., metavar="copil|cotech"),
    period: str | None = typer.Option(None, "--period", help="AAAA pour le COPIL, AAAA-Tn pour le COTECH."),
    as_of: str | None = typer.Option(None, "--as-of", help="Date du jour des calculs (AAAA-MM-JJ)."),
    out_path: Path | None = typer.Option(None, "--out", help="Écrit dans ce fichier au lieu du classeur."),
):
    """Prépare la feuille d'un comité : COPIL AAAA ou COTECH AAAA-Tn."""
    if kind not in ("copil", "cotech"):
        fail(f"« {kind} » : tapez copil (comité de pilotage) ou cotech (comité technique).")
    day = parse_as_of(as_of)
    chosen = _period_option(period)
    with refusals(), working("Préparation de la feuille du comité…"):
        report = api.committee(workbook, kind, chosen, day, out_path)
    _report_written(report)


@app.command()
def export(
    workbook: Path = typer.Argument(..., metavar="CLASSEUR"),
    out_path: Path = typer.Argument(..., metavar="OUT.xlsx", help="Le classeur à transmettre à l'agglomération."),
    period: str | None = typer.Option(None, "--period", help="AAAA-MM, AAAA-Tn ou AAAA (défaut : l'année en cours)."),
    as_of: str | None = typer.Option(None, "--as-of", help="Date du jour des calculs (AAAA-MM-JJ)."),
):
    """Écrit le classeur agrégé, sans donnée personnelle, pour l'agglomération."""
    day = parse_as_of(as_of)
    chosen = _period_option(period)
    with refusals(), working("Préparation de l'export…"):
        written = api.export(workbook, out_path, chosen, day)
    err.print(f"Export écrit : {written} (aucune donnée personnelle ; petits effectifs masqués).", markup=False)


@app.command("purge-list")
def purge_list(
    workbook: Path = typer.Argument(..., metavar="CLASSEUR"),
    as_of: str | None = typer.Option(None, "--as-of", help="Date du jour des calculs (AAAA-MM-JJ)."),
    as_json: bool = typer.Option(False, "--json", help="Écrit la liste en JSON."),
):
    """Liste (sans rien supprimer) les dossiers gardés au-delà de la durée de conservation."""
    from citeslab_xl.core.purge import HEADERS
    from citeslab_xl.core.purge import purge_list as records_past_retention

    day = parse_as_of(as_of)
    with refusals(), working("Recherche des dossiers à purger…"):
        dataset = api.check_file(workbook, day)
    rows = records_past_retention(dataset)
    if as_json:
        json.dump([r.to_json() for r in rows], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    elif out.is_terminal:
        table = Table(*HEADERS, title="Dossiers au-delà de la durée de conservation", title_justify="left")
        for row in rows:
            table.add_row(*["" if v is None else str(v) for v in row.values()])
        out.print(table)
    else:
        for row in rows:
            print("\t".join("" if v is None else str(v) for v in row.values()))
    err.print(f"{len(rows)} dossier(s) au-delà de {dataset.settings.duree_conservation} an(s) de conservation : "
              "anonymisez-les ou supprimez-les dans le classeur (l'outil ne supprime rien).", markup=False)


@app.command("build-workbook")
def build_workbook_command(
    out_path: Path = typer.Argument(..., metavar="OUT.xlsm", help="Le classeur à macros à créer (il ne doit pas exister)."),
):
    """Crée le classeur à macros : le modèle, les boutons sur Accueil et le code VBA qui les relie à Python."""
    from citeslab_xl.adapters.macro_workbook import build_macro_workbook

    with refusals():
        build_macro_workbook(out_path)
    err.print(f"Classeur à macros créé : {out_path}. Ouvrez-le dans Excel et activez les macros "
              "(voir macros/README.md).", markup=False)


def _plain(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}".replace(".", ",")
    return str(value).replace(".", ",") if not isinstance(value, str) else value


def print_figures(figures: dict, title: str) -> None:
    from citeslab_xl.core.indicators import LABELS

    scalars = Table("Indicateur", "Valeur", title=title, title_justify="left")
    nested = []
    for key, value in figures.items():
        if isinstance(value, dict):
            nested.append((key, value))
        else:
            scalars.add_row(LABELS.get(key, key), _plain(value))
    out.print(scalars)
    for key, value in nested:
        table = Table(LABELS.get(key, key), "Valeur", title_justify="left")
        for sub, figure in value.items():
            shown = ", ".join(f"{k} {_plain(v)}" for k, v in figure.items()) if isinstance(figure, dict) else _plain(figure)
            table.add_row(str(sub), shown)
        out.print(table)


def print_funding(split) -> None:
    table = Table("Année", "Poste", "Coût", *split.funders, "Reste à charge", title="Répartition du financement",
                  title_justify="left")
    for row in split.split_rows:
        table.add_row(str(row.annee), row.poste, f"{row.cout:.2f}", *[f"{row.parts[f]:.2f}" for f in split.funders],
                      f"{row.reste_a_charge:.2f}")
    out.print(table)


def print_anomalies(anomalies) -> None:
    if not anomalies:
        out.print("Aucune anomalie.", markup=False)
        return
    if not out.is_terminal:
        for a in anomalies:
            where = f"{a.feuille}!{a.cellule}" if a.cellule else a.feuille
            print(f"{a.gravite.value}\t{where}\t{a.code}\t{a.message}")
        return
    table = Table("Gravité", "Feuille", "Cellule", "Colonne", "Valeur", "Message", "Code", show_lines=False)
    for a in anomalies:
        table.add_row(a.gravite.value, a.feuille, a.cellule or "", a.colonne or "", a.valeur or "", a.message, a.code)
    out.print(table, markup=False, highlight=False)


def main() -> None:
    app()
