"""A SheetLayout rendered by openpyxl: what the coordinator sees and prints."""

from __future__ import annotations

import math
import re
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from libreoffice import recalculated_copy, requires_soffice
from openpyxl import load_workbook
from openpyxl.chart import BarChart, LineChart, PieChart

from citeslab_xl.adapters.font_order import EXCEL_ORDER
from citeslab_xl.adapters.render import HEADER_FILL, render_layout, render_workbook
from citeslab_xl.core.layout import DATE, EURO, INTEGER, ONE_DECIMAL, PERCENT, Chart, Note, SheetLayout, Table
from citeslab_xl.core.sheet_grid import block_height, block_starts, cell_value, summed_columns

QUARTIERS = Table(
    ["Quartier", "Accompagnés", "Taux de création", "Coût"],
    [["Planoise", 12, 0.25, Decimal("1200.50")],
     ["Battant", 7, 0.5, Decimal("300.25")],
     ["Hors QPV", 3, None, Decimal("10")]],
    title="Par quartier",
    formats={1: INTEGER, 2: PERCENT, 3: EURO},
    total=True,
    links={0: "'Porteurs'!C7", 2: "'Porteurs'!C9"},
)


def synthese() -> SheetLayout:
    return SheetLayout(
        "Synthèse 2025-01", "Synthèse de janvier 2025", "Au 31/01/2025",
        blocks=[
            QUARTIERS,
            Note("Les taux sont calculés sur les porteurs accompagnés depuis au moins six mois."),
            Chart("col", "Accompagnés par quartier", 0, [1], y_title="Porteurs"),
            Table(["Mois", "Rendez-vous"], [[date(2025, 1, 1), 40], [date(2025, 2, 1), 52]]),
            Chart("line", "Rendez-vous par mois", 3, [1]),
            Chart("pie", "Répartition", 0, [1, 3]),
        ],
        widths={0: 24},
        landscape=True,
    )


def saved(tmp_path, layouts, **options):
    path = tmp_path / "rendu.xlsx"
    render_workbook(layouts, **options).save(path)
    return path


def find_row(ws, first_value):
    return next(row[0].row for row in ws.iter_rows() if row[0].value == first_value)


def test_only_the_layouts_sheets_in_order(tmp_path):
    layouts = [synthese(), SheetLayout("Anomalies", "Anomalies")]
    wb = load_workbook(saved(tmp_path, layouts))
    assert wb.sheetnames == ["Synthèse 2025-01", "Anomalies"]


def test_title_subtitle_and_table_layout(tmp_path):
    ws = load_workbook(saved(tmp_path, [synthese()]))["Synthèse 2025-01"]
    assert ws["A1"].value == "Synthèse de janvier 2025"
    assert ws["A1"].font.b and ws["A1"].font.sz > 11
    assert ws["A2"].value == "Au 31/01/2025"
    header = find_row(ws, "Quartier")
    assert ws.cell(header - 1, 1).value == "Par quartier"
    assert [c.value for c in ws[header]][:4] == QUARTIERS.headers
    for cell in ws[header][:4]:
        assert cell.font.b
        assert cell.fill.fgColor.rgb.endswith(HEADER_FILL.fgColor.rgb[-6:])
    assert [ws.cell(header + 1, j).value for j in range(1, 5)] == ["Planoise", 12, 0.25, 1200.5]
    assert ws.cell(header + 1, 2).number_format == INTEGER
    assert ws.cell(header + 1, 3).number_format == PERCENT
    assert ws.cell(header + 1, 4).number_format == EURO
    assert ws.cell(header + 3, 3).value is None


def test_total_row_sums_numbers_but_not_rates(tmp_path):
    ws = load_workbook(saved(tmp_path, [synthese()]))["Synthèse 2025-01"]
    total = find_row(ws, "Total")
    first = find_row(ws, "Planoise")
    assert ws.cell(total, 2).value == f"=SUM(B{first}:B{first + 2})"
    assert ws.cell(total, 4).value == f"=SUM(D{first}:D{first + 2})"
    assert ws.cell(total, 4).number_format == EURO
    assert ws.cell(total, 3).value is None  # a sum of rates means nothing
    assert ws.cell(total, 1).font.b
    assert summed_columns(QUARTIERS) == [1, 3]


