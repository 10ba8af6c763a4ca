"""The VBA project the tool writes, checked rule by rule against [MS-OVBA].

The project is read here with olefile and oletools only (not with pyOpenVBA,
which wrote it, nor with citeslab_xl.adapters.vba, which rewrote it), so that
a mistake shared by the writer and its reader cannot hide:
- 2.3.4.1: `_VBA_PROJECT` is version 0xFFFF and holds no performance cache;
- 2.3.4.2: the `dir` stream ends at its terminator, and a writer gives
  PROJECTCOOKIE and every MODULECOOKIE the value 0xFFFF;
- 2.3.4.3: a module stream is its compressed source and nothing else, so
  MODULEOFFSET is 0 (no p-code left from the template);
- the source of every module uses CRLF, as the VBA editor writes it;
- olevba, the reader most tools share, reads every module.
That LibreOffice opens the workbook and keeps its macros is checked by
tests/test_macros.py on the same build.
"""

from __future__ import annotations

import io
import re
import shutil
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import olefile
import openpyxl
import pytest
import xlwings
from oletools.olevba import VBA_Parser, decompress_stream
from pyopenvba import ExcelFile

from citeslab_xl.adapters.macro_workbook import BUTTONS, MODULE_NAME, build_macro_workbook, vba_module
from citeslab_xl.adapters.vba import UnreadableVBAProject, crlf, interoperable_project, make_package_interoperable

XLWINGS_DIR = Path(xlwings.__file__).parent
# An Excel-saved project: its modules carry p-code and its _VBA_PROJECT a cache.
EXCEL_SAVED = XLWINGS_DIR / "quickstart.xlsm"
PROJECT_PART = "xl/vbaProject.bin"


# --- a reader of the project, after the specification --------------------------

@dataclass
class Module:
    name: str
    stream: str = ""
    offset: int = -1
    cookie: int = -1


@dataclass
class Dir:
    records: list[tuple[int, bytes]]  # (Id, Data) up to and with the terminator
    trailing: bytes  # whatever the stream holds after its terminator
    project_cookie: int = -1
    modules: list[Module] = field(default_factory=list)


def parse_dir(raw: bytes) -> Dir:
    """The records of a decompressed dir stream (2.3.4.2): Id u16, Size u32, Data.

    PROJECTVERSION (0x0009) is the one record whose Size (4) does not count
    its data (VersionMajor u32 + VersionMinor u16).
    """
    records, at = [], 0
    while True:
        rid, size = struct.unpack_from("<HI", raw, at)
        length = 6 if rid == 0x0009 else size
        records.append((rid, raw[at + 6:at + 6 + length]))
        at += 6 + length
        if rid == 0x0010:
            break
    parsed = Dir(records, raw[at:])
    code_page = next(struct.unpack("<H", data)[0] for rid, data in records if rid == 0x0003)
    for rid, data in records:
        if rid == 0x0013:
            parsed.project_cookie = struct.unpack("<H", data)[0]
        elif rid == 0x0019:
            parsed.modules.append(Module(data.decode(f"cp{code_page}")))
        elif rid == 0x001A:
            parsed.modules[-1].stream = data.decode(f"cp{code_page}")
        elif rid == 0x0031:
            parsed.modules[-1].offset = struct.unpack("<I", data)[0]
        elif rid == 0x002C:
            parsed.modules[-1].cookie = struct.unpack("<H", data)[0]
    return parsed


def read_project(project_bin: bytes) -> tuple[olefile.OleFileIO, Dir]:
    ole = olefile.OleFileIO(io.BytesIO(project_bin))
    return ole, parse_dir(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))


def module_sources(project_bin: bytes) -> dict[str, bytes]:
    """Each module's source, decompressed from the very start of its stream."""
    ole, directory = read_project(project_bin)
    return {module.name: decompress_stream(bytearray(ole.openstream(f"VBA/{module.stream}").read()))
            for module in directory.modules}


def assert_interoperable(project_bin: bytes) -> None:
    """Every rule of the module docstring, on the bytes of a vbaProject.bin."""
    ole, directory = read_project(project_bin)
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("CC61FFFF000100")
    assert not [path for path in ole.listdir() if path[-1].startswith("__SRP_")]
    assert directory.records[-1] == (0x0010, b"") and directory.trailing == b""
    assert directory.project_cookie == 0xFFFF
    assert directory.modules
    for module in directory.modules:
        assert (module.offset, module.cookie) == (0, 0xFFFF), module
        source = module_sources(project_bin)[module.name]
        assert source.startswith(f'Attribute VB_Name = "{module.name}"\r\n'.encode()), module.name
        assert re.search(rb"\r(?!\n)|(?<!\r)\n", source) is None, f"{module.name} has a line ending other than CRLF"


