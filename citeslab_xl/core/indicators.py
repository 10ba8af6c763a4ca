"""The figures of shared/spec/indicators.md, computed from a validated Dataset.

Every public indicator function has the signature ``f(dataset, period, as_of)``
(some ignore the period or the as-of date, which the spec does not use for
them) so that callers can treat them alike; `compute` gathers them into the
``--json`` object. `monthly_activity` gives the activity totals of many months
in one pass (Historique mensuel), `capacites_photolangage` the capacities most
often noted. Nothing here reads a file or the clock.

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
- `file_active` needs the Statut: IDs with no Porteurs row, or whose Statut is
  missing, are left out.
- Age is in completed years at Date premier contact (someone born on 29
  February turns a year older on 1 March in other years); bands are `<26`,
  `26-49`, `50+`, and `inconnu` without a valid birth date.
- A business is a porteur with a Date de création (not after D), whatever its
  Statut. "k years after" is the same day and month, 29 February becoming 28
  February (pandas' DateOffset does exactly this). `perennite_k` takes a
  business as eligible when its k-th anniversary so computed is on or before
  D: the same as "created on or before D minus k years" for every date but a
  29 February, which then completes its years on 28 February (created
  2024-02-29: eligible at 3 years on 2027-02-28), consistently with the
  "still active" test that uses the same anniversary.
- `emplois`: businesses whose third anniversary (as above) is after D, i.e.
  created less than three years before D; each one's latest Suivi row dated on
  or before D with a valid Emplois (two on the same date: the larger); a
  business without one counts 0.
- `ateliers` is ``{Type: {"nombre": n, "participants": m}}`` and
  `sensibilisation` ``{Type de lieu: {"nombre": n, "personnes": m}}``; an
  invalid Participants / Personnes touchées counts the row but adds nothing.
- `taux_creation` is ``{"YYYY": {"cohorte", "creations", "taux", "objectif"}}``
  for the cohort year of P (each year P meets).
- Rates are floats rounded half up to four decimals (0.1235 = 12.35 %) and
  None when the denominator is 0; `taux_charge` may exceed 1 (over capacity).
  `heures` and `file_active_par_etp` are rounded half up to one decimal,
  `etp` and `capacite` to two.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from citeslab_xl.core import schema
from citeslab_xl.core.dataset import Dataset
from citeslab_xl.core.periods import Period
from citeslab_xl.core.text import fold

AGE_BANDS = ("<26", "26-49", "50+", "inconnu")
FACE_A_FACE = "Face-à-face"
ABANDON = "Abandon"
PERENNITE_YEARS = (1, 2, 3)
FILE_ACTIVE_DAYS = 90

_RATE_STEP = Decimal("0.0001")
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
    return half_up(Decimal(numerator) / Decimal(denominator), _RATE_STEP)


def _between(column: pd.Series, debut: date, fin: date) -> pd.Series:
    """Dates in [debut, fin]; a missing date is in no range."""
    return column.between(pd.Timestamp(debut), pd.Timestamp(fin)).fillna(False).astype(bool)


def _not_after(column: pd.Series, day: date) -> pd.Series:
    return (column <= pd.Timestamp(day)).fillna(False).astype(bool)


def _breakdown(values: pd.Series, categories: Iterable[str]) -> dict[str, int]:
    counts = values.dropna().value_counts()
    result = {str(c): int(counts.get(c, 0)) for c in categories}
    for extra in sorted(str(v) for v in counts.index if str(v) not in result):
        result[extra] = int(counts[extra])
    return result


def _period_end(period: Period, as_of: date) -> date:
    return min(period.fin, as_of)


# --- selections ----------------------------------------------------------------

def _new_porteurs(dataset: Dataset, period: Period) -> pd.DataFrame:
    porteurs = dataset.porteurs
    return porteurs[_between(porteurs["date_premier_contact"], period.debut, period.fin)]


def _rdv_rows(dataset: Dataset, period: Period, as_of: date) -> pd.DataFrame:
    rdv_ = dataset.rendez_vous
    dates = rdv_["date"]
    return rdv_[_between(dates, period.debut, period.fin) & _not_after(dates, as_of)]


def _creations(dataset: Dataset, period: Period) -> pd.DataFrame:
    porteurs = dataset.porteurs
    return porteurs[_between(porteurs["date_creation"], period.debut, period.fin)]


def _businesses(dataset: Dataset, as_of: date) -> pd.DataFrame:
    porteurs = dataset.porteurs
    return porteurs[_not_after(porteurs["date_creation"], as_of)]


def _ages(frame: pd.DataFrame) -> pd.Series:
    """Completed years at Date premier contact (NaN without both dates)."""
    birth, contact = frame["date_naissance"], frame["date_premier_contact"]
    before_birthday = (contact.dt.month < birth.dt.month) | (
        (contact.dt.month == birth.dt.month) & (contact.dt.day < birth.dt.day))
    return contact.dt.year - birth.dt.year - before_birthday.astype(int)


# --- activity --------------------------------------------------------------------

def nouveaux_porteurs(dataset: Dataset, period: Period, as_of: date) -> int:
    return len(_new_porteurs(dataset, period))


def rdv(dataset: Dataset, period: Period, as_of: date) -> int:
    return len(_rdv_rows(dataset, period, as_of))


def rdv_par_type(dataset: Dataset, period: Period, as_of: date) -> dict[str, int]:
    rows = _rdv_rows(dataset, period, as_of)
    return _breakdown(rows["type"], dataset.settings.values("Type de rendez-vous"))


def rdv_par_modalite(dataset: Dataset, period: Period, as_of: date) -> dict[str, int]:
    rows = _rdv_rows(dataset, period, as_of)
    return _breakdown(rows["modalite"].fillna(FACE_A_FACE), dataset.settings.values("Modalité"))


def heures(dataset: Dataset, period: Period, as_of: date) -> float:
    minutes = int(_rdv_rows(dataset, period, as_of)["duree"].sum(skipna=True))
    return half_up(Decimal(minutes) / 60)


def _rdv_ids(dataset: Dataset, period: Period, as_of: date) -> set[str]:
    return set(_rdv_rows(dataset, period, as_of)["id_porteur"].dropna())


def porteurs_recus(dataset: Dataset, period: Period, as_of: date) -> int:
    return len(_rdv_ids(dataset, period, as_of))


def accompagnes(dataset: Dataset, period: Period, as_of: date) -> int:
    new = _new_porteurs(dataset, period)
    others = _rdv_ids(dataset, period, as_of) - set(new["id"].dropna())
    return len(new) + len(others)


def file_active(dataset: Dataset, period: Period, as_of: date) -> int:
    end = _period_end(period, as_of)
    window = Period(end - timedelta(days=FILE_ACTIVE_DAYS - 1), end, "")
    seen = _rdv_ids(dataset, window, end)
    porteurs = dataset.porteurs
    current = porteurs[porteurs["statut"].notna() & (porteurs["statut"] != ABANDON)]
    return len(seen & set(current["id"].dropna()))


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
    oriented = porteurs[_between(porteurs["date_orientation"], period.debut, period.fin)]
    return _breakdown(oriented["partenaire"], dataset.settings.values("Partenaire"))


def creations(dataset: Dataset, period: Period, as_of: date) -> int:
    return len(_creations(dataset, period))


def creations_par_forme(dataset: Dataset, period: Period, as_of: date) -> dict[str, int]:
    return _breakdown(_creations(dataset, period)["forme"], dataset.settings.values("Forme juridique"))


def creations_par_secteur(dataset: Dataset, period: Period, as_of: date) -> dict[str, int]:
    return _breakdown(_creations(dataset, period)["secteur"], dataset.settings.values("Secteur"))


def creations_par_quartier(dataset: Dataset, period: Period, as_of: date) -> dict[str, int]:
    return _breakdown(_creations(dataset, period)["quartier"], dataset.settings.values(schema.QUARTIERS))


def _events_by_type(frame: pd.DataFrame, period: Period, type_column: str, amount_column: str,
                    amount_key: str, categories: Iterable[str]) -> dict[str, dict[str, int]]:
    rows = frame[_between(frame["date"], period.debut, period.fin) & frame[type_column].notna()]
    counts = _breakdown(rows[type_column], categories)
    amounts = rows.groupby(type_column)[amount_column].sum()
    return {kind: {"nombre": n, amount_key: int(amounts.get(kind, 0))} for kind, n in counts.items()}


def ateliers(dataset: Dataset, period: Period, as_of: date) -> dict[str, dict[str, int]]:
    return _events_by_type(dataset.ateliers, period, "type", "participants", "participants",
                           dataset.settings.values("Type d'atelier"))


def sensibilisation(dataset: Dataset, period: Period, as_of: date) -> dict[str, dict[str, int]]:
    return _events_by_type(dataset.sensibilisation, period, "type_lieu", "personnes", "personnes",
                           dataset.settings.values("Type de lieu"))


# --- public (among the new porteurs of P) ----------------------------------------

def part_femmes(dataset: Dataset, period: Period, as_of: date) -> float | None:
    sexe = _new_porteurs(dataset, period)["sexe"]
    women, men = int((sexe == "F").sum()), int((sexe == "H").sum())
    return rate(women, women + men)


def part_qpv(dataset: Dataset, period: Period, as_of: date) -> float | None:
    quartiers = _new_porteurs(dataset, period)["quartier"].dropna()
    return rate(int(quartiers.isin(dataset.settings.qpv_names()).sum()), len(quartiers))


def part_moins_26(dataset: Dataset, period: Period, as_of: date) -> float | None:
    ages = _ages(_new_porteurs(dataset, period)).dropna()
    return rate(int((ages < 26).sum()), len(ages))


def par_situation(dataset: Dataset, period: Period, as_of: date) -> dict[str, int]:
    return _breakdown(_new_porteurs(dataset, period)["situation"], dataset.settings.values("Situation"))


def par_prescripteur(dataset: Dataset, period: Period, as_of: date) -> dict[str, int]:
    return _breakdown(_new_porteurs(dataset, period)["prescripteur"], dataset.settings.values("Prescripteur"))


def age_band(age: float) -> str:
    if pd.isna(age):
        return "inconnu"
    if age < 26:
        return "<26"
    return "26-49" if age < 50 else "50+"


def par_tranche_age(dataset: Dataset, period: Period, as_of: date) -> dict[str, int]:
    bands = _ages(_new_porteurs(dataset, period)).map(age_band)
    return _breakdown(bands, AGE_BANDS)


# --- outcomes ----------------------------------------------------------------------

def taux_creation(dataset: Dataset, period: Period, as_of: date) -> dict[str, dict]:
    porteurs = dataset.porteurs
    created = _not_after(porteurs["date_creation"], as_of)
    result = {}
    for cohort_year in range(period.debut.year, period.fin.year + 1):
        cohort = _between(porteurs["date_premier_contact"], date(cohort_year, 1, 1), date(cohort_year, 12, 31))
        size, done = int(cohort.sum()), int((cohort & created).sum())
        result[str(cohort_year)] = {
            "cohorte": size, "creations": done, "taux": rate(done, size),
            "objectif": float(dataset.settings.objectif_taux_creation),
        }
    return result


def perennite(dataset: Dataset, period: Period, as_of: date) -> dict[str, dict]:
    businesses = _businesses(dataset, as_of)
    result = {}
    for years in PERENNITE_YEARS:
        anniversary = businesses["date_creation"] + pd.DateOffset(years=years)
        eligible = _not_after(anniversary, as_of)
        cessation = businesses["date_cessation"][eligible]
        active = int((cessation.isna() | (cessation > anniversary[eligible])).sum())
        count = int(eligible.sum())
        result[str(years)] = {"eligibles": count, "actives": active, "taux": rate(active, count)}
    return result


def emplois(dataset: Dataset, period: Period, as_of: date) -> int:
    businesses = _businesses(dataset, as_of)
    third_anniversary = businesses["date_creation"] + pd.DateOffset(years=3)
    recent = businesses[third_anniversary > pd.Timestamp(as_of)]
    suivi = dataset.suivi
    rows = suivi[suivi["id_porteur"].isin(set(recent["id"].dropna()))
                 & _not_after(suivi["date"], as_of) & suivi["emplois"].notna()]
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


# --- photolangage ------------------------------------------------------------------------

def capacites_photolangage(dataset: Dataset, period: Period, as_of: date,
                           limit: int | None = None) -> list[tuple[str, int]]:
    """Capacities noted in the Photolangage rows of P, most often noted first.

    A capacity counts once per row (participant) that notes it; spellings that
    differ only by case, accents or spaces are one capacity, shown in its most
    frequent spelling. Ties are ordered alphabetically.
    """
    photolangage = dataset.photolangage
    rows = photolangage[_between(photolangage["date"], period.debut, period.fin)].reset_index(drop=True)
    items = rows["capacites"].dropna().astype(str).str.split(";").explode().str.strip()
    items = items[items != ""]
    if items.empty:
        return []
    noted = pd.DataFrame({"row": items.index, "spelling": items.to_numpy(), "key": [fold(v) for v in items]})
    noted = noted.drop_duplicates(["row", "key"])
    spellings = (noted.groupby(["key", "spelling"]).size().reset_index(name="n")
                 .sort_values(["key", "n", "spelling"], ascending=[True, False, True])
                 .drop_duplicates("key").set_index("key")["spelling"])
    counts = noted.groupby("key").size()
    ranked = sorted(((str(spellings[key]), int(n)) for key, n in counts.items()),
                    key=lambda item: (-item[1], fold(item[0])))
    return ranked[:limit] if limit is not None else ranked


# --- many months at once (Historique mensuel, the export's Mensuel) -----------------------

MONTHLY_KEYS = (
    "nouveaux_porteurs", "rdv", "heures", "porteurs_recus", "accompagnes", "file_active",
    "orientations", "creations", "ateliers", "participants", "sensibilisation", "personnes",
)


def _month_key(dates: pd.Series) -> pd.Series:
    return dates.dt.year * 12 + dates.dt.month - 1


def _per_month(keys: pd.Series, values: pd.Series | None = None) -> pd.Series:
    """Row count (or sum of `values`) per month key."""
    if values is None:
        return keys.dropna().astype(int).value_counts()
    frame = pd.DataFrame({"key": keys, "value": values}).dropna(subset=["key"])
    return frame.groupby(frame["key"].astype(int))["value"].sum()


def _accompagnes_per_month(new: pd.DataFrame, rdv_rows: pd.DataFrame) -> pd.Series:
    new_pairs = pd.DataFrame({"key": _month_key(new["date_premier_contact"]), "id": new["id"]}).dropna()
    met = pd.DataFrame({"key": _month_key(rdv_rows["date"]), "id": rdv_rows["id_porteur"]}).dropna().drop_duplicates()
    merged = met.merge(new_pairs.drop_duplicates(), on=["key", "id"], how="left", indicator=True)
    others = merged[merged["_merge"] == "left_only"]
    return _per_month(_month_key(new["date_premier_contact"])).add(_per_month(others["key"]), fill_value=0)


def _file_active_per_month(dataset: Dataset, months: list[Period], as_of: date) -> list[int]:
    porteurs = dataset.porteurs
    current = set(porteurs.loc[porteurs["statut"].notna() & (porteurs["statut"] != ABANDON), "id"].dropna())
    rdv_ = dataset.rendez_vous
    seen = rdv_[rdv_["id_porteur"].isin(current) & rdv_["date"].notna()].sort_values("date")
    dates = seen["date"].to_numpy()
    codes, _ = pd.factorize(seen["id_porteur"])
    counts = []
    for month_ in months:
        end = _period_end(month_, as_of)
        lo = dates.searchsorted(pd.Timestamp(end - timedelta(days=FILE_ACTIVE_DAYS - 1)).to_datetime64(), "left")
        hi = dates.searchsorted(pd.Timestamp(end).to_datetime64(), "right")
        counts.append(len(set(codes[lo:hi])))
    return counts


def monthly_activity(dataset: Dataset, months: list[Period], as_of: date) -> list[dict[str, object]]:
    """The activity totals of each month, in one pass over the tables.

    Each row holds `mois` (the month's label) and the MONTHLY_KEYS: the same
    figures as the functions above for that month (`orientations` is the sum
    over partners, `ateliers` / `participants` and `sensibilisation` /
    `personnes` the totals over types), computed together so that twenty years
    of history take a fraction of a second.
    """
    porteurs = dataset.porteurs
    new = porteurs[porteurs["date_premier_contact"].notna()]
    rdv_rows = dataset.rendez_vous[_not_after(dataset.rendez_vous["date"], as_of)]
    ateliers_ = dataset.ateliers[dataset.ateliers["type"].notna()]
    actions = dataset.sensibilisation[dataset.sensibilisation["type_lieu"].notna()]
    per_key = {
        "nouveaux_porteurs": _per_month(_month_key(new["date_premier_contact"])),
        "rdv": _per_month(_month_key(rdv_rows["date"])),
        "minutes": _per_month(_month_key(rdv_rows["date"]), rdv_rows["duree"].astype("float")),
        "porteurs_recus": pd.DataFrame({"key": _month_key(rdv_rows["date"]), "id": rdv_rows["id_porteur"]})
        .dropna().drop_duplicates()["key"].astype(int).value_counts(),
        "accompagnes": _accompagnes_per_month(new, rdv_rows),
        "orientations": _per_month(_month_key(porteurs["date_orientation"].where(porteurs["partenaire"].notna()))),
        "creations": _per_month(_month_key(porteurs["date_creation"])),
        "ateliers": _per_month(_month_key(ateliers_["date"])),
        "participants": _per_month(_month_key(ateliers_["date"]), ateliers_["participants"].astype("float")),
        "sensibilisation": _per_month(_month_key(actions["date"])),
        "personnes": _per_month(_month_key(actions["date"]), actions["personnes"].astype("float")),
    }
    file_active_ = _file_active_per_month(dataset, months, as_of)
    rows = []
    for month_, active in zip(months, file_active_):
        key = month_.debut.year * 12 + month_.debut.month - 1
        figures = {name: int(series.get(key, 0)) for name, series in per_key.items()}
        figures["heures"] = half_up(Decimal(figures.pop("minutes")) / 60)
        figures["file_active"] = active
        rows.append({"mois": month_.label, **{name: figures[name] for name in MONTHLY_KEYS}})
    return rows


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
    "orientations": orientations,
    "creations": creations,
    "creations_par_forme": creations_par_forme,
    "creations_par_secteur": creations_par_secteur,
    "creations_par_quartier": creations_par_quartier,
    "ateliers": ateliers,
    "sensibilisation": sensibilisation,
    "part_femmes": part_femmes,
    "part_qpv": part_qpv,
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


LABELS: dict[str, str] = {
    "periode": "Période",
    "nouveaux_porteurs": "Nouveaux porteurs",
    "rdv": "Rendez-vous",
    "rdv_par_type": "Rendez-vous par type",
    "rdv_par_modalite": "Rendez-vous par modalité",
    "heures": "Heures d'entretien",
    "porteurs_recus": "Porteurs reçus en rendez-vous",
    "accompagnes": "Personnes accompagnées",
    "file_active": "File active (90 jours)",
    "etp": "ETP",
    "file_active_par_etp": "File active par ETP",
    "orientations": "Orientations par partenaire",
    "creations": "Créations d'entreprise",
    "creations_par_forme": "Créations par forme juridique",
    "creations_par_secteur": "Créations par secteur",
    "creations_par_quartier": "Créations par quartier",
    "ateliers": "Ateliers collectifs",
    "sensibilisation": "Actions de sensibilisation",
    "part_femmes": "Part de femmes",
    "part_qpv": "Part des habitants d'un QPV",
    "part_moins_26": "Part des moins de 26 ans",
    "par_situation": "Nouveaux porteurs par situation",
    "par_prescripteur": "Nouveaux porteurs par prescripteur",
    "par_tranche_age": "Nouveaux porteurs par âge",
    "taux_creation": "Taux de création de la cohorte",
    "perennite": "Pérennité des entreprises créées (ans)",
    "emplois": "Emplois dans les entreprises de moins de 3 ans",
    "capacite": "Capacité (file active)",
    "taux_charge": "Taux de charge",
    "scenario_poste_2": "Taux de charge avec un second poste",
}


def compute(dataset: Dataset, period: Period, as_of: date) -> dict:
    """Every indicator of P as of D, in the shape of the spec's ``--json`` output."""
    result: dict[str, object] = {"periode": {"debut": period.debut.isoformat(), "fin": period.fin.isoformat()}}
    for key, indicator in INDICATORS.items():
        result[key] = indicator(dataset, period, as_of)
    return result
