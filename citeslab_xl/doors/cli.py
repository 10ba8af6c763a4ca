"""The command line: a thin door over the Python API (interfaces.md › Command line).

Each command parses its arguments (the shared options are declared once, below), makes one call to
`citeslab_xl.doors.api` and prints what it returns: tables on stdout, `--json` on stdout, messages on stderr.
A refusal of the engine becomes its French sentence and its exit code; Typer's own words (help pages, usage
errors) are French too (`citeslab_xl.doors.french`). Nothing heavy is imported before a command runs, so that
`citeslab-xl --help` answers at once.
"""

from __future__ import annotations

import importlib
import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from citeslab_xl.core import periods
from citeslab_xl.core.errors import CitesLabError, RequestRefused
from citeslab_xl.core.periods import Period
from citeslab_xl.doors.french import FrenchCommand, FrenchGroup, ValueRefused

if TYPE_CHECKING:
    from rich.console import Console

    from citeslab_xl.doors import api
else:
    class _Deferred:
        """The API module, imported at its first use: `--help` and usage errors need none of the engine."""

        def __getattr__(self, name: str) -> Any:
            return getattr(importlib.import_module("citeslab_xl.doors.api"), name)

    api = _Deferred()

app = typer.Typer(cls=FrenchGroup, add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="CitésLab : vérifier le classeur, calculer les indicateurs, préparer les synthèses.")


@cache
def _console(stderr: bool) -> Console:
    from rich.console import Console  # made at first use: rich's console is a fifth of `--help`'s start-up

    return Console(stderr=stderr, soft_wrap=True)


def out() -> Console:
    return _console(False)


def err() -> Console:
    return _console(True)


# The option that says what a refusal of the engine (`RequestRefused.field`) is about.
FIELD_OPTIONS = {"as_of": "--as-of", "period": "--period", "month": "--month", "people": "--people, --years",
                 "errors": "--errors"}


def command(name: str | None = None) -> Any:
    return app.command(name, cls=FrenchCommand)


# --- parsing: one parser per kind of value, each refusing in French --------------------------

def parse_day(text: str) -> date:
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
            return date.fromisoformat(text.strip())
    except ValueError:
        pass
    raise ValueRefused(f"« {text} » : tapez une date au format AAAA-MM-JJ, par exemple {date.today():%Y-%m-%d}.")


def parse_period(text: str) -> Period:
    try:
        return periods.parse_period(text)
    except RequestRefused as exc:
        raise ValueRefused(exc.message) from None


def parse_count(text: str) -> int:
    try:
        return int(str(text).strip())
    except ValueError:
        raise ValueRefused(f"« {text} » : tapez un nombre entier, par exemple 400.") from None


def parse_share(text: str) -> float:
    try:
        return float(str(text).strip().replace(",", "."))
    except ValueError:
        raise ValueRefused(f"« {text} » : tapez une part entre 0 et 1, par exemple 0.05 pour 5 %.") from None


_PERIOD = typer.Option("--period", metavar="PÉRIODE", parser=parse_period,
                       help="AAAA-MM (un mois), AAAA-Tn (un trimestre) ou AAAA (une année).")
Workbook = Annotated[Path, typer.Argument(metavar="CLASSEUR", show_default=False,
                                          help="Le classeur de suivi (.xlsx ou .xlsm).")]
NewFile = Annotated[Path, typer.Argument(metavar="FICHIER", show_default=False,
                                         help="Le fichier à créer (il ne doit pas exister).")]
AsOf = Annotated[date | None, typer.Option("--as-of", metavar="AAAA-MM-JJ", parser=parse_day,
                                           help="Le jour des calculs (par défaut : aujourd'hui).")]
PeriodOption = Annotated[Period | None, _PERIOD]
RequiredPeriod = Annotated[Period, _PERIOD]
Out = Annotated[Path | None, typer.Option("--out", metavar="FICHIER",
                                          help="Écrit dans ce nouveau fichier au lieu de mettre à jour le classeur.")]
AsJson = Annotated[bool, typer.Option("--json", help="Écrit le résultat en JSON sur la sortie standard.")]


# --- refusals and messages -------------------------------------------------------------

