"""The committee sheets, `COPIL AAAA` and `COTECH AAAA-Tn`, as layouts (no I/O).

COPIL is the year a préfecture or a funder reads: objectives against results,
the public, orientations and what became of them, creations by sector, form
and quartier, pérennité beside the published references, the money. Each
figure stands beside the previous year's; while the year runs, both count the
same days (1 January–26 November 2026 against 1 January–26 November 2025,
indicators.md › Comparisons and partial periods), and the objective of people
accompanied is taken pro rata of the days gone by. A cohort with nobody in it
is left out: a small site would otherwise read a column of empty rates.

COTECH is the quarter the technical partners work on: the pipeline, the
orientations and whether they were followed up, the follow-ups due in the
quarter, the référents to suggest to the people seen in the quarter. The lists
name the people as `À faire` does (ID, Nom, Prénom, Téléphone, the Nom linking
to their row): the sheet stays in her workbook, nothing of it is exported.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pandas as pd

from citeslab_xl.core import funding, geography, indicators, periods, photolangage, plan, schedule, selection
from citeslab_xl.core.dataset import Dataset
from citeslab_xl.core.figures import Kind, display, figure, label, years_label
from citeslab_xl.core.indicators import Indicators
from citeslab_xl.core.layout import DATE, EURO, PERCENT, Block, Chart, Note, SheetLayout, Table
from citeslab_xl.core.periods import Period
from citeslab_xl.core.referents import suggest_referents
from citeslab_xl.core.sheets import PUBLIC, column_formats, data_subtitle, figure_rows, first_month, row_formats
from citeslab_xl.core.todo import Directory

EN_COURS = "en cours"
COHORT_NOTE = ("Taux de création « en cours » : l'année de la cohorte n'est pas finie, ou ses dernières personnes "
               "n'ont pas encore eu deux ans pour créer ; le taux peut encore monter et n'est pas comparé à "
               "l'objectif.")
COPIL_CASELOAD = ("accompagnes", "file_active", "etp", "file_active_par_etp", "taux_charge", "scenario_poste_2")
COPIL_ACTIVITY = ("rdv", "heures", "orientes", "taux_orientation", "ateliers_nombre", "ateliers_participants",
                  "sensibilisation_nombre", "sensibilisation_personnes", "emplois")

# Published three-year survival rates, shown beside ours as landmarks (their publics are not ours).
REFERENCE_YEARS = 3
BGE_REFERENCE = 0.75
BPIFRANCE_QPV_REFERENCE = 0.77
REFERENCES_NOTE = ("Références publiées, à 3 ans : BGE (réseau national d'appui aux entrepreneurs) indique qu'environ "
                   "75 % des entreprises créées par les personnes qu'il accompagne sont encore actives trois ans "
                   "après ; Bpifrance Création, 77 % pour les entreprises créées dans les quartiers prioritaires "
                   "(QPV). Ce sont des repères : leurs publics et leurs méthodes ne sont pas les nôtres.")
PERSON_HEADERS = ["ID", "Nom", "Prénom", "Téléphone"]
NAME_COLUMN = 1  # the Nom links to the person's row in Porteurs, as in À faire


def _partial_note(period: Period, as_of: date, target: float) -> Note | None:
    if not periods.is_partial(period, as_of):
        return None
    year = period.debut.year
    return Note(f"Année en cours : les résultats comptent du 01/01 au {as_of:%d/%m} ; la colonne {year - 1} compte "
                f"les mêmes jours de {year - 1}. L'objectif de personnes accompagnées est pris au prorata des jours "
                f"écoulés ({display(Kind.RATIO, target)} au {as_of:%d/%m}).")


def objective_pro_rata(objective: float, period: Period, as_of: date) -> float:
    """The objective over the days of the period gone by at D (the whole objective once the period is over)."""
    elapsed = periods.elapsed(period, as_of)
    days, gone = (period.fin - period.debut).days + 1, (elapsed.fin - elapsed.debut).days + 1
    return round(objective * gone / days, 1)


# --- COPIL AAAA -------------------------------------------------------------------------

def _cohort_score(cohort: indicators.Cohort) -> float | str | None:
    """How much of the objective a cohort reached; « en cours » while it can still grow (it is not scored then)."""
    if cohort.en_cours:
        return EN_COURS
    if cohort.taux is None or not cohort.objectif:
        return None
    return round(cohort.taux / cohort.objectif, 4)


def _objectives(dataset: Dataset, year: int, k: Indicators, k_prev: Indicators, as_of: date) -> Table:
    period = periods.year(year)
    s = dataset.settings
    target = objective_pro_rata(s.objectif_accompagnes, period, as_of)
    found: list[list] = [[label("accompagnes"), s.objectif_accompagnes, k.accompagnes, k_prev.accompagnes,
                          indicators.rate(k.accompagnes, Decimal(str(target)))]]
    # a cohort needs time to create: the two previous cohorts say more than the year's own
    for cohort_year in (year - 2, year - 1, year):
        cohort = indicators.taux_creation(dataset, periods.year(cohort_year), as_of)[str(cohort_year)]
        if cohort.cohorte:
            found.append([f"Taux de création (cohorte {cohort_year}, {cohort.cohorte} personnes)",
                          s.objectif_taux_creation, cohort.taux, None, _cohort_score(cohort)])
    this, last = _year_headers(period, as_of)
    rates = {(i, j): PERCENT for i in range(1, len(found)) for j in (1, 2)}
    return Table(["Objectif", "Objectif fixé", f"Résultat {this}", f"Résultat {last}", "Atteint à"], found,
                 title="Objectifs et résultats", formats={4: PERCENT}, cell_formats=rates)


def _year_headers(period: Period, as_of: date) -> tuple[str, str]:
    """« 2026, au 26/11 » and « 2025, au 26/11 » while the year runs; « 2026 » and « 2025 » once it is over."""
    suffix = periods.span_suffix(period, as_of)
    return f"{period.debut.year}{suffix}", f"{period.debut.year - 1}{suffix}"


def _side_by_side(current: dict[str, int], previous: dict[str, int]) -> list[list]:
    """A breakdown of this year beside the previous one, the values that neither year has left out."""
    return [[key, n, previous.get(key, 0)] for key, n in current.items() if n or previous.get(key, 0)]


def orientations_with_outcomes(dataset: Dataset, period: Period, earlier: Period, as_of: date) -> list[list]:
    """By partner: the people oriented in P, in the same days a year earlier, and how many of P's went on to create.

    A creation counts when it is dated on or before D, whatever the year: what an orientation led to.
    """
    p = dataset.porteurs
    oriented = p[p["partenaire"].notna()]
    now = oriented[selection.between(oriented["date_orientation"], period.debut, min(period.fin, as_of))]
    before = oriented[selection.between(oriented["date_orientation"], earlier.debut, earlier.fin)]
    found = []
    for partner in dataset.settings.values("Partenaire"):
        mine = now[now["partenaire"] == partner]
        created = int(selection.not_after(mine["date_creation"], as_of).sum())
        earlier_count = int((before["partenaire"] == partner).sum())
        if len(mine) or earlier_count:
            found.append([partner, len(mine), earlier_count, created, indicators.rate(created, len(mine))])
    return found


def _qpv_creations(dataset: Dataset, period: Period, as_of: date) -> tuple[int, float | None]:
    """The businesses of P created by people who lived in a QPV on their first contact, and their share."""
    created = selection.creations(dataset, periods.elapsed(period, as_of))
    in_qpv = int(geography.qpv_residents(created, dataset.settings).sum())
    return in_qpv, indicators.rate(in_qpv, len(created))


def _survival(k: Indicators) -> list[list]:
    found = []
    for years, v in k.perennite.items():
        reference = int(years) == REFERENCE_YEARS
        found.append([years_label(years), v.eligibles, v.actives, v.taux, BGE_REFERENCE if reference else None,
                      BPIFRANCE_QPV_REFERENCE if reference else None])
    return found


def _money(dataset: Dataset, year: int, as_of: date) -> list[list]:
    fy = next((f for f in funding.funding_years(dataset, as_of) if f.annee == year), None)
    if fy is None:
        return []
    return [[f, fy.parts.get(f)] for f in dataset.funders] + [
        ["Reste à charge de la structure", fy.reste_a_charge], ["Coût total", fy.cout],
        ["Coût par personne accompagnée", fy.cout_par_accompagne], ["Coût par création", fy.cout_par_creation]]


def _caseload_by_year(dataset: Dataset, as_of: date, last_year: int) -> list[list]:
    start = first_month(dataset)
    if start is None:
        return []
    found: list[list] = []
    for y in range(start.year, last_year + 1):
        k = periods.year(y)
        # the order of COPIL_CASELOAD
        found.append([str(y), indicators.accompagnes(dataset, k, as_of), indicators.file_active(dataset, k, as_of),
                      indicators.etp(dataset, k, as_of), indicators.file_active_par_etp(dataset, k, as_of),
                      indicators.taux_charge(dataset, k, as_of), indicators.scenario_poste_2(dataset, k, as_of)])
    return found


class _Blocks(list):
    """The sheet's blocks; `add` returns a table's index, for the chart that plots it."""

    def add(self, block: Block | None) -> int:
        if block is not None:
            self.append(block)
        return len(self) - 1


def copil_layout(dataset: Dataset, year: int, as_of: date) -> SheetLayout:
    period = periods.year(year)
    earlier = periods.same_span_earlier(period, as_of)
    k = indicators.compute(dataset, period, as_of)
    k_prev = indicators.compute(dataset, earlier, as_of)
    this, last = _year_headers(period, as_of)
    in_qpv, qpv_share = _qpv_creations(dataset, period, as_of)
    in_qpv_prev, qpv_share_prev = _qpv_creations(dataset, earlier, as_of)
    sectors = _side_by_side(k.creations_par_secteur, k_prev.creations_par_secteur)
    caseload = _caseload_by_year(dataset, as_of, year)
    blocks = _Blocks()
    blocks.add(_objectives(dataset, year, k, k_prev, as_of))
    blocks.add(_partial_note(period, as_of, objective_pro_rata(dataset.settings.objectif_accompagnes, period, as_of)))
    blocks.add(Table(["Public accueilli (nouveaux porteurs)", this, last], figure_rows(PUBLIC, k, k_prev),
                     title="Profil du public", cell_formats=row_formats(PUBLIC, range(1, 3))))
    blocks.add(Table(["Tranche d'âge", this, last], _side_by_side(k.par_tranche_age, k_prev.par_tranche_age),
                     title="Âge au premier contact (nouveaux porteurs)", total=True))
    blocks.add(Table(["Partenaire", f"Orientés {this}", f"Orientés {last}", f"dont entreprise créée ({year})",
                      "Taux de création"], orientations_with_outcomes(dataset, period, earlier, as_of),
                     title="Orientations par partenaire et ce qu'elles sont devenues", formats={4: PERCENT},
                     total=True))
    blocks.add(Table(["Quartier", f"Créations {this}", f"Créations {last}"],
                     _side_by_side(k.creations_par_quartier, k_prev.creations_par_quartier),
                     title="Créations par quartier", total=True))
    blocks.add(Table(["Créations par des habitants d'un QPV", this, last],
                     [["Nombre", in_qpv, in_qpv_prev], ["Part des créations", qpv_share, qpv_share_prev]],
                     title="Créations en quartier prioritaire (QPV au jour du premier contact)",
                     cell_formats={(1, 1): PERCENT, (1, 2): PERCENT}))
    sector_table = blocks.add(Table(["Secteur", f"Créations {this}", f"Créations {last}"], sectors,
                                    title="Créations par secteur", total=True))
    blocks.add(Table(["Forme juridique", f"Créations {this}", f"Créations {last}"],
                     _side_by_side(k.creations_par_forme, k_prev.creations_par_forme),
                     title="Créations par forme juridique", total=True))
    blocks.add(Table(["Pérennité", "Entreprises concernées", "Toujours actives", "Taux", "Référence BGE",
                      "Référence Bpifrance (QPV)"], _survival(k), title="Pérennité des entreprises créées",
                     formats={3: PERCENT, 4: PERCENT, 5: PERCENT}))
    blocks.add(Note(REFERENCES_NOTE))
    blocks.add(Table(["Financement", "Montant"], _money(dataset, year, as_of), title=f"Financement {year}",
                     formats={1: EURO}))
    caseload_table = blocks.add(Table(["Année", *map(label, COPIL_CASELOAD)], caseload,
                                      title="Charge par ETP et scénario d'un second poste",
                                      formats=column_formats(COPIL_CASELOAD)))
    blocks.add(Table(["Volume d'activité", this, last], figure_rows(COPIL_ACTIVITY, k, k_prev), title="Activité",
                     cell_formats=row_formats(COPIL_ACTIVITY, range(1, 3))))
    if sectors:
        blocks.add(Chart("bar", "Créations par secteur", table=sector_table, series=[1, 2]))
    if caseload:
        blocks.add(Chart("col", f"{label('accompagnes')} par an", table=caseload_table, series=[1]))
    blocks.add(Note("Le taux de charge compare la file active à la capacité (Paramètres › Capacité file active "
                    "par ETP × ETP). La dernière colonne montre ce qu'il deviendrait avec un second poste."))
    blocks.add(Note(COHORT_NOTE))
    return SheetLayout(plan.copil_name(year), f"Comité de pilotage {year}", data_subtitle(dataset, as_of), list(blocks),
                       widths={0: 38, 1: 18, 2: 18, 3: 16, 4: 14, 5: 16, 6: 18}, as_of=as_of)


# --- COTECH AAAA-Tn ----------------------------------------------------------------------

def _pipeline(dataset: Dataset, period: Period, as_of: date) -> list[list]:
    """The accompanied people of the period (those of `accompagnes` that have a Porteurs row), by Statut."""
    counts = selection.accompanied(dataset, period, as_of).porteurs(dataset)["statut"].value_counts()
    return [[statut, int(counts.get(statut, 0))] for statut in dataset.settings.values("Statut")]


def _seen(dataset: Dataset, debut: date, fin: date) -> set[str]:
    """The people with a rendez-vous in [debut, fin]."""
    rdv = dataset.rendez_vous
    return set(rdv.loc[selection.between(rdv["date"], debut, fin), "id_porteur"].dropna().astype(str))


def _followed_up(dataset: Dataset, oriented: pd.DataFrame, as_of: date) -> pd.Series:
    """Whether each oriented person was seen again after the orientation day, on or before D."""
    rdv = dataset.rendez_vous
    held = rdv[selection.not_after(rdv["date"], as_of) & rdv["id_porteur"].notna()]
    last = {str(i): day for i, day in held.groupby("id_porteur")["date"].max().items()}
    seen_again = [pd.notna(day) and str(ident) in last and last[str(ident)] > day
                  for ident, day in zip(oriented["id"], oriented["date_orientation"], strict=True)]
    return pd.Series(seen_again, index=oriented.index, dtype=bool)


def quarter_orientations(dataset: Dataset, quarter: Period, as_of: date) -> list[list]:
    """By partner: oriented in the quarter, of whom seen again since, and oriented since the start, of whom created."""
    p = dataset.porteurs
    oriented = p[p["partenaire"].notna() & selection.not_after(p["date_orientation"], as_of)]
    in_quarter = selection.between(oriented["date_orientation"], quarter.debut, quarter.fin)
    followed = _followed_up(dataset, oriented, as_of)
    found = []
    for partner in dataset.settings.values("Partenaire"):
        mine = oriented["partenaire"] == partner
        created = int((mine & selection.not_after(oriented["date_creation"], as_of)).sum())
        found.append([partner, int((mine & in_quarter).sum()), int((mine & in_quarter & followed).sum()),
                      int(mine.sum()), created, indicators.rate(created, int(mine.sum()))])
    return found


def _named(people: Directory, items: list[tuple[str, list]]) -> tuple[list[list], dict[int, str]]:
    """Rows opening with the person (ID, Nom, Prénom, Téléphone), and each Nom's link to their Porteurs row."""
    found, links = [], {}
    for i, (id_porteur, cells) in enumerate(items):
        found.append(people.person(id_porteur)[:len(PERSON_HEADERS)] + cells)
        if (target := people.link(id_porteur)) is not None:
            links[i] = target
    return found, links


