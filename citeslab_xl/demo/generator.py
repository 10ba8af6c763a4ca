"""A realistic synthetic workbook, for demonstrations and for testing the tool.

`generate` invents a CitésLab site in Besançon: porteurs from the QPV, their
rendez-vous (a few planned in the weeks after the as-of date), workshops,
awareness actions, référents, the follow-up of the businesses created, and
its three conseillères, whose posts opened in turn, with their funding
(`staff`). Files left dormant for months are partly closed as Abandon, as a
coordinator does after relaunching them. The figures follow the
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
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from faker import Faker

from citeslab_xl.core import schema
from citeslab_xl.core.errors import RequestRefused
from citeslab_xl.core.periods import month_end, months_between, shift_months, shift_years
from citeslab_xl.demo import vocabulary as site
from citeslab_xl.demo.mistakes import Spoiled, Spoiler
from citeslab_xl.demo.staff import Post, charge_on, financement, posts
from citeslab_xl.demo.vocabulary import make_email, make_phone, make_siret, slug


@dataclass
class DemoData:
    rows: dict[str, list[dict]]
    spoiled: list[Spoiled]
    charges: tuple[tuple[str, float], ...] = site.CHARGES  # Paramètres › Chargés de mission (name, ETP)

    @property
    def row_count(self) -> int:
        return sum(len(r) for r in self.rows.values())


# --- dates --------------------------------------------------------------------

def workday_on_or_before(day: date) -> date:
    """Nobody meets on a weekend: Saturday and Sunday move back to Friday."""
    return day - timedelta(days=max(0, day.weekday() - 4))


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


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
        self.start = max(shift_years(as_of, -years), site.EARLIEST)
        self.people_per_year = people_per_year
        self.paths: list[_Path] = []
        self.staff: list[Post] = []

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
            spread = self.rng.uniform(1 - site.YEARLY_SPREAD, 1 + site.YEARLY_SPREAD)
            per_weight = self.people_per_year * spread / year_weight
            for month in range(1, 13):
                covered = [(d, w) for d, w in self._weighted_days(year, month) if self.start <= d <= self.as_of]
                if covered:
                    days, weights = zip(*covered, strict=True)
                    expected += per_weight * sum(weights)
                    firsts += self.rng.choices(days, weights=weights, k=round(expected) - len(firsts))
        return sorted(firsts)

    @classmethod
    def _weighted_days(cls, year: int, month: int) -> list[tuple[date, float]]:
        """The working days of a month, each with its chance of a first contact."""
        days = (date(year, month, day) for day in range(1, month_end(year, month).day + 1))
        return [(d, cls._day_weight(d)) for d in days if d.weekday() < 5]

    @staticmethod
    def _day_weight(day: date) -> float:
        weight = site.MONTH_WEIGHTS[day.month]
        if day.month == 12 and day.day >= site.LATE_DECEMBER_DAY:
            weight *= site.LATE_DECEMBER_WEIGHT
        return weight

    def porteurs(self) -> list[dict]:
        firsts = self.first_contacts()
        self.staff = posts(firsts[0] if firsts else self.start, self.as_of)
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
        secteur = _pick(rng, site.SECTEUR_WEIGHTS)
        row.update(
            id=ident, nom=nom, prenom=prenom, sexe=sexe,
            date_naissance=first - timedelta(days=round((age + rng.uniform(0.05, 0.95)) * 365.25)),
            quartier=_pick(rng, site.QUARTIER_WEIGHTS),
            situation=self.sometimes_blank(_pick(rng, site.SITUATION_WEIGHTS)),
            niveau=self.sometimes_blank(_pick(rng, site.NIVEAU_WEIGHTS)),
            prescripteur=self.sometimes_blank(_pick(rng, site.PRESCRIPTEUR_WEIGHTS)),
            date_premier_contact=first, charge=charge_on(self.staff, first, rng), secteur=secteur, statut=path.statut,
            partenaire=path.partenaire, date_orientation=path.orientation,
            date_creation=path.creation, date_cessation=path.cessation,
        )
        if path.creation is not None:
            row.update(forme=_pick(rng, site.FORME_WEIGHTS), siret=make_siret(rng))
        consent = rng.random() < 0.93
        row["consentement"] = consent
        if consent:
            if rng.random() < 0.95:
                row["telephone"] = make_phone(rng)
            if rng.random() < 0.8:
                row["email"] = make_email(rng, prenom, nom)
        if rng.random() < 0.15:
            row["commentaire"] = f"Projet : {rng.choice(site.PROJETS[secteur])}"
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
            share = site.CREATION_SHARE + self.rng.uniform(-site.CREATION_SPREAD, site.CREATION_SPREAD)
            chosen.update(self.rng.sample(numbers, round(share * len(numbers))))
        return chosen

    def creator_path(self, first: date) -> _Path:
        rng, as_of = self.rng, self.as_of
        delay = int(rng.triangular(61, 548, 180))  # 2 to 18 months
        creation = workday_on_or_before(first + timedelta(days=delay))
        partenaire = orientation = None
        if rng.random() < site.CREATOR_ORIENTATION_SHARE:
            partenaire = _pick(rng, site.PARTENAIRE_WEIGHTS)
            orientation = workday_on_or_before(first + self.days(14, min(delay - 14, site.ORIENTATION_DAYS)))
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
        return int(self.rng.triangular(14, site.JOURNEY_DAYS, 30))

    def ongoing_statut(self, first: date, creation: date | None = None) -> str:
        if (self.as_of - first).days < 21:
            return "Accueil"
        if creation is not None and (creation - self.as_of).days <= 120:
            return "En création"
        return "Émergence"

    def other_path(self, first: date) -> _Path:
        rng, as_of = self.rng, self.as_of
        draw = rng.random()
        if draw < site.ORIENTED_SHARE:
            orientation = workday_on_or_before(first + self.days(7, site.ORIENTATION_DAYS))
            path = _Path("Orienté", orientation, rng.randint(1, 3), _pick(rng, site.PARTENAIRE_WEIGHTS), orientation)
        elif draw < site.ORIENTED_SHARE + site.ABANDON_SHARE:
            # those who give up mostly do so early, after one entretien at most
            path = _Path("Abandon", first + self.days(14, site.ABANDON_DAYS), rng.randint(0, 1))
        else:
            # a project left dormant
            path = _Path("Émergence", first + self.days(30, site.JOURNEY_DAYS), rng.randint(0, 3))
        if path.journey_end <= as_of:
            return self.closed_after_relaunch(path)
        return _Path(self.ongoing_statut(first), path.journey_end, path.entretiens)

    def closed_after_relaunch(self, path: _Path) -> _Path:
        """A file still open months after its last entretien: the coordinator closes some of them as Abandon."""
        closing = path.journey_end + self.days(*site.CLOSING_DAYS)
        share = {"Émergence": site.CLOSED_DORMANT_SHARE, "Orienté": site.CLOSED_ORIENTED_SHARE}.get(path.statut, 0)
        if self.rng.random() < share and closing <= self.as_of:
            return _Path("Abandon", path.journey_end, path.entretiens, path.partenaire, path.orientation)
        return path

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
        for porteur, path in zip(porteurs, self.paths, strict=True):
            rows.extend(self.meetings(porteur["id"], porteur["date_premier_contact"], path, porteur["charge"]))
        order = {t: i for i, t in enumerate(schema.DEFAULT_LISTS["Type de rendez-vous"])}
        rows.sort(key=lambda r: (r["date"], r["id_porteur"], order[r["type"]]))
        return rows

    def meetings(self, ident: str, first: date, path: _Path, charge: str) -> list[dict]:
        """Her rendez-vous, all with the conseillère who took her: some of those still followed have one planned."""
        rng = self.rng
        rows = [self.meeting(first, ident, "Premier accueil", site.PREMIER_ACCUEIL_MINUTES,
                             "Présentation du dispositif", charge)]
        span = (path.journey_end - first).days
        if span >= 7:
            for offset in sorted(rng.randint(7, span) for _ in range(path.entretiens)):
                day = workday_on_or_before(first + timedelta(days=offset))
                if day <= self.as_of:
                    rows.append(self.meeting(day, ident, "Entretien", site.ENTRETIEN_MINUTES,
                                             rng.choice(site.OBJETS_ENTRETIEN), charge))
        if path.creation is not None and rng.random() < site.POST_CREATION_SHARE:
            rows.extend(self.follow_up_meetings(ident, path.creation, path.cessation, charge))
        if path.journey_end > self.as_of and rng.random() < 0.4:
            planned = workday_on_or_before(self.as_of + self.days(3, 30))
            rows.append(self.meeting(planned, ident, "Entretien", (60,), "Point d'étape", charge))
        return rows

    def follow_up_meetings(self, ident: str, creation: date, cessation: date | None, charge: str) -> list[dict]:
        end = min(shift_years(creation, 3), cessation or self.as_of, self.as_of)
        span = (end - creation).days
        if span < 20:
            return []
        offsets = sorted(self.rng.randint(20, span) for _ in range(self.rng.randint(1, 2)))
        return [self.meeting(workday_on_or_before(creation + timedelta(days=o)), ident,
                             "Suivi post-création", site.SUIVI_MINUTES, self.rng.choice(site.OBJETS_SUIVI), charge)
                for o in offsets]

    def meeting(self, day: date, ident: str, kind: str, durations: tuple[int, ...], objet: str, charge: str) -> dict:
        row = _empty(schema.RENDEZ_VOUS)
        modalite = "Face-à-face" if kind == "Premier accueil" else _pick(self.rng, site.MODALITE_WEIGHTS)
        row.update(date=day, id_porteur=ident, type=kind, modalite=modalite,
                   duree=self.rng.choice(durations), charge=charge, objet=objet)
        return row

    # workshops
    def ateliers(self, porteurs: list[dict]) -> tuple[list[dict], list[dict]]:
        firsts = [p["date_premier_contact"] for p in porteurs]
        ids = [p["id"] for p in porteurs]
        ateliers, photolangage = [], []
        for year, month in ((m.debut.year, m.debut.month) for m in months_between(self.start, self.as_of)):
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

    def atelier(self, day: date, kind: str, participants: int, ids: Sequence[str] = (), **extra) -> dict:
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
                            theme=self.rng.choice(site.THEMES_INFORMATION), partenaire=partenaire)

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
            images = sorted(self.rng.sample(range(1, site.PHOTOLANGAGE_IMAGES + 1), 4))
            row.update(date=atelier["date"], id_porteur=ident, images=";".join(map(str, images)),
                       capacites=";".join(self.rng.sample(site.CAPACITES, self.rng.randint(2, 4))))
            rows.append(row)
        return rows

    # awareness actions
    def sensibilisation(self) -> list[dict]:
        rows = []
        for year, month in ((m.debut.year, m.debut.month) for m in months_between(self.start, self.as_of)):
            if month == 8:
                continue
            last = month_end(year, month).day
            for _ in range(self.rng.randint(1, 3)):
                day = workday_on_or_before(date(year, month, self.rng.randint(1, last)))
                if self.start <= day <= self.as_of:
                    rows.append(self.action(day))
        rows.sort(key=lambda r: r["date"])
        return rows

    def action(self, day: date) -> dict:
        lieu = _pick(self.rng, site.LIEU_WEIGHTS)
        row = _empty(schema.SENSIBILISATION)
        row.update(date=day, type_lieu=lieu, structure=self.rng.choice(site.LIEUX[lieu]),
                   personnes=self.rng.randint(*site.LIEU_PERSONNES[lieu]))
        if lieu == "Établissement scolaire" and self.rng.random() < 0.5:
            row["commentaire"] = "Intervention en classe avec une cheffe d'entreprise du quartier"
        return row

    # référents
    def referents(self) -> list[dict]:
        rows = []
        for number in range(1, site.REFERENTS_COUNT + 1):
            rng = self.rng
            prenom, nom = self.fake.first_name(), self.fake.last_name()
            secteur = _pick(rng, site.SECTEUR_WEIGHTS)
            entreprise = f"{rng.choice(site.ENSEIGNES[secteur])} {self.fake.last_name()}"
            row = _empty(schema.REFERENTS)
            contact = rng.random()
            accord = rng.random() < 0.9
            row.update(id=f"R{number:03d}", nom=nom, prenom=prenom, entreprise=entreprise, secteur=secteur,
                       telephone=make_phone(rng, mobile=rng.random() < 0.6) if contact < 0.9 else None,
                       email=f"{slug(prenom)}.{slug(nom)}@{slug(entreprise)}.fr" if contact > 0.2 else None,
                       accord=accord, actif=rng.random() < 0.85)
            if accord:
                row["date_accord"] = workday_on_or_before(
                    self.start + self.days(0, (self.as_of - self.start).days))
            rows.append(row)
        return rows

    # follow-up of created businesses
    def suivi(self, porteurs: list[dict]) -> list[dict]:
        rows = []
        for porteur, path in zip(porteurs, self.paths, strict=True):
            if path.creation is not None:
                rows.extend(self.follow_ups(porteur, path.creation, path.cessation))
        rows.sort(key=lambda r: (r["date"], r["id_porteur"]))
        return rows

    def follow_ups(self, porteur: dict, creation: date, cessation: date | None) -> list[dict]:
        rng = self.rng
        milestones = (shift_months(creation, 6), *(shift_years(creation, years) for years in (1, 2, 3)))
        rows, jobs = [], 1
        revenue = rng.uniform(8000, 45000)
        for milestone in milestones:
            day = max(creation, workday_on_or_before(milestone + self.days(-10, 25)))
            if day > self.as_of:
                break
            if rng.random() < 0.07:
                continue  # a milestone the coordinator missed
            row = _empty(schema.SUIVI)
            active = cessation is None or cessation > day
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
            "financement": financement(self.staff, self.as_of, self.rng),
        }


# --- entry points ---------------------------------------------------------------------

def generate(people_per_year: int = 400, years: int = 3, seed: int = 0, errors: float = 0.0,
             *, as_of: date | None = None) -> DemoData:
    """The rows of every data sheet, and the cells deliberately spoiled (`errors` of the rows)."""
    if people_per_year < 1 or years < 1:
        raise RequestRefused("Le nombre de personnes par an et le nombre d'années doivent être au moins 1.",
                             field="people")
    if not 0 <= errors <= 1:
        raise RequestRefused("Le taux d'erreurs doit être compris entre 0 et 1 (par exemple 0.05).", field="errors")
    as_of = as_of or date.today()
    if as_of < site.EARLIEST:
        raise RequestRefused(f"La date de référence doit être postérieure au {site.EARLIEST:%d/%m/%Y}.", field="as_of")
    rows = _Generator(people_per_year, years, seed, as_of).all_rows()
    spoiled = Spoiler(rows, seed, as_of).spoil(errors) if errors else []
    return DemoData(rows, spoiled)
