"""The Python API: what the command line and the buttons call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from citeslab_xl import __version__
from citeslab_xl.adapters.reading import read_workbook
from citeslab_xl.core import periods, plan, sheets
from citeslab_xl.core.dataset import Dataset
from citeslab_xl.core.grid import RawWorkbook
from citeslab_xl.core.layout import SheetLayout
from citeslab_xl.core.periods import Period
from citeslab_xl.core.validation import validate


def check_file(path: str | Path, as_of: date | None = None) -> Dataset:
    """Read and validate a workbook file; raises UnusableWorkbook when it cannot be used."""
    return validate(read_workbook(path), as_of or date.today())


def write_template(path: str | Path) -> None:
    from citeslab_xl.adapters.template import build_workbook

    build_workbook().save(path)


def rows_read(raw: RawWorkbook) -> int:
    return sum(len(table.rows) for table in raw.tables.values())


def refresh_layouts(dataset: Dataset, run: plan.RunPlan, as_of: date) -> list[SheetLayout]:
    """Every generated sheet of a refresh, in the order they appear in the workbook."""
    site = dataset.settings.nom_du_site
    return ([sheets.anomalies_layout(dataset.anomalies, site, as_of)]
            + [sheets.synthese_layout(dataset, month, as_of) for month in run.months]
            + [sheets.historique_layout(dataset, as_of),
               sheets.copil_layout(dataset, run.copil_year, as_of),
               sheets.cotech_layout(dataset, run.cotech, as_of),
               sheets.financement_layout(dataset, as_of),
               sheets.echeancier_layout(dataset, as_of)])


def committee_layout(dataset: Dataset, kind: str, period: Period | None, as_of: date) -> SheetLayout:
    if kind == "copil":
        return sheets.copil_layout(dataset, (period.fin if period else as_of).year, as_of)
    quarter = periods.quarter_of(period.fin if period else as_of)
    return sheets.cotech_layout(dataset, quarter, as_of)


@dataclass
class RunReport:
    path: Path
    sheets: list[str]
    errors: int
    warnings: int
    backup: Path | None


def _write(path: Path, raw: RawWorkbook, dataset: Dataset, layouts: list[SheetLayout], action: str,
           out: str | Path | None) -> RunReport:
    from citeslab_xl.adapters.writer import write_generated

    journal = [datetime.now().replace(microsecond=0), action, __version__, rows_read(raw), len(dataset.anomalies)]
    report = write_generated(path, layouts, out=out, journal_row=journal)
    return RunReport(report.path, [layout.name for layout in layouts], len(dataset.errors), len(dataset.warnings),
                     report.backup)


def refresh(path: str | Path, as_of: date | None = None, month: Period | None = None, rebuild: bool = False,
            out: str | Path | None = None) -> RunReport:
    """What the « Actualiser les synthèses » button does, on a file."""
    path, as_of = Path(path), as_of or date.today()
    raw = read_workbook(path)
    dataset = validate(raw, as_of)
    run = plan.refresh_plan(raw.sheet_names, as_of, month, rebuild)
    return _write(path, raw, dataset, refresh_layouts(dataset, run, as_of), "Actualiser les synthèses", out)


def committee(path: str | Path, kind: str, period: Period | None = None, as_of: date | None = None,
              out: str | Path | None = None) -> RunReport:
    """One committee sheet: `copil` (a year) or `cotech` (a quarter)."""
    path, as_of = Path(path), as_of or date.today()
    raw = read_workbook(path)
    dataset = validate(raw, as_of)
    layout = committee_layout(dataset, kind, period, as_of)
    return _write(path, raw, dataset, [layout], f"Comité {'de pilotage' if kind == 'copil' else 'technique'}", out)


def default_export_period(as_of: date) -> Period:
    """The year so far, to the end of the as-of month: what the agglomeration follows."""
    return periods.year_to_date(periods.month_of(as_of))


def export(path: str | Path, out: str | Path, period: Period | None = None, as_of: date | None = None) -> Path:
    """The workbook for the agglomeration (export.md), written at `out`."""
    from citeslab_xl.core.export import write_export

    as_of = as_of or date.today()
    dataset = check_file(path, as_of)
    return write_export(dataset, period or default_export_period(as_of), as_of, path, out, __version__)
