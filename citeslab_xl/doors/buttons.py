"""The Python behind the Excel buttons (interfaces.md › Excel buttons).

Each entry point takes an `xlwings.Book` (by default the workbook whose
button was clicked), reads the data sheets in one bulk read each, builds the
same layouts as the command line (`api.refresh_layouts`, `api.committee_layout`)
and writes them with `xlbook`, which says what the sheets lack next to the
file writer's. Each run appends one row to `Journal`; its SHA-256 column
holds the hash of the values read (canonical JSON of the grids), since a Book
has no file bytes to hash under xlwings Server or Lite. Under xlwings Lite,
`on_the_web` first reads each sheet the button needs in its own call, from
Lite's async book, so that Excel on the web's 5 MB limit applies per sheet;
elsewhere the button says when the one read of its workbook is over it.

Nothing reaches Excel as a traceback: a refusal or an error ends in a French
message box (title « CitésLab »; the traceback of an unexpected error goes
to the `citeslab_xl.doors.buttons` logger, for whoever looks after the tool), and
problems in the data are in the `Anomalies` sheet. Everything is read,
checked and computed before the first write, so a refusal or a failure in
the computation leaves the workbook as it was.

The export writes a file, which only classic xlwings can do beside the
workbook (`book.fullname`); under xlwings Server or Lite the button says to
use `citeslab-xl export`. It exports the year to date, to
`<classeur> - export agglomération AAAA-MM-JJ.xlsx`.

`as_of` (default: today) lets the tests fix the date.
"""

from __future__ import annotations

import functools
import logging
import re
import traceback
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from citeslab_xl import __version__
from citeslab_xl.adapters import xlbook
from citeslab_xl.adapters.export_file import write_export
from citeslab_xl.core import cells, journal, periods, plan, sheets
from citeslab_xl.core.anomalies import BadCell
from citeslab_xl.core.button_catalogue import button, caption
from citeslab_xl.core.dataset import Dataset
from citeslab_xl.core.errors import CitesLabError, UnusableWorkbook
from citeslab_xl.core.grid import RawWorkbook, locate
from citeslab_xl.core.layout import SheetLayout
from citeslab_xl.core.validation import validate
from citeslab_xl.doors import api

ALERT_TITLE = "CitésLab"
ACCUEIL = "Accueil"
_MONTH_TYPED = re.compile(r"\d{4}-\d{1,2}")
NO_PORTEURS = ("Ce classeur n'a pas de feuille « Porteurs » : ce n'est pas un classeur CitésLab. Ouvrez le classeur "
               "de suivi (ou créez-en un avec « citeslab-xl template »), ou indiquez la feuille qui tient ce rôle "
               "dans Paramètres › Feuille Porteurs.")
EXPORT_BY_COMMAND = ("Sous xlwings Server ou xlwings Lite, Python n'a pas accès au dossier du classeur et ne peut pas "
                     "y écrire l'export. Enregistrez et fermez le classeur, puis lancez sur ce poste : "
                     "citeslab-xl export CLASSEUR.xlsx EXPORT.xlsx")

# Office.js documents a 5 MB limit per call on the web; the client reads every sheet it sends in one call
# (xlbook.web_read_bytes).
WEB_PAYLOAD_LIMIT = 5_000_000
TOO_LARGE_FOR_WEB = ("Ce classeur est trop grand pour Excel sur le web : le lire demande {size} Mo en un seul appel, "
                     "et Excel sur le web refuse un appel de plus de 5 Mo. Là, ce bouton échouera avant de démarrer, "
                     "sur un message d'Excel. Utilisez ce bouton dans Excel sur le PC, ou, le classeur enregistré et "
                     "fermé, la commande : {command}")

logger = logging.getLogger(__name__)


def _entry_point(work: Callable[[Any, date], str]) -> Callable[..., None]:
    """Run `work(book, as_of)` and show its message; any error becomes a French message, never a traceback.

    Everything that can raise (finding the calling book, the work, the alert itself) is inside the guard:
    under classic xlwings an exception escaping here would reach Excel as a raw Python traceback.
    """
    label, command = caption(work.__name__), button(work.__name__).command

    @functools.wraps(work)
    def entry(book: Any = None, *, as_of: date | None = None, read_per_sheet: bool = False) -> None:
        try:
            import xlwings as xw  # only the buttons need xlwings (and its license key, under the remote engine)

            book = book or xw.Book.caller()
        except Exception:
            _log_unexpected(None, label)  # no workbook to speak to: the log is all there is
            return
        sent = None
        try:
            # measured before the run adds its writes to the payload
            sent = xlbook.web_read_bytes(book, per_sheet=read_per_sheet)
            message = work(book, as_of or date.today())
        except CitesLabError as exc:
            message = exc.message
        except Exception as exc:  # the last guard between Python and the coordinator's screen
            message = _unexpected(book, label, exc)
        if sent is not None and sent > WEB_PAYLOAD_LIMIT:
            message += "\n" + TOO_LARGE_FOR_WEB.format(size=f"{sent / 1_000_000:.1f}".replace(".", ","),
                                                     command=command)
        _show(book, label, message)
    return entry