def test_a_total_over_no_row_is_not_a_formula():
    table = Table(["Quartier", "Accompagnés"], [], total=True)
    assert summed_columns(table) == []


@pytest.mark.slow
@requires_soffice
def test_total_formulas_recalculate_to_the_python_sum(tmp_path):
    copy = recalculated_copy(saved(tmp_path, [synthese()]), tmp_path / "lo")
    ws = load_workbook(copy, data_only=True)["Synthèse 2025-01"]
    total = find_row(ws, "Total")
    assert ws.cell(total, 2).value == sum(row[1] for row in QUARTIERS.rows)
    assert ws.cell(total, 4).value == pytest.approx(float(sum(row[3] for row in QUARTIERS.rows)))


def test_links_point_inside_the_workbook(tmp_path):
    ws = load_workbook(saved(tmp_path, [synthese()]))["Synthèse 2025-01"]
    first = find_row(ws, "Planoise")
    assert ws.cell(first, 1).hyperlink.location == "'Porteurs'!C7"
    assert ws.cell(first, 1).hyperlink.target is None  # no external relationship
    assert ws.cell(first + 2, 1).hyperlink.location == "'Porteurs'!C9"
    assert ws.cell(first + 1, 1).hyperlink is None
    assert ws.cell(first, 1).font.u == "single"


def test_link_column(tmp_path):
    table = Table(["Gravité", "Cellule"], [["Erreur", "C7"]], links={0: "'Porteurs'!C7"}, link_column=1)
    ws = load_workbook(saved(tmp_path, [SheetLayout("Anomalies", "Anomalies", blocks=[table])]))["Anomalies"]
    row = find_row(ws, "Erreur")
    assert ws.cell(row, 2).hyperlink.location == "'Porteurs'!C7"
    assert ws.cell(row, 1).hyperlink is None


def test_note_is_wrapped_across_the_table_width(tmp_path):
    ws = load_workbook(saved(tmp_path, [synthese()]))["Synthèse 2025-01"]
    row = find_row(ws, synthese().blocks[1].text)
    cell = ws.cell(row, 1)
    assert cell.alignment.wrap_text
    assert any(str(r).startswith(f"A{row}:") for r in ws.merged_cells.ranges)
    assert ws.row_dimensions[row].height >= 15


def test_native_charts_reference_the_table(tmp_path):
    path = saved(tmp_path, [synthese()])
    ws = load_workbook(path)["Synthèse 2025-01"]
    first = find_row(ws, "Planoise")
    with zipfile.ZipFile(path) as archive:
        charts = [archive.read(n).decode() for n in sorted(archive.namelist()) if n.startswith("xl/charts/chart")]
    assert len(charts) == 3
    bar = next(c for c in charts if "<barChart>" in c)
    assert '<barDir val="col"' in bar
    assert f"<tx><strRef><f>'Synthèse 2025-01'!B{first - 1}</f>" in bar  # the header names the series
    assert f"'Synthèse 2025-01'!$B${first}:$B${first + 2}" in bar
    assert f"'Synthèse 2025-01'!$A${first}:$A${first + 2}" in bar
    assert "<strRef><f>'Synthèse 2025-01'!$A$" in bar  # text categories, not numbers
    assert '<delete val="0"' in bar  # axes shown in Excel
    line = next(c for c in charts if "<lineChart>" in c)
    assert "<numRef><f>'Synthèse 2025-01'!$A$" in line  # months: a date axis
    pie = next(c for c in charts if "<pieChart>" in c)
    assert pie.count("<ser>") == 1  # a pie shows one series


