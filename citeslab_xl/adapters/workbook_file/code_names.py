"""Code names: the VBA name of each sheet (`<sheetPr codeName>`) and of the workbook (`<workbookPr codeName>`).

In a macro-enabled workbook Excel binds each sheet to the document module of
its code name. A sheet without one is tolerated: Excel names it and creates
its module when it opens the file, but then the name changes from one opening
to the next until the file is saved, and a macro cannot count on it. So every
sheet the tool generates in an `.xlsm` gets a code name, one no sheet and no
module of the project has, and a rebuilt sheet keeps the one it had (which
Excel may have given it). The VBA project is left as it is: Excel creates the
document module of a code name it does not find.
"""

from __future__ import annotations

import re
import unicodedata

from pyopenvba.cfb import CFB
from pyopenvba.exceptions import CFBError, VBAProjectError
from pyopenvba.vba import parse_vba_project

from citeslab_xl.adapters.opc import CT, RT, Package, PackURI, xmltext
from citeslab_xl.adapters.workbook_file.book import BookInfo

MAX_LENGTH = 31  # VBA's limit for an identifier
HEAD_BYTES = 4096  # sheetPr is the first child of a worksheet: no need to read a large sheet to its end
_CODE_NAME = re.compile(r"\bcodeName\s*=\s*[\"']([^\"']*)[\"']")


def is_macro_enabled(package: Package, book: BookInfo) -> bool:
    return package.content_type(book.part) == CT.SML_SHEET_MACRO_MAIN


def code_name_of(xml_head: str, element: str = "sheetPr") -> str | None:
    """The code name the start of a sheet (or the workbook) part gives it, if any."""
    tag = xmltext.start_tag(element).search(xml_head)
    if tag is None:
        return None
    found = _CODE_NAME.search(tag.group(2))
    return found.group(1) if found and found.group(1) else None


def sheet_code_name(package: Package, part: PackURI) -> str | None:
    data = package.parts.get(part)
    return code_name_of(data[:HEAD_BYTES].decode("utf-8", "ignore")) if data else None


def with_code_name(sheet_xml: str, name: str) -> str:
    """The worksheet `sheet_xml` with the code name `name` (its sheetPr given one, or a new sheetPr first)."""
    if xmltext.has_element(sheet_xml, "sheetPr"):
        return xmltext.set_attribute(sheet_xml, "sheetPr", "codeName", name)
    root = xmltext.start_tag("worksheet").search(sheet_xml)
    if root is None:
        raise ValueError("<worksheet> introuvable")
    prefix = root.group(1)
    return sheet_xml[:root.end()] + f'<{prefix}sheetPr codeName="{xmltext.quote(name)}"/>' + sheet_xml[root.end():]


def taken_names(package: Package, book: BookInfo) -> set[str]:
    """Every name a new code name must avoid (case-folded): the sheets', the workbook's, the VBA modules'."""
    taken = {name.casefold() for sheet in book.sheets if sheet.part and (name := sheet_code_name(package, sheet.part))}
    book_name = code_name_of(package.text(book.part), "workbookPr")
    taken.add((book_name or "ThisWorkbook").casefold())
    return taken | {name.casefold() for name in vba_module_names(package, book)}


def vba_module_names(package: Package, book: BookInfo) -> list[str]:
    """The modules of the workbook's VBA project (none without one, or when it cannot be read)."""
    rel = book.rel_of(RT.VBA_PROJECT)
    part = package.find(rel.target) if rel is not None else None
    if part is None:
        return []
    try:
        return parse_vba_project(CFB.from_bytes(package.parts[part])).module_names()
    except (CFBError, VBAProjectError, LookupError, ValueError):
        return []  # the writer does not edit the project: an unreadable one only cannot be avoided by name


def new_code_name(sheet_name: str, taken: set[str]) -> str:
    """A code name after the sheet's name (`Synthèse 2026-11` → `Synthese_2026_11`) that is not in `taken`.

    The name is added to `taken`, so that the next one differs.
    """
    unaccented = "".join(ch for ch in unicodedata.normalize("NFKD", sheet_name) if not unicodedata.combining(ch))
    words = re.findall(r"[A-Za-z0-9]+", unaccented)
    stem = "_".join(words) or "Feuille"
    if not stem[0].isalpha():
        stem = "Feuille_" + stem
    candidates = [stem[:MAX_LENGTH]] + [f"{stem[:MAX_LENGTH - 1 - len(str(n))]}_{n}" for n in range(2, 1000)]
    name = next(candidate for candidate in candidates if candidate.casefold() not in taken)
    taken.add(name.casefold())
    return name
