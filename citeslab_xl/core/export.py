"""The workbook shared with the agglomeration (shared/spec/export.md).

`build_export` (pure) turns a validated Dataset into six sheets described as
layouts: aggregated figures only, every count of people or of their events
suppressed below the threshold (Paramètres › Seuil de secret statistique) by
`suppression`, against every total the workbook shows. `write_export` renders
them and saves a file that carries nothing else: no formula, no defined name,
no hidden sheet, no link, no document property from the source.

How the export settles what the spec leaves open:
- A count is a number of people, businesses, rendez-vous or jobs; the number
  of workshops and of awareness actions is the coordinator's own activity and
  is shown as it is.
- A breakdown shows every value of its list, then « Non renseigné » for the
  rows without a value (so that its cells add up to its total, which is what
  secondary suppression relies on), then the total, computed as a value.
- Every breakdown is one line (its cells add up to its total); the same total
  may appear in several sheets, and each appearance hides it the same way,
  since only a small total is ever hidden.
- A figure computed from a count (hours from rendez-vous, file active per
  ETP, taux de charge, a share) is hidden with that count; a share shown next
  to a breakdown (Profil) is hidden as soon as a count of that breakdown is.
- Mensuel has no total row, so that its chart shows months only: the totals
  of the period are those of Indicateurs, and the months are suppressed
  against them.
- Financement shows one row per year, never per post: a post's label is free
  text and a single post's cost is a salary.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from openpyxl.packaging.core import DocumentProperties
from openpyxl.styles import Alignment, Font, PatternFill

from citeslab_xl.adapters import render
from citeslab_xl.adapters.reading import sha256_of
from citeslab_xl.core import funding, indicators, periods, schema
from citeslab_xl.core.dataset import Dataset
from citeslab_xl.core.errors import WriteRefused
from citeslab_xl.core.layout import EURO, PERCENT, Chart, Note, SheetLayout, Table
from citeslab_xl.core.periods import Period
from citeslab_xl.core.suppression import (
    SECONDARY_MARK,
    Line,
    SuppressedTable,
    is_small,
    rate_hidden,
    small_mark,
    suppress,
)

LISEZ_MOI = "Lisez-moi"
INDICATEURS = "Indicateurs"
MENSUEL = "Mensuel"
PROFIL = "Profil"
CREATIONS = "Créations"
FINANCEMENT = "Financement"
SHEETS = (LISEZ_MOI, INDICATEURS, MENSUEL, PROFIL, CREATIONS, FINANCEMENT)

NON_RENSEIGNE = "Non renseigné"
TOTAL = "Total"
DONT_QPV = "dont quartiers prioritaires (QPV)"
CREATOR = "citeslab-xl"
FLAG_FILL = PatternFill("solid", fgColor="E7E6E6")
FLAG_FONT = Font(name=render.FONT_NAME, italic=True, color="595959")

SHEET_CONTENTS = (  # one short line each: a table cell does not wrap
    (INDICATEURS, "Les indicateurs, comparés à l'an dernier et en cumul annuel"),
    (MENSUEL, "L'activité mois par mois"),
    (PROFIL, "Les nouveaux porteurs par quartier, sexe, âge, situation, prescripteur"),
    (CREATIONS, "Les créations par forme, secteur, quartier ; pérennité, emplois"),
    (FINANCEMENT, "Le coût du poste et la part de chaque financeur, par année"),
)


# --- what every sheet needs ------------------------------------------------------

@dataclass(frozen=True)
class Context:
    dataset: Dataset
    period: Period
    as_of: date

    @property
    def threshold(self) -> int:
        return int(self.dataset.settings.seuil_secret)

    def compare(self) -> list[tuple[str, Period]]:
        """The columns of Indicateurs: the period, the same one a year earlier, and both years to date."""
        previous = periods.previous_year(self.period)
        columns = [(_capitalized(self.period.titre), self.period), (_capitalized(previous.titre), previous)]
        ytd = periods.year_to_date(self.period)
        if ytd != self.period:
            columns += [(_cumul_header(ytd), ytd), (_cumul_header(periods.previous_year(ytd)),
                                                    periods.previous_year(ytd))]
        return columns


def _cumul_header(ytd: Period) -> str:
    """« Cumul 2026 au 31/10 »: from 1 January to the end of the period."""
    return f"Cumul {ytd.fin.year} au {ytd.fin:%d/%m}"


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def _count(n: int, threshold: int) -> int | str:
    """A count on its own (no total to protect it against): hidden only when small."""
    return small_mark(threshold) if is_small(n, threshold) else n


def _rate(value: float | None, hidden: bool) -> float | str | None:
    if value is None:
        return None
    return SECONDARY_MARK if hidden else value


def _percent_cells(rows: list[list], columns: range) -> dict[tuple[int, int], str]:
    """PERCENT on the numeric cells of those columns, so that a hidden rate keeps its text."""
    return {(i, j): PERCENT for i, row in enumerate(rows) for j in columns if isinstance(row[j], float)}


# --- breakdowns ----------------------------------------------------------------------

@dataclass(frozen=True)
class Breakdown:
    """Counts by category for one or more columns, suppressed against their totals."""

    labels: list[str]
    table: SuppressedTable

    def rows(self) -> list[list]:
        return [[label, *values] for label, values in zip(self.labels, self.table.rows())]

    @property
    def total_row(self) -> int:
        return len(self.labels) - 1

    def any_hidden(self, column: int = 0) -> bool:
        return any(self.table.hidden(i, column) for i in range(self.total_row))


def breakdown(columns: list[dict[str, int]], totals: list[int], threshold: int,
              subtotal: tuple[str, set[str]] | None = None) -> Breakdown:
    """Rows: each category, « Non renseigné » when the categories miss some of the total,
    the subtotal (« dont … ») when asked, and the total; each column is a line."""
    categories = list(dict.fromkeys(key for column in columns for key in column))
    grid = [[column.get(key, 0) for column in columns] for key in categories]
    labels = list(categories)
    remainders = [total - sum(column.values()) for column, total in zip(columns, totals)]
    if any(remainders):
        grid.append(remainders)
        labels.append(NON_RENSEIGNE)
    n_cells = len(grid)
    members: tuple[int, ...] = ()
    if subtotal is not None:
        name, keys = subtotal
        members = tuple(i for i, key in enumerate(categories) if key in keys)
        grid.append([sum(grid[i][j] for i in members) for j in range(len(columns))])
        labels.append(name)
    grid.append(list(totals))
    labels.append(TOTAL)
    total_row = len(grid) - 1
    lines = [Line(tuple((i, j) for i in range(n_cells)), (total_row, j)) for j in range(len(columns))]
    if subtotal is not None:
        others = [i for i in range(n_cells) if i not in members]
        for j in range(len(columns)):
            lines.append(Line(tuple((i, j) for i in members), (n_cells, j)))
            # the total minus the subtotal gives the other cells' sum: a line as well
            lines.append(Line((*((i, j) for i in others), (n_cells, j)), (total_row, j)))
    return Breakdown(labels, suppress(grid, threshold, lines))


def _shares(found: Breakdown, threshold: int) -> list[list]:
    """Each row's count and its share of the total; a share goes with its hidden count."""
    total = found.table.values[found.total_row][0]
    rows = []
    for i, label in enumerate(found.labels):
        shown = found.table.shown(i, 0)
        if i == found.total_row or not total:
            rows.append([label, shown, None])
            continue
        hidden = found.table.hidden(i, 0) or total < threshold
        rows.append([label, shown, _rate(indicators.rate(found.table.values[i][0], total), hidden)])
    return rows


