"""Files that are not a usable CitésLab workbook: one French sentence, exit code 2, no traceback, file untouched.

`check` runs on copies of the public corpus of odd spreadsheet files
(tests/corpus) and on broken files made here: empty, truncated, text,
another zip, zip bombs, other formats, encrypted. It runs in this process
(Typer's CliRunner), except for the zip bombs: there the point is the peak
memory of a real process, which runs under limits.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT, run_cli
from libreoffice import requires_soffice

from citeslab_xl.adapters.template import build_workbook

CORPUS_FILES = sorted(CORPUS.glob("*")) if CORPUS.is_dir() else []
MEMORY_LIMIT_KB = 400 * 1024  # a refused bomb must not be inflated: the reader alone needs ~100 MB
GUARD_BYTES = 2 << 30
GUARD_SECONDS = 120

FRENCH_WORDS = {"le", "la", "les", "un", "une", "de", "des", "du", "est", "pas", "dans", "ou", "et", "au", "ce",
                "classeur", "fichier", "ouvrez", "enregistrez", "aucune"}


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    max_rss_kb: int


def _guard() -> None:
    """Should a bomb get through, it fails fast instead of swamping the machine."""
    resource.setrlimit(resource.RLIMIT_AS, (GUARD_BYTES, GUARD_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (GUARD_SECONDS, GUARD_SECONDS))


def run_check(path: Path, *args: str) -> Run:
    """`python -m citeslab_xl check`, with the peak memory of that process alone."""
    out, err = path.parent / ".stdout", path.parent / ".stderr"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "citeslab_xl", "check", str(path), *args],
                                   stdout=stdout, stderr=stderr, env=env, cwd=path.parent, preexec_fn=_guard)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    run = Run(process.returncode, out.read_text("utf-8"), err.read_text("utf-8"), usage.ru_maxrss)
    out.unlink()
    err.unlink()
    return run


def check_in_process(path: Path) -> Run:
    result = run_cli("check", path)
    return Run(result.exit_code, result.stdout, result.stderr, 0)


def assert_refused(path: Path, run_it=check_in_process) -> Run:
    before = path.read_bytes()
    run = run_it(path)
    assert run.returncode == 2, (run.stdout, run.stderr)
    assert "Traceback" not in run.stdout + run.stderr
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, run.stderr
    assert path.name in lines[0]
    words = set(re.findall(r"[\w']+", lines[0].casefold()))
    assert words & FRENCH_WORDS, lines[0]
    assert path.read_bytes() == before
    return run


def test_the_corpus_is_there():
    assert len(CORPUS_FILES) >= 20


@pytest.mark.parametrize("original", CORPUS_FILES, ids=lambda p: p.name)
def test_corpus_file_is_refused_cleanly(tmp_path, original):
    copy = tmp_path / original.name
    shutil.copyfile(original, copy)
    assert_refused(copy)


# --- broken files made here -------------------------------------------------------

@pytest.fixture
def workbook(tmp_path) -> Path:
    path = tmp_path / "modele" / "classeur.xlsx"
    path.parent.mkdir()
    build_workbook({"porteurs": [dict(id="P1", nom="Martin", prenom="Awa", quartier="Planoise",
                                      date_premier_contact=date(2025, 3, 12), statut="Accueil",
                                      consentement=True)]}).save(path)
    return path


def test_empty_file(tmp_path):
    path = tmp_path / "vide.xlsx"
    path.write_bytes(b"")
    assert "vide" in assert_refused(path).stderr


def test_truncated_workbook(tmp_path, workbook):
    path = tmp_path / "coupé.xlsx"
    data = workbook.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert_refused(path)


def test_text_file_renamed_xlsx(tmp_path):
    path = tmp_path / "export.xlsx"
    path.write_text("ID;Nom;Prénom\nP1;Martin;Awa\n", encoding="utf-8")
    assert_refused(path)


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    assert_refused(path)


def test_workbook_without_its_sheets(tmp_path, workbook):
    path = tmp_path / "incomplet.xlsx"
    with zipfile.ZipFile(workbook) as source, zipfile.ZipFile(path, "w") as archive:
        for info in source.infolist():
            if not info.filename.startswith("xl/worksheets/"):
                archive.writestr(info, source.read(info))
    assert_refused(path)


def test_xls_renamed_xlsx(tmp_path):
    path = tmp_path / "ancien.xlsx"
    shutil.copyfile(CORPUS / "any_sheets.xls", path)
    assert ".xls" in assert_refused(path).stderr


def test_xlsb(tmp_path):
    path = tmp_path / "binaire.xlsb"
    shutil.copyfile(CORPUS / "any_sheets.xlsb", path)
    assert ".xlsb" in assert_refused(path).stderr


@pytest.mark.slow
@requires_soffice
def test_citeslab_workbook_saved_as_ods(tmp_path, workbook):
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'profil').as_uri()}", "--headless",
                    "--convert-to", "ods", "--outdir", str(tmp_path), str(workbook)],
                   check=True, capture_output=True, timeout=300)
    assert ".ods" in assert_refused(tmp_path / "classeur.ods").stderr


def test_encrypted_workbook(tmp_path, workbook):
    crypto = pytest.importorskip("msoffcrypto.format.ooxml")
    path = tmp_path / "protégé.xlsx"
    with workbook.open("rb") as plain, path.open("wb") as encrypted:
        crypto.OOXMLFile(plain).encrypt("secret", encrypted)
    assert "mot de passe" in assert_refused(path).stderr


# --- zip bombs -----------------------------------------------------------------------

def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def _deflate_repeated(head: bytes, unit: bytes, copies: int, tail: bytes) -> tuple[bytes, int, int]:
    """Raw deflate of head + unit * copies + tail, its CRC and size, without compressing every byte.

    After a full flush the compressor forgets what came before, so the same input
    compresses to the same bytes: one compressed chunk, repeated, is a valid stream.
    """
    chunk = unit * max(1, (1 << 20) // len(unit))
    count = copies * len(unit) // len(chunk)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    piece = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.compress(tail) + compressor.flush()
    crc = zlib.crc32(head)
    for _ in range(count):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    return start + piece * count + end, crc, len(head) + count * len(chunk) + len(tail)


def _write_zip(path: Path, members: list[tuple[str, bytes, int, int]]) -> None:
    """A zip of already deflated members: (name, raw deflate, crc, uncompressed size)."""
    body, directory = bytearray(), bytearray()
    for name, raw, crc, size in members:
        encoded = name.encode()
        offset = len(body)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(raw), size, len(encoded), 0)
        body += encoded + raw
        directory += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(raw), size,
                                 len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), len(body), 0)
    path.write_bytes(bytes(body + directory + end))


def _sheet_member(archive: zipfile.ZipFile, name: str) -> str:
    workbook = archive.read("xl/workbook.xml").decode()
    rel = re.search(rf'<sheet [^>]*name="{name}"[^>]*r:id="(\w+)"', workbook).group(1)
    rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    target = re.search(rf'<Relationship [^>]*Id="{rel}"[^>]*Target="([^"]+)"', rels) or \
        re.search(rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rel}"', rels)
    return "xl/" + target.group(1).removeprefix("/xl/")


def _bomb(workbook: Path, path: Path, megabytes: int) -> Path:
    """The workbook whose Porteurs sheet has `megabytes` of identical rows (what a bomb looks like inside)."""
    members = []
    with zipfile.ZipFile(workbook) as archive:
        porteurs = _sheet_member(archive, "Porteurs")
        for info in archive.infolist():
            data = archive.read(info)
            if info.filename == porteurs:
                head, _, _ = data.partition(b"<sheetData>")
                unit = b'<row><c t="inlineStr"><is><t>P</t></is></c></row>'
                raw, crc, size = _deflate_repeated(head + b"<sheetData>", unit, (megabytes << 20) // len(unit),
                                                   b"</sheetData></worksheet>")
                members.append((info.filename, raw, crc, size))
            else:
                members.append((info.filename, _deflate(data), zlib.crc32(data), len(data)))
    _write_zip(path, members)
    return path


def test_the_bomb_builder_makes_a_real_zip(tmp_path, workbook):
    path = _bomb(workbook, tmp_path / "petite.xlsx", 2)
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        sheet = archive.read("xl/worksheets/sheet2.xml")
    assert sheet.count(b"<row>") > 40_000 and sheet.endswith(b"</worksheet>")


def test_zip_bomb_over_a_gigabyte_is_refused_without_inflating_it(tmp_path, workbook):
    path = _bomb(workbook, tmp_path / "bombe.xlsx", 1100)
    assert path.stat().st_size < 5 << 20
    run = assert_refused(path, run_check)
    assert run.max_rss_kb < MEMORY_LIMIT_KB


def test_highly_compressed_sheet_is_refused(tmp_path, workbook):
    path = _bomb(workbook, tmp_path / "compressé.xlsx", 80)
    run = assert_refused(path, run_check)
    assert run.max_rss_kb < MEMORY_LIMIT_KB


def test_a_member_declaring_a_huge_size_is_refused(tmp_path, workbook):
    members = []
    with zipfile.ZipFile(workbook) as archive:
        for info in archive.infolist():
            data = archive.read(info)
            members.append((info.filename, _deflate(data), zlib.crc32(data), len(data)))
    zeros = b"\0" * (1 << 20)
    members.append(("xl/media/image1.png", _deflate(zeros), zlib.crc32(zeros), 0xFFFF_FFFE))
    path = tmp_path / "menteur.xlsx"
    _write_zip(path, members)
    assert_refused(path, run_check)
