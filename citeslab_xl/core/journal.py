"""The `Journal` sheet: one row per run of the tool, never erased (workbook.md › Generated sheets).

Both doors write it: the file writer keeps the rows already in the file and
the buttons read them back from the book; each adds one row made by `row`.
"""

from __future__ import annotations

from datetime import date, datetime

from citeslab_xl.core.errors import WriteRefused
from citeslab_xl.core.grid import is_blank
from citeslab_xl.core.layout import DATE, INTEGER, SheetLayout, Table
from citeslab_xl.core.text import fold

JOURNAL = "Journal"
# « Données au » came last, after the other columns: the rows of an older Journal are read back by position
JOURNAL_HEADERS = ["Date et heure", "Action", "Version", "Lignes lues", "Anomalies",
                   "Feuilles écrites", "SHA-256 avant", "Données au"]
JOURNAL_GIVEN = 5  # what the door knows of the run, and the as-of day after them; the writer knows the sheets, the hash
DATETIME_SECONDS = "dd/mm/yyyy hh:mm:ss"


def run_values(action: str, version: str, rows_read: int, anomalies: int, at: datetime | None = None,
               as_of: date | None = None) -> list:
    """The first `JOURNAL_GIVEN` values of a row: when (to the second), what, which version, how much was read;
    then the day the figures hold (« données au »), when the run computed any."""
    when = (at or datetime.now()).replace(microsecond=0)
    return [when, action, version, rows_read, anomalies] + ([as_of] if as_of is not None else [])


def check_given(given: list) -> None:
    if len(given) not in (JOURNAL_GIVEN, JOURNAL_GIVEN + 1):
        raise ValueError(f"journal_row attend {JOURNAL_GIVEN} valeurs ({', '.join(JOURNAL_HEADERS[:JOURNAL_GIVEN])}), "
                         "puis éventuellement la date des données")


def row(given: list, written: list[str], sha256_before: str) -> list:
    """A complete row: the run's values, the sheets written, the hash of what was read, the as-of day."""
    check_given(given)
    as_of = given[JOURNAL_GIVEN] if len(given) > JOURNAL_GIVEN else None
    return list(given[:JOURNAL_GIVEN]) + [", ".join(written), sha256_before, as_of]


def journal_layout(rows: list[list]) -> SheetLayout:
    """The `Journal` sheet showing `rows` (the writer keeps the rows already there)."""
    table = Table(JOURNAL_HEADERS, rows, formats={0: DATETIME_SECONDS, 3: INTEGER, 4: INTEGER, 7: DATE},
                  wrap_columns=(1, 5))
    return SheetLayout(JOURNAL, "Journal", "Une ligne par exécution de l'outil (jamais effacée).",
                       blocks=[table], widths={0: 20, 1: 26, 2: 10, 3: 12, 4: 12, 5: 60, 6: 68, 7: 12},
                       landscape=True, append_only=True)


def rows_below_header(sheet_name: str, rows: list[list], headers: list[str]) -> list[list]:
    """The rows of a table already in a sheet: under its header, up to the first blank row.

    `rows` are the sheet's rows from column A, where both doors put the table;
    each row comes back `len(headers)` wide. Refuses when the header is gone,
    since the sheet was then reworked by hand.
    """
    first = fold(headers[0])
    header = next((i for i, values in enumerate(rows)
                   if values and not is_blank(values[0]) and fold(values[0]) == first), None)
    if header is None:
        raise WriteRefused(f"La feuille « {sheet_name} » ne contient plus son en-tête « {headers[0]} » : "
                           "elle a été modifiée à la main et l'outil ne la réécrira pas. Renommez-la pour la garder, "
                           "puis relancez (une nouvelle feuille sera créée). Rien n'a été écrit.")
    width = len(headers)
    previous = []
    for values in rows[header + 1:]:
        if all(is_blank(v) for v in values):
            break
        previous.append((list(values) + [None] * width)[:width])
    return previous
