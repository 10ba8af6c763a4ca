"""Which generated sheets a run makes (workbook.md › Generated sheets).

Pure: from the as-of date, the monthly sheets the workbook already holds
(with the status each states: *provisoire* while its month runs, *définitive*
once it was built after the month closed) and the user's request, the list of
sheet names to build. The status line is written by `sheets.synthese_layout`
(`status_line`) and read back by the adapters (`read_status`), from the first
cells of column A of each Synthèse sheet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from citeslab_xl.core import periods
from citeslab_xl.core.grid import Grid
from citeslab_xl.core.periods import Period

ANOMALIES = "Anomalies"
HISTORIQUE = "Historique mensuel"
FINANCEMENT = "Financement calculé"
ECHEANCIER = "Échéancier suivis"
A_FAIRE = "À faire"
JOURNAL = "Journal"
EVERY_RUN = (ANOMALIES, A_FAIRE, HISTORIQUE, FINANCEMENT, ECHEANCIER)
_SYNTHESE = re.compile(r"^Synthèse (\d{4})-(\d{2})$")

PROVISOIRE = "provisoire"
DEFINITIVE = "définitive"
STATUS_ROWS = 6  # the status line is in column A within these first rows (title, subtitle, then the first block)
_STATUS = re.compile(r"^\s*Statut\s*:\s*(provisoire|définitive)\b", re.IGNORECASE)
_DATA_DATE = re.compile(r"données au (\d{2})/(\d{2})/(\d{4})")


def synthese_name(month: Period) -> str:
    return f"Synthèse {month.label}"


def copil_name(year: int) -> str:
    return f"COPIL {year}"


def cotech_name(quarter: Period) -> str:
    return f"COTECH {quarter.label}"


def is_generated_name(name: str) -> bool:
    return (name in EVERY_RUN or name == JOURNAL or bool(_SYNTHESE.match(name))
            or bool(re.match(r"^COPIL \d{4}$", name)) or bool(re.match(r"^COTECH \d{4}-T[1-4]$", name)))


def synthese_month(name: str) -> Period | None:
    match = _SYNTHESE.match(name)
    return periods.month(int(match.group(1)), int(match.group(2))) if match else None


def months_present(sheet_names: Iterable[str]) -> list[Period]:
    return sorted((m for name in sheet_names if (m := synthese_month(name)) is not None), key=lambda p: p.debut)


# --- provisoire / définitive --------------------------------------------------------

def status_of(month: Period, as_of: date) -> str:
    """*provisoire* while the month is not over at D, *définitive* once it is."""
    return PROVISOIRE if periods.is_partial(month, as_of) else DEFINITIVE


def status_line(month: Period, as_of: date) -> str:
    """The line near the top of a Synthèse sheet that says whether its figures will still change."""
    if status_of(month, as_of) == PROVISOIRE:
        return (f"Statut : provisoire — données au {as_of:%d/%m/%Y}. Le mois n'est pas terminé : la première "
                f"actualisation après le {month.fin:%d/%m/%Y} refera cette synthèse avec tout le mois et la "
                "marquera définitive.")
    return (f"Statut : définitive (mois clos) — données au {as_of:%d/%m/%Y}. Elle n'est plus refaite que sur "
            "demande (« citeslab-xl refresh --month », ou le mois choisi sur la feuille Accueil pour le bouton "
            "« Actualiser les synthèses »).")


def read_status(name: str, top_cells: Iterable[object]) -> str | None:
    """The status a Synthèse sheet states in the first cells of its column A (None for another sheet).

    A sheet made before the status line existed says only « données au
    JJ/MM/AAAA » in its subtitle: it is provisoire when that day is before the
    end of its month. A sheet that says neither is taken as définitive, so
    that nothing the tool cannot read is rebuilt without a request.
    """
    month = synthese_month(name)
    if month is None:
        return None
    texts = [str(v) for v in top_cells if isinstance(v, str)]
    for text in texts:
        if found := _STATUS.match(text):
            return PROVISOIRE if found[1].casefold() == PROVISOIRE else DEFINITIVE
    for text in texts:
        if found := _DATA_DATE.search(text):
            try:
                day = datetime.strptime("/".join(found.groups()), "%d/%m/%Y").date()
            except ValueError:
                continue
            return status_of(month, day)
    return DEFINITIVE


def read_statuses(top_cells: Mapping[str, Iterable[object]]) -> dict[str, str]:
    """The status of each Synthèse sheet, from each sheet's first cells of column A (the other sheets left out)."""
    return {name: status for name, cells in top_cells.items() if (status := read_status(name, cells)) is not None}


