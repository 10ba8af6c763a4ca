"""The managed workbook, built from the contract (workbooks/template.xlsx).

Every data sheet is an Excel table with French headers, a frozen header row,
widths, number formats and drop-down lists fed from `Paramètres` (and, for
`ID porteur`, from the Porteurs table's IDs) down to the sheet's last row, from
sources that grow as values are added; `Accueil` explains the sheets and
buttons. `build_workbook(rows)` also fills the data sheets; the demo saves the
same workbook through `template_rows`, which writes the rows itself, faster.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo

from citeslab_xl.adapters import font_order
from citeslab_xl.core import layout, schema
from citeslab_xl.core.button_catalogue import BUTTONS
from citeslab_xl.core.schema import Column, Kind, Sheet, share_column
from citeslab_xl.core.text import fold, is_formula_like

font_order.use_excel_order()

LAST_ROW = 1_048_576  # the sheet's last row: drop-downs cover the table however far it grows
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=16, color="1F4E78")
PORTEUR_REF = "id_porteur"  # the key of the columns that name a porteur by her ID

FORMATS = {
    Kind.DATE: layout.DATE,
    Kind.INT: layout.INTEGER,
    Kind.DECIMAL: "#,##0.00",
    Kind.PERCENT: "0.##",
}

GENERATED = (
    ("Anomalies", "Les problèmes trouvés dans les données (refaite à chaque vérification)."),
    ("Synthèse AAAA-MM", "La synthèse du mois : activité, public, orientations, créations, charge. "
                         "« Provisoire » tant que le mois court, « définitive » une fois refaite avec tout le mois."),
    ("Historique mensuel", "Une ligne par mois depuis le début, pour les tendances."),
    ("COPIL AAAA / COTECH AAAA-Tn", "Les vues préparées pour le comité de pilotage et le comité technique."),
    ("Financement calculé", "La répartition du coût du poste entre les financeurs, au centime près."),
    ("Échéancier suivis", "Les suivis d'entreprises à faire ou en retard."),
    ("Journal", "Une ligne par exécution de l'outil (jamais effacée)."),
)


def list_range_name(list_name: str) -> str:
    """The defined name of a Paramètres list, e.g. `Liste_Type_de_rendez_vous`."""
    cleaned = "".join(ch if ch.isalnum() else "_" for ch in fold(list_name))
    return "Liste_" + "_".join(part for part in cleaned.split("_") if part)


def list_source(sheet_name: str, letter: str) -> str:
    """A column's filled cells from row 2 down, as far as the list goes: it grows as values are added.

    COUNTA counts the header too, so the last filled row is COUNTA's value; MAX keeps an empty list
    from turning the range upside down onto its header.
    """
    column = f"{quote_sheetname(sheet_name)}!${letter}:${letter}"
    return f"{quote_sheetname(sheet_name)}!${letter}$2:INDEX({column},MAX(2,COUNTA({column})))"


def porteur_ids_name() -> str:
    """The defined name of the `ID porteur` drop-down's list."""
    return list_range_name("ID porteur")


def porteur_ids_source() -> str:
    """Porteurs' ID column as a table column: Excel grows it with the table and renames it with the header."""
    return f"{table_name(schema.PORTEURS)}[{schema.PORTEURS.column('id').header}]"


def table_name(sheet: Sheet) -> str:
    return "T_" + list_range_name(sheet.name)[len("Liste_"):]


def _paramètres_blocks(charges: tuple[tuple[str, float], ...]) -> list[tuple[str, list[str], list[list[object]]]]:
    """Each list block of Paramètres: (list name, headers, rows)."""
    blocks: list[tuple[str, list[str], list[list[object]]]] = [
        (schema.QUARTIERS, [schema.QUARTIERS, *schema.QUARTIER_HEADERS],
         [[n, c, "Oui" if q else "Non", since, until] for n, c, q, since, until in schema.DEFAULT_QUARTIERS]),
        (schema.CHARGES, [schema.CHARGES, "ETP"], [[n, e] for n, e in charges]),
    ]
    blocks += [(name, [name], [[v] for v in values]) for name, values in schema.DEFAULT_LISTS.items()]
    return blocks


