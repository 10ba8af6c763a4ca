"""Comparing what people type: without case, accents or stray spaces."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")
_FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")


def fold(value: object) -> str:
    """The comparison key of a header, a sheet name or a list value."""
    return _fold(str(value))


@lru_cache(maxsize=1 << 16)  # the same few hundred values fill whole columns
def _fold(value: str) -> str:
    text = unicodedata.normalize("NFKD", value)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("’", "'").replace("_", " ").strip().rstrip(":").strip()
    return _SPACES.sub(" ", text).casefold()


def is_formula_like(value: object) -> bool:
    """A text that Excel or LibreOffice could take for a formula if typed."""
    return isinstance(value, str) and value.startswith(_FORMULA_LEAD)


def column_letter(index: int) -> str:
    """Excel's column name for a 1-based index (1 → A, 27 → AA), as A1 references spell it."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
