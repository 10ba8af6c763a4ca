"""The figures of shared/spec/indicators.md, computed from a validated Dataset.

Every public indicator function has the signature ``f(dataset, period, as_of)``
(some ignore the period or the as-of date, which the spec does not use for
them) so that callers can treat them alike; `compute` gathers them into a typed
`Indicators` (whose `to_json` is the ``--json`` object; `figures` labels
them); the rows are selected by `selection`. Nothing here reads a file or the clock.

How the spec's open points are settled:

- A null cell (empty or invalid) drops the row out of every figure that needs
  that column, and only of those: a Rendez-vous without a valid Type counts in
  `rdv` but in no `rdv_par_type` key; a new porteur without a Quartier is left
  out of `part_qpv` (numerator and denominator), one without a Situation counts
  in no `par_situation` key.
- Breakdowns list every value of the list in Paramètres (zeros included, in the
  list's order); a value found in the data but absent from the list, which
  validation normally prevents, is added after them rather than lost.
- Only Rendez-vous rows carry the "not after D" rule; the other dated rows
  (Porteurs dates, Ateliers, Sensibilisation, Photolangage) are taken "in P"
  as the spec says (validation already refuses a first contact or a creation
  after D).
- `accompagnes` counts Porteurs rows as people: the new porteurs of P, plus the
  distinct IDs seen in the Rendez-vous of P that are not theirs. With valid
  IDs this is exactly the spec's union, and it can never be lower than
  `nouveaux_porteurs` or `porteurs_recus`.
- `part_qpv` and `qpv_couverts` take each person's quartier as it was on her
  Date premier contact (Paramètres › Quartiers › QPV since / until; `geography`).
- `orientes` counts distinct IDs (a row without a valid ID as one person).
- `file_active` needs the Statut: IDs with no Porteurs row, or whose Statut is
  missing, are left out.
- Age is in completed years at Date premier contact (someone born on 29
  February turns a year older on 1 March in other years); bands are `<26`,
  `26-49`, `50+`, and `inconnu` without a valid birth date.
- A business is a porteur with a Date de création (not after D), whatever its
  Statut. "k years after" is the same day and month, 29 February becoming 28
  February (`periods.shift_years`; pandas' DateOffset, used on whole columns,
  does exactly the same). `perennite_k` takes a
  business as eligible when its k-th anniversary so computed is on or before
  D: the same as "created on or before D minus k years" for every date but a
  29 February, which then completes its years on 28 February (created
  2024-02-29: eligible at 3 years on 2027-02-28), consistently with the
  "still active" test that uses the same anniversary.
- `emplois`: businesses whose third anniversary (as above) is after D, i.e.
  created less than three years before D; each one's latest Suivi row dated on
  or before D with a valid Emplois (two on the same date: the larger); a
  business without one counts 0.
- `ateliers` maps each Type to `Ateliers(nombre, participants)` and
  `sensibilisation` each Type de lieu to `Actions(nombre, personnes)` (in
  ``--json``: ``{"nombre": n, "participants": m}``); an invalid Participants /
  Personnes touchées counts the row but adds nothing.
- `taux_creation` maps the cohort year of P (each year P meets), ``"YYYY"``, to
  a `Cohort` (``{"cohorte", "creations", "taux", "objectif", "en_cours"}`` in
  ``--json``); `en_cours` is true while the cohort can still grow
  (`periods.cohort_running`): such a rate is not scored against the objective.
- Rates are the exact fractions, as the float nearest to the exact ratio
  (indicators.md › Precision: rounding is for display only), and None when
  the denominator is 0; `taux_charge` may exceed 1 (over capacity).
  `heures` and `file_active_par_etp` are rounded half up to one decimal,
  `etp` and `capacite` to two.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, fields
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import pandas as pd

from citeslab_xl.core import active_file, periods, public, schema, selection
from citeslab_xl.core.dataset import Dataset
from citeslab_xl.core.per_run import memoised
from citeslab_xl.core.periods import Period
from citeslab_xl.core.public import ages, bac_plus, demandeurs_emploi, femmes, moins_25, moins_26, qpv
from citeslab_xl.core.selection import between, by_list, not_after

AGE_BANDS = ("<26", "26-49", "50+", "inconnu")
FACE_A_FACE = "Face-à-face"
PERENNITE_YEARS = (1, 2, 3)

_TENTH = Decimal("0.1")
_CENT = Decimal("0.01")


# --- small helpers -----------------------------------------------------------

def half_up(value: Decimal, step: Decimal = _TENTH) -> float:
    return float(value.quantize(step, rounding=ROUND_HALF_UP))


def as_decimal(value: object) -> Decimal:
    """A Decimal from a Decimal, an int or a float, the float read as it is written (0.8, not 0.8000000000000000444)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def rate(numerator: int | Decimal, denominator: int | Decimal) -> float | None:
    if not denominator:
        return None
    return float(Fraction(numerator) / Fraction(denominator))