def fail(message: str, code: int = 2) -> NoReturn:
    err().print(message, markup=False, highlight=False)
    raise typer.Exit(code)


def say(message: str) -> None:
    err().print(message, markup=False, highlight=False)


@contextmanager
def refusals() -> Iterator[None]:
    """Every refusal of the engine becomes its French sentence (after the option it concerns) and its exit code."""
    try:
        yield
    except RequestRefused as exc:
        option = FIELD_OPTIONS.get(exc.field)
        fail(f"{option} : {exc.message}" if option else exc.message, exc.exit_code)
    except CitesLabError as exc:
        fail(exc.message, exc.exit_code)


@contextmanager
def working(message: str) -> Iterator[None]:
    """A spinner on a terminal, nothing when the output is piped."""
    if err().is_terminal:
        with err().status(message):
            yield
    else:
        yield


def write_json(value: object) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


# --- the commands -----------------------------------------------------------------------

@command()
def template(out_path: NewFile) -> None:
    """Écrit le classeur géré, vide (le même que workbooks/template.xlsx)."""
    with refusals():
        written = api.write_template(out_path)
    say(f"Classeur créé : {written}")


@command()
def check(workbook: Workbook, as_of: AsOf = None, as_json: AsJson = False) -> None:
    """Vérifie chaque ligne ; code de sortie 0 sans erreur, 1 avec erreurs, 2 fichier inutilisable."""
    with refusals(), working("Lecture et vérification du classeur…"):
        dataset = api.check_file(workbook, as_of)
    if as_json:
        write_json([a.to_json() for a in dataset.anomalies])
    else:
        print_anomalies(dataset.anomalies)
    errors, warnings = len(dataset.errors), len(dataset.warnings)
    say(f"{errors} erreur(s), {warnings} avertissement(s).")
    raise typer.Exit(1 if errors else 0)


@command()
def demo(
    out_path: NewFile,
    people: Annotated[int, typer.Option("--people", metavar="N", parser=parse_count,
                                        help="Nouveaux porteurs par an.")] = 400,
    years: Annotated[int, typer.Option("--years", metavar="N", parser=parse_count,
                                       help="Nombre d'années d'activité.")] = 3,
    seed: Annotated[int, typer.Option("--seed", metavar="N", parser=parse_count,
                                      help="Graine : la même graine donne le même classeur.")] = 0,
    errors: Annotated[float, typer.Option("--errors", metavar="PART", parser=parse_share,
                                          help="Part des lignes à fausser volontairement (0 à 1).")] = 0.0,
    as_of: AsOf = None,
) -> None:
    """Crée un classeur de démonstration réaliste (noms fictifs, quartiers de Besançon)."""
    with refusals(), working("Création du classeur de démonstration…"):
        data = api.write_demo(out_path, people=people, years=years, seed=seed, errors=errors, as_of=as_of)
    say(f"Classeur de démonstration créé : {out_path} ({data.row_count} lignes, "
        f"{len(data.spoiled)} erreur(s) volontaire(s)).")


@command()
def indicators(workbook: Workbook, period: RequiredPeriod, as_of: AsOf = None, as_json: AsJson = False) -> None:
    """Les indicateurs d'une période (indicators.md)."""
    with refusals(), working("Calcul des indicateurs…"):
        figures = api.indicators(workbook, period, as_of)
    if as_json:
        write_json(figures.to_json())
    else:
        print_figures(figures, f"Indicateurs — {period.titre} (au {as_of or date.today():%d/%m/%Y})")


@command()
def funding(workbook: Workbook, as_json: AsJson = False) -> None:
    """La répartition du coût du poste entre financeurs ; code 1 si une ligne dépasse 100 %."""
    with refusals():
        report = api.funding(workbook)
    if as_json:
        write_json(report.split.to_json())
    else:
        print_funding(report.split)
    for anomaly in report.in_error:
        say(f"{anomaly.feuille}!{anomaly.cellule} : {anomaly.message}")
    raise typer.Exit(1 if report.in_error else 0)


