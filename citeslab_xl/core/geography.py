"""The priority neighbourhoods (QPV) as they were on a given day (workbook.md › Paramètres › Quartiers).

A quartier is a QPV between its `QPV depuis` and `QPV jusqu'au` dates (empty:
no bound), so a person counts as a QPV resident when her quartier was one on
her Date premier contact: Battant, a QPV since 1 January 2024, counts for
someone first met in 2024 and not for someone first met in 2023. QPV codes
have the form of the 2024 geography (`QN` + département + 2 digits + a
letter, e.g. `QN02517N`) or of the 2015 one (`QP` + 6 digits).
"""

from __future__ import annotations

import re

import pandas as pd

from citeslab_xl.core.anomalies import Anomaly, DateInvalid, Position, QpvCodeInvalid
from citeslab_xl.core.schema import QUARTIER_HEADERS, Settings

QPV_CODE = re.compile(r"QN\d{3}\d{2}[A-Z]|QP\d{6}")


def is_qpv_code(code: str) -> bool:
    return QPV_CODE.fullmatch(code.strip().upper()) is not None


def qpv_keys(frame: pd.DataFrame, settings: Settings) -> pd.Series:
    """For each Porteurs row, the QPV (its code, else its name) that its Quartier was on its Date premier contact.

    None when it was not a QPV that day, and for a row without a Quartier or a
    date; a name listed twice in Paramètres (an old code until a date, the new
    one after it) is the line in force that day.
    """
    result = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    days = frame["date_premier_contact"]
    for quartier in settings.quartiers:
        if not quartier.qpv:
            continue
        mine = (frame["quartier"] == quartier.name).fillna(False).astype(bool) & days.notna()
        if quartier.since is not None:
            mine &= days >= pd.Timestamp(quartier.since)
        if quartier.until is not None:
            mine &= days <= pd.Timestamp(quartier.until)
        result[mine & result.isna()] = quartier.qpv_key
    return result


def qpv_residents(frame: pd.DataFrame, settings: Settings) -> pd.Series:
    """Whether each row's quartier was a QPV on its Date premier contact (False without a Quartier)."""
    return qpv_keys(frame, settings).notna()


def qpv_reached(frame: pd.DataFrame, settings: Settings) -> int:
    """The number of distinct QPV (by code, else by name) these people lived in on their first contact."""
    return int(qpv_keys(frame, settings).nunique())


def settings_anomalies(settings: Settings) -> list[Anomaly]:
    """Each Paramètres quartier whose QPV code has no official form, or whose QPV date is not a date, at its cell."""
    sheet = settings.parametres_sheet
    found: list[Anomaly] = []
    for quartier in settings.quartiers:
        if sheet is None or quartier.row is None or quartier.column is None:
            continue
        if quartier.code and not is_qpv_code(quartier.code):
            where = _cell(sheet, quartier.row, quartier.column, 1)
            found.append(QpvCodeInvalid(quartier=quartier.name).at(where, quartier.code))
        # an unreadable date would silently make the quartier a QPV at every date
        found += [DateInvalid().at(_cell(sheet, quartier.row, quartier.column, offset), value)
                  for offset, value in quartier.unreadable]
    return found


def _cell(sheet: str, row: int, name_column: int, offset: int) -> Position:
    """The cell `offset` columns right of a quartier's name (1: Code QPV … 4: QPV jusqu'au)."""
    return Position(sheet, row, QUARTIER_HEADERS[offset - 1], name_column + offset)
