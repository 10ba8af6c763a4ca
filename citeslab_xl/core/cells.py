"""Reading one cell as its contract type, or saying precisely why not.

Each converter takes what a reader found in a cell (str, float, int, bool,
date, datetime, or None) and returns the typed value, or raises `BadCell`
carrying the cell anomaly of the taxonomy (with its typed parameters), not yet
placed. `validation.py` applies them to whole columns, each distinct value once.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from citeslab_xl.core import anomalies as A
from citeslab_xl.core.anomalies import BadCell, show
from citeslab_xl.core.text import fold

EXCEL_EPOCH_1900 = date(1899, 12, 30)
EXCEL_EPOCH_1904 = date(1904, 1, 1)
_DATE_FR = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+)?$")
_EMAIL = re.compile(r"^[^@\s;,]+@[^@\s;,]+\.[A-Za-z]{2,}$")
_PHONE_DIGITS = re.compile(r"[\s.\-()]")
_PHONE = re.compile(r"(?:0|\+33|0033)[1-9]\d{8}")
_WHITESPACE = re.compile(r"\s")
_FOURTEEN_DIGITS = re.compile(r"\d{14}")
_WHOLE_NUMBER = re.compile(r"-?\d+(?:[.,]0+)?")
_DECIMAL_MARK = re.compile(r"[.,]")
_IMAGE_SEPARATORS = re.compile(r"[;,]")
YES = {"oui", "o"}
NO = {"non", "n"}
SEXE_ALIASES = {"femme": "F", "homme": "H", "f": "F", "h": "H"}
LA_POSTE_SIREN = "356000000"
LA_POSTE_HEAD_OFFICE = "35600000000048"  # the one La Poste SIRET that follows Luhn
# A date outside these years is a typo, and pandas cannot hold it (datetime64[ns] ends in 2262).
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2099, 12, 31)


def to_text(value) -> str:
    if value.__class__ is str:  # most cells: the rest only for numbers and dates
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an ID typed as a number reads back as 12.0
    if isinstance(value, (datetime, date)):
        return show(value)
    return str(value).strip()


def to_int(value, hint: str = "un nombre entier, par exemple 45") -> int:
    if isinstance(value, bool):
        raise BadCell(A.NumberInvalid(hint=hint))
    if isinstance(value, (int, float)):
        if float(value).is_integer():
            return int(value)
        raise BadCell(A.NumberInvalid(hint=hint))
    text = str(value).strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    if _WHOLE_NUMBER.fullmatch(text):
        return int(_DECIMAL_MARK.split(text)[0])
    raise BadCell(A.NumberInvalid(hint=hint))


def to_decimal(value, hint: str = "un montant, par exemple 1250,50") -> Decimal:
    if isinstance(value, bool):
        raise BadCell(A.NumberInvalid(hint=hint))
    if isinstance(value, (int, float)):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    text = str(value).strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    text = text.replace("€", "").replace("%", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise BadCell(A.NumberInvalid(hint=hint)) from None
    if not number.is_finite():
        raise BadCell(A.NumberInvalid(hint=hint))
    return number


def _safe_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise BadCell(A.DateInvalid()) from None


def to_date(value, date1904: bool = False) -> date:
    day = _read_date(value, date1904)
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise BadCell(A.DateInvalid())
    return day


def _read_date(value, date1904: bool) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise BadCell(A.DateInvalid())
    if isinstance(value, (int, float)):
        if not 1 <= value < 2958466:  # Excel's last date is 31/12/9999
            raise BadCell(A.DateInvalid())
        epoch = EXCEL_EPOCH_1904 if date1904 else EXCEL_EPOCH_1900
        return epoch + timedelta(days=int(value))
    text = str(value).strip()
    match = _DATE_FR.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return _safe_date(year, month, day)
    match = _DATE_ISO.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return _safe_date(year, month, day)
    raise BadCell(A.DateInvalid())


def to_bool(value) -> bool:
    if isinstance(value, bool):  # a VRAI/FAUX cell of French Excel
        return value
    key = fold(value)
    if key in YES:
        return True
    if key in NO:
        return False
    raise BadCell(A.OuiNonInvalid())


def to_list_value(value, allowed: tuple[str, ...], list_name: str) -> str:
    canonical = _by_key(allowed).get(fold(value))
    if canonical is not None:
        return canonical
    if list_name == "Sexe" and fold(value) in SEXE_ALIASES:
        return SEXE_ALIASES[fold(value)]
    raise BadCell(A.ListUnknown(liste=list_name, choix=allowed))


@lru_cache(maxsize=256)
def _by_key(allowed: tuple[str, ...]) -> dict[str, str]:
    """Each list's values by comparison key; the first spelling wins."""
    keyed: dict[str, str] = {}
    for candidate in allowed:
        keyed.setdefault(fold(candidate), candidate)
    return keyed


def luhn_ok(digits: str) -> bool:
    """Luhn's key: from the right, every second digit doubled (less 9 past 9), the sum a multiple of 10."""
    total = sum(map(int, digits[-1::-2]))
    for ch in digits[-2::-2]:
        doubled = int(ch) * 2
        total += doubled - 9 if doubled > 9 else doubled
    return total % 10 == 0


def check_siret(text: str) -> str:
    digits = _WHITESPACE.sub("", text)
    if not _FOURTEEN_DIGITS.fullmatch(digits):
        raise BadCell(A.SiretInvalid())
    # INSEE gives La Poste's establishments SIRETs whose digit sum is a multiple of 5 instead.
    if digits.startswith(LA_POSTE_SIREN):
        if digits != LA_POSTE_HEAD_OFFICE and sum(int(d) for d in digits) % 5:
            raise BadCell(A.SiretInvalid())
    elif not luhn_ok(digits):
        raise BadCell(A.SiretInvalid())
    return digits


def check_phone(text: str) -> str:
    if _PHONE.fullmatch(_PHONE_DIGITS.sub("", text)):  # 0X, +33 X or 0033 X, then eight digits
        return text
    raise BadCell(A.PhoneInvalid())


def check_email(text: str) -> str:
    if _EMAIL.fullmatch(text) and ".." not in text:
        return text
    raise BadCell(A.EmailInvalid())


def check_images(text: str) -> str:
    parts = [p.strip() for p in _IMAGE_SEPARATORS.split(text) if p.strip()]
    if len(parts) != 4 or not all(p.isdigit() for p in parts):
        raise BadCell(A.ImagesCount())
    return ";".join(parts)
