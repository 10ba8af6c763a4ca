"""The audit of a year's exports: every file of the year built, everything they show collected, every hidden
count bounded (export.md › Small counts: suppression holds across exports).

`audit_year` builds the export of each month, each quarter and the year at
one as-of date, reads back every count they publish of the year patterns'
families (Indicateurs' activity and breakdowns, Mensuel, Profil, Créations),
checks that a cell shown in two files is shown the same way, and gives the
published cells with their additive relations to `core.audit`, the periods
that cut a month (the same days a year earlier) included. Usable from
the tests and by hand; nothing here does any I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from citeslab_xl.core import audit, periods
from citeslab_xl.core.dataset import Dataset
from citeslab_xl.core.export import INDICATEURS, MENSUEL, MONTHLY, PROFIL, build_export
from citeslab_xl.core.export_pattern import DONT_QPV, FAMILY_KEYS, Patterns, months_before, months_of
from citeslab_xl.core.export_tables import TOTAL, Context
from citeslab_xl.core.figures import label
from citeslab_xl.core.layout import SheetLayout, Table
from citeslab_xl.core.periods import Period
from citeslab_xl.core.suppression import SECONDARY_MARK, small_mark
from citeslab_xl.core.year_pattern import AGGREGATES

# (year, family, breakdown, category, months): one cell of a year pattern; or, for a period that cuts a month,
# (..., ("partiel", a, m, d)): from the 1st of month a to day d of month m, and ("reste", m, d): the days after
Cell = tuple[int, str, str, str, tuple]

PROFIL_TABLES = {"Par quartier": "quartier", "Par sexe": "sexe", "Par tranche d'âge": "par_tranche_age",
                 "Par situation": "par_situation", "Par prescripteur": "par_prescripteur"}
INDICATEURS_TABLES = {label("rdv_par_type"): ("rdv", "rdv_par_type"),
                      label("rdv_par_modalite"): ("rdv", "rdv_par_modalite"),
                      label("orientations"): ("orientations_total", "orientations")}


@dataclass
class Published:
    """Every cell shown by a set of files: its value or its mark, and the files that disagree on it."""

    threshold: int
    cells: dict[Cell, int | str] = field(default_factory=dict)
    conflicts: list[tuple[Cell, int | str, int | str]] = field(default_factory=list)

    def add(self, cell: Cell, shown: object) -> None:
        if not isinstance(shown, (int, str)) or isinstance(shown, bool):
            return
        if cell in self.cells and self.cells[cell] != shown:
            self.conflicts.append((cell, self.cells[cell], shown))
        self.cells.setdefault(cell, shown)


def year_periods(year: int) -> list[Period]:
    return [*(periods.month(year, m) for m in range(1, 13)), *(periods.quarter(year, q) for q in range(1, 5)),
            periods.year(year)]


def collect(dataset: Dataset, exports: Iterable[Period], as_of: date) -> Published:
    published = Published(int(dataset.settings.seuil_secret))
    patterns = Patterns(dataset, as_of)  # what every file of that as-of date decides alike, decided once here
    for period in exports:
        layouts = build_export(dataset, period, as_of, "0" * 64, "audit", patterns=patterns)
        read_export(published, layouts, Context(dataset, period, as_of, patterns).compare(), period, partial=True)
    return published


def read_export(published: Published, layouts: list[SheetLayout], columns: list[tuple[str, Period]],
                period: Period, partial: bool = False) -> None:
    """Every count of the year patterns' families one export shows, read back from its sheets (`partial`: with
    those of the periods that cut a month, the same days a year earlier, which the long form leaves out)."""
    by_name = {layout.name: layout for layout in layouts}
    _indicateurs(published, by_name[INDICATEURS], columns, partial)
    _mensuel(published, by_name[MENSUEL], period)
    _profil(published, by_name[PROFIL], period)


def _tables(layout: SheetLayout) -> list[Table]:
    return [block for block in layout.blocks if isinstance(block, Table)]


def _indicateurs(published: Published, layout: SheetLayout, columns: list[tuple[str, Period]],
                 partial: bool) -> None:
    labels = {label(key): key for key in FAMILY_KEYS}
    for table in _tables(layout):
        if table.title == "Activité":
            for row in table.rows:
                if row[0] in labels:
                    _columns(published, row, columns, labels[row[0]], "", "", partial)
        elif table.title in INDICATEURS_TABLES:
            family, breakdown = INDICATEURS_TABLES[table.title]
            for row in table.rows:
                category = "" if row[0] == TOTAL else row[0]
                _columns(published, row, columns, family, breakdown if category else "", category, partial)


def _columns(published: Published, row: list, columns, family: str, breakdown: str, category: str,
             partial: bool) -> None:
    for shown, (_, period) in zip(row[1:], columns, strict=True):
        months = months_of(period)
        if months is not None:
            published.add((period.fin.year, family, breakdown, category, months), shown)
        elif partial and isinstance(shown, int) and months_before(period) is not None:
            # a « masqué » there says nothing, not even « at least N »: left out, it is any count
            span = ("partiel", period.debut.month, period.fin.month, period.fin.day)
            published.add((period.fin.year, family, breakdown, category, span), shown)


def _mensuel(published: Published, layout: SheetLayout, period: Period) -> None:
    months = periods.months_between(period.debut, period.fin)
    table = _tables(layout)[0]
    for month, row in zip(months, table.rows, strict=True):
        for key, shown in zip(MONTHLY, row[1:], strict=True):
            if key in FAMILY_KEYS:
                published.add((month.fin.year, key, "", "", (month.fin.month,)), shown)


def _profil(published: Published, layout: SheetLayout, period: Period) -> None:
    months = months_of(period)
    if months is None:
        return
    for table in _tables(layout):
        breakdown = next((key for title, key in PROFIL_TABLES.items() if (table.title or "").startswith(title)), None)
        if breakdown is None:
            continue
        for row in table.rows:
            category = "" if row[0] == TOTAL else row[0]
            published.add((period.fin.year, "nouveaux_porteurs", breakdown if category else "", category, months),
                          row[1])


def relations(published: Published, qpv: Iterable[str]) -> list[audit.Relation]:
    """The additive relations among the published cells: months to their totals, categories to theirs."""
    qpv = set(qpv)
    columns = {(y, f, b, c) for y, f, b, c, _ in published.cells}
    found = []
    for y, f, b, c in columns:
        for months in AGGREGATES[12:]:
            found.append(audit.Relation(tuple((y, f, b, c, (m,)) for m in months), (y, f, b, c, months)))
    found += _partial_relations(published)
    rows: dict[tuple, dict[str, list[str]]] = {}
    for y, f, b, c, months in published.cells:
        if b:
            rows.setdefault((y, f, months), {}).setdefault(b, []).append(c)
    for (y, f, months), breakdowns in rows.items():
        for b, categories in breakdowns.items():
            cells = [c for c in categories if c != DONT_QPV]
            found.append(audit.Relation(tuple((y, f, b, c, months) for c in cells), (y, f, "", "", months)))
            if DONT_QPV in categories:
                found.append(audit.Relation(tuple((y, f, b, c, months) for c in cells if c in qpv),
                                            (y, f, b, DONT_QPV, months)))
    return found


def _partial_relations(published: Published) -> list[audit.Relation]:
    """A period that cuts month m at day d: its first days and the rest add up to the month; from month a,
    the whole months before and those first days add up to it."""
    found = set()
    for y, f, b, c, span in published.cells:
        if span[0] != "partiel":
            continue
        _, a, m, d = span
        first_days = (y, f, b, c, ("partiel", m, m, d))
        found.add(audit.Relation((first_days, (y, f, b, c, ("reste", m, d))), (y, f, b, c, (m,))))
        if a < m:
            found.add(audit.Relation(((y, f, b, c, tuple(range(a, m))), first_days), (y, f, b, c, span)))
    return sorted(found, key=repr)


def audit_published(published: Published, qpv: Iterable[str]) -> list[audit.Finding]:
    t = published.threshold
    found = relations(published, qpv)
    shown: dict[audit.Key, int] = {k: v for k, v in published.cells.items() if isinstance(v, int)}
    small = [k for k, v in published.cells.items() if v == small_mark(t)]
    zero_possible = audit.under_small_totals(small, found)
    hidden: dict = {k: audit.small_bounds(t, k in zero_possible) for k in small}
    hidden.update({k: audit.secondary_bounds(t) for k, v in published.cells.items() if v == SECONDARY_MARK})
    return audit.audit(shown, hidden, found, small, t)


def audit_year(dataset: Dataset, year: int, as_of: date) -> tuple[Published, list[audit.Finding]]:
    """Every export of the year at `as_of`, and what linear programming leaves of each hidden count."""
    published = collect(dataset, year_periods(year), as_of)
    whole = periods.year(year)
    return published, audit_published(published, dataset.settings.qpv_names(whole.debut, whole.fin))