def _unexpected(book: Any, label: str, exc: Exception) -> str:
    log = _log_unexpected(book, label)
    return (f"« {label} » s'est arrêté sur une erreur inattendue ({type(exc).__name__} : {exc}). "
            "Les feuilles de données n'ont pas été modifiées. Transmettez ce message"
            + (f" et le fichier {log}" if log else "") + " à la personne qui s'occupe de l'outil.")


def _show(book: Any, label: str, message: str) -> None:
    try:
        book.app.alert(message, title=ALERT_TITLE)
    except Exception:
        _log_unexpected(book, label)


UNREADABLE_ON_THE_WEB = ("Excel n'a pas pu lire la feuille « {sheet} » ({error}). Sur Excel sur le web, c'est ce qui "
                         "arrive à une feuille trop grande : une lecture ne peut pas dépasser 5 Mo. Utilisez ce "
                         "bouton dans Excel sur le PC, ou, le classeur enregistré et fermé, la commande : {command}. "
                         "Rien n'a été écrit.")
UNNAMEABLE_ON_THE_WEB = ("La feuille « {sheet} » ne peut pas être lue seule par xlwings Lite : son nom contient une "
                         "virgule ou commence ou finit par une espace. Renommez-la (clic droit sur l'onglet › "
                         "Renommer), puis relancez. Rien n'a été écrit.")


async def on_the_web(entry: Callable[..., None], book: Any, *, as_of: date | None = None) -> None:
    """Run a button on xlwings Lite's async book (`xw.BookAsync`), whose client sent no cell values.

    The sheets the button reads are read first, each in its own Office.js call (`Sheet.load(values=True)`,
    one `getBookData` for that sheet alone), so that the 5 MB limit of Excel on the web applies to each sheet,
    not to all of them at once as in the one read of a sync book; then the button runs as everywhere else.
    A sheet Excel cannot read stops the run before anything is written, with a French message. So does a
    sheet the client cannot name alone: it splits `include` on commas and trims each name, and would answer
    such a sheet with no values, which would read as empty.
    """
    chosen = button(entry.__name__)
    sheet_name = None
    try:
        read = xlbook.sheets_read_by_buttons(book, skip=chosen.web_exclude)
        unnameable = [sheet.name for sheet in read if "," in sheet.name or sheet.name != sheet.name.strip()]
        if unnameable:
            _show(book, chosen.caption, UNNAMEABLE_ON_THE_WEB.format(sheet=unnameable[0]))
            return
        for sheet in read:
            sheet_name = sheet.name
            await sheet.load(values=True)
    except Exception as exc:
        if sheet_name is None:
            _show(book, chosen.caption, _unexpected(book, chosen.caption, exc))
        else:
            _log_unexpected(book, chosen.caption)
            _show(book, chosen.caption, UNREADABLE_ON_THE_WEB.format(
                sheet=sheet_name, error=f"{type(exc).__name__} : {exc}", command=chosen.command))
        return
    entry(book, as_of=as_of, read_per_sheet=True)


ERROR_LOG_NAME = "citeslab-xl-erreurs.log"


def _log_unexpected(book: Any, label: str) -> Path | None:
    """The traceback, appended to a log beside the workbook (else in the user's folder); the log's path, if written.

    xlwings deletes its own log when Python exits normally, so the traceback would otherwise be lost.
    """
    logger.exception("%s", label)
    folder = _folder_or_none(book) or Path.home()
    log = folder / ERROR_LOG_NAME
    try:
        with log.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {datetime.now():%Y-%m-%d %H:%M:%S} « {label} » (citeslab-xl {__version__})\n")
            handle.write(traceback.format_exc())
    except OSError:
        return None
    return log


def _folder_or_none(book: Any) -> Path | None:
    try:
        return workbook_folder(book) if book is not None else None
    except Exception:  # a book that cannot say where it is: the user's folder will do
        return None


# --- reading and writing a run ------------------------------------------------------

class _Run:
    """One click: the data read and validated, then the sheets written with one Journal row."""

    def __init__(self, book, as_of: date):
        self.book, self.as_of = book, as_of
        self.sheet_names = xlbook.sheet_names(book)
        # generated sheets are no input: reading them would only cost time
        self.grids = xlbook.read_grids(book, [n for n in self.sheet_names if not plan.is_generated_name(n)])
        self.raw: RawWorkbook = locate(self.grids)
        if "porteurs" not in self.raw.tables:
            raise UnusableWorkbook(NO_PORTEURS)
        self.dataset: Dataset = validate(self.raw, as_of)

    def publish(self, layouts: list[SheetLayout], action: str) -> dict[str, Any]:  # the xlwings sheets
        written = [layout.name for layout in layouts]
        xlbook.check_ownership(self.book, written + [journal.JOURNAL])
        run = journal.run_values(action, __version__, api.rows_read(self.raw), len(self.dataset.anomalies),
                                 as_of=self.as_of)
        row = journal.row(run, written, xlbook.grids_sha256(self.grids))
        sheet = journal.journal_layout(xlbook.journal_rows(self.book) + [row])
        return xlbook.write_layouts(self.book, layouts + [sheet])

    def counts(self) -> str:
        errors, warnings = len(self.dataset.errors), len(self.dataset.warnings)
        if not errors and not warnings:
            return "Aucune anomalie : les données sont conformes."
        return f"{_plural(errors, 'erreur')}, {_plural(warnings, 'avertissement')} : voir la feuille « Anomalies »."


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