def _period_end(period: Period, as_of: date) -> date:
    return min(period.fin, as_of)


# --- activity --------------------------------------------------------------------

def nouveaux_porteurs(dataset: Dataset, period: Period, as_of: date) -> int:
    return len(selection.new_porteurs(dataset, period))


def rdv(dataset: Dataset, period: Period, as_of: date) -> int:
    return len(selection.rdv_rows(dataset, period, as_of))


def rdv_par_type(dataset: Dataset, period: Period, as_of: date) -> dict[str, int]:
    rows = selection.rdv_rows(dataset, period, as_of)
    return by_list(rows["type"], dataset.settings.values("Type de rendez-vous"))


def rdv_par_modalite(dataset: Dataset, period: Period, as_of: date) -> dict[str, int]:
    rows = selection.rdv_rows(dataset, period, as_of)
    return by_list(rows["modalite"].fillna(FACE_A_FACE), dataset.settings.values("Modalité"))


def heures(dataset: Dataset, period: Period, as_of: date) -> float:
    minutes = int(selection.rdv_rows(dataset, period, as_of)["duree"].sum(skipna=True))
    return half_up(Decimal(minutes) / 60)


def porteurs_recus(dataset: Dataset, period: Period, as_of: date) -> int:
    return len(selection.rdv_ids(dataset, period, as_of))


def accompagnes(dataset: Dataset, period: Period, as_of: date) -> int:
    return selection.accompanied(dataset, period, as_of).count


def file_active(dataset: Dataset, period: Period, as_of: date) -> int:
    return active_file.file_active_on(dataset, _period_end(period, as_of))


@memoised
def _etp(dataset: Dataset, period: Period, as_of: date) -> Decimal:
    financement = dataset.financement
    year_rows = financement[financement["annee"].eq(_period_end(period, as_of).year).fillna(False).astype(bool)]
    values = [as_decimal(v) for v in year_rows["etp"].dropna()]
    if values:
        return sum(values, Decimal(0))
    return sum((as_decimal(e) for _, e in dataset.settings.charges if e is not None), Decimal(0))


def etp(dataset: Dataset, period: Period, as_of: date) -> float:
    return half_up(_etp(dataset, period, as_of), _CENT)


def file_active_par_etp(dataset: Dataset, period: Period, as_of: date) -> float | None:
    divisor = _etp(dataset, period, as_of)
    if not divisor:
        return None
    return half_up(Decimal(file_active(dataset, period, as_of)) / divisor)


def orientations(dataset: Dataset, period: Period, as_of: date) -> dict[str, int]:
    porteurs = dataset.porteurs
    oriented = porteurs[between(porteurs["date_orientation"], period.debut, period.fin)]
    return by_list(oriented["partenaire"], dataset.settings.values("Partenaire"))


def orientes(dataset: Dataset, period: Period, as_of: date) -> int:
    """Distinct porteurs with a Date d'orientation in P (a row without a valid ID is a person of its own)."""
    porteurs = dataset.porteurs
    ids = porteurs[between(porteurs["date_orientation"], period.debut, period.fin)]["id"]
    return int(ids.nunique() + ids.isna().sum())


