"""The managed workbook with its buttons: a macro-enabled copy of the template.

`build_macro_workbook(out)` writes the template (citeslab_xl.adapters.template) as an
`.xlsm` that holds, besides the sheets:
- a VBA project with the module `CitesLab` (one Sub per button, each calling
  xlwings' `RunPython`) and xlwings' standalone VBA module (`xlwings`, with the
  `Dictionary` class it uses on the Mac), so that `RunPython` exists without
  the xlwings add-in;
- on `Accueil`, one form button per action, drawn over the cell that names it
  and bound to its Sub;
- in ThisWorkbook, a `Workbook_Open` that runs the monthly check of the
  CitesLab module (`ProposerActualisation`): without starting Python, it
  looks whether this month's `Synthèse AAAA-MM` is missing or last month's
  still says « Statut : provisoire » (core.plan.status_line), and if so asks
  (Oui / Non) whether to run « Actualiser les synthèses ». A workbook opened
  read-only, or by a program (Application.UserControl is False), asks
  nothing; Excel on the web runs no VBA.

The file is written through files.create_file: an existing file is never
replaced. `adopt.py` gives the coordinator's own workbook the same project
and buttons (`add_modules`, `button_vml`).

The VBA project is written by pyOpenVBA (pure Python): the modules go in as
source without compiled p-code, which Excel compiles when it opens the file.
The buttons are legacy form controls described in VML only, as XlsxWriter
writes them: Excel draws them and runs their macro from the VML alone.

`macros/CitesLab.bas` is `vba_module()` written out, for importing the module
by hand into another workbook; tests/test_macros.py keeps the two equal.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import xlwings
from openpyxl.styles import Alignment
from pyopenvba import ExcelFile, VBAModuleKind
from pyopenvba.vba import VBAProject

from citeslab_xl.adapters import files
from citeslab_xl.adapters.opc import CT, NS, RT, Package, PackageEdit, rels, xmltext
from citeslab_xl.adapters.opc.package import write_zip
from citeslab_xl.adapters.opc.packuri import VML_DRAWING_URI
from citeslab_xl.adapters.template import build_workbook
from citeslab_xl.adapters.vba import make_package_interoperable
from citeslab_xl.adapters.workbook_file.book import BookInfo
from citeslab_xl.core import plan

MODULE_NAME = "CitesLab"
ACCUEIL = "Accueil"
MONTHLY_CHECK = "ProposerActualisation"
WORKBOOK_OPEN_CALL = f"{MODULE_NAME}.{MONTHLY_CHECK} Me"  # `Me`: the workbook, in ThisWorkbook
# Where a Synthèse sheet says « Statut : provisoire » or « Statut : définitive » (core.plan.read_status).
STATUS_CELLS = f"A1:A{plan.STATUS_ROWS}"
# The start of the provisional status line, once lower-cased and without spaces: « statut:provisoire ».
PROVISIONAL_MARK = "statut:" + plan.PROVISOIRE

XLWINGS_DIR = Path(xlwings.__file__).parent
XLWINGS_MODULES = (  # (module name, file in the xlwings package, kind)
    ("xlwings", XLWINGS_DIR / "xlwings.bas", VBAModuleKind.standard),
    ("Dictionary", XLWINGS_DIR / "addin" / "Dictionary.cls", VBAModuleKind.other),
)

# Where a button sits, in pixels (Excel's unit for a VML anchor): inside the
# cell of column A that names it, whose row is made tall enough for it.
COLUMN_A_PIXELS = 238  # a width of 34 characters, as Excel draws it (template.py sets 34)
BUTTON_ROW_POINTS = 30
DEFAULT_ROW_POINTS = 15
MARGIN_PIXELS = 4
# Elements a worksheet may hold after <legacyDrawing>, in schema order.
AFTER_LEGACY_DRAWING = ("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
                        "webPublishItems", "tableParts", "extLst")


@dataclass(frozen=True)
class Button:
    caption: str  # the name of the button on Accueil (template.BUTTONS)
    macro: str  # the VBA Sub the button runs
    entry_point: str  # the function of citeslab_xl.buttons (the VBA entry points) the Sub calls

    @property
    def python_command(self) -> str:
        return f"import citeslab_xl.buttons as b; b.{self.entry_point}()"


ACTUALISER = Button("Actualiser les synthèses", "Actualiser", "actualiser")
BUTTONS = (
    Button("Vérifier les données", "Verifier", "verifier"),
    ACTUALISER,
    Button("Comité de pilotage", "ComitePilotage", "comite_pilotage"),
    Button("Comité technique", "ComiteTechnique", "comite_technique"),
    Button("Exporter pour l'agglomération", "ExporterAgglomeration", "exporter_agglomeration"),
)


def vba_module() -> str:
    """The `CitesLab` module as VBA source (ASCII, CRLF, as the VBA editor imports it)."""
    lines = [
        f'Attribute VB_Name = "{MODULE_NAME}"',
        "' The buttons of the CitesLab workbook (sheet Accueil): each Sub runs one",
        "' function of the Python package citeslab_xl through xlwings' RunPython.",
        "' RunPython comes from the module xlwings in the same workbook, or from the",
        "' xlwings add-in (Tools > References > xlwings).",
        "' Generated by citeslab_xl/macro_workbook.py: change it there.",
        "Option Explicit",
        "",
        "' Where a Synthese sheet says whether it is provisional (see citeslab_xl/core/plan.py).",
        f'Private Const STATUS_CELLS As String = "{STATUS_CELLS}"',
        f'Private Const PROVISIONAL_MARK As String = "{PROVISIONAL_MARK}"',
    ]
    for button in BUTTONS:
        lines += ["", f"Public Sub {button.macro}()", f'    RunPython "{button.python_command}"', "End Sub"]
    lines += ["", *_monthly_check()]
    return "\r\n".join(lines) + "\r\n"


def workbook_open() -> str:
    """The `Workbook_Open` of ThisWorkbook: the monthly check of the CitesLab module, when the workbook opens."""
    return "\r\n".join(["Private Sub Workbook_Open()", f"    {WORKBOOK_OPEN_CALL}", "End Sub"]) + "\r\n"


def _monthly_check() -> list[str]:
    """The VBA that offers « Actualiser les synthèses » when a month's summary is due.

    It reads the workbook only, so that Python starts only when she says yes;
    a Sub with a parameter does not show in Excel's list of macros.
    """
    question = vba_text("Actualiser les synthèses maintenant ?")
    missing = (vba_text("La synthèse du mois (feuille « "), vba_text(" ») n'est pas encore faite."))
    provisional = (vba_text("La synthèse du mois dernier (feuille « "), vba_text(" ») est encore provisoire."))
    return [
        "' Called by Workbook_Open (module ThisWorkbook). Reads the sheets only:",
        "' Python starts only if she answers Oui. A workbook opened read-only, or by",
        "' a program rather than by her, asks nothing.",
        f"Public Sub {MONTHLY_CHECK}(ByVal book As Workbook)",
        "    On Error GoTo Done",
        "    If book.ReadOnly Or Not Application.UserControl Then Exit Sub",
        "    Dim reason As String",
        "    reason = SummaryDue(book, Date)",
        '    If reason = "" Then Exit Sub',
        f"    If MsgBox(reason & vbCrLf & vbCrLf & {question}, vbYesNo + vbQuestion, "
        f"{vba_text('CitésLab')}) = vbYes Then",
        "        book.Activate",
        f"        {ACTUALISER.macro}",
        "    End If",
        "Done:",
        "End Sub",
        "",
        "Private Function SummaryDue(ByVal book As Workbook, ByVal onDay As Date) As String",
        "    Dim current As String, previous As String",
        "    current = SummaryName(onDay)",
        "    previous = SummaryName(DateSerial(Year(onDay), Month(onDay) - 1, 1))",
        "    If Not HasSheet(book, current) Then",
        f"        SummaryDue = {missing[0]} & current & {missing[1]}",
        "    ElseIf HasSheet(book, previous) Then",
        "        If IsProvisional(book.Worksheets(previous)) Then",
        f"            SummaryDue = {provisional[0]} & previous & {provisional[1]}",
        "        End If",
        "    End If",
        "End Function",
        "",
        "Private Function IsProvisional(ByVal summary As Worksheet) As Boolean",
        "    Dim cell As Range, content As String",
        "    For Each cell In summary.Range(STATUS_CELLS).Cells",
        "        If VarType(cell.Value) = vbString Then",
        '            content = LCase(Replace(Replace(cell.Value, " ", ""), ChrW(160), ""))',
        "            If Left(content, Len(PROVISIONAL_MARK)) = PROVISIONAL_MARK Then IsProvisional = True",
        "        End If",
        "    Next",
        "End Function",
        "",
        "Private Function SummaryName(ByVal monthDay As Date) As String",
        f'    SummaryName = {vba_text("Synthèse ")} & Format(monthDay, "yyyy-mm")',
        "End Function",
        "",
        "Private Function HasSheet(ByVal book As Workbook, ByVal sheetName As String) As Boolean",
        "    Dim candidate As Worksheet",
        "    For Each candidate In book.Worksheets",
        "        If StrComp(candidate.Name, sheetName, vbTextCompare) = 0 Then HasSheet = True",
        "    Next",
        "End Function",
    ]


def vba_text(text: str) -> str:
    """`text` as a VBA string expression in ASCII: each other character through ChrW, whatever the code page."""
    parts: list[str] = []
    plain = ""
    for char in text:
        if char.isascii() and char != '"':
            plain += char
            continue
        if plain:
            parts.append(f'"{plain}"')
            plain = ""
        parts.append(f"ChrW({ord(char)})")
    if plain or not parts:
        parts.append(f'"{plain}"')
    return " & ".join(parts)


def build_macro_workbook(out: Path) -> Path:
    """Write the empty managed workbook with its buttons and their macros to `out`, a new .xlsm file."""
    workbook = build_workbook()
    rows = _make_room_for_buttons(workbook[ACCUEIL])
    scratch = io.BytesIO()
    workbook.save(scratch)
    package = _with_buttons(scratch.getvalue(), rows)

    def save(path: Path) -> None:
        path.write_bytes(package)
        _add_vba_project(path)
        make_package_interoperable(path)  # pyOpenVBA's project is not in the form every Office build loads

    # out may be the coordinator's filled workbook: create_file never replaces an existing file
    return files.create_file(out, save, suffixes=(".xlsm",))


# --- the Accueil sheet --------------------------------------------------------

def _make_room_for_buttons(sheet) -> dict[Button, int]:
    """The row of each button (the row that names it on Accueil), made tall enough for it.

    The name stays in its cell (for whoever reads the sheet without the
    buttons), centred so that the button hides it.
    """
    rows = {cell.value: cell.row for (cell,) in sheet.iter_rows(min_col=1, max_col=1) if cell.value}
    missing = [button.caption for button in BUTTONS if button.caption not in rows]
    if missing:
        raise LookupError(f"Accueil does not name the buttons {missing} in column A (template.BUTTONS changed?)")
    for button in BUTTONS:
        row = rows[button.caption]
        sheet.row_dimensions[row].height = BUTTON_ROW_POINTS
        sheet.cell(row=row, column=1).alignment = Alignment(horizontal="center", vertical="center")
    return {button: rows[button.caption] for button in BUTTONS}


def button_vml(rows: dict[Button, int], block: int = 1) -> str:
    """The VML drawing of the buttons, in XlsxWriter's form (which Excel reads as form buttons).

    `block` is the drawing's block of shape ids (`o:idmap`, 1024 ids each),
    which no other VML drawing of the workbook may use.
    """
    shapes = []
    for number, (button, row) in enumerate(sorted(rows.items(), key=lambda item: item[1]), start=1):
        top_points = sum(BUTTON_ROW_POINTS if r in rows.values() else DEFAULT_ROW_POINTS for r in range(1, row))
        width = COLUMN_A_PIXELS - 2 * MARGIN_PIXELS
        height = round(BUTTON_ROW_POINTS * 4 / 3) - 2 * MARGIN_PIXELS
        anchor = (f"0, {MARGIN_PIXELS}, {row - 1}, {MARGIN_PIXELS}, "
                  f"0, {MARGIN_PIXELS + width}, {row - 1}, {MARGIN_PIXELS + height}")
        style = (f"position:absolute;margin-left:{MARGIN_PIXELS * 0.75:g}pt;"
                 f"margin-top:{top_points + MARGIN_PIXELS * 0.75:g}pt;width:{width * 0.75:g}pt;"
                 f"height:{height * 0.75:g}pt;z-index:{number};mso-wrap-style:tight")
        shapes.append(
            f'<v:shape id="_x0000_s{1024 * block + number}" type="#_x0000_t201" style="{style}" o:button="t"'
            ' fillcolor="buttonFace [67]" strokecolor="windowText [64]" o:insetmode="auto">'
            '<v:fill color2="buttonFace [67]" o:detectmouseclick="t"/><o:lock v:ext="edit" rotation="t"/>'
            '<v:textbox style="mso-direction-alt:auto" o:singleclick="f"><div style="text-align:center">'
            f'<font face="Calibri" size="220" color="#000000">{escape(button.caption)}</font></div></v:textbox>'
            f'<x:ClientData ObjectType="Button"><x:Anchor>{anchor}</x:Anchor>'
            "<x:PrintObject>False</x:PrintObject><x:AutoFill>False</x:AutoFill>"
            f"<x:FmlaMacro>[0]!{button.macro}</x:FmlaMacro>"
            "<x:TextHAlign>Center</x:TextHAlign><x:TextVAlign>Center</x:TextVAlign></x:ClientData></v:shape>"
        )
    return (
        f'<xml xmlns:v="{NS.VML}" xmlns:o="{NS.VML_OFFICE}" xmlns:x="{NS.VML_EXCEL}">'
        f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{block}"/></o:shapelayout>'
        '<v:shapetype id="_x0000_t201" coordsize="21600,21600" o:spt="201" path="m,l,21600r21600,l21600,xe">'
        '<v:stroke joinstyle="miter"/>'
        '<v:path shadowok="f" o:extrusionok="f" strokeok="f" fillok="f" o:connecttype="rect"/>'
        '<o:lock v:ext="edit" shapetype="t"/></v:shapetype>'
        + "".join(shapes) + "</xml>"
    )


# --- the package --------------------------------------------------------------

def _with_buttons(xlsx: bytes, rows: dict[Button, int]) -> bytes:
    """The package of `xlsx` as a macro-enabled workbook whose Accueil sheet holds the buttons."""
    package = Package(xlsx, "modèle")
    book = BookInfo.read(package)
    if package.content_type(book.part) != CT.SML_SHEET_MAIN:
        raise ValueError("the workbook part has not the content type of a plain .xlsx workbook")
    edit = PackageEdit(package)
    edit.set_type(book.part, CT.SML_SHEET_MACRO_MAIN)
    sheet_part = book.sheet_part(ACCUEIL)
    vml_part = edit.free_name(VML_DRAWING_URI)
    edit.put(vml_part, button_vml(rows).encode("utf-8"), CT.VML_DRAWING)
    sheet_rels, rel_id = rels.add_relationship(edit.rels_text(sheet_part) or rels.EMPTY_RELS, RT.VML_DRAWING, vml_part)
    edit.put_rels(sheet_part, sheet_rels)
    edit.put_text(sheet_part, _with_legacy_drawing(edit.text(sheet_part), rel_id))
    result = io.BytesIO()
    write_zip(result, edit.entries())
    return result.getvalue()


def _with_legacy_drawing(sheet_xml: str, rel_id: str) -> str:
    element = f'<legacyDrawing xmlns:r="{NS.OFFICE_RELATIONSHIPS}" r:id="{rel_id}"/>'
    return xmltext.insert_child(sheet_xml, "worksheet", element, AFTER_LEGACY_DRAWING)


def _add_vba_project(path: Path) -> None:
    """Give the .xlsm at `path` its VBA project: CitesLab and xlwings' standalone modules."""
    with ExcelFile(path) as book:
        project = book.add_vba_project()
        add_modules(project, "ThisWorkbook")
        book.save()


