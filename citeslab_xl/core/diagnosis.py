"""What is wrong with a workbook and what to do, in French (the rules of `citeslab-xl doctor`).

Pure: the adapter (`citeslab_xl.adapters.doctor`) gathers the facts — the
files beside the workbook, the parts of its package, its grids — and each rule
here turns facts into findings. A finding is « À faire » when someone must act
before the tool can do its job, « Information » otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from citeslab_xl.core import plan
from citeslab_xl.core.anomalies import Anomaly, ColumnMissing
from citeslab_xl.core.dataset import Dataset
from citeslab_xl.core.errors import WriteRefused
from citeslab_xl.core.grid import Grid, RawWorkbook, is_blank
from citeslab_xl.core.journal import JOURNAL, JOURNAL_HEADERS, rows_below_header
from citeslab_xl.core.schema import SHEETS_BY_KEY

ERRORS_SHOWN = 3
STALE_RUN_DAYS = 35  # a monthly refresh missed: the last run is older than a month and a few days


class Severity(StrEnum):
    TODO = "À faire"
    INFO = "Information"


@dataclass(frozen=True)
class Finding:
    code: str  # stable, for scripts and tests
    severity: Severity
    title: str  # what is the matter, one French sentence
    action: str = ""  # what to do, when there is something to do

    def text(self) -> str:
        return f"{self.severity} : {self.title}" + (f" {self.action}" if self.action else "")


def needs_action(findings: list[Finding]) -> bool:
    """The exit code of `doctor`: 1 when something needs doing, 0 otherwise."""
    return any(f.severity is Severity.TODO for f in findings)


def todo(code: str, title: str, action: str) -> Finding:
    return Finding(code, Severity.TODO, title, action)


def info(code: str, title: str, action: str = "") -> Finding:
    return Finding(code, Severity.INFO, title, action)


def with_verdict(findings: list[Finding]) -> list[Finding]:
    """The findings, the things to do first, closed by « Rien à faire » when there is none."""
    ordered = sorted(findings, key=lambda f: f.severity is not Severity.TODO)
    if needs_action(ordered):
        return ordered
    return ordered + [info("nothing-to-do", "Rien à faire : le classeur peut être vérifié et actualisé par l'outil.")]


# --- beside the workbook ----------------------------------------------------------

def open_elsewhere(workbook: str, program: str, lock_name: str) -> Finding:
    return todo(f"open-in-{program.lower()}",
                f"« {workbook} » est ouvert dans {program} (fichier de verrouillage « {lock_name} » à côté) : "
                "l'outil refusera de l'actualiser tant qu'il est ouvert.",
                f"Fermez-le dans {program} sur le poste qui l'a ouvert, puis relancez. Si personne ne l'a ouvert "
                f"(après une panne de courant, par exemple), supprimez le fichier « {lock_name} ».")


def run_in_progress(workbook: str) -> Finding:
    return info("run-in-progress",
                f"Une exécution de l'outil est en cours sur « {workbook} » (tâche planifiée ou bouton).",
                "Attendez qu'elle finisse avant de lancer une actualisation ; relancez ensuite ce diagnostic.")


def interrupted_run(names: list[str]) -> Finding:
    return info("interrupted-run",
                f"Fichier temporaire d'une écriture interrompue à côté du classeur : {_quoted(names)}.",
                "Le classeur n'a pas été abîmé (il n'est remplacé qu'une fois la copie complète) ; "
                "la prochaine actualisation supprime ce fichier.")


@dataclass(frozen=True)
class FileFacts:
    name: str
    modified: datetime
    sha256: str
    readable: bool  # a .xlsx/.xlsm container the tool can open


def backup_findings(workbook: FileFacts | None, backups: list[FileFacts], sha_read_by_last_run: str | None,
                    workbook_name: str) -> list[Finding]:
    """A backup newer than the workbook, or a workbook gone bad while a good backup waits beside it.

    The writer copies the file it read to `NAME.bak.xlsx` just before replacing it, so right after a
    run that backup is a little newer than the workbook: it is expected when it holds what the last
    Journal row says was read, or the workbook itself.
    """
    readable = [b for b in backups if b.readable]
    if workbook is None or not workbook.readable:
        if not readable:
            return []
        best = max(readable, key=lambda b: b.modified)
        return [todo("restore-backup", f"Une sauvegarde intacte existe : « {best.name} » "
                                       f"(enregistrée le {_when(best.modified)}).",
                     f"Remplacez « {workbook_name} » par une copie de « {best.name} » (renommez la copie "
                     f"« {workbook_name} »), puis relancez ce diagnostic. Les saisies faites depuis cette date "
                     "sont à refaire.")]
    expected = {workbook.sha256, sha_read_by_last_run}
    newer = [b for b in backups if b.modified > workbook.modified and b.sha256 not in expected]
    return [todo("backup-newer",
                 f"La sauvegarde « {b.name} » ({_when(b.modified)}) est plus récente que le classeur "
                 f"« {workbook_name} » ({_when(workbook.modified)}) et n'est pas la version que l'outil a remplacée : "
                 "le classeur a peut-être été remplacé par une version plus ancienne, ou des saisies ont été faites "
                 "dans la sauvegarde au lieu du classeur.",
                 f"Ouvrez les deux fichiers et comparez les dernières saisies ; si « {b.name} » est la bonne, "
                 f"fermez Excel, gardez une copie de « {workbook_name} », puis remplacez-le par une copie de "
                 f"« {b.name} ».")
            for b in sorted(newer, key=lambda b: b.modified, reverse=True)]


# --- the package ------------------------------------------------------------------

def unreadable(message: str) -> Finding:
    return todo("unreadable", f"Le classeur ne peut pas être utilisé par l'outil : {message}",
                "Tant que ce n'est pas réglé, ni la vérification ni l'actualisation ne fonctionnent.")


def package_findings(part_names: list[str]) -> list[Finding]:
    """What the writer refuses to carry over: a digital signature, a legacy shared workbook."""
    lowered = [name.lower().lstrip("/") for name in part_names]
    found = []
    if any(name.startswith("_xmlsignatures/") for name in lowered):
        found.append(todo("signed", "Le classeur est signé numériquement : l'outil refuse de l'actualiser, "
                                    "car y écrire invaliderait la signature.",
                          "Enregistrez-en une copie sans signature (Fichier › Informations › Protéger le classeur "
                          "› supprimer la signature), utilisez cette copie, puis relancez."))
    if any(name.startswith("xl/revisions/") for name in lowered):
        found.append(todo("shared", "Le classeur est partagé (ancien mode de partage d'Excel, avec suivi des "
                                    "modifications) : l'outil refuse d'y écrire, il perdrait l'historique du partage.",
                          "Dans Excel : Révision › Partager le classeur, décochez le partage, enregistrez, puis "
                          "relancez. (La co-édition OneDrive/SharePoint, elle, n'est pas concernée.)"))
    return found


def writer_refusal(message: str) -> Finding:
    """The writer's own refusal, said ahead of the run (so without its « nothing was written »)."""
    reason = message.removesuffix(" Rien n'a été écrit.")
    return todo("writer-refuses", f"L'outil refusera d'actualiser ce classeur. {reason}",
                "Faites ce que ce message indique, puis relancez ce diagnostic.")