# --- the new porteurs of the period (Profil, shares) -----------------------------------

def _new_porteurs(dataset: Dataset, period: Period) -> pd.DataFrame:
    porteurs = dataset.porteurs
    inside = porteurs["date_premier_contact"].between(pd.Timestamp(period.debut), pd.Timestamp(period.fin))
    return porteurs[inside.fillna(False).astype(bool)]


def _counts_by(values: pd.Series, categories: tuple[str, ...]) -> dict[str, int]:
    counts = values.dropna().value_counts()
    result = {str(c): int(counts.get(c, 0)) for c in categories}
    for extra in sorted(str(v) for v in counts.index if str(v) not in result):
        result[extra] = int(counts[extra])
    return result


def new_by_quartier(dataset: Dataset, period: Period) -> dict[str, int]:
    return _counts_by(_new_porteurs(dataset, period)["quartier"], dataset.settings.values(schema.QUARTIERS))


def new_by_sexe(dataset: Dataset, period: Period) -> dict[str, int]:
    return _counts_by(_new_porteurs(dataset, period)["sexe"], dataset.settings.values("Sexe"))


@dataclass(frozen=True)
class Profile:
    """The breakdowns of the new porteurs of the period, suppressed once for Profil and the shares."""

    quartier: Breakdown
    sexe: Breakdown
    age: Breakdown
    situation: Breakdown
    prescripteur: Breakdown