def add_modules(project: VBAProject, workbook_module: str) -> list[str]:
    """Add CitesLab, xlwings' standalone modules and the monthly check to `project`; what was left, in French.

    A module of xlwings' the project has already is kept (it holds RunPython);
    a Workbook_Open of hers is never replaced (`with_monthly_check`).
    """
    notes = []
    present = {name.casefold() for name in project.module_names()}
    project.add_module(MODULE_NAME, vba_module())
    for name, source, kind in XLWINGS_MODULES:
        if name.casefold() in present:
            notes.append(f"Le module « {name} » du classeur est gardé tel quel (celui d'xlwings n'est pas ajouté).")
            continue
        # read_bytes: read_text would turn the CRLF of the files into LF, and VBA modules are CRLF
        project.add_module(name, source.read_bytes().decode("cp1252"), kind=kind)
    module = project.get_module(workbook_module)
    body, note = with_monthly_check(module.body)
    module.body = body
    return notes + ([note] if note else [])


_SUB_WORKBOOK_OPEN = r"^[ \t]*(?:(?:Private|Public)[ \t]+)?Sub[ \t]+Workbook_Open"
_WORKBOOK_OPEN = re.compile(_SUB_WORKBOOK_OPEN + r"\b", re.IGNORECASE | re.MULTILINE)
_SIMPLE_WORKBOOK_OPEN = re.compile(_SUB_WORKBOOK_OPEN + r"[ \t]*\([ \t]*\)[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)


def with_monthly_check(body: str) -> tuple[str, str | None]:
    """The code of ThisWorkbook with the monthly check run when the workbook opens, and a note when it is not.

    Without a Workbook_Open, ours is appended. With one of hers whose first
    line is the plain `Sub Workbook_Open()`, the call goes first inside it
    (her code runs after it, unchanged); any other form is left alone.
    """
    if not _WORKBOOK_OPEN.search(body):
        separator = "" if not body or body.endswith("\n") else "\r\n"
        return body + separator + ("\r\n" if body.strip() else "") + workbook_open(), None
    declaration = _SIMPLE_WORKBOOK_OPEN.search(body)
    if declaration is None or len(_WORKBOOK_OPEN.findall(body)) != 1:
        return body, ("La procédure Workbook_Open du classeur n'a pas été modifiée : pour que l'outil propose "
                      "d'actualiser les synthèses à l'ouverture, ajoutez-y la ligne « "
                      f"{WORKBOOK_OPEN_CALL} ».")
    line_end = body.index("\n", declaration.end()) + 1 if "\n" in body[declaration.end():] else len(body)
    call = f"    {WORKBOOK_OPEN_CALL}  ' added by citeslab-xl adopt: the monthly check\r\n"
    return body[:line_end] + call + body[line_end:], ("La procédure Workbook_Open du classeur commence "
                                                      "désormais par la vérification mensuelle de l'outil.")
