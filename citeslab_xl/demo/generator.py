"""A realistic synthetic workbook, for demonstrations and for testing the tool.

`generate` invents a CitésLab site in Besançon: porteurs from the QPV, their
rendez-vous, workshops, awareness actions, référents, the follow-up of the
businesses created and the funding of the post. The figures follow the
site's reality (about 400 new people a year, each met a few times within a
few months of the first contact before a partner takes over, about 40 % of a
cohort creating a business, about 80 % of businesses alive after three years)
so that the indicators computed from it look like those of a one-coordinator
site: about 450 people accompanied and 1,200 rendez-vous a year, 110 to 160
people in the 90-day active caseload.

With `errors`, a share of the rows receives exactly one deliberate mistake of
a known kind; `DemoData.spoiled` says which cell the validator must flag and
with which anomaly code, which is how the validator's recall is measured.
The same arguments always give the same workbook.
"""

from __future__ import annotations

import bisect
import calendar
import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from faker import Faker

from citeslab_xl.core import schema
from citeslab_xl.core.dataset import share_column

EARLIEST = date(2005, 1, 1)
CHARGE = schema.DEFAULT_CHARGES[0][0]
REFERENTS_COUNT = 30
# How far a year's number of new porteurs may stray from the objective.
YEARLY_SPREAD = 0.03

# Outcomes. Each cohort (year of first contact) creates about its share.
CREATION_SHARE = 0.40
CREATION_SPREAD = 0.02
CREATOR_ORIENTATION_SHARE = 0.35
# Of those who create nothing; the others leave their project dormant.
ORIENTED_SHARE = 0.35
ABANDON_SHARE = 0.20

# The journey with the CitésLab, in days after the first contact: the last
# entretien comes within JOURNEY_DAYS, an orientation within ORIENTATION_DAYS,
# a giving up within ABANDON_DAYS. Short journeys are what keeps the people
# accompanied in a year close to its new porteurs.
JOURNEY_DAYS = 150
ORIENTATION_DAYS = 90
ABANDON_DAYS = 90
# Businesses are followed through the Suivi sheet (calls and visits, not
# rendez-vous); few come back for a rendez-vous.
POST_CREATION_SHARE = 0.06
PREMIER_ACCUEIL_MINUTES = (45, 60, 60, 75, 90)
ENTRETIEN_MINUTES = (30, 45, 45, 60, 60, 75, 90)
SUIVI_MINUTES = (30, 45, 60)

# New porteurs by month of first contact: the summer break, the autumn rush.
MONTH_WEIGHTS = {1: 1.05, 2: 1.0, 3: 1.1, 4: 1.0, 5: 0.95, 6: 1.0,
                 7: 0.8, 8: 0.35, 9: 1.2, 10: 1.15, 11: 1.1, 12: 0.95}
LATE_DECEMBER_DAY = 20
LATE_DECEMBER_WEIGHT = 0.25

QUARTIER_WEIGHTS = {
    "Planoise": 34, "Orchamps-Palente": 12, "Montrapon": 10, "Clairs-Soleils": 8,
    "Battant": 7, "Hauts de Saint-Claude": 5, "Hors QPV": 24,
}
SITUATION_WEIGHTS = {"Demandeur d'emploi": 45, "Bénéficiaire RSA": 20, "Salarié": 15,
                     "Étudiant": 5, "Sans activité": 10, "Autre": 5}
NIVEAU_WEIGHTS = {"Sans diplôme": 22, "CAP-BEP": 25, "Bac": 25, "Bac+2": 15, "Bac+3 et plus": 13}
PRESCRIPTEUR_WEIGHTS = {"Bouche à oreille": 25, "France Travail": 25, "Mission locale": 12,
                        "Maison de quartier": 15, "Réseau partenaire": 10, "Réseaux sociaux": 10, "Autre": 3}
SECTEUR_WEIGHTS = {"Commerce": 22, "Services aux personnes": 18, "Services aux entreprises": 10, "BTP": 10,
                   "Restauration-Hôtellerie": 14, "Artisanat": 8, "Transport-Logistique": 8, "Numérique": 6,
                   "Agriculture": 1, "Autre": 3}
PARTENAIRE_WEIGHTS = {"Adie": 25, "BGE": 25, "France Active": 18, "Initiative France": 15,
                      "CCI": 6, "CMA": 8, "Autre": 3}
FORME_WEIGHTS = {"Micro-entreprise": 55, "EI": 8, "EURL": 5, "SASU": 13, "SARL": 6, "SAS": 5,
                 "SCOP": 1, "Association": 5, "Autre": 2}
MODALITE_WEIGHTS = {"Face-à-face": 68, "Téléphone": 20, "Visio": 8, None: 4}

