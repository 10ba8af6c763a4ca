"""Reading real, drifted workbooks: where the table is, what its columns are called, what a cell holds."""

from __future__ import annotations

import gc
import re
import subprocess
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from libreoffice import requires_soffice
from openpyxl import Workbook, load_workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from citeslab_xl.adapters.reading import read_workbook
from citeslab_xl.adapters.template import build_workbook
from citeslab_xl.core import schema
from citeslab_xl.core.errors import UnusableWorkbook
from citeslab_xl.core.grid import Grid, locate_table
from citeslab_xl.core.schema import Settings
from citeslab_xl.core.validation import validate

AS_OF = date(2025, 6, 30)
PORTEUR_HEADERS = ["ID", "Nom", "Prénom", "Quartier", "Date premier contact", "Statut", "Consentement RGPD"]


def porteur(ident="P1", nom="Martin", prenom="Awa", quartier="Planoise", contact=date(2025, 3, 12),
            statut="Accueil", consentement="Oui") -> list:
    return [ident, nom, prenom, quartier, contact, statut, consentement]


def write_sheets(path: Path, sheets: dict[str, list[list]], top: int = 1, left: int = 1, epoch=None) -> Path:
    """A hand-made workbook: each sheet's rows start at (top, left); None leaves a cell empty."""
    wb = Workbook()
    wb.remove(wb.active)
    if epoch is not None:
        wb.epoch = epoch
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if value is not None:
                    cell = ws.cell(row=top + i, column=left + j, value=value)
                    if isinstance(value, (date, datetime)):
                        cell.number_format = "dd/mm/yyyy"
    wb.save(path)
    return path


def check(path: Path):
    return validate(read_workbook(path), AS_OF)


def codes(dataset) -> list[str]:
    return [a.code for a in dataset.anomalies]


# --- where the table is -----------------------------------------------------------

def test_header_below_title_and_blank_rows_and_right_of_blank_columns(tmp_path):
    rows = [
        ["Suivi des porteurs — CitésLab 2025"],
        [],
        [],
        PORTEUR_HEADERS,
        porteur("P1"),
        porteur("P2", contact="2030-01-01"),
    ]
    path = write_sheets(tmp_path / "decale.xlsx", {"Porteurs": rows}, top=2, left=3)
    raw = read_workbook(path)
    table = raw.tables["porteurs"]
    assert table.header_row == 5
    assert [c.index for c in table.columns] == list(range(3, 3 + len(PORTEUR_HEADERS)))
    assert [excel_row for excel_row, _ in table.rows] == [6, 7]
    dataset = validate(raw, AS_OF)
    assert list(dataset.porteurs["_row"]) == [6, 7]
    assert list(dataset.porteurs["id"]) == ["P1", "P2"]
    (future,) = [a for a in dataset.anomalies if a.code == "date-future"]
    assert (future.ligne, future.cellule, future.colonne) == (7, "G7", "Date premier contact")


def test_header_is_found_on_row_20_but_not_below(tmp_path):
    found = write_sheets(tmp_path / "r20.xlsx", {"Porteurs": [["titre"]] + [[]] * 18 + [PORTEUR_HEADERS, porteur()]})
    assert read_workbook(found).tables["porteurs"].header_row == 20
    lost = write_sheets(tmp_path / "r22.xlsx", {"Porteurs": [["titre"]] + [[]] * 20 + [PORTEUR_HEADERS, porteur()]})
    assert not read_workbook(lost).tables["porteurs"].columns


# --- what the columns and sheets are called ----------------------------------------------