def taux_orientation(dataset: Dataset, period: Period, as_of: date) -> float | None:
    return rate(orientes(dataset, period, as_of), accompagnes(dataset, period, as_of))


def creations(dataset: Dataset, period: Period, as_of: date) -> int:
    return len(selection.creations(dataset, period))


def creations_par_forme(dataset: Dataset, period: Period, as_of: date) -> dict[str, int]:
    return by_list(selection.creations(dataset, period)["forme"], dataset.settings.values("Forme juridique"))


def creations_par_secteur(dataset: Dataset, period: Period, as_of: date) -> dict[str, int]:
    return by_list(selection.creations(dataset, period)["secteur"], dataset.settings.values("Secteur"))


def creations_par_quartier(dataset: Dataset, period: Period, as_of: date) -> dict[str, int]:
    return by_list(selection.creations(dataset, period)["quartier"], dataset.settings.values(schema.QUARTIERS))


@dataclass(frozen=True)
class Ateliers:
    nombre: int
    participants: int


@dataclass(frozen=True)
class Actions:
    nombre: int
    personnes: int


def _events_by_type(frame: pd.DataFrame, period: Period, type_column: str, amount_column: str,
                    categories: Iterable[str]) -> tuple[dict[str, int], pd.Series]:
    """The number of events of each type, and the sum of `amount_column` by type."""
    rows = frame[between(frame["date"], period.debut, period.fin) & frame[type_column].notna()]
    return by_list(rows[type_column], categories), rows.groupby(type_column)[amount_column].sum()


def ateliers(dataset: Dataset, period: Period, as_of: date) -> dict[str, Ateliers]:
    counts, people = _events_by_type(dataset.ateliers, period, "type", "participants",
                                     dataset.settings.values("Type d'atelier"))
    return {kind: Ateliers(n, int(people.get(kind, 0))) for kind, n in counts.items()}


def sensibilisation(dataset: Dataset, period: Period, as_of: date) -> dict[str, Actions]:
    counts, people = _events_by_type(dataset.sensibilisation, period, "type_lieu", "personnes",
                                     dataset.settings.values("Type de lieu"))
    return {kind: Actions(n, int(people.get(kind, 0))) for kind, n in counts.items()}


# --- public (among the new porteurs of P) ----------------------------------------

def part_femmes(dataset: Dataset, period: Period, as_of: date) -> float | None:
    return femmes(dataset, period).rate


def part_qpv(dataset: Dataset, period: Period, as_of: date) -> float | None:
    return qpv(dataset, period).rate


def part_moins_25(dataset: Dataset, period: Period, as_of: date) -> float | None:
    return moins_25(dataset, period).rate


def part_bac_plus(dataset: Dataset, period: Period, as_of: date) -> float | None:
    return bac_plus(dataset, period).rate


def part_demandeurs_emploi(dataset: Dataset, period: Period, as_of: date) -> float | None:
    return demandeurs_emploi(dataset, period).rate


def qpv_couverts(dataset: Dataset, period: Period, as_of: date) -> int:
    return public.qpv_couverts(dataset, period)


def part_moins_26(dataset: Dataset, period: Period, as_of: date) -> float | None:
    return moins_26(dataset, period).rate


def par_situation(dataset: Dataset, period: Period, as_of: date) -> dict[str, int]:
    return by_list(selection.new_porteurs(dataset, period)["situation"], dataset.settings.values("Situation"))


def par_prescripteur(dataset: Dataset, period: Period, as_of: date) -> dict[str, int]:
    return by_list(selection.new_porteurs(dataset, period)["prescripteur"], dataset.settings.values("Prescripteur"))


def age_band(age: float) -> str:
    if pd.isna(age):
        return "inconnu"
    if age < 26:
        return "<26"
    return "26-49" if age < 50 else "50+"


def par_tranche_age(dataset: Dataset, period: Period, as_of: date) -> dict[str, int]:
    bands = ages(selection.new_porteurs(dataset, period)).map(age_band)
    return by_list(bands, AGE_BANDS)


