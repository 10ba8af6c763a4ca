"""Every entry of hers that a refresh leaves as it was is copied as it stands in her file (adapters/opc/zipcopy.py).

Her entries are read here with zipfile's central directory, not the copier's: after a refresh, each part whose
bytes did not change has the same local header, compressed bytes, data descriptor and central directory fields
(method, CRC, sizes, time, flags, extra fields, attributes) as in her file. The files come from the demo, the
public corpus, and workbooks re-zipped here by hand the way other producers write them: sizes in a data
descriptor after the data (with and without its signature), stored entries, ZIP64 fields. An entry that cannot
be copied is refused before anything is written.
"""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import AS_OF
from libreoffice import requires_soffice, to_ods
from workbook_packages import CORPUS, RUN_1, VALIDATOR, WRITABLE, corpus_copy, folder_state, generated, parts_of

from citeslab_xl.adapters.opc import zipcopy
from citeslab_xl.adapters.opc.package import write_zip
from citeslab_xl.adapters.writer import write_generated
from citeslab_xl.core.errors import UnusableWorkbook, WriteRefused
from citeslab_xl.doors import api

DESCRIPTOR_SIGNATURE = b"PK\x07\x08"
ZIP64_FIELD = struct.pack("<2H", 1, 24)
FORMS = ["plain", "descriptor", "unsigned descriptor", "zip64", "zip64 descriptor"]


@dataclass(frozen=True)
class Span:
    central: tuple
    local_header: bytes
    compressed: bytes
    descriptor: bytes


def spans(path: Path) -> dict[str, Span]:
    """Each entry of the zip at `path`, found through zipfile's reading of its central directory."""
    data = path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
    found = {}
    for info in infos:
        at = info.header_offset
        name_size, extra_size = struct.unpack_from("<2H", data, at + 26)
        start = at + 30 + name_size + extra_size
        end = start + info.compress_size
        local_extra = data[at + 30 + name_size:start]
        found[info.filename] = Span(
            (info.compress_type, info.CRC, info.compress_size, info.file_size, info.date_time, info.flag_bits,
             _without_offset(info), info.create_system, info.create_version, info.extract_version, info.reserved,
             info.external_attr, info.internal_attr, info.comment),
            data[at:start], data[start:end], data[end:end + _descriptor_size(data, end, info, local_extra)])
    return found


def _without_offset(info: zipfile.ZipInfo) -> bytes:
    """The central extra fields but the place of the local header, which ZIP64 puts there (the last of the three
    values of `handmade_zip`'s ZIP64 field): checked to be where the entry now starts."""
    if not info.extra.startswith(ZIP64_FIELD):
        return info.extra
    assert info.extra[-8:] == struct.pack("<Q", info.header_offset), info.filename
    return info.extra[:-8]


def _descriptor_size(data: bytes, end: int, info: zipfile.ZipInfo, local_extra: bytes) -> int:
    if not info.flag_bits & 0x8:
        return 0
    sizes = 16 if local_extra[:2] == b"\x01\x00" else 8
    return 4 + sizes + (4 if data.startswith(DESCRIPTOR_SIGNATURE, end) else 0)


def assert_her_entries_copied(before: Path, after: Path) -> int:
    """Each part of `before` that `after` holds with the same bytes is the same entry; returns how many."""
    old, new = parts_of(before), parts_of(after)
    old_spans, new_spans = spans(before), spans(after)
    kept = [name for name, data in old.items() if new.get(name) == data]
    for name in kept:
        assert new_spans[name] == old_spans[name], name
    unzip_test(after)
    return len(kept)