def _write_parametres(wb: Workbook, charges: tuple[tuple[str, float], ...]) -> None:
    ws = wb.create_sheet(schema.PARAMETRES_NAME)
    ws.append(["Paramètre", "Valeur"])
    for key, value in schema.DEFAULT_SETTINGS.items():
        ws.append([key, value])
    ws.cell(row=4, column=2).number_format = "0%"
    for cell in ws[1][:2]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    ws.column_dimensions["A"].width = 32
    ws.column_dimensions["B"].width = 26
    column = 4
    for list_name, headers, rows in _paramètres_blocks(charges):
        for offset, header in enumerate(headers):
            cell = ws.cell(row=1, column=column + offset, value=header)
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            longest = max((len(str(row[offset])) for row in rows if row[offset] is not None), default=0)
            ws.column_dimensions[get_column_letter(column + offset)].width = max(12, len(header) + 4, longest + 2)
        for i, row in enumerate(rows, start=2):
            for offset, value in enumerate(row):
                cell = ws.cell(row=i, column=column + offset, value=value)
                if isinstance(value, date):
                    cell.number_format = layout.DATE
        ref = list_source(schema.PARAMETRES_NAME, get_column_letter(column))
        wb.defined_names[list_range_name(list_name)] = DefinedName(list_range_name(list_name), attr_text=ref)
        column += len(headers) + 1
    ws.freeze_panes = "A2"
    wb.defined_names[porteur_ids_name()] = DefinedName(porteur_ids_name(), attr_text=porteur_ids_source())


def _cell_value(value):
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    return value


def headers_of(sheet: Sheet, funders: tuple[str, ...]) -> list[str]:
    headers = [c.header for c in sheet.columns]
    if sheet is schema.FINANCEMENT:
        headers += [schema.funder_header(f) for f in funders]
    return headers


def row_values(sheet: Sheet, funders: tuple[str, ...], row: dict) -> list:
    keys = [c.key for c in sheet.columns]
    if sheet is schema.FINANCEMENT:
        keys += [share_column(f) for f in funders]
    return [_cell_value(row.get(key)) for key in keys]


def column_kinds(sheet: Sheet, funders: tuple[str, ...]) -> list[Kind]:
    """The kind of each column of the sheet, the funders' shares last on Financement."""
    return [c.kind for c in sheet.columns] + ([Kind.PERCENT] * len(funders) if sheet is schema.FINANCEMENT else [])


def _format_columns(ws, sheet: Sheet, funders: tuple[str, ...], n_rows: int) -> None:
    kinds = column_kinds(sheet, funders)
    widths = [c.width for c in sheet.columns] + [18] * (len(kinds) - len(sheet.columns))
    for index, (kind, width) in enumerate(zip(kinds, widths, strict=True), start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = width
        fmt = FORMATS.get(kind)
        if fmt is None:
            continue
        for (cell,) in ws.iter_rows(min_row=2, max_row=n_rows + 1, min_col=index, max_col=index):
            if isinstance(cell.value, (date, datetime, int, float, Decimal)):
                cell.number_format = fmt
        ws.column_dimensions[letter].number_format = fmt
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToHeight = 0


def _list_formula(column: Column) -> tuple[str, str] | None:
    """The drop-down's source of a column, and where the message sends her to extend it."""
    if column.kind is Kind.LIST and column.list_name:
        return list_range_name(column.list_name), "voir Paramètres"
    if column.kind is Kind.OUINON:
        return '"Oui,Non"', "Oui ou Non"
    if column.key == PORTEUR_REF:
        return porteur_ids_name(), "un ID de la feuille Porteurs"
    return None


def _add_validations(ws, sheet: Sheet) -> None:
    for index, column in enumerate(sheet.columns, start=1):
        source = _list_formula(column)
        if source is None:
            continue
        formula, hint = source
        letter = get_column_letter(index)
        # errorStyle "warning": she may keep a value outside the list (an old one); check reports it
        dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True,
                            errorStyle="warning", errorTitle="Valeur hors liste",
                            error=f"Choisissez une valeur de la liste « {column.header} » ({hint}).")
        dv.add(f"{letter}2:{letter}{LAST_ROW}")
        ws.add_data_validation(dv)


