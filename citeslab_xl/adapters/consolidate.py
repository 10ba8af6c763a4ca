"""The network's workbook: the long-form files of many sites stacked, checked and summed (`consolidate`).

A head office receives each site's exports; their long-form CSVs
(`core.long_form`) are read together by DuckDB (embedded, `union_by_name`, so
that a file with a column more or less still stacks), in the dialect this
tool writes them in, given rather than sniffed file by file. A file of another
schema version is refused, by name, before anything is written. For each
site, the periods expected (every month from the first to the last month
any site sent) are set against those received, as DHIS2's reporting rate
does, and a file is on time when its as-of date is at most `ON_TIME_DAYS`
after its period. Where a site sent the same figure in several files, the
latest as-of date wins. Network totals add the sites' figures: a total is
shown only when every site's figure in it is shown, and suppression is
applied again on the consolidated tables (`suppression.suppress`), so that a
site's hidden count never comes back by difference with the network's.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from citeslab_xl.adapters import render
from citeslab_xl.adapters.files import check_new_target, create_file
from citeslab_xl.core import long_form, periods
from citeslab_xl.core.errors import ForeignSchema, WriteRefused
from citeslab_xl.core.figures import label
from citeslab_xl.core.layout import PERCENT, Chart, Note, SheetLayout, Table
from citeslab_xl.core.suppression import SECONDARY_MARK, Hidden, small_mark, suppress

ON_TIME_DAYS = 15
INDICATORS = ("nouveaux_porteurs", "rdv", "orientations_total", "creations", "ateliers_participants",
              "sensibilisation_personnes")
TITLE = "Chiffres CitésLab du réseau"


@dataclass(frozen=True)
class Completeness:
    site: str
    expected: int
    received: int
    on_time: int

    @property
    def rate(self) -> float:
        return self.received / self.expected if self.expected else 0.0


def consolidate(exports: Iterable[str | Path], out: str | Path, timings: dict[str, float] | None = None) -> Path:
    """Stack the long-form CSVs (or the exports they sit beside) into a new network workbook at `out`.

    `timings`, when given, receives the seconds of each stage, by name (what `benchmarks/consolidate_network.py`
    prints).
    """
    files = [_csv_of(Path(p)) for p in exports]
    if not files:
        raise WriteRefused("Aucun fichier à consolider : donnez les fichiers CSV des sites (ou leurs exports).")
    target = Path(out)
    check_new_target(target, (".xlsx",))
    stages = {} if timings is None else timings
    # no query here depends on the order rows were read in, and keeping it costs a third of the reading
    con = duckdb.connect(config={"preserve_insertion_order": False})
    with _timed(stages, "read"):
        _read(con, files)
    with _timed(stages, "schema check"):
        _refuse_foreign(con)
    with _timed(stages, "latest figures"):
        _keep_latest(con)
    with _timed(stages, "completeness"):
        completeness = _completeness_sheet(_completeness(con))
    with _timed(stages, "network tables"):
        layouts = [_lisez_moi(con, len(files)), completeness, _per_period(con), _per_site(con)]
    with _timed(stages, "render"):
        wb = render.render_workbook(layouts)
    with _timed(stages, "save"):
        return create_file(target, lambda path: wb.save(path), suffixes=(".xlsx",))


@contextmanager
def _timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = time.perf_counter() - started


def _csv_of(path: Path) -> Path:
    found = path.with_suffix(".csv") if path.suffix.lower() == ".xlsx" else path
    if not found.is_file():
        raise WriteRefused(f"{found} n'existe pas : donnez le fichier CSV écrit à côté de chaque export.")
    return found


CHUNK = 500  # files read at once: DuckDB keeps them open, and a system allows a few thousand at most
# The long form is this tool's own CSV (`long_form.to_csv`), so its dialect is given rather than sniffed: sniffing
# costs about 2 ms of a 36-row file, and under `union_by_name` each bind and each read sniffs every file again.
DIALECT = "header = true, all_varchar = true, filename = true, auto_detect = false, delim = ',', quote = '\"', " \
          "escape = '\"'"
LONG_FORM_DIALECT = "CSV en UTF-8, séparé par des virgules, une ligne d'en-tête"


def _read(con: duckdb.DuckDBPyConnection, files: list[Path]) -> None:
    columns = [*long_form.COLUMNS, "filename"]
    con.execute("CREATE TABLE raw (" + ", ".join(f'"{c}" VARCHAR' for c in columns) + ")")
    # a column a file lacks stays empty; one this tool does not know is left out (COLUMNS keeps the known ones)
    known = "[" + ", ".join(f"'{c}'" for c in columns) + "]"
    insert = (f"INSERT INTO raw BY NAME SELECT COLUMNS(lambda c: list_contains({known}, c)) "
              f"FROM read_csv($files, union_by_name = true, {DIALECT})")
    for start in range(0, len(files), CHUNK):
        try:
            con.execute(insert, {"files": [str(f) for f in files[start:start + CHUNK]]})
        except duckdb.InvalidInputException as error:  # the CSV reader's refusal: an encoding, a line
            raise ForeignSchema(f"{_unreadable_file(error)} ne se lit pas comme un fichier de données longues de "
                                f"citeslab-xl ({LONG_FORM_DIALECT}) : reprenez le fichier tel que l'export l'a écrit. "
                                "Rien n'a été écrit.") from error


def _unreadable_file(error: duckdb.InvalidInputException) -> str:
    # DuckDB names the file it could not read on a line of its message: "file = /path/to/site.csv"
    found = re.search(r"^\s*file = (.+)$", str(error), re.MULTILINE)
    return Path(found[1].strip()).name if found else "Un des fichiers"


def _refuse_foreign(con: duckdb.DuckDBPyConnection) -> None:
    foreign = con.execute("SELECT DISTINCT filename, schema_version FROM raw "
                          "WHERE schema_version IS DISTINCT FROM ? ORDER BY ALL", [long_form.SCHEMA_VERSION]).fetchall()
    if foreign:
        name, version = foreign[0]
        if version is None:
            raise ForeignSchema(f"{Path(name).name} ne dit pas sa version du schéma (colonne schema_version absente "
                                "ou vide) : ce n'est pas un fichier de données longues de citeslab-xl "
                                f"({LONG_FORM_DIALECT}), ou un tableur l'a réenregistré ; reprenez le fichier tel que "
                                "l'export l'a écrit. Rien n'a été écrit.")
        raise ForeignSchema(f"{Path(name).name} suit la version {version} du schéma, et cet outil la version "
                            f"{long_form.SCHEMA_VERSION} : demandez au site un export refait avec la même version "
                            "de citeslab-xl. Rien n'a été écrit.")


def _keep_latest(con: duckdb.DuckDBPyConnection) -> None:
    """One figure per site, period and cell: the latest as-of date wins when a site sent it in several files.

    Files of the same as-of date show the same figure (one suppression pattern a year, export.md); the file name
    only makes the pick the same from one run to the next.
    """
    con.execute("""
        CREATE TABLE cells AS
        SELECT site, CAST(period_start AS DATE) AS period_start, CAST(period_end AS DATE) AS period_end,
               indicator, coalesce(breakdown, '') AS breakdown, coalesce(category, '') AS category,
               TRY_CAST(value AS BIGINT) AS value, shown, CAST(threshold AS INTEGER) AS threshold
        FROM raw
        QUALIFY row_number() OVER (PARTITION BY site, period_start, period_end, indicator, breakdown, category
                                   ORDER BY CAST(as_of AS DATE) DESC, filename DESC) = 1""")


def _completeness(con: duckdb.DuckDBPyConnection) -> list[Completeness]:
    """Months expected (the network's first to last month sent) against the months each site sent."""
    first, last = con.execute("SELECT min(CAST(export_start AS DATE)), max(CAST(export_end AS DATE)) FROM raw "
                              "WHERE date_trunc('month', CAST(export_start AS DATE)) = "
                              "date_trunc('month', CAST(export_end AS DATE))").fetchone() or (None, None)
    expected = len(periods.months_between(first, last)) if first and last else 0
    rows = con.execute(f"""
        SELECT site, count(DISTINCT export_start) AS received,
               count(DISTINCT CASE WHEN CAST(as_of AS DATE) <= CAST(export_end AS DATE) + {ON_TIME_DAYS}
                     THEN export_start END) AS on_time
        FROM raw
        WHERE date_trunc('month', CAST(export_start AS DATE)) = date_trunc('month', CAST(export_end AS DATE))
        GROUP BY site ORDER BY site""").fetchall()
    sites = {site for (site,) in con.execute("SELECT DISTINCT site FROM raw").fetchall()}
    found = {site: Completeness(site, expected, received, on_time) for site, received, on_time in rows}
    return [found.get(site, Completeness(site, expected, 0, 0)) for site in sorted(sites)]


def _completeness_sheet(found: list[Completeness]) -> SheetLayout:
    rows = [[c.site, c.expected, c.received, c.rate, c.on_time] for c in found]
    table = Table(["Site", "Mois attendus", "Mois reçus", "Taux de complétude", "Reçus à temps"], rows,
                  title="Fichiers mensuels attendus et reçus", formats={3: PERCENT})
    note = Note(f"Un mois est attendu de chaque site du premier au dernier mois envoyé par le réseau ; un fichier "
                f"est à temps quand ses données sont arrêtées au plus {ON_TIME_DAYS} jours après la fin de son mois.")
    return SheetLayout("Complétude", "Complétude des envois", TITLE, [table, note], widths={0: 30, 1: 14, 2: 14,
                                                                                              3: 18, 4: 14})


def _network_rows(con: duckdb.DuckDBPyConnection, where: str, group: str) -> list[tuple]:
    return con.execute(f"""
        SELECT {group}, indicator, sum(value), count(*) FILTER (WHERE value IS NULL), min(threshold)
        FROM cells WHERE breakdown = '' AND indicator IN {INDICATORS} AND {where}
        GROUP BY ALL ORDER BY ALL""").fetchall()


def _suppressed_table(keys: list, found: list[tuple], threshold: int) -> list[list]:
    """Rows of keys × INDICATORS: a total shown when no site's part is hidden, then suppressed again."""
    index = {key: i for i, key in enumerate(keys)}
    grid: list[list[int | None]] = [[0] * len(INDICATORS) for _ in keys]
    initial: list[list[Hidden | None]] = [[None] * len(INDICATORS) for _ in keys]
    for key, indicator, total, hidden, _ in found:
        i, j = index[key], INDICATORS.index(indicator)
        grid[i][j] = int(total or 0)
        if hidden:
            initial[i][j] = Hidden.SECONDARY
    table = suppress(grid, threshold, [], initial)
    return [[table.shown(i, j) for j in range(len(INDICATORS))] for i in range(len(keys))]


def _per_period(con: duckdb.DuckDBPyConnection) -> SheetLayout:
    found = _network_rows(con, "date_trunc('month', period_start) = date_trunc('month', period_end)", "period_start")
    months = sorted({row[0] for row in found})
    threshold = max((row[4] for row in found), default=5)
    shown = _suppressed_table(months, found, threshold)
    rows = [[f"{m:%m/%Y}", *cells] for m, cells in zip(months, shown, strict=True)]
    blocks: list = [Table(["Mois", *map(label, INDICATORS)], rows, title="Le réseau, mois par mois")]
    if rows:
        blocks.append(Chart("line", "Nouveaux porteurs du réseau par mois", table=0, series=[1]))
    blocks.append(Note(f"Un total est « {SECONDARY_MARK} » quand le chiffre d'au moins un site y est caché "
                       f"(« {small_mark(threshold)} » ou « {SECONDARY_MARK} ») : l'ajouter en partie permettrait de "
                       "le retrouver."))
    return SheetLayout("Par mois", "Le réseau, mois par mois", TITLE, blocks,
                       widths={0: 12, **{j: 16 for j in range(1, len(INDICATORS) + 1)}}, landscape=True)


def _per_site(con: duckdb.DuckDBPyConnection) -> SheetLayout:
    whole_years = "month(period_start) = 1 AND month(period_end) = 12 AND year(period_start) = year(period_end)"
    found = _network_rows(con, whole_years, "site, year(period_start)")
    keyed = [((site, year), indicator, total, hidden, t) for site, year, indicator, total, hidden, t in found]
    keys = sorted({row[0] for row in keyed})
    threshold = max((row[4] for row in keyed), default=5)
    shown = _suppressed_table(keys, keyed, threshold)
    rows = [[site, str(year), *cells] for (site, year), cells in zip(keys, shown, strict=True)]
    return SheetLayout("Par site", "Chaque site, par année", TITLE,
                       [Table(["Site", "Année", *map(label, INDICATORS)], rows, title="Par site et par année")],
                       widths={0: 30, 1: 8, **{j: 16 for j in range(2, len(INDICATORS) + 2)}}, landscape=True)


def _lisez_moi(con: duckdb.DuckDBPyConnection, files: int) -> SheetLayout:
    sites, first, last = con.execute("SELECT count(DISTINCT site), min(period_start), max(period_end) "
                                      "FROM cells").fetchone() or (0, None, None)
    about = [["Fichiers lus", files], ["Sites", sites],
             ["Période couverte", f"du {first:%d/%m/%Y} au {last:%d/%m/%Y}" if first and last else "—"],
             ["Version du schéma", long_form.SCHEMA_VERSION], ["Fichier produit le", f"{date.today():%d/%m/%Y}"]]
    note = Note("Chaque chiffre est la somme de ceux des sites, tels que leurs exports les montrent ; un chiffre "
                "caché par un site reste caché ici, et un total qui en contient un l'est aussi.")
    return SheetLayout("Lisez-moi", TITLE, "Consolidation des exports des sites",
                       [Table(["Élément", "Valeur"], about, title="Ce fichier"), note], widths={0: 30, 1: 50})
