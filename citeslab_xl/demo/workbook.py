"""The demo saved as a managed workbook."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from citeslab_xl.adapters.template import build_workbook
from citeslab_xl.demo.generator import DemoData, generate


def write_demo(path: str | Path, people: int = 400, years: int = 3, seed: int = 0, errors: float = 0.0,
               *, as_of: date | None = None) -> DemoData:
    """Generate a demo and save it as a managed workbook at `path`."""
    data = generate(people, years, seed, errors, as_of=as_of)
    build_workbook(data.rows).save(path)
    return data
