"""Which sheets are the tool's: two records, both read and both written.

The names of the sheets the tool generated are kept in the custom document
property `citeslab_xl.feuilles` (names separated by `/`, a character Excel
forbids in sheet names; continued in `citeslab_xl.feuilles.2`, `.3`...
because Excel keeps at most 255 characters per property). Custom properties
survive Excel's saves and are visible in Fichier › Informations › Propriétés.
The Excel buttons cannot read document properties (xlwings' remote engine
does not send them), so ownership has a second record that both doors read
and write: a sheet-scoped defined name `citeslab_xl_genere` on each generated
sheet, referring to its A1 (Formules › Gestionnaire de noms shows it). Excel
moves it with the sheet when the sheet is renamed or moved and deletes it
with the sheet. A sheet is the tool's when either record names it; the writer
gives the marker to every sheet it owns that lacks it, so a sheet generated
by the command line can be rebuilt by the buttons and the reverse. A sheet
that bears a generated name without either record is the coordinator's: the
writer refuses to touch it. (A copy of a generated sheet made in Excel
carries the marker too; it keeps the copy's name, which the tool never
generates, unless the coordinator renames it to a generated name.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

from citeslab_xl.adapters.opc import CT, NS, RT, Package, PackageEdit, PackURI, rels, xmltext
from citeslab_xl.adapters.opc.constants import CUSTOM_PROPERTY_FMTID
from citeslab_xl.adapters.opc.packuri import CUSTOM_PROPERTIES_URI, PACKAGE_URI
from citeslab_xl.adapters.workbook_file.book import BookInfo

OWNERSHIP_PROPERTY = "citeslab_xl.feuilles"
OWNERSHIP_NAME = "citeslab_xl_genere"  # the sheet-scoped defined name marking a generated sheet
OWNERSHIP_SEPARATOR = "/"
PROPERTY_MAX = 255
_OWNERSHIP_PROPERTY = re.compile(re.escape(OWNERSHIP_PROPERTY) + r"(?:\.(\d+))?$")
_EMPTY_PROPERTIES = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                     f'<Properties xmlns="{NS.CUSTOM_PROPERTIES}" xmlns:vt="{NS.DOC_PROPS_VTYPES}"></Properties>')
# CT_Workbook's children that come after <definedNames>: a new list goes before the first one present
_AFTER_DEFINED_NAMES = ("calcPr", "oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
                        "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst")


def encode_owned(names: list[str]) -> dict[str, str]:
    """The custom properties that record `names` as generated sheets."""
    chunks: list[str] = []
    for name in names:
        if chunks and len(chunks[-1]) + len(OWNERSHIP_SEPARATOR) + len(name) <= PROPERTY_MAX:
            chunks[-1] += OWNERSHIP_SEPARATOR + name
        else:
            chunks.append(name)
    return {OWNERSHIP_PROPERTY if i == 0 else f"{OWNERSHIP_PROPERTY}.{i + 1}": chunk for i, chunk in enumerate(chunks)}


def decode_owned(properties: dict[str, str]) -> list[str]:
    """The generated sheets recorded in the custom properties."""
    numbered = []
    for key, value in properties.items():
        match = _OWNERSHIP_PROPERTY.match(key)
        if match:
            numbered.append((int(match.group(1) or 1), value or ""))
    return [name for _, value in sorted(numbered) for name in value.split(OWNERSHIP_SEPARATOR) if name]


def marker_reference(sheet_name: str) -> str:
    """What the marker of a sheet refers to: its A1, e.g. `'Synthèse 2025-01'!$A$1`."""
    return "'" + sheet_name.replace("'", "''") + "'!$A$1"


# --- reading ----------------------------------------------------------------------

@dataclass(frozen=True)
class Ownership:
    owned: list[str]  # by the custom property or by the marker
    marked: list[str]  # the sheets that carry the marker

    @classmethod
    def read(cls, package: Package, book: BookInfo) -> Ownership:
        marked = _marked_sheets(package, book)
        listed = decode_owned(_custom_properties(package))
        return cls(listed + [name for name in marked if name not in listed], marked)

    def owns(self, sheet_name: str) -> bool:
        return sheet_name.casefold() in {name.casefold() for name in self.owned}

    def after(self, book: BookInfo, written: list[str], added: list[str]) -> list[str]:
        """The generated sheets of the new package, in workbook order."""
        owned = {name.casefold() for name in self.owned + written}
        return [sheet.name for sheet in book.sheets if sheet.name.casefold() in owned] + added


def _marked_sheets(package: Package, book: BookInfo) -> list[str]:
    """The sheets that carry the ownership marker (`localSheetId` is a position in `<sheets>`)."""
    marked = []
    for el in package.xml(book.part).iter(f"{{{NS.MAIN}}}definedName"):
        position = el.get("localSheetId", "")
        if el.get("name", "").casefold() == OWNERSHIP_NAME and position.isdigit() and int(position) < len(book.sheets):
            marked.append(book.sheets[int(position)].name)
    return marked


def _custom_properties_part(package: Package) -> PackURI | None:
    rel = next((r for r in package.rels(PACKAGE_URI) if r.type == RT.CUSTOM_PROPERTIES and not r.external), None)
    return package.find(rel.target) if rel is not None else None


def _custom_properties(package: Package) -> dict[str, str]:
    part = _custom_properties_part(package)
    if part is None:
        return {}
    return {el.get("name", ""): "".join(child.text or "" for child in el)
            for el in package.xml(part).iter(f"{{{NS.CUSTOM_PROPERTIES}}}property")}


# --- writing ------------------------------------------------------------------------

def record_ownership(edit: PackageEdit, names: list[str]) -> None:
    """Write `names` into the ownership property, creating the custom properties part when there is none."""
    part = _custom_properties_part(edit.package) or _new_custom_properties(edit)
    text = edit.text(part)
    text = xmltext.remove_elements(text, "property", lambda a: bool(_OWNERSHIP_PROPERTY.match(a.get("name", ""))))
    edit.put_text(part, xmltext.append_children(text, "Properties", _ownership_xml(text, names)))


def _new_custom_properties(edit: PackageEdit) -> PackURI:
    part = edit.free_name(CUSTOM_PROPERTIES_URI)
    edit.put(part, _EMPTY_PROPERTIES.encode(), CT.CUSTOM_PROPERTIES)
    package_rels = edit.rels_text(PACKAGE_URI)
    if package_rels is None:
        raise ValueError("le paquet n'a pas de _rels/.rels")
    package_rels, _ = rels.add_relationship(package_rels, RT.CUSTOM_PROPERTIES, part.relative_ref(PACKAGE_URI))
    edit.put_rels(PACKAGE_URI, package_rels)
    return part


def _ownership_xml(text: str, names: list[str]) -> str:
    prefix = xmltext.prefix_of(text, "Properties")
    vt = xmltext.namespace_prefix(text, NS.DOC_PROPS_VTYPES)
    pids = [int(a["pid"]) for _, _, _, a in xmltext.elements(text, "property") if a.get("pid", "").isdigit()]
    first_pid = max(pids + [1]) + 1  # pid 0 and 1 are reserved
    items = []
    for offset, (key, value) in enumerate(encode_owned(names).items()):
        value_el = (f"<{vt}:lpwstr>{escape(value)}</{vt}:lpwstr>" if vt
                    else f'<vt:lpwstr xmlns:vt="{NS.DOC_PROPS_VTYPES}">{escape(value)}</vt:lpwstr>')
        items.append(f'<{prefix}property fmtid="{CUSTOM_PROPERTY_FMTID}" pid="{first_pid + offset}" '
                     f'name="{xmltext.quote(key)}">{value_el}</{prefix}property>')
    return "".join(items)


def mark_sheets(edit: PackageEdit, book: BookInfo, ownership: Ownership, owned: list[str], added: list[str]) -> None:
    """Give the ownership marker to each owned sheet that lacks it (the buttons' proof of ownership)."""
    marked = {name.casefold() for name in ownership.marked}
    missing = [name for name in owned if name.casefold() not in marked]
    if not missing:
        return
    # localSheetId is a position in <sheets>; added sheets come after the existing ones
    positions = {sheet.name: i for i, sheet in enumerate(book.sheets)}
    positions.update({name: len(book.sheets) + i for i, name in enumerate(added)})
    text = edit.text(book.part)
    prefix = xmltext.prefix_of(text, "sheets")
    items = "".join(f'<{prefix}definedName name="{OWNERSHIP_NAME}" localSheetId="{positions[name]}">'
                    f"{escape(marker_reference(name))}</{prefix}definedName>" for name in missing)
    if xmltext.has_element(text, "definedNames"):
        text = xmltext.append_children(text, "definedNames", items)
    else:
        names = f"<{prefix}definedNames>{items}</{prefix}definedNames>"
        text = xmltext.insert_child(text, "workbook", names, _AFTER_DEFINED_NAMES, xmltext.element_end(text, "sheets"))
    edit.put_text(book.part, text)
