"""The LibreOffice helpers do what the other tests rely on."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from libreoffice import LibreOfficeError, first_page_png, pdf_text, recalculated_copy, requires_soffice, to_pdf

pytestmark = [requires_soffice, pytest.mark.slow]

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _with_cached_value(path: Path, formula: str, cached: str) -> None:
    # openpyxl writes a formula with no cached value; give it a wrong one, as a
    # stale file from another program would have.
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    stale = sheet.replace(f"<f>{formula}</f><v />".encode(), f"<f>{formula}</f><v>{cached}</v>".encode())
    assert stale != sheet
    parts["xl/worksheets/sheet1.xml"] = stale
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


@pytest.fixture
def workbook(tmp_path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Synthèse"
    ws["A1"], ws["A2"], ws["A3"] = 1, 2, 3
    ws["A4"] = "=SUM(A1:A3)"
    ws["B4"] = "=A4*2"  # no cached value at all
    text = ws["C1"]
    text.value = "=1+1"
    text.data_type = "s"  # a string that looks like a formula
    ws["D1"] = "Accompagnés à Planoise"
    path = tmp_path / "petit.xlsx"
    wb.save(path)
    _with_cached_value(path, "SUM(A1:A3)", "999")
    return path


def test_recalculated_copy_holds_the_values_libreoffice_computed(workbook, tmp_path):
    copy = recalculated_copy(workbook, tmp_path / "lo")

    ws = openpyxl.load_workbook(copy, data_only=True)["Synthèse"]
    assert ws["A4"].value == 6  # the stale 999 was recalculated
    assert ws["B4"].value == 12
    assert openpyxl.load_workbook(copy)["Synthèse"]["A4"].value == "=SUM(A1:A3)"


def test_a_text_that_looks_like_a_formula_stays_text(workbook, tmp_path):
    cell = openpyxl.load_workbook(recalculated_copy(workbook, tmp_path / "lo"))["Synthèse"]["C1"]

    assert (cell.data_type, cell.value) == ("s", "=1+1")


def test_recalculated_copy_refuses_to_overwrite_its_source(workbook):
    with pytest.raises(ValueError, match="overwrite"):
        recalculated_copy(workbook, workbook.parent)


def test_pdf_of_a_workbook_and_its_first_page(workbook, tmp_path):
    pdf = to_pdf(workbook, tmp_path / "pdf")

    assert pdf == tmp_path / "pdf" / "petit.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "Accompagnés à Planoise" in text and "6" in text.split()
    png = first_page_png(pdf, tmp_path / "page.png")
    assert png.read_bytes().startswith(PNG_MAGIC)


def test_a_file_libreoffice_cannot_load_is_an_error_not_an_empty_result(tmp_path):
    broken = tmp_path / "casse.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")

    with pytest.raises(LibreOfficeError, match="casse"):
        to_pdf(broken, tmp_path / "pdf")
    assert not (tmp_path / "pdf" / "casse.pdf").exists()
