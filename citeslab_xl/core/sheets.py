"""The generated sheets' layouts, built from the indicators (no I/O).

Each builder returns a `SheetLayout`; the file writer and the Excel buttons
render the same layouts, so what the coordinator sees does not depend on the
door she came in by.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

import pandas as pd

from citeslab_xl.core import funding, indicators, monthly, periods, plan, schedule
from citeslab_xl.core.anomalies import Anomaly
from citeslab_xl.core.dataset import Dataset
from citeslab_xl.core.figures import figure, label
from citeslab_xl.core.indicators import Indicators
from citeslab_xl.core.layout import DATE, EURO, ONE_DECIMAL, TWO_DECIMALS, Block, Chart, Note, SheetLayout, Table
from citeslab_xl.core.periods import Period
from citeslab_xl.core.todo import Directory

NAME_HEADERS = ["ID", "Nom", "Prénom", "Téléphone"]  # as in À faire: the sheet stays in her workbook


def data_subtitle(dataset: Dataset, as_of: date) -> str:
    return f"{dataset.settings.nom_du_site} — données au {as_of:%d/%m/%Y}"


def figure_rows(keys: Sequence[str], *results: Indicators) -> list[list]:
    """One row per figure: its label, then its value in each result."""
    return [[label(key), *(result.scalar(key) for result in results)] for key in keys]


def row_formats(keys: Sequence[str], columns: range) -> dict[tuple[int, int], str]:
    """Each figure's number format on its row (a table of mixed figures, one per row)."""
    return {(i, j): fmt for i, key in enumerate(keys) if (fmt := figure(key).number_format) for j in columns}


def column_formats(keys: Sequence[str], first: int = 1) -> dict[int, str]:
    """Each figure's number format on its column (a table with one figure per column)."""
    return {first + j: fmt for j, key in enumerate(keys) if (fmt := figure(key).number_format)}


# --- Anomalies -------------------------------------------------------------

ANOMALY_HEADERS = ["Gravité", "Feuille", "Ligne", "Colonne", "Cellule", "Valeur", "Message", "Code"]


def anomalies_layout(anomalies: list[Anomaly], dataset_site: str, as_of: date) -> SheetLayout:
    rows, links = [], {}
    for i, a in enumerate(anomalies):
        rows.append([a.gravite.value, a.feuille, a.ligne, a.colonne, a.cellule, a.valeur, a.message, a.code])
        if a.cellule:
            links[i] = f"'{a.feuille}'!{a.cellule}"
    errors = sum(1 for a in anomalies if a.is_error)
    summary = (f"{errors} erreur(s) et {len(anomalies) - errors} avertissement(s). "
               "Cliquez sur une cellule de la colonne « Cellule » pour aller corriger la donnée, "
               "puis relancez « Vérifier les données ».") if anomalies \
        else "Aucune anomalie : les données sont conformes."
    table = Table(ANOMALY_HEADERS, rows, links=links, link_column=4, formats={2: "0"})  # a row number, not a count
    return SheetLayout(plan.ANOMALIES, "Anomalies des données", f"{dataset_site} — vérification au {as_of:%d/%m/%Y}",
                       [Note(summary), table], widths={0: 14, 1: 16, 2: 7, 3: 24, 4: 9, 5: 22, 6: 90, 7: 22},
                       landscape=True, as_of=as_of)


# --- Synthèse AAAA-MM --------------------------------------------------------------------

SYNTHESE_ACTIVITY = (
    "nouveaux_porteurs", "accompagnes", "porteurs_recus", "rdv", "heures", "orientations_total", "orientes",
    "taux_orientation", "creations", "ateliers_nombre", "ateliers_participants", "sensibilisation_nombre",
    "sensibilisation_personnes",
)
PUBLIC = ("part_femmes", "part_qpv", "qpv_couverts", "part_moins_25", "part_moins_26", "part_bac_plus",
          "part_demandeurs_emploi")
CASELOAD = ("file_active", "etp", "file_active_par_etp", "capacite", "taux_charge", "scenario_poste_2")


def _prorata(dataset: Dataset, period: Period) -> float:
    return round(dataset.settings.objectif_accompagnes * period.fin.month / 12, 1)


def _comparison_headers(month: Period, ytd: Period, as_of: date) -> list[str]:
    """The four figure columns; while the month runs, each says up to which day it counts (« , au 15/11 »)."""
    in_month, in_year = periods.span_suffix(month, as_of), periods.span_suffix(ytd, as_of)
    return [f"Mois{in_month}", f"Même mois N-1{in_month}", f"Cumul de l'année{in_year}", f"Cumul N-1{in_year}"]