PROJETS = {
    "Commerce": ("une épicerie de quartier", "une boutique de prêt-à-porter", "la vente sur les marchés",
                 "une boutique en ligne de cosmétiques"),
    "Services aux personnes": ("un salon de coiffure", "un institut de beauté", "l'aide à domicile",
                               "la garde d'enfants", "le soutien scolaire"),
    "Services aux entreprises": ("le nettoyage de bureaux", "le secrétariat indépendant", "la comptabilité"),
    "BTP": ("la plomberie", "la peinture en bâtiment", "l'électricité", "la rénovation intérieure"),
    "Restauration-Hôtellerie": ("un food truck", "un snack", "la pâtisserie orientale", "un traiteur"),
    "Artisanat": ("la couture et la retouche", "la menuiserie", "la bijouterie fantaisie"),
    "Transport-Logistique": ("un VTC", "la livraison à vélo", "le déménagement"),
    "Numérique": ("la création de sites web", "la réparation de téléphones", "le community management"),
    "Agriculture": ("le maraîchage bio", "l'apiculture"),
    "Autre": ("un projet associatif", "l'organisation d'événements"),
}
ENSEIGNES = {
    "Commerce": ("Épicerie", "Boutique", "Librairie"),
    "Services aux personnes": ("Coiffure", "Institut", "Domicile Services"),
    "Services aux entreprises": ("Cabinet", "Conseil"),
    "BTP": ("Rénovation", "Plomberie", "Électricité"),
    "Restauration-Hôtellerie": ("Restaurant", "Traiteur", "Boulangerie"),
    "Artisanat": ("Atelier", "Menuiserie"),
    "Transport-Logistique": ("Transports", "Taxi"),
    "Numérique": ("Studio", "Informatique"),
    "Agriculture": ("Ferme", "Jardins"),
    "Autre": ("Association", "Événements"),
}
OBJETS_ENTRETIEN = (
    "Définition du projet", "Étude de marché", "Prévisionnel financier", "Choix du statut juridique",
    "Recherche de financement", "Préparation du rendez-vous bancaire", "Point d'étape",
    "Préparation de l'orientation", "Démarches d'immatriculation",
)
OBJETS_SUIVI = ("Point sur le démarrage", "Point sur la trésorerie", "Développement commercial",
                "Premier bilan", "Recrutement")
THEMES_INFORMATION = (
    "Créer son entreprise : les premières étapes", "Le statut de micro-entrepreneur",
    "Financer son projet", "Trouver ses premiers clients", "Les aides à la création",
)
CAPACITES = ("Persévérance", "Créativité", "Écoute", "Organisation", "Confiance en soi", "Sens du contact",
             "Autonomie", "Adaptabilité", "Curiosité", "Rigueur", "Prise d'initiative", "Communication")
PHOTOLANGAGE_IMAGES = 60

LIEUX = {
    "Établissement scolaire": ("Lycée Louis Pasteur", "Lycée Jules Haag", "Lycée Tristan Bernard",
                               "Lycée Victor Hugo", "Collège Diderot", "Collège Voltaire", "Collège Proudhon"),
    "Centre de formation": ("AFPA Besançon", "CFA de la CMA", "GRETA Doubs Centre", "École de la 2e chance"),
    "Maison de quartier": ("Maison de quartier de Planoise", "Maison de quartier de Montrapon",
                           "Maison de quartier des Clairs-Soleils", "Maison de quartier de Palente",
                           "Maison de quartier de Battant", "Maison de quartier de Saint-Claude"),
    "Forum-salon": ("Forum de l'emploi de Planoise", "Salon des entrepreneurs de Franche-Comté",
                    "Forum des métiers"),
    "Autre": ("Centre social", "Médiathèque Nelson Mandela"),
}
LIEU_WEIGHTS = {"Établissement scolaire": 40, "Centre de formation": 15, "Maison de quartier": 30,
                "Forum-salon": 10, "Autre": 5}
LIEU_PERSONNES = {"Établissement scolaire": (20, 90), "Centre de formation": (10, 40),
                  "Maison de quartier": (8, 35), "Forum-salon": (50, 400), "Autre": (10, 60)}
EMAIL_DOMAINS = ("orange.fr", "gmail.com", "laposte.net", "free.fr", "sfr.fr", "hotmail.fr", "yahoo.fr")
LA_POSTE_SIREN = "356000000"


@dataclass(frozen=True)
class Spoiled:
    """A cell deliberately made wrong: the validator must flag it with `code`."""

    sheet: str  # the sheet's French name, as in Anomaly.feuille
    row: int  # Excel row
    column: str  # the column header, as in Anomaly.colonne
    code: str
    value: object


@dataclass
class DemoData:
    rows: dict[str, list[dict]]
    spoiled: list[Spoiled]

    @property
    def row_count(self) -> int:
        return sum(len(r) for r in self.rows.values())


# --- dates --------------------------------------------------------------------