def statuses_from_grids(grids: Mapping[str, Grid]) -> dict[str, str]:
    """The status of each Synthèse sheet among the grids read from a workbook file (the first rows are enough)."""
    return read_statuses({name: [v for row in grid.cells[:STATUS_ROWS] for v in row[:1]]
                          for name, grid in grids.items() if grid.left == 1})


def due_months(existing: list[str], as_of: date, month: Period | None = None,
               rebuild: bool = False, statuses: Mapping[str, str] | None = None) -> list[Period]:
    """The monthly summaries to build now, oldest first.

    First run: the last closed month and the current one. Later runs: every
    month after the last one generated, up to the current month, which is
    always rebuilt, and every month that has closed since its sheet was made
    (`statuses` says it is still provisoire): once more, with the whole month.
    A définitive month is rebuilt, and an older one made, only when asked
    (`month`, or `rebuild` for every month already there).
    """
    current = periods.month_of(as_of)
    present = months_present(existing)
    due = {current}
    if not present:
        due.add(periods.previous_month(current))
    else:
        step = periods.next_month(present[-1])
        while step.debut < current.debut:
            due.add(step)
            step = periods.next_month(step)
    provisoire = {name for name, status in (statuses or {}).items() if status == PROVISOIRE}
    due.update(m for m in present if m.debut < current.debut and synthese_name(m) in provisoire)
    if month is not None:
        due.add(month)
    elif rebuild:
        due.update(p for p in present if p.debut <= current.debut)
    return sorted(due, key=lambda p: p.debut)


@dataclass(frozen=True)
class RunPlan:
    months: list[Period]
    copil_year: int
    cotech: Period

    def sheet_names(self) -> list[str]:
        """The sheets of the run, in the order `api.refresh_layouts` builds them (the tabs go by `tab_order`)."""
        return ([ANOMALIES, A_FAIRE] + [synthese_name(m) for m in self.months]
                + [HISTORIQUE, copil_name(self.copil_year), cotech_name(self.cotech), FINANCEMENT, ECHEANCIER])


# --- the order of the tabs -------------------------------------------------------------

# After the current month's Synthèse and the committees, the sheets of every run, then the older Synthèses.
_THE_REST = (ANOMALIES, HISTORIQUE, FINANCEMENT, ECHEANCIER, JOURNAL)
_COPIL = re.compile(r"^COPIL (\d{4})$")
_COTECH = re.compile(r"^COTECH (\d{4})-T([1-4])$")


def _tab_rank(name: str, newest: Period | None) -> tuple[int, int]:
    if name == A_FAIRE:
        return 0, 0
    if (month := synthese_month(name)) is not None:
        return (1, 0) if month == newest else (9, -month.debut.toordinal())  # older ones last, newest first
    if found := _COPIL.match(name):
        return 2, -int(found[1])
    if found := _COTECH.match(name):
        return 3, -(int(found[1]) * 4 + int(found[2]))
    if name in _THE_REST:
        return 4, _THE_REST.index(name)
    return 8, 0  # a generated sheet of an older version: before the older Synthèses, in its order


def tab_order(names: list[str], generated: Iterable[str]) -> list[str]:
    """The tabs in their fixed order (README › Generated sheets): her own sheets first, as she placed them
    (data sheets, Accueil), then `À faire`, the newest Synthèse (the current month), COPIL and COTECH (the
    latest first), Anomalies, Historique mensuel, Financement calculé, Échéancier suivis, Journal, and the
    older Synthèses last, the latest first.
    """
    ours = {name.casefold() for name in generated}
    mine = [n for n in names if n.casefold() not in ours]
    theirs = [n for n in names if n.casefold() in ours]
    newest = months[-1] if (months := months_present(theirs)) else None
    return mine + sorted(theirs, key=lambda n: _tab_rank(n, newest))  # stable: equal ranks keep their order


def refresh_plan(existing: list[str], as_of: date, month: Period | None = None, rebuild: bool = False,
                 statuses: Mapping[str, str] | None = None) -> RunPlan:
    return RunPlan(due_months(existing, as_of, month, rebuild, statuses), as_of.year, periods.quarter_of(as_of))
