"""Demo exports of several sites, to try `consolidate` (one demo workbook and its exports per site)."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from pathlib import Path

from citeslab_xl.adapters.export_file import write_export
from citeslab_xl.adapters.reading import read_workbook
from citeslab_xl.core import periods
from citeslab_xl.core.validation import validate
from citeslab_xl.demo.workbook import write_demo


def site_exports(folder: str | Path, seed: int, site: str, months: list[periods.Period], as_of: date,
                 people: int = 150, version: str = "demo") -> list[Path]:
    """A demo workbook for `site` (from `seed`) and its export of each month, written in `folder`."""
    folder = Path(folder)
    slug = re.sub(r"[^a-z0-9]+", "-", site.lower()).strip("-") or f"site-{seed}"
    source = folder / f"{slug}.xlsx"
    write_demo(source, people=people, years=2, seed=seed, as_of=as_of)
    dataset = validate(read_workbook(source), as_of)
    dataset = dataclasses.replace(dataset, settings=dataclasses.replace(dataset.settings, nom_du_site=site))
    return [write_export(dataset, month, as_of, source, folder / f"{slug}-{month.debut:%Y-%m}.xlsx", version)
            for month in months]


def network_exports(folder: str | Path, sites: list[tuple[int, str]], months: list[periods.Period],
                    as_of: date, people: int = 150) -> list[Path]:
    """`site_exports` for each (seed, site name)."""
    return [path for seed, site in sites for path in site_exports(folder, seed, site, months, as_of, people)]
