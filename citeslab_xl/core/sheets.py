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

from citeslab_xl.core import funding, indicators, monthly, periods, photolangage, plan, schedule, selection
from citeslab_xl.core.anomalies import Anomaly
from citeslab_xl.core.dataset import Dataset
from citeslab_xl.core.figures import figure, label, years_label
from citeslab_xl.core.indicators import Indicators
from citeslab_xl.core.layout import DATE, EURO, ONE_DECIMAL, PERCENT, Block, Chart, Note, SheetLayout, Table
from citeslab_xl.core.periods import Period
from citeslab_xl.core.referents import suggest_referents


def _subtitle(dataset: Dataset, as_of: date) -> str:
    return f"{dataset.settings.nom_du_site} — données au {as_of:%d/%m/%Y}"


def _rows(keys: Sequence[str], *results: Indicators) -> list[list]:
    """One row per figure: its label, then its value in each result."""
    return [[label(key), *(result.scalar(key) for result in results)] for key in keys]


def _row_formats(keys: Sequence[str], columns: range) -> dict[tuple[int, int], str]:
    """Each figure's number format on its row (a table of mixed figures, one per row)."""
    return {(i, j): fmt for i, key in enumerate(keys) if (fmt := figure(key).number_format) for j in columns}


def _column_formats(keys: Sequence[str], first: int = 1) -> dict[int, str]:
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
    table = Table(ANOMALY_HEADERS, rows, links=links, link_column=4)
    return SheetLayout(plan.ANOMALIES, "Anomalies des données", f"{dataset_site} — vérification au {as_of:%d/%m/%Y}",
                       [Note(summary), table], widths={0: 14, 1: 16, 2: 7, 3: 24, 4: 9, 5: 22, 6: 90, 7: 22},
                       landscape=True)


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
                for key, row in zip(SYNTHESE_ACTIVITY, _rows(SYNTHESE_ACTIVITY, k, k_prev, k_ytd, k_ytd_prev),
                                    strict=True)]
    public = _rows(PUBLIC, k, k_ytd)
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
              cell_formats=_row_formats(SYNTHESE_ACTIVITY, range(1, 5))),
        Table(["Nouveaux porteurs", "Mois", "Cumul de l'année"], public, title="Public",
              cell_formats=_row_formats(PUBLIC, range(1, 3))),
        Table(["Partenaire", "Orientations du mois", "Cumul de l'année"], orientations,
              title="Orientations par partenaire", total=True),
        Table(["Secteur", "Créations du mois", "Cumul de l'année"], creations, title="Créations par secteur",
              total=True),
        Table(["Jalons de suivi", "Nombre"],
              [["En retard", suivis.get(schedule.EN_RETARD, 0)],
               ["À faire dans les 30 jours", suivis.get(schedule.A_VENIR, 0)]],
              title="Suivis à faire (détail : feuille « Échéancier suivis »)"),
        Table(["Indicateur", "Valeur"], _rows(CASELOAD, k), title="Charge de travail",
              cell_formats=_row_formats(CASELOAD, range(1, 2))),
        Table(["Mois", label("nouveaux_porteurs"), label("rdv")], trend, title="Tendance sur 12 mois"),
    ]
    blocks.append(Chart("line", "Nouveaux porteurs et rendez-vous sur 12 mois", table=len(blocks) - 1, series=[1, 2]))
    return SheetLayout(plan.synthese_name(month), f"Synthèse mensuelle — {month.titre}", _subtitle(dataset, as_of),
                       blocks, widths={0: 38, 1: 16, 2: 16, 3: 16, 4: 14, 5: 18})


def _trend(dataset: Dataset, month: Period, as_of: date) -> list[list]:
    """The twelve months ending with this one."""
    months = periods.months_between(periods.shift_months(month.debut, -11), month.fin)
    return [[row["mois"], row["nouveaux_porteurs"], row["rdv"]]
            for row in monthly.monthly_activity(dataset, months, as_of)]


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
    return [[row["mois"], *(row[key] for key in HISTORY)] for row in monthly.monthly_activity(dataset, months, as_of)]


