"""Render the first page of `Synthèse`, `COPIL` and the export to PNG for the docs.

    python scripts/make_doc_images.py   # writes docs/synthese.png, docs/copil.png, docs/export-page1.png

The sheets are those of a 3-year demo workbook refreshed as of 2026-11-26,
rendered by LibreOffice exactly as the coordinator would print them.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date
from pathlib import Path

from citeslab_xl.adapters.render import render_workbook
from citeslab_xl.core import periods, plan
from citeslab_xl.demo import write_demo
from citeslab_xl.doors import api

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the LibreOffice helpers live with the tests
from tests.libreoffice import first_page_png, to_pdf  # noqa: E402

AS_OF = date(2026, 11, 26)


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="citeslab-docs-"))
    workbook = folder / "demo.xlsx"
    write_demo(workbook, as_of=AS_OF)
    dataset = api.check_file(workbook, AS_OF)
    run = plan.refresh_plan([], AS_OF, periods.month(2026, 10))
    layouts = {layout.name: layout for layout in api.refresh_layouts(dataset, run, AS_OF)}
    for name, png in (("Synthèse 2026-10", "synthese.png"), ("COPIL 2026", "copil.png")):
        single = folder / f"{png}.xlsx"
        render_workbook([layouts[name]]).save(single)
        first_page_png(to_pdf(single, folder), ROOT / "docs" / png, dpi=70)
        print(f"docs/{png}")
    shared = api.export(workbook, folder / "agglomeration.xlsx", periods.month(2026, 10), AS_OF)
    first_page_png(to_pdf(shared, folder), ROOT / "docs" / "export-page1.png", dpi=70)
    print("docs/export-page1.png")


if __name__ == "__main__":
    main()
