"""The demo site's posts: who is on staff on a given day, and what each post costs a year (Financement).

The first post opens with the site, on its first day; the second and third
at the rentrée of later years (`vocabulary.CHARGES`, `LATER_POSTS_YEARS`). A
post's first Financement row covers only the part of the year it was open
(to the day), so that the first year's cost per person is that of its months
of activity, not of a whole year.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from citeslab_xl.core import schema
from citeslab_xl.core.dataset import share_column
from citeslab_xl.demo import vocabulary as site

CAISSE_DES_DEPOTS_UNTIL = 2007  # Besançon's history (indicators.md › Funding split)


@dataclass(frozen=True)
class Post:
    poste: str  # the Financement label, `Poste 1`
    charge: str  # her name in Paramètres › Chargés de mission
    etp: float
    opened: date

    def open_on(self, day: date) -> bool:
        return self.opened <= day


def posts(start: date, as_of: date) -> list[Post]:
    """The site's posts in the order they opened; a later post never opens before the site."""
    openings = [start] + [max(start, date(as_of.year - years, site.RENTREE, 1)) for years in site.LATER_POSTS_YEARS]
    return [Post(f"Poste {number}", name, etp, opened)
            for number, ((name, etp), opened) in enumerate(zip(site.CHARGES, openings, strict=True), start=1)]


def charge_on(staff: list[Post], day: date, rng: random.Random) -> str:
    """Who takes a porteur first met that day: one of the conseillères then on staff, in proportion to her ETP."""
    present = [post for post in staff if post.open_on(day)]
    return rng.choices([p.charge for p in present], weights=[p.etp for p in present])[0]


def share_of_year(post: Post, year: int) -> Fraction:
    """The part of `year` the post was open: from its opening day to 31 December in the year it opened."""
    if year != post.opened.year:
        return Fraction(1)
    first, last = date(year, 1, 1), date(year, 12, 31)
    return Fraction((last - post.opened).days + 1, (last - first).days + 1)


def financement(staff: list[Post], as_of: date, rng: random.Random) -> list[dict]:
    """One row per year and post, from the year the post opened to the as-of year; the cost pro rata of its days."""
    rows = []
    for year in range(staff[0].opened.year, as_of.year + 1):
        base = site.POST_COST_2005 + (year - 2005) * site.POST_COST_GROWTH + rng.uniform(
            -site.POST_COST_JITTER, site.POST_COST_JITTER)
        full_year = min(site.POST_COST_RANGE[1], max(site.POST_COST_RANGE[0], base))
        for post in staff:
            if post.opened.year > year:
                continue
            cost = full_year * post.etp * float(share_of_year(post, year))
            row: dict[str, object] = {c.key: None for c in schema.FINANCEMENT.columns}
            row.update(annee=year, poste=post.poste, etp=Decimal(str(post.etp)), cout=Decimal(f"{cost:.2f}"))
            shares = {"Caisse des Dépôts": 100} if year <= CAISSE_DES_DEPOTS_UNTIL else {"Agglomération": 80,
                                                                                           "Région": 20}
            for funder in schema.DEFAULT_FUNDERS:
                row[share_column(funder)] = shares.get(funder)
            rows.append(row)
    return rows