def profile(ctx: Context) -> Profile:
    dataset, period, t = ctx.dataset, ctx.period, ctx.threshold
    total = [indicators.nouveaux_porteurs(dataset, period, ctx.as_of)]
    return Profile(
        quartier=breakdown([new_by_quartier(dataset, period)], total, t, (DONT_QPV, dataset.settings.qpv_names())),
        sexe=breakdown([new_by_sexe(dataset, period)], total, t),
        age=breakdown([indicators.par_tranche_age(dataset, period, ctx.as_of)], total, t),
        situation=breakdown([indicators.par_situation(dataset, period, ctx.as_of)], total, t),
        prescripteur=breakdown([indicators.par_prescripteur(dataset, period, ctx.as_of)], total, t),
    )


# --- Lisez-moi ------------------------------------------------------------------------

def lisez_moi(ctx: Context, source_sha256: str, version: str, generated_at: datetime | None) -> SheetLayout:
    t = ctx.threshold
    about = [
        ["Site", ctx.dataset.settings.nom_du_site],
        ["Période", f"{_capitalized(ctx.period.titre)} (du {ctx.period.debut:%d/%m/%Y} au {ctx.period.fin:%d/%m/%Y})"],
        ["Données arrêtées au", f"{ctx.as_of:%d/%m/%Y}"],
    ]
    if generated_at is not None:
        about.append(["Fichier produit le", f"{generated_at:%d/%m/%Y à %H:%M}"])
    about += [
        ["Outil", f"citeslab-xl, version {version}"],
        ["Seuil de secret statistique", f"{t} (voir ci-dessous)"],
        ["Empreinte SHA-256 du classeur source", source_sha256],
    ]
    notes = [
        Note(f"« < {t} » : le nombre est compris entre 1 et {t - 1} (entre 0 et {t - 1} dans le détail d'un total "
             f"lui-même « < {t} »). Les effectifs inférieurs à {t} ne sont pas publiés, pour qu'aucune personne ne "
             "puisse être reconnue. Les cellules concernées sont grisées."),
        Note("« masqué » : le nombre n'est pas petit, mais il est caché lui aussi (secret secondaire). Sans cela, "
             "on retrouverait un nombre « < " f"{t} » en le soustrayant du total de la ligne ou de la colonne. "
             f"Sous un total « < {t} », tout le détail est caché, zéros compris. Un taux ou une part est masqué "
             f"quand il porte sur moins de {t} personnes, ou quand il permettrait de retrouver un nombre caché."),
        Note("Ce classeur ne contient aucune donnée personnelle : ni nom, ni date de naissance, ni coordonnées, "
             "ni SIRET, ni identifiant, ni commentaire, ni date d'un rendez-vous ou d'un événement d'une personne, "
             "ni nom de chargé de mission. Il ne contient que des nombres calculés, sans formule ni lien vers le "
             "classeur source. L'empreinte SHA-256 permet de vérifier de quel classeur source les chiffres sont "
             "tirés, sans le transmettre."),
        Note("Les définitions des indicateurs sont celles de l'outil citeslab-xl : un nouveau porteur a son premier "
             "contact dans la période ; une personne accompagnée est un nouveau porteur ou une personne reçue en "
             "rendez-vous dans la période ; la file active compte les personnes vues en rendez-vous dans les 90 "
             "jours, hors abandons. Dans les graphiques, une valeur cachée compte pour zéro."),
    ]
    blocks = [
        Table(["Élément", "Valeur"], about, title="Ce fichier"),
        Table(["Feuille", "Contenu"], [list(item) for item in SHEET_CONTENTS], title="Ce que contient chaque feuille"),
        *notes,
    ]
    return SheetLayout(LISEZ_MOI, "Chiffres CitésLab pour l'agglomération",
                       f"{ctx.dataset.settings.nom_du_site} — {ctx.period.titre}", blocks,
                       # narrow spare columns: the notes span six columns and the page is portrait
                       widths={0: 36, 1: 66, **{j: 2 for j in range(2, 6)}})


