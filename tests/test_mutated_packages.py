"""Mutated packages: a real workbook broken at the zip and XML level gets one French line and exit 2, in bounds.

The starting points are a real small demo workbook (one year, 30 people) and files of the public corpus. Each
is truncated at many offsets, has bits flipped in its zip central directory and in its sheet XML, loses
`[Content_Types].xml` or a sheet part its workbook refers to, carries an XML entity expansion (billion laughs) in
a sheet and in the shared strings, becomes a zip bomb, declares a 1,048,576-row dimension, holds a cell in
column 16,384 (XFD) or at the very last cell, or a 200 MB sheet compressed to a few hundred kilobytes.

`check` runs in this process (Typer's CliRunner) for the many small mutations, and as a real process for the
heavy ones, whose peak memory (`ru_maxrss` of that child alone) and time are bounded by `SECONDS` and
`MEGABYTES`, and whose stderr must hold no traceback. A mutation the reader cannot notice (a bit of a date stamp
in the central directory, a digit of a value in the XML) may be read: then it must give the untouched file's
answer (the central directory) or at least an answer (the XML), never a crash.

Budget: `CITESLAB_FUZZ_EXAMPLES` sets how many offsets and bit flips are tried (default: a few seconds in CI).
"""

from __future__ import annotations

import os
import random
import re
import resource
import struct
import subprocess
import sys
import threading
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import AS_OF, CORPUS, ROOT, run_cli

from citeslab_xl.demo import write_demo

DEFAULT_EXAMPLES = 15
EXAMPLES = int(os.environ.get("CITESLAB_FUZZ_EXAMPLES", DEFAULT_EXAMPLES))
SECONDS = 30  # a refusal is quick; the bound leaves room for a loaded CI machine, a hang is stopped well past it
MEGABYTES = 600  # the reader alone needs ~100 MB; inflating any of these packages would need gigabytes
GUARD_BYTES = 3 << 30  # should a mutation get through, the child fails instead of swamping the machine
DAY = AS_OF.isoformat()
FRENCH = {"le", "la", "les", "un", "une", "de", "des", "du", "est", "pas", "ou", "et", "ce", "classeur", "fichier",
          "ouvrez", "enregistrez", "aucune", "endommagé", "reprenez", "lu"}
CORPUS_STARTS = ["date.xlsx", "merge_cells.xlsx", "errors.xlsx", "rich_text_support.xlsx"]
LAUGHS = (b'<!DOCTYPE lolz [<!ENTITY lol "lololololololololololololololololololololololololol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                     for i in range(1, 10))
          + b"]>")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("mutations") / "demo.xlsx"
    write_demo(path, people=30, years=1, seed=1, as_of=AS_OF)
    return path


@pytest.fixture(scope="module")
def demo_answer(demo) -> tuple[int, str]:
    result = run_cli("check", demo, "--as-of", DAY, "--json")
    return result.exit_code, result.stdout


# --- building mutated packages ---------------------------------------------------------------

def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def write_members(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def sheet_part(parts: dict[str, bytes], sheet: str) -> str:
    """The part name of a sheet, through the workbook and its relationships."""
    rid = re.search(rf'<sheet [^>]*name="{sheet}"[^>]*r:id="(\w+)"', parts["xl/workbook.xml"].decode()).group(1)
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    target = next(m.group(0) for m in re.finditer(r"<Relationship [^>]*>", rels) if f'Id="{rid}"' in m.group(0))
    return "xl/" + re.search(r'Target="([^"]+)"', target).group(1).removeprefix("/xl/")


def with_sheet(source: Path, path: Path, sheet: str, change) -> Path:
    parts = members(source)
    name = sheet_part(parts, sheet)
    parts[name] = change(parts[name])
    return write_members(path, parts)


def central_directory(data: bytes) -> tuple[int, int]:
    """Offset and end of the zip central directory, from the end-of-central-directory record."""
    end = data.rindex(b"PK\x05\x06")
    size, offset = struct.unpack_from("<II", data, end + 12)
    return offset, offset + size


def flipped(data: bytes, start: int, stop: int, rng: random.Random) -> tuple[bytes, int]:
    position = rng.randrange(start, stop)
    mutated = bytearray(data)
    mutated[position] ^= 1 << rng.randrange(8)
    return bytes(mutated), position


def raw_deflate_repeated(head: bytes, unit: bytes, size: int, tail: bytes) -> tuple[bytes, int, int]:
    """Raw deflate of head + unit repeated to about `size` bytes + tail, its CRC and its length.

    After a full flush the compressor forgets what came before, so one compressed megabyte, repeated, is a valid
    stream: a bomb of any size is built without compressing every byte.
    """
    chunk = unit * max(1, (1 << 20) // len(unit))
    count = max(1, size // len(chunk))
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    piece = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.compress(tail) + compressor.flush()
    crc = zlib.crc32(head)
    for _ in range(count):
        crc = zlib.crc32(chunk, crc)
    return start + piece * count + end, zlib.crc32(tail, crc), len(head) + count * len(chunk) + len(tail)


def write_raw_zip(path: Path, entries: list[tuple[str, bytes, int, int]]) -> Path:
    """A zip of members already deflated: (name, raw deflate, CRC, uncompressed size)."""
    body, directory = bytearray(), bytearray()
    for name, raw, crc, size in entries:
        encoded, offset = name.encode(), len(body)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(raw), size, len(encoded), 0)
        body += encoded + raw
        directory += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(raw), size,
                                 len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), len(body), 0)
    path.write_bytes(bytes(body + directory + end))
    return path