def olevba_modules(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {stream.split("/")[-1]: code for _, stream, _, code in parser.extract_macros()}
    finally:
        parser.close()


def project_of(path: Path) -> bytes:
    with zipfile.ZipFile(path) as package:
        return package.read(PROJECT_PART)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build_macro_workbook(tmp_path_factory.mktemp("vba") / "suivi.xlsm")


# --- build-workbook -------------------------------------------------------------

def test_the_built_project_follows_every_write_rule(built):
    assert_interoperable(project_of(built))


def test_each_module_holds_the_source_it_was_given(built):
    sources = module_sources(project_of(built))
    assert sources[MODULE_NAME] == vba_module().encode("ascii")
    assert sources["xlwings"] == (XLWINGS_DIR / "xlwings.bas").read_bytes()
    # An exported class file has a VERSION/BEGIN preamble where a module has VB_Base.
    dictionary = (XLWINGS_DIR / "addin" / "Dictionary.cls").read_bytes()
    without_base = re.sub(rb'(?m)^Attribute VB_Base = "[^"]*"\r\n', b"", sources["Dictionary"])
    assert without_base == dictionary[dictionary.index(b'Attribute VB_Name = "Dictionary"'):]


def test_olevba_reads_every_module(built):
    modules = olevba_modules(built)
    sheets = openpyxl.load_workbook(built).sheetnames
    documents = {name for name in modules if re.fullmatch(r"Sheet\d+", name)}
    assert set(modules) == {MODULE_NAME, "xlwings", "Dictionary", "ThisWorkbook"} | documents
    assert len(documents) == len(sheets)
    subs = re.findall(r"^Public Sub (\w+)\(\)\r$", modules[MODULE_NAME], re.MULTILINE)
    assert subs == [button.macro for button in BUTTONS]
    assert re.search(r"^Public Function RunPython\(PythonCommand As String\)", modules["xlwings"], re.MULTILINE)
    assert "Public Property Get Count() As Long" in modules["Dictionary"]


# --- the rewrite on projects that break the rules --------------------------------

def test_an_excel_saved_project_loses_its_p_code_and_cache_but_no_source():
    original = project_of(EXCEL_SAVED)
    ole, directory = read_project(original)
    assert any(module.offset > 0 for module in directory.modules)  # the input does carry p-code
    assert len(ole.openstream("VBA/_VBA_PROJECT").read()) > 7
    before = {module.name: crlf(decompress_stream(bytearray(ole.openstream(f"VBA/{module.stream}").read()
                                                            [module.offset:])))
              for module in directory.modules}
    rewritten = interoperable_project(original)
    assert_interoperable(rewritten)
    assert module_sources(rewritten) == before
    after_ole, after = read_project(rewritten)
    assert after_ole.openstream("PROJECT").read() == ole.openstream("PROJECT").read()
    kept = [record for record in directory.records if record[0] not in (0x0013, 0x002C, 0x0031)]
    assert [record for record in after.records if record[0] not in (0x0013, 0x002C, 0x0031)] == kept


def test_a_module_written_with_lf_is_stored_with_crlf(built, tmp_path):
    copy = Path(shutil.copy(built, tmp_path / "lf.xlsm"))
    with ExcelFile(copy) as book:
        book.vba_project().add_module("Lf", 'Attribute VB_Name = "Lf"\nPublic Sub A()\nEnd Sub\n')
        book.save()
    assert module_sources(project_of(copy))["Lf"].count(b"\r\n") == 0  # what pyOpenVBA stores as given
    make_package_interoperable(copy)
    assert_interoperable(project_of(copy))
    assert module_sources(project_of(copy))["Lf"] == b'Attribute VB_Name = "Lf"\r\nPublic Sub A()\r\nEnd Sub\r\n'


def test_the_rewrite_keeps_every_other_part_and_changes_nothing_the_second_time(built, tmp_path):
    copy = Path(shutil.copy(built, tmp_path / "again.xlsm"))
    make_package_interoperable(copy)
    with zipfile.ZipFile(built) as before, zipfile.ZipFile(copy) as after:
        assert before.namelist() == after.namelist()
        assert all(before.read(name) == after.read(name) for name in before.namelist())


def test_line_endings_become_crlf():
    assert crlf(b"a\nb\r\nc\rd\r\n\n") == b"a\r\nb\r\nc\r\nd\r\n\r\n"


def test_bytes_that_are_no_vba_project_are_refused():
    with pytest.raises(UnreadableVBAProject):
        interoperable_project(b"not a compound file")
