"""The validated tables every figure is computed from.

`Dataset.tables[key]` is a pandas DataFrame per data sheet (keys of
`schema.DATA_SHEETS`), one row per non-blank row of the sheet, with one column
per contract column key plus `_row` (the Excel row number). A cell that failed
validation holds a null, so it drops out of every figure that needs it, while
the rest of its row still counts (indicators.md: valid rows only).

Column types:
- date: ``datetime64[ns]`` (NaT when empty or invalid)
- int: pandas ``Int64`` (nullable)
- decimal: ``object`` holding ``decimal.Decimal`` or None
- text and list: ``object`` holding ``str`` (lists in their canonical spelling) or None
- oui/non: ``object`` holding ``bool`` or None
Financement also has one ``Decimal`` share column per funder, named
``part:<funder>`` (e.g. ``part:Agglomération``), listed in `Dataset.funders`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from citeslab_xl.core import schema
from citeslab_xl.core.anomalies import Anomaly
from citeslab_xl.core.schema import Kind, Settings, share_column


def empty_table(sheet: schema.Sheet, funders: tuple[str, ...] = ()) -> pd.DataFrame:
    columns = {"_row": pd.Series(dtype="Int64")}
    for column in sheet.columns:
        columns[column.key] = pd.Series(dtype=dtype_of(column.kind))
    for funder in funders:
        columns[share_column(funder)] = pd.Series(dtype=object)
    return pd.DataFrame(columns)


def dtype_of(kind: Kind) -> str:
    if kind is Kind.DATE:
        return "datetime64[ns]"
    if kind is Kind.INT:
        return "Int64"
    return "object"


@dataclass
class Dataset:
    tables: dict[str, pd.DataFrame]
    settings: Settings = field(default_factory=Settings)
    funders: tuple[str, ...] = schema.DEFAULT_FUNDERS
    anomalies: list[Anomaly] = field(default_factory=list)
    sheet_names: dict[str, str] = field(default_factory=dict)  # sheet key -> the sheet's name in the workbook

    def table(self, key: str) -> pd.DataFrame:
        """A sheet's table; an absent optional sheet is an empty table of the right shape."""
        if key in self.tables:
            return self.tables[key]
        return empty_table(schema.SHEETS_BY_KEY[key], self.funders if key == "financement" else ())

    @property
    def porteurs(self) -> pd.DataFrame:
        return self.table("porteurs")

    @property
    def rendez_vous(self) -> pd.DataFrame:
        return self.table("rendez_vous")

    @property
    def ateliers(self) -> pd.DataFrame:
        return self.table("ateliers")

    @property
    def photolangage(self) -> pd.DataFrame:
        return self.table("photolangage")

    @property
    def sensibilisation(self) -> pd.DataFrame:
        return self.table("sensibilisation")

    @property
    def referents(self) -> pd.DataFrame:
        return self.table("referents")

    @property
    def suivi(self) -> pd.DataFrame:
        return self.table("suivi")

    @property
    def financement(self) -> pd.DataFrame:
        return self.table("financement")

    @property
    def errors(self) -> list[Anomaly]:
        return [a for a in self.anomalies if a.is_error]

    @property
    def warnings(self) -> list[Anomaly]:
        return [a for a in self.anomalies if not a.is_error]


def from_records(records: dict[str, list[dict]], settings: Settings | None = None,
                 funders: tuple[str, ...] = schema.DEFAULT_FUNDERS) -> Dataset:
    """A Dataset from plain dicts of already-typed values (tests; the validator uses `from_columns`)."""
    tables = {}
    for key, rows in records.items():
        sheet = schema.SHEETS_BY_KEY[key]
        frame = empty_table(sheet, funders if key == "financement" else ())
        if rows:
            data = pd.DataFrame.from_records(rows)
            for name in frame.columns:
                if name not in data.columns:
                    data[name] = None
            frame = data[list(frame.columns) + [c for c in data.columns if c not in frame.columns]]
            frame = _coerce(frame, sheet)
        tables[key] = frame
    return Dataset(tables, settings or Settings(), funders)


def from_columns(columns: dict[str, dict[str, list]], settings: Settings | None = None,
                 funders: tuple[str, ...] = schema.DEFAULT_FUNDERS) -> Dataset:
    """A Dataset from already-typed columns (the validator): per sheet, `_row` and one list per field,
    None where a cell is empty or was refused.

    The same tables as `from_records` gives for the same rows, each column typed once, without a dict
    per row. It empties `columns` as it goes, so that each sheet's lists are freed once its table is
    built (peak memory).
    """
    tables = {}
    for key in list(columns):
        fields = columns.pop(key)
        sheet = schema.SHEETS_BY_KEY[key]
        shares = funders if key == "financement" else ()
        count = len(fields["_row"])
        if not count:
            tables[key] = empty_table(sheet, shares)
            continue
        blank = [None] * count
        kinds = [("_row", Kind.INT), *((c.key, c.kind) for c in sheet.columns),
                 *((share_column(f), Kind.PERCENT) for f in shares)]
        tables[key] = pd.DataFrame({name: _series(fields.pop(name, blank), kind) for name, kind in kinds})
    return Dataset(tables, settings or Settings(), funders)


def _series(values: list, kind: Kind) -> pd.Series:
    if kind is Kind.DATE:
        return pd.to_datetime(pd.Series(values, dtype=object)).astype("datetime64[ns]")
    if kind is Kind.INT:
        return pd.Series(pd.array(values, dtype="Int64"))
    return pd.Series(values, dtype=object)  # a typed list holds None, never NaN, where a value is missing


def _coerce(frame: pd.DataFrame, sheet: schema.Sheet) -> pd.DataFrame:
    frame = frame.copy()
    frame["_row"] = pd.array(frame["_row"].to_numpy(), dtype="Int64")
    for column in sheet.columns:
        kind = column.kind
        if kind is Kind.DATE:
            frame[column.key] = pd.to_datetime(frame[column.key]).astype("datetime64[ns]")
        elif kind is Kind.INT:
            frame[column.key] = pd.array(frame[column.key].to_numpy(), dtype="Int64")
        else:
            frame[column.key] = frame[column.key].astype(object).where(frame[column.key].notna(), None)
    return frame