def big_sheet(source: Path, path: Path, megabytes: int) -> Path:
    """The workbook whose Porteurs sheet holds `megabytes` of identical rows, compressed as tightly as deflate can."""
    entries = []
    parts = members(source)
    porteurs = sheet_part(parts, "Porteurs")
    for name, data in parts.items():
        if name == porteurs:
            head = data.partition(b"<sheetData>")[0] + b"<sheetData>"
            unit = b'<row><c t="inlineStr"><is><t>P</t></is></c></row>'
            entries.append((name, *raw_deflate_repeated(head, unit, megabytes << 20, b"</sheetData></worksheet>")))
        else:
            compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
            entries.append((name, compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data)))
    return write_raw_zip(path, entries)


# --- running check ---------------------------------------------------------------------------

@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    megabytes: float = 0.0


def check_in_process(path: Path) -> Run:
    start = time.monotonic()
    result = run_cli("check", path, "--as-of", DAY, "--json")
    return Run(result.exit_code, result.stdout, result.stderr, time.monotonic() - start)


def _guard() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (GUARD_BYTES, GUARD_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (4 * SECONDS, 4 * SECONDS))


def check_process(path: Path) -> Run:
    """`python -m citeslab_xl check` as a child, with its own peak memory (not the test's); killed past 4 bounds."""
    out, err = path.with_name(".stdout"), path.with_name(".stderr")
    start = time.monotonic()
    with out.open("wb") as stdout, err.open("wb") as stderr:
        child = subprocess.Popen([sys.executable, "-m", "citeslab_xl", "check", str(path), "--as-of", DAY],
                                 stdout=stdout, stderr=stderr, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                                 cwd=path.parent, preexec_fn=_guard)
        killer = threading.Timer(4 * SECONDS, child.kill)
        killer.start()
        _, status, usage = os.wait4(child.pid, 0)
        killer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)
    run = Run(child.returncode, out.read_text("utf-8", "replace"), err.read_text("utf-8", "replace"),
              time.monotonic() - start, usage.ru_maxrss / 1024)
    out.unlink()
    err.unlink()
    return run


def assert_refused(run: Run, path: Path) -> None:
    assert run.code == 2, (path.name, run.code, run.stdout[-500:], run.stderr[-2000:])
    assert "Traceback" not in run.stdout + run.stderr
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and path.name in lines[0], run.stderr
    assert set(re.findall(r"[\w']+", lines[0].casefold())) & FRENCH, lines[0]
    assert run.seconds < SECONDS, (path.name, run.seconds)


def assert_bounded(run: Run, path: Path) -> None:
    assert run.seconds < SECONDS, (path.name, run.seconds)
    assert run.megabytes < MEGABYTES, (path.name, run.megabytes)


# --- truncation ------------------------------------------------------------------------------