# --- the buttons ----------------------------------------------------------------------

@_entry_point
def verifier(book, as_of: date) -> str:
    """Rebuild `Anomalies` and say how many errors and warnings the data hold."""
    run = _Run(book, as_of)
    layout = sheets.anomalies_layout(run.dataset.anomalies, run.dataset.settings.nom_du_site, as_of)
    run.publish([layout], caption("verifier"))[layout.name].activate()
    return run.counts()


@_entry_point
def actualiser(book, as_of: date) -> str:
    """Check, then rebuild every generated sheet that is due (the same plan as `citeslab-xl refresh`).

    A month chosen on Accueil (`selected_month`) is rebuilt too, as `refresh --month` does.
    """
    month = selected_month(book)
    if month is not None:
        api.check_period(month, as_of, kind=periods.PeriodKind.MONTH, subject="Une synthèse mensuelle",
                         field="month")
    run = _Run(book, as_of)
    run_plan = plan.refresh_plan(run.sheet_names, as_of, month, statuses=xlbook.synthese_status(book))
    layouts = api.refresh_layouts(run.dataset, run_plan, as_of)
    written = run.publish(layouts, caption("actualiser"))
    shown = plan.ANOMALIES if run.dataset.errors else plan.synthese_name(month or periods.month_of(as_of))
    written[shown].activate()
    names = ", ".join(layout.name for layout in layouts)
    return f"Synthèses actualisées au {as_of:%d/%m/%Y} : {names}.\n{run.counts()}"


@_entry_point
def comite_pilotage(book, as_of: date) -> str:
    """Build `COPIL AAAA` for the year of the selected cell's date, or for the current year."""
    run = _Run(book, as_of)
    day = selected_date(book) or as_of
    layout = api.committee_layout(run.dataset, "copil", periods.year(day.year), as_of)
    return _committee(run, layout, caption("comite_pilotage"))


@_entry_point
def comite_technique(book, as_of: date) -> str:
    """Build `COTECH AAAA-Tn` for the current quarter."""
    run = _Run(book, as_of)
    layout = api.committee_layout(run.dataset, "cotech", None, as_of)
    return _committee(run, layout, caption("comite_technique"))


def _committee(run: _Run, layout: SheetLayout, action: str) -> str:
    run.publish([layout], action)[layout.name].activate()
    return f"Feuille « {layout.name} » construite (données au {run.as_of:%d/%m/%Y}).\n{run.counts()}"


def selected_date(book) -> date | None:
    """The date in the selection's first cell (an Excel date or a date typed as text), if any."""
    try:
        selection = book.app.selection
        value = selection[0, 0].value if selection is not None else None
    except Exception:  # a chart or a shape selected, or a client that sends no selection: no date
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return cells.to_date(value)
        except BadCell:
            return None
    return None


def selected_month(book) -> periods.Period | None:
    """The month to rebuild: the selected cell of Accueil, when it holds a date or a month typed `AAAA-MM`.

    Only on Accueil (where the buttons are), so that a date selected in a
    data sheet at the moment of the click never rebuilds a closed month.
    """
    try:
        on_accueil = book.app.selection.sheet.name.casefold() == ACCUEIL.casefold()
    except Exception:  # a chart or a shape selected, or a client that sends no selection: no month
        return None
    if not on_accueil:
        return None
    try:
        typed = book.app.selection[0, 0].value
    except Exception:
        return None
    if isinstance(typed, str) and _MONTH_TYPED.fullmatch(typed.strip()):
        return periods.parse_period(typed.strip())
    day = selected_date(book)
    return periods.month_of(day) if day is not None else None


@_entry_point
def exporter_agglomeration(book, as_of: date) -> str:
    """Write the workbook for the agglomeration next to this one (export.md), and say where."""
    folder = workbook_folder(book)
    if folder is None:
        return EXPORT_BY_COMMAND
    run = _Run(book, as_of)
    source = Path(book.fullname)
    target = folder / f"{source.stem} - export agglomération {as_of:%Y-%m-%d}.xlsx"
    write_export(run.dataset, api.default_export_period(as_of), as_of, source, target, __version__)
    return f"Export pour l'agglomération écrit : {target}"


def workbook_folder(book) -> Path | None:
    """The folder of a saved workbook under classic xlwings; None under the remote engine or before a first save."""
    if book.app.engine.name == "remote":
        return None  # `fullname` is only the name there, and the files are those of a server
    path = Path(book.fullname)
    return path.parent if path.is_absolute() else None