def test_synonyms_of_columns_and_sheets(tmp_path):
    path = write_sheets(tmp_path / "synonymes.xlsx", {
        "porteurs": [["N°", "Nom", "Prenom", "QPV", "Date 1er contact", "Etape", "RGPD"], porteur("12")],
        "RDV": [["Date RDV", "Identifiant porteur", "Type RDV"], [date(2025, 3, 12), "12", "Premier accueil"]],
        "Referents": [["Identifiant", "Nom", "Prenom", "Société", "Secteur", "Tel", "Accord", "Actif"],
                      ["R1", "Petit", "Jean", "Boulangerie", "Artisanat", "0381000001", "Non", "Oui"]],
    })
    raw = read_workbook(path)
    roles = ("porteurs", "rendez_vous", "referents")
    assert [raw.tables[k].sheet_name for k in roles] == ["porteurs", "RDV", "Referents"]
    assert not raw.missing_columns
    dataset = validate(raw, AS_OF)
    assert dataset.anomalies == []
    assert dataset.porteurs.loc[0, "prenom"] == "Awa"
    assert dataset.porteurs.loc[0, "date_premier_contact"] == datetime(2025, 3, 12)
    assert dataset.rendez_vous.loc[0, "id_porteur"] == "12"
    assert dataset.referents.loc[0, "entreprise"] == "Boulangerie"


def test_headers_match_without_accents_case_extra_spaces_or_trailing_colon(tmp_path):
    headers = ["  id ", "NOM", "prénom :", "Quartier:", "DATE   PREMIER contact", "statut\u00a0:",
               "Consentement  rgpd"]
    path = write_sheets(tmp_path / "entetes.xlsx", {"PORTEURS ": [headers, porteur()]})
    raw = read_workbook(path)
    table = raw.tables["porteurs"]
    assert [c.column.key for c in table.columns] == [
        "id", "nom", "prenom", "quartier", "date_premier_contact", "statut", "consentement"]
    assert [c.header for c in table.columns][2] == "prénom :"
    assert validate(raw, AS_OF).anomalies == []


def test_a_column_named_exactly_wins_over_a_synonym_anywhere_in_the_row(tmp_path):
    path = write_sheets(tmp_path / "rdv.xlsx", {
        "Porteurs": [PORTEUR_HEADERS, porteur("P1")],
        "Rendez-vous": [["ID", "Date", "ID porteur", "Type"], ["RDV-001", date(2025, 3, 12), "P1", "Premier accueil"]],
    })
    table = read_workbook(path).tables["rendez_vous"]
    assert [(c.header, c.column.key if c.column else None) for c in table.columns] == [
        ("ID", None), ("Date", "date"), ("ID porteur", "id_porteur"), ("Type", "type")]
    dataset = check(path)
    assert dataset.anomalies == []
    assert dataset.rendez_vous.loc[0, "id_porteur"] == "P1"


def test_unknown_columns_are_kept_and_do_not_shift_the_others(tmp_path):
    headers = ["Couleur préférée", "ID", "Nom", "Remarque interne", "Prénom", "Quartier", "Date premier contact",
               "Statut", "Consentement RGPD", "Nom"]
    rows = [headers, ["bleu", "P1", "Martin", "à rappeler", "Awa", "Planoise", date(2025, 3, 12), "Accueil", "Oui",
                      "doublon"]]
    path = write_sheets(tmp_path / "inconnues.xlsx", {"Porteurs": rows})
    raw = read_workbook(path)
    table = raw.tables["porteurs"]
    unknown = [c.header for c in table.columns if c.column is None]
    assert unknown == ["Couleur préférée", "Remarque interne", "Nom"]
    assert table.rows[0][1][0] == "bleu"
    dataset = validate(raw, AS_OF)
    assert dataset.anomalies == []
    assert dataset.porteurs.loc[0, "nom"] == "Martin"
    assert dataset.porteurs.loc[0, "quartier"] == "Planoise"


def test_blank_rows_are_skipped_and_rows_keep_their_excel_number(tmp_path):
    rows = [PORTEUR_HEADERS, porteur("P1"), [], [None, "   ", None], porteur("P2"), []]
    path = write_sheets(tmp_path / "trous.xlsx", {"Porteurs": rows})
    dataset = check(path)
    assert list(dataset.porteurs["_row"]) == [2, 5]
    assert dataset.anomalies == []