def unzip_test(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
    if shutil.which("unzip"):
        done = subprocess.run(["unzip", "-tq", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


# --- zips made by hand, as other producers write them -----------------------------------------------

def handmade_zip(parts: dict[str, bytes], form_of, stored: set[str] = frozenset()) -> bytes:
    """`parts` zipped entry by entry in the form `form_of(index)` gives, `stored` ones left uncompressed."""
    out, central = io.BytesIO(), []
    for index, (name, data) in enumerate(parts.items()):
        method = 0 if name in stored else 8
        body = data if method == 0 else _deflate(data)
        central.append(_write_entry(out, name.encode(), data, body, method, form_of(index)))
    start = out.tell()
    directory = b"".join(central)
    out.write(directory)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), len(directory), start, 0))
    return out.getvalue()


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def _write_entry(out: io.BytesIO, name: bytes, data: bytes, body: bytes, method: int, form: str) -> bytes:
    """Writes one entry; returns its central directory record."""
    offset, crc = out.tell(), zlib.crc32(data)
    descriptor, zip64 = "descriptor" in form, form.startswith("zip64")
    flags = 0x8 if descriptor else 0
    local_sizes = (0, 0, 0) if descriptor else (crc, len(body), len(data))
    local_extra = b""
    if zip64:
        local_sizes = (local_sizes[0], 0xFFFFFFFF, 0xFFFFFFFF)
        local_extra = struct.pack("<2H2Q", 1, 16, *((0, 0) if descriptor else (len(data), len(body))))
    time_date = (0x6D2A, 0x5A4C)  # 2025-02-12 13:41:20
    out.write(struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", 45 if zip64 else 20, 0, flags, method, *time_date,
                          *local_sizes, len(name), len(local_extra)) + name + local_extra + body)
    if descriptor:
        signature = b"" if form == "unsigned descriptor" else DESCRIPTOR_SIGNATURE
        out.write(signature + struct.pack("<L2Q" if zip64 else "<L2L", crc, len(body), len(data)))
    sizes, extra = (len(body), len(data), offset), b""
    if zip64:
        sizes, extra = (0xFFFFFFFF,) * 3, struct.pack("<2H3Q", 1, 24, len(data), len(body), offset)
    return struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 45 if zip64 else 20, 0, 45 if zip64 else 20, 0, flags,
                       method, *time_date, crc, *sizes[:2], len(name), len(extra), 0, 0, 0, 0o644 << 16,
                       sizes[2]) + name + extra


def rezipped(path: Path, form_of, stored: set[str] = frozenset(), first: tuple[str, ...] = ()) -> Path:
    """The workbook at `path` zipped again by `handmade_zip`, the parts `first` put before the others."""
    parts = parts_of(path)
    ordered = {name: parts[name] for name in first} | parts
    path.write_bytes(handmade_zip(ordered, form_of, stored))
    return path


def every_form(index: int) -> str:
    return FORMS[index % len(FORMS)]


# --- her entries copied --------------------------------------------------------------------------

def test_a_refresh_of_the_demo_copies_each_of_her_entries(demo_copy, tmp_path):
    before = tmp_path / "avant.xlsx"
    shutil.copyfile(demo_copy, before)
    api.refresh(demo_copy, as_of=AS_OF)
    kept = assert_her_entries_copied(before, demo_copy)
    assert kept >= len(parts_of(before)) - 8  # all but the parts a refresh shares with Excel


def test_a_second_refresh_copies_the_sheets_the_first_wrote(demo_copy, tmp_path):
    api.refresh(demo_copy, as_of=AS_OF)
    first = tmp_path / "premier.xlsx"
    shutil.copyfile(demo_copy, first)
    api.refresh(demo_copy, as_of=AS_OF)
    assert assert_her_entries_copied(first, demo_copy) > len(parts_of(first)) // 2


@pytest.mark.parametrize("name", WRITABLE)
def test_a_write_into_a_corpus_workbook_copies_each_of_her_entries(tmp_path, name):
    path = corpus_copy(tmp_path, name)
    write_generated(path, generated(), journal_row=RUN_1, keep_backups=0)
    assert assert_her_entries_copied(CORPUS / name, path) > 0


def test_the_corpus_has_descriptors_and_stored_entries():
    with zipfile.ZipFile(CORPUS / "date.xlsx") as archive:
        assert all(info.flag_bits & 0x8 for info in archive.infolist())
    with zipfile.ZipFile(CORPUS / "picture.xlsx") as archive:
        assert any(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())


def test_descriptors_stored_entries_and_zip64_fields_are_copied_as_they_stand(demo_copy, tmp_path):
    """The parts a refresh changes come first, so that every entry it copies lands at another offset."""
    rezipped(demo_copy, every_form, stored={"xl/styles.xml", "xl/worksheets/sheet1.xml", "docProps/core.xml"},
             first=("[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"))
    before = tmp_path / "avant.xlsx"
    shutil.copyfile(demo_copy, before)
    api.refresh(demo_copy, as_of=AS_OF)
    assert assert_her_entries_copied(before, demo_copy) >= len(parts_of(before)) - 8
    written = spans(demo_copy)
    assert any(span.descriptor.startswith(DESCRIPTOR_SIGNATURE) for span in written.values())
    assert any(span.descriptor and not span.descriptor.startswith(DESCRIPTOR_SIGNATURE) for span in written.values())
    assert written["docProps/core.xml"].central[0] == zipfile.ZIP_STORED
    with zipfile.ZipFile(before) as old, zipfile.ZipFile(demo_copy) as new:
        moved = [info for info in new.infolist() if info.extra.startswith(ZIP64_FIELD)
                 and info.header_offset != old.getinfo(info.filename).header_offset]
    assert len(moved) > 5  # ZIP64 fields kept, the offset in them written anew


