"""The generated sheets, written as sheet XML from their looks, spliced into the original package.

openpyxl loses what it does not model when it re-saves a workbook (shapes and
form buttons, chartEx charts, slicers, some extensions), so the workbook is
never re-saved. What changes in the package:
- the parts of the generated sheets (sheet, drawing, charts, their rels),
  written by adapters/sheet_xml from `core.sheet_look.look(layout)`;
  a sheet the tool already owns is rebuilt in place, under the same part name;
  a new one is added, and the tool's sheets then take their fixed place in the
  tabs (tab_order.py, plan.tab_order), behind hers;
- `xl/workbook.xml`: its `<sheets>` list when a sheet is added, and its
  `<definedNames>` list when a generated sheet lacks its ownership marker;
  the workbook's rels, `[Content_Types].xml`;
- `xl/styles.xml`: the formats the generated cells need are appended (styles.py);
- `docProps/custom.xml`: the ownership record (ownership.py), and `_rels/.rels`
  when that part has to be created;
- `xl/calcChain.xml` (a cache Excel rebuilds) is dropped when it lists a cell
  of a sheet being rebuilt.
- `docProps/app.xml`: the added sheets in its list of worksheets, when it
  has one (app_properties.py).
A generated sheet keeps the code name it had; in an `.xlsm` a new one gets
one (code_names.py).
Every other part is copied with the same name, bytes and zip metadata.
Generated cells use inline strings, so `sharedStrings.xml` is never touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from citeslab_xl.adapters.opc import CT, NS, RT, Package, PackageEdit, PackURI, Rel, rels, xmltext
from citeslab_xl.adapters.opc.package import Entry
from citeslab_xl.adapters.opc.packuri import STYLES_URI
from citeslab_xl.adapters.sheet_xml import DRAWING_RID, SheetParts, sheet_parts, style_keys, styles_part
from citeslab_xl.adapters.workbook_file import app_properties, code_names, tab_order
from citeslab_xl.adapters.workbook_file.book import BookInfo, SheetEntry, locked_structure
from citeslab_xl.adapters.workbook_file.ownership import Ownership, mark_sheets, record_ownership
from citeslab_xl.adapters.workbook_file.styles import StyleMerger
from citeslab_xl.core.errors import WriteRefused
from citeslab_xl.core.gc_paused import gc_paused
from citeslab_xl.core.layout import SheetLayout
from citeslab_xl.core.sheet_look import CellStyle, look

# where a new part goes (numbered on from there when the name is taken)
SHEET_URI = PackURI("/xl/worksheets/sheet1.xml")
DRAWING_URI = PackURI("/xl/drawings/drawing1.xml")
CHART_URI = PackURI("/xl/charts/chart1.xml")


@dataclass
class Plan:
    """What happens to each sheet written."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    existing: dict[str, SheetEntry] = field(default_factory=dict)  # layout name -> the sheet it rebuilds


def plan(package: Package, book: BookInfo, ownership: Ownership, layouts: list[SheetLayout]) -> Plan:
    """Add or rebuild each sheet; refuses, before anything is written, a sheet that is not the tool's."""
    result = Plan()
    for layout in layouts:
        sheet = book.sheet(layout.name)
        if sheet is None:
            result.added.append(layout.name)
            continue
        if not ownership.owns(sheet.name):
            raise WriteRefused(f"La feuille « {sheet.name} » de « {package.label} » n'a pas été créée par l'outil : "
                               "elle n'est pas remplacée. Renommez-la (clic droit sur l'onglet › Renommer), "
                               "puis relancez. Rien n'a été écrit.")
        if sheet.rel_type != RT.WORKSHEET or sheet.part is None or sheet.part not in package.parts:
            raise WriteRefused(f"La feuille « {sheet.name} » de « {package.label} » n'est plus une feuille de calcul "
                               "ordinaire : supprimez-la ou renommez-la, puis relancez. Rien n'a été écrit.")
        result.replaced.append(layout.name)
        result.existing[layout.name] = sheet
    if result.added and book.structure_locked:
        raise locked_structure(package.label)
    return result


def splice(package: Package, book: BookInfo, ownership: Ownership, sheets: Plan,
           layouts: list[SheetLayout]) -> list[Entry]:
    """The zip entries of the package with `layouts` written as `sheets` says."""
    with gc_paused():  # a cell, its look and its XML for every cell of the run, and no reference cycle
        return _splice(package, book, ownership, sheets, layouts)


def _splice(package: Package, book: BookInfo, ownership: Ownership, sheets: Plan,
            layouts: list[SheetLayout]) -> list[Entry]:
    looks = [look(layout) for layout in layouts]
    scratch_styles, scratch_index = styles_part(style_keys(looks))
    edit = PackageEdit(package)

    old_parts = [sheet.part for sheet in sheets.existing.values() if sheet.part is not None]
    edit.remove(package.parts_only_reached_from(old_parts))
    for part in old_parts:
        edit.reserve(part)  # a rebuilt sheet keeps its part name: the workbook's lists stay as they are
    styles_part_name = book.part_of(RT.STYLES, package)
    if styles_part_name:
        package.xml(styles_part_name)  # a broken styles part is refused here, in a sentence
    merger = StyleMerger(package.text(styles_part_name) if styles_part_name else None, scratch_styles)

    def xf_of(number_format: str, cell_style: CellStyle) -> int:
        return merger.map_xf(scratch_index[number_format, cell_style])

    added: list[tuple[str, PackURI]] = []
    naming = _CodeNaming(package, book)
    for layout, sheet_look in zip(layouts, looks, strict=True):
        existing = sheets.existing.get(layout.name)
        if existing is not None and existing.part is not None:
            part = existing.part
        else:
            part = edit.free_name(SHEET_URI)
            added.append((layout.name, part))
        _put_sheet(edit, sheet_parts(sheet_look, xf_of, book.date1904), part)
        naming.name(edit, layout.name, part, existing)
    _write_styles(edit, book, merger, styles_part_name)

    _drop_stale_calc_chain(edit, book, [sheets.existing[name].sheet_id for name in sheets.replaced])
    add_sheets(edit, book, added)
    added_names = [name for name, _ in added]
    worksheets = [sheet.name for sheet in book.sheets if sheet.rel_type == RT.WORKSHEET]
    # in the order of the tabs the run leaves, so that a second identical run records the same list
    owned = tab_order.in_tab_order(ownership.after(book, [layout.name for layout in layouts], added_names))
    record_ownership(edit, owned)
    mark_sheets(edit, book, ownership, owned, added_names)
    tab_order.order_tabs(edit, book, owned)
    app_properties.list_sheets(edit, worksheets, tab_order.in_order(worksheets + added_names, owned))
    return edit.entries()