def test_a_row_with_only_an_unknown_column_filled_is_read_and_checked(tmp_path):
    rows = [PORTEUR_HEADERS + ["Notes"], porteur("P1") + [None], [None] * len(PORTEUR_HEADERS) + ["à saisir"]]
    dataset = check(write_sheets(tmp_path / "notes.xlsx", {"Porteurs": rows}))
    assert list(dataset.porteurs["_row"]) == [2, 3]
    assert {(a.code, a.ligne) for a in dataset.anomalies if a.code == "required-missing"} == {("required-missing", 3)}


# --- what a cell holds --------------------------------------------------------------

def _set_cached_values(path: Path, member: str, cached: dict[str, str]) -> None:
    """Give formula cells the value Excel would have stored (openpyxl writes formulas without it)."""
    with zipfile.ZipFile(path) as archive:
        parts = {info: archive.read(info) for info in archive.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts.items():
            if info.filename == member:
                data = _with_cached_values(data.decode(), cached).encode()
            archive.writestr(info, data)


def _with_cached_values(xml: str, cached: dict[str, str]) -> str:
    for ref, value in cached.items():
        kind = "" if value[0].isdigit() else ' t="str"'
        pattern = rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/>'
        replacement = rf'<c r="{ref}"\1{kind}><f>\2</f><v>{value}</v>'
        xml, count = re.subn(pattern, replacement, xml)
        assert count == 1, ref
    return xml


def test_formula_cells_are_read_by_their_cached_value(tmp_path):
    contact = date(2025, 3, 12)
    serial = (contact - date(1899, 12, 30)).days
    formulas = ['="P"&"1"', "Martin", "Awa", "Planoise", "=DATE(2025,3,12)", "Accueil", '=IF(TRUE,"Oui","Non")']
    rows = [PORTEUR_HEADERS, formulas]
    path = write_sheets(tmp_path / "formules.xlsx", {"Porteurs": rows})
    wb = load_workbook(path)
    wb["Porteurs"]["E2"].number_format = "dd/mm/yyyy"
    wb.save(path)
    _set_cached_values(path, "xl/worksheets/sheet1.xml", {"A2": "P1", "E2": str(serial), "G2": "Oui"})
    dataset = check(path)
    assert dataset.anomalies == []
    row = dataset.porteurs.iloc[0]
    assert (row["id"], row["date_premier_contact"], row["consentement"]) == ("P1", datetime(2025, 3, 12), True)


@requires_soffice
def test_formula_cells_of_a_workbook_saved_by_libreoffice(tmp_path):
    source = tmp_path / "source" / "calcul.xlsx"
    source.parent.mkdir()
    rows = [PORTEUR_HEADERS, ['="P"&(1+1)', "Martin", "Awa", "Planoise", "=DATE(2025,3,12)", "Accueil", "Oui"]]
    write_sheets(source, {"Porteurs": rows})
    resaved = tmp_path / "resaved"
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profil').as_uri()}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(resaved), str(source)],
                   check=True, capture_output=True, timeout=300)
    dataset = check(resaved / "calcul.xlsx")
    assert dataset.porteurs.loc[0, "id"] == "P2"
    assert dataset.porteurs.loc[0, "date_premier_contact"] == datetime(2025, 3, 12)


@pytest.mark.parametrize("epoch, origin", [(None, date(1899, 12, 30)), (CALENDAR_MAC_1904, date(1904, 1, 1))])
def test_dates_as_serial_numbers_in_general_cells_follow_the_date_system(tmp_path, epoch, origin):
    contact, born = date(2025, 3, 12), date(1990, 5, 17)
    rows = [PORTEUR_HEADERS + ["Date de naissance"],
            porteur(contact=(contact - origin).days) + [(born - origin).days],
            porteur("P2", contact=datetime(2025, 3, 12)) + [datetime(1990, 5, 17)]]
    path = write_sheets(tmp_path / "series.xlsx", {"Porteurs": rows}, epoch=epoch)
    wb = load_workbook(path)
    assert wb["Porteurs"]["E2"].number_format == "General"
    dataset = check(path)
    assert dataset.anomalies == []
    assert list(dataset.porteurs["date_premier_contact"]) == [datetime(2025, 3, 12)] * 2
    assert list(dataset.porteurs["date_naissance"]) == [datetime(1990, 5, 17)] * 2