def follow_ups_due(dataset: Dataset, quarter: Period, as_of: date) -> list[schedule.Milestone]:
    """The milestones due in the quarter and not done (en retard or à venir), by due date."""
    due = [m for m in schedule.schedule(dataset, as_of)
           if m.etat != schedule.FAIT and quarter.debut <= m.date_due <= quarter.fin]
    return sorted(due, key=lambda m: (m.date_due, m.id_porteur))


def cotech_layout(dataset: Dataset, quarter: Period, as_of: date) -> SheetLayout:
    people = Directory(dataset)
    milestones = schedule.schedule(dataset, as_of)
    by_state = Counter((m.jalon, m.etat) for m in milestones)
    follow = [[jalon, by_state.get((jalon, schedule.EN_RETARD), 0), by_state.get((jalon, schedule.A_VENIR), 0)]
              for jalon, _ in schedule.MILESTONES]
    due, due_links = _named(people, [(m.id_porteur, [m.jalon, m.date_due, m.etat])
                                     for m in follow_ups_due(dataset, quarter, as_of)])
    referents = dataset.referents
    contactables = int((referents["accord"].eq(True) & referents["actif"].eq(True)).sum())
    seen = _seen(dataset, quarter.debut, min(quarter.fin, as_of))
    suggestions = [s for s in suggest_referents(dataset) if s.id_porteur in seen]
    suggested, suggested_links = _named(people, [
        (s.id_porteur, [s.secteur, ", ".join(s.id_referents) or "aucun référent disponible"]) for s in suggestions])
    workshops = [[t, v.nombre, v.participants] for t, v in indicators.ateliers(dataset, quarter, as_of).items()]
    capacities = [[c, n] for c, n in photolangage.capacites_photolangage(dataset, quarter, as_of, limit=10)]
    blocks = _Blocks()
    blocks.add(Table(["Statut", "Porteurs"], _pipeline(dataset, quarter, as_of),
                     title="Porteurs accompagnés dans le trimestre, par statut", total=True))
    orientations = blocks.add(Table(
        ["Partenaire", "Orientés dans le trimestre", "dont revus en rendez-vous depuis", "Orientés depuis le début",
         "dont entreprise créée", "Taux de création"], quarter_orientations(dataset, quarter, as_of),
        title="Orientations par partenaire et leur suite", formats={5: PERCENT}, total=True))
    blocks.add(Table(["Jalon de suivi", "En retard", "À faire dans les 30 jours"], follow,
                     title="Suivis des entreprises (toutes échéances)", total=True))
    blocks.add(Table([*PERSON_HEADERS, "Jalon", "Échéance", "État"], due, title="Suivis dus dans le trimestre",
                     formats={5: DATE}, links=due_links, link_column=NAME_COLUMN))
    blocks.add(Table(["Référents de parcours", "Nombre"],
                     [["Contactables (accord et actifs)", contactables],
                      ["Porteurs vus dans le trimestre à qui en proposer", len(suggestions)]], title="Référents"))
    blocks.add(Table([*PERSON_HEADERS, "Secteur", "Référents suggérés"], suggested,
                     title="Suggestions de référents (porteurs vus dans le trimestre)", links=suggested_links,
                     link_column=NAME_COLUMN))
    blocks.add(Table(["Type d'atelier", *(part.label for part in figure("ateliers").parts)], workshops,
                     title="Ateliers du trimestre", total=True))
    blocks.add(Table(["Capacité relevée (photolangage)", "Fois"], capacities, title="Capacités les plus relevées"))
    blocks.add(Chart("bar", "Orientations par partenaire depuis le début", table=orientations, series=[3, 4]))
    return SheetLayout(plan.cotech_name(quarter), f"Comité technique — {quarter.titre}", data_subtitle(dataset, as_of),
                       list(blocks), widths={0: 26, 1: 16, 2: 14, 3: 18, 4: 22, 5: 20, 6: 14}, as_of=as_of)