class _CodeNaming:
    """The code names of the generated sheets (code_names.py): kept across a rebuild, new ones in an .xlsm."""

    def __init__(self, package: Package, book: BookInfo):
        self.package = package
        self.macro_enabled = code_names.is_macro_enabled(package, book)
        self.taken = code_names.taken_names(package, book) if self.macro_enabled else set()

    def name(self, edit: PackageEdit, sheet_name: str, part: PackURI, existing: SheetEntry | None) -> None:
        kept = code_names.sheet_code_name(self.package, existing.part) if existing and existing.part else None
        if kept is None and not self.macro_enabled:
            return
        name = kept or code_names.new_code_name(sheet_name, self.taken)
        edit.put_text(part, code_names.with_code_name(edit.text(part), name))


def _put_sheet(edit: PackageEdit, parts: SheetParts, part: PackURI) -> None:
    """A sheet's parts under free names: the sheet at `part`, its drawing and charts, their rels."""
    edit.put(part, parts.sheet, CT.SML_WORKSHEET)
    if parts.drawing is None:
        return
    drawing = edit.free_name(DRAWING_URI)
    charts = [edit.free_name(CHART_URI) for _ in parts.charts]
    for name, data in zip(charts, parts.charts, strict=True):
        edit.put(name, data, CT.DML_CHART)
    edit.put(drawing, parts.drawing, CT.DRAWING)
    chart_rels = [Rel(rid, RT.CHART, name, False) for rid, name in zip(parts.chart_rids, charts, strict=True)]
    edit.put(drawing.rels_uri, rels.serialize(chart_rels), CT.RELATIONSHIPS)
    edit.put(part.rels_uri, rels.serialize([Rel(DRAWING_RID, RT.DRAWING, drawing, False)]), CT.RELATIONSHIPS)


def _write_styles(edit: PackageEdit, book: BookInfo, merger: StyleMerger, original_part: PackURI | None) -> None:
    text = merger.result()
    if text is None:
        return
    if original_part is not None:
        edit.put_text(original_part, text)
        return
    part = edit.free_name(STYLES_URI)
    edit.put(part, text.encode(), CT.SML_STYLES)
    _add_workbook_rel(edit, book, RT.STYLES, part)


def _add_workbook_rel(edit: PackageEdit, book: BookInfo, rel_type: str, part: PackURI) -> str:
    text = edit.rels_text(book.part)
    if text is None:
        raise ValueError("le classeur n'a pas de relations")
    text, rid = rels.add_relationship(text, rel_type, part.relative_ref(book.part.base_uri))
    edit.put_rels(book.part, text)
    return rid


def _drop_stale_calc_chain(edit: PackageEdit, book: BookInfo, sheet_ids: list[int]) -> None:
    """calcChain lists formula cells by sheet id; Excel rebuilds it when it is missing."""
    rel = book.rel_of(RT.CALC_CHAIN)
    part = book.part_of(RT.CALC_CHAIN, edit.package)
    if rel is None or part is None or not sheet_ids:
        return
    current, listed = 0, set()
    for cell in edit.package.xml(part).iter(f"{{{NS.MAIN}}}c"):
        current = int(cell.get("i", current))  # a cell without `i` is on the previous cell's sheet
        listed.add(current)
    if not listed & set(sheet_ids):
        return
    edit.remove({part})
    text = edit.rels_text(book.part)
    if text is not None:
        edit.put_rels(book.part, rels.remove_relationship(text, rel.id))


def add_sheets(edit: PackageEdit, book: BookInfo, added: list[tuple[str, PackURI]]) -> None:
    """List the sheets `added` (name, part) at the end of the workbook's `<sheets>`, related from the workbook."""
    if not added:
        return
    text = edit.text(book.part)
    prefix = xmltext.prefix_of(text, "sheets")
    sheets_at = xmltext.start_tag("sheets").search(text)
    r_prefix = xmltext.namespace_prefix(text[:sheets_at.start() if sheets_at else 0], NS.OFFICE_RELATIONSHIPS)
    next_id = max([sheet.sheet_id for sheet in book.sheets] + [0]) + 1
    elements = []
    for offset, (name, part) in enumerate(added):
        rid = _add_workbook_rel(edit, book, RT.WORKSHEET, part)
        rid_attr = f'{r_prefix}:id="{rid}"' if r_prefix else f'xmlns:r="{NS.OFFICE_RELATIONSHIPS}" r:id="{rid}"'
        elements.append(f'<{prefix}sheet name="{xmltext.quote(name)}" sheetId="{next_id + offset}" {rid_attr}/>')
    edit.put_text(book.part, xmltext.append_children(text, "sheets", "".join(elements)))
