"""An OPC package read into parts, and the edit that makes a new package from it.

A .xlsx is a zip of parts linked by relationships. `Package` reads every
part; `PackageEdit` records the parts replaced, added and removed, and gives
the zip entries of the new package: the original parts in their order, with
their names, bytes and zip metadata unless replaced, then the new parts.
`write_zip` copies each part left as it was from her file as it stands there
(compressed bytes, headers, descriptor: `zipcopy`) and compresses only the
parts the edit made or changed.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cached_property
from typing import BinaryIO
from xml.etree.ElementTree import Element
from xml.parsers import expat

from defusedxml import ElementTree

from citeslab_xl.adapters.opc import content_types, zipcopy
from citeslab_xl.adapters.opc.constants import CT
from citeslab_xl.adapters.opc.content_types import ContentTypes
from citeslab_xl.adapters.opc.packuri import CONTENT_TYPES_URI, PACKAGE_URI, PackURI
from citeslab_xl.adapters.opc.rels import Rel, parse
from citeslab_xl.adapters.opc.zipcopy import Record, ZipWriter
from citeslab_xl.core.errors import UnusableWorkbook, WriteRefused

NEW_PART_TIME = (1980, 1, 1, 0, 0, 0)  # no clock time inside the file: same input, same bytes
Entry = tuple[zipfile.ZipInfo, bytes | None]
"""A zip entry of the new package and its part's bytes; None for a part of hers kept as it was (`KeptInfo`),
which is copied from her file as it stands there and never inflated."""
WriteEntry = Callable[[ZipWriter, Record, bytes], None]
"""Writes one entry of the new file: the writer, the entry's record, and the bytes it takes in the file."""


class KeptInfo(zipfile.ZipInfo):
    """The zip entry of a part of hers left as it was: `record` is the entry as it stands in her file."""

    __slots__ = ("record",)

    def __init__(self, info: zipfile.ZipInfo, record: Record):
        super().__init__(info.filename, info.date_time)
        self.compress_type, self.CRC = info.compress_type, info.CRC
        self.compress_size, self.file_size = info.compress_size, info.file_size
        self.external_attr, self.create_system, self.comment = info.external_attr, info.create_system, info.comment
        self.record = record


UNREADABLE = (zipfile.BadZipFile, NotImplementedError, OSError, ValueError, EOFError)
CHECK_CHUNK = 1 << 20


class _Parts(Mapping[PackURI, bytes]):
    """The parts by name, each inflated when asked for and not kept: her data sheets, inflated, weigh ten times
    her file, and the writer reads only the few parts it edits."""

    def __init__(self, archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]):
        self.archive = archive
        self.infos = {PackURI.from_membername(info.filename): info for info in infos}

    def __getitem__(self, name: PackURI) -> bytes:
        return self.archive.read(self.infos[name])

    def __iter__(self) -> Iterator[PackURI]:
        return iter(self.infos)

    def __len__(self) -> int:
        return len(self.infos)

    def __contains__(self, name: object) -> bool:
        return name in self.infos

    def check(self) -> None:
        """Inflate every part once, chunk by chunk, so that a damaged one (bad data, CRC) is refused up front."""
        for info in self.infos.values():
            with self.archive.open(info) as part:
                while part.read(CHECK_CHUNK):
                    pass


class Package:
    """The parts of an OPC package, by part name."""

    def __init__(self, data: bytes, label: str):
        self.label = label
        self.data = data
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            self.infos = archive.infolist()
            _refuse_encrypted(self.infos, label)
            self.parts = _Parts(archive, self.infos)
            self.parts.check()
        except UNREADABLE as exc:
            raise UnusableWorkbook(f"{label} : archive illisible ({exc}) ; reprenez une copie intacte "
                                   "(ou la sauvegarde .bak).") from None
        self._by_lower = {name.lower(): name for name in self.parts}

    @cached_property
    def records(self) -> list[Record]:
        """Each entry of `infos` as it stands in the file, for a copy that keeps every byte of it."""
        records = zipcopy.read_records(self.data, self.label)
        if [record.filename for record in records] != [info.filename for info in self.infos]:
            raise WriteRefused(f"{self.label} : le répertoire de l'archive ne se lit pas comme zipfile le lit ; "
                               f"{zipcopy.RESAVE}")
        return records

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
        entries: list[Entry] = []
        for info, record in zip(self.package.infos, self.package.records, strict=True):
            name = PackURI.from_membername(info.filename)
            if name in self.parts and self.parts[name] != self.package.parts[name]:
                entries.append((_copy_info(info), self.parts[name]))
            elif name in self.parts or name not in self.removed:  # a part put back as it was is kept as it was
                entries.append((KeptInfo(info, record), None))
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


def _refuse_encrypted(infos: list[zipfile.ZipInfo], label: str) -> None:
    """zipfile would raise a bare RuntimeError on the first encrypted part it reads."""
    for info in infos:
        if info.flag_bits & zipcopy.ENCRYPTED:
            raise UnusableWorkbook(f"{label} : la partie « {info.filename} » est chiffrée (mot de passe) ; ouvrez le "
                                   "classeur dans Excel, retirez le mot de passe et enregistrez-le, puis réessayez.")


def _write_entry(archive: ZipWriter, record: Record, data: bytes) -> None:
    archive.write(record)


def _record(info: zipfile.ZipInfo, data: bytes | None) -> Record:
    if isinstance(info, KeptInfo):
        return info.record
    if data is None:
        raise ValueError(f"{info.filename} : une partie nouvelle ou modifiée sans contenu")
    return zipcopy.compressed(info, data)


def write_zip(handle: BinaryIO, entries: Iterable[Entry], write_entry: WriteEntry = _write_entry) -> None:
    """The package made of `entries`, written to `handle` one entry at a time through `write_entry`: a part
    kept as it was is copied as it stands in her file, the others are compressed. Every entry is ready, and
    the file known to fit without ZIP64, before the first byte is written."""
    records = [_record(info, data) for info, data in entries]
    zipcopy.check_fits(records)
    archive = ZipWriter(handle)
    for record in records:
        write_entry(archive, record, record.stored)
    archive.close()