def _report_written(report: api.RunReport) -> NoReturn:
    """What was written; exit 1 when the data hold errors (a scheduled run must see them), 0 otherwise."""
    say(f"{report.path} : {len(report.sheets)} feuille(s) écrite(s) ({', '.join(report.sheets)}) ; "
        f"{report.errors} erreur(s), {report.warnings} avertissement(s) dans les données."
        + (f" Version précédente gardée : {report.backup.name}." if report.backup else ""))
    raise typer.Exit(1 if report.errors else 0)


@command()
def refresh(
    workbook: Workbook,
    as_of: AsOf = None,
    month: Annotated[Period | None, typer.Option("--month", metavar="AAAA-MM", parser=parse_period,
                                                help="Un mois à (re)faire.")] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Refait aussi les synthèses de mois clos.")] = False,
    out_path: Out = None,
) -> None:
    """Vérifie, puis refait les feuilles générées qui sont dues (bouton « Actualiser les synthèses ») ;
    code 1 si les données ont des erreurs (après écriture), 2 si rien n'a été écrit."""
    with refusals(), working("Actualisation des synthèses…"):
        report = api.refresh(workbook, as_of, month, rebuild, out_path)
    _report_written(report)


@command()
def committee(
    workbook: Workbook,
    kind: Annotated[str, typer.Argument(metavar="copil|cotech", show_default=False,
                                        help="copil : comité de pilotage (une année) ; "
                                             "cotech : comité technique (un trimestre).")],
    period: PeriodOption = None,
    as_of: AsOf = None,
    out_path: Out = None,
) -> None:
    """Prépare la feuille d'un comité : COPIL AAAA (par défaut l'année en cours) ou COTECH AAAA-Tn (par défaut le
    trimestre en cours) ; code 1 si les données ont des erreurs (après écriture), 2 si rien n'a été écrit."""
    with refusals(), working("Préparation de la feuille du comité…"):
        report = api.committee(workbook, kind, period, as_of, out_path)
    _report_written(report)


@command()
def export(
    workbook: Workbook,
    out_path: Annotated[Path, typer.Argument(metavar="EXPORT.xlsx", show_default=False,
                                             help="Le classeur à transmettre à l'agglomération (nouveau fichier).")],
    period: PeriodOption = None,
    as_of: AsOf = None,
) -> None:
    """Écrit le classeur agrégé, sans donnée personnelle, pour l'agglomération (par défaut : l'année en cours)."""
    with refusals(), working("Préparation de l'export…"):
        written = api.export(workbook, out_path, period, as_of)
    say(f"Export écrit : {written} (aucune donnée personnelle ; petits effectifs masqués).")


@command("purge-list")
def purge_list(workbook: Workbook, as_of: AsOf = None, as_json: AsJson = False) -> None:
    """Liste (sans rien supprimer) les dossiers gardés au-delà de la durée de conservation."""
    with refusals(), working("Recherche des dossiers à purger…"):
        report = api.purge_list(workbook, as_of)
    if as_json:
        write_json([row.to_json() for row in report.rows])
    else:
        print_purge_rows(report.rows)
    say(f"{len(report.rows)} dossier(s) au-delà de {report.retention_years} an(s) de conservation : "
        "anonymisez-les ou supprimez-les dans le classeur (l'outil ne supprime rien).")


@command("build-workbook")
def build_workbook(
    out_path: Annotated[Path, typer.Argument(metavar="FICHIER.xlsm", show_default=False,
                                             help="Le classeur à macros à créer (il ne doit pas exister).")],
) -> None:
    """Crée le classeur à macros : le modèle, les boutons sur Accueil et le code VBA qui les relie à Python."""
    with refusals():
        written = api.write_macro_workbook(out_path)
    say(f"Classeur à macros créé : {written}. Ouvrez-le dans Excel et activez les macros (voir macros/README.md).")


@command()
def consolidate(
    exports: Annotated[list[Path], typer.Argument(metavar="EXPORTS...", show_default=False,
                                                  help="Les exports des sites (.xlsx, ou leurs fichiers .csv).")],
    out_path: Annotated[Path, typer.Argument(metavar="RÉSEAU.xlsx", show_default=False,
                                             help="Le classeur du réseau à créer (nouveau fichier).")],
) -> None:
    """Rassemble les exports de plusieurs sites en un classeur du réseau (complétude, totaux, petits effectifs)."""
    with refusals(), working("Consolidation des exports…"):
        written = api.consolidate(list(exports), out_path)
    say(f"Classeur du réseau écrit : {written} ({len(exports)} export(s) lus).")


