"""The demo saved as a managed workbook, under the file-writing policy (it never replaces a file)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from citeslab_xl.adapters import files
from citeslab_xl.adapters.template_rows import save_filled_workbook
from citeslab_xl.demo.generator import DemoData, generate

SUFFIXES = (".xlsx",)


def write_demo(path: str | Path, people: int = 400, years: int = 3, seed: int = 0, errors: float = 0.0,
               *, as_of: date | None = None) -> DemoData:
    """Generate a demo and save it as a new managed workbook at `path` (an existing file is refused)."""
    target = Path(path)
    files.check_new_target(target, SUFFIXES)  # before the generation, which takes seconds for a large demo
    data = generate(people, years, seed, errors, as_of=as_of)
    files.create_file(target, lambda temp: save_filled_workbook(temp, data.rows, charges=data.charges),
                      suffixes=SUFFIXES)
    return data
