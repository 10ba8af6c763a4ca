"""The coordinator's working list, the `À faire` sheet (workbook.md › Generated sheets).

As of D, five lists, each row naming the person (ID, Nom, Prénom, Téléphone,
Email, the Nom linking to their row in Porteurs):

- follow-up milestones en retard (oldest first) then à venir (schedule.py),
  with the business's Secteur and Forme juridique: Porteurs has no business
  name;
- rendez-vous dated in (D, D + 14 days], soonest first;
- the référents suggested (referents.py, the same suggestions as COTECH) to the
  people with a rendez-vous in (D − 30 days, D], the same window as the file
  active's, by the day they were seen, the earliest first: those are about to
  leave the list;
- orientations dated on or before D − 30 days with no rendez-vous after the
  orientation day, the latest first (an old one is also a file to relaunch);
- open files (Statut Accueil, Émergence, Orienté, En création) whose last
  rendez-vous on or before D, or Date premier contact when they never had one,
  is 90 days or more before D, oldest first.

Settled points: the orientations and the files to relaunch are open files only
(a file closed as Créé or Abandon needs neither), and a rendez-vous already
planned after D takes a person out of both lists (she has nothing to relaunch).
The lists that D bounds come first and the two backlogs last, so that the
first screen holds what is due now. A Porteurs ID used twice is read from its first row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from citeslab_xl.core import plan, schedule, schema
from citeslab_xl.core.dataset import Dataset
from citeslab_xl.core.layout import DATE, Block, Note, SheetLayout, Table
from citeslab_xl.core.referents import suggest_referents

NAME = plan.A_FAIRE
OPEN_STATUTS = ("Accueil", "Émergence", "Orienté", "En création")
UPCOMING = timedelta(days=14)
IDLE = timedelta(days=90)
ORIENTATION_WAIT = timedelta(days=30)
SEEN = timedelta(days=30)
NO_REFERENT = "aucun référent disponible dans ce secteur"

PERSON_HEADERS = ["ID", "Nom", "Prénom", "Téléphone", "Email"]
LINK_COLUMN = 1  # the Nom
DATE_COLUMN = len(PERSON_HEADERS)  # every list's own first column is a date
WIDTHS: dict[int, float] = {0: 9, 1: 16, 2: 13, 3: 18, 4: 32, 5: 12, 6: 25, 7: 17, 8: 24, 9: 22, 10: 36}


@dataclass(frozen=True)
class Count:
    singular: str
    plural: str

    def of(self, n: int) -> str:
        return f"{n} {self.singular if n < 2 else self.plural}"


@dataclass(frozen=True)
class Item:
    """One row of a list: whom it is about, then what the list says (its first cell a date)."""

    id_porteur: str | None
    cells: tuple


@dataclass(frozen=True)
class WorkList:
    title: str
    headers: tuple[str, ...]  # after PERSON_HEADERS
    items: list[Item]
    count: int  # what the title counts: rows, or people when a person has several rows
    unit: Count
    empty: str


def _value(value: object) -> object:
    """A cell value: nothing for a missing one, a day for a timestamp."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def _text(value: object) -> str | None:
    found = _value(value)
    return None if found is None else str(found)


class Directory:
    """The Porteurs rows by ID, the first row of an ID used twice, and the links to them."""

    def __init__(self, dataset: Dataset):
        porteurs = dataset.porteurs
        self.frame = porteurs[porteurs["id"].notna()].drop_duplicates("id")
        self._rows = {str(row["id"]): row for row in self.frame.to_dict("records")}
        self._sheet = dataset.sheet_names.get("porteurs", schema.PORTEURS.name)

    def get(self, id_porteur: str | None, key: str) -> object:
        row = self._rows.get(id_porteur) if id_porteur is not None else None
        return None if row is None else _value(row[key])

    def person(self, id_porteur: str | None) -> list:
        return [id_porteur, *(self.get(id_porteur, key) for key in ("nom", "prenom", "telephone", "email"))]

    def link(self, id_porteur: str | None) -> str | None:
        excel_row = self.get(id_porteur, "_row")
        if excel_row is None:
            return None
        sheet = self._sheet.replace("'", "''")
        return f"'{sheet}'!A{int(excel_row)}"  # type: ignore[call-overload]


# --- the five lists ----------------------------------------------------------------