@pytest.mark.parametrize("kind, cls", [("bar", BarChart), ("col", BarChart), ("line", LineChart), ("pie", PieChart)])
def test_chart_kinds(tmp_path, kind, cls):
    table = Table(["Mois", "N"], [["janv.", 1], ["févr.", 2]])
    layout = SheetLayout("G", "G", blocks=[table, Chart(kind, "Titre", 0, [1])])
    wb = render_workbook([layout])
    (chart,) = wb["G"]._charts
    assert isinstance(chart, cls)
    if kind in ("bar", "col"):
        assert chart.type == kind


def test_a_chart_of_an_empty_table_says_so(tmp_path):
    layout = SheetLayout("G", "G", blocks=[Table(["Mois", "N"], []), Chart("col", "Rendez-vous", 0, [1])])
    wb = render_workbook([layout])
    assert wb["G"]._charts == []
    assert any(c.value == "Rendez-vous : aucune donnée à représenter." for row in wb["G"].iter_rows() for c in row)


def test_a_chart_must_plot_a_table():
    layout = SheetLayout("G", "G", blocks=[Note("x"), Chart("col", "Rendez-vous", 0, [1])])
    with pytest.raises(ValueError):
        render_workbook([layout])


def test_widths_freeze_and_print_setup(tmp_path):
    ws = load_workbook(saved(tmp_path, [synthese()]))["Synthèse 2025-01"]
    assert ws.column_dimensions["A"].width == 24
    assert ws.column_dimensions["B"].width >= len("Accompagnés")
    assert ws.freeze_panes == "A4"  # under the title and subtitle
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.oddHeader.center.text == "Synthèse de janvier 2025"
    assert ws.oddHeader.right.text is None  # the subtitle states no « données au » day: no print date either


def test_the_page_header_prints_the_data_date_not_the_print_date(tmp_path):
    by_field = SheetLayout("S", "S", "Site", as_of=date(2026, 11, 26))
    by_subtitle = SheetLayout("T", "T", "Site — données au 15/10/2026")
    wb = load_workbook(saved(tmp_path, [by_field, by_subtitle]))
    assert wb["S"].oddHeader.right.text == "Données au 26/11/2026"
    assert wb["T"].oddHeader.right.text == "Données au 15/10/2026"


def test_counts_get_a_thousands_separator_but_not_the_label_column(tmp_path):
    table = Table(["Année", "Rendez-vous", "Heures"], [[2026, 1234, 1070.5], [2025, 12, 3.0]], total=True,
                  formats={2: "#,##0.0"})
    ws = load_workbook(saved(tmp_path, [SheetLayout("S", "S", blocks=[table])]))["S"]
    first = find_row(ws, 2026)
    assert ws.cell(first, 1).number_format == "General"  # a year is not « 2 026 »
    assert ws.cell(first, 2).number_format == INTEGER == "#,##0"
    total = find_row(ws, "Total")
    assert ws.cell(total, 2).number_format == INTEGER  # the Total takes its column's format
    assert ws.cell(total, 3).number_format == "#,##0.0"


def test_french_formats():
    assert PERCENT == "0.0\\ %" and EURO == '#,##0.00\\ "€"' and ONE_DECIMAL == "#,##0.0"


def _chart_xml(path):
    with zipfile.ZipFile(path) as archive:
        return [archive.read(n).decode() for n in sorted(archive.namelist()) if n.startswith("xl/charts/chart")]


def test_lines_are_straight_and_one_series_has_no_legend(tmp_path):
    table = Table(["Mois", "Nouveaux", "Rendez-vous"], [["janv.", 1, 4], ["févr.", 0, 5], ["mars", 3, 2]])
    layout = SheetLayout("G", "G", blocks=[table, Chart("line", "Deux", 0, [1, 2]), Chart("line", "Une", 0, [1])])
    two, one = _chart_xml(saved(tmp_path, [layout]))
    assert '<smooth val="1"' not in two and two.count('<smooth val="0"') == 2
    assert "<legend>" in two and "<legend>" not in one


