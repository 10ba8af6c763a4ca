"""The export's figures in long form: one row per (site, period, indicator, breakdown, value or « < N »).

Made to be stacked: a head office puts the files of many sites one under the
other (`adapters.consolidate`). Each row carries the schema version, the
threshold and the source workbook's SHA-256, so that a stack can refuse a
file of another schema and say where each figure comes from. The rows are
read back from the export's own sheets (`export_audit.read_export`): they
show exactly what the sheets show, hidden cells as « < N » or « masqué »
with no value. The export file holds them as a sheet, and beside it as a CSV
described by a frictionless data package (`datapackage`). Nothing here does
any I/O.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from citeslab_xl.core import periods
from citeslab_xl.core.export_audit import Published, read_export
from citeslab_xl.core.export_tables import Context
from citeslab_xl.core.layout import SheetLayout, Table
from citeslab_xl.core.periods import Period

SCHEMA_VERSION = "1"
SHEET = "Données longues"
COLUMNS = ("schema_version", "site", "source_sha256", "threshold", "as_of", "export_start", "export_end",
           "period_start", "period_end",
           "indicator", "breakdown", "category", "value", "shown")
TITLES = {
    "schema_version": "Version du schéma de ce fichier", "site": "Site", "source_sha256":
    "Empreinte SHA-256 du classeur source", "threshold": "Seuil de secret statistique", "as_of": "Données arrêtées au",
    "export_start": "Début de la période du fichier", "export_end": "Fin de la période du fichier",
    "period_start": "Début de la période", "period_end": "Fin de la période", "indicator": "Indicateur (clé)",
    "breakdown": "Ventilation (clé, vide pour le total)", "category": "Catégorie (vide pour le total)",
    "value": "Valeur (vide quand elle est cachée)",
    "shown": "Ce que montre le classeur : nombre, « < N » ou « masqué »",
}
TYPES = {"threshold": "integer", "as_of": "date", "export_start": "date", "export_end": "date",
         "period_start": "date", "period_end": "date", "value": "integer"}

Row = dict[str, object]


def rows(ctx: Context, layouts: list[SheetLayout], source_sha256: str) -> list[Row]:
    """The long rows of one export (its layouts, as built for `ctx`)."""
    published = Published(ctx.threshold)
    read_export(published, layouts, ctx.compare(), ctx.period)
    found = []
    for (year, family, breakdown, category, months), shown in sorted(published.cells.items(), key=repr):
        found.append({
            "schema_version": SCHEMA_VERSION, "site": ctx.dataset.settings.nom_du_site, "source_sha256": source_sha256,
            "threshold": ctx.threshold, "as_of": ctx.as_of, "export_start": ctx.period.debut,
            "export_end": ctx.period.fin, "period_start": date(year, months[0], 1),
            "period_end": periods.month_end(year, months[-1]), "indicator": family, "breakdown": breakdown,
            "category": category, "value": shown if isinstance(shown, int) else None, "shown": str(shown),
        })
    return found


def sheet(found: list[Row], period: Period) -> SheetLayout:
    # dates as ISO text, as in the CSV: the export holds numbers and text only
    cells = [[_sheet_cell(row[c]) for c in COLUMNS] for row in found]
    table = Table(list(COLUMNS), cells, title="Une ligne par chiffre")
    return SheetLayout(SHEET, "Les chiffres de ce fichier, une ligne chacun", f"{period.titre} — à empiler avec "
                       "ceux d'autres sites ou d'autres périodes (même version du schéma)", [table],
                       widths={j: 14 for j in range(len(COLUMNS))})


def _sheet_cell(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    return None if value == "" else value  # a blank cell, not an empty text


def to_csv(found: list[Row]) -> str:
    """UTF-8 CSV, comma-separated, ISO dates: what DuckDB and frictionless read without options."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in found:
        writer.writerow({k: _csv_cell(v) for k, v in row.items()})
    return out.getvalue()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: object) -> object:
    """ISO dates; a text that a spreadsheet would take for a formula gets a leading apostrophe (export.md ›
    Text safety), as a spreadsheet does itself."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def datapackage(csv_name: str, name: str) -> dict:
    """The frictionless descriptor of the CSV (Data Package v1, one tabular resource)."""
    fields = [{"name": c, "title": TITLES[c], "type": TYPES.get(c, "string")} for c in COLUMNS]
    return {
        "name": name, "title": "Chiffres CitésLab pour l'agglomération, en format long",
        "resources": [{
            "name": "chiffres", "path": csv_name, "profile": "tabular-data-resource", "format": "csv",
            "encoding": "utf-8", "mediatype": "text/csv",
            "schema": {"fields": fields, "missingValues": [""]},
        }],
    }
