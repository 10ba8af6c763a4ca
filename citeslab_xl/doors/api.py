"""The Python API: what the command line and the buttons call.

Every command of the command line is one function here, and every check of a request (a date after today, a
period of the wrong kind or not yet begun: interfaces.md › Dates and periods) is made here, so that the buttons
share it. The heavy libraries (pandas, openpyxl, calamine) are imported by the functions that need them: importing
this module, as `citeslab-xl --help` does, costs almost nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from citeslab_xl import __version__
from citeslab_xl.adapters import files
from citeslab_xl.core import journal, periods, plan
from citeslab_xl.core.button_catalogue import caption
from citeslab_xl.core.errors import RequestRefused
from citeslab_xl.core.periods import Period, PeriodKind

if TYPE_CHECKING:
    from citeslab_xl.adapters.adopt import Adoption
    from citeslab_xl.core.anomalies import Anomaly
    from citeslab_xl.core.dataset import Dataset
    from citeslab_xl.core.diagnosis import Finding
    from citeslab_xl.core.funding import FundingSplit
    from citeslab_xl.core.grid import RawWorkbook
    from citeslab_xl.core.indicators import Indicators
    from citeslab_xl.core.layout import SheetLayout
    from citeslab_xl.core.purge import PurgeRow
    from citeslab_xl.demo import DemoData

TEMPLATE_SUFFIXES = (".xlsx",)
COMMITTEES = {"copil": (PeriodKind.YEAR, "Un COPIL (comité de pilotage)", caption("comite_pilotage")),
              "cotech": (PeriodKind.QUARTER, "Un COTECH (comité technique)", caption("comite_technique"))}


# --- the requests: dates and periods that mean what they say --------------------------------

def check_as_of(as_of: date | None) -> date:
    """The day of the calculations: today when not given; a day after today is refused."""
    today = date.today()
    if as_of is None:
        return today
    if as_of > today:
        raise RequestRefused(f"La date des calculs, le {as_of:%d/%m/%Y}, est après aujourd'hui ({today:%d/%m/%Y}) : "
                             "les chiffres d'un jour qui n'est pas encore arrivé ne voudraient rien dire. Donnez une "
                             "date passée, ou aucune pour aujourd'hui.", "as_of")
    return as_of


_ARTICLE = {PeriodKind.MONTH: "un mois", PeriodKind.QUARTER: "un trimestre", PeriodKind.YEAR: "une année",
            PeriodKind.OTHER: "une autre période"}


def _example(kind: PeriodKind, as_of: date) -> str:
    if kind is PeriodKind.MONTH:
        return periods.month_of(as_of).label
    if kind is PeriodKind.QUARTER:
        return periods.quarter_of(as_of).label
    return str(as_of.year)


def check_period(period: Period, as_of: date, *, kind: PeriodKind | None = None, subject: str = "",
                 field: str = "period") -> Period:
    """A period of the kind the command works on (when it has one), begun by the as-of date."""
    if kind is not None and period.kind is not kind:
        raise RequestRefused(f"{subject} porte sur {_ARTICLE[kind]} : « {period.label} » est "
                             f"{_ARTICLE[period.kind]}. Tapez {_ARTICLE[kind]}, par exemple {_example(kind, as_of)}.",
                             field)
    if period.debut > as_of:
        raise RequestRefused(f"La période « {period.label} » commence le {period.debut:%d/%m/%Y}, après la date des "
                             f"calculs ({as_of:%d/%m/%Y}) : ses chiffres seraient vides. Choisissez une période déjà "
                             f"commencée, par exemple {_example(period.kind, as_of)}.", field)
    return period


def committee_period(kind: str, period: Period | None, as_of: date) -> Period:
    """The committee's period: the one asked for, checked, or else the current year (COPIL) or quarter (COTECH)."""
    if kind not in COMMITTEES:
        raise RequestRefused(f"« {kind} » n'est pas un comité : tapez copil (comité de pilotage) ou cotech "
                             "(comité technique).", "kind")
    expected, subject, _ = COMMITTEES[kind]
    if period is None:
        return periods.year(as_of.year) if kind == "copil" else periods.quarter_of(as_of)
    return check_period(period, as_of, kind=expected, subject=subject)


# --- reading ------------------------------------------------------------------------------

def check_file(path: str | Path, as_of: date | None = None) -> Dataset:
    """Read and validate a workbook file; raises UnusableWorkbook when it cannot be used."""
    return _read(Path(path), check_as_of(as_of))[1]