def historique_layout(dataset: Dataset, as_of: date) -> SheetLayout:
    rows = history_rows(dataset, as_of)
    table = Table(["Mois", *map(label, HISTORY)], rows, formats=_column_formats(HISTORY))
    blocks: list[Block] = [table]
    if rows:
        blocks.append(Chart("line", "Nouveaux porteurs et personnes accompagnées par mois", table=0, series=[1, 2]))
    return SheetLayout(plan.HISTORIQUE, "Historique mensuel", _subtitle(dataset, as_of), blocks,
                       widths={0: 10, **{i: 13 for i in range(1, len(HISTORY) + 1)}}, landscape=True)


# --- COPIL AAAA -------------------------------------------------------------------------

def _caseload_by_year(dataset: Dataset, as_of: date, last_year: int) -> list[list]:
    start = first_month(dataset)
    if start is None:
        return []
    rows: list[list] = []
    for y in range(start.year, last_year + 1):
        k = periods.year(y)
        # the order of COPIL_CASELOAD
        rows.append([str(y), indicators.accompagnes(dataset, k, as_of), indicators.file_active(dataset, k, as_of),
                     indicators.etp(dataset, k, as_of), indicators.file_active_par_etp(dataset, k, as_of),
                     indicators.taux_charge(dataset, k, as_of), indicators.scenario_poste_2(dataset, k, as_of)])
    return rows


EN_COURS = "en cours"
COHORT_NOTE = ("Taux de création « en cours » : l'année de la cohorte n'est pas finie, ou ses dernières personnes "
               "n'ont pas encore eu deux ans pour créer ; le taux peut encore monter et n'est pas comparé à "
               "l'objectif.")
COPIL_CASELOAD = ("accompagnes", "file_active", "etp", "file_active_par_etp", "taux_charge", "scenario_poste_2")
COPIL_ACTIVITY = ("rdv", "heures", "orientes", "taux_orientation", "ateliers_nombre", "ateliers_participants",
                  "sensibilisation_nombre", "sensibilisation_personnes", "emplois")


def _funding_year(dataset: Dataset, year: int, as_of: date) -> funding.FundingYear | None:
    return next((f for f in funding.funding_years(dataset, as_of) if f.annee == year), None)


def _cohort_score(cohort: indicators.Cohort) -> float | str | None:
    """How much of the objective a cohort reached; « en cours » while it can still grow (it is not scored then)."""
    if cohort.en_cours:
        return EN_COURS
    if cohort.taux is None or not cohort.objectif:
        return None
    return round(cohort.taux / cohort.objectif, 4)