def test_horizontal_bars_read_in_the_table_order(tmp_path):
    table = Table(["Secteur", "Créations"], [["Commerce", 3], ["Services", 2]])
    (bar,) = _chart_xml(saved(tmp_path, [SheetLayout("G", "G", blocks=[table, Chart("bar", "S", 0, [1])])]))
    assert '<orientation val="maxMin"' in bar


def test_a_chart_that_would_cross_the_foot_of_a_page_starts_the_next_one(tmp_path):
    long = Table(["Mois", "N"], [[f"m{i}", i] for i in range(40)])
    layout = SheetLayout("G", "G", blocks=[long, Chart("col", "N", 0, [1])])
    ws = load_workbook(saved(tmp_path, [layout]))["G"]
    chart_row = 3 + 41 + 1  # under the title and a blank row: the header and 40 rows, a blank row
    assert [b.id for b in ws.row_breaks.brk] == [chart_row - 1]
    short = SheetLayout("G", "G", blocks=[Table(["Mois", "N"], [["a", 1]]), Chart("col", "N", 0, [1])])
    assert load_workbook(saved(tmp_path, [short]))["G"].row_breaks.brk == []


def test_a_lone_table_freezes_under_its_header(tmp_path):
    layout = SheetLayout("Anomalies", "Anomalies", "Au 31/01/2025", blocks=[Table(["Gravité"], [["Erreur"]])])
    ws = load_workbook(saved(tmp_path, [layout]))["Anomalies"]
    assert ws.freeze_panes == f"A{find_row(ws, 'Gravité') + 1}"


def test_a_header_wider_than_its_column_gets_a_taller_row(tmp_path):
    table = Table(["Quartier", "Orientations du mois"], [["Planoise", 3]])
    layout = SheetLayout("S", "S", blocks=[table], widths={1: 10})
    ws = load_workbook(saved(tmp_path, [layout]))["S"]
    assert ws.row_dimensions[find_row(ws, "Quartier")].height >= 30
    narrow = load_workbook(saved(tmp_path, [SheetLayout("S", "S", blocks=[table])]))["S"]
    assert narrow.row_dimensions[find_row(narrow, "Quartier")].height == 15


def test_every_row_has_a_known_height_so_that_pages_break_alike_in_excel_and_libreoffice(tmp_path):
    layout = synthese()
    ws = load_workbook(saved(tmp_path, [layout]))["Synthèse 2025-01"]
    last = block_starts(layout, 4)[-1] + block_height(layout.blocks[-1])  # the foot of the last chart
    assert all(ws.row_dimensions[r].height >= 15 for r in range(1, last))
    assert ws.row_dimensions[1].height > 15  # the title's 14 pt


def test_ampersand_in_title_is_not_a_header_code(tmp_path):
    ws = load_workbook(saved(tmp_path, [SheetLayout("S", "Accueil & suivi")]))["S"]
    assert ws.oddHeader.center.text == "Accueil && suivi"


def test_dates_keep_their_day_in_a_1904_workbook(tmp_path):
    layout = SheetLayout("S", "S", blocks=[Table(["Date"], [[date(2025, 3, 12)]], formats={0: DATE})])
    path = saved(tmp_path, [layout], date1904=True)
    wb = load_workbook(path)
    assert wb.epoch.year == 1904
    assert wb["S"].cell(find_row(wb["S"], "Date") + 1, 1).value == datetime(2025, 3, 12)


def test_dates_without_a_format_get_a_french_one(tmp_path):
    layout = SheetLayout("S", "S", blocks=[Table(["Quand"], [[date(2025, 3, 12)], [datetime(2025, 3, 12, 9, 30)]])])
    ws = load_workbook(saved(tmp_path, [layout]))["S"]
    row = find_row(ws, "Quand")
    assert ws.cell(row + 1, 1).number_format == DATE
    assert ws.cell(row + 2, 1).number_format == "dd/mm/yyyy hh:mm"


