"""The follow-up schedule of created businesses (indicators.md › Échéancier suivis).

A business created at C has milestones at C + 6 months, 1, 2 and 3 years
(month arithmetic keeps the day, or the month's last day: 31 August + 6 months
is 28 or 29 February; 29 February + 1 year is 28 February). A milestone m is
*fait* when a Suivi row of the porteur is dated in [m − 60 days, m + 120 days];
otherwise *en retard* when m + 30 days < D, *à venir* when D ≤ m ≤ D + 30 days,
and not listed at all in between (a milestone passed by at most 30 days is
neither late nor upcoming, as the spec says) or later.

Settled points: a business is a porteur with an ID and a Date de création not
after D; only Suivi rows dated on or before D count (D is "today"); when
several rows fall in a milestone's window, the one closest to m is reported
(the earlier on a tie); a milestone after a Date de cessation is dropped, one
on that very day is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from citeslab_xl.core.dataset import Dataset
from citeslab_xl.core.per_run import memoised

FAIT = "fait"
EN_RETARD = "en retard"
A_VENIR = "à venir"

MILESTONES: tuple[tuple[str, pd.DateOffset], ...] = (
    ("6 mois", pd.DateOffset(months=6)),
    ("1 an", pd.DateOffset(years=1)),
    ("2 ans", pd.DateOffset(years=2)),
    ("3 ans", pd.DateOffset(years=3)),
)
BEFORE = timedelta(days=60)
AFTER = timedelta(days=120)
GRACE = timedelta(days=30)
HORIZON = timedelta(days=30)


@dataclass(frozen=True)
class Milestone:
    id_porteur: str
    date_creation: date
    jalon: str
    date_due: date
    etat: str
    date_suivi: date | None  # the Suivi row that makes it fait


def _due_dates(dataset: Dataset, as_of: date) -> pd.DataFrame:
    porteurs = dataset.porteurs
    created = porteurs[porteurs["id"].notna() & (porteurs["date_creation"] <= pd.Timestamp(as_of)).fillna(False)]
    frames = []
    for rank, (label, offset) in enumerate(MILESTONES):
        frames.append(pd.DataFrame({
            "id_porteur": created["id"].to_numpy(),
            "date_creation": created["date_creation"].to_numpy(),
            "date_cessation": created["date_cessation"].to_numpy(),
            "rank": rank,
            "jalon": label,
            "date_due": (created["date_creation"] + offset).to_numpy(),
        }))
    due = pd.concat(frames, ignore_index=True)
    ceased_before = due["date_cessation"].notna() & (due["date_due"] > due["date_cessation"])
    return due[~ceased_before].reset_index(drop=True)


def _matching_suivi(due: pd.DataFrame, dataset: Dataset, as_of: date) -> pd.Series:
    """Per row of `due`, the date of the Suivi row closest to the milestone within its window (NaT if none)."""
    suivi = dataset.suivi
    visits = suivi[suivi["id_porteur"].notna() & (suivi["date"] <= pd.Timestamp(as_of)).fillna(False)]
    pairs = due[["id_porteur", "date_due"]].reset_index().merge(
        visits[["id_porteur", "date"]], on="id_porteur")
    pairs = pairs[(pairs["date"] >= pairs["date_due"] - BEFORE) & (pairs["date"] <= pairs["date_due"] + AFTER)]
    pairs = pairs.assign(gap=(pairs["date"] - pairs["date_due"]).abs())
    closest = pairs.sort_values(["index", "gap", "date"]).drop_duplicates("index")
    return closest.set_index("index")["date"].reindex(due.index)


@memoised
def schedule(dataset: Dataset, as_of: date) -> list[Milestone]:
    """Every milestone that is fait, en retard or à venir as of D, by due date.

    Within a run (`per_run`) every layout gets the same list: read it, do not change it.
    """
    due = _due_dates(dataset, as_of)
    due["date_suivi"] = _matching_suivi(due, dataset, as_of)
    today = pd.Timestamp(as_of)
    late = due["date_due"] + GRACE < today
    upcoming = (due["date_due"] >= today) & (due["date_due"] <= today + HORIZON)
    done = due["date_suivi"].notna()
    due["etat"] = None
    due.loc[late, "etat"] = EN_RETARD
    due.loc[upcoming, "etat"] = A_VENIR
    due.loc[done, "etat"] = FAIT
    shown = due[due["etat"].notna()].sort_values(["date_due", "id_porteur", "rank"])
    return [
        Milestone(id_porteur=str(porteur), date_creation=created, jalon=str(jalon), date_due=due_on,
                  etat=str(etat), date_suivi=visited)
        for porteur, created, jalon, due_on, etat, visited in zip(
            shown["id_porteur"], _days(shown["date_creation"]), shown["jalon"], _days(shown["date_due"]),
            shown["etat"], _optional_days(shown["date_suivi"]), strict=True)
    ]


def _days(column: pd.Series) -> list[date]:
    return [timestamp.date() for timestamp in pd.to_datetime(column)]


def _optional_days(column: pd.Series) -> list[date | None]:
    return [None if pd.isna(timestamp) else timestamp.date() for timestamp in pd.to_datetime(column)]