# --- Indicateurs -----------------------------------------------------------------------

def _total_of(values: dict, key: str) -> int:
    return sum(int(v.get(key) or 0) for v in values.values())


COUNT, PLAIN = "count", "plain"

# (label, how to read it from the indicators, COUNT / PLAIN / the label of the count it derives from, percent)
ACTIVITY: tuple[tuple[str, Callable[[dict], object], str, bool], ...] = (
    ("Nouveaux porteurs", lambda k: k["nouveaux_porteurs"], COUNT, False),
    ("Personnes accompagnées", lambda k: k["accompagnes"], COUNT, False),
    ("Porteurs reçus en rendez-vous", lambda k: k["porteurs_recus"], COUNT, False),
    ("Rendez-vous", lambda k: k["rdv"], COUNT, False),
    ("Heures d'entretien", lambda k: k["heures"], "Rendez-vous", False),
    ("Orientations vers un partenaire", lambda k: sum(k["orientations"].values()), COUNT, False),
    ("Créations d'entreprise", lambda k: k["creations"], COUNT, False),
    ("Ateliers collectifs", lambda k: _total_of(k["ateliers"], "nombre"), PLAIN, False),
    ("Participants aux ateliers", lambda k: _total_of(k["ateliers"], "participants"), COUNT, False),
    ("Actions de sensibilisation", lambda k: _total_of(k["sensibilisation"], "nombre"), PLAIN, False),
    ("Personnes sensibilisées", lambda k: _total_of(k["sensibilisation"], "personnes"), COUNT, False),
    ("File active (90 jours)", lambda k: k["file_active"], COUNT, False),
    ("ETP", lambda k: k["etp"], PLAIN, False),
    ("File active par ETP", lambda k: k["file_active_par_etp"], "File active (90 jours)", False),
    ("Capacité (file active)", lambda k: k["capacite"], PLAIN, False),
    ("Taux de charge", lambda k: k["taux_charge"], "File active (90 jours)", True),
    ("Taux de charge avec un second poste", lambda k: k["scenario_poste_2"], "File active (90 jours)", True),
)


def _activity_cell(figures: dict, pick, kind: str, threshold: int):
    value = pick(figures)
    if kind == PLAIN or value is None:
        return value
    if kind == COUNT:
        return _count(value, threshold)
    source = next(p for name, p, _, _ in ACTIVITY if name == kind)
    return SECONDARY_MARK if is_small(source(figures), threshold) else value


def _activity_table(columns: list[tuple[str, Period]], figures: list[dict], threshold: int) -> Table:
    rows, formats = [], {}
    for i, (label, pick, kind, percent) in enumerate(ACTIVITY):
        row = [label, *(_activity_cell(k, pick, kind, threshold) for k in figures)]
        rows.append(row)
        if percent:
            formats.update({(i, j): PERCENT for j in range(1, len(row)) if isinstance(row[j], float)})
    return Table(["Indicateur", *(header for header, _ in columns)], rows, title="Activité", cell_formats=formats)


def _breakdown_table(title: str, header: str, columns, figures: list[dict], key: str,
                     totals: list[int], threshold: int) -> Table:
    found = breakdown([k[key] for k in figures], totals, threshold)
    return Table([header, *(h for h, _ in columns)], found.rows(), title=title)