def structure_locked() -> Finding:
    return todo("structure-locked", "La structure du classeur est protégée (Révision › Protéger le classeur) : l'outil "
                                    "ne pourra pas ajouter la synthèse du mois suivant ni une feuille de comité.",
                "Retirez la protection de la structure (Révision › Protéger le classeur, avec son mot de passe), "
                "enregistrez, puis relancez.")


def generated_name_findings(sheet_names: list[str], owned: list[str]) -> list[Finding]:
    """A sheet of the coordinator's that bears a name the tool generates: the writer will not replace it."""
    mine = {name.casefold() for name in owned}
    return [todo("generated-name",
                 f"La feuille « {name} » porte un nom de feuille générée, mais elle n'a pas été créée par "
                 f"l'outil : {_what_the_tool_does_with(name)}",
                 f"Renommez-la (clic droit sur l'onglet › Renommer, par exemple « {name} (perso) ») pour la garder, "
                 "ou supprimez-la si c'est une ancienne copie ; puis relancez.")
            for name in sheet_names if plan.is_generated_name(name) and name.casefold() not in mine]


def _what_the_tool_does_with(name: str) -> str:
    if plan.months_present([name]):
        return ("l'outil la prend pour la synthèse de ce mois et ne fait pas la sienne ; quand il doit la refaire "
                "(mois clos, reconstruction demandée), il refuse de la remplacer et n'écrit rien.")
    return "l'actualisation refusera de la remplacer et n'écrira rien."


# --- the data ---------------------------------------------------------------------

def no_porteurs() -> Finding:
    return todo("no-porteurs", "Aucune feuille « Porteurs » n'a été trouvée : l'outil ne reconnaît pas ce classeur.",
                "Si la feuille existe sous un autre nom, indiquez-le dans Paramètres › Feuille Porteurs ; "
                "sinon partez d'un classeur créé par « citeslab-xl template ».")


def missing_column_findings(raw: RawWorkbook) -> list[Finding]:
    found = []
    for key, columns in raw.missing_columns.items():
        table = raw.tables.get(key)
        sheet = table.sheet_name if table is not None else SHEETS_BY_KEY[key].name
        where = f" (ligne {table.header_row})" if table is not None and table.columns else ""
        what, these = ("les colonnes obligatoires", "ces colonnes") if len(columns) > 1 else \
            ("la colonne obligatoire", "cette colonne")
        names = _quoted([c.header for c in columns])
        found.append(todo("missing-column", f"La feuille « {sheet} » n'a pas {what} {names} : "
                                            "ses lignes ne sont pas comptées dans les synthèses.",
                          f"Ajoutez {these} dans la ligne d'en-tête{where}, avec exactement ce nom "
                          "(ou renommez la colonne qui en tient lieu), puis relancez."))
    return found