def offsets(size: int, count: int, seed: int) -> list[int]:
    """Evenly spread offsets, the few bytes around the directory's end, and random ones."""
    rng = random.Random(seed)
    spread = [size * k // count for k in range(count)]
    return sorted(set(spread + [size - 1, size - 22, size - 23] + [rng.randrange(size) for _ in range(count)]))


def test_a_demo_workbook_truncated_anywhere_is_refused(tmp_path, demo):
    data = demo.read_bytes()
    for cut in offsets(len(data), EXAMPLES, seed=1):
        path = tmp_path / f"coupé-{cut}.xlsx"
        path.write_bytes(data[:cut])
        assert_refused(check_in_process(path), path)
        path.unlink()


@pytest.mark.parametrize("name", CORPUS_STARTS)
def test_a_corpus_file_truncated_anywhere_is_refused(tmp_path, name):
    data = (CORPUS / name).read_bytes()
    for cut in offsets(len(data), max(4, EXAMPLES // 4), seed=2):
        path = tmp_path / f"coupé-{cut}-{name}"
        path.write_bytes(data[:cut])
        assert_refused(check_in_process(path), path)
        path.unlink()


def test_a_truncated_workbook_in_a_real_process_has_no_traceback(tmp_path, demo):
    path = tmp_path / "coupé.xlsx"
    path.write_bytes(demo.read_bytes()[: demo.stat().st_size * 2 // 3])
    run = check_process(path)
    assert_refused(run, path)
    assert_bounded(run, path)


# --- bit flips ---------------------------------------------------------------------------------

def test_bit_flips_in_the_central_directory_are_refused_or_change_nothing(tmp_path, demo, demo_answer):
    data = demo.read_bytes()
    start, stop = central_directory(data)
    rng = random.Random(3)
    for attempt in range(EXAMPLES):
        mutated, position = flipped(data, start, stop, rng)
        path = tmp_path / f"retourné-{attempt}.xlsx"
        path.write_bytes(mutated)
        run = check_in_process(path)
        if run.code == 2:
            assert_refused(run, path)
        else:
            assert (run.code, run.stdout) == demo_answer, f"octet {position} : lu autrement que l'original"
        path.unlink()


@pytest.mark.parametrize(("part", "field", "value"), [
    ("Porteurs", 6, 84), ("Porteurs", 8, 1), ("Porteurs", 10, 99), ("Porteurs", 10, 14), ("xl/workbook.xml", 16, 7),
], ids=["version-8.4", "chiffré", "méthode-99", "lzma", "crc-du-classeur"])
def test_a_damaged_directory_entry_is_refused(tmp_path, demo, part, field, value):
    """Found by the bit flips: zipfile raised NotImplementedError (a version or method it lacks), RuntimeError
    (an encrypted member) or BadZipFile (a CRC that calamine does not check) out of the reader."""
    data = bytearray(demo.read_bytes())
    start, _ = central_directory(bytes(data))
    name = (part if "/" in part else sheet_part(members(demo), part)).encode()
    entry = data.index(b"PK\x01\x02", data.index(name, start) - 46)  # the fixed part of an entry is 46 bytes
    # version needed (6), flags (8), compression method (10): two bytes; the CRC (16): its low two bytes
    struct.pack_into("<H", data, entry + field, value)
    path = tmp_path / "méthode.xlsx"
    path.write_bytes(bytes(data))
    assert_refused(check_in_process(path), path)


def test_bit_flips_in_the_sheet_xml_are_refused_or_read(tmp_path, demo):
    parts = members(demo)
    name = sheet_part(parts, "Porteurs")
    rng = random.Random(4)
    for attempt in range(EXAMPLES):
        xml, position = flipped(parts[name], 0, len(parts[name]), rng)
        path = write_members(tmp_path / f"xml-{attempt}.xlsx", {**parts, name: xml})
        run = check_in_process(path)
        assert run.code in (0, 1, 2), (position, run.stderr)
        if run.code == 2:
            assert_refused(run, path)
        path.unlink()


# --- parts missing ---------------------------------------------------------------------------

def test_a_package_without_content_types_is_refused(tmp_path, demo):
    parts = members(demo)
    del parts["[Content_Types].xml"]
    path = write_members(tmp_path / "sans-types.xlsx", parts)
    assert_refused(check_in_process(path), path)


@pytest.mark.parametrize("sheet", ["Porteurs", "Rendez-vous", "Paramètres"])
def test_a_sheet_referred_to_but_absent_is_refused(tmp_path, demo, sheet):
    parts = members(demo)
    del parts[sheet_part(parts, sheet)]
    path = write_members(tmp_path / "feuille-absente.xlsx", parts)
    assert_refused(check_in_process(path), path)


# --- XML entity expansion ----------------------------------------------------------------------

def laughing(xml: bytes, cell_text: bytes = b"&lol9;") -> bytes:
    """The part with the billion-laughs DOCTYPE, and the biggest entity used in its first text."""
    declaration, _, rest = xml.partition(b"?>") if xml.startswith(b"<?xml") else (b"", b"", xml)
    head = declaration + b"?>" if declaration else b""
    return head + LAUGHS + re.sub(rb"<t>[^<]*</t>|<t [^>]*>[^<]*</t>", b"<t>" + cell_text + b"</t>", rest, count=1)


def test_an_entity_expansion_in_a_sheet_is_refused_in_bounds(tmp_path, demo):
    path = with_sheet(demo, tmp_path / "rires.xlsx", "Porteurs", laughing)
    assert b"&lol9;" in members(path)[sheet_part(members(path), "Porteurs")]
    run = check_process(path)
    assert_refused(run, path)
    assert_bounded(run, path)


@pytest.mark.parametrize("name", ["encoded_entities.xlsx", "rich_text_support.xlsx"])
def test_an_entity_expansion_in_the_shared_strings_is_refused_in_bounds(tmp_path, name):
    parts = members(CORPUS / name)
    assert "xl/sharedStrings.xml" in parts
    parts["xl/sharedStrings.xml"] = laughing(parts["xl/sharedStrings.xml"])
    path = write_members(tmp_path / f"rires-{name}", parts)
    run = check_process(path)
    assert_refused(run, path)
    assert_bounded(run, path)


# --- sizes: a bomb, a lying dimension, the last column, a 200 MB sheet ---------------------------

def test_a_zip_bomb_is_refused_without_being_inflated(tmp_path, demo):
    path = big_sheet(demo, tmp_path / "bombe.xlsx", 1100)
    assert path.stat().st_size < 5 << 20
    run = check_process(path)
    assert_refused(run, path)
    assert_bounded(run, path)


def test_a_200_megabyte_sheet_compressed_small_is_refused_in_bounds(tmp_path, demo):
    path = big_sheet(demo, tmp_path / "énorme.xlsx", 200)
    assert path.stat().st_size < 1 << 20
    run = check_process(path)
    assert_refused(run, path)
    assert_bounded(run, path)


def _dimension(xml: bytes, ref: bytes) -> bytes:
    return re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="' + ref + b'"/>', xml, count=1)


def _last_cell(reference: bytes):
    """A sheet with one more row holding a single text cell at `reference` (e.g. XFD2 or XFD1048576)."""
    row = int(re.search(rb"\d+", reference).group())
    cell = b'<row r="%d"><c r="%s" t="inlineStr"><is><t>fin</t></is></c></row>' % (row, reference)
    return lambda xml: xml.replace(b"</sheetData>", cell + b"</sheetData>", 1)


@pytest.mark.parametrize(("label", "change"), [
    ("dimension-1048576", lambda xml: _dimension(xml, b"A1:W1048576")),
    ("dimension-XFD1048576", lambda xml: _dimension(xml, b"A1:XFD1048576")),
    ("colonne-XFD", _last_cell(b"XFD40")),
    ("cellule-XFD1048576", _last_cell(b"XFD1048576")),
], ids=lambda v: v if isinstance(v, str) else "")
def test_a_sheet_claiming_the_whole_grid_is_refused_or_read_in_bounds(tmp_path, demo, demo_answer, label, change):
    path = with_sheet(demo, tmp_path / f"{label}.xlsx", "Porteurs", change)
    run = check_process(path)
    assert_bounded(run, path)
    assert "Traceback" not in run.stderr
    if run.code == 2:
        assert_refused(run, path)
    else:
        assert run.code == demo_answer[0], (label, run.code, run.stderr[-1000:])


def test_the_mutations_start_from_a_readable_workbook(demo, demo_answer):
    """Without this, every refusal above could be the demo's own."""
    assert demo_answer[0] in (0, 1) and demo_answer[1].lstrip().startswith("[")
