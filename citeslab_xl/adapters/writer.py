"""Writing the generated sheets into the coordinator's workbook, and nothing else.

openpyxl loses what it does not model when it re-saves a workbook (shapes and
form buttons, chartEx charts, slicers, some extensions), so the workbook is
never re-saved: the generated sheets are rendered with openpyxl into a scratch
workbook, then spliced into the original package at the zip level.

What changes in the package:
- the parts of the generated sheets (sheet, drawing, charts, their rels);
  a sheet the tool already owns is rebuilt in place, under the same part name
  and at the same position; a new one is appended at the end;
- `xl/workbook.xml`: its `<sheets>` list when a sheet is added, and its
  `<definedNames>` list when a generated sheet lacks its ownership marker
  (below); the workbook's rels, `[Content_Types].xml`;
- `xl/styles.xml`: the formats the generated cells need are appended (never
  inserted, so every existing cell keeps its style index and its look);
- `docProps/custom.xml`: the ownership record (below), and `_rels/.rels` when
  that part has to be created;
- `xl/calcChain.xml` (a cache Excel rebuilds) is dropped when it lists a cell
  of a sheet being rebuilt.
Every other part is copied with the same name, bytes and zip metadata.
Generated cells use inline strings, so `sharedStrings.xml` is never touched.

Ownership: the names of the sheets the tool generated are kept in the custom
document property `citeslab_xl.feuilles` (names separated by `/`, a character
Excel forbids in sheet names; continued in `citeslab_xl.feuilles.2`, `.3`...
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

Safety: the writer refuses (nothing written) when Excel or LibreOffice has the
file open (lock file `~$NAME` or `.~lock.NAME#` beside it) or when the package
holds something a splice would break (a digital signature, a legacy shared
workbook, a protected structure when a sheet must be added, Strict OOXML).
It writes the complete new file beside the target, fsyncs it, checks it,
keeps the previous version as `NAME.bak.xlsx` (older ones shift to
`NAME.bak1.xlsx`, `NAME.bak2.xlsx`... up to `keep_backups` copies), then
replaces the target atomically with `os.replace`. A crash at any point
leaves the target as it was; the temporary file it may leave behind
(`.NAME.<random>.citeslab-tmp`) is removed by the next run.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import posixpath
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import chain, count
from pathlib import Path
from urllib.parse import unquote
from xml.etree.ElementTree import Element  # building elements is safe; parsing goes through defusedxml
from xml.sax.saxutils import escape

from defusedxml import ElementTree

from citeslab_xl.adapters.reading import check_container
from citeslab_xl.adapters.render import render_workbook
from citeslab_xl.core.errors import UnusableWorkbook, WriteRefused
from citeslab_xl.core.layout import INTEGER, SheetLayout, Table
from citeslab_xl.core.text import fold

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"

OFFICE_DOCUMENT = DOC_REL + "/officeDocument"
WORKSHEET = DOC_REL + "/worksheet"
STYLES = DOC_REL + "/styles"
SHARED_STRINGS = DOC_REL + "/sharedStrings"
CALC_CHAIN = DOC_REL + "/calcChain"
CUSTOM_PROPERTIES = DOC_REL + "/custom-properties"
SIGNATURE = REL_NS + "/digital-signature/origin"
SHARED_WORKBOOK = (DOC_REL + "/revisionHeaders", DOC_REL + "/usernames")

RELS_CT = "application/vnd.openxmlformats-package.relationships+xml"
STYLES_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
PROPERTY_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the fmtid of every user-defined property

OWNERSHIP_PROPERTY = "citeslab_xl.feuilles"
OWNERSHIP_NAME = "citeslab_xl_genere"  # the sheet-scoped defined name marking a generated sheet
OWNERSHIP_SEPARATOR = "/"
PROPERTY_MAX = 255
_OWNERSHIP_NAME = re.compile(re.escape(OWNERSHIP_PROPERTY) + r"(?:\.(\d+))?$")

JOURNAL = "Journal"
JOURNAL_HEADERS = ["Date et heure", "Action", "Version", "Lignes lues", "Anomalies",
                   "Feuilles écrites", "SHA-256 avant"]
JOURNAL_GIVEN = 5  # the caller gives the first five values; the writer knows the last two
DATETIME_SECONDS = "dd/mm/yyyy hh:mm:ss"

SUFFIXES = (".xlsx", ".xlsm")
FORBIDDEN_IN_SHEET_NAMES = set("[]:*?/\\")
SHEET_NAME_MAX = 31
NEW_PART_TIME = (1980, 1, 1, 0, 0, 0)  # no clock time inside the file: same input, same bytes
TEMP_SUFFIX = ".citeslab-tmp"
LOCK_HINT = "fermez-le, puis relancez (si personne ne l'a ouvert, supprimez ce fichier de verrouillage)"

_ATTRS = r"((?:\s+[\w:.-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)"
_ATTR = re.compile(r"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


@dataclass
class WriteReport:
    path: Path  # the file written
    backup: Path | None  # the copy of its previous version, when one was kept
    added: list[str]  # sheets appended at the end of the workbook
    replaced: list[str]  # sheets the tool owned, rebuilt in place
    sha256_before: str  # of the workbook read, before the run


def write_generated(path, layouts: list[SheetLayout], *, out=None, journal_row: list | None = None,
                    keep_backups: int = 3) -> WriteReport:
    """Write `layouts` into the workbook at `path` (or into a copy at `out`).

    `journal_row` adds one row to `Journal`: the caller gives the first five
    values of `JOURNAL_HEADERS` (date and time, action, version, rows read,
    anomalies); the writer adds the sheets written and the SHA-256 of the
    file it read. Raises WriteRefused or UnusableWorkbook, with nothing
    written, when it will not or cannot write.
    """
    source = Path(path)
    target = Path(out) if out is not None else source
    layouts = list(layouts)
    _check_request(source, target, layouts, journal_row)
    refuse_if_open(target)
    check_container(source)
    original = source.read_bytes()
    sha256_before = hashlib.sha256(original).hexdigest()

    package = Package(original, source.name)
    book = BookInfo.read(package)
    if journal_row is not None:
        written = [layout.name for layout in layouts]
        layouts.append(journal_layout([list(journal_row) + [", ".join(written), sha256_before]]))
    plan = _plan(package, book, layouts)
    layouts = [_with_previous_rows(package, book, layout) if layout.append_only else layout for layout in layouts]
    entries = _splice(package, book, plan, layouts)
    backup = _commit(target, entries, keep_backups)
    return WriteReport(target, backup, plan.added, plan.replaced, sha256_before)


def journal_layout(rows: list[list]) -> SheetLayout:
    """The `Journal` sheet showing `rows` (the writer keeps the rows already there)."""
    table = Table(JOURNAL_HEADERS, rows, formats={0: DATETIME_SECONDS, 3: INTEGER, 4: INTEGER})
    return SheetLayout(JOURNAL, "Journal", "Une ligne par exécution de l'outil (jamais effacée).",
                       blocks=[table], widths={0: 20, 1: 28, 2: 10, 3: 12, 4: 12, 5: 60, 6: 68},
                       landscape=True, append_only=True)


def refuse_if_open(path: Path) -> None:
    """Refuse when Excel or LibreOffice has the file open (its lock file is beside it)."""
    name = path.name
    for lock in (f"~${name}", f".~lock.{name}#"):
        if (path.parent / lock).exists():
            program = "LibreOffice" if lock.startswith(".~lock") else "Excel"
            raise WriteRefused(f"« {name} » est ouvert dans {program} (fichier « {lock} » présent) : "
                               f"{LOCK_HINT}. Rien n'a été écrit.")


def backup_paths(path: Path, keep: int) -> list[Path]:
    """`NAME.bak.xlsx` (the newest), then `NAME.bak1.xlsx`, `NAME.bak2.xlsx`..."""
    return [path.with_name(f"{path.stem}.bak{i or ''}{path.suffix}") for i in range(keep)]


# --- ownership ------------------------------------------------------------------

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
        match = _OWNERSHIP_NAME.match(key)
        if match:
            numbered.append((int(match.group(1) or 1), value or ""))
    return [name for _, value in sorted(numbered) for name in value.split(OWNERSHIP_SEPARATOR) if name]


# --- request checks -------------------------------------------------------------

def _check_request(source: Path, target: Path, layouts: list[SheetLayout], journal_row) -> None:
    if not layouts and journal_row is None:
        raise ValueError("aucune feuille à écrire")
    names = [layout.name for layout in layouts] + ([JOURNAL] if journal_row is not None else [])
    for name in names:
        _check_sheet_name(name)
    folded = [name.casefold() for name in names]
    if len(set(folded)) != len(folded):
        raise ValueError(f"feuilles en double : {names}")
    if journal_row is not None and len(journal_row) != JOURNAL_GIVEN:
        raise ValueError(f"journal_row attend {JOURNAL_GIVEN} valeurs ({', '.join(JOURNAL_HEADERS[:JOURNAL_GIVEN])})")
    if source.suffix.lower() not in SUFFIXES:
        raise UnusableWorkbook(f"{source.name} : l'outil écrit dans un classeur .xlsx ou .xlsm ; "
                               "ouvrez-le dans Excel et enregistrez-le au format « Classeur Excel (*.xlsx) ».")
    if target.suffix.lower() != source.suffix.lower():
        raise WriteRefused(f"« {target.name} » doit avoir la même extension que « {source.name} » ({source.suffix}) : "
                           "Excel refuse d'ouvrir un classeur dont l'extension ne correspond pas au contenu.")


def _check_sheet_name(name: str) -> None:
    if (not name or len(name) > SHEET_NAME_MAX or FORBIDDEN_IN_SHEET_NAMES & set(name)
            or name.startswith("'") or name.endswith("'") or name.casefold() == "history"):
        raise ValueError(f"nom de feuille impossible dans Excel : {name!r}")


# --- the package ----------------------------------------------------------------

@dataclass
class Rel:
    id: str
    type: str
    target: str  # a part name when internal, the raw target otherwise
    external: bool


def rels_name(part: str) -> str:
    """The rels part of `part` ("" is the package itself)."""
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


class Package:
    """The parts of an OPC package (a .xlsx is a zip of XML parts linked by rels)."""

    def __init__(self, data: bytes, label: str):
        self.label = label
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                self.infos = archive.infolist()
                self.parts = {info.filename: archive.read(info) for info in self.infos}
        except (zipfile.BadZipFile, NotImplementedError, OSError, ValueError, EOFError) as exc:
            raise UnusableWorkbook(f"{label} : archive illisible ({exc}) ; reprenez une copie intacte "
                                   "(ou la sauvegarde .bak).") from None
        self._by_lower = {name.lower(): name for name in self.parts}

    def find(self, name: str) -> str | None:
        """The stored name of a part: part names are case-insensitive."""
        return self._by_lower.get(name.lower())

    def xml(self, name: str):
        try:
            return ElementTree.fromstring(self.parts[name])
        except Exception:  # defusedxml and expat raise several types for a broken or hostile part
            raise UnusableWorkbook(f"{self.label} : la partie « {name} » est endommagée ; "
                                   "ouvrez et réenregistrez le classeur dans Excel, puis relancez.") from None

    def text(self, name: str) -> str:
        try:
            return self.parts[name].decode("utf-8-sig")
        except UnicodeDecodeError:
            raise WriteRefused(f"{self.label} : la partie « {name} » n'est pas en UTF-8 et l'outil ne sait pas "
                               "la modifier ; réenregistrez le classeur dans Excel, puis relancez.") from None

    def rels(self, part: str) -> list[Rel]:
        name = self.find(rels_name(part))
        if name is None:
            return []
        rels = []
        for el in self.xml(name).iter(f"{{{REL_NS}}}Relationship"):
            raw = el.get("Target", "")
            external = el.get("TargetMode") == "External"
            target = raw if external else self._resolve(part, raw)
            rels.append(Rel(el.get("Id", ""), el.get("Type", ""), target, external))
        return rels

    def _resolve(self, source: str, target: str) -> str:
        target = unquote(target.split("#")[0])
        joined = target[1:] if target.startswith("/") else posixpath.join(posixpath.dirname(source), target)
        name = posixpath.normpath(joined)
        return self.find(name) or name

    def content_types(self) -> tuple[dict[str, str], dict[str, str]]:
        """(defaults by extension, overrides by lower-case part name)."""
        root = self.xml("[Content_Types].xml")
        defaults = {el.get("Extension", "").lower(): el.get("ContentType", "")
                    for el in root.iter(f"{{{CT_NS}}}Default")}
        overrides = {el.get("PartName", "").lstrip("/").lower(): el.get("ContentType", "")
                     for el in root.iter(f"{{{CT_NS}}}Override")}
        return defaults, overrides

    def content_type(self, part: str) -> str:
        defaults, overrides = self.content_types()
        return overrides.get(part.lower()) or defaults.get(part.rsplit(".", 1)[-1].lower(), "")


@dataclass
class SheetEntry:
    name: str
    sheet_id: int
    rid: str
    part: str | None
    rel_type: str | None


@dataclass
class BookInfo:
    """What the writer needs of the workbook part."""

    part: str
    sheets: list[SheetEntry]
    rels: list[Rel]
    date1904: bool
    structure_locked: bool
    owned: list[str]  # by the custom property or by the marker
    marked: list[str]  # the sheets that carry the marker

    @classmethod
    def read(cls, package: Package) -> BookInfo:
        if "[Content_Types].xml" not in package.parts:
            raise UnusableWorkbook(f"{package.label} : ce n'est pas un classeur Excel complet ([Content_Types].xml manque).")
        package_rels = package.rels("")
        if any(rel.type == SIGNATURE for rel in package_rels):
            raise WriteRefused(f"« {package.label} » est signé numériquement : le modifier invaliderait la signature. "
                               "Enregistrez-en une copie sans signature, puis relancez. Rien n'a été écrit.")
        main = next((rel.target for rel in package_rels if rel.type == OFFICE_DOCUMENT and not rel.external), None)
        if main is None or main not in package.parts:
            raise UnusableWorkbook(f"{package.label} : le classeur n'a pas de partie principale ; "
                                   "ouvrez-le et réenregistrez-le dans Excel.")
        root = package.xml(main)
        if root.tag == f"{{{STRICT_NS}}}workbook":
            raise WriteRefused(f"« {package.label} » est au format « Strict Open XML » : enregistrez-le au format "
                               "« Classeur Excel (*.xlsx) », puis relancez. Rien n'a été écrit.")
        if root.tag != f"{{{MAIN_NS}}}workbook":
            raise UnusableWorkbook(f"{package.label} : la partie principale n'est pas un classeur Excel.")
        rels = package.rels(main)
        if any(rel.type in SHARED_WORKBOOK for rel in rels):
            raise WriteRefused(f"« {package.label} » est un classeur partagé (ancien mode de partage d'Excel) : "
                               "désactivez le partage (Révision › Partager le classeur), puis relancez. Rien n'a été écrit.")
        by_id = {rel.id: rel for rel in rels}
        sheets = []
        for el in root.iter(f"{{{MAIN_NS}}}sheet"):
            rel = by_id.get(el.get(f"{{{DOC_REL}}}id", ""))
            sheet_id = el.get("sheetId", "0")
            sheets.append(SheetEntry(el.get("name", ""), int(sheet_id) if sheet_id.isdigit() else 0,
                                     el.get(f"{{{DOC_REL}}}id", ""),
                                     rel.target if rel and not rel.external else None, rel.type if rel else None))
        pr = root.find(f"{{{MAIN_NS}}}workbookPr")
        protection = root.find(f"{{{MAIN_NS}}}workbookProtection")
        marked = _marked_sheets(root, sheets)
        listed = decode_owned(_custom_properties(package))
        return cls(main, sheets, rels,
                   date1904=pr is not None and pr.get("date1904") in ("1", "true"),
                   structure_locked=protection is not None and protection.get("lockStructure") in ("1", "true"),
                   owned=listed + [name for name in marked if name not in listed], marked=marked)

    def rel_of(self, rel_type: str) -> Rel | None:
        return next((rel for rel in self.rels if rel.type == rel_type and not rel.external), None)


def _marked_sheets(root, sheets: list[SheetEntry]) -> list[str]:
    """The sheets that carry the ownership marker (`localSheetId` is a position in `<sheets>`)."""
    marked = []
    for el in root.iter(f"{{{MAIN_NS}}}definedName"):
        position = el.get("localSheetId", "")
        if el.get("name", "").casefold() == OWNERSHIP_NAME and position.isdigit() and int(position) < len(sheets):
            marked.append(sheets[int(position)].name)
    return marked


def _custom_properties_part(package: Package) -> str | None:
    rel = next((r for r in package.rels("") if r.type == CUSTOM_PROPERTIES and not r.external), None)
    return rel.target if rel and rel.target in package.parts else None


def _custom_properties(package: Package) -> dict[str, str]:
    part = _custom_properties_part(package)
    if part is None:
        return {}
    return {el.get("name", ""): "".join(child.text or "" for child in el)
            for el in package.xml(part).iter(f"{{{CUSTOM_NS}}}property")}


# --- what to do with each sheet -------------------------------------------------

@dataclass
class Plan:
    added: list[str]
    replaced: list[str]
    existing: dict[str, SheetEntry]  # layout name -> the sheet it rebuilds


def _plan(package: Package, book: BookInfo, layouts: list[SheetLayout]) -> Plan:
    by_name = {sheet.name.casefold(): sheet for sheet in book.sheets}
    owned = {name.casefold() for name in book.owned}
    plan = Plan([], [], {})
    for layout in layouts:
        sheet = by_name.get(layout.name.casefold())
        if sheet is None:
            plan.added.append(layout.name)
            continue
        if sheet.name.casefold() not in owned:
            raise WriteRefused(f"La feuille « {sheet.name} » de « {package.label} » n'a pas été créée par l'outil : "
                               "elle n'est pas remplacée. Renommez-la (clic droit sur l'onglet › Renommer), "
                               "puis relancez. Rien n'a été écrit.")
        if sheet.rel_type != WORKSHEET or sheet.part not in package.parts:
            raise WriteRefused(f"La feuille « {sheet.name} » de « {package.label} » n'est plus une feuille de calcul "
                               "ordinaire : supprimez-la ou renommez-la, puis relancez. Rien n'a été écrit.")
        plan.replaced.append(layout.name)
        plan.existing[layout.name] = sheet
    if plan.added and book.structure_locked:
        raise WriteRefused(f"La structure de « {package.label} » est protégée (Révision › Protéger le classeur) : "
                           "l'outil ne peut pas y ajouter de feuille. Retirez la protection, puis relancez. "
                           "Rien n'a été écrit.")
    return plan


# --- append-only sheets (Journal) -----------------------------------------------

def _with_previous_rows(package: Package, book: BookInfo, layout: SheetLayout) -> SheetLayout:
    """The layout with the rows already in the sheet kept above its new rows."""
    sheet = next((s for s in book.sheets if s.name.casefold() == layout.name.casefold()), None)
    tables = layout.tables()
    if sheet is None or sheet.part is None or not tables:
        return layout
    table = tables[0]
    previous = _table_rows(package, book, sheet, table)
    index = layout.blocks.index(table)
    links = {i + len(previous): target for i, target in table.links.items()}
    blocks = list(layout.blocks)
    blocks[index] = replace(table, rows=previous + list(table.rows), links=links)
    return replace(layout, blocks=blocks)


def _table_rows(package: Package, book: BookInfo, sheet: SheetEntry, table: Table) -> list[list]:
    """The rows under the table's header in the sheet, up to the first blank row."""
    grid = _read_sheet(package, book, sheet.part)
    first = fold(table.headers[0])
    header_row = next((r for r in sorted(grid) if fold(grid[r].get(1, "") or "") == first), None)
    if header_row is None:
        raise WriteRefused(f"La feuille « {sheet.name} » ne contient plus son en-tête « {table.headers[0]} » : "
                           "elle a été modifiée à la main et l'outil ne la réécrira pas. Renommez-la pour la garder, "
                           "puis relancez (une nouvelle feuille sera créée). Rien n'a été écrit.")
    rows = []
    r = header_row + 1
    while any(v not in (None, "") for v in grid.get(r, {}).values()):
        rows.append([grid[r].get(j + 1) for j in range(len(table.headers))])
        r += 1
    return rows[:-1] if table.total and rows else rows