def data_findings(dataset: Dataset, workbook: str) -> list[Finding]:
    """The errors and warnings of the data; a missing column has its own finding (`missing_column_findings`)."""
    errors = [a for a in dataset.errors if not isinstance(a, ColumnMissing)]
    warnings = dataset.warnings
    check = f'citeslab-xl check "{workbook}"' if " " in workbook else f"citeslab-xl check {workbook}"
    found = []
    if errors:
        shown = " ; ".join(_anomaly_line(a) for a in errors[:ERRORS_SHOWN])
        more = f" (et {len(errors) - ERRORS_SHOWN} autres)" if len(errors) > ERRORS_SHOWN else ""
        found.append(todo("data-errors",
                          f"{_count(len(errors), 'erreur')} dans les données : {shown}{more}.",
                          f"Corrigez-{'les' if len(errors) > 1 else 'la'} dans les feuilles de saisie ; "
                          f"la liste complète est donnée par « {check} » ou le bouton « Vérifier les données » "
                          "(feuille Anomalies)."))
    if warnings:
        found.append(info("data-warnings", f"{_count(len(warnings), 'avertissement')} dans les données "
                                           "(à regarder, sans bloquer l'outil).",
                          f"Voir « {check} » ou la feuille Anomalies."))
    return found


def journal_findings(grid: Grid | None, today: date) -> list[Finding]:
    """What the last row of `Journal` says: the last run, what it did, what it found."""
    try:
        last = _last_journal_row(grid)
    except WriteRefused as refusal:
        return [writer_refusal(refusal.message)]
    if last is None:
        return [info("no-journal", "Aucune exécution de l'outil n'est enregistrée (feuille Journal absente ou vide) : "
                                   "le classeur n'a encore jamais été actualisé.")]
    return [_last_run(last, today)]


def last_run_sha(grid: Grid | None) -> str | None:
    """The SHA-256 of the file the last run read (the Journal's last column), if recorded."""
    try:
        last = _last_journal_row(grid)
    except WriteRefused:
        return None
    value = last["SHA-256 avant"] if last else None
    return None if is_blank(value) else str(value).strip()


def _last_journal_row(grid: Grid | None) -> dict | None:
    """The Journal's last row as the writer reads it back (it refuses a Journal whose header is gone)."""
    if grid is None:
        return None
    from_column_a = [[None] * (grid.left - 1) + list(line) for line in grid.cells]
    entries = rows_below_header(JOURNAL, from_column_a, JOURNAL_HEADERS)
    return dict(zip(JOURNAL_HEADERS, entries[-1], strict=True)) if entries else None


def _last_run(entry: dict, today: date) -> Finding:
    when, anomalies, written = entry["Date et heure"], entry["Anomalies"], entry["Feuilles écrites"]
    dated = isinstance(when, datetime)
    text = (f"Dernière exécution enregistrée dans le Journal : « {entry['Action'] or '?'} »"
            + (f" le {_when(when)}" if dated else "") + f", version {entry['Version'] or '?'}"
            + ("" if is_blank(anomalies) else f", {_anomalies_reported(anomalies)}")
            + ("" if is_blank(written) else f" ; feuilles écrites : {written}") + ".")
    days = (today - when.date()).days if dated else 0
    if days > STALE_RUN_DAYS:
        return todo("stale-run", text + f" C'était il y a {days} jours : les synthèses ne sont plus à jour.",
                    "Vérifiez que la tâche planifiée tourne encore, ou cliquez sur « Actualiser les synthèses ».")
    return info("last-run", text)


# --- wording ----------------------------------------------------------------------

def _anomaly_line(anomaly: Anomaly) -> str:
    where = anomaly.feuille + (f" {anomaly.cellule}" if anomaly.cellule else
                               f" ligne {anomaly.ligne}" if anomaly.ligne else "")
    return f"{where} : {anomaly.message.rstrip('.')}"


def _anomalies_reported(value: object) -> str:
    try:
        n = int(float(str(value)))
    except (ValueError, OverflowError):
        return f"anomalies : {value}"
    return "aucune anomalie signalée" if n == 0 else f"{_count(n, 'anomalie')} signalée{'s' if n > 1 else ''}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n > 1 else ''}"


def _quoted(names: list[str]) -> str:
    return ", ".join(f"« {name} »" for name in names)


def _when(moment: datetime) -> str:
    return moment.strftime("%d/%m/%Y à %H:%M")