def _public_rates(ctx: Context, period: Period, profile_: Profile | None) -> list[tuple[str, float | None, bool]]:
    """The three shares of indicators.md › Public, each with whether it must be hidden."""
    t, dataset = ctx.threshold, ctx.dataset
    sexe = new_by_sexe(dataset, period)
    women, men = sexe.get("F", 0), sexe.get("H", 0)
    quartiers = new_by_quartier(dataset, period)
    qpv = sum(n for q, n in quartiers.items() if q in dataset.settings.qpv_names())
    located = sum(quartiers.values())
    ages = indicators.par_tranche_age(dataset, period, ctx.as_of)
    young, dated = ages.get("<26", 0), sum(ages.values()) - ages.get("inconnu", 0)
    shares = [
        ("Part de femmes", women, women + men, profile_.sexe if profile_ else None),
        ("Part des habitants d'un QPV", qpv, located, profile_.quartier if profile_ else None),
        ("Part des moins de 26 ans", young, dated, profile_.age if profile_ else None),
    ]
    return [(label, indicators.rate(num, den), rate_hidden(num, den, t) or (shown is not None and shown.any_hidden()))
            for label, num, den, shown in shares]


def _public_table(ctx: Context, columns, profile_: Profile) -> Table:
    per_column = [_public_rates(ctx, period, profile_ if period == ctx.period else None) for _, period in columns]
    rows = [[label, *(_rate(col[i][1], col[i][2]) for col in per_column)]
            for i, (label, _, _) in enumerate(per_column[0])]
    return Table(["Part des nouveaux porteurs", *(h for h, _ in columns)], rows, title="Public",
                 cell_formats=_percent_cells(rows, range(1, len(columns) + 1)))


def _cohort_table(ctx: Context) -> Table:
    t, rows = ctx.threshold, []
    cohorts = {**indicators.taux_creation(ctx.dataset, periods.previous_year(ctx.period), ctx.as_of),
               **indicators.taux_creation(ctx.dataset, ctx.period, ctx.as_of)}
    for year in sorted(cohorts):
        c = cohorts[year]
        # the cohort and its creations are both shown: the rate only adds what the creations would hide
        hidden = rate_hidden(c["creations"], c["cohorte"], t, complement_hidden=False)
        rows.append([year, _count(c["cohorte"], t), _count(c["creations"], t), _rate(c["taux"], hidden),
                     c["objectif"]])
    return Table(["Cohorte (année du premier contact)", "Personnes", "Entreprises créées à ce jour",
                  "Taux de création", "Objectif"], rows, title="Taux de création par cohorte",
                 formats={4: PERCENT}, cell_formats=_percent_cells(rows, range(3, 4)))


def _events_table(figures: dict[str, dict[str, int]], threshold: int, title: str, header: str, events: str,
                  people: str, amount_key: str) -> Table:
    """Workshops or actions of the period by type: their number as it is, the people suppressed."""
    people_by_type = {kind: v[amount_key] for kind, v in figures.items()}
    found = breakdown([people_by_type], [sum(people_by_type.values())], threshold)
    numbers = [v["nombre"] for v in figures.values()]
    rows = [[label, number, shown]
            for label, number, (_, shown) in zip(found.labels, [*numbers, sum(numbers)], found.rows())]
    return Table([header, events, people], rows, title=title)


def indicateurs(ctx: Context, profile_: Profile) -> SheetLayout:
    t, dataset = ctx.threshold, ctx.dataset
    columns = ctx.compare()
    figures = [indicators.compute(dataset, period, ctx.as_of) for _, period in columns]
    rdv_totals = [k["rdv"] for k in figures]
    blocks = [
        _activity_table(columns, figures, t),
        _public_table(ctx, columns, profile_),
        _breakdown_table("Rendez-vous par type", "Type", columns, figures, "rdv_par_type", rdv_totals, t),
        _breakdown_table("Rendez-vous par modalité", "Modalité", columns, figures, "rdv_par_modalite", rdv_totals, t),
        _breakdown_table("Orientations par partenaire", "Partenaire", columns, figures, "orientations",
                         [sum(k["orientations"].values()) for k in figures], t),
        _events_table(figures[0]["ateliers"], t, f"Ateliers collectifs — {ctx.period.titre}", "Type d'atelier",
                      "Ateliers", "Participants", "participants"),
        _events_table(figures[0]["sensibilisation"], t, f"Sensibilisation — {ctx.period.titre}", "Type de lieu",
                      "Actions", "Personnes touchées", "personnes"),
        _cohort_table(ctx),
        Note("File active : personnes vues en rendez-vous dans les 90 jours qui finissent à la fin de la période "
             "(ou à la date d'arrêt), hors abandons. Taux de charge : file active / capacité (capacité par ETP × "
             "ETP) ; la dernière ligne de l'activité le montre avec un second poste. Taux de création : part des "
             "personnes d'une cohorte qui ont créé leur entreprise à la date d'arrêt."),
    ]
    return SheetLayout(INDICATEURS, f"Indicateurs — {ctx.period.titre}", _subtitle(ctx), blocks,
                       widths={0: 38, **{j: 18 for j in range(1, 6)}}, landscape=len(columns) > 2)


