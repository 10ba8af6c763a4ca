"""How `consolidate` reads the long-form files: by column name, in the dialect the export writes, chunk by chunk.

Small CSVs written here (with `long_form.to_csv` where the file is a real one), so that these run in a second.
"""

from __future__ import annotations

import csv
from datetime import date

import pytest
from openpyxl import load_workbook

from citeslab_xl.adapters import consolidate as module
from citeslab_xl.adapters.consolidate import consolidate
from citeslab_xl.core import long_form, periods
from citeslab_xl.core.errors import ForeignSchema

SEPTEMBER = periods.month(2026, 9)
QUOTED_SITE = 'CitésLab "Nord", Lille'  # a comma and quotes: the CSV quotes it, and the reader must unquote it
UNKNOWN = "NE PAS LIRE : colonne inconnue"


def long_rows(site: str, figures: dict[str, int], as_of: date = date(2026, 10, 5), version: str = "1") -> list[dict]:
    return [{
        "schema_version": version, "site": site, "source_sha256": "0" * 64, "threshold": 5, "as_of": as_of,
        "export_start": SEPTEMBER.debut, "export_end": SEPTEMBER.fin, "period_start": SEPTEMBER.debut,
        "period_end": SEPTEMBER.fin, "indicator": indicator, "breakdown": "", "category": "",
        "value": value if value >= 5 else None, "shown": str(value) if value >= 5 else "< 5",
    } for indicator, value in figures.items()]


def write_columns(path, found: list[dict], columns: list[str], extra: dict[str, str] | None = None):
    """A long-form CSV with only `columns`, in that order, and `extra` columns this tool does not know."""
    extra = extra or {}
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow([*columns, *extra])
        for row in found:
            writer.writerow([text(row[c]) for c in columns] + list(extra.values()))
    return path


def text(value: object) -> object:
    return "" if value is None else value.isoformat() if isinstance(value, date) else value


@pytest.fixture
def network(tmp_path):
    """Three sites' September: a file as exported, one with its columns reversed and one unknown, one lacking
    three columns (and naming its site with a comma and quotes)."""
    exported = tmp_path / "a.csv"
    exported.write_text(long_form.to_csv(long_rows("Site A", {"nouveaux_porteurs": 12, "rdv": 30})), encoding="utf-8")
    reversed_ = write_columns(tmp_path / "b.csv", long_rows("Site B", {"nouveaux_porteurs": 7, "rdv": 8}),
                              list(reversed(long_form.COLUMNS)), {"commentaire": UNKNOWN})
    lacking = [c for c in long_form.COLUMNS if c not in ("source_sha256", "breakdown", "category")]
    short = write_columns(tmp_path / "c.csv", long_rows(QUOTED_SITE, {"nouveaux_porteurs": 6, "rdv": 9}), lacking)
    return [exported, reversed_, short]


def all_values(path) -> list[object]:
    return [value for ws in load_workbook(path) for row in ws.iter_rows(values_only=True) for value in row]


@pytest.mark.parametrize("chunk", [1, 500], ids=["one file per read", "all files in one read"])
def test_columns_are_matched_by_name_whatever_each_file_holds(network, tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(module, "CHUNK", chunk)
    stages: dict[str, float] = {}
    out = consolidate(network, tmp_path / "reseau.xlsx", stages)
    wb = load_workbook(out)
    months = {row[0]: row[1:] for row in wb["Par mois"].iter_rows(values_only=True) if row and row[0]}
    assert months["09/2026"] == (12 + 7 + 6, 30 + 8 + 9, 0, 0, 0, 0)
    sites = [row[0] for row in wb["Complétude"].iter_rows(values_only=True) if row and row[0]]
    assert {"Site A", "Site B", QUOTED_SITE} <= set(sites)
    assert UNKNOWN not in all_values(out)
    assert set(stages) == {"read", "schema check", "latest figures", "completeness", "network tables", "render",
                           "save"} and all(seconds >= 0 for seconds in stages.values())


def test_a_hidden_figure_of_one_site_hides_the_network_total(network, tmp_path):
    hidden = tmp_path / "d.csv"
    hidden.write_text(long_form.to_csv(long_rows("Site D", {"nouveaux_porteurs": 3, "rdv": 10})), encoding="utf-8")
    months = {row[0]: row[1:] for row in load_workbook(consolidate([*network, hidden], tmp_path / "reseau.xlsx"))[
        "Par mois"].iter_rows(values_only=True) if row and row[0]}
    assert months["09/2026"][:2] == ("masqué", 30 + 8 + 9 + 10)


def test_the_latest_as_of_date_wins(tmp_path):
    early, late = tmp_path / "early.csv", tmp_path / "late.csv"
    early.write_text(long_form.to_csv(long_rows("Site A", {"rdv": 30}, date(2026, 10, 5))), encoding="utf-8")
    late.write_text(long_form.to_csv(long_rows("Site A", {"rdv": 33}, date(2026, 11, 5))), encoding="utf-8")
    for order in ([early, late], [late, early]):
        out = tmp_path / f"reseau-{order[0].stem}.xlsx"
        months = {row[0]: row[1:] for row in load_workbook(consolidate(order, out))["Par mois"].iter_rows(
            values_only=True) if row and row[0]}
        assert months["09/2026"][1] == 33


@pytest.mark.parametrize(("columns", "version", "said"), [
    (list(long_form.COLUMNS), "0", "suit la version 0 du schéma"),
    ([c for c in long_form.COLUMNS if c != "schema_version"], "1", "ne dit pas sa version du schéma"),
], ids=["another version", "no version column"])
def test_a_foreign_file_in_a_later_read_is_refused_and_nothing_written(network, tmp_path, monkeypatch, columns,
                                                                       version, said):
    monkeypatch.setattr(module, "CHUNK", 2)
    foreign = write_columns(tmp_path / "ancien.csv", long_rows("Site E", {"rdv": 9}, version=version), columns)
    with pytest.raises(ForeignSchema, match=rf"ancien\.csv {said}"):
        consolidate([*network, foreign], tmp_path / "reseau.xlsx")
    assert not (tmp_path / "reseau.xlsx").exists()


@pytest.mark.parametrize(("encoding", "separator"), [("utf-8", ";"), ("cp1252", ";"), ("cp1252", ",")],
                         ids=["semicolons", "semicolons and Windows-1252", "Windows-1252"])
def test_a_file_resaved_by_a_spreadsheet_is_refused_by_name(network, tmp_path, encoding, separator):
    """The dialect is the export's own, not sniffed: a file a spreadsheet saved again is refused, not misread."""
    resaved = tmp_path / "réenregistré.csv"
    text = long_form.to_csv(long_rows("Cités Lab Épinal", {"rdv": 9})).replace(",", separator)
    resaved.write_bytes(text.encode(encoding))
    with pytest.raises(ForeignSchema, match=r"réenregistré\.csv ne (se lit pas|dit pas sa version)"):
        consolidate([*network, resaved], tmp_path / "reseau.xlsx")
    assert not (tmp_path / "reseau.xlsx").exists()