@pytest.mark.parametrize("typed", ["12/03/2025", "12-03-2025", "12.03.2025", "2025-03-12", " 12/3/2025 "])
def test_dates_typed_as_text(tmp_path, typed):
    dataset = check(write_sheets(tmp_path / "texte.xlsx", {"Porteurs": [PORTEUR_HEADERS, porteur(contact=typed)]}))
    assert dataset.anomalies == []
    assert dataset.porteurs.loc[0, "date_premier_contact"] == datetime(2025, 3, 12)


@pytest.mark.parametrize("typed", ["03/12/25", "2025/03/12", "12 mars 2025", "32/01/2025", "29/02/2025", "12/03/3025"])
def test_text_that_is_not_a_date(tmp_path, typed):
    dataset = check(write_sheets(tmp_path / "texte.xlsx", {"Porteurs": [PORTEUR_HEADERS, porteur(contact=typed)]}))
    assert codes(dataset) == ["date-invalid"]
    assert dataset.anomalies[0].valeur == typed


def test_numbers_typed_as_ids_read_as_text(tmp_path):
    rows = {"Porteurs": [PORTEUR_HEADERS, porteur(12)], "Rendez-vous": [["Date", "ID porteur", "Type"],
                                                                      [date(2025, 3, 12), "12", "Premier accueil"]]}
    dataset = check(write_sheets(tmp_path / "ids.xlsx", rows))
    assert dataset.anomalies == []
    assert dataset.porteurs.loc[0, "id"] == "12"


def test_funder_columns_are_named_by_their_header(tmp_path):
    headers = ["Année", "Poste", "ETP", "Coût total", "Agglomération (%)", "Région(%)", "Bpifrance (%) :", "Notes"]
    path = write_sheets(tmp_path / "financement.xlsx", {
        "Porteurs": [PORTEUR_HEADERS, porteur()],
        "Financement": [headers, [2025, "Poste 1", 1, 50000, 40, 20, "10,5", "ok"]],
    })
    dataset = check(path)
    assert dataset.funders == ("Agglomération", "Région", "Bpifrance")
    assert dataset.anomalies == []
    row = dataset.financement.iloc[0]
    assert (row["part:Agglomération"], row["part:Région"], row["part:Bpifrance"]) == (40, 20, Decimal("10.5"))


# --- Paramètres ------------------------------------------------------------------

def _parametres_column(ws, header: str) -> int:
    return next(c.column for c in ws[1] if c.value == header)


def _template_with(tmp_path: Path, rows: dict, edit=None) -> Path:
    path = tmp_path / "classeur.xlsx"
    wb = build_workbook(rows)
    if edit is not None:
        edit(wb)
    wb.save(path)
    return path


PORTEUR = dict(id="P1", nom="Martin", prenom="Awa", quartier="tilleroyes ", date_premier_contact=date(2025, 3, 12),
               statut="Accueil", consentement=True)


def test_a_value_added_to_a_list_in_parametres_is_accepted_in_its_spelling(tmp_path):
    def add_quartier(wb):
        ws = wb["Paramètres"]
        column = _parametres_column(ws, schema.QUARTIERS)
        ws.cell(row=len(schema.DEFAULT_QUARTIERS) + 2, column=column, value="Tilleroyes")
        ws.cell(row=len(schema.DEFAULT_QUARTIERS) + 2, column=column + 2, value="Non")
    dataset = check(_template_with(tmp_path, {"porteurs": [PORTEUR]}, add_quartier))
    assert codes(dataset) == ["porteur-no-rdv"]
    assert dataset.porteurs.loc[0, "quartier"] == "Tilleroyes"
    assert "Tilleroyes" not in dataset.settings.qpv_names()
    assert "Planoise" in dataset.settings.qpv_names()


