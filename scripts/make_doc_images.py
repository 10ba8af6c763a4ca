"""Render every generated sheet to PNG for the docs, page by page, and record which layout each shows.

    python scripts/make_doc_images.py   # writes docs/sheets/*.png, docs/export-page1.png, docs/images.json

The sheets are those of a 3-year demo workbook as of 26/11/2026: a refresh that
makes the Synthèse of October (closed) and of November (running), and the
Journal row of that run. LibreOffice prints each sheet in a French locale (so
`#,##0` reads « 1 234 » and `0.0\\ %` « 40,0 % »), as the coordinator would
print it; the first MAX_PAGES pages of each are kept.

docs/images.json holds, for each sheet, the SHA-256 of its layout when its
pictures were made (`layout_digest`); tests/test_doc_images.py recomputes it
and fails when a layout has changed since: run this script again then.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
import unicodedata
from datetime import date, datetime
from pathlib import Path

from citeslab_xl import __version__
from citeslab_xl.adapters.render import render_workbook
from citeslab_xl.core import journal, periods, plan
from citeslab_xl.core.layout import SheetLayout
from citeslab_xl.demo import write_demo
from citeslab_xl.doors import api

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SHEETS = DOCS / "sheets"
MANIFEST = DOCS / "images.json"
AS_OF = date(2026, 11, 26)
RUN_AT = datetime(2026, 11, 26, 8, 30)  # the Journal row's time: a fixed one, so that its picture can stay
MAX_PAGES = 3
DPI = 60
TIMEOUT = 300  # seconds for one conversion

# OOXMLRecalcMode 0: recalculate on load (openpyxl writes no cached values); the locale: French.
PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse">\
<value>fr-FR</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooLocale" oor:op="fuse"><value>fr-FR</value></prop></item>
</oor:items>
"""


def demo_workbook(folder: Path) -> Path:
    workbook = folder / "demo.xlsx"
    write_demo(workbook, as_of=AS_OF)
    return workbook


def doc_layouts(workbook: Path) -> list[SheetLayout]:
    """Every generated sheet of the demo's refresh, and its Journal with the one row of that run."""
    dataset = api.check_file(workbook, AS_OF)
    run = plan.refresh_plan([], AS_OF, periods.month(2026, 10))
    layouts = api.refresh_layouts(dataset, run, AS_OF)
    given = journal.run_values(api.caption("actualiser"), __version__, len(dataset.porteurs), len(dataset.anomalies),
                               at=RUN_AT, as_of=AS_OF)
    # the hash of the data read, here of what the layouts were made from: the file's bytes vary with its zip dates
    digest = hashlib.sha256("".join(layout_digest(layout) for layout in layouts).encode()).hexdigest()
    row = journal.row(given, [layout.name for layout in layouts], digest)
    return layouts + [journal.journal_layout([row])]


def layout_digest(layout: SheetLayout) -> str:
    """The SHA-256 of everything a layout says (its dataclass repr: values, formats, widths, blocks)."""
    return hashlib.sha256(repr(layout).encode()).hexdigest()


def slug(name: str) -> str:
    """« Synthèse 2026-10 » → « synthese-2026-10 », « À faire » → « a-faire »."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "-".join(plain.lower().split())


def to_pdf(xlsx: Path, folder: Path) -> Path:
    profile = folder / "profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(PROFILE, encoding="utf-8")
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(folder), str(xlsx)],
                   check=True, capture_output=True, timeout=TIMEOUT)
    pdf = folder / f"{xlsx.stem}.pdf"
    if not pdf.is_file():
        raise RuntimeError(f"LibreOffice made no PDF of {xlsx.name}")
    return pdf


def to_pngs(pdf: Path, stem: Path, pages: int) -> list[Path]:
    """The first `pages` pages of `pdf` as `stem-1.png`, `stem-2.png`…"""
    subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", "1", "-l", str(pages), str(pdf), str(stem)],
                   check=True, capture_output=True, timeout=TIMEOUT)
    produced = sorted(stem.parent.glob(f"{stem.name}-*.png"))
    named = []
    for number, png in enumerate(produced, start=1):  # pdftoppm pads the page number to the page count's width
        target = stem.parent / f"{stem.name}-{number}.png"
        png.replace(target)
        named.append(target)
    return named


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True, timeout=TIMEOUT)
    return next(int(line.split()[1]) for line in info.stdout.splitlines() if line.startswith("Pages:"))


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="citeslab-docs-"))
    workbook = demo_workbook(folder)
    if SHEETS.exists():
        shutil.rmtree(SHEETS)
    SHEETS.mkdir(parents=True)
    manifest = {}
    for layout in doc_layouts(workbook):
        single = folder / f"{slug(layout.name)}.xlsx"
        render_workbook([layout]).save(single)
        pdf = to_pdf(single, folder)
        pages = page_count(pdf)
        pngs = to_pngs(pdf, SHEETS / slug(layout.name), min(pages, MAX_PAGES))
        manifest[layout.name] = {"layout_sha256": layout_digest(layout), "pages": pages,
                                 "pictures": [str(p.relative_to(ROOT)) for p in pngs]}
        print(f"{layout.name}: {pages} page(s), {len(pngs)} image(s)")
    shared = api.export(workbook, folder / "agglomeration.xlsx", periods.month(2026, 10), AS_OF)
    to_pngs(to_pdf(shared, folder), folder / "export", 1)[0].replace(DOCS / "export-page1.png")
    MANIFEST.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{MANIFEST.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