def add_years(day: date, years: int) -> date:
    """The same day and month `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def workday_on_or_before(day: date) -> date:
    """Nobody meets on a weekend: Saturday and Sunday move back to Friday."""
    return day - timedelta(days=max(0, day.weekday() - 4))


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _months(start: date, end: date) -> list[tuple[int, int]]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


# --- small identifiers ------------------------------------------------------------

def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _luhn_complete(prefix: str) -> str:
    """`prefix` followed by the one digit that makes it pass the Luhn check."""
    return next(prefix + d for d in "0123456789" if luhn_valid(prefix + d))


def make_siret(rng: random.Random) -> str:
    while True:
        siren = _luhn_complete(str(rng.randint(1, 9)) + "".join(rng.choices("0123456789", k=7)))
        if siren != LA_POSTE_SIREN:
            break
    return _luhn_complete(siren + "000" + str(rng.randint(1, 3)))


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def make_phone(rng: random.Random, mobile: bool = True) -> str:
    prefix = rng.choice(("06", "07")) + f"{rng.randint(0, 99):02d}" if mobile else "0381"  # 03 81: Besançon
    digits = prefix + f"{rng.randint(0, 999999):06d}"
    style = rng.random()
    if style < 0.75:
        return " ".join(digits[i:i + 2] for i in range(0, 10, 2))
    if style < 0.85:
        return digits
    return "+33 " + digits[1] + " " + " ".join(digits[i:i + 2] for i in range(2, 10, 2))


def make_email(rng: random.Random, prenom: str, nom: str) -> str:
    local = f"{_slug(prenom)}.{_slug(nom)}"
    if rng.random() < 0.3:
        local += str(rng.randint(1, 99))
    return f"{local}@{rng.choice(EMAIL_DOMAINS)}"


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _empty(sheet: schema.Sheet) -> dict:
    return {c.key: None for c in sheet.columns}


# --- the people and their path -------------------------------------------------------

@dataclass
class _Path:
    """Where a porteur's project went, and the stretch of it spent with the CitésLab.

    The CitésLab meets people early, before the partners take over: its
    entretiens fall between the first contact and `journey_end`, mostly a few
    weeks or months later, even when the business is created a year after.
    A `journey_end` after the as-of date means the porteur is still followed.
    """

    statut: str
    journey_end: date
    entretiens: int
    partenaire: str | None = None
    orientation: date | None = None
    creation: date | None = None
    cessation: date | None = None


class _Generator:
    """One demo site: every sheet drawn from one seeded random stream, in a fixed order."""

    def __init__(self, people_per_year: int, years: int, seed: int, as_of: date):
        self.rng = random.Random(seed)
        self.fake = Faker("fr_FR")
        self.fake.seed_instance(seed)
        self.as_of = as_of
        self.start = max(add_years(as_of, -years), EARLIEST)
        self.people_per_year = people_per_year
        self.paths: list[_Path] = []

    def days(self, low: int, high: int) -> timedelta:
        return timedelta(days=self.rng.randint(low, high))

    # porteurs
    def first_contacts(self) -> list[date]:
        """Each month gets its seasonal share of the yearly objective, each year give or take a few percent.

        Drawing month by month rather than over the whole span keeps a year's
        count, and the 90-day caseload, from wandering with the luck of the draw.
        """
        firsts: list[date] = []
        expected = 0.0  # carried over the months, so that small sites still get their few porteurs
        for year in range(self.start.year, self.as_of.year + 1):
            year_weight = sum(w for month in range(1, 13) for _, w in self._weighted_days(year, month))
            per_weight = self.people_per_year * self.rng.uniform(1 - YEARLY_SPREAD, 1 + YEARLY_SPREAD) / year_weight
            for month in range(1, 13):
                covered = [(d, w) for d, w in self._weighted_days(year, month) if self.start <= d <= self.as_of]
                if covered:
                    days, weights = zip(*covered)
                    expected += per_weight * sum(weights)
                    firsts += self.rng.choices(days, weights=weights, k=round(expected) - len(firsts))
        return sorted(firsts)

    @classmethod
    def _weighted_days(cls, year: int, month: int) -> list[tuple[date, float]]:
        """The working days of a month, each with its chance of a first contact."""
        days = (date(year, month, day) for day in range(1, calendar.monthrange(year, month)[1] + 1))
        return [(d, cls._day_weight(d)) for d in days if d.weekday() < 5]

    @staticmethod
    def _day_weight(day: date) -> float:
        weight = MONTH_WEIGHTS[day.month]
        if day.month == 12 and day.day >= LATE_DECEMBER_DAY:
            weight *= LATE_DECEMBER_WEIGHT
        return weight

    def porteurs(self) -> list[dict]:
        firsts = self.first_contacts()
        creators = self.creators(firsts)
        width = max(5, len(str(len(firsts))))
        rows = []
        for number, first in enumerate(firsts, start=1):
            path = self.creator_path(first) if number in creators else self.other_path(first)
            self.paths.append(path)
            rows.append(self.porteur(f"P{number:0{width}d}", first, path))
        return rows

    def porteur(self, ident: str, first: date, path: _Path) -> dict:
        rng, fake = self.rng, self.fake
        row = _empty(schema.PORTEURS)
        sexe = "F" if rng.random() < 0.47 else "H"
        prenom = fake.first_name_female() if sexe == "F" else fake.first_name_male()
        nom = fake.last_name()
        age = int(rng.triangular(18, 65, 30))
        secteur = _pick(rng, SECTEUR_WEIGHTS)
        row.update(
            id=ident, nom=nom, prenom=prenom, sexe=sexe,
            date_naissance=first - timedelta(days=round((age + rng.uniform(0.05, 0.95)) * 365.25)),
            quartier=_pick(rng, QUARTIER_WEIGHTS),
            situation=self.sometimes_blank(_pick(rng, SITUATION_WEIGHTS)),
            niveau=self.sometimes_blank(_pick(rng, NIVEAU_WEIGHTS)),
            prescripteur=self.sometimes_blank(_pick(rng, PRESCRIPTEUR_WEIGHTS)),
            date_premier_contact=first, charge=CHARGE, secteur=secteur, statut=path.statut,
            partenaire=path.partenaire, date_orientation=path.orientation,
            date_creation=path.creation, date_cessation=path.cessation,
        )
        if path.creation is not None:
            row.update(forme=_pick(rng, FORME_WEIGHTS), siret=make_siret(rng))
        consent = rng.random() < 0.93
        row["consentement"] = consent
        if consent:
            if rng.random() < 0.95:
                row["telephone"] = make_phone(rng)
            if rng.random() < 0.8:
                row["email"] = make_email(rng, prenom, nom)
        if rng.random() < 0.15:
            row["commentaire"] = f"Projet : {rng.choice(PROJETS[secteur])}"
        return row

    def sometimes_blank(self, value):
        return None if self.rng.random() < 0.03 else value

    def creators(self, firsts: list[date]) -> set[int]:
        """The numbers (from 1) of the porteurs who will create: each cohort its share, give or take a little.

        Choosing them per cohort, rather than one by one, keeps every complete
        cohort's creation rate near the objective, as on a real site's reports.
        """
        cohorts: dict[int, list[int]] = {}
        for number, first in enumerate(firsts, start=1):
            cohorts.setdefault(first.year, []).append(number)
        chosen = set()
        for numbers in cohorts.values():
            share = CREATION_SHARE + self.rng.uniform(-CREATION_SPREAD, CREATION_SPREAD)
            chosen.update(self.rng.sample(numbers, round(share * len(numbers))))
        return chosen

    def creator_path(self, first: date) -> _Path:
        rng, as_of = self.rng, self.as_of
        delay = int(rng.triangular(61, 548, 180))  # 2 to 18 months
        creation = workday_on_or_before(first + timedelta(days=delay))
        partenaire = orientation = None
        if rng.random() < CREATOR_ORIENTATION_SHARE:
            partenaire = _pick(rng, PARTENAIRE_WEIGHTS)
            orientation = workday_on_or_before(first + self.days(14, min(delay - 14, ORIENTATION_DAYS)))
        # An oriented porteur goes on with the partner; the others, after a few entretiens, on their own.
        journey_end = orientation or min(first + timedelta(days=self.journey_days()), creation)
        entretiens = rng.randint(1, 4)
        if creation <= as_of:
            return _Path("Créé", journey_end, entretiens, partenaire, orientation, creation,
                         self.cessation(creation))
        if orientation is not None and orientation <= as_of:
            return _Path("Orienté", journey_end, entretiens, partenaire, orientation)
        return _Path(self.ongoing_statut(first, creation), journey_end, entretiens)

    def journey_days(self) -> int:
        return int(self.rng.triangular(14, JOURNEY_DAYS, 30))

    def ongoing_statut(self, first: date, creation: date | None = None) -> str:
        if (self.as_of - first).days < 21:
            return "Accueil"
        if creation is not None and (creation - self.as_of).days <= 120:
            return "En création"
        return "Émergence"

    def other_path(self, first: date) -> _Path:
        rng, as_of = self.rng, self.as_of
        draw = rng.random()
        if draw < ORIENTED_SHARE:
            orientation = workday_on_or_before(first + self.days(7, ORIENTATION_DAYS))
            path = _Path("Orienté", orientation, rng.randint(1, 3), _pick(rng, PARTENAIRE_WEIGHTS), orientation)
        elif draw < ORIENTED_SHARE + ABANDON_SHARE:
            # those who give up mostly do so early, after one entretien at most
            path = _Path("Abandon", first + self.days(14, ABANDON_DAYS), rng.randint(0, 1))
        else:
            # a project left dormant, never formally closed
            path = _Path("Émergence", first + self.days(30, JOURNEY_DAYS), rng.randint(0, 3))
        if path.journey_end <= as_of:
            return path
        return _Path(self.ongoing_statut(first), path.journey_end, path.entretiens)

    def cessation(self, creation: date) -> date | None:
        """≈ 20 % close within three years, a few more later on."""
        draw = self.rng.random()
        if draw < 0.20:
            closed = creation + self.days(90, 3 * 365 - 5)
        elif draw < 0.32:
            closed = creation + self.days(3 * 365 + 5, 7 * 365)
        else:
            return None
        closed = workday_on_or_before(closed)
        return closed if closed <= self.as_of else None

    # rendez-vous
    def rendez_vous(self, porteurs: list[dict]) -> list[dict]:
        rows = []
        for porteur, path in zip(porteurs, self.paths):
            rows.extend(self.meetings(porteur["id"], porteur["date_premier_contact"], path))
        order = {t: i for i, t in enumerate(schema.DEFAULT_LISTS["Type de rendez-vous"])}
        rows.sort(key=lambda r: (r["date"], r["id_porteur"], order[r["type"]]))
        return rows

    def meetings(self, ident: str, first: date, path: _Path) -> list[dict]:
        rng = self.rng
        rows = [self.meeting(first, ident, "Premier accueil", PREMIER_ACCUEIL_MINUTES, "Présentation du dispositif")]
        span = (path.journey_end - first).days
        if span >= 7:
            for offset in sorted(rng.randint(7, span) for _ in range(path.entretiens)):
                day = workday_on_or_before(first + timedelta(days=offset))
                if day <= self.as_of:
                    rows.append(self.meeting(day, ident, "Entretien", ENTRETIEN_MINUTES, rng.choice(OBJETS_ENTRETIEN)))
        if path.creation is not None and rng.random() < POST_CREATION_SHARE:
            rows.extend(self.follow_up_meetings(ident, path))
        if path.journey_end > self.as_of and rng.random() < 0.4:
            planned = workday_on_or_before(self.as_of + self.days(3, 30))
            rows.append(self.meeting(planned, ident, "Entretien", (60,), "Point d'étape"))
        return rows

    def follow_up_meetings(self, ident: str, path: _Path) -> list[dict]:
        end = min(add_years(path.creation, 3), path.cessation or self.as_of, self.as_of)
        span = (end - path.creation).days
        if span < 20:
            return []
        offsets = sorted(self.rng.randint(20, span) for _ in range(self.rng.randint(1, 2)))
        return [self.meeting(workday_on_or_before(path.creation + timedelta(days=o)), ident,
                             "Suivi post-création", SUIVI_MINUTES, self.rng.choice(OBJETS_SUIVI))
                for o in offsets]

    def meeting(self, day: date, ident: str, kind: str, durations: tuple[int, ...], objet: str) -> dict:
        row = _empty(schema.RENDEZ_VOUS)
        modalite = "Face-à-face" if kind == "Premier accueil" else _pick(self.rng, MODALITE_WEIGHTS)
        row.update(date=day, id_porteur=ident, type=kind, modalite=modalite,
                   duree=self.rng.choice(durations), charge=CHARGE, objet=objet)
        return row

    # workshops
    def ateliers(self, porteurs: list[dict]) -> tuple[list[dict], list[dict]]:
        firsts = [p["date_premier_contact"] for p in porteurs]
        ids = [p["id"] for p in porteurs]
        ateliers, photolangage = [], []
        for year, month in _months(self.start, self.as_of):
            if month == 8:
                continue
            for day, make in self.workshop_days(year, month):
                if self.start <= day <= self.as_of:
                    atelier = make(day, firsts, ids)
                    ateliers.append(atelier)
                    if atelier["type"] == "Photolangage":
                        photolangage.extend(self.photolangage_rows(atelier))
        ateliers.sort(key=lambda r: r["date"])
        return ateliers, photolangage

    def workshop_days(self, year: int, month: int) -> list[tuple[date, Callable]]:
        days = [(_nth_weekday(year, month, 1, 2), self.photolangage_atelier),
                (_nth_weekday(year, month, 3, 1), self.information_collective),
                (_nth_weekday(year, month, 3, 3), self.information_collective)]
        if month in (3, 6, 10):
            days.append((_nth_weekday(year, month, 2, 4), self.formation_jeunes))
        if month == 11:
            days.append((_nth_weekday(year, month, 4, 3), self.autre_atelier))
        return days

    def recent(self, day: date, within: int, firsts: list[date], ids: list[str]) -> list[str]:
        low = bisect.bisect_left(firsts, day - timedelta(days=within))
        high = bisect.bisect_right(firsts, day)
        return ids[low:high]

    def atelier(self, day: date, kind: str, participants: int, ids: list[str] = (), **extra) -> dict:
        row = _empty(schema.ATELIERS)
        row.update(date=day, type=kind, participants=participants,
                   ids_participants=";".join(sorted(ids)) or None, **extra)
        return row

    def photolangage_atelier(self, day, firsts, ids):
        participants = self.rng.randint(6, 12)
        candidates = self.recent(day, 60, firsts, ids)
        chosen = self.rng.sample(candidates, min(len(candidates), participants - self.rng.randint(0, 2)))
        return self.atelier(day, "Photolangage", participants, chosen, theme="Photolangage : mes atouts")

    def information_collective(self, day, firsts, ids):
        participants = self.rng.randint(5, 15)
        chosen = []
        if self.rng.random() < 0.5:
            candidates = self.recent(day, 45, firsts, ids)
            chosen = self.rng.sample(candidates, min(len(candidates), participants))
        partenaire = self.rng.choice((None, None, "BGE", "Adie", "France Active", "Initiative France"))
        return self.atelier(day, "Information collective", participants, chosen,
                            theme=self.rng.choice(THEMES_INFORMATION), partenaire=partenaire)

    def formation_jeunes(self, day, firsts, ids):
        return self.atelier(day, "Formation jeunes (France Active)", self.rng.randint(8, 15),
                            theme="Entreprendre quand on a moins de 26 ans", partenaire="France Active")

    def autre_atelier(self, day, firsts, ids):
        return self.atelier(day, "Autre", self.rng.randint(20, 60),
                            theme="Mois de l'économie sociale et solidaire")

    def photolangage_rows(self, atelier: dict) -> list[dict]:
        rows = []
        ids = atelier["ids_participants"].split(";") if atelier["ids_participants"] else []
        for ident in ids:
            row = _empty(schema.PHOTOLANGAGE)
            images = sorted(self.rng.sample(range(1, PHOTOLANGAGE_IMAGES + 1), 4))
            row.update(date=atelier["date"], id_porteur=ident, images=";".join(map(str, images)),
                       capacites=";".join(self.rng.sample(CAPACITES, self.rng.randint(2, 4))))
            rows.append(row)
        return rows

    # awareness actions
    def sensibilisation(self) -> list[dict]:
        rows = []
        for year, month in _months(self.start, self.as_of):
            if month == 8:
                continue
            last = calendar.monthrange(year, month)[1]
            for _ in range(self.rng.randint(1, 3)):
                day = workday_on_or_before(date(year, month, self.rng.randint(1, last)))
                if self.start <= day <= self.as_of:
                    rows.append(self.action(day))
        rows.sort(key=lambda r: r["date"])
        return rows

    def action(self, day: date) -> dict:
        lieu = _pick(self.rng, LIEU_WEIGHTS)
        row = _empty(schema.SENSIBILISATION)
        row.update(date=day, type_lieu=lieu, structure=self.rng.choice(LIEUX[lieu]),
                   personnes=self.rng.randint(*LIEU_PERSONNES[lieu]))
        if lieu == "Établissement scolaire" and self.rng.random() < 0.5:
            row["commentaire"] = "Intervention en classe avec une cheffe d'entreprise du quartier"
        return row

    # référents
    def referents(self) -> list[dict]:
        rows = []
        for number in range(1, REFERENTS_COUNT + 1):
            rng = self.rng
            prenom, nom = self.fake.first_name(), self.fake.last_name()
            secteur = _pick(rng, SECTEUR_WEIGHTS)
            entreprise = f"{rng.choice(ENSEIGNES[secteur])} {self.fake.last_name()}"
            row = _empty(schema.REFERENTS)
            contact = rng.random()
            accord = rng.random() < 0.9
            row.update(id=f"R{number:03d}", nom=nom, prenom=prenom, entreprise=entreprise, secteur=secteur,
                       telephone=make_phone(rng, mobile=rng.random() < 0.6) if contact < 0.9 else None,
                       email=f"{_slug(prenom)}.{_slug(nom)}@{_slug(entreprise)}.fr" if contact > 0.2 else None,
                       accord=accord, actif=rng.random() < 0.85)
            if accord:
                row["date_accord"] = workday_on_or_before(
                    self.start + self.days(0, (self.as_of - self.start).days))
            rows.append(row)
        return rows

    # follow-up of created businesses
    def suivi(self, porteurs: list[dict]) -> list[dict]:
        rows = []
        for porteur, path in zip(porteurs, self.paths):
            if path.creation is not None:
                rows.extend(self.follow_ups(porteur, path))
        rows.sort(key=lambda r: (r["date"], r["id_porteur"]))
        return rows

    def follow_ups(self, porteur: dict, path: _Path) -> list[dict]:
        rng, creation = self.rng, path.creation
        milestones = (add_months(creation, 6), add_years(creation, 1), add_years(creation, 2), add_years(creation, 3))
        rows, jobs = [], 1
        revenue = rng.uniform(8000, 45000)
        for milestone in milestones:
            day = max(creation, workday_on_or_before(milestone + self.days(-10, 25)))
            if day > self.as_of:
                break
            if rng.random() < 0.07:
                continue  # a milestone the coordinator missed
            row = _empty(schema.SUIVI)
            active = path.cessation is None or path.cessation > day
            if active:
                jobs = min(5, jobs + (rng.random() < 0.2))
                revenue *= rng.uniform(1.0, 1.5)
                row.update(active=True, emplois=jobs, ca=Decimal(f"{revenue:.2f}"))
            else:
                row.update(active=False, emplois=0, commentaire="Activité arrêtée")
            row.update(id_porteur=porteur["id"], date=day)
            rows.append(row)
            if not active:
                break
        return rows

    # funding
    def financement(self, porteurs: list[dict]) -> list[dict]:
        first_year = min((p["date_premier_contact"].year for p in porteurs), default=self.as_of.year)
        rows = []
        for year in range(first_year, self.as_of.year + 1):
            row = _empty(schema.FINANCEMENT)
            base = 45000 + (year - 2005) * 450 + self.rng.uniform(-800, 800)
            cost = min(55000.0, max(45000.0, base))
            row.update(annee=year, poste="Poste 1", etp=Decimal("1"), cout=Decimal(f"{cost:.2f}"))
            shares = {"Caisse des Dépôts": 100} if year < 2008 else {"Agglomération": 80, "Région": 20}
            for funder in schema.DEFAULT_FUNDERS:
                row[share_column(funder)] = shares.get(funder)
            rows.append(row)
        return rows

    def all_rows(self) -> dict[str, list[dict]]:
        porteurs = self.porteurs()
        ateliers, photolangage = self.ateliers(porteurs)
        return {
            "porteurs": porteurs,
            "rendez_vous": self.rendez_vous(porteurs),
            "ateliers": ateliers,
            "photolangage": photolangage,
            "sensibilisation": self.sensibilisation(),
            "referents": self.referents(),
            "suivi": self.suivi(porteurs),
            "financement": self.financement(porteurs),
        }


# --- deliberate mistakes ------------------------------------------------------------

@dataclass(frozen=True)
class _Mistake:
    column: str  # column key
    code: str
    applies: Callable[[int, dict], bool]
    value: Callable[[int, dict], object]


def _always(index: int, row: dict) -> bool:
    return True


# Financement is left clean: its few rows carry the funding history every demo shows.
SPOILABLE = ("porteurs", "rendez_vous", "ateliers", "photolangage", "sensibilisation", "referents", "suivi")
# Rows that name a porteur: changing that porteur's ID would orphan them.
DEPENDENTS = ("rendez_vous", "photolangage", "suivi")


class _Spoiler:
    """Gives chosen rows one mistake each, of a kind the validator must catch."""

    def __init__(self, rows: dict[str, list[dict]], seed: int, as_of: date):
        self.rows = rows
        self.rng = random.Random(f"citeslab-demo-errors-{seed}")
        self.as_of = as_of
        self.mistakes = self.mistakes_by_sheet()
        self.free_porteurs: list[int] = []
        self.busy_ids: set[str] = set()

    def spoil(self, rate: float) -> list[Spoiled]:
        chosen = self.choose(rate)
        chosen_porteurs = {i for key, i in chosen if key == "porteurs"}
        self.free_porteurs = [i for i in range(len(self.rows["porteurs"])) if i not in chosen_porteurs]
        self.busy_ids = {self.rows[key][i]["id_porteur"] for key, i in chosen if key in DEPENDENTS}
        return [self.spoil_row(key, index) for key, index in chosen]

    def choose(self, rate: float) -> list[tuple[str, int]]:
        candidates = [(key, i) for key in SPOILABLE for i in range(len(self.rows[key]))]
        total = sum(len(r) for r in self.rows.values())
        chosen = self.rng.sample(candidates, min(len(candidates), round(rate * total)))
        return sorted(chosen, key=lambda c: (SPOILABLE.index(c[0]), c[1]))

    def spoil_row(self, key: str, index: int) -> Spoiled:
        row = self.rows[key][index]
        mistake = self.rng.choice([m for m in self.mistakes[key] if m.applies(index, row)])
        value = mistake.value(index, row)
        row[mistake.column] = value
        sheet = schema.SHEETS_BY_KEY[key]
        return Spoiled(sheet.name, index + 2, sheet.column(mistake.column).header, mistake.code, value)

    def bad_date_text(self, row: dict, column: str) -> str:
        year = row[column].year if isinstance(row[column], date) else self.as_of.year
        return self.rng.choice((f"31/02/{year}", f"30/02/{year}", "bientôt", "à définir"))

    def mistakes_by_sheet(self) -> dict[str, list[_Mistake]]:
        def bad_date(column):
            return _Mistake(column, "date-invalid", _always, lambda i, r: self.bad_date_text(r, column))

        def unknown(column, value, applies=_always):
            return _Mistake(column, "list-unknown", applies, lambda i, r: value)

        def consenting(i, r):
            return r["consentement"] is True

        def both_contacts(i, r):
            return bool(r["telephone"] and r["email"])

        # Statuts with neither partner nor creation date: no other rule reads their dates.
        plain = {"Accueil", "Émergence", "Abandon"}
        return {
            "porteurs": [
                _Mistake("date_naissance", "date-invalid", lambda i, r: r["date_naissance"] is not None,
                         lambda i, r: f"31/02/{r['date_naissance'].year}"),
                _Mistake("date_premier_contact", "date-future", lambda i, r: r["statut"] in plain,
                         lambda i, r: self.as_of + timedelta(days=self.rng.randint(5, 200))),
                # Only a porteur with no Suivi rows: those need the statut Créé.
                unknown("statut", "En cours", lambda i, r: r["statut"] in plain | {"En création"}),
                unknown("quartier", "Atlantis"),
                _Mistake("siret", "siret-invalid", lambda i, r: r["siret"] is not None,
                         lambda i, r: r["siret"][:-1] + str((int(r["siret"][-1]) + 1) % 10)),
                _Mistake("telephone", "phone-invalid", consenting, lambda i, r: "12 34"),
                _Mistake("email", "email-invalid", consenting,
                         lambda i, r: f"{_slug(r['prenom'])}.{_slug(r['nom'])}@"),
                _Mistake("consentement", "ouinon-invalid", _always, lambda i, r: "peut-être"),
                _Mistake("date_orientation", "date-order", self.can_precede_first_contact,
                         self.before_first_contact),
                _Mistake("id", "id-duplicate", self.can_duplicate, self.earlier_id),
            ],
            "rendez_vous": [
                bad_date("date"),
                unknown("type", "Appel"),
                unknown("modalite", "Sur place"),
                _Mistake("id_porteur", "id-unknown", _always, lambda i, r: "P99999"),
                _Mistake("duree", "number-range", _always, lambda i, r: 900),
            ],
            "ateliers": [
                _Mistake("date", "date-invalid", lambda i, r: r["type"] != "Photolangage",
                         lambda i, r: self.bad_date_text(r, "date")),
                _Mistake("participants", "number-range", _always, lambda i, r: 250),
            ],
            "photolangage": [
                _Mistake("images", "images-count", _always, lambda i, r: ";".join(r["images"].split(";")[:3])),
            ],
            "sensibilisation": [
                bad_date("date"),
                unknown("type_lieu", "Mairie"),
                _Mistake("personnes", "number-range", _always, lambda i, r: 5000),
            ],
            "referents": [
                _Mistake("telephone", "phone-invalid", both_contacts, lambda i, r: "12 34"),
                _Mistake("email", "email-invalid", both_contacts, lambda i, r: "contact@"),
                _Mistake("actif", "ouinon-invalid", _always, lambda i, r: "peut-être"),
            ],
            "suivi": [
                bad_date("date"),
                _Mistake("active", "ouinon-invalid", _always, lambda i, r: "peut-être"),
                _Mistake("emplois", "number-range", _always, lambda i, r: 900),
            ],
        }

    @staticmethod
    def can_precede_first_contact(index: int, row: dict) -> bool:
        return row["date_orientation"] is not None and row["date_premier_contact"] > EARLIEST

    def before_first_contact(self, index: int, row: dict) -> date:
        first = row["date_premier_contact"]
        return first - timedelta(days=self.rng.randint(1, min(30, (first - EARLIEST).days)))

    def can_duplicate(self, index: int, row: dict) -> bool:
        # The porteur whose ID changes loses its rendez-vous, suivi and
        # photolangage rows: none of them may carry a mistake of its own.
        return row["id"] not in self.busy_ids and bool(self.earlier_free(index))

    def earlier_free(self, index: int) -> list[int]:
        earlier = self.free_porteurs[:bisect.bisect_left(self.free_porteurs, index)]
        return [j for j in earlier if self.rows["porteurs"][j]["id"] not in self.busy_ids]

    def earlier_id(self, index: int, row: dict) -> str:
        return self.rows["porteurs"][self.rng.choice(self.earlier_free(index))]["id"]


# --- entry points ---------------------------------------------------------------------

def generate(people_per_year: int = 400, years: int = 3, seed: int = 0, errors: float = 0.0,
             *, as_of: date | None = None) -> DemoData:
    """The rows of every data sheet, and the cells deliberately spoiled (`errors` of the rows)."""
    if people_per_year < 1 or years < 1:
        raise ValueError("Le nombre de personnes par an et le nombre d'années doivent être au moins 1.")
    if not 0 <= errors <= 1:
        raise ValueError("Le taux d'erreurs doit être compris entre 0 et 1 (par exemple 0.05).")
    as_of = as_of or date.today()
    if as_of < EARLIEST:
        raise ValueError(f"La date de référence doit être postérieure au {EARLIEST:%d/%m/%Y}.")
    rows = _Generator(people_per_year, years, seed, as_of).all_rows()
    spoiled = _Spoiler(rows, seed, as_of).spoil(errors) if errors else []
    return DemoData(rows, spoiled)
