"""An OPC package read into parts, and the edit that makes a new package from it.

A .xlsx is a zip of parts linked by relationships. `Package` reads every
part; `PackageEdit` records the parts replaced, added and removed, and gives
the zip entries of the new package: the original parts in their order, with
their names, bytes and zip metadata unless replaced, then the new parts.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import BinaryIO
from xml.etree.ElementTree import Element
from xml.parsers import expat

from defusedxml import ElementTree

from citeslab_xl.adapters.opc import content_types
from citeslab_xl.adapters.opc.constants import CT
from citeslab_xl.adapters.opc.content_types import ContentTypes
from citeslab_xl.adapters.opc.packuri import CONTENT_TYPES_URI, PACKAGE_URI, PackURI
from citeslab_xl.adapters.opc.rels import Rel, parse
from citeslab_xl.core.errors import UnusableWorkbook, WriteRefused

NEW_PART_TIME = (1980, 1, 1, 0, 0, 0)  # no clock time inside the file: same input, same bytes
Entry = tuple[zipfile.ZipInfo, bytes]
WriteEntry = Callable[[zipfile.ZipFile, zipfile.ZipInfo, bytes], None]


class Package:
    """The parts of an OPC package, by part name."""

    def __init__(self, data: bytes, label: str):
        self.label = label
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                self.infos = archive.infolist()
                self.parts = {PackURI.from_membername(info.filename): archive.read(info) for info in self.infos}
        except (zipfile.BadZipFile, NotImplementedError, OSError, ValueError, EOFError) as exc:
            raise UnusableWorkbook(f"{label} : archive illisible ({exc}) ; reprenez une copie intacte "
                                   "(ou la sauvegarde .bak).") from None
        self._by_lower = {name.lower(): name for name in self.parts}

    def find(self, name: str) -> PackURI | None:
        """The part named `name` as the package spells it: part names are case-insensitive."""
        return self._by_lower.get(name.lower())

    def xml(self, part: PackURI) -> Element:
        try:
            return ElementTree.fromstring(self.parts[part])
        except Exception:  # defusedxml and expat raise several types for a broken or hostile part
            raise UnusableWorkbook(f"{self.label} : la partie « {part.membername} » est endommagée ; "
                                   "ouvrez et réenregistrez le classeur dans Excel, puis relancez.") from None

    def text(self, part: PackURI) -> str:
        try:
            return self.parts[part].decode("utf-8-sig")
        except UnicodeDecodeError:
            raise WriteRefused(f"{self.label} : la partie « {part.membername} » n'est pas en UTF-8 et l'outil ne "
                               "sait pas la modifier ; réenregistrez le classeur dans Excel, puis relancez.") from None

    def rels(self, part: PackURI) -> list[Rel]:
        """The relationships of `part` (`PACKAGE_URI` for the package's own), internal targets as stored."""
        name = self.find(part.rels_uri)
        if name is None:
            return []
        return [rel if rel.external else Rel(rel.id, rel.type, self.find(rel.target) or rel.target, False)
                for rel in parse(self.xml(name), part)]

    def internal_targets(self, part: PackURI) -> list[PackURI]:
        """The parts of the package that `part`'s relationships reach."""
        return [name for rel in self.rels(part) if not rel.external and (name := self.find(rel.target))]

    @cached_property
    def content_types(self) -> ContentTypes:
        return ContentTypes.parse(self.xml(CONTENT_TYPES_URI))

    def content_type(self, part: PackURI) -> str:
        return self.content_types.of(part)

    def reachable(self, starts: Iterable[PackURI], blocked: set[PackURI]) -> set[PackURI]:
        """The parts reached from `starts` through relationships, without passing through `blocked`."""
        seen: set[PackURI] = set()
        stack = list(starts)
        while stack:
            part = stack.pop()
            if part in seen or part in blocked:
                continue
            seen.add(part)
            stack.extend(self.internal_targets(part))
        return seen

    def parts_only_reached_from(self, roots: list[PackURI]) -> set[PackURI]:
        """The parts that `roots` reach and nothing else does, with their rels parts."""
        if not roots:
            return set()
        mine = self.reachable(roots, set())
        others = self.reachable([PACKAGE_URI], set(roots))
        parts = mine - others - {PACKAGE_URI}
        return parts | {name for part in parts if (name := self.find(part.rels_uri))}


class PackageEdit:
    """The package being changed: parts replaced, added and removed, names taken."""

    def __init__(self, package: Package):
        self.package = package
        self.parts: dict[PackURI, bytes] = {}  # new content, by part name
        self.types: dict[PackURI, str] = {}  # the content type each new or retyped part must have
        self.removed: set[PackURI] = set()
        self.taken = {name.lower() for name in package.parts}

    def remove(self, names: set[PackURI]) -> None:
        self.removed |= names
        self.taken -= {name.lower() for name in names}

    def reserve(self, name: PackURI) -> PackURI:
        self.taken.add(name.lower())
        return name

    def free_name(self, like: PackURI) -> PackURI:
        """A name for a new part, like `like` and free in the package (`/xl/charts/chart3.xml`)."""
        return self.reserve(like.first_free(self.taken))

    def put(self, name: PackURI, data: bytes, content_type: str) -> None:
        self.parts[name] = data
        self.types[name] = content_type

    def set_type(self, name: PackURI, content_type: str) -> None:
        """Give an existing part another content type."""
        self.types[name] = content_type

    def text(self, name: PackURI) -> str:
        return self.parts[name].decode() if name in self.parts else self.package.text(name)

    def put_text(self, name: PackURI, text: str) -> None:
        self.parts[name] = text.encode("utf-8")

    def _rels_name(self, part: PackURI) -> PackURI:
        return self.package.find(part.rels_uri) or part.rels_uri

    def rels_text(self, part: PackURI) -> str | None:
        """The text of `part`'s rels part, as edited so far (None when it has none)."""
        name = self._rels_name(part)
        return self.text(name) if name in self.parts or name in self.package.parts else None

    def put_rels(self, part: PackURI, text: str) -> None:
        """Store `part`'s rels part, declaring its content type when the part is new."""
        name = self._rels_name(part)
        if name in self.package.parts:
            self.put_text(name, text)
        else:
            self.put(name, text.encode("utf-8"), CT.RELATIONSHIPS)

    def entries(self) -> list[Entry]:
        """The zip entries of the new package, its content types brought up to date and every XML part checked."""
        self._update_content_types()
        self._check_well_formed()
        entries = []
        for info in self.package.infos:
            name = PackURI.from_membername(info.filename)
            if name in self.parts:
                entries.append((_copy_info(info), self.parts[name]))
            elif name not in self.removed:
                entries.append((_copy_info(info), self.package.parts[name]))
        for name, data in self.parts.items():
            if name not in self.package.parts:
                info = zipfile.ZipInfo(name.membername, NEW_PART_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                entries.append((info, data))
        return entries

    def _update_content_types(self) -> None:
        text = self.text(CONTENT_TYPES_URI)
        new = content_types.updated(text, self.package.content_types, self.types, self.removed)
        if new != text:
            self.put_text(CONTENT_TYPES_URI, new)

    def _check_well_formed(self) -> None:
        """A splice bug must not reach the user's file (expat without handlers: no tree is built)."""
        for name, data in self.parts.items():
            if name.endswith((".xml", ".rels")):
                try:
                    expat.ParserCreate().Parse(data, True)
                except expat.ExpatError as error:
                    raise expat.ExpatError(f"{name} : {error}") from error


def _copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    copy = zipfile.ZipInfo(info.filename, info.date_time)
    copy.compress_type = info.compress_type
    copy.external_attr = info.external_attr
    copy.create_system = info.create_system
    copy.comment = info.comment
    return copy


def _write_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes) -> None:
    archive.writestr(info, data)


def write_zip(handle: BinaryIO, entries: Iterable[Entry], write_entry: WriteEntry = _write_entry) -> None:
    """The package made of `entries`, written to `handle` one entry at a time through `write_entry`."""
    with zipfile.ZipFile(handle, "w") as archive:
        for info, data in entries:
            write_entry(archive, info, data)