@pytest.mark.parametrize("value, expected", [
    (True, "Oui"), (False, "Non"), (float("nan"), None), (math.inf, None), (pd.NaT, None), (pd.NA, None),
    (np.int64(4), 4), (np.float64(2.5), 2.5), (Decimal("NaN"), None), ("a\x00b\x1fc", "abc"),
    (datetime(2025, 1, 2, 3, 4, tzinfo=UTC), datetime(2025, 1, 2, 3, 4)), (None, None),
])
def test_cell_values(value, expected):
    result = cell_value(value)
    assert result == expected and type(result) is type(expected)


def test_an_overlong_text_is_cut_to_what_excel_holds():
    assert len(cell_value("x" * 40000)) == 32767


FORMULA_LEADS = st.sampled_from(["=", "+", "-", "@", "\t", "\r"])


@settings(max_examples=40, deadline=None)
@given(lead=FORMULA_LEADS, rest=st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=20))
def test_text_that_looks_like_a_formula_stays_text(tmp_path_factory, lead, rest):
    text = lead + rest
    layout = SheetLayout("S", text, text, blocks=[Table([text], [[text]], title=text), Note(text)])
    wb = render_workbook([layout])
    cells = [c for row in wb["S"].iter_rows() for c in row if c.value is not None]
    assert len(cells) == 6  # title, subtitle, table title, header, row, note
    assert all(c.data_type == "s" and c.value == text for c in cells)

    path = tmp_path_factory.mktemp("f") / "f.xlsx"
    wb.save(path)
    with zipfile.ZipFile(path) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()


def test_the_only_formulas_are_totals(tmp_path):
    layout = SheetLayout("S", "=1+1", blocks=[Table(["=A", "N"], [["=SUM(A1:A3)", 1], ["@cmd", 2]], total=True)])
    path = saved(tmp_path, [layout])
    with zipfile.ZipFile(path) as archive:
        formulas = re.findall(r"<f>(.*?)</f>", archive.read("xl/worksheets/sheet1.xml").decode())
    assert formulas == ["SUM(B4:B5)"]
    ws = load_workbook(path)["S"]
    assert ws["A4"].value == "=SUM(A1:A3)" and ws["A4"].data_type == "s"


def test_render_layout_into_a_given_sheet():
    wb = render_workbook([])
    ws = wb.create_sheet("Libre")
    render_layout(ws, SheetLayout("ignored", "Titre", blocks=[Table(["A"], [[1]])]))
    assert ws.title == "Libre" and ws["A1"].value == "Titre"


def font_children(path) -> list[list[str]]:
    """The children of each `<font>` of a saved workbook's styles, by local name."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(path) as archive:
        root = ElementTree.fromstring(archive.read("xl/styles.xml"))
    return [[child.tag.removeprefix(main) for child in font] for font in root.iter(f"{main}font")]


def test_fonts_are_written_in_excel_order(tmp_path):
    # the Open XML SDK reports any other order of a font's children as an error
    path = tmp_path / "s.xlsx"
    render_workbook([synthese()]).save(path)
    fonts = font_children(path)
    assert len(fonts) >= 5 and {"b", "i", "sz", "color", "name"} <= {tag for font in fonts for tag in font}
    assert all(font == sorted(font, key=EXCEL_ORDER.index) for font in fonts)


def test_a_wrapped_column_grows_its_row_and_the_row_reads_from_the_top(tmp_path):
    table = Table(["Date", "Feuilles écrites"], [[date(2026, 11, 26), "Anomalies, À faire, " * 8]], wrap_columns=(1,))
    layout = SheetLayout("J", "J", blocks=[table], widths={1: 30})
    ws = load_workbook(saved(tmp_path, [layout]))["J"]
    row = find_row(ws, "Date") + 1
    assert ws.row_dimensions[row].height >= 15 * 5
    assert ws.cell(row, 2).alignment.wrap_text and ws.cell(row, 2).alignment.vertical == "top"
    assert ws.cell(row, 1).alignment.vertical == "top" and ws.cell(row, 1).alignment.horizontal == "center"