def _read_sheet(package: Package, book: BookInfo, part: str) -> dict[int, dict[int, object]]:
    """{row: {column: value}} of a sheet part; dates stay serial numbers (the layout formats them)."""
    strings = _shared_strings(package, book)
    grid: dict[int, dict[int, object]] = {}
    for r_index, row in enumerate(package.xml(part).iter(f"{{{MAIN_NS}}}row"), start=1):
        r = int(row.get("r", r_index))
        cells = grid.setdefault(r, {})
        for c_index, cell in enumerate(row.iter(f"{{{MAIN_NS}}}c"), start=1):
            ref = cell.get("r")
            column = _column_number(ref) if ref else c_index
            cells[column] = _cell_value(cell, strings)
    return grid


def _column_number(ref: str) -> int:
    number = 0
    for ch in ref:
        if not ch.isalpha():
            break
        number = number * 26 + ord(ch.upper()) - 64
    return number


def _text_of(el) -> str:
    """The text of a shared or inline string: one `t`, or rich-text runs (phonetic readings left out)."""
    plain = el.find(f"{{{MAIN_NS}}}t")
    if plain is not None:
        return plain.text or ""
    return "".join(run.findtext(f"{{{MAIN_NS}}}t") or "" for run in el.findall(f"{{{MAIN_NS}}}r"))