def copil_layout(dataset: Dataset, year: int, as_of: date) -> SheetLayout:
    period = periods.year(year)
    k = indicators.compute(dataset, period, as_of)
    s = dataset.settings
    objectives: list[list] = [[label("accompagnes"), s.objectif_accompagnes, k.accompagnes,
                               indicators.rate(k.accompagnes, s.objectif_accompagnes)]]
    # a cohort needs time to create: the two previous cohorts say more than the year's own
    for cohort_year in (year - 2, year - 1, year):
        cohort = indicators.taux_creation(dataset, periods.year(cohort_year), as_of)[str(cohort_year)]
        objectives.append([f"Taux de création (cohorte {cohort_year}, {cohort.cohorte} personnes)",
                           s.objectif_taux_creation, cohort.taux, _cohort_score(cohort)])
    public = _rows(PUBLIC, k)
    ages = [[band, n] for band, n in k.par_tranche_age.items()]
    sectors = [[sector, n] for sector, n in k.creations_par_secteur.items() if n]
    forms = [[form, n] for form, n in k.creations_par_forme.items() if n]
    survival = [[years_label(y), v.eligibles, v.actives, v.taux] for y, v in k.perennite.items()]
    fy = _funding_year(dataset, year, as_of)
    money: list[list] = []
    if fy is not None:
        money = [[f, fy.parts.get(f)] for f in dataset.funders] + [
            ["Reste à charge de la structure", fy.reste_a_charge], ["Coût total", fy.cout],
            ["Coût par personne accompagnée", fy.cout_par_accompagne], ["Coût par création", fy.cout_par_creation]]
    caseload = _caseload_by_year(dataset, as_of, year)
    blocks: list[Block] = [
        Table(["Objectif", "Objectif fixé", "Résultat", "Atteint à"], objectives, title="Objectifs et résultats",
              formats={3: PERCENT}, cell_formats={(i, j): PERCENT for i in (1, 2, 3) for j in (1, 2)}),
        Table(["Public accueilli (nouveaux porteurs)", str(year)], public, title="Profil du public",
              cell_formats=_row_formats(PUBLIC, range(1, 2))),
        Table(["Tranche d'âge", label("nouveaux_porteurs")], ages, title="Âge au premier contact", total=True),
        Table(["Secteur", "Créations"], sectors, title=f"Créations {year} par secteur", total=True),
        Table(["Forme juridique", "Créations"], forms, title=f"Créations {year} par forme juridique", total=True),
        Table(["Pérennité", "Entreprises concernées", "Toujours actives", "Taux"], survival,
              title="Pérennité des entreprises créées", formats={3: PERCENT}),
        Table(["Financement", "Montant"], money, title=f"Financement {year}", formats={1: EURO}),
        Table(["Année", *map(label, COPIL_CASELOAD)], caseload, title="Charge par ETP et scénario d'un second poste",
              formats=_column_formats(COPIL_CASELOAD)),
        Table(["Volume d'activité", str(year)], _rows(COPIL_ACTIVITY, k), title="Activité",
              cell_formats=_row_formats(COPIL_ACTIVITY, range(1, 2))),
    ]
    charts: list[Block] = []
    if sectors:
        charts.append(Chart("bar", f"Créations {year} par secteur", table=3, series=[1]))
    if caseload:
        charts.append(Chart("col", f"{label('accompagnes')} par an", table=7, series=[1]))
    blocks += charts
    blocks.append(Note("Le taux de charge compare la file active à la capacité (Paramètres › Capacité file active "
                       "par ETP × ETP). La dernière colonne montre ce qu'il deviendrait avec un second poste."))
    blocks.append(Note(COHORT_NOTE))
    return SheetLayout(plan.copil_name(year), f"Comité de pilotage {year}", _subtitle(dataset, as_of), blocks,
                       widths={0: 38, 1: 18, 2: 18, 3: 14, 4: 16, 5: 14, 6: 18})


# --- COTECH AAAA-Tn ----------------------------------------------------------------------

def _pipeline(dataset: Dataset, period: Period, as_of: date) -> list[list]:
    """The accompanied people of the period (those of `accompagnes` that have a Porteurs row), by Statut."""
    counts = selection.accompanied(dataset, period, as_of).porteurs(dataset)["statut"].value_counts()
    return [[statut, int(counts.get(statut, 0))] for statut in dataset.settings.values("Statut")]


def _orientation_outcomes(dataset: Dataset, period: Period) -> list[list]:
    p = dataset.porteurs
    oriented = p[p["partenaire"].notna() & p["date_orientation"].notna()]
    in_period = selection.between(oriented["date_orientation"], period.debut, period.fin)
    rows = []
    for partner in dataset.settings.values("Partenaire"):
        mine = oriented[oriented["partenaire"] == partner]
        created = int(mine["date_creation"].notna().sum())
        rows.append([partner, int(in_period[mine.index].sum()), len(mine), created,
                     indicators.rate(created, len(mine))])
    return rows


