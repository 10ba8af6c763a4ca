"""The workbook shared with the agglomeration (shared/spec/export.md).

`build_export` (pure) turns a validated Dataset into six sheets described as
layouts: aggregated figures only, every count of people or of their events
suppressed below the threshold (Paramètres › Seuil de secret statistique) by
`suppression`, against every total the workbook shows. The file itself is
written by `adapters.export_file`, which receives these layouts and carries
nothing else: no formula, no defined name, no hidden sheet, no link, no
document property from the source. Labels and kinds come from `figures`.

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
- A count that bounds one of the year patterns' (accompagnés, reçus,
  orientés: `export_tables.LINKED`), and pérennité's counts, are hidden
  where what they bound is; a share whose numerator no table shows is
  decided month by month (`export_tables.public_rates`).
- Mensuel has no total row, so that its chart shows months only: the totals
  of the period are those of Indicateurs, and the months are suppressed
  against them.
- Financement shows one row per year, never per post: a post's label is free
  text and a single post's cost is a salary.
- The counts of the year patterns' families (new porteurs, rendez-vous,
  orientations, creations, workshop participants, people reached, with their
  breakdowns) are read from their calendar year's pattern
  (`export_pattern`, `year_pattern`): every file of the year shows them the
  same way, and no total of months reopens a hidden month. A comparison that
  cuts a month (the same days of the previous year) derives them from that
  year's pattern where safe (`export_pattern.Patterns`), else « masqué ».
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from citeslab_xl.core import funding, indicators, monthly, periods
from citeslab_xl.core.audit import protection
from citeslab_xl.core.dataset import Dataset
from citeslab_xl.core.export_pattern import FAMILY_KEYS, Patterns
from citeslab_xl.core.export_tables import (
    LINKED,
    Breakdown,
    Context,
    Profile,
    capitalized,
    count_cell,
    hidden_count,
    linked_cell,
    pattern_breakdown,
    percent_cells,
    perennite_counts_hidden,
    profile,
    public_rates,
    rate_cell,
    shares,
)
from citeslab_xl.core.figures import Kind, figure, label, years_label
from citeslab_xl.core.indicators import Actions, Ateliers, Indicators
from citeslab_xl.core.layout import EURO, PERCENT, Block, Chart, Note, SheetLayout, Table
from citeslab_xl.core.periods import Period
from citeslab_xl.core.suppression import SECONDARY_MARK, Line, is_small, rate_hidden, suppress

LISEZ_MOI = "Lisez-moi"
INDICATEURS = "Indicateurs"
MENSUEL = "Mensuel"
PROFIL = "Profil"
CREATIONS = "Créations"
FINANCEMENT = "Financement"
SHEETS = (LISEZ_MOI, INDICATEURS, MENSUEL, PROFIL, CREATIONS, FINANCEMENT)

TITLE = "Chiffres CitésLab pour l'agglomération"
EN_COURS = "en cours"

SHEET_CONTENTS = (  # one short line each: a table cell does not wrap
    (INDICATEURS, "Les indicateurs, comparés à l'an dernier et en cumul annuel"),
    (MENSUEL, "L'activité mois par mois"),
    (PROFIL, "Les nouveaux porteurs par quartier, sexe, âge, situation, prescripteur"),
    (CREATIONS, "Les créations par forme, secteur, quartier ; pérennité, emplois"),
    (FINANCEMENT, "Le coût du poste et la part de chaque financeur, par année"),
)


# --- Lisez-moi ------------------------------------------------------------------------

def lisez_moi(ctx: Context, source_sha256: str, version: str, generated_at: datetime | None) -> SheetLayout:
    t = ctx.threshold
    about = [
        ["Site", ctx.dataset.settings.nom_du_site],
        ["Période", f"{capitalized(ctx.period.titre)} (du {ctx.period.debut:%d/%m/%Y} au {ctx.period.fin:%d/%m/%Y})"],
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
        Note("Le secret vaut pour tous les fichiers d'une même année : ce qui est caché est décidé une fois pour "
             "l'année, mois par mois, et chaque fichier de l'année (mois, trimestre, cumul, année) le reprend ; une "
             "case cachée dans un fichier l'est dans tous. Un total de plusieurs mois (trimestre, cumul, année) qui "
             "contient un mois caché est caché lui aussi, pour qu'aucune soustraction entre fichiers ne le "
             "retrouve : aucun recoupement de l'ensemble des fichiers de l'année ne donne la valeur d'une case "
             f"« < {t} ». Les chiffres sont ceux connus à la date d'arrêt : quand ils changent, le secret de l'année "
             "est décidé à nouveau, et ce fichier remplace les chiffres des fichiers produits avant lui. Les mêmes "
             "jours de l'année précédente, quand ils coupent un mois, ne sont montrés que si le mois entier l'est, "
             f"et si ni ces jours ni le reste du mois ne laissent un nombre inférieur à {t}, même par différence "
             "avec un fichier arrêté à un autre jour ; sinon « masqué » (là seulement, « masqué » peut cacher un "
             "petit nombre)."),
        Note(protection(t)),
        Note("Certains chiffres en bornent d'autres : un nouveau porteur est une personne accompagnée, un porteur "
             "reçu a eu un rendez-vous, une orientation est celle d'une personne orientée, et les entreprises "
             "créées depuis au moins un an sont des créations des mois d'avant. Ils sont donc masqués là où ce "
             "qu'ils bornent l'est : personnes accompagnées et porteurs reçus avec les nouveaux porteurs ou les "
             "rendez-vous, personnes orientées avec les orientations, effectifs de la pérennité avec les créations "
             "qu'ils comptent (son taux reste affiché). Une part dont aucun tableau ne montre le nombre (moins de "
             "25 ans, niveau bac ou plus, habitants d'un QPV) n'est montrée pour plusieurs mois que si elle l'est "
             "pour chacun d'eux, et jamais pour des jours qui coupent un mois."),
        Note("Les définitions des indicateurs sont celles de l'outil citeslab-xl : un nouveau porteur a son premier "
             "contact dans la période ; une personne accompagnée est un nouveau porteur ou une personne reçue en "
             "rendez-vous dans la période ; la file active compte les personnes vues en rendez-vous dans les 90 "
             "jours, hors abandons. Dans les graphiques, une valeur cachée compte pour zéro."),
    ]
    blocks: list[Block] = [
        Table(["Élément", "Valeur"], about, title="Ce fichier"),
        Table(["Feuille", "Contenu"], [list(item) for item in SHEET_CONTENTS], title="Ce que contient chaque feuille"),
        *notes,
    ]
    return SheetLayout(LISEZ_MOI, TITLE,
                       f"{ctx.dataset.settings.nom_du_site} — {ctx.period.titre}", blocks,
                       # narrow spare columns: the notes span six columns and the page is portrait
                       widths={0: 36, 1: 66, **{j: 2 for j in range(2, 6)}})


# --- Indicateurs -----------------------------------------------------------------------

INDICATEURS_ACTIVITY = (  # keys of figures.CATALOGUE
    "nouveaux_porteurs", "accompagnes", "porteurs_recus", "rdv", "heures", "orientations_total", "orientes",
    "taux_orientation", "creations", "ateliers_nombre", "ateliers_participants", "sensibilisation_nombre",
    "sensibilisation_personnes", "file_active", "etp", "file_active_par_etp", "capacite", "taux_charge",
    "scenario_poste_2",
)


RATE_PARTS = {"taux_orientation": ("orientes", "accompagnes")}  # numerator and denominator, both in Activité


def _activity_cell(ctx: Context, period: Period, figures: Indicators, key: str) -> int | float | str | None:
    """A count of the year patterns as they show it; another count hidden when small; a figure computed from
    a count hidden with it; the rest as it is."""
    value, shown, threshold = figures.scalar(key), figure(key), ctx.threshold
    if value is None:
        return None
    if key in FAMILY_KEYS:
        return ctx.patterns.shown(key, period)
    if key in LINKED:
        return linked_cell(ctx, key, int(value), period)
    if key in RATE_PARTS:  # rate × denominator gives the numerator back: shown only with both
        hidden = any(isinstance(_activity_cell(ctx, period, figures, part), str) for part in RATE_PARTS[key])
        return SECONDARY_MARK if hidden else value
    if shown.kind is Kind.COUNT:
        return count_cell(int(value), threshold)
    source = figures.scalar(shown.computed_from) if shown.computed_from else None
    if shown.computed_from in FAMILY_KEYS:
        return SECONDARY_MARK if ctx.patterns.hidden(shown.computed_from, period) else value
    return SECONDARY_MARK if source is not None and is_small(int(source), threshold) else value


def _activity_table(ctx: Context, columns: list[tuple[str, Period]], figures: list[Indicators]) -> Table:
    rows, formats = [], {}
    for i, key in enumerate(INDICATEURS_ACTIVITY):
        row = [label(key), *(_activity_cell(ctx, period, k, key) for (_, period), k in zip(columns, figures,
                                                                                           strict=True))]
        rows.append(row)
        number_format = figure(key).number_format
        if number_format is not None:
            formats.update({(i, j): number_format for j in range(1, len(row)) if isinstance(row[j], float)})
    return Table(["Indicateur", *(header for header, _ in columns)], rows, title="Activité", cell_formats=formats)


def _breakdown_table(ctx: Context, family: str, key: str, header: str, columns: list[tuple[str, Period]]) -> Table:
    found = pattern_breakdown(ctx, family, key, [period for _, period in columns])
    return Table([header, *(h for h, _ in columns)], found.rows(), title=label(key))


def _public_table(ctx: Context, columns, profile_: Profile) -> Table:
    per_column = [public_rates(ctx, period, profile_ if period == ctx.period else profile(ctx, period))
                  for _, period in columns]
    rows = [[label, *(rate_cell(col[i][1], col[i][2]) for col in per_column)]
            for i, (label, _, _) in enumerate(per_column[0])]
    return Table(["Nouveaux porteurs", *(h for h, _ in columns)], rows, title="Public",
                 cell_formats=percent_cells(rows, range(1, len(columns) + 1)))


def _cohort_table(ctx: Context) -> Table:
    t, rows = ctx.threshold, []
    cohorts = {**indicators.taux_creation(ctx.dataset, periods.previous_year(ctx.period), ctx.as_of),
               **indicators.taux_creation(ctx.dataset, ctx.period, ctx.as_of)}
    for year in sorted(cohorts):
        c = cohorts[year]
        # the cohort and its creations are both shown: the rate only adds what the creations would hide
        # the cohort is the year's new porteurs: shown as the year's pattern shows them
        size = periods.year(int(year))
        cohort_hidden = ctx.patterns.hidden("nouveaux_porteurs", size)
        hidden = rate_hidden(c.creations, c.cohorte, t, complement_hidden=False) or cohort_hidden
        # its businesses are some of its people: beside a hidden cohort they would bound it from below
        created = hidden_count(c.creations, t) if cohort_hidden else count_cell(c.creations, t)
        # a cohort that can still grow is not held against the objective (indicators.md › Comparisons)
        rows.append([year, ctx.patterns.shown("nouveaux_porteurs", size), created,
                     rate_cell(c.taux, hidden),
                     EN_COURS if c.en_cours else c.objectif])
    return Table(["Cohorte (année du premier contact)", "Personnes", "Entreprises créées à ce jour",
                  "Taux de création", "Objectif"], rows, title="Taux de création par cohorte",
                 formats={4: PERCENT}, cell_formats=percent_cells(rows, range(3, 4)))


def _events_table(ctx: Context, family: str, key: str, events: dict[str, Ateliers] | dict[str, Actions], title: str,
                  header: str) -> Table:
    """Workshops or actions of the period by type: their number as it is, the people as the year pattern shows."""
    number, people = figure(key).parts
    found = pattern_breakdown(ctx, family, key, [ctx.period])
    kinds = found.labels[:-1]
    numbers = [events[kind].nombre if kind in events else 0 for kind in kinds]
    rows = [[row_label, n, shown]
            for row_label, n, (_, shown) in zip(found.labels, [*numbers, sum(numbers)], found.rows(), strict=True)]
    return Table([header, number.label, people.label], rows, title=title)


def indicateurs(ctx: Context, profile_: Profile) -> SheetLayout:
    dataset = ctx.dataset
    columns = ctx.compare()
    figures = [indicators.compute(dataset, period, ctx.as_of) for _, period in columns]
    blocks: list[Block] = [
        _activity_table(ctx, columns, figures),
        _public_table(ctx, columns, profile_),
        _breakdown_table(ctx, "rdv", "rdv_par_type", "Type", columns),
        _breakdown_table(ctx, "rdv", "rdv_par_modalite", "Modalité", columns),
        _breakdown_table(ctx, "orientations_total", "orientations", "Partenaire", columns),
        _events_table(ctx, "ateliers_participants", "ateliers", figures[0].ateliers,
                      f"{label('ateliers_nombre')} — {ctx.period.titre}", "Type d'atelier"),
        _events_table(ctx, "sensibilisation_personnes", "sensibilisation", figures[0].sensibilisation,
                      f"Sensibilisation — {ctx.period.titre}", "Type de lieu"),
        _cohort_table(ctx),
        Note("File active : personnes vues en rendez-vous dans les 90 jours qui finissent à la fin de la période "
             "(ou à la date d'arrêt), hors abandons. Taux de charge : file active / capacité (capacité par ETP × "
             "ETP) ; la dernière ligne de l'activité le montre avec un second poste. Taux de création : part des "
             "personnes d'une cohorte qui ont créé leur entreprise à la date d'arrêt ; « en cours » quand l'année de "
             "la cohorte n'est pas finie ou que ses dernières personnes n'ont pas encore eu deux ans pour créer : ce "
             "taux peut encore monter et n'est pas comparé à l'objectif. Une période pas encore finie à la date "
             "d'arrêt est comparée aux mêmes jours de l'année précédente (l'en-tête dit jusqu'à quel jour : "
             "« au JJ/MM »)."),
    ]
    return SheetLayout(INDICATEURS, f"Indicateurs — {ctx.period.titre}", _subtitle(ctx), blocks,
                       widths={0: 38, **{j: 18 for j in range(1, 6)}}, landscape=len(columns) > 2)


def _subtitle(ctx: Context) -> str:
    return f"{ctx.dataset.settings.nom_du_site} — données au {ctx.as_of:%d/%m/%Y} — « < {ctx.threshold} » et " \
           "« masqué » : voir Lisez-moi"


# --- Mensuel -------------------------------------------------------------------------

MONTHLY = (  # keys of figures.CATALOGUE, after the month
    "nouveaux_porteurs", "accompagnes", "rdv", "orientations_total", "creations", "ateliers_nombre",
    "ateliers_participants", "sensibilisation_nombre", "sensibilisation_personnes",
)


def mensuel(ctx: Context) -> SheetLayout:
    months = periods.months_between(ctx.period.debut, ctx.period.fin)
    figures = monthly.monthly_activity(ctx.dataset, months, ctx.as_of)
    rows = []
    for month, row in zip(months, figures, strict=True):
        # each month as its year's pattern shows it, the same in every file of the year
        cells = [ctx.patterns.shown(key, month) if key in FAMILY_KEYS
                 else linked_cell(ctx, key, int(row[key]), month) if key in LINKED
                 else count_cell(int(row[key]), ctx.threshold) if figure(key).kind is Kind.COUNT else row[key]
                 for key in MONTHLY]
        rows.append([capitalized(month.titre), *cells])
    blocks: list[Block] = [Table(["Mois", *map(label, MONTHLY)], rows, title=f"Mois par mois — {ctx.period.titre}")]
    if len(months) > 1:
        blocks.append(Chart("col", "Nouveaux porteurs et personnes accompagnées par mois", table=0, series=[1, 2]))
    blocks.append(Note("Les totaux de la période sont dans la feuille « Indicateurs ». Une personne accompagnée "
                       "plusieurs mois compte dans chacun de ces mois. Dans le graphique, une valeur cachée compte "
                       "pour zéro."))
    return SheetLayout(MENSUEL, f"Activité mensuelle — {ctx.period.titre}", _subtitle(ctx), blocks,
                       widths={0: 16, **{j: 14 for j in range(1, len(MONTHLY) + 1)}}, landscape=True)


# --- Profil --------------------------------------------------------------------------

def _share_table(found: Breakdown, title: str, header: str, counted: str, threshold: int) -> Table:
    rows = shares(found, threshold)
    return Table([header, counted, "Part"], rows, title=title, cell_formats=percent_cells(rows, range(2, 3)))


def profil(ctx: Context, profile_: Profile) -> SheetLayout:
    t = ctx.threshold
    counted = label("nouveaux_porteurs")
    blocks: list[Block] = [
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
    grid: list[list[int | None]] = [[survival[k].actives, survival[k].eligibles - survival[k].actives,
                                     survival[k].eligibles] for k in years]
    table = suppress(grid, t, [Line(((i, 0), (i, 1)), (i, 2)) for i in range(len(years))])
    rows = []
    for i, k in enumerate(years):
        hidden = survival[k].eligibles < t or table.hidden(i, 0) or table.hidden(i, 1)
        counts = [table.shown(i, 2), table.shown(i, 0), table.shown(i, 1)]
        if perennite_counts_hidden(ctx, int(k)):
            counts = [hidden_count(int(grid[i][j] or 0), t) for j in (2, 0, 1)]
        rows.append([years_label(k), *counts, rate_cell(survival[k].taux, hidden)])
    return Table(["Pérennité", "Entreprises créées depuis au moins ce temps", "Toujours actives", "Cessées",
                  "Taux de pérennité"], rows, title=f"Pérennité des entreprises créées (au {ctx.as_of:%d/%m/%Y})",
                 cell_formats=percent_cells(rows, range(4, 5)))


def creations_sheet(ctx: Context) -> SheetLayout:
    t, dataset, period, as_of = ctx.threshold, ctx.dataset, ctx.period, ctx.as_of
    by_quartier = pattern_breakdown(ctx, "creations", "creations_par_quartier", [period])
    blocks: list[Block] = [
        Table(["Forme juridique", "Créations"],
              pattern_breakdown(ctx, "creations", "creations_par_forme", [period]).rows(), title="Par forme juridique"),
        Table(["Secteur", "Créations"],
              pattern_breakdown(ctx, "creations", "creations_par_secteur", [period]).rows(), title="Par secteur"),
        Table(["Quartier", "Créations"], by_quartier.rows(), title="Par quartier du porteur"),
        _perennite_table(ctx),
        Table(["Emplois", "Nombre"],
              [[label("emplois"),
                count_cell(indicators.emplois(dataset, period, as_of), t)]], title="Emplois"),
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
    etp: dict[int, Decimal] = {}
    for row in split.rows:
        etp[row.annee] = etp.get(row.annee, Decimal(0)) + (row.etp or 0)
    rows = []
    for year in funding.funding_years(dataset, ctx.as_of):
        if year.annee > ctx.period.fin.year:
            continue
        # cost / cost per person gives the year's accompagnés: hidden with them (`linked_cell`)
        per_person = SECONDARY_MARK if year.cout_par_accompagne is not None and isinstance(
            linked_cell(ctx, "accompagnes", year.accompagnes, periods.year(year.annee)), str) \
            else year.cout_par_accompagne
        # cost / cost per creation gives the year's creations: hidden with them in the year's pattern
        per_creation = SECONDARY_MARK if year.cout_par_creation is not None and (
            year.creations < t or ctx.patterns.hidden("creations", periods.year(year.annee))) \
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
                 *, generated_at: datetime | None = None, patterns: Patterns | None = None) -> list[SheetLayout]:
    """The six sheets of the shared workbook, in order (`generated_at` is shown in Lisez-moi when given)."""
    ctx = Context(dataset, period, as_of, patterns)  # type: ignore[arg-type]
    profile_ = profile(ctx)
    return [
        lisez_moi(ctx, source_sha256, version, generated_at),
        indicateurs(ctx, profile_),
        mensuel(ctx),
        profil(ctx, profile_),
        creations_sheet(ctx),
        financement(ctx),
    ]
