"""Putting the new package in place of the workbook, so that a crash at any point leaves it as it was.

The writer refuses (nothing written) when Excel or LibreOffice has the file
open (lock file `~$NAME` or `.~lock.NAME#` beside it). It writes the complete
new file beside the target, fsyncs it, checks it, keeps the previous version
as `NAME.bak.xlsx` (older ones shift to `NAME.bak1.xlsx`, `NAME.bak2.xlsx`...
up to `keep_backups` copies), then replaces the target atomically with
`os.replace`. The temporary file a crash may leave behind
(`.NAME.<random>.citeslab-tmp`) is removed by the next run.

The physical writes go through a `Disk`: the tests pass one that fails, or
kills the process, at a chosen point.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from citeslab_xl.adapters.opc.package import Entry, write_zip
from citeslab_xl.core.errors import WriteRefused

TEMP_SUFFIX = ".citeslab-tmp"
LOCK_HINT = "fermez-le, puis relancez (si personne ne l'a ouvert, supprimez ce fichier de verrouillage)"


class Disk:
    """The physical writes of a commit: each zip entry of the new file, then the rename that publishes it."""

    def write_entry(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes) -> None:
        archive.writestr(info, data)

    def replace(self, temp: Path, target: Path) -> None:
        os.replace(temp, target)


def refuse_if_open(path: Path) -> None:
    """Refuse when Excel or LibreOffice has the file open (its lock file is beside it)."""
    name = path.name
    for lock in (f"~${name}", f".~lock.{name}#"):
        if (path.parent / lock).exists():
            program = "LibreOffice" if lock.startswith(".~lock") else "Excel"
            raise WriteRefused(f"« {name} » est ouvert dans {program} (fichier « {lock} » présent) : "
                               f"{LOCK_HINT}. Rien n'a été écrit.")


def backup_paths(path: Path, keep: int) -> list[Path]:
    """`NAME.bak.xlsx` (the newest), then `NAME.bak1.xlsx`, `NAME.bak2.xlsx`..."""
    return [path.with_name(f"{path.stem}.bak{i or ''}{path.suffix}") for i in range(keep)]


def commit(target: Path, entries: list[Entry], keep_backups: int, disk: Disk) -> Path | None:
    """Write `entries` as the new `target`, keeping backups; returns the newest backup, if one was kept."""
    _remove_leftovers(target)
    try:
        temp = _file_beside(target, lambda handle: write_zip(handle, entries, disk.write_entry), like=target)
        try:
            _verify(temp, [info.filename for info, _ in entries])
            backup = _keep_backup(target, keep_backups) if target.exists() else None
            disk.replace(temp, target)
        except BaseException:
            _discard(temp)
            raise
    except OSError as exc:
        raise WriteRefused(f"« {target.name} » n'a pas pu être écrit ({exc.strerror or exc}) : "
                           "le classeur est resté tel qu'il était.") from exc
    _sync_folder(target.parent)
    return backup


def _remove_leftovers(target: Path) -> None:
    """Temporary files of an earlier run that was killed before it could clean up."""
    prefixes = tuple(f".{path.name}." for path in [target] + backup_paths(target, 1))
    for path in target.parent.iterdir():
        if path.name.startswith(prefixes) and path.name.endswith(TEMP_SUFFIX):
            with contextlib.suppress(OSError):  # another program may hold it: it stays, harmless
                path.unlink()


def _file_beside(target: Path, fill: Callable[[BinaryIO], None], like: Path) -> Path:
    """A complete, synced temporary file in the target's folder (so that a rename is atomic)."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent)
    temp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            fill(handle)
            handle.flush()
            os.fsync(handle.fileno())
        _copy_mode(like, temp)
    except BaseException:
        _discard(temp)
        raise
    return temp


def _copy_mode(like: Path, temp: Path) -> None:
    # mkstemp makes a file only its owner can read: the new workbook keeps the old one's permissions
    if like.exists():
        shutil.copymode(like, temp)
    else:
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temp, 0o666 & ~mask)


def _verify(path: Path, names: list[str]) -> None:
    with zipfile.ZipFile(path) as archive:
        if archive.namelist() != names or archive.testzip() is not None:
            raise RuntimeError(f"le fichier temporaire {path.name} est incomplet")


def _keep_backup(target: Path, keep: int) -> Path | None:
    """Shift the older copies, then copy the current file to `NAME.bak.xlsx`."""
    if keep <= 0:
        return None
    paths = backup_paths(target, keep)
    for older, newer in zip(reversed(paths[1:]), reversed(paths[:-1]), strict=True):
        if newer.exists():
            os.replace(newer, older)
    with target.open("rb") as current:
        temp = _file_beside(paths[0], lambda handle: shutil.copyfileobj(current, handle), like=target)
    try:
        os.replace(temp, paths[0])
    except BaseException:
        _discard(temp)
        raise
    return paths[0]


def _discard(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; Windows has no directory handles)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
