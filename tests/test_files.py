"""The one file-writing policy (interfaces.md › Every file the tool writes)."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import threading
from pathlib import Path

import pytest

from citeslab_xl.adapters import files
from citeslab_xl.core.errors import WriteRefused


def _save(text: bytes = b"new"):
    def save(path: Path) -> None:
        path.write_bytes(text)
    return save


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".~citeslab"))


def test_create_writes_the_file_readable_as_the_umask_says(tmp_path):
    target = files.create_file(tmp_path / "out.xlsx", _save(), suffixes=(".xlsx",))
    assert target.read_bytes() == b"new"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("name, message", [
    ("out.csv", "doit se terminer par « .xlsx »"),
    ("missing/out.xlsx", "n'existe pas"),
])
def test_create_refuses_a_wrong_place(tmp_path, name, message):
    with pytest.raises(WriteRefused, match=message) as refused:
        files.create_file(tmp_path / name, _save(), suffixes=(".xlsx",))
    assert refused.value.exit_code == 2
    assert not (tmp_path / name).exists()


def test_create_refuses_an_existing_file_and_leaves_it_byte_identical(tmp_path):
    target = tmp_path / "victim.xlsx"
    target.write_bytes(b"years of data")
    with pytest.raises(WriteRefused, match="existe déjà"):
        files.create_file(target, _save(), suffixes=(".xlsx",))
    assert target.read_bytes() == b"years of data"
    assert _leftovers(tmp_path) == []


def test_create_refuses_a_folder(tmp_path):
    folder = tmp_path / "dossier"
    folder.mkdir()
    with pytest.raises(WriteRefused, match="est un dossier"):
        files.create_file(folder, _save(), suffixes=(".xlsx",))


def _mount_tmpfs(folder: Path, options: str) -> bool:
    folder.mkdir()
    return os.geteuid() == 0 and subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                                                capture_output=True).returncode == 0


@pytest.fixture
def read_only_folder(tmp_path):
    """A real read-only file system as root (CI), a folder without write permission otherwise."""
    folder = tmp_path / "ro"
    mounted = _mount_tmpfs(folder, "ro,size=1m")
    if not mounted:
        folder.chmod(0o555)
    yield folder
    if mounted:
        subprocess.run(["umount", str(folder)], check=True)
    else:
        folder.chmod(0o755)


@pytest.fixture
def tiny_disk(tmp_path):
    """A 64 KB tmpfs as root (CI); elsewhere a save that fails the way a full disk does."""
    folder = tmp_path / "tiny"
    mounted = _mount_tmpfs(folder, "size=64k")
    yield folder, mounted
    if mounted:
        subprocess.run(["umount", str(folder)], check=True)


def test_create_refuses_a_read_only_folder(read_only_folder):
    with pytest.raises(WriteRefused, match=r"lecture seule|écriture refusée"):
        files.create_file(read_only_folder / "out.xlsx", _save(), suffixes=(".xlsx",))
    assert list(read_only_folder.iterdir()) == []


def test_a_full_disk_is_refused_and_leaves_nothing(tiny_disk):
    folder, mounted = tiny_disk

    def big(path: Path) -> None:
        if not mounted:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        path.write_bytes(b"x" * 1_000_000)

    with pytest.raises(WriteRefused, match="disque est plein"):
        files.create_file(folder / "out.xlsx", big, suffixes=(".xlsx",))
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("code, message", [(errno.ENOSPC, "disque est plein"), (errno.EROFS, "écriture refusée")])
def test_a_failing_write_leaves_nothing_behind(tmp_path, code, message):
    def full_disk(path: Path) -> None:
        path.write_bytes(b"half")
        raise OSError(code, os.strerror(code))

    with pytest.raises(WriteRefused, match=message):
        files.create_file(tmp_path / "out.xlsx", full_disk, suffixes=(".xlsx",))
    assert list(tmp_path.iterdir()) == []


def test_replace_keeps_mode_and_a_symlink_stays_a_link(tmp_path):
    real = tmp_path / "real.xlsx"
    real.write_bytes(b"old")
    real.chmod(0o640)
    link = tmp_path / "link.xlsx"
    link.symlink_to(real)
    files.replace_file(link, _save())
    assert link.is_symlink()
    assert real.read_bytes() == b"new"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert _leftovers(tmp_path) == []


def test_a_second_run_waits_then_refuses(tmp_path):
    workbook = tmp_path / "wb.xlsx"
    workbook.write_bytes(b"x")
    held, release = threading.Event(), threading.Event()

    def first_run() -> None:
        with files.workbook_lock(workbook):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=first_run)
    thread.start()
    held.wait(10)
    assert files.is_locked(workbook)
    try:
        with pytest.raises(WriteRefused, match="déjà en cours"), files.workbook_lock(workbook, wait=0.3):
            pytest.fail("a second run took the lock the first one holds")
    finally:
        release.set()
        thread.join()
    assert not files.is_locked(workbook)
    with files.workbook_lock(workbook, wait=0.3):
        assert files.is_locked(workbook)  # once the first run is over, the next one gets the lock
