"""Reading only what a command uses: Paramètres, the data sheets and the first rows of each Synthèse."""

from __future__ import annotations

import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest
from conftest import AS_OF

from citeslab_xl.adapters import reading
from citeslab_xl.core import plan, schema
from citeslab_xl.core.errors import UnusableWorkbook
from citeslab_xl.core.grid import locate
from citeslab_xl.doors import api


@pytest.fixture(scope="module")
def refreshed(demo_workbook, tmp_path_factory) -> Path:
    """The demo after two monthly runs: every generated sheet is there, and two Synthèses."""
    copy = tmp_path_factory.mktemp("refreshed") / "suivi.xlsx"
    shutil.copyfile(demo_workbook, copy)
    api.refresh(copy, date(2026, 10, 15))
    api.refresh(copy, AS_OF)
    return copy


def parsed_sheets(path: Path, monkeypatch) -> dict[str, int | None]:
    """Each sheet calamine parsed while the workbook was read, with the rows asked for (None: all)."""
    parsed: dict[str, int | None] = {}
    grid = reading._grid

    def spy(book, name, rows=None):
        parsed[name] = rows
        return grid(book, name, rows)
    monkeypatch.setattr(reading, "_grid", spy)
    reading.read_workbook(path)
    return parsed


def test_the_generated_sheets_are_not_parsed_and_a_synthese_only_for_its_status(refreshed, monkeypatch):
    parsed = parsed_sheets(refreshed, monkeypatch)
    data_sheets = {sheet.name for sheet in schema.DATA_SHEETS}
    assert {name for name, rows in parsed.items() if rows is None} == data_sheets | {schema.PARAMETRES_NAME}
    synthese = {name for name in reading.read_workbook(refreshed).sheet_names if plan.synthese_month(name)}
    assert len(synthese) >= 2
    assert {name: rows for name, rows in parsed.items() if rows is not None} == dict.fromkeys(synthese,
                                                                                           plan.STATUS_ROWS)
    assert plan.ANOMALIES in reading.read_workbook(refreshed).sheet_names and plan.ANOMALIES not in parsed


def test_what_is_read_is_what_reading_every_sheet_gives(refreshed):
    raw = reading.read_workbook(refreshed)
    every = reading.read_grids(refreshed)
    whole = locate(every, reading.is_date1904(refreshed))
    assert raw.sheet_names == whole.sheet_names == list(every)
    assert raw.settings == whole.settings and raw.missing_columns == whole.missing_columns
    assert {key: (t.sheet_name, t.header_row, t.rows) for key, t in raw.tables.items()} == \
        {key: (t.sheet_name, t.header_row, t.rows) for key, t in whole.tables.items()}
    assert raw.synthese_status == plan.statuses_from_grids(every)
    assert set(raw.synthese_status.values()) == {plan.PROVISOIRE, plan.DEFINITIVE}


def _with_far_cell(source: Path, target: Path, sheet: str) -> Path:
    """A copy whose `sheet` holds one more cell, at XFD1048576."""
    part = reading._sheet_parts(source)[sheet]
    cell = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>fin</t></is></c></row></sheetData>'
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == part:
                data = re.sub(rb"</(\w+:)?sheetData>", cell, data, count=1)
            new.writestr(info, data)
    return target


def test_a_far_cell_in_a_sheet_that_is_not_read_stops_nothing(refreshed, tmp_path):
    path = _with_far_cell(refreshed, tmp_path / "anomalies-loin.xlsx", plan.ANOMALIES)
    assert len(api.check_file(path, AS_OF).anomalies) == len(api.check_file(refreshed, AS_OF).anomalies)
    with pytest.raises(UnusableWorkbook, match="1048576 lignes"):  # whoever reads every sheet still refuses it
        reading.check_container(path)


def test_a_far_cell_in_a_data_sheet_is_refused_before_it_is_parsed(refreshed, tmp_path, monkeypatch):
    path = _with_far_cell(refreshed, tmp_path / "porteurs-loin.xlsx", "Porteurs")
    with pytest.raises(UnusableWorkbook, match="1048576 lignes"):
        parsed_sheets(path, monkeypatch)