def synthese_layout(dataset: Dataset, month: Period, as_of: date) -> SheetLayout:
    """The month's summary, marked provisoire or définitive (`plan.status_line`, the first block).

    While the month runs, the year-earlier columns count the same days only
    (1–15 November 2025 against November 2026 as of 15 November).
    """
    k = indicators.compute(dataset, month, as_of)
    k_prev = indicators.compute(dataset, periods.same_span_earlier(month, as_of), as_of)
    ytd = periods.year_to_date(month)
    k_ytd = indicators.compute(dataset, ytd, as_of)
    k_ytd_prev = indicators.compute(dataset, periods.same_span_earlier(ytd, as_of), as_of)
    activity = [[*row, _prorata(dataset, month) if key == "accompagnes" else None]
                for key, row in zip(SYNTHESE_ACTIVITY, figure_rows(SYNTHESE_ACTIVITY, k, k_prev, k_ytd, k_ytd_prev),
                                    strict=True)]
    public = figure_rows(PUBLIC, k, k_ytd)
    orientations = [[p, n, k_ytd.orientations.get(p, 0)] for p, n in k.orientations.items()]
    creations = [[s, n, k_ytd.creations_par_secteur.get(s, 0)] for s, n in k.creations_par_secteur.items()
                 if n or k_ytd.creations_par_secteur.get(s, 0)]
    milestones = schedule.schedule(dataset, as_of)
    suivis = Counter(m.etat for m in milestones)
    trend = _trend(dataset, month, as_of)
    blocks: list[Block] = [
        Note(plan.status_line(month, as_of)),
        Table(["Indicateur", *_comparison_headers(month, ytd, as_of), "Objectif au prorata"], activity,
              title="Activité", formats={5: ONE_DECIMAL},
              cell_formats=row_formats(SYNTHESE_ACTIVITY, range(1, 5))),
        Table(["Nouveaux porteurs", "Mois", "Cumul de l'année"], public, title="Public",
              cell_formats=row_formats(PUBLIC, range(1, 3))),
        Table(["Partenaire", "Orientations du mois", "Cumul de l'année"], orientations,
              title="Orientations par partenaire", total=True),
        Table(["Secteur", "Créations du mois", "Cumul de l'année"], creations, title="Créations par secteur",
              total=True),
        Table(["Jalons de suivi", "Nombre"],
              [["En retard", suivis.get(schedule.EN_RETARD, 0)],
               ["À faire dans les 30 jours", suivis.get(schedule.A_VENIR, 0)]],
              title="Suivis à faire (détail : feuille « Échéancier suivis »)"),
        Table(["Indicateur", "Valeur"], figure_rows(CASELOAD, k), title="Charge de travail",
              cell_formats=row_formats(CASELOAD, range(1, 2))),
        Table(["Mois", label("nouveaux_porteurs"), label("rdv")], trend, title="Tendance sur 12 mois"),
    ]
    blocks.append(Chart("line", "Nouveaux porteurs et rendez-vous sur 12 mois", table=len(blocks) - 1, series=[1, 2],
                        rows=_closed_rows(trend, month, as_of)))
    return SheetLayout(plan.synthese_name(month), f"Synthèse mensuelle — {month.titre}", data_subtitle(dataset, as_of),
                       blocks, widths={0: 38, 1: 16, 2: 16, 3: 16, 4: 14, 5: 18}, as_of=as_of)


RUNNING_NOTE = ("Le mois en cours n'est pas tracé sur le graphique : commencé depuis quelques jours, il ferait croire "
                "à une chute.")


def _mark_running(rows: list[list], last: Period, as_of: date) -> list[list]:
    """The month still running named as such in the table (« 2026-11 (au 26/11) »)."""
    if rows and periods.is_partial(last, as_of):
        rows[-1][0] = f"{rows[-1][0]} (au {as_of:%d/%m})"
    return rows


def _closed_rows(rows: list[list], last: Period, as_of: date) -> int | None:
    """The rows a monthly chart plots: all but the last one while its month runs (None: all)."""
    return len(rows) - 1 if rows and periods.is_partial(last, as_of) else None


def _trend(dataset: Dataset, month: Period, as_of: date) -> list[list]:
    """The twelve months ending with this one."""
    months = periods.months_between(periods.shift_months(month.debut, -11), month.fin)
    return _mark_running([[row["mois"], row["nouveaux_porteurs"], row["rdv"]]
                          for row in monthly.monthly_activity(dataset, months, as_of)], month, as_of)


# --- Historique mensuel ----------------------------------------------------------------

HISTORY = (  # after the month, in this order
    "nouveaux_porteurs", "accompagnes", "rdv", "heures", "orientations_total", "creations", "ateliers_nombre",
    "ateliers_participants", "sensibilisation_personnes", "file_active",
)


def first_month(dataset: Dataset) -> date | None:
    candidates = [dataset.porteurs["date_premier_contact"].min(), dataset.rendez_vous["date"].min()]
    found = [c for c in candidates if pd.notna(c)]
    return min(found).date() if found else None