# --- outcomes ----------------------------------------------------------------------

@dataclass(frozen=True)
class Cohort:
    cohorte: int
    creations: int
    taux: float | None
    objectif: float
    en_cours: bool  # the cohort can still grow: its rate is not scored against the objective


@dataclass(frozen=True)
class Survival:
    eligibles: int
    actives: int
    taux: float | None


def taux_creation(dataset: Dataset, period: Period, as_of: date) -> dict[str, Cohort]:
    porteurs = dataset.porteurs
    created = not_after(porteurs["date_creation"], as_of)
    result = {}
    for cohort_year in range(period.debut.year, period.fin.year + 1):
        cohort = between(porteurs["date_premier_contact"], date(cohort_year, 1, 1), date(cohort_year, 12, 31))
        size, done = int(cohort.sum()), int((cohort & created).sum())
        result[str(cohort_year)] = Cohort(size, done, rate(done, size), float(dataset.settings.objectif_taux_creation),
                                          periods.cohort_running(cohort_year, as_of))
    return result


def perennite(dataset: Dataset, period: Period, as_of: date) -> dict[str, Survival]:
    businesses = selection.businesses(dataset, as_of)
    result = {}
    for years in PERENNITE_YEARS:
        anniversary = businesses["date_creation"] + pd.DateOffset(years=years)
        eligible = not_after(anniversary, as_of)
        cessation = businesses["date_cessation"][eligible]
        active = int((cessation.isna() | (cessation > anniversary[eligible])).sum())
        count = int(eligible.sum())
        result[str(years)] = Survival(count, active, rate(active, count))
    return result


def emplois(dataset: Dataset, period: Period, as_of: date) -> int:
    businesses = selection.businesses(dataset, as_of)
    third_anniversary = businesses["date_creation"] + pd.DateOffset(years=3)
    recent = businesses[third_anniversary > pd.Timestamp(as_of)]
    suivi = dataset.suivi
    rows = suivi[suivi["id_porteur"].isin(set(recent["id"].dropna()))
                 & not_after(suivi["date"], as_of) & suivi["emplois"].notna()]
    latest = rows.sort_values(["id_porteur", "date", "emplois"]).drop_duplicates("id_porteur", keep="last")
    return int(latest["emplois"].sum())


# --- caseload -------------------------------------------------------------------------

def _capacite(dataset: Dataset, period: Period, as_of: date, extra_etp: int = 0) -> Decimal:
    per_etp = as_decimal(dataset.settings.capacite_par_etp)
    return per_etp * (_etp(dataset, period, as_of) + extra_etp)


def capacite(dataset: Dataset, period: Period, as_of: date) -> float:
    return half_up(_capacite(dataset, period, as_of), _CENT)


def taux_charge(dataset: Dataset, period: Period, as_of: date) -> float | None:
    return rate(file_active(dataset, period, as_of), _capacite(dataset, period, as_of))


def scenario_poste_2(dataset: Dataset, period: Period, as_of: date) -> float | None:
    return rate(file_active(dataset, period, as_of), _capacite(dataset, period, as_of, extra_etp=1))


# --- the --json object -------------------------------------------------------------------

INDICATORS: dict[str, Callable[[Dataset, Period, date], object]] = {
    "nouveaux_porteurs": nouveaux_porteurs,
    "rdv": rdv,
    "rdv_par_type": rdv_par_type,
    "rdv_par_modalite": rdv_par_modalite,
    "heures": heures,
    "porteurs_recus": porteurs_recus,
    "accompagnes": accompagnes,
    "file_active": file_active,
    "etp": etp,
    "file_active_par_etp": file_active_par_etp,
    "orientes": orientes,
    "taux_orientation": taux_orientation,
    "orientations": orientations,
    "creations": creations,
    "creations_par_forme": creations_par_forme,
    "creations_par_secteur": creations_par_secteur,
    "creations_par_quartier": creations_par_quartier,
    "ateliers": ateliers,
    "sensibilisation": sensibilisation,
    "part_femmes": part_femmes,
    "part_qpv": part_qpv,
    "part_moins_25": part_moins_25,
    "part_bac_plus": part_bac_plus,
    "part_demandeurs_emploi": part_demandeurs_emploi,
    "qpv_couverts": qpv_couverts,
    "part_moins_26": part_moins_26,
    "par_situation": par_situation,
    "par_prescripteur": par_prescripteur,
    "par_tranche_age": par_tranche_age,
    "taux_creation": taux_creation,
    "perennite": perennite,
    "emplois": emplois,
    "capacite": capacite,
    "taux_charge": taux_charge,
    "scenario_poste_2": scenario_poste_2,
}