def _add_data_sheet(wb: Workbook, sheet: Sheet, funders: tuple[str, ...], rows: list[dict], fill: bool) -> None:
    ws = wb.create_sheet(sheet.name)
    headers = headers_of(sheet, funders)
    ws.append(headers)
    for excel_row, row in enumerate(rows if fill else [], start=2):
        values = row_values(sheet, funders, row)
        ws.append(values)
        for column, value in enumerate(values, start=1):
            if is_formula_like(value):  # what the row says is text, even when it looks like a formula
                # The row's number is known: `ws.max_row` scans every cell, quadratic over a sheet.
                ws.cell(row=excel_row, column=column).data_type = "s"
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    _format_columns(ws, sheet, funders, len(rows) if fill else 0)
    _add_validations(ws, sheet)
    ref = f"A1:{get_column_letter(len(headers))}{max(len(rows), 1) + 1}"
    table = Table(displayName=table_name(sheet), ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    # Named from the headers here: left to openpyxl, it reads them through `ws[ref]`, one cell object per
    # cell of the table, which costs as much as the rows themselves.
    table._initialise_columns()
    for table_column, header in zip(table.tableColumns, headers, strict=True):
        table_column.name = header
    ws.add_table(table)


def _write_accueil(wb: Workbook) -> None:
    ws = wb.active
    ws.title = "Accueil"
    ws["A1"] = "CitésLab — classeur de suivi"
    ws["A1"].font = TITLE_FONT
    ws["A2"] = ("Ce classeur est géré par l'outil citeslab-xl. Vous saisissez les feuilles de données ; "
                "les boutons vérifient les données et préparent les synthèses, sans jamais modifier vos saisies.")
    lines: list[tuple[str, str] | str] = ["Vos feuilles de données"]
    lines += [(s.name, s.description) for s in schema.DATA_SHEETS]
    lines.append((schema.PARAMETRES_NAME, "Les réglages (objectifs, seuils, durée de conservation) et les listes "
                                          "des menus déroulants. Ajoutez une valeur à une liste pour la proposer."))
    lines += ["Les boutons", *((b.caption, b.description) for b in BUTTONS),
              "Les feuilles préparées par l'outil (ne pas les modifier : elles sont refaites)",
              *GENERATED]
    row = 4
    for line in lines:
        if isinstance(line, str):
            row += 1
            ws.cell(row=row, column=1, value=line).font = Font(bold=True, size=12, color="1F4E78")
        else:
            ws.cell(row=row, column=1, value=line[0]).font = Font(bold=True)
            ws.cell(row=row, column=2, value=line[1]).alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 100


def build_workbook(rows: dict[str, list[dict]] | None = None,
                   funders: tuple[str, ...] = schema.DEFAULT_FUNDERS,
                   charges: tuple[tuple[str, float], ...] = schema.DEFAULT_CHARGES,
                   *, fill: bool = True) -> Workbook:
    """The managed workbook, with its data sheets filled from `rows` (keyed by sheet key) and its
    Chargés de mission (name, ETP) in Paramètres.

    With `fill=False` the rows are left out but every table is sized for them: `template_rows` writes
    them straight into the saved package, which openpyxl takes a minute to do for a large demo.
    """
    rows = rows or {}
    wb = Workbook()
    _write_accueil(wb)
    for sheet in schema.DATA_SHEETS:
        _add_data_sheet(wb, sheet, funders, rows.get(sheet.key, []), fill)
    _write_parametres(wb, charges)
    return wb