def _cell_value(cell, strings: list[str]):
    kind = cell.get("t", "n")
    v = cell.find(f"{{{MAIN_NS}}}v")
    if kind == "inlineStr":
        inline = cell.find(f"{{{MAIN_NS}}}is")
        return _text_of(inline) if inline is not None else None
    if v is None or v.text is None:
        return None
    text = v.text
    if kind == "s":
        index = int(text)
        return strings[index] if 0 <= index < len(strings) else None
    if kind in ("str", "e"):
        return text
    if kind == "b":
        return text in ("1", "true")
    if kind == "d":
        return datetime.fromisoformat(text)
    return int(text) if re.fullmatch(r"-?\d+", text) else float(text)


def _shared_strings(package: Package, book: BookInfo) -> list[str]:
    rel = book.rel_of(SHARED_STRINGS)
    if rel is None or rel.target not in package.parts:
        return []
    return [_text_of(si) for si in package.xml(rel.target).iter(f"{{{MAIN_NS}}}si")]


# --- XML text surgery -------------------------------------------------------------
# Shared parts are edited as text: only the elements the writer owns change,
# every other byte (namespaces, mc:Ignorable prefixes, extensions) stays.

def _start_tag(local: str) -> re.Pattern:
    return re.compile(rf"<((?:[\w.-]+:)?){local}{_ATTRS}\s*(/?)>")


