"""The Python API: what the command line and the buttons call."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from citeslab_xl.dataset import Dataset
from citeslab_xl.reading import read_workbook
from citeslab_xl.validation import validate


def check_file(path: str | Path, as_of: date | None = None) -> Dataset:
    """Read and validate a workbook file; raises UnusableWorkbook when it cannot be used."""
    return validate(read_workbook(path), as_of or date.today())


def write_template(path: str | Path) -> None:
    from citeslab_xl.template import build_workbook

    build_workbook().save(path)
