"""The funding split (indicators.md › Funding split), in exact decimal arithmetic.

Each Financement row of cost C and funder shares s_f (%) gives every funder
C × s_f / 100, rounded to the cent by the largest-remainder method so that the
amounts add up exactly to C × Σ s_f / 100 rounded half up to the cent; the rest
of C is the host structure's reste à charge.

Settled points:
- A missing share is 0 %. The cost is taken to the cent (half up) before the
  split, as the contract types it.
- Equal remainders get the extra cent in the order of the funder columns.
- A row without a valid Année, Poste or Coût total cannot be split and is left
  out (the Anomalies sheet names it); a row whose shares exceed 100 % is kept,
  flagged, and not split: it is in `FundingSplit.errors`, not in the JSON rows,
  and adds nothing to the per-year funder totals.
- Per year, `cout` sums the cost of every row of the year, flagged ones
  included (the cost itself is valid), since it is the numerator of the cost
  per person accompanied and per creation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext

import pandas as pd

from citeslab_xl.core import indicators, periods
from citeslab_xl.core.dataset import Dataset, share_column
from citeslab_xl.core.per_run import memoised

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)
_PRECISION = 60  # ample for any euro amount × share: every product and quotient stays exact


def to_cent(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def money(amount: Decimal) -> str:
    """An amount as the JSON shows it: two decimals, never a float (``"36000.00"``)."""
    return f"{to_cent(amount):f}"


def split_amounts(cout: Decimal, shares: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Each funder's amount, to the cent, adding up to C × Σ s / 100 rounded to the cent."""
    with localcontext() as context:
        context.prec = _PRECISION
        exact = {funder: cout * share / HUNDRED for funder, share in shares.items()}
        target = to_cent(cout * sum(shares.values(), ZERO) / HUNDRED)
        amounts = {funder: value.quantize(CENT, rounding=ROUND_FLOOR) for funder, value in exact.items()}
        missing_cents = int((target - sum(amounts.values(), ZERO)) / CENT)
        position = {funder: index for index, funder in enumerate(shares)}
        by_remainder = sorted(shares, key=lambda f: (-(exact[f] - amounts[f]), position[f]))
        for funder in by_remainder[:missing_cents]:
            amounts[funder] += CENT
    return amounts


@dataclass(frozen=True)
class FundingRow:
    ligne: int | None  # the Excel row, to point at it
    annee: int
    poste: str
    etp: Decimal | None
    cout: Decimal
    shares: dict[str, Decimal]  # % per funder, 0 where the cell is empty
    parts: dict[str, Decimal]  # euros per funder; empty when the row is in error

    @property
    def total_shares(self) -> Decimal:
        return sum(self.shares.values(), ZERO)

    @property
    def in_error(self) -> bool:
        return self.total_shares > HUNDRED

    @property
    def uncovered(self) -> Decimal:
        """The cost that no part covers (the whole cost of a row in error, which has no parts)."""
        return self.cout - sum(self.parts.values(), ZERO)

    @property
    def reste_a_charge(self) -> Decimal | None:
        return None if self.in_error else self.uncovered


@dataclass(frozen=True)
class FundingYear:
    annee: int
    cout: Decimal
    parts: dict[str, Decimal]
    reste_a_charge: Decimal
    accompagnes: int
    creations: int

    @property
    def cout_par_accompagne(self) -> Decimal | None:
        return to_cent(self.cout / self.accompagnes) if self.accompagnes else None

    @property
    def cout_par_creation(self) -> Decimal | None:
        return to_cent(self.cout / self.creations) if self.creations else None


@dataclass(frozen=True)
class FundingSplit:
    funders: tuple[str, ...]
    rows: list[FundingRow]  # every row that has a year, a post and a cost, in (année, poste) order

    @property
    def split_rows(self) -> list[FundingRow]:
        return [row for row in self.rows if not row.in_error]

    @property
    def errors(self) -> list[FundingRow]:
        return [row for row in self.rows if row.in_error]

    def years(self) -> list[int]:
        return sorted({row.annee for row in self.rows})

    def par_annee(self) -> dict[int, dict[str, Decimal]]:
        totals = {year_: {funder: ZERO for funder in self.funders} for year_ in self.years()}
        for row in self.split_rows:
            for funder, amount in row.parts.items():
                totals[row.annee][funder] += amount
        return totals

    def to_json(self) -> dict:
        rows = [
            {
                "annee": row.annee,
                "poste": row.poste,
                "cout": money(row.cout),
                "parts": {funder: money(amount) for funder, amount in row.parts.items()},
                "reste_a_charge": money(row.uncovered),
            }
            for row in self.split_rows
        ]
        par_annee = {
            str(year_): {funder: money(amount) for funder, amount in amounts.items()}
            for year_, amounts in self.par_annee().items()
        }
        return {"rows": rows, "par_annee": par_annee}


def _share(value: float | int | None) -> Decimal:
    return ZERO if value is None or pd.isna(value) else indicators.as_decimal(value)


def _row(record: dict, funders: tuple[str, ...]) -> FundingRow:
    cout = to_cent(indicators.as_decimal(record["cout"]))
    shares = {funder: _share(record.get(share_column(funder))) for funder in funders}
    row = FundingRow(
        ligne=None if pd.isna(record["_row"]) else int(record["_row"]),
        annee=int(record["annee"]),
        poste=str(record["poste"]),
        etp=None if pd.isna(record["etp"]) else indicators.as_decimal(record["etp"]),
        cout=cout,
        shares=shares,
        parts={},
    )
    if row.in_error:
        return row
    return replace(row, parts=split_amounts(cout, shares))


@memoised
def split_funding(dataset: Dataset) -> FundingSplit:
    table = dataset.financement
    usable = table[table["annee"].notna() & table["poste"].notna() & table["cout"].notna()]
    rows = [_row(record, dataset.funders) for record in usable.to_dict("records")]
    rows.sort(key=lambda row: (row.annee, row.poste))
    return FundingSplit(tuple(dataset.funders), rows)


def funding_json(dataset: Dataset) -> dict:
    """``{"rows": [...], "par_annee": {...}}`` as `citeslab-xl funding --json` prints it."""
    return split_funding(dataset).to_json()


def funding_errors(dataset: Dataset) -> list[FundingRow]:
    """The rows not split because their shares exceed 100 % (validation reports them as shares-over-100)."""
    return split_funding(dataset).errors


@memoised
def funding_years(dataset: Dataset, as_of: date) -> list[FundingYear]:
    """Per year: cost, funder totals, reste à charge, and the cost per person accompanied and per creation."""
    split = split_funding(dataset)
    totals = split.par_annee()
    result = []
    for year_ in split.years():
        rows = [row for row in split.rows if row.annee == year_]
        whole_year = periods.year(year_)
        result.append(FundingYear(
            annee=year_,
            cout=sum((row.cout for row in rows), ZERO),
            parts=totals[year_],
            reste_a_charge=sum((row.uncovered for row in rows if not row.in_error), ZERO),
            accompagnes=indicators.accompagnes(dataset, whole_year, as_of),
            creations=indicators.creations(dataset, whole_year, as_of),
        ))
    return result