def _attrs(attr_text: str) -> dict[str, str]:
    return {m.group(1): _unescape(m.group(2) if m.group(2) is not None else m.group(3))
            for m in _ATTR.finditer(attr_text)}


def _unescape(value: str) -> str:
    return (value.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def _quote(value: str) -> str:
    return escape(str(value), {'"': "&quot;"})


def _elements(text: str, local: str):
    """(start, end, prefix, attributes) of each `local` element (never nested in itself)."""
    for match in _start_tag(local).finditer(text):
        end = match.end()
        if not match.group(3):
            close = re.compile(rf"</{re.escape(match.group(1))}{local}\s*>").search(text, end)
            if close is None:
                raise ValueError(f"<{local}> sans fin")
            end = close.end()
        yield match.start(), end, match.group(1), _attrs(match.group(2))


def _remove_elements(text: str, local: str, drop) -> str:
    spans = [(start, end) for start, end, _, attrs in _elements(text, local) if drop(attrs)]
    for start, end in reversed(spans):
        text = text[:start] + text[end:]
    return text


def _prefix_of(text: str, local: str) -> str:
    match = _start_tag(local).search(text)
    if match is None:
        raise ValueError(f"<{local}> introuvable")
    return match.group(1)


def _append_children(text: str, local: str, children: str) -> str:
    """Insert `children` at the end of the first `local` element."""
    match = _start_tag(local).search(text)
    if match is None:
        raise ValueError(f"<{local}> introuvable")
    prefix = match.group(1)
    if match.group(3):
        opened = f"<{prefix}{local}{match.group(2)}>{children}</{prefix}{local}>"
        return text[:match.start()] + opened + text[match.end():]
    close = re.compile(rf"</{re.escape(prefix)}{local}\s*>").search(text, match.end())
    return text[:close.start()] + children + text[close.start():]


def _set_attribute(text: str, local: str, name: str, value: str) -> str:
    match = _start_tag(local).search(text)
    attr_text = match.group(2)
    pattern = re.compile(rf"(\s{re.escape(name)}\s*=\s*)(\"[^\"]*\"|'[^']*')")
    if pattern.search(attr_text):
        attr_text = pattern.sub(lambda m: f'{m.group(1)}"{value}"', attr_text, count=1)
    else:
        attr_text += f' {name}="{value}"'
    tag = f"<{match.group(1)}{local}{attr_text}{'/' if match.group(3) else ''}>"
    return text[:match.start()] + tag + text[match.end():]


def _namespace_prefix(text: str, namespace: str) -> str | None:
    match = re.search(rf"xmlns:([\w.-]+)\s*=\s*[\"']{re.escape(namespace)}[\"']", text)
    return match.group(1) if match else None


def _relationships_xml(rels: list[Rel]) -> bytes:
    items = []
    for rel in rels:
        target = rel.target if rel.external else "/" + rel.target
        mode = ' TargetMode="External"' if rel.external else ""
        items.append(f'<Relationship Id="{_quote(rel.id)}" Type="{_quote(rel.type)}" Target="{_quote(target)}"{mode}/>')
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{REL_NS}">{"".join(items)}</Relationships>').encode()


def _add_relationship(text: str, rel_type: str, target: str) -> tuple[str, str]:
    """Append a relationship with the first free `rIdN`; returns (text, id)."""
    used = {attrs.get("Id") for _, _, _, attrs in _elements(text, "Relationship")}
    rid = next(f"rId{n}" for n in count(1) if f"rId{n}" not in used)
    prefix = _prefix_of(text, "Relationships")
    element = f'<{prefix}Relationship Id="{rid}" Type="{_quote(rel_type)}" Target="{_quote(target)}"/>'
    return _append_children(text, "Relationships", element), rid


# --- styles -----------------------------------------------------------------------

STYLE_SECTIONS = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
                  "tableStyles", "colors", "extLst")
