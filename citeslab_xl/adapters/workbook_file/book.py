"""What the writer needs of the workbook part: its sheets, relationships and options.

Reading it also refuses what a splice would break: a digital signature, a
legacy shared workbook, Strict OOXML.
"""

from __future__ import annotations

from dataclasses import dataclass

from citeslab_xl.adapters.opc import NS, RT, Package, PackURI, Rel
from citeslab_xl.adapters.opc.packuri import CONTENT_TYPES_URI, PACKAGE_URI
from citeslab_xl.core.errors import UnusableWorkbook, WriteRefused

_TRUE = ("1", "true")


@dataclass(frozen=True)
class SheetEntry:
    name: str
    sheet_id: int
    rid: str
    part: PackURI | None  # None when the relationship is missing or external
    rel_type: str | None


@dataclass(frozen=True)
class BookInfo:
    part: PackURI
    sheets: list[SheetEntry]  # in workbook order
    rels: list[Rel]
    date1904: bool
    structure_locked: bool

    @classmethod
    def read(cls, package: Package) -> BookInfo:
        main = _main_part(package)
        root = package.xml(main)
        if root.tag == f"{{{NS.STRICT_MAIN}}}workbook":
            raise WriteRefused(f"« {package.label} » est au format « Strict Open XML » : enregistrez-le au format "
                               "« Classeur Excel (*.xlsx) », puis relancez. Rien n'a été écrit.")
        if root.tag != f"{{{NS.MAIN}}}workbook":
            raise UnusableWorkbook(f"{package.label} : la partie principale n'est pas un classeur Excel.")
        rels = package.rels(main)
        if any(rel.type in (RT.REVISION_HEADERS, RT.USERNAMES) for rel in rels):
            raise WriteRefused(f"« {package.label} » est un classeur partagé (ancien mode de partage d'Excel) : "
                               "désactivez le partage (Révision › Partager le classeur), puis relancez. "
                               "Rien n'a été écrit.")
        by_id = {rel.id: rel for rel in rels}
        sheets = []
        for el in root.iter(f"{{{NS.MAIN}}}sheet"):
            rid = el.get(f"{{{NS.OFFICE_RELATIONSHIPS}}}id", "")
            rel = by_id.get(rid)
            sheet_id = el.get("sheetId", "0")
            sheets.append(SheetEntry(el.get("name", ""), int(sheet_id) if sheet_id.isdigit() else 0, rid,
                                     PackURI(rel.target) if rel and not rel.external else None,
                                     rel.type if rel else None))
        pr = root.find(f"{{{NS.MAIN}}}workbookPr")
        protection = root.find(f"{{{NS.MAIN}}}workbookProtection")
        return cls(main, sheets, rels,
                   date1904=pr is not None and pr.get("date1904") in _TRUE,
                   structure_locked=protection is not None and protection.get("lockStructure") in _TRUE)

    def rel_of(self, rel_type: str) -> Rel | None:
        return next((rel for rel in self.rels if rel.type == rel_type and not rel.external), None)

    def part_of(self, rel_type: str, package: Package) -> PackURI | None:
        """The part of the workbook's first internal relationship of `rel_type`, when the package holds it."""
        rel = self.rel_of(rel_type)
        return package.find(rel.target) if rel is not None else None

    def sheet(self, name: str) -> SheetEntry | None:
        """The sheet called `name` without regard to case, as Excel compares sheet names."""
        return next((sheet for sheet in self.sheets if sheet.name.casefold() == name.casefold()), None)

    def sheet_part(self, name: str) -> PackURI:
        """The part of the worksheet called `name` (which must exist)."""
        sheet = self.sheet(name)
        if sheet is None or sheet.part is None:
            raise LookupError(f"no worksheet {name!r}")
        return sheet.part


def locked_structure(label: str) -> WriteRefused:
    """The refusal of a workbook whose structure is protected, to which no sheet can be added."""
    return WriteRefused(f"La structure de « {label} » est protégée (Révision › Protéger le classeur) : "
                        "l'outil ne peut pas y ajouter de feuille. Retirez la protection, puis relancez. "
                        "Rien n'a été écrit.")


def _main_part(package: Package) -> PackURI:
    if CONTENT_TYPES_URI not in package.parts:
        raise UnusableWorkbook(f"{package.label} : ce n'est pas un classeur Excel complet "
                               "([Content_Types].xml manque).")
    package_rels = package.rels(PACKAGE_URI)
    if any(rel.type == RT.DIGITAL_SIGNATURE_ORIGIN for rel in package_rels):
        raise WriteRefused(f"« {package.label} » est signé numériquement : le modifier invaliderait la signature. "
                           "Enregistrez-en une copie sans signature, puis relancez. Rien n'a été écrit.")
    main = next((rel.target for rel in package_rels if rel.type == RT.OFFICE_DOCUMENT and not rel.external), None)
    found = package.find(main) if main is not None else None
    if found is None:
        raise UnusableWorkbook(f"{package.label} : le classeur n'a pas de partie principale ; "
                               "ouvrez-le et réenregistrez-le dans Excel.")
    return found