@command()
def adopt(
    workbook: Workbook,
    out_path: Annotated[Path | None, typer.Option("--out", metavar="FICHIER.xlsm", show_default=False,
                                                  help="Le classeur à macros à créer (par défaut : CLASSEUR.xlsm "
                                                       "à côté du classeur).")] = None,
) -> None:
    """Fait de votre classeur le classeur géré : une copie à macros avec les boutons, tout votre contenu gardé."""
    with refusals(), working("Ajout des boutons au classeur…"):
        adoption = api.adopt(workbook, out_path)
    for note in adoption.notes:
        say(note)
    say(f"Classeur à macros créé : {adoption.path} (boutons sur la feuille « {adoption.button_sheet} »). "
        "Ouvrez-le dans Excel et activez les macros (voir macros/README.md).")


@command()
def doctor(workbook: Workbook) -> None:
    """Dit ce qui ne va pas dans un classeur et quoi faire ; code de sortie 1 s'il y a quelque chose à faire."""
    from citeslab_xl.core.diagnosis import needs_action

    findings = api.doctor(workbook)
    for finding in findings:
        out().print(finding.text(), markup=False, highlight=False)
    raise typer.Exit(1 if needs_action(findings) else 0)


# --- printing ----------------------------------------------------------------------------

def print_figures(figures: Any, title: str) -> None:
    from rich.table import Table

    from citeslab_xl.core.figures import CATALOGUE, display

    scalars = Table("Indicateur", "Valeur", title=title, title_justify="left")
    for figure in CATALOGUE:
        if figure.is_scalar:
            scalars.add_row(figure.label, figure.display(figures.value(figure.key)))
    out().print(scalars)
    for figure in CATALOGUE:
        if figure.is_scalar:
            continue
        table = Table(figure.label, "Valeur", title_justify="left")
        for sub, entry in figures.value(figure.key).items():
            shown = (", ".join(f"{part.label} {display(part.kind, getattr(entry, part.name))}" for part in figure.parts)
                     if figure.parts else display(figure.kind, entry))
            table.add_row(str(sub), shown)
        out().print(table)


def print_funding(split: Any) -> None:
    from rich.table import Table

    from citeslab_xl.core.figures import Kind, display

    def euros(amount: Any) -> str:
        return display(Kind.EUROS, amount)  # « 53 843,66 € », as in the sheets

    table = Table("Année", "Poste", "Coût", *split.funders, "Reste à charge", title="Répartition du financement",
                  title_justify="left")
    for row in split.split_rows:
        table.add_row(str(row.annee), row.poste, euros(row.cout), *[euros(row.parts[f]) for f in split.funders],
                      euros(row.reste_a_charge))
    out().print(table)


def print_purge_rows(rows: list[Any]) -> None:
    from rich.table import Table

    from citeslab_xl.core.purge import HEADERS

    if not out().is_terminal:
        for row in rows:
            print("\t".join("" if v is None else str(v) for v in row.values()))
        return
    table = Table(*HEADERS, title="Dossiers au-delà de la durée de conservation", title_justify="left")
    for row in rows:
        table.add_row(*["" if v is None else str(v) for v in row.values()])
    out().print(table)


def print_anomalies(anomalies: list[Any]) -> None:
    from rich.table import Table

    if not anomalies:
        out().print("Aucune anomalie.", markup=False)
        return
    if not out().is_terminal:
        for a in anomalies:
            where = f"{a.feuille}!{a.cellule}" if a.cellule else a.feuille
            print(f"{a.gravite.value}\t{where}\t{a.code}\t{a.message}")
        return
    table = Table("Gravité", "Feuille", "Cellule", "Colonne", "Valeur", "Message", "Code", show_lines=False)
    for a in anomalies:
        table.add_row(a.gravite.value, a.feuille, a.cellule or "", a.colonne or "", a.valeur or "", a.message, a.code)
    out().print(table, markup=False, highlight=False)


def main() -> None:
    app()
