"""LibreOffice, headless, as a second spreadsheet program for tests.

Each conversion runs `soffice` with a profile of its own (so that runs never
share a lock or a running instance) in which formulas are always recalculated
on load: a file written by openpyxl carries no computed values, and one
LibreOffice re-saves holds the values that LibreOffice computed. `soffice` exits
with 0 even when it could not load or convert a file, so every result is
checked on disk.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import pytest

TIMEOUT = 180  # seconds; a conversion of a test workbook takes one or two
SKIP_REASON = "LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui poppler-utils"

# OOXMLRecalcMode / ODFRecalcMode: 0 = always recalculate on load, 1 = never, 2 = ask.
_PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
</oor:items>
"""


class LibreOfficeError(RuntimeError):
    """soffice or pdftoppm did not produce the expected file."""


def soffice_available() -> bool:
    return all(shutil.which(tool) for tool in ("soffice", "pdftoppm", "pdftotext"))


# Skipped on a developer's machine without LibreOffice, never in CI (CI=true):
# there a missing install must fail, not hide behind a skip.
requires_soffice = pytest.mark.skipif(not soffice_available() and not os.environ.get("CI"), reason=SKIP_REASON)


def _run(command: list[str], timeout: float) -> subprocess.CompletedProcess:
    # soffice starts child processes: on a timeout the whole group is ended,
    # not only the wrapper script.
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise LibreOfficeError(f"{command[0]} did not finish within {timeout} s: {' '.join(command)}") from None
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def _convert(source: Path, target: Path, convert_to: str, timeout: float) -> Path:
    """Convert `source` with soffice and move the result to `target`."""
    source = Path(source).resolve()
    if not source.is_file():
        raise LibreOfficeError(f"no such file: {source}")
    with tempfile.TemporaryDirectory(prefix="soffice-") as work:
        profile, out = Path(work, "profile"), Path(work, "out")
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE_SETTINGS, encoding="utf-8")
        done = _run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                     "--nologo", "--nolockcheck", "--convert-to", convert_to, "--outdir", str(out), str(source)],
                    timeout)
        produced = out / f"{source.stem}.{convert_to.split(':')[0]}"
        if not produced.is_file() or produced.stat().st_size == 0:
            raise LibreOfficeError(f"soffice produced no {produced.name} from {source.name} "
                                   f"(exit code {done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        shutil.move(produced, target)
    return Path(target)


def to_pdf(xlsx_path: str | Path, outdir: str | Path, timeout: float = TIMEOUT) -> Path:
    """The workbook printed to PDF by LibreOffice (every sheet, formulas recalculated)."""
    return _convert(Path(xlsx_path), Path(outdir) / f"{Path(xlsx_path).stem}.pdf", "pdf", timeout)


def to_ods(xlsx_path: str | Path, outdir: str | Path, timeout: float = TIMEOUT) -> Path:
    """The workbook saved by LibreOffice as .ods: its content.xml shows what LibreOffice made of the file."""
    return _convert(Path(xlsx_path), Path(outdir) / f"{Path(xlsx_path).stem}.ods", "ods", timeout)


def recalculated_copy(xlsx_path: str | Path, outdir: str | Path, timeout: float = TIMEOUT) -> Path:
    """`outdir/<name>.xlsx`: the workbook re-saved by LibreOffice after recalculating every formula.

    openpyxl's `load_workbook(copy, data_only=True)` then reads LibreOffice's
    computed values. Macros of an .xlsm are not carried over.
    """
    source = Path(xlsx_path).resolve()
    target = Path(outdir).resolve() / f"{source.stem}.xlsx"
    if target == source:
        raise ValueError(f"recalculated_copy would overwrite {source}: give another outdir")
    return _convert(source, target, "xlsx:Calc MS Excel 2007 XML", timeout)


def first_page_png(pdf: str | Path, out_png: str | Path, dpi: int = 80, timeout: float = TIMEOUT) -> Path:
    """The first page of a PDF as a PNG (pdftoppm), e.g. to look at with an image viewer."""
    out_png = Path(out_png)
    out_png.parent.mkdir(parents=True, exist_ok=True)
    stem = out_png.with_suffix("")  # pdftoppm appends ".png" itself
    done = _run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
                timeout)
    produced = stem.with_suffix(".png")
    if done.returncode != 0 or not produced.is_file() or produced.stat().st_size == 0:
        raise LibreOfficeError(f"pdftoppm made no image of {pdf}: {done.stderr.strip()}")
    if produced != out_png:
        produced.replace(out_png)
    return out_png


def pdf_text(pdf: str | Path, timeout: float = TIMEOUT) -> str:
    """The text of a PDF (pdftotext, layout kept), to check what a printed sheet shows."""
    done = _run(["pdftotext", "-layout", str(pdf), "-"], timeout)
    if done.returncode != 0:
        raise LibreOfficeError(f"pdftotext could not read {pdf}: {done.stderr.strip()}")
    return done.stdout
