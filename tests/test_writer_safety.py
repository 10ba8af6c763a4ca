"""The writer refuses what it should not write, writing nothing, and a failure at any point leaves the workbook.

Refusals (an open workbook, files it cannot use, packages a splice would
break, impossible requests), `--out` and the backups, then crashes: a full
disk, a failed rename, a process killed while writing or before the rename.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from workbook_packages import (
    CORPUS,
    ROOT,
    RUN_1,
    UNUSABLE,
    anomalies,
    assert_only_generated_parts_changed,
    citeslab_workbook,
    corpus_copy,
    folder_state,
    generated,
    parts_of,
    rewrite,
    sheet_parts,
)

from citeslab_xl.adapters import writer
from citeslab_xl.adapters.writer import (
    backup_paths,
    write_generated,
)
from citeslab_xl.core.errors import UnusableWorkbook, WriteRefused
from citeslab_xl.core.layout import SheetLayout


@pytest.fixture
def citeslab(tmp_path) -> Path:
    return citeslab_workbook(tmp_path)


# --- refusals ----------------------------------------------------------------------

@pytest.mark.parametrize("lock", ["~$Suivi CitésLab.xlsm", ".~lock.Suivi CitésLab.xlsm#"])
def test_an_open_workbook_is_left_alone(citeslab, lock):
    (citeslab.parent / lock).write_text("coordinatrice")
    before = folder_state(citeslab.parent)
    with pytest.raises(WriteRefused, match="est ouvert dans"):
        write_generated(citeslab, generated())
    assert folder_state(citeslab.parent) == before


@pytest.mark.parametrize("name", UNUSABLE)
def test_unusable_files_are_refused_untouched(tmp_path, name):
    path = corpus_copy(tmp_path, name)
    with pytest.raises(UnusableWorkbook, match=re.escape(name)):
        write_generated(path, generated())
    assert folder_state(tmp_path) == {name: (CORPUS / name).read_bytes()}


def _signed(parts):
    return {"_rels/.rels": parts["_rels/.rels"].replace(b"</Relationships>", (
        b'<Relationship Id="rIdSig" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
        b'digital-signature/origin" Target="_xmlsignatures/origin.sigs"/></Relationships>'))}


def _shared(parts):
    return {"xl/_rels/workbook.xml.rels": parts["xl/_rels/workbook.xml.rels"].replace(b"</Relationships>", (
        b'<Relationship Id="rIdRev" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'revisionHeaders" Target="revisions/revisionHeaders.xml"/></Relationships>'))}


def _locked(parts):
    protected = b'<workbookProtection lockStructure="1"/><bookViews>'
    return {"xl/workbook.xml": parts["xl/workbook.xml"].replace(b"<bookViews>", protected)}


def _strict(parts):
    return {"xl/workbook.xml": parts["xl/workbook.xml"].replace(
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", b"http://purl.oclc.org/ooxml/spreadsheetml/main")}


@pytest.mark.parametrize("change, message", [(_signed, "signé numériquement"), (_shared, "classeur partagé"),
                                             (_locked, "structure"), (_strict, "Strict")])
def test_packages_a_splice_would_break_are_refused(tmp_path, change, message):
    path = corpus_copy(tmp_path, "vba.xlsm")
    rewrite(path, change(parts_of(path)))
    before = folder_state(tmp_path)
    with pytest.raises(WriteRefused, match=message):
        write_generated(path, generated())
    assert folder_state(tmp_path) == before


def test_a_protected_structure_still_lets_owned_sheets_be_rebuilt(tmp_path):
    path = corpus_copy(tmp_path, "vba.xlsm")
    write_generated(path, generated())
    rewrite(path, _locked(parts_of(path)))
    report = write_generated(path, generated())
    assert report.replaced == ["Anomalies", "Synthèse 2025-01"] and report.added == []


def test_out_must_keep_the_extension(tmp_path):
    path = corpus_copy(tmp_path, "vba.xlsm")
    with pytest.raises(WriteRefused, match="extension"):
        write_generated(path, generated(), out=tmp_path / "copie.xlsx")
    assert folder_state(tmp_path) == {"vba.xlsm": (CORPUS / "vba.xlsm").read_bytes()}


@pytest.mark.parametrize("names", [["Anomalies", "anomalies"], ["Synthèse: janvier"], ["x" * 32], ["History"]])
def test_impossible_sheet_names_are_a_programming_error(tmp_path, names):
    path = corpus_copy(tmp_path, "vba.xlsm")
    with pytest.raises(ValueError):
        write_generated(path, [SheetLayout(n, n) for n in names])


def test_a_journal_row_has_five_values(tmp_path):
    with pytest.raises(ValueError):
        write_generated(corpus_copy(tmp_path, "vba.xlsm"), [], journal_row=RUN_1[:4])


# --- out, backups -------------------------------------------------------------------

def test_out_leaves_the_original_untouched(tmp_path):
    path = corpus_copy(tmp_path, "pivots.xlsx")
    out = tmp_path / "copie" / "synthese.xlsx"
    out.parent.mkdir()
    report = write_generated(path, generated(), out=out)
    assert path.read_bytes() == (CORPUS / "pivots.xlsx").read_bytes()
    assert report.path == out and report.backup is None
    assert "Anomalies" in sheet_parts(parts_of(out))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copie", "pivots.xlsx"]


@pytest.mark.parametrize("place, message", [("existing", "existe déjà"), ("folder", "est un dossier"),
                                            ("missing parent", "n'existe pas")])
def test_out_never_replaces_a_file_nor_makes_a_folder(tmp_path, place, message):
    path = corpus_copy(tmp_path, "pivots.xlsx")
    out = tmp_path / ("absent/copie.xlsx" if place == "missing parent" else "copie.xlsx")
    if place == "existing":
        out.write_bytes(b"un autre classeur")
    elif place == "folder":
        out.mkdir()
    before = sorted(tmp_path.iterdir())
    with pytest.raises(WriteRefused, match=message):
        write_generated(path, generated(), out=out)
    assert sorted(tmp_path.iterdir()) == before and path.read_bytes() == (CORPUS / "pivots.xlsx").read_bytes()
    assert place != "existing" or out.read_bytes() == b"un autre classeur"


def test_backups_rotate(tmp_path):
    path = corpus_copy(tmp_path, "vba.xlsm")
    versions = []
    for run in range(4):
        versions.append(path.read_bytes())
        write_generated(path, [anomalies(rows=1 + run % 3)], keep_backups=3)
    bak, bak1, bak2 = backup_paths(path, 3)
    assert [bak.name, bak1.name, bak2.name] == ["vba.bak.xlsm", "vba.bak1.xlsm", "vba.bak2.xlsm"]
    assert [bak.read_bytes(), bak1.read_bytes(), bak2.read_bytes()] == versions[:0:-1]
    assert not (tmp_path / "vba.bak3.xlsm").exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_the_workbook_keeps_its_permissions(tmp_path):
    path = corpus_copy(tmp_path, "vba.xlsm")
    path.chmod(0o640)
    report = write_generated(path, generated())
    assert path.stat().st_mode & 0o777 == 0o640
    assert report.backup.stat().st_mode & 0o777 == 0o640


def test_no_backup_when_none_is_asked(tmp_path):
    path = corpus_copy(tmp_path, "vba.xlsm")
    report = write_generated(path, generated(), keep_backups=0)
    assert report.backup is None and [p.name for p in tmp_path.iterdir()] == ["vba.xlsm"]


# --- crashes -----------------------------------------------------------------------

class FullDisk(writer.Disk):
    """A disk that fills up after the first entries of the new file."""

    def __init__(self):
        self.written = []

    def write_entry(self, archive, info, data):
        if len(self.written) == 3:
            raise RuntimeError("disque plein")
        self.written.append(info.filename)
        super().write_entry(archive, info, data)


class NoRenameDisk(writer.Disk):
    def replace(self, temp, target):
        raise PermissionError(13, "Permission refusée")


def test_an_error_while_writing_leaves_the_original_and_no_temporary_file(citeslab):
    before = folder_state(citeslab.parent)
    disk = FullDisk()
    with pytest.raises(RuntimeError, match="disque plein"):
        write_generated(citeslab, generated(), disk=disk)
    assert len(disk.written) == 3
    assert folder_state(citeslab.parent) == before
    write_generated(citeslab, generated())
    assert "Anomalies" in sheet_parts(parts_of(citeslab))


def test_a_failed_rename_leaves_the_original(citeslab):
    before = citeslab.read_bytes()
    with pytest.raises(WriteRefused, match="est resté tel qu'il était"):
        write_generated(citeslab, generated(), disk=NoRenameDisk())
    assert citeslab.read_bytes() == before
    assert not list(citeslab.parent.glob("*" + writer.TEMP_SUFFIX))


KILLED_RUN = textwrap.dedent("""
    import os, signal, sys
    from citeslab_xl.adapters import writer
    from citeslab_xl.core.layout import SheetLayout, Table

    where, path = sys.argv[1], sys.argv[2]

    class DyingDisk(writer.Disk):  # the power goes off on the third entry of the new file, or before the rename
        entries = 0

        def write_entry(self, archive, info, data):
            self.entries += 1
            if where == "entries" and self.entries == 3:
                archive.fp.flush()
                os.kill(os.getpid(), signal.SIGKILL)
            super().write_entry(archive, info, data)

        def replace(self, temp, target):
            os.kill(os.getpid(), signal.SIGKILL)

    layout = SheetLayout("Anomalies", "Anomalies", blocks=[Table(["Gravité"], [["Erreur"]])])
    writer.write_generated(path, [layout], disk=DyingDisk())
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX")
@pytest.mark.parametrize("where", ["entries", "rename"])
def test_a_killed_process_leaves_the_original_intact(citeslab, where):
    before = citeslab.read_bytes()
    done = subprocess.run([sys.executable, "-c", KILLED_RUN, where, str(citeslab)], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True)
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()
    assert citeslab.read_bytes() == before
    leftovers = list(citeslab.parent.glob(".*" + writer.TEMP_SUFFIX))
    assert len(leftovers) == 1  # the half-written file, named so that nobody takes it for a workbook

    write_generated(citeslab, generated())  # the next run is not disturbed, and cleans up
    assert not list(citeslab.parent.glob(".*" + writer.TEMP_SUFFIX))
    assert_only_generated_parts_changed(parts_of(backup_paths(citeslab, 1)[0]), parts_of(citeslab),
                                        ["Anomalies", "Synthèse 2025-01"])