FIRST_CUSTOM_FORMAT = 164  # lower ids are Excel's built-in formats
RESERVED = {"fonts": 1, "fills": 2, "borders": 1}  # entries with a fixed meaning at the head of each list
# for a workbook that has none: the Normal style only; the lists are seeded from the scratch workbook
EMPTY_STYLES = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{MAIN_NS}">'
                '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
                '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def _children(root, local: str) -> list:
    el = root.find(f"{{{MAIN_NS}}}{local}")
    return list(el) if el is not None else []


def _canon(el) -> tuple:
    return (el.tag, tuple(sorted(el.attrib.items())), (el.text or "").strip(), tuple(_canon(c) for c in el))


def _serialize(el, prefix: str) -> str:
    namespace, local = el.tag[1:].split("}")
    if namespace != MAIN_NS or any(key.startswith("{") for key in el.attrib):
        raise ValueError(f"style inattendu : {el.tag}")
    attrs = "".join(f' {key}="{_quote(value)}"' for key, value in el.attrib.items())
    inner = (escape(el.text) if el.text and el.text.strip() else "") + "".join(_serialize(c, prefix) for c in el)
    return f"<{prefix}{local}{attrs}>{inner}</{prefix}{local}>" if inner else f"<{prefix}{local}{attrs}/>"


class _Section:
    """A list of styles.xml (fonts, fills...): the original entries, then the appended ones."""

    def __init__(self, root, local: str):
        el = root.find(f"{{{MAIN_NS}}}{local}")
        self.present = el is not None
        self.children = list(el) if el is not None else []
        self.keys: dict[tuple, int] = {}
        for i, child in enumerate(self.children):
            self.keys.setdefault(_canon(child), i)
        self.appended: list = []

    def index_of(self, el) -> int:
        key = _canon(el)
        if key not in self.keys:
            self.keys[key] = len(self.children) + len(self.appended)
            self.appended.append(el)
        return self.keys[key]


class StyleMerger:
    """Appends the scratch workbook's cell formats to the original styles.xml."""

    def __init__(self, original: str | None, scratch: bytes):
        self.text = original if original is not None else EMPTY_STYLES
        self.created = original is None
        root = ElementTree.fromstring(self.text.encode())
        self.prefix = _prefix_of(self.text, "styleSheet")
        self.sections = {local: _Section(root, local) for local in ("numFmts", "fonts", "fills", "borders", "cellXfs")}
        style_xfs = root.find(f"{{{MAIN_NS}}}cellStyleXfs")
        self.has_style_xfs = style_xfs is not None and len(style_xfs) > 0
        self.formats = {el.get("formatCode"): int(el.get("numFmtId")) for el in reversed(self.sections["numFmts"].children)}
        self.format_ids = {int(el.get("numFmtId")) for el in self.sections["numFmts"].children}

        scratch_root = ElementTree.fromstring(scratch)
        self.scratch = {local: _children(scratch_root, local) for local in self.sections}
        self.scratch_formats = {int(el.get("numFmtId")): el.get("formatCode") for el in self.scratch["numFmts"]}
        self.mapping: dict[int, int] = {0: 0}  # unstyled generated cells take the workbook's default look
        self._seed_missing_sections()

    def _seed_missing_sections(self) -> None:
        # Excel reserves the first entries of these lists (fill 1 is gray125): a list created
        # here starts with the defaults, so that index 0 still means "no formatting"
        for local, seeds in RESERVED.items():
            section = self.sections[local]
            if not section.present and not section.appended:
                for el in self.scratch[local][:seeds]:
                    section.index_of(el)
        if not self.sections["cellXfs"].present:
            self.sections["cellXfs"].index_of(self._remapped_xf(0))

    def map_xf(self, index: int) -> int:
        """The index in the merged cellXfs of the scratch workbook's cell format `index`."""
        if index not in self.mapping:
            self.mapping[index] = self.sections["cellXfs"].index_of(self._remapped_xf(index))
        return self.mapping[index]

    def _remapped_xf(self, index: int):
        xf = self.scratch["cellXfs"][index]
        attrs = dict(xf.attrib)
        for key, local in (("fontId", "fonts"), ("fillId", "fills"), ("borderId", "borders")):
            attrs[key] = str(self._map_entry(local, int(attrs.get(key, 0))))
        attrs["numFmtId"] = str(self._map_format(int(attrs.get("numFmtId", 0))))
        for flag in ("pivotButton", "quotePrefix"):
            if attrs.get(flag) == "0":
                del attrs[flag]
        if self.has_style_xfs:
            attrs["xfId"] = "0"
        else:
            attrs.pop("xfId", None)
        copy = Element(xf.tag, attrs)
        copy.extend(list(xf))
        return copy

    def _map_entry(self, local: str, index: int) -> int:
        section = self.sections[local]
        if index < RESERVED[local] and section.present and index < len(section.children):
            return index  # the default font, no fill, gray125, no border: the workbook's own
        return section.index_of(self.scratch[local][index])

    def _map_format(self, format_id: int) -> int:
        if format_id < FIRST_CUSTOM_FORMAT:
            return format_id
        code = self.scratch_formats[format_id]
        if code not in self.formats:
            new_id = max(self.format_ids | {FIRST_CUSTOM_FORMAT - 1}) + 1
            self.formats[code] = new_id
            self.format_ids.add(new_id)
            el = Element(f"{{{MAIN_NS}}}numFmt", {"numFmtId": str(new_id), "formatCode": code})
            self.sections["numFmts"].appended.append(el)
        return self.formats[code]

    def result(self) -> str | None:
        """The new styles.xml, or None when the original already holds every format needed."""
        if not any(section.appended for section in self.sections.values()):
            return None if not self.created else self.text
        text = self.text
        for local in ("numFmts", "fonts", "fills", "borders", "cellXfs"):
            section = self.sections[local]
            if not section.appended:
                continue
            items = "".join(_serialize(el, self.prefix) for el in section.appended)
            total = str(len(section.children) + len(section.appended))
            if section.present:
                text = _set_attribute(_append_children(text, local, items), local, "count", total)
            else:
                element = f'<{self.prefix}{local} count="{total}">{items}</{self.prefix}{local}>'
                text = self._insert_section(text, element, local)
        return text

    def _insert_section(self, text: str, element: str, local: str) -> str:
        later = STYLE_SECTIONS[STYLE_SECTIONS.index(local) + 1:]
        positions = [m.start() for name in later for m in [_start_tag(name).search(text)] if m]
        if positions:
            at = min(positions)
        else:
            at = re.search(rf"</{re.escape(self.prefix)}styleSheet\s*>", text).start()
        return text[:at] + element + text[at:]