def _subtitle(ctx: Context) -> str:
    return f"{ctx.dataset.settings.nom_du_site} — données au {ctx.as_of:%d/%m/%Y} — « < {ctx.threshold} » et " \
           "« masqué » : voir Lisez-moi"


# --- Mensuel -------------------------------------------------------------------------

MONTHLY = (  # (header, key of indicators.monthly_activity, kind): COUNT adds up over the months
    ("Nouveaux porteurs", "nouveaux_porteurs", COUNT),
    ("Personnes accompagnées", "accompagnes", "distinct"),
    ("Rendez-vous", "rdv", COUNT),
    ("Orientations", "orientations", COUNT),
    ("Créations", "creations", COUNT),
    ("Ateliers", "ateliers", PLAIN),
    ("Participants aux ateliers", "participants", COUNT),
    ("Actions de sensibilisation", "sensibilisation", PLAIN),
    ("Personnes sensibilisées", "personnes", COUNT),
)


def mensuel(ctx: Context) -> SheetLayout:
    months = periods.months_between(ctx.period.debut, ctx.period.fin)
    figures = indicators.monthly_activity(ctx.dataset, months, ctx.as_of)
    suppressed = [(j, key, kind) for j, (_, key, kind) in enumerate(MONTHLY) if kind != PLAIN]
    grid = [[row[key] for _, key, _ in suppressed] for row in figures]
    n = len(grid)
    # the total row (the period's figures of Indicateurs) is not shown here, but the months must not give it away
    grid.append([sum(r[c] for r in grid[:n]) if kind == COUNT else None for c, (_, _, kind) in enumerate(suppressed)])
    lines = [Line(tuple((i, c) for i in range(n)), (n, c))
             for c, (_, _, kind) in enumerate(suppressed) if kind == COUNT]
    table = suppress(grid, ctx.threshold, lines)
    position = {j: c for c, (j, _, _) in enumerate(suppressed)}
    rows = []
    for i, (month, row) in enumerate(zip(months, figures)):
        cells = [table.shown(i, position[j]) if j in position else row[key] for j, (_, key, _) in enumerate(MONTHLY)]
        rows.append([_capitalized(month.titre), *cells])
    blocks: list = [Table(["Mois", *(h for h, _, _ in MONTHLY)], rows, title=f"Mois par mois — {ctx.period.titre}")]
    if len(months) > 1:
        blocks.append(Chart("col", "Nouveaux porteurs et personnes accompagnées par mois", table=0, series=[1, 2]))
    blocks.append(Note("Les totaux de la période sont dans la feuille « Indicateurs ». Une personne accompagnée "
                       "plusieurs mois compte dans chacun de ces mois. Dans le graphique, une valeur cachée compte "
                       "pour zéro."))
    return SheetLayout(MENSUEL, f"Activité mensuelle — {ctx.period.titre}", _subtitle(ctx), blocks,
                       widths={0: 16, **{j: 14 for j in range(1, len(MONTHLY) + 1)}}, landscape=True)


# --- Profil --------------------------------------------------------------------------

def _share_table(found: Breakdown, title: str, header: str, counted: str, threshold: int) -> Table:
    rows = _shares(found, threshold)
    return Table([header, counted, "Part"], rows, title=title, cell_formats=_percent_cells(rows, range(2, 3)))


