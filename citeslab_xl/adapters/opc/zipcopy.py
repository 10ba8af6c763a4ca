"""A zip written entry by entry, in which an entry of her file is copied as it stands there.

Python's zipfile can only write an entry by compressing its bytes again, so that her parts would keep their
content but not their compressed bytes, and every refresh would pay to inflate and deflate all of them. Here an
entry of hers is a `Record`: the bytes from its local header to the end of its data (its data descriptor
included, when bit 3 of its flags says the sizes follow the data), and its central directory record, both as in
her file; only the offset of the local header, in the central record, is written anew. A part the tool makes or
changes is compressed here, with the headers zipfile would give it.

Her file may use ZIP64 (its central records' offsets are then patched where ZIP64 put them); the new file never
needs it, because the reader refuses a workbook past 512 MB uncompressed: a file that would need it (4 GB,
65,535 entries) is refused before anything is written, and so is an entry that cannot be copied (encrypted, a
local header or a data descriptor that does not agree with the central directory).
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import BinaryIO

from citeslab_xl.core.errors import WriteRefused

LOCAL = struct.Struct("<4s2B4HL2L2H")
CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
END = struct.Struct("<4s4H2LH")
ZIP64_END = struct.Struct("<4sQ2H2L4Q")
ZIP64_LOCATOR = struct.Struct("<4sLQL")
LOCAL_SIGNATURE, CENTRAL_SIGNATURE, END_SIGNATURE = b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06"
ZIP64_END_SIGNATURE, ZIP64_LOCATOR_SIGNATURE, DESCRIPTOR_SIGNATURE = b"PK\x06\x06", b"PK\x06\x07", b"PK\x07\x08"
ZIP64_EXTRA = 0x0001
ZIP64_MARK = 0xFFFFFFFF
MAX_ENTRIES = 0xFFFF
MAX_OFFSET = 0xFFFFFFFF
ENCRYPTED, DESCRIPTOR_FOLLOWS, UTF8_NAME = 0x1, 0x8, 0x800
CENTRAL_OFFSET_AT = 42  # the local header's offset in a central record
MAX_COMMENT = 0xFFFF
RESAVE = "ouvrez et réenregistrez le classeur dans Excel, puis relancez ; rien n'a été écrit."


@dataclass(frozen=True)
class Record:
    """One entry as the new file holds it: `stored` from its local header to the end of its data (descriptor
    included), and its central directory record, whose `offset_at` (4 bytes, or 8 in a ZIP64 field) receives
    the place of the local header in the new file."""

    filename: str
    stored: bytes
    central: bytes
    offset_at: int = CENTRAL_OFFSET_AT
    offset_size: int = 4

    def central_at(self, offset: int) -> bytes:
        if offset >= (1 << 8 * self.offset_size) - 1:  # all ones marks a ZIP64 value
            raise WriteRefused(_too_large())
        end = self.offset_at + self.offset_size
        return self.central[:self.offset_at] + offset.to_bytes(self.offset_size, "little") + self.central[end:]


class ZipWriter:
    """Writes records one after the other to `fp`, then the central directory and the end record."""

    def __init__(self, fp: BinaryIO):
        self.fp = fp
        self._position = fp.tell()
        self._central: list[bytes] = []

    def write(self, record: Record) -> None:
        self._central.append(record.central_at(self._position))
        self.fp.write(record.stored)
        self._position += len(record.stored)

    def close(self) -> None:
        directory = b"".join(self._central)
        count = len(self._central)
        self.fp.write(directory)
        self.fp.write(END.pack(END_SIGNATURE, 0, 0, count, count, len(directory), self._position, 0))


def check_fits(records: list[Record]) -> None:
    """Refuse, before a byte is written, a file that only ZIP64 could describe."""
    size = sum(len(record.stored) + len(record.central) for record in records)
    if len(records) >= MAX_ENTRIES or size >= MAX_OFFSET:
        raise WriteRefused(_too_large())


def compressed(info: zipfile.ZipInfo, data: bytes) -> Record:
    """The record of a part the tool makes or changes, with the headers zipfile's `writestr` would give it."""
    method = zipfile.ZIP_STORED if info.compress_type == zipfile.ZIP_STORED else zipfile.ZIP_DEFLATED
    body = data if method == zipfile.ZIP_STORED else _deflated(data)
    if max(len(body), len(data)) >= MAX_OFFSET:
        raise WriteRefused(_too_large())
    try:
        name, flags = info.filename.encode("ascii"), 0
    except UnicodeEncodeError:
        name, flags = info.filename.encode("utf-8"), UTF8_NAME
    crc = zlib.crc32(data)
    dos_time, dos_date = _dos_time(info.date_time)
    local = LOCAL.pack(LOCAL_SIGNATURE, info.extract_version, info.reserved, flags, method, dos_time, dos_date,
                       crc, len(body), len(data), len(name), len(info.extra))
    central = CENTRAL.pack(CENTRAL_SIGNATURE, info.create_version, info.create_system, info.extract_version,
                           info.reserved, flags, method, dos_time, dos_date, crc, len(body), len(data), len(name),
                           len(info.extra), len(info.comment), 0, info.internal_attr,
                           info.external_attr or 0o600 << 16, 0)
    return Record(info.filename, local + name + info.extra + body, central + name + info.extra + info.comment)