def _read(path: Path, as_of: date) -> tuple[RawWorkbook, Dataset]:
    from citeslab_xl.adapters.reading import read_workbook
    from citeslab_xl.core.validation import validate

    raw = read_workbook(path)
    return raw, validate(raw, as_of)


def rows_read(raw: RawWorkbook) -> int:
    return sum(len(table.rows) for table in raw.tables.values())


def indicators(path: str | Path, period: Period, as_of: date | None = None) -> Indicators:
    """Every figure of indicators.md for the period, as of the day."""
    from citeslab_xl.core.indicators import compute

    day = check_as_of(as_of)
    check_period(period, day)
    return compute(check_file(path, day), period, day)


@dataclass
class FundingReport:
    split: FundingSplit
    in_error: list[Anomaly]
    """The errors of the funding sheet: their rows are left out of the split."""


def funding(path: str | Path) -> FundingReport:
    """The funding split, to the cent, and the funding rows in error."""
    from citeslab_xl.core.funding import split_funding

    dataset = check_file(path)
    sheet = dataset.sheet_names.get("financement")
    return FundingReport(split_funding(dataset), [a for a in dataset.errors if a.feuille == sheet])


@dataclass
class PurgeReport:
    rows: list[PurgeRow]
    retention_years: int


def purge_list(path: str | Path, as_of: date | None = None) -> PurgeReport:
    """The records kept past their retention period; nothing is deleted."""
    from citeslab_xl.core.purge import purge_list as records_past_retention

    dataset = check_file(path, as_of)
    return PurgeReport(records_past_retention(dataset), dataset.settings.duree_conservation)


# --- the generated sheets ------------------------------------------------------------------

def refresh_layouts(dataset: Dataset, run: plan.RunPlan, as_of: date) -> list[SheetLayout]:
    """Every generated sheet of a refresh, in the order they appear in the workbook."""
    from citeslab_xl.core import committees, sheets
    from citeslab_xl.core.per_run import one_run
    from citeslab_xl.core.todo import todo_layout

    site = dataset.settings.nom_du_site
    with one_run():  # the schedule, the funding split, the file active: computed once for every sheet
        return ([sheets.anomalies_layout(dataset.anomalies, site, as_of), todo_layout(dataset, as_of)]
                + [sheets.synthese_layout(dataset, month, as_of) for month in run.months]
                + [sheets.historique_layout(dataset, as_of),
                   committees.copil_layout(dataset, run.copil_year, as_of),
                   committees.cotech_layout(dataset, run.cotech, as_of),
                   sheets.financement_layout(dataset, as_of),
                   sheets.echeancier_layout(dataset, as_of)])


def committee_layout(dataset: Dataset, kind: str, period: Period | None, as_of: date) -> SheetLayout:
    """`COPIL AAAA` or `COTECH AAAA-Tn`, for a period of the committee's kind (by default the current one)."""
    from citeslab_xl.core import committees
    from citeslab_xl.core.per_run import one_run

    chosen = committee_period(kind, period, as_of)
    with one_run():
        if kind == "copil":
            return committees.copil_layout(dataset, chosen.debut.year, as_of)
        return committees.cotech_layout(dataset, chosen, as_of)


@dataclass
class RunReport:
    path: Path
    sheets: list[str]
    errors: int
    warnings: int
    backup: Path | None


@contextmanager
def _one_run_at_a_time(path: Path, out: str | Path | None) -> Iterator[None]:
    """The workbook's lock around read, validate and write, when the run writes into the workbook itself.

    A copy's target is checked first, so that an existing file is refused before minutes of work.
    """
    if out is not None:
        target = Path(out)
        files.check_new_target(target, (target.suffix.lower(),))  # the writer checks that the suffixes match
    if out is not None or not path.is_file():  # only read, or unreadable: reading says what is wrong
        yield
        return
    with files.workbook_lock(path):
        yield


def _write(path: Path, rows: int, dataset: Dataset, layouts: list[SheetLayout], action: str,
           out: str | Path | None, as_of: date) -> RunReport:
    from citeslab_xl.adapters.writer import write_generated

    run = journal.run_values(action, __version__, rows, len(dataset.anomalies), as_of=as_of)
    report = write_generated(path, layouts, out=out, journal_row=run)
    return RunReport(report.path, [layout.name for layout in layouts], len(dataset.errors), len(dataset.warnings),
                     report.backup)