def profil(ctx: Context, profile_: Profile) -> SheetLayout:
    t = ctx.threshold
    counted = "Nouveaux porteurs"
    blocks = [
        _share_table(profile_.quartier, "Par quartier", "Quartier", counted, t),
        _share_table(profile_.sexe, "Par sexe", "Sexe", counted, t),
        _share_table(profile_.age, "Par tranche d'âge (âge au premier contact)", "Tranche d'âge", counted, t),
        _share_table(profile_.situation, "Par situation", "Situation", counted, t),
        _share_table(profile_.prescripteur, "Par prescripteur", "Prescripteur", counted, t),
    ]
    return SheetLayout(PROFIL, f"Profil des nouveaux porteurs — {ctx.period.titre}", _subtitle(ctx), blocks,
                       widths={0: 36, 1: 18, 2: 10})


# --- Créations -----------------------------------------------------------------------

def _perennite_table(ctx: Context) -> Table:
    t = ctx.threshold
    survival = indicators.perennite(ctx.dataset, ctx.period, ctx.as_of)
    years = list(survival)
    grid = [[survival[k]["actives"], survival[k]["eligibles"] - survival[k]["actives"], survival[k]["eligibles"]]
            for k in years]
    table = suppress(grid, t, [Line(((i, 0), (i, 1)), (i, 2)) for i in range(len(years))])
    rows = []
    for i, k in enumerate(years):
        hidden = survival[k]["eligibles"] < t or table.hidden(i, 0) or table.hidden(i, 1)
        rows.append([f"{k} an{'s' if k != '1' else ''}", table.shown(i, 2), table.shown(i, 0), table.shown(i, 1),
                     _rate(survival[k]["taux"], hidden)])
    return Table(["Pérennité", "Entreprises créées depuis au moins ce temps", "Toujours actives", "Cessées",
                  "Taux de pérennité"], rows, title=f"Pérennité des entreprises créées (au {ctx.as_of:%d/%m/%Y})",
                 cell_formats=_percent_cells(rows, range(4, 5)))


def creations_sheet(ctx: Context) -> SheetLayout:
    t, dataset, period, as_of = ctx.threshold, ctx.dataset, ctx.period, ctx.as_of
    total = [indicators.creations(dataset, period, as_of)]
    by_quartier = breakdown([indicators.creations_par_quartier(dataset, period, as_of)], total, t,
                            (DONT_QPV, dataset.settings.qpv_names()))
    blocks = [
        Table(["Forme juridique", "Créations"],
              breakdown([indicators.creations_par_forme(dataset, period, as_of)], total, t).rows(),
              title="Par forme juridique"),
        Table(["Secteur", "Créations"],
              breakdown([indicators.creations_par_secteur(dataset, period, as_of)], total, t).rows(),
              title="Par secteur"),
        Table(["Quartier", "Créations"], by_quartier.rows(), title="Par quartier du porteur"),
        _perennite_table(ctx),
        Table(["Emplois", "Nombre"],
              [["Dans les entreprises de moins de trois ans",
                _count(indicators.emplois(dataset, period, as_of), t)]], title="Emplois"),
        Note("Pérennité à k ans : parmi les entreprises créées au moins k ans avant la date d'arrêt, celles qui "
             "n'avaient pas cessé leur activité k ans après leur création. Emplois : ceux du dernier suivi de "
             "chaque entreprise créée depuis moins de trois ans, créateur compris."),
    ]
    return SheetLayout(CREATIONS, f"Créations d'entreprise — {period.titre}", _subtitle(ctx), blocks,
                       widths={0: 40, 1: 20, 2: 16, 3: 12, 4: 16})


# --- Financement ---------------------------------------------------------------------