def test_a_part_the_tool_makes_gets_the_headers_zipfile_would_give_it():
    for name, data in [("xl/worksheets/sheet9.xml", b"<worksheet/>" * 50), ("xl/m\u00e9dia/\u00e9.bin", b"\0\1")]:
        info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        theirs = io.BytesIO()
        with zipfile.ZipFile(theirs, "w") as archive:
            archive.writestr(info, data)
        ours = io.BytesIO()
        write_zip(ours, [(info, data)])
        assert ours.getvalue() == theirs.getvalue()


# --- what cannot be copied is refused, nothing written ----------------------------------------------

def test_a_data_descriptor_that_does_not_match_is_refused_before_anything_is_written(demo_copy):
    data = bytearray(handmade_zip(parts_of(demo_copy), lambda index: "descriptor"))
    at = data.find(DESCRIPTOR_SIGNATURE)
    data[at + 4:at + 8] = b"\0\0\0\0"  # the first entry's CRC, in its descriptor only: zipfile does not look
    demo_copy.write_bytes(bytes(data))
    before = folder_state(demo_copy.parent)
    with pytest.raises(WriteRefused, match=r"descripteur de données de la partie .* rien n'a été écrit"):
        write_generated(demo_copy, generated(), journal_row=RUN_1)
    assert folder_state(demo_copy.parent) == before


def test_an_encrypted_part_is_refused_before_anything_is_written(demo_copy):
    data = bytearray(demo_copy.read_bytes())
    with zipfile.ZipFile(demo_copy) as archive:
        info = archive.getinfo("docProps/app.xml")
    data[info.header_offset + 6] |= 0x1
    at = data.rfind(b"docProps/app.xml") - 46  # its central record: the directory comes after every entry
    assert data[at:at + 4] == b"PK\x01\x02"
    data[at + 8] |= 0x1
    demo_copy.write_bytes(bytes(data))
    before = folder_state(demo_copy.parent)
    with pytest.raises(UnusableWorkbook, match=r"« docProps/app\.xml » est chiffrée"):
        write_generated(demo_copy, generated(), journal_row=RUN_1)
    assert folder_state(demo_copy.parent) == before


def test_a_file_that_would_need_zip64_is_refused_before_anything_is_written():
    entries = [(zipfile.ZipInfo(f"xl/media/image{i}.png", (1980, 1, 1, 0, 0, 0)), b"") for i in range(0xFFFF)]
    handle = io.BytesIO()
    with pytest.raises(WriteRefused, match=r"ZIP64.*rien n'a été écrit"):
        write_zip(handle, entries)
    assert handle.getvalue() == b""


def test_a_central_directory_that_is_not_there_is_refused():
    with pytest.raises(WriteRefused, match="fin de l'archive est introuvable"):
        zipcopy.read_records(b"PK\x03\x04" + b"\0" * 40, "suivi.xlsx")


# --- the files others read ---------------------------------------------------------------------------

@pytest.mark.slow
@requires_soffice
def test_libreoffice_opens_a_refreshed_workbook_rezipped_by_hand(demo_copy, tmp_path):
    """Without the hand-made ZIP64 forms, which LibreOffice 7 refuses to load before any refresh."""
    rezipped(demo_copy, lambda index: FORMS[index % 3], stored={"xl/styles.xml"})
    api.refresh(demo_copy, as_of=AS_OF)
    ods = to_ods(demo_copy, tmp_path / "ods")
    with zipfile.ZipFile(ods) as archive:
        content = archive.read("content.xml").decode()
    assert "Porteurs" in content and "Anomalies" in content


@pytest.mark.slow
def test_the_open_xml_sdk_finds_no_error_in_a_refreshed_demo(demo_copy, tmp_path):
    api.refresh(demo_copy, as_of=AS_OF)
    done = subprocess.run([str(VALIDATOR), str(demo_copy)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