_STYLED_TAG = re.compile(r"<(c|row|col)\s[^>]*>")
_STYLE_ATTR = re.compile(r'(\s(?:s|style)=")(\d+)(")')


def _remap_styles(sheet_xml: bytes, merger: StyleMerger) -> bytes:
    def tag(match):
        return _STYLE_ATTR.sub(lambda m: f"{m.group(1)}{merger.map_xf(int(m.group(2)))}{m.group(3)}", match.group(0))
    return _STYLED_TAG.sub(tag, sheet_xml.decode()).encode()


# --- the splice -------------------------------------------------------------------

class _Edit:
    """The package being changed: parts replaced, added and removed, names taken."""

    def __init__(self, package: Package):
        self.package = package
        self.parts: dict[str, bytes] = {}  # new content, by part name
        self.types: dict[str, str] = {}  # content type of each new part
        self.removed: set[str] = set()
        self.taken = {name.lower() for name in package.parts}

    def remove(self, names: set[str]) -> None:
        self.removed |= names
        self.taken -= {name.lower() for name in names}

    def reserve(self, name: str) -> str:
        self.taken.add(name.lower())
        return name

    def free_name(self, like: str) -> str:
        """The first free `<folder>/<stem>N.<ext>` in the package, e.g. `xl/charts/chart3.xml`."""
        match = re.fullmatch(r"(.*?)(\d*)(\.[^./]+)", like)
        stem, ext = (match.group(1), match.group(3)) if match else (like, "")
        numbered = (f"{stem}{n}{ext}" for n in count(1))
        candidates = numbered if match and match.group(2) else chain([like], numbered)  # `xl/styles.xml` stays unnumbered
        return self.reserve(next(name for name in candidates if name.lower() not in self.taken))

    def put(self, name: str, data: bytes, content_type: str) -> None:
        self.parts[name] = data
        self.types[name] = content_type

    def text(self, name: str) -> str:
        return self.parts[name].decode() if name in self.parts else self.package.text(name)

    def put_text(self, name: str, text: str) -> None:
        self.parts[name] = text.encode("utf-8")


def _splice(package: Package, book: BookInfo, plan: Plan, layouts: list[SheetLayout]) -> list[tuple[zipfile.ZipInfo, bytes]]:
    scratch = Package(_render(layouts, book.date1904), "brouillon")
    scratch_book = BookInfo.read(scratch)
    scratch_parts = {sheet.name: sheet.part for sheet in scratch_book.sheets}
    edit = _Edit(package)

    old_parts = [plan.existing[name].part for name in plan.replaced]
    edit.remove(_parts_only_reached_from(package, old_parts))
    for part in old_parts:
        edit.reserve(part)  # a rebuilt sheet keeps its part name: the workbook's lists stay as they are
    styles_part = _styles_part(edit.package, book)
    if styles_part:
        package.xml(styles_part)  # a broken styles part is refused here, in a sentence
    scratch_styles = scratch.parts[scratch_book.rel_of(STYLES).target]
    merger = StyleMerger(edit.package.text(styles_part) if styles_part else None, scratch_styles)

    added: list[tuple[str, str]] = []
    for layout in layouts:
        if layout.name in plan.existing:
            part = plan.existing[layout.name].part
        else:
            part = edit.free_name(scratch_parts[layout.name])
            added.append((layout.name, part))
        _copy_sheet(edit, scratch, scratch_parts[layout.name], part, merger)
    _write_styles(edit, book, merger, styles_part)

    _drop_stale_calc_chain(edit, book, [plan.existing[name].sheet_id for name in plan.replaced])
    _add_sheets(edit, book, added)
    added_names = [name for name, _ in added]
    owned = _owned_after(book, [layout.name for layout in layouts], added_names)
    _record_ownership(edit, owned)
    _mark_sheets(edit, book, owned, added_names)
    _update_content_types(edit)
    _check_well_formed(edit)
    return _entries(package, edit)


def _render(layouts: list[SheetLayout], date1904: bool) -> bytes:
    buffer = io.BytesIO()
    render_workbook(layouts, date1904=date1904).save(buffer)
    return buffer.getvalue()


def _reachable(package: Package, starts: list[str], blocked: set[str]) -> set[str]:
    seen: set[str] = set()
    stack = list(starts)
    while stack:
        part = stack.pop()
        if part in seen or part in blocked:
            continue
        seen.add(part)
        stack.extend(rel.target for rel in package.rels(part) if not rel.external and rel.target in package.parts)
    return seen