def cotech_layout(dataset: Dataset, quarter: Period, as_of: date) -> SheetLayout:
    milestones = schedule.schedule(dataset, as_of)
    by_state = Counter((m.jalon, m.etat) for m in milestones)
    follow = [[jalon, by_state.get((jalon, schedule.EN_RETARD), 0), by_state.get((jalon, schedule.A_VENIR), 0)]
              for jalon, _ in schedule.MILESTONES]
    referents = dataset.referents
    contactables = int((referents["accord"].eq(True) & referents["actif"].eq(True)).sum())
    suggestions = suggest_referents(dataset)
    suggested = [[s.id_porteur, s.secteur, ", ".join(s.id_referents) or "aucun référent disponible"]
                 for s in suggestions]
    workshops = [[t, v.nombre, v.participants] for t, v in indicators.ateliers(dataset, quarter, as_of).items()]
    capacities = [[c, n] for c, n in photolangage.capacites_photolangage(dataset, quarter, as_of, limit=10)]
    blocks: list[Block] = [
        Table(["Statut", "Porteurs"], _pipeline(dataset, quarter, as_of),
              title="Porteurs accompagnés dans le trimestre, par statut", total=True),
        Table(["Partenaire", "Orientés dans le trimestre", "Orientés depuis le début", "dont entreprise créée",
               "Taux de création"], _orientation_outcomes(dataset, quarter),
              title="Orientations par partenaire et ce qu'elles sont devenues", formats={4: PERCENT}),
        Table(["Jalon de suivi", "En retard", "À faire dans les 30 jours"], follow, title="Suivis des entreprises",
              total=True),
        Table(["Référents de parcours", "Nombre"],
              [["Contactables (accord et actifs)", contactables], ["Porteurs à qui en proposer", len(suggestions)]],
              title="Référents"),
        Table(["Porteur", "Secteur", "Référents suggérés"], suggested, title="Suggestions de référents"),
        Table(["Type d'atelier", *(part.label for part in figure("ateliers").parts)], workshops,
              title="Ateliers du trimestre", total=True),
        Table(["Capacité relevée (photolangage)", "Fois"], capacities, title="Capacités les plus relevées"),
    ]
    blocks.append(Chart("bar", "Orientations par partenaire", table=1, series=[2, 3]))
    return SheetLayout(plan.cotech_name(quarter), f"Comité technique — {quarter.titre}", _subtitle(dataset, as_of),
                       blocks, widths={0: 36, 1: 22, 2: 26, 3: 20, 4: 16})


# --- Financement calculé and Échéancier suivis -----------------------------------------------

def financement_layout(dataset: Dataset, as_of: date) -> SheetLayout:
    split = funding.split_funding(dataset)
    funders = list(dataset.funders)
    rows = []
    for row in split.rows:
        parts = [row.parts.get(f) for f in funders] if not row.in_error else [None] * len(funders)
        rows.append([row.annee, row.poste, row.etp, row.cout, *parts, row.reste_a_charge,
                     "parts > 100 % : non réparti" if row.in_error else ""])
    money = {3 + i: EURO for i in range(len(funders) + 1)}
    per_row = Table(["Année", "Poste", "ETP", "Coût total", *funders, "Reste à charge", "Remarque"], rows,
                    title="Par année et par poste", formats={2: "0.00", **money})
    years = [[y.annee, y.cout, *[y.parts.get(f) for f in funders], y.reste_a_charge, y.accompagnes, y.creations,
              y.cout_par_accompagne, y.cout_par_creation] for y in funding.funding_years(dataset, as_of)]
    n = len(funders)
    per_year = Table(["Année", "Coût total", *funders, "Reste à charge", "Accompagnés", "Créations",
                      "Coût par accompagné", "Coût par création"], years, title="Par année",
                     formats={1: EURO, **{2 + i: EURO for i in range(n + 1)}, 3 + n + 2: EURO, 3 + n + 3: EURO})
    note = Note("Montants calculés au centime près ; les arrondis sont répartis pour que la somme des parts "
                "égale exactement le coût couvert. Le reste à charge est la part qu'aucun financeur ne couvre.")
    return SheetLayout(plan.FINANCEMENT, "Financement calculé", _subtitle(dataset, as_of), [per_row, per_year, note],
                       widths={0: 8, 1: 14, **{i: 16 for i in range(2, 10 + n)}}, landscape=True)


def echeancier_layout(dataset: Dataset, as_of: date) -> SheetLayout:
    order = {schedule.EN_RETARD: 0, schedule.A_VENIR: 1, schedule.FAIT: 2}
    shown = [m for m in schedule.schedule(dataset, as_of) if m.etat != schedule.FAIT]
    shown.sort(key=lambda m: (order[m.etat], m.date_due, m.id_porteur))
    rows = [[m.id_porteur, m.date_creation, m.jalon, m.date_due, m.etat] for m in shown]
    table = Table(["Porteur", "Date de création", "Jalon", "Échéance", "État"], rows, formats={1: DATE, 3: DATE})
    note = Note("Un jalon est fait quand une ligne de Suivi est datée entre 60 jours avant et 120 jours après ; "
                "il est en retard 30 jours après l'échéance. Rien n'est dû après une cessation.")
    return SheetLayout(plan.ECHEANCIER, "Échéancier des suivis", _subtitle(dataset, as_of), [note, table],
                       widths={0: 12, 1: 16, 2: 10, 3: 14, 4: 12})