def read_records(data: bytes, label: str) -> list[Record]:
    """Every entry of the zip `data` as it stands there, in the order of its central directory."""
    start, count, concat = _directory(data, label)
    records = []
    position = start
    for _ in range(count):
        record, position = _entry(data, position, concat, label)
        records.append(record)
    return records


def _deflated(data: bytes) -> bytes:
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def _dos_time(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    return hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day


def _directory(data: bytes, label: str) -> tuple[int, int, int]:
    """Where the central directory starts, how many records it has, and the bytes put before the zip."""
    at = data.rfind(END_SIGNATURE, max(0, len(data) - END.size - MAX_COMMENT))
    if at < 0 or at + END.size > len(data):
        raise WriteRefused(f"{label} : la fin de l'archive est introuvable ; {RESAVE}")
    _, _, _, _, count, size, offset, _ = END.unpack_from(data, at)
    end_at = at
    locator_at = at - ZIP64_LOCATOR.size
    if locator_at >= 0 and data[locator_at:at].startswith(ZIP64_LOCATOR_SIGNATURE):
        end_at = locator_at - ZIP64_END.size
        fields = ZIP64_END.unpack_from(data, end_at) if end_at >= 0 else ()
        if not fields or fields[0] != ZIP64_END_SIGNATURE:
            raise WriteRefused(f"{label} : la fin ZIP64 de l'archive est endommagée ; {RESAVE}")
        count, size, offset = fields[6], fields[7], fields[8]
    concat = end_at - size - offset
    if concat < 0:
        raise WriteRefused(f"{label} : le répertoire de l'archive est mal placé ; {RESAVE}")
    return offset + concat, count, concat


def _entry(data: bytes, position: int, concat: int, label: str) -> tuple[Record, int]:
    """The record whose central directory record is at `position`, and where the next one starts."""
    if data[position:position + 4] != CENTRAL_SIGNATURE:
        raise WriteRefused(f"{label} : le répertoire de l'archive est endommagé ; {RESAVE}")
    fields = CENTRAL.unpack_from(data, position)
    flags, crc, packed, size, name_size, extra_size, comment_size = (fields[5], *fields[9:15])
    end = position + CENTRAL.size + name_size + extra_size + comment_size
    raw_name = data[position + CENTRAL.size:position + CENTRAL.size + name_size]
    filename = zipfile.ZipInfo(raw_name.decode("utf-8" if flags & UTF8_NAME else "cp437")).filename
    if flags & ENCRYPTED:
        raise WriteRefused(f"{label} : la partie « {filename} » est chiffrée et l'outil ne sait pas la recopier ; "
                           f"{RESAVE}")
    extra = data[position + CENTRAL.size + name_size:position + CENTRAL.size + name_size + extra_size]
    offset_at, offset_size = CENTRAL_OFFSET_AT, 4
    values = _zip64_values(extra, [(size, 8), (packed, 8), (fields[18], 8)])
    size, packed = values[0][0], values[1][0]
    local_offset = values[2][0] + concat
    if values[2][1] is not None:
        offset_at, offset_size = CENTRAL.size + name_size + values[2][1], 8
    stored = _stored(data, local_offset, raw_name, (crc, packed, size), filename, label)
    return Record(filename, stored, data[position:end], offset_at, offset_size), end


def _zip64_values(extra: bytes, fields: list[tuple[int, int]]) -> list[tuple[int, int | None]]:
    """Each 32-bit field's value, from the ZIP64 extra field where it is marked 0xFFFFFFFF, with its place
    in `extra` (None when the value is the 32-bit field's own)."""
    place = _zip64_field(extra)
    resolved: list[tuple[int, int | None]] = []
    for value, width in fields:
        if value != ZIP64_MARK or place is None or place + width > len(extra):
            resolved.append((value, None))
            continue
        resolved.append((int.from_bytes(extra[place:place + width], "little"), place))
        place += width
    return resolved


def _zip64_field(extra: bytes) -> int | None:
    """Where the values of the ZIP64 extra field start in `extra`, if it has one."""
    at = 0
    while at + 4 <= len(extra):
        kind, length = struct.unpack_from("<2H", extra, at)
        if kind == ZIP64_EXTRA:
            return at + 4
        at += 4 + length
    return None


def _stored(data: bytes, offset: int, raw_name: bytes, central: tuple[int, int, int], filename: str,
            label: str) -> bytes:
    """The bytes of an entry from its local header to the end of its data and descriptor, checked against the
    central directory's crc and sizes."""
    damaged = f"{label} : l'en-tête de la partie « {filename} » ne correspond pas au répertoire de l'archive ; {RESAVE}"
    if data[offset:offset + 4] != LOCAL_SIGNATURE or offset + LOCAL.size > len(data):
        raise WriteRefused(damaged)
    fields = LOCAL.unpack_from(data, offset)
    flags, name_size, extra_size = fields[3], fields[10], fields[11]
    start = offset + LOCAL.size + name_size + extra_size
    if data[offset + LOCAL.size:offset + LOCAL.size + name_size] != raw_name:
        raise WriteRefused(damaged)
    end = start + central[1]
    if end > len(data):
        raise WriteRefused(damaged)
    if flags & DESCRIPTOR_FOLLOWS:
        end += _descriptor_size(data, end, central, filename, label)
    return data[offset:end]


def _descriptor_size(data: bytes, at: int, central: tuple[int, int, int], filename: str, label: str) -> int:
    """The size of the data descriptor at `at`: with or without its signature, sizes on 4 or 8 bytes, the form
    whose crc and sizes are the central directory's."""
    for signature in (DESCRIPTOR_SIGNATURE, b""):
        if not data.startswith(signature, at):
            continue
        for width in ("L", "Q"):
            layout = struct.Struct(f"<L2{width}")
            begin = at + len(signature)
            if begin + layout.size <= len(data) and layout.unpack_from(data, begin) == central:
                return len(signature) + layout.size
    raise WriteRefused(f"{label} : le descripteur de données de la partie « {filename} » ne correspond pas au "
                       f"répertoire de l'archive ; {RESAVE}")


def _too_large() -> str:
    return ("le classeur produit dépasserait 4 Go ou 65 535 parties, ce qu'il faudrait décrire en ZIP64, "
            "que l'outil n'écrit pas ; rien n'a été écrit.")