def _parts_only_reached_from(package: Package, roots: list[str]) -> set[str]:
    """The parts of the sheets being rebuilt (and their rels) that nothing else uses."""
    if not roots:
        return set()
    mine = _reachable(package, roots, set())
    others = _reachable(package, [""], set(roots))
    parts = mine - others - {""}
    return parts | {name for part in parts if (name := package.find(rels_name(part)))}


def _styles_part(package: Package, book: BookInfo) -> str | None:
    rel = book.rel_of(STYLES)
    return rel.target if rel and rel.target in package.parts else None


def _copy_sheet(edit: _Edit, scratch: Package, scratch_part: str, part: str, merger: StyleMerger) -> None:
    """Copy a scratch sheet and the parts it links to (drawing, charts) under free names."""
    closure = sorted(_reachable(scratch, [scratch_part], set()) - {scratch_part})
    names = {scratch_part: part}
    for name in closure:
        names[name] = edit.free_name(name)
    for name, new_name in names.items():
        data = scratch.parts[name]
        if name == scratch_part:
            data = _remap_styles(data, merger)
        edit.put(new_name, data, scratch.content_type(name))
        rels = scratch.rels(name)
        if rels:
            mapped = [replace(rel, target=names[rel.target]) if not rel.external else rel for rel in rels]
            edit.put(rels_name(new_name), _relationships_xml(mapped), RELS_CT)


def _write_styles(edit: _Edit, book: BookInfo, merger: StyleMerger, original_part: str | None) -> None:
    text = merger.result()
    if text is None:
        return
    if original_part is not None:
        edit.put_text(original_part, text)
        return
    part = edit.free_name("xl/styles.xml")
    edit.put(part, text.encode(), STYLES_CT)
    _add_workbook_rel(edit, book, STYLES, part)


def _add_workbook_rel(edit: _Edit, book: BookInfo, rel_type: str, part: str) -> str:
    name = edit.package.find(rels_name(book.part))
    text = edit.text(name)
    target = posixpath.relpath(part, posixpath.dirname(book.part) or ".")
    text, rid = _add_relationship(text, rel_type, target)
    edit.put_text(name, text)
    return rid


def _drop_stale_calc_chain(edit: _Edit, book: BookInfo, sheet_ids: list[int]) -> None:
    """calcChain lists formula cells by sheet id; Excel rebuilds it when it is missing."""
    rel = book.rel_of(CALC_CHAIN)
    if rel is None or rel.target not in edit.package.parts or not sheet_ids:
        return
    current, listed = None, set()
    for cell in edit.package.xml(rel.target).iter(f"{{{MAIN_NS}}}c"):
        current = int(cell.get("i", current or 0))  # a cell without `i` is on the previous cell's sheet
        listed.add(current)
    if not listed & set(sheet_ids):
        return
    edit.remove({rel.target})
    name = edit.package.find(rels_name(book.part))
    edit.put_text(name, _remove_elements(edit.text(name), "Relationship", lambda a: a.get("Id") == rel.id))


def _add_sheets(edit: _Edit, book: BookInfo, added: list[tuple[str, str]]) -> None:
    if not added:
        return
    text = edit.text(book.part)
    prefix = _prefix_of(text, "sheets")
    r_prefix = _namespace_prefix(text[:_start_tag("sheets").search(text).start()], DOC_REL)
    next_id = max([sheet.sheet_id for sheet in book.sheets] + [0]) + 1
    elements = []
    for offset, (name, part) in enumerate(added):
        rid = _add_workbook_rel(edit, book, WORKSHEET, part)
        rid_attr = f'{r_prefix}:id="{rid}"' if r_prefix else f'xmlns:r="{DOC_REL}" r:id="{rid}"'
        elements.append(f'<{prefix}sheet name="{_quote(name)}" sheetId="{next_id + offset}" {rid_attr}/>')
    edit.put_text(book.part, _append_children(text, "sheets", "".join(elements)))


def _owned_after(book: BookInfo, written: list[str], added: list[str]) -> list[str]:
    """The generated sheets of the new package, in workbook order."""
    owned = {name.casefold() for name in book.owned + written}
    return [sheet.name for sheet in book.sheets if sheet.name.casefold() in owned] + added


def _record_ownership(edit: _Edit, names: list[str]) -> None:
    part = _custom_properties_part(edit.package)
    if part is None:
        part = edit.free_name("docProps/custom.xml")
        text = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<Properties xmlns="{CUSTOM_NS}" xmlns:vt="{VT_NS}"></Properties>')
        edit.types[part] = CUSTOM_CT
        rels = edit.package.find("_rels/.rels")
        rels_text, _ = _add_relationship(edit.package.text(rels), CUSTOM_PROPERTIES, part)
        edit.put_text(rels, rels_text)
    else:
        text = edit.package.text(part)
    text = _remove_elements(text, "property", lambda a: bool(_OWNERSHIP_NAME.match(a.get("name", ""))))
    edit.put_text(part, _append_children(text, "Properties", _ownership_xml(text, names)))


def _ownership_xml(text: str, names: list[str]) -> str:
    prefix = _prefix_of(text, "Properties")
    vt = _namespace_prefix(text, VT_NS)
    pids = [int(a["pid"]) for _, _, _, a in _elements(text, "property") if a.get("pid", "").isdigit()]
    first_pid = max(pids + [1]) + 1  # pid 0 and 1 are reserved
    items = []
    for offset, (key, value) in enumerate(encode_owned(names).items()):
        value_el = (f"<{vt}:lpwstr>{escape(value)}</{vt}:lpwstr>" if vt
                    else f'<vt:lpwstr xmlns:vt="{VT_NS}">{escape(value)}</vt:lpwstr>')
        items.append(f'<{prefix}property fmtid="{PROPERTY_FMTID}" pid="{first_pid + offset}" '
                     f'name="{_quote(key)}">{value_el}</{prefix}property>')
    return "".join(items)


# CT_Workbook's children that come after <definedNames>: a new list goes before the first one present
_AFTER_DEFINED_NAMES = ("calcPr", "oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
                        "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst")