def history_rows(dataset: Dataset, as_of: date) -> list[list]:
    start = first_month(dataset)
    if start is None:
        return []
    months = periods.months_between(start, as_of)
    return _mark_running([[row["mois"], *(row[key] for key in HISTORY)]
                          for row in monthly.monthly_activity(dataset, months, as_of)], periods.month_of(as_of), as_of)


def historique_layout(dataset: Dataset, as_of: date) -> SheetLayout:
    rows = history_rows(dataset, as_of)
    table = Table(["Mois", *map(label, HISTORY)], rows, formats=column_formats(HISTORY))
    blocks: list[Block] = [table]
    plotted = _closed_rows(rows, periods.month_of(as_of), as_of)
    if rows and plotted != 0:
        blocks.append(Chart("line", "Nouveaux porteurs et personnes accompagnées par mois", table=0, series=[1, 2],
                            rows=plotted))
        if plotted is not None:
            blocks.append(Note(RUNNING_NOTE))
    return SheetLayout(plan.HISTORIQUE, "Historique mensuel", data_subtitle(dataset, as_of), blocks,
                       widths={0: 16, **{i: 14 for i in range(1, len(HISTORY) + 1)}}, landscape=True, as_of=as_of)


# --- Financement calculé and Échéancier suivis -----------------------------------------------

def financement_layout(dataset: Dataset, as_of: date) -> SheetLayout:
    split = funding.split_funding(dataset)
    funders = list(dataset.funders)
    rows = []
    for row in split.rows:
        parts = [row.parts.get(f) for f in funders] if not row.in_error else [None] * len(funders)
        rows.append([_year(row.annee), row.poste, row.etp, row.cout, *parts, row.reste_a_charge,
                     "parts > 100 % : non réparti" if row.in_error else ""])
    money = {3 + i: EURO for i in range(len(funders) + 2)}  # the cost, each funder's part, what is left
    per_row = Table(["Année", "Poste", "ETP", "Coût total", *funders, "Reste à charge", "Remarque"], rows,
                    title="Par année et par poste", formats={2: TWO_DECIMALS, **money})
    years = [[_year(y.annee), y.cout, *[y.parts.get(f) for f in funders], y.reste_a_charge, y.accompagnes, y.creations,
              y.cout_par_accompagne, y.cout_par_creation] for y in funding.funding_years(dataset, as_of)]
    n = len(funders)
    per_year = Table(["Année", "Coût total", *funders, "Reste à charge", "Accompagnés", "Créations",
                      "Coût par accompagné", "Coût par création"], years, title="Par année",
                     formats={1: EURO, **{2 + i: EURO for i in range(n + 1)}, 3 + n + 2: EURO, 3 + n + 3: EURO})
    note = Note("Montants calculés au centime près ; les arrondis sont répartis pour que la somme des parts "
                "égale exactement le coût couvert. Le reste à charge est la part qu'aucun financeur ne couvre.")
    return SheetLayout(plan.FINANCEMENT, "Financement calculé", data_subtitle(dataset, as_of),
                       [per_row, per_year, note], widths={0: 9, 1: 14, **{i: 16 for i in range(2, 10 + n)}},
                       landscape=True, as_of=as_of)


def _year(value: object) -> str | None:
    """A year as a label, left-aligned like the post beside it (a number would touch « Poste 1 »)."""
    return None if value is None else str(value)


def echeancier_layout(dataset: Dataset, as_of: date) -> SheetLayout:
    order = {schedule.EN_RETARD: 0, schedule.A_VENIR: 1, schedule.FAIT: 2}
    shown = [m for m in schedule.schedule(dataset, as_of) if m.etat != schedule.FAIT]
    shown.sort(key=lambda m: (order[m.etat], m.date_due, m.id_porteur))
    people = Directory(dataset)
    rows = [[*people.person(m.id_porteur)[:len(NAME_HEADERS)], m.date_creation, m.jalon, m.date_due, m.etat]
            for m in shown]
    links = {i: target for i, m in enumerate(shown) if (target := people.link(m.id_porteur)) is not None}
    table = Table([*NAME_HEADERS, "Date de création", "Jalon", "Échéance", "État"], rows, formats={4: DATE, 6: DATE},
                  links=links, link_column=1)
    note = Note("Un jalon est fait quand une ligne de Suivi est datée entre 60 jours avant et 120 jours après ; "
                "il est en retard 30 jours après l'échéance. Rien n'est dû après une cessation.")
    return SheetLayout(plan.ECHEANCIER, "Échéancier des suivis", data_subtitle(dataset, as_of), [note, table],
                       widths={0: 9, 1: 16, 2: 13, 3: 16, 4: 16, 5: 10, 6: 12, 7: 12}, as_of=as_of)
