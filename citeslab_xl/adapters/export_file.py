"""The file shared with the agglomeration: the export's layouts rendered and written (export.md).

`core.export` says what the six sheets show; here they are rendered with
openpyxl, the hidden cells greyed, and everything that is not a value taken
out (formula, defined name, link, hidden sheet, document property of the
source), then the file is written through the one file-writing policy: a new
file only, never over the source workbook.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.packaging.core import DocumentProperties
from openpyxl.styles import Alignment, Font, PatternFill

from citeslab_xl.adapters import render
from citeslab_xl.adapters.files import check_new_target, create_file
from citeslab_xl.adapters.reading import sha256_of
from citeslab_xl.core import long_form
from citeslab_xl.core.dataset import Dataset
from citeslab_xl.core.errors import WriteRefused
from citeslab_xl.core.export import TITLE, build_export
from citeslab_xl.core.export_tables import Context
from citeslab_xl.core.periods import Period
from citeslab_xl.core.suppression import SECONDARY_MARK, small_mark

CREATOR = "citeslab-xl"
FLAG_FILL = PatternFill("solid", fgColor="E7E6E6")
FLAG_FONT = Font(name=render.FONT_NAME, italic=True, color="595959")


def flag_hidden_cells(wb: Workbook, threshold: int) -> None:
    """Grey the cells that show « < N » or « masqué », so that they stand out in print too."""
    marks = {small_mark(threshold), SECONDARY_MARK}
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_col=2):
            for cell in row:
                if cell.value in marks:
                    cell.fill, cell.font = FLAG_FILL, FLAG_FONT
                    cell.alignment = Alignment(horizontal="right")


def strip_workbook(wb: Workbook) -> None:
    """Leave only values in the file: no formula, name, link, hidden sheet or borrowed property."""
    for ws in wb.worksheets:
        ws.sheet_state = "visible"
        for name in list(ws.defined_names):
            del ws.defined_names[name]
        ws.print_title_rows = None
        ws.print_title_cols = None
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    raise ValueError(f"formule inattendue dans l'export : {ws.title}!{cell.coordinate}")
                if cell.hyperlink is not None:
                    cell.hyperlink = None
    for name in list(wb.defined_names):
        del wb.defined_names[name]
    wb._external_links = []
    wb.custom_doc_props.props = []
    wb.properties = DocumentProperties(creator=CREATOR, title=TITLE, lastModifiedBy=None)


def write_export(dataset: Dataset, period: Period, as_of: date, source_path: str | Path, out_path: str | Path,
                 version: str) -> Path:
    """Write the shared workbook as a new file at `out_path` (never over the source) and return its path.

    Beside it, its figures in long form: `X.csv` and its frictionless descriptor `X.datapackage.json`
    (the workbook also holds them, as its last sheet); none of the three may exist already.
    """
    source, target = Path(source_path), Path(out_path)
    if target.resolve() == source.resolve():
        raise WriteRefused(f"L'export ne peut pas remplacer le classeur source {source.name} : "
                           "donnez un autre nom de fichier.")
    csv_path, package_path = long_form_paths(target)
    for path, suffixes in ((target, (".xlsx",)), (csv_path, (".csv",)), (package_path, (".json",))):
        check_new_target(path, suffixes)  # all three are new, or nothing is written
    digest = sha256_of(source)
    ctx = Context(dataset, period, as_of)
    layouts = build_export(dataset, period, as_of, digest, version, generated_at=datetime.now().replace(microsecond=0),
                           patterns=ctx.patterns)
    rows = long_form.rows(ctx, layouts, digest)
    wb = render.render_workbook([*layouts, long_form.sheet(rows, period)])
    flag_hidden_cells(wb, int(dataset.settings.seuil_secret))
    strip_workbook(wb)
    written = create_file(target, lambda path: wb.save(path), suffixes=(".xlsx",))
    package = long_form.datapackage(csv_path.name, _package_name(target.stem))
    create_file(csv_path, _text_saver(long_form.to_csv(rows)), suffixes=(".csv",))
    create_file(package_path, _text_saver(json.dumps(package, ensure_ascii=False, indent=2)), suffixes=(".json",))
    return written


def _text_saver(text: str) -> Callable[[Path], None]:
    def save(path: Path) -> None:
        Path(path).write_text(text, encoding="utf-8")
    return save


def long_form_paths(target: Path) -> tuple[Path, Path]:
    """The CSV and its data package beside the workbook: `X.csv` and `X.datapackage.json` for `X.xlsx`."""
    return target.with_suffix(".csv"), target.with_name(f"{target.stem}.datapackage.json")


def _package_name(stem: str) -> str:
    """A frictionless package name: lower case letters, digits, « - », « _ », « . »."""
    name = re.sub(r"[^a-z0-9._-]+", "-", stem.lower()).strip("-")
    return name or "export"