def financement(ctx: Context) -> SheetLayout:
    t, dataset = ctx.threshold, ctx.dataset
    funders = list(dataset.funders)
    split = funding.split_funding(dataset)
    etp = {}
    for row in split.rows:
        etp[row.annee] = etp.get(row.annee, 0) + (row.etp or 0)
    rows = []
    for year in funding.funding_years(dataset, ctx.as_of):
        if year.annee > ctx.period.fin.year:
            continue
        per_person = SECONDARY_MARK if year.cout_par_accompagne is not None and year.accompagnes < t \
            else year.cout_par_accompagne
        per_creation = SECONDARY_MARK if year.cout_par_creation is not None and year.creations < t \
            else year.cout_par_creation
        rows.append([str(year.annee), float(etp[year.annee]), year.cout, *(year.parts.get(f) for f in funders),
                     year.reste_a_charge, per_person, per_creation])
    n = len(funders)
    money = {j: EURO for j in range(2, 2 + n + 4)}
    blocks: list = [Table(["Année", "ETP", "Coût total", *funders, "Reste à charge", "Coût par accompagné",
                           "Coût par création"], rows, title="Par année", formats={1: "0.00", **money})]
    if rows:
        blocks.append(Chart("col", "Part de chaque financeur par année", table=0, series=list(range(3, 3 + n)),
                            y_title="euros"))
    notes = ["Montants au centime près : les arrondis sont répartis pour que la somme des parts égale exactement "
             "le coût couvert. Le reste à charge est la part qu'aucun financeur ne couvre. Un coût par personne "
             f"ou par création est masqué quand il porte sur moins de {t} personnes ou créations."]
    wrong = sorted({row.annee for row in split.errors if row.annee <= ctx.period.fin.year})
    if wrong:
        notes.append("Années " + ", ".join(map(str, wrong)) + " : une ligne dont les parts dépassent 100 % n'est "
                     "pas répartie entre les financeurs ; son coût compte dans le coût total.")
    blocks += [Note(text) for text in notes]
    return SheetLayout(FINANCEMENT, "Financement du poste", _subtitle(ctx), blocks,
                       widths={0: 8, 1: 8, **{j: 16 for j in range(2, 2 + n + 4)}}, landscape=True)


# --- the whole export -----------------------------------------------------------------

def build_export(dataset: Dataset, period: Period, as_of: date, source_sha256: str, version: str,
                 *, generated_at: datetime | None = None) -> list[SheetLayout]:
    """The six sheets of the shared workbook, in order (`generated_at` is shown in Lisez-moi when given)."""
    ctx = Context(dataset, period, as_of)
    profile_ = profile(ctx)
    return [
        lisez_moi(ctx, source_sha256, version, generated_at),
        indicateurs(ctx, profile_),
        mensuel(ctx),
        profil(ctx, profile_),
        creations_sheet(ctx),
        financement(ctx),
    ]


# --- the file (adapter) -----------------------------------------------------------------

def flag_hidden_cells(wb, threshold: int) -> None:
    """Grey the cells that show « < N » or « masqué », so that they stand out in print too."""
    marks = {small_mark(threshold), SECONDARY_MARK}
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_col=2):
            for cell in row:
                if cell.value in marks:
                    cell.fill, cell.font = FLAG_FILL, FLAG_FONT
                    cell.alignment = Alignment(horizontal="right")


def strip_workbook(wb) -> None:
    """Leave only values in the file: no formula, name, link, hidden sheet or borrowed property."""
    for ws in wb.worksheets:
        ws.sheet_state = "visible"
        for name in list(ws.defined_names):
            del ws.defined_names[name]
        ws.print_title_rows = None
        ws.print_title_cols = None
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    raise ValueError(f"formule inattendue dans l'export : {ws.title}!{cell.coordinate}")
                if cell.hyperlink is not None:
                    cell.hyperlink = None
    for name in list(wb.defined_names):
        del wb.defined_names[name]
    wb._external_links = []
    wb.custom_doc_props.props = []
    wb.properties = DocumentProperties(creator=CREATOR, title="Chiffres CitésLab pour l'agglomération",
                                       lastModifiedBy=None)


def write_export(dataset: Dataset, period: Period, as_of: date, source_path: str | Path, out_path: str | Path,
                 version: str) -> Path:
    """Write the shared workbook at `out_path` (never over the source) and return its path."""
    source, target = Path(source_path), Path(out_path)
    if target.resolve() == source.resolve():
        raise WriteRefused(f"L'export ne peut pas remplacer le classeur source {source.name} : "
                           "donnez un autre nom de fichier.")
    layouts = build_export(dataset, period, as_of, sha256_of(source), version,
                           generated_at=datetime.now().replace(microsecond=0))
    wb = render.render_workbook(layouts)
    flag_hidden_cells(wb, int(dataset.settings.seuil_secret))
    strip_workbook(wb)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=".export-", suffix=".xlsx", dir=target.parent)
    os.close(handle)
    try:
        wb.save(temp)
        os.replace(temp, target)
    finally:
        if os.path.exists(temp):
            os.remove(temp)
    return target