@dataclass(frozen=True)
class Indicators:
    """Every indicator of a period P as of D (the keys of indicators.md, labelled in figures.CATALOGUE)."""

    periode: Period
    nouveaux_porteurs: int
    rdv: int
    rdv_par_type: dict[str, int]
    rdv_par_modalite: dict[str, int]
    heures: float
    porteurs_recus: int
    accompagnes: int
    file_active: int
    etp: float
    file_active_par_etp: float | None
    orientes: int
    taux_orientation: float | None
    orientations: dict[str, int]
    creations: int
    creations_par_forme: dict[str, int]
    creations_par_secteur: dict[str, int]
    creations_par_quartier: dict[str, int]
    ateliers: dict[str, Ateliers]
    sensibilisation: dict[str, Actions]
    part_femmes: float | None
    part_qpv: float | None
    part_moins_25: float | None
    part_bac_plus: float | None
    part_demandeurs_emploi: float | None
    qpv_couverts: int
    part_moins_26: float | None
    par_situation: dict[str, int]
    par_prescripteur: dict[str, int]
    par_tranche_age: dict[str, int]
    taux_creation: dict[str, Cohort]
    perennite: dict[str, Survival]
    emplois: int
    capacite: float
    taux_charge: float | None
    scenario_poste_2: float | None

    @property
    def orientations_total(self) -> int:
        return sum(self.orientations.values())

    @property
    def ateliers_nombre(self) -> int:
        return sum(a.nombre for a in self.ateliers.values())

    @property
    def ateliers_participants(self) -> int:
        return sum(a.participants for a in self.ateliers.values())

    @property
    def sensibilisation_nombre(self) -> int:
        return sum(a.nombre for a in self.sensibilisation.values())

    @property
    def sensibilisation_personnes(self) -> int:
        return sum(a.personnes for a in self.sensibilisation.values())

    def value(self, key: str) -> object:
        """The figure of that catalogue key, one number or a breakdown (a field or one of the totals above)."""
        return getattr(self, key)

    def scalar(self, key: str) -> int | float | None:
        """The one-number figure of that catalogue key (a field or one of the totals above)."""
        value = self.value(key)
        if value is not None and not isinstance(value, (int, float)):
            raise TypeError(f"{key} n'est pas un indicateur à une seule valeur")
        return value

    def to_json(self) -> dict[str, object]:
        """The spec's ``--json`` object: `periode` as ISO dates, nested entries as plain objects."""
        result: dict[str, object] = {"periode": {"debut": self.periode.debut.isoformat(),
                                                 "fin": self.periode.fin.isoformat()}}
        for field in fields(self)[1:]:
            value = getattr(self, field.name)
            result[field.name] = ({k: asdict(v) for k, v in value.items()}
                                  if isinstance(value, dict) and any(map(_is_entry, value.values())) else value)
        return result


def _is_entry(value: object) -> bool:
    return isinstance(value, (Ateliers, Actions, Cohort, Survival))


def compute(dataset: Dataset, period: Period, as_of: date) -> Indicators:
    """Every indicator of P as of D."""
    # each function's return type is its field's: INDICATORS lists them in the field order
    values: dict[str, Any] = {key: indicator(dataset, period, as_of) for key, indicator in INDICATORS.items()}
    return Indicators(period, **values)