def milestones_due(dataset: Dataset, as_of: date, people: Directory) -> WorkList:
    order = {schedule.EN_RETARD: 0, schedule.A_VENIR: 1}
    shown = [m for m in schedule.schedule(dataset, as_of) if m.etat in order]
    shown.sort(key=lambda m: (order[m.etat], m.date_due, m.id_porteur))  # stable: milestones of a day stay in order
    items = [Item(m.id_porteur, (m.date_due, m.jalon, m.etat, people.get(m.id_porteur, "secteur"),
                                 people.get(m.id_porteur, "forme")))
             for m in shown]
    return WorkList("Suivis des entreprises en retard ou à faire dans les 30 jours",
                    ("Échéance", "Jalon", "État", "Secteur", "Forme juridique"), items, len(items),
                    Count("jalon", "jalons"), "aucun jalon de suivi en retard ni à venir.")


def upcoming_rendez_vous(dataset: Dataset, as_of: date) -> WorkList:
    rdv = dataset.rendez_vous
    today = pd.Timestamp(as_of)
    soon = rdv[((rdv["date"] > today) & (rdv["date"] <= today + UPCOMING)).fillna(False)]
    soon = soon.sort_values(["date", "id_porteur"], kind="stable", na_position="last")
    items = [Item(_text(row["id_porteur"]), (_value(row["date"]), _value(row["type"]), _value(row["modalite"]),
                                             _value(row["charge"]), _value(row["objet"])))
             for row in soon.to_dict("records")]
    return WorkList("Rendez-vous des 14 prochains jours", ("Date", "Type", "Modalité", "Chargé de mission", "Objet"),
                    items, len(items), Count("rendez-vous", "rendez-vous"), "aucun rendez-vous prévu.")


def _open_files(people: Directory) -> pd.DataFrame:
    return people.frame[people.frame["statut"].isin(OPEN_STATUTS)]


def _dated_rendez_vous(dataset: Dataset) -> pd.DataFrame:
    rdv = dataset.rendez_vous
    return rdv[rdv["id_porteur"].notna() & rdv["date"].notna()].astype({"id_porteur": str})


def files_to_relaunch(dataset: Dataset, as_of: date, people: Directory) -> WorkList:
    today = pd.Timestamp(as_of)
    rdv = _dated_rendez_vous(dataset)
    last_seen = rdv[rdv["date"] <= today].groupby("id_porteur")["date"].max()
    planned = set(rdv.loc[rdv["date"] > today, "id_porteur"])
    found = []
    for row in _open_files(people).to_dict("records"):
        id_porteur = str(row["id"])
        since = last_seen.get(id_porteur, row["date_premier_contact"])
        if id_porteur in planned or pd.isna(since) or today - since < IDLE:
            continue
        found.append((since.date(), id_porteur, row))
    found.sort(key=lambda f: (f[0], f[1]))
    items = [Item(id_porteur, (since, _value(row["statut"]), (as_of - since).days, _value(row["charge"])))
             for since, id_porteur, row in found]
    return WorkList("Dossiers ouverts sans rendez-vous depuis 90 jours ou plus : relancer ou clore (Abandon)",
                    ("Dernier contact", "Statut", "Jours sans rendez-vous", "Chargé de mission"), items, len(items),
                    Count("dossier", "dossiers"), "aucun dossier ouvert sans rendez-vous depuis 90 jours.")


def orientations_without_follow_up(dataset: Dataset, as_of: date, people: Directory) -> WorkList:
    rdv = _dated_rendez_vous(dataset)
    latest = rdv.groupby("id_porteur")["date"].max()  # planned rendez-vous too: one is enough
    open_files = _open_files(people)
    old = open_files[(open_files["date_orientation"] <= pd.Timestamp(as_of - ORIENTATION_WAIT)).fillna(False)]
    found = []
    for row in old.to_dict("records"):
        id_porteur = str(row["id"])
        after = latest.get(id_porteur)
        if after is not None and after > row["date_orientation"]:
            continue
        found.append((row["date_orientation"].date(), id_porteur, row))
    found.sort(key=lambda f: f[1])
    found.sort(key=lambda f: f[0], reverse=True)  # the latest first: still worth a call; then by ID
    items = [Item(id_porteur, (oriented, _value(row["partenaire"]), (as_of - oriented).days, _value(row["charge"]),
                               _value(row["statut"])))
             for oriented, id_porteur, row in found]
    return WorkList("Orientations de plus de 30 jours sans rendez-vous depuis",
                    ("Date d'orientation", "Partenaire", "Jours depuis l'orientation", "Chargé de mission", "Statut"),
                    items, len(items), Count("orientation", "orientations"), "aucune orientation restée sans suite.")