def _mark_sheets(edit: _Edit, book: BookInfo, owned: list[str], added: list[str]) -> None:
    """Give the ownership marker to each owned sheet that lacks it (the buttons' proof of ownership)."""
    marked = {name.casefold() for name in book.marked}
    missing = [name for name in owned if name.casefold() not in marked]
    if not missing:
        return
    # localSheetId is a position in <sheets>; added sheets come after the existing ones
    positions = {sheet.name: i for i, sheet in enumerate(book.sheets)}
    positions.update({name: len(book.sheets) + i for i, name in enumerate(added)})
    text = edit.text(book.part)
    prefix = _prefix_of(text, "sheets")
    items = "".join(f'<{prefix}definedName name="{OWNERSHIP_NAME}" localSheetId="{positions[name]}">'
                    f"{escape(marker_reference(name))}</{prefix}definedName>" for name in missing)
    if _start_tag("definedNames").search(text):
        text = _append_children(text, "definedNames", items)
    else:
        sheets_end = re.compile(rf"</{re.escape(prefix)}sheets\s*>").search(text).end()
        later = [m.start() for local in _AFTER_DEFINED_NAMES if (m := _start_tag(local).search(text, sheets_end))]
        at = min(later) if later else re.search(rf"</{re.escape(prefix)}workbook\s*>", text).start()
        text = text[:at] + f"<{prefix}definedNames>{items}</{prefix}definedNames>" + text[at:]
    edit.put_text(book.part, text)


def marker_reference(sheet_name: str) -> str:
    """What the marker of a sheet refers to: its A1, e.g. `'Synthèse 2025-01'!$A$1`."""
    return "'" + sheet_name.replace("'", "''") + "'!$A$1"


def _update_content_types(edit: _Edit) -> None:
    name = "[Content_Types].xml"
    text = edit.package.text(name)
    defaults, overrides = edit.package.content_types()
    wanted = {part.lower(): (part, ctype) for part, ctype in edit.types.items()}
    removed = {part.lower() for part in edit.removed}

    def drop(attrs) -> bool:
        key = attrs.get("PartName", "").lstrip("/").lower()
        if key in wanted:
            return wanted[key][1] != attrs.get("ContentType")
        return key in removed
    text = _remove_elements(text, "Override", drop)

    prefix = _prefix_of(text, "Types")
    additions = []
    for key, (part, ctype) in wanted.items():
        if overrides.get(key) == ctype or (key not in overrides and defaults.get(part.rsplit(".", 1)[-1].lower()) == ctype):
            continue
        additions.append(f'<{prefix}Override PartName="/{_quote(part)}" ContentType="{_quote(ctype)}"/>')
    if additions:
        text = _append_children(text, "Types", "".join(additions))
    edit.put_text(name, text)


def _check_well_formed(edit: _Edit) -> None:
    """A splice bug must not reach the user's file."""
    for name, data in edit.parts.items():
        if name.endswith((".xml", ".rels")):
            ElementTree.fromstring(data)


def _entries(package: Package, edit: _Edit) -> list[tuple[zipfile.ZipInfo, bytes]]:
    """The zip entries of the new package: originals in their order, then new parts."""
    entries = []
    for info in package.infos:
        name = info.filename
        if name in edit.parts:
            entries.append((_copy_info(info), edit.parts[name]))
        elif name not in edit.removed:
            entries.append((_copy_info(info), package.parts[name]))
    known = {info.filename for info in package.infos}
    for name, data in edit.parts.items():
        if name not in known:
            info = zipfile.ZipInfo(name, NEW_PART_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            entries.append((info, data))
    return entries


def _copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    copy = zipfile.ZipInfo(info.filename, info.date_time)
    copy.compress_type = info.compress_type
    copy.external_attr = info.external_attr
    copy.create_system = info.create_system
    copy.comment = info.comment
    return copy


# --- committing the file ----------------------------------------------------------

def _commit(target: Path, entries: list[tuple[zipfile.ZipInfo, bytes]], keep_backups: int) -> Path | None:
    _remove_leftovers(target)
    try:
        temp = _file_beside(target, lambda handle: _write_zip(handle, entries), like=target)
        try:
            _verify(temp, [info.filename for info, _ in entries])
            backup = _keep_backup(target, keep_backups) if target.exists() else None
            _replace(temp, target)
        except BaseException:
            _discard(temp)
            raise
    except OSError as exc:
        raise WriteRefused(f"« {target.name} » n'a pas pu être écrit ({exc.strerror or exc}) : "
                           "le classeur est resté tel qu'il était.") from exc
    _sync_folder(target.parent)
    return backup


def _remove_leftovers(target: Path) -> None:
    """Temporary files of an earlier run that was killed before it could clean up."""
    prefixes = tuple(f".{path.name}." for path in [target] + backup_paths(target, 1))
    for path in target.parent.iterdir():
        if path.name.startswith(prefixes) and path.name.endswith(TEMP_SUFFIX):
            with contextlib.suppress(OSError):  # another program may hold it: it stays, harmless
                path.unlink()


def _file_beside(target: Path, fill, like: Path) -> Path:
    """A complete, synced temporary file in the target's folder (so that a rename is atomic)."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent)
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            fill(handle)
            handle.flush()
            os.fsync(handle.fileno())
        _copy_mode(like, temp)
    except BaseException:
        _discard(temp)
        raise
    return temp


def _copy_mode(like: Path, temp: Path) -> None:
    # mkstemp makes a file only its owner can read: the new workbook keeps the old one's permissions
    if like.exists():
        shutil.copymode(like, temp)
    else:
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temp, 0o666 & ~mask)


def _write_zip(handle, entries: list[tuple[zipfile.ZipInfo, bytes]]) -> None:
    with zipfile.ZipFile(handle, "w") as archive:
        for info, data in entries:
            _write_entry(archive, info, data)


def _write_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes) -> None:
    archive.writestr(info, data)


def _verify(path: Path, names: list[str]) -> None:
    with zipfile.ZipFile(path) as archive:
        if archive.namelist() != names or archive.testzip() is not None:
            raise RuntimeError(f"le fichier temporaire {path.name} est incomplet")


def _keep_backup(target: Path, keep: int) -> Path | None:
    """Shift the older copies, then copy the current file to `NAME.bak.xlsx`."""
    if keep <= 0:
        return None
    paths = backup_paths(target, keep)
    for older, newer in zip(reversed(paths[1:]), reversed(paths[:-1])):
        if newer.exists():
            os.replace(newer, older)
    with target.open("rb") as current:
        temp = _file_beside(paths[0], lambda handle: shutil.copyfileobj(current, handle), like=target)
    try:
        os.replace(temp, paths[0])
    except BaseException:
        _discard(temp)
        raise
    return paths[0]


def _replace(temp: Path, target: Path) -> None:
    os.replace(temp, target)


def _discard(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; Windows has no directory handles)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