def test_without_the_added_value_the_same_row_is_an_error(tmp_path):
    dataset = check(_template_with(tmp_path, {"porteurs": [PORTEUR]}))
    assert "list-unknown" in codes(dataset)


def test_changed_settings_are_read(tmp_path):
    def change(wb):
        ws = wb["Paramètres"]
        values = {ws.cell(row=r, column=1).value: r for r in range(2, 8)}
        ws.cell(row=values["Seuil de secret statistique"], column=2, value=10)
        ws.cell(row=values["Durée de conservation (années)"], column=2, value=5)
        ws.cell(row=values["Objectif taux de création"], column=2, value="50 %")
        ws.cell(row=values["Nom du site"], column=2, value="CitésLab Planoise")
    settings = read_workbook(_template_with(tmp_path, {}, change)).settings
    assert (settings.seuil_secret, settings.duree_conservation) == (10, 5)
    assert settings.objectif_taux_creation == pytest.approx(0.5)
    assert settings.nom_du_site == "CitésLab Planoise"
    assert settings.objectif_accompagnes == 400


def test_a_longer_retention_in_parametres_changes_the_warning(tmp_path):
    old = dict(PORTEUR, quartier="Planoise", date_premier_contact=date(2021, 3, 1))
    rdv = [dict(date=date(2021, 3, 1), id_porteur="P1", type="Premier accueil")]

    def keep_five_years(wb):
        ws = wb["Paramètres"]
        row = next(r for r in range(2, 8) if ws.cell(row=r, column=1).value == "Durée de conservation (années)")
        ws.cell(row=row, column=2, value=5)
    assert codes(check(_template_with(tmp_path, {"porteurs": [old], "rendez_vous": rdv}))) == ["retention-expired"]
    assert codes(check(_template_with(tmp_path, {"porteurs": [old], "rendez_vous": rdv}, keep_five_years))) == []


def test_parametres_names_the_sheet_that_plays_porteurs(tmp_path):
    path = write_sheets(tmp_path / "ancien.xlsx", {
        "Suivi 2024": [PORTEUR_HEADERS, porteur("P1"), porteur("P2", quartier="Paris")],
        "Porteurs": [["Autre chose"], ["sans rapport"]],
        "Paramètres": [["Paramètre", "Valeur"], ["Feuille Porteurs", "suivi 2024"]],
    })
    raw = read_workbook(path)
    assert raw.tables["porteurs"].sheet_name == "Suivi 2024"
    assert raw.settings.sheet_names == {"porteurs": "suivi 2024"}
    dataset = validate(raw, AS_OF)
    assert list(dataset.porteurs["id"]) == ["P1", "P2"]
    assert [(a.code, a.feuille, a.cellule) for a in dataset.anomalies] == [("list-unknown", "Suivi 2024", "D3")]


def test_a_sheet_given_a_role_in_parametres_does_not_also_play_the_role_of_its_name(tmp_path):
    path = write_sheets(tmp_path / "ancien.xlsx", {
        "Suivi": [PORTEUR_HEADERS, porteur("P1")],
        "Paramètres": [["Feuille Porteurs", "Suivi"]],
    })
    raw = read_workbook(path)
    assert raw.tables["porteurs"].sheet_name == "Suivi"
    assert "suivi" not in raw.tables
    assert validate(raw, AS_OF).anomalies == []


def test_missing_parametres_means_the_defaults(tmp_path):
    path = _template_with(tmp_path, {}, lambda wb: wb.remove(wb["Paramètres"]))
    assert read_workbook(path).settings == Settings()


