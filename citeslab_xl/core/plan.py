"""Which generated sheets a run makes (workbook.md › Generated sheets).

Pure: from the as-of date, the monthly sheets the workbook already holds and
the user's request, the list of sheet names to build.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from citeslab_xl.core import periods
from citeslab_xl.core.periods import Period

ANOMALIES = "Anomalies"
HISTORIQUE = "Historique mensuel"
FINANCEMENT = "Financement calculé"
ECHEANCIER = "Échéancier suivis"
JOURNAL = "Journal"
EVERY_RUN = (ANOMALIES, HISTORIQUE, FINANCEMENT, ECHEANCIER)
_SYNTHESE = re.compile(r"^Synthèse (\d{4})-(\d{2})$")


def synthese_name(month: Period) -> str:
    return f"Synthèse {month.label}"


def copil_name(year: int) -> str:
    return f"COPIL {year}"


def cotech_name(quarter: Period) -> str:
    return f"COTECH {quarter.label}"


def is_generated_name(name: str) -> bool:
    return (name in EVERY_RUN or name == JOURNAL or bool(_SYNTHESE.match(name))
            or bool(re.match(r"^COPIL \d{4}$", name)) or bool(re.match(r"^COTECH \d{4}-T[1-4]$", name)))


def months_present(sheet_names: list[str]) -> list[Period]:
    found = []
    for name in sheet_names:
        match = _SYNTHESE.match(name)
        if match:
            found.append(periods.month(int(match.group(1)), int(match.group(2))))
    return sorted(found, key=lambda p: p.debut)


def due_months(existing: list[str], as_of: date, month: Period | None = None,
               rebuild: bool = False) -> list[Period]:
    """The monthly summaries to build now, oldest first.

    First run: the last closed month and the current one. Later runs: every
    month after the last one generated, up to the current month, which is
    always rebuilt. A closed month already there is rebuilt, and an older one
    made, only when asked (`month`, `rebuild`).
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
    if month is not None:
        if month not in present or rebuild:
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
        return ([ANOMALIES] + [synthese_name(m) for m in self.months]
                + [HISTORIQUE, copil_name(self.copil_year), cotech_name(self.cotech), FINANCEMENT, ECHEANCIER])


def refresh_plan(existing: list[str], as_of: date, month: Period | None = None, rebuild: bool = False) -> RunPlan:
    return RunPlan(due_months(existing, as_of, month, rebuild), as_of.year, periods.quarter_of(as_of))
