"""A VBA project in the form every Office build loads ([MS-OVBA], the interoperable write rules).

pyOpenVBA writes a project Excel accepts, but not the one the specification
asks a writer for: its `_VBA_PROJECT` stream keeps the template's version and
a zeroed performance cache, modules taken from its template keep their
compiled p-code, the `dir` stream has four bytes past its terminator, and a
module reaches the file with whatever line endings its source had. A build of
Office that trusts the version, the cache or the p-code, or that reads the
`dir` stream to its end, can then refuse the project or run stale code.

`interoperable_project(bin)` rewrites a `vbaProject.bin` so that:
- `_VBA_PROJECT` is the 7-byte stream of version 0xFFFF without a cache
  (2.3.4.1), and no `__SRP_*` cache stream is left;
- every module stream holds its compressed source only, MODULEOFFSET 0
  (2.3.4.3), in CRLF line endings;
- the `dir` stream ends at its terminator (2.3.4.2), with PROJECTCOOKIE and
  MODULECOOKIE at 0xFFFF, the value a writer must give them.
Everything else (the PROJECT stream, references, forms) is kept as it is.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

from pyopenvba.cfb import CFB
from pyopenvba.exceptions import CFBError, VBAProjectError
from pyopenvba.vba import compress, decompress, encoding_for_codepage

INTEROPERABLE_VBA_PROJECT = bytes.fromhex("CC61FFFF000100")
VBA_STORAGE = "VBA"
PROJECT_PART = "xl/vbaProject.bin"  # where Excel, and pyOpenVBA, put the project in an .xlsm

# Record ids of the dir stream ([MS-OVBA] 2.3.4.2).
CODE_PAGE = 0x0003
PROJECT_VERSION = 0x0009  # its Size field says 4, but 6 bytes of data follow it
TERMINATOR = 0x0010
PROJECT_COOKIE = 0x0013
MODULE_STREAM_NAME = 0x001A
MODULE_COOKIE = 0x002C
MODULE_OFFSET = 0x0031
MODULE_STREAM_NAME_UNICODE = 0x0032
WRITE_COOKIE = struct.pack("<H", 0xFFFF)


class UnreadableVBAProject(ValueError):
    """The bytes are not a VBA project this module can rewrite."""


@dataclass
class _Record:
    rid: int
    size: int  # the Size field as stored (PROJECTVERSION's does not count its data)
    data: bytes

    def to_bytes(self) -> bytes:
        return struct.pack("<HI", self.rid, self.size) + self.data


def interoperable_project(project_bin: bytes) -> bytes:
    """The VBA project `project_bin` (a vbaProject.bin) rewritten in the interoperable form."""
    try:
        cfb = CFB.from_bytes(project_bin)
        records = _dir_records(decompress(cfb.get_stream_in_storage(VBA_STORAGE, "dir"), stream_name="dir"))
        encoding = _encoding(records)
        for stream, offset in _module_streams(records, encoding):
            source = decompress(cfb.get_stream_in_storage(VBA_STORAGE, stream)[offset:], stream_name=stream)
            cfb.write_stream_in_storage(VBA_STORAGE, stream, compress(crlf(source)))
        cfb.write_stream_in_storage(VBA_STORAGE, "dir", compress(_written_dir(records)))
        cfb.write_stream_in_storage(VBA_STORAGE, "_VBA_PROJECT", INTEROPERABLE_VBA_PROJECT)
    except (CFBError, VBAProjectError, LookupError, UnicodeDecodeError, struct.error) as error:
        raise UnreadableVBAProject(f"not a readable VBA project: {error}") from error
    cfb.drop_streams_in_storage(VBA_STORAGE, lambda name: name.startswith("__SRP_"))
    return cfb.to_bytes()


def make_package_interoperable(path: Path, part: str = PROJECT_PART) -> None:
    """Rewrite, in place, the VBA project of the macro-enabled package at `path`; every other part is kept."""
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    if not any(info.filename == part for info, _ in entries):
        raise UnreadableVBAProject(f"{path.name} has no {part}")
    rewritten = io.BytesIO()
    with zipfile.ZipFile(rewritten, "w") as target:
        for info, data in entries:
            target.writestr(info, interoperable_project(data) if info.filename == part else data)
    path.write_bytes(rewritten.getvalue())


def crlf(source: bytes) -> bytes:
    """`source` with every line ending CRLF.

    Done on the bytes: in the code pages VBA uses, no byte of a multi-byte
    character is CR or LF.
    """
    return re.sub(rb"\r\n|\r|\n", b"\r\n", source)


def _dir_records(raw: bytes) -> list[_Record]:
    """The records of a decompressed dir stream, up to and with its terminator."""
    records, at = [], 0
    while True:
        rid, size = struct.unpack_from("<HI", raw, at)
        length = 6 if rid == PROJECT_VERSION else size
        data = raw[at + 6:at + 6 + length]
        if len(data) != length:
            raise UnreadableVBAProject("the dir stream ends inside a record, before its terminator")
        records.append(_Record(rid, size, data))
        at += 6 + length
        if rid == TERMINATOR:
            return records


def _written_dir(records: list[_Record]) -> bytes:
    """The dir stream of `records` with the offsets and cookies a writer gives, ending at its terminator."""
    for record in records:
        if record.rid == MODULE_OFFSET:
            record.data = struct.pack("<I", 0)
        elif record.rid in (PROJECT_COOKIE, MODULE_COOKIE):
            record.data = WRITE_COOKIE
    return b"".join(record.to_bytes() for record in records)


def _encoding(records: list[_Record]) -> str:
    found = next((record for record in records if record.rid == CODE_PAGE), None)
    if found is None:
        raise UnreadableVBAProject("the dir stream names no code page")
    return encoding_for_codepage(struct.unpack("<H", found.data)[0])


def _module_streams(records: list[_Record], encoding: str) -> list[tuple[str, int]]:
    """Each module's stream name and MODULEOFFSET, in the dir stream's order."""
    modules: list[tuple[str, int]] = []
    name = ""
    for record in records:
        if record.rid == MODULE_STREAM_NAME:
            name = record.data.decode(encoding)
        elif record.rid == MODULE_STREAM_NAME_UNICODE:
            name = record.data.decode("utf-16-le")
        elif record.rid == MODULE_OFFSET:
            modules.append((name, struct.unpack("<I", record.data)[0]))
    return modules