def test_a_parametres_sheet_with_one_key_keeps_the_other_defaults(tmp_path):
    path = write_sheets(tmp_path / "p.xlsx", {
        "Porteurs": [PORTEUR_HEADERS, porteur()],
        "Parametres": [[None], [None, "Seuil de secret statistique :", 3]],
    })
    settings = read_workbook(path).settings
    assert settings.seuil_secret == 3
    assert settings == Settings(seuil_secret=3)


def test_unreadable_setting_keeps_its_default(tmp_path):
    path = write_sheets(tmp_path / "p.xlsx", {
        "Porteurs": [PORTEUR_HEADERS, porteur()],
        "Paramètres": [["Objectif annuel accompagnés", "beaucoup"]],
    })
    assert read_workbook(path).settings.objectif_accompagnes == 400


# --- which sheets are there ------------------------------------------------------------

def test_missing_optional_sheets_are_fine(tmp_path):
    def keep_porteurs_only(wb):
        for sheet in schema.DATA_SHEETS:
            if sheet.optional:
                wb.remove(wb[sheet.name])
    path = _template_with(tmp_path, {"porteurs": [dict(PORTEUR, quartier="Planoise")]}, keep_porteurs_only)
    raw = read_workbook(path)
    assert set(raw.tables) == {"porteurs"}
    dataset = validate(raw, AS_OF)
    assert dataset.anomalies == []
    assert list(dataset.ateliers.columns)[:2] == ["_row", "date"] and dataset.ateliers.empty
    assert dataset.financement.empty


def test_missing_porteurs_sheet_makes_the_workbook_unusable(tmp_path):
    path = _template_with(tmp_path, {}, lambda wb: wb.remove(wb["Porteurs"]))
    with pytest.raises(UnusableWorkbook) as refused:
        read_workbook(path)
    assert "classeur.xlsx" in refused.value.message
    assert "Porteurs" in refused.value.message


def test_template_reads_back_empty_and_clean(tmp_path):
    raw = read_workbook(_template_with(tmp_path, {}))
    assert set(raw.tables) == {s.key for s in schema.DATA_SHEETS}
    assert not raw.missing_columns
    assert validate(raw, AS_OF).anomalies == []
    assert raw.date1904 is False


# --- rows and columns as the reader hands them over -------------------------------------

def test_a_short_row_reads_as_blanks_and_a_blank_row_is_left_out():
    headers = [c.header for c in schema.PORTEURS.columns[:4]]
    grid = Grid("Porteurs", [headers, ["P1", "Martin"], [None, "  ", None, None], ["P2", "Durand", "Léo", "Planoise"]])
    table, _ = locate_table(schema.PORTEURS, grid)
    assert table.rows == [(2, ["P1", "Martin", None, None]), (4, ["P2", "Durand", "Léo", "Planoise"])]


def test_only_the_named_columns_are_kept_whatever_lies_between_them():
    first, second = (c.header for c in schema.PORTEURS.columns[:2])
    grid = Grid("Porteurs", [[first, None, second], ["P1", "à côté", "Martin"], ["P2"]], top=3, left=2)
    table, _ = locate_table(schema.PORTEURS, grid)
    assert [(c.index, c.header) for c in table.columns] == [(2, first), (4, second)]
    assert table.rows == [(4, ["P1", "Martin"]), (5, ["P2", None])]


def test_reading_leaves_the_garbage_collector_as_it_found_it(tmp_path):
    path = write_sheets(tmp_path / "c.xlsx", {"Porteurs": [PORTEUR_HEADERS, porteur()]})
    try:
        gc.disable()
        read_workbook(path)
        assert not gc.isenabled()
        gc.enable()
        read_workbook(path)
        assert gc.isenabled()
    finally:
        gc.enable()


def test_the_garbage_collector_comes_back_when_the_reader_fails(tmp_path):
    path = tmp_path / "cassé.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "pas du XML")
    with pytest.raises(UnusableWorkbook, match="ne peut pas être lu"):
        read_workbook(path)
    assert gc.isenabled()