def refresh(path: str | Path, as_of: date | None = None, month: Period | None = None, rebuild: bool = False,
            out: str | Path | None = None) -> RunReport:
    """What the « Actualiser les synthèses » button does, on a file."""
    path, day = Path(path), check_as_of(as_of)
    if month is not None:
        check_period(month, day, kind=PeriodKind.MONTH, subject="Une synthèse mensuelle", field="month")
    with _one_run_at_a_time(path, out):
        rows, dataset, run = _read_for_refresh(path, day, month, rebuild)
        return _write(path, rows, dataset, refresh_layouts(dataset, run, day), caption("actualiser"), out, day)


def _read_for_refresh(path: Path, as_of: date, month: Period | None,
                      rebuild: bool) -> tuple[int, Dataset, plan.RunPlan]:
    """What a refresh needs of the raw read, so that its grids are freed before the sheets are built and written."""
    raw, dataset = _read(path, as_of)
    return rows_read(raw), dataset, plan.refresh_plan(raw.sheet_names, as_of, month, rebuild, raw.synthese_status)


def committee(path: str | Path, kind: str, period: Period | None = None, as_of: date | None = None,
              out: str | Path | None = None) -> RunReport:
    """One committee sheet: `copil` (a year) or `cotech` (a quarter)."""
    path, day = Path(path), check_as_of(as_of)
    chosen = committee_period(kind, period, day)
    with _one_run_at_a_time(path, out):
        raw, dataset = _read(path, day)
        rows = rows_read(raw)
        del raw  # its grids, freed before the sheet is built and written
        layout = committee_layout(dataset, kind, chosen, day)
        return _write(path, rows, dataset, [layout], COMMITTEES[kind][2], out, day)


# --- the files the tool creates ------------------------------------------------------------

def default_export_period(as_of: date) -> Period:
    """The year so far, to the end of the as-of month: what the agglomeration follows."""
    return periods.year_to_date(periods.month_of(as_of))


def export(path: str | Path, out: str | Path, period: Period | None = None, as_of: date | None = None) -> Path:
    """The workbook for the agglomeration (export.md), written at `out`."""
    from citeslab_xl.adapters.export_file import write_export
    from citeslab_xl.core.per_run import one_run

    day = check_as_of(as_of)
    chosen = check_period(period, day) if period is not None else default_export_period(day)
    dataset = check_file(path, day)
    with one_run():  # the export's tables select the same rows and split the same funding
        return write_export(dataset, chosen, day, path, out, __version__)


def write_template(path: str | Path) -> Path:
    """The empty managed workbook (the same as workbooks/template.xlsx), as a new file."""
    from citeslab_xl.adapters.template import build_workbook

    return files.create_file(path, lambda temp: build_workbook().save(temp), suffixes=TEMPLATE_SUFFIXES)


def write_demo(path: str | Path, people: int = 400, years: int = 3, seed: int = 0, errors: float = 0.0,
               as_of: date | None = None) -> DemoData:
    """A realistic synthetic workbook, as a new file; `errors` of the rows are deliberately wrong."""
    from citeslab_xl.demo import write_demo as write

    return write(path, people=people, years=years, seed=seed, errors=errors, as_of=check_as_of(as_of))


def write_macro_workbook(path: str | Path) -> Path:
    """The managed workbook with its five buttons and the VBA that binds them, as a new `.xlsm` file."""
    from citeslab_xl.adapters.macro_workbook import build_macro_workbook

    return build_macro_workbook(Path(path))


def doctor(path: str | Path, today: date | None = None) -> list[Finding]:
    """What is wrong with a workbook and what to do, in French; never raises, writes nothing."""
    from citeslab_xl.adapters.doctor import diagnose

    return diagnose(Path(path), today=today)


def adopt(path: str | Path, out: str | Path | None = None) -> Adoption:
    """Her own workbook made the managed one: a macro-enabled copy with the buttons, every part of hers kept."""
    from citeslab_xl.adapters.adopt import adopt as adopt_copy

    return adopt_copy(path, out)


def consolidate(exports: list[str | Path], out: str | Path) -> Path:
    """The network's workbook from many sites' exports (their long-form CSVs), as a new file."""
    from citeslab_xl.adapters.consolidate import consolidate as stack

    return stack(exports, out)
