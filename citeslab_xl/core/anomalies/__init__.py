"""The taxonomy of problems found in a workbook, by scope: cell, row, workbook (sheet and cross-sheet), privacy.

`ALL_KINDS` lists every kind explicitly; `BY_CODE` finds one by its stable code.
"""

from __future__ import annotations

from citeslab_xl.core.anomalies.base import UNPLACED, Anomaly, Gravite, Position, show
from citeslab_xl.core.anomalies.cell import (
    CELL_KINDS,
    BadCell,
    CellAnomaly,
    DateFuture,
    DateInvalid,
    DateTooEarly,
    EmailInvalid,
    ExcelErrorValue,
    ImagesCount,
    ListUnknown,
    NumberInvalid,
    NumberRange,
    OuiNonInvalid,
    PhoneInvalid,
    RequiredMissing,
    SiretInvalid,
)
from citeslab_xl.core.anomalies.privacy import PRIVACY_KINDS, NoConsent, PrivacyAnomaly, RetentionExpired
from citeslab_xl.core.anomalies.row import (
    ROW_KINDS,
    AgeOutOfRange,
    DateOrder,
    ParticipantsOver,
    ReferentNoContact,
    RowAnomaly,
    SharesOver100,
    StatusIncomplete,
)
from citeslab_xl.core.anomalies.workbook import (
    WORKBOOK_KINDS,
    ColumnMissing,
    FundingDuplicate,
    IdDuplicate,
    IdUnknown,
    NoRendezVous,
    PhotolangageDateUnknown,
    QpvCodeInvalid,
    SuiviNotCreated,
    WorkbookAnomaly,
)

ALL_KINDS: tuple[type[Anomaly], ...] = (*CELL_KINDS, *ROW_KINDS, *WORKBOOK_KINDS, *PRIVACY_KINDS)
BY_CODE: dict[str, type[Anomaly]] = {kind.code: kind for kind in ALL_KINDS}

__all__ = [
    "ALL_KINDS", "BY_CODE", "UNPLACED", "AgeOutOfRange", "Anomaly", "BadCell", "CellAnomaly", "ColumnMissing",
    "DateFuture", "DateInvalid", "DateOrder", "DateTooEarly", "EmailInvalid", "ExcelErrorValue", "FundingDuplicate",
    "Gravite", "IdDuplicate", "IdUnknown", "ImagesCount", "ListUnknown", "NoConsent", "NoRendezVous", "NumberInvalid",
    "NumberRange", "OuiNonInvalid", "ParticipantsOver", "PhoneInvalid", "PhotolangageDateUnknown", "Position",
    "PrivacyAnomaly", "QpvCodeInvalid", "ReferentNoContact", "RequiredMissing", "RetentionExpired", "RowAnomaly",
    "SharesOver100", "SiretInvalid", "StatusIncomplete", "SuiviNotCreated", "WorkbookAnomaly", "show",
]