def _referent_cells(dataset: Dataset) -> dict[str, tuple]:
    """Per référent ID: the name, business, phone and email shown beside a suggestion."""
    table = dataset.referents
    cells = {}
    for row in table[table["id"].notna()].drop_duplicates("id").to_dict("records"):
        name = " ".join(part for part in (_text(row["prenom"]), _text(row["nom"])) if part)
        cells[str(row["id"])] = (name or None, _value(row["entreprise"]), _value(row["telephone"]),
                                 _value(row["email"]))
    return cells


def referents_to_suggest(dataset: Dataset, as_of: date) -> WorkList:
    today = pd.Timestamp(as_of)
    rdv = _dated_rendez_vous(dataset)
    seen = rdv[(rdv["date"] > today - SEEN) & (rdv["date"] <= today)].groupby("id_porteur")["date"].max()
    suggestions = [s for s in suggest_referents(dataset) if s.id_porteur in seen.index]
    suggestions.sort(key=lambda s: (seen[s.id_porteur], s.id_porteur))
    referents = _referent_cells(dataset)
    items = []
    for s in suggestions:
        seen_on = seen[s.id_porteur].date()
        rows = [referents[r] for r in s.id_referents] or [(NO_REFERENT, None, None, None)]
        items += [Item(s.id_porteur, (seen_on, s.secteur, *cells)) for cells in rows]
    return WorkList("Référents à proposer aux porteurs vus ces 30 derniers jours",
                    ("Vu le", "Secteur", "Référent", "Entreprise du référent", "Téléphone du référent",
                     "Email du référent"), items, len(suggestions), Count("porteur", "porteurs"),
                    "aucun porteur en émergence ou en création vu ces 30 derniers jours.")


# --- the sheet ----------------------------------------------------------------------

def _block(work: WorkList, people: Directory) -> Block:
    if not work.items:
        return Note(f"{work.title} : {work.empty}")
    rows = [people.person(item.id_porteur) + list(item.cells) for item in work.items]
    links = {i: link for i, item in enumerate(work.items) if (link := people.link(item.id_porteur))}
    return Table([*PERSON_HEADERS, *work.headers], rows, title=f"{work.title} ({work.unit.of(work.count)})",
                 formats={DATE_COLUMN: DATE}, links=links, link_column=LINK_COLUMN)


def _summary(due: WorkList, soon: WorkList, referents: WorkList, orientations: WorkList,
             relaunch: WorkList) -> Note:
    return Note(f"À traiter : {due.unit.of(due.count)} de suivi, {soon.unit.of(soon.count)} dans les 14 jours, "
                f"{referents.unit.of(referents.count)} à qui proposer un référent, "
                f"{orientations.unit.of(orientations.count)} sans suite, "
                f"{relaunch.unit.of(relaunch.count)} à relancer ou clore. "
                "Cliquez sur un nom pour aller à sa ligne dans Porteurs.")


RULES = Note("Un jalon de suivi est en retard 30 jours après son échéance (détail : feuille « Échéancier suivis »). "
             "Un dossier ouvert a le statut Accueil, Émergence, Orienté ou En création ; il est à relancer quand son "
             "dernier rendez-vous (ou, sans rendez-vous, le premier contact) date de 90 jours ou plus. Une orientation "
             "est sans suite quand aucun rendez-vous n'a eu lieu après elle. Un rendez-vous déjà prévu retire la "
             "personne de ces deux listes. Les référents sont suggérés aux porteurs en émergence ou en création "
             "(les mêmes que dans le COTECH).")


def todo_layout(dataset: Dataset, as_of: date) -> SheetLayout:
    people = Directory(dataset)
    due = milestones_due(dataset, as_of, people)
    soon = upcoming_rendez_vous(dataset, as_of)
    referents = referents_to_suggest(dataset, as_of)
    orientations = orientations_without_follow_up(dataset, as_of, people)
    relaunch = files_to_relaunch(dataset, as_of, people)
    lists = (due, soon, referents, orientations, relaunch)
    blocks: list[Block] = [_summary(*lists), *(_block(work, people) for work in lists), RULES]
    return SheetLayout(NAME, f"À faire au {as_of:%d/%m/%Y}",
                       f"{dataset.settings.nom_du_site} — données au {as_of:%d/%m/%Y}", blocks, widths=WIDTHS,
                       landscape=True, as_of=as_of)
