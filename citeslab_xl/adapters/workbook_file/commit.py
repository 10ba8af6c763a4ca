"""Putting the new package in place of the workbook, so that a crash at any point leaves it as it was.

The writer refuses (nothing written) when Excel or LibreOffice has the file
open (lock file `~$NAME` or `.~lock.NAME#` beside it). It writes the complete
new file beside the target, fsyncs it, checks it, writes the copy of the
current version that becomes `NAME.bak.xlsx`, and only then renames: the older
copies shift to `NAME.bak1.xlsx`, `NAME.bak2.xlsx`... (up to `keep_backups`
copies), the copy takes `NAME.bak.xlsx`, and the new file replaces the target
with `os.replace`. Every byte is written before the first rename, so a full
disk costs no backup; a failed rename undoes the shift, so a run that fails
deletes no backup. The temporary files a crash may leave behind
(`.NAME.<random>.citeslab-tmp`) are removed by the next run.

A symbolic link stays a link: the file it points to is replaced, and its
backups are kept beside that file (where the rename can be atomic), not beside
the link. The new file keeps the old one's permissions and, when the system
lets us, its owner. `--out` writes a new file under the policy of every file
the tool writes (`files.create_file`): it never replaces one.

The physical writes go through a `Disk`: the tests pass one that fails, or
kills the process, at a chosen point.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from citeslab_xl.adapters import files
from citeslab_xl.adapters.opc.package import Entry, write_zip
from citeslab_xl.adapters.opc.zipcopy import Record, ZipWriter
from citeslab_xl.core.errors import WriteRefused

TEMP_SUFFIX = ".citeslab-tmp"
LOCK_HINT = "fermez-le, puis relancez (si personne ne l'a ouvert, supprimez ce fichier de verrouillage)"


class Disk:
    """The physical writes of a commit: each zip entry of the new file, then the rename that publishes it."""

    def write_entry(self, archive: ZipWriter, record: Record, data: bytes) -> None:
        """One entry of the new file; `data` is what it takes there (`record.stored`: her entry as it stands in
        her file, or the part compressed), given to a disk that counts or cuts the bytes it writes."""
        archive.write(record)

    def replace(self, temp: Path, target: Path) -> None:
        os.replace(temp, target)


def refuse_if_open(path: Path) -> None:
    """Refuse when Excel or LibreOffice has the file open (its lock file is beside it, or beside a link to it)."""
    for place in dict.fromkeys([path, Path(os.path.realpath(path))]):
        name = place.name
        for lock in (f"~${name}", f".~lock.{name}#"):
            if (place.parent / lock).exists():
                program = "LibreOffice" if lock.startswith(".~lock") else "Excel"
                raise WriteRefused(f"« {name} » est ouvert dans {program} (fichier « {lock} » présent) : "
                                   f"{LOCK_HINT}. Rien n'a été écrit.")


def backup_paths(path: Path, keep: int) -> list[Path]:
    """`NAME.bak.xlsx` (the newest), then `NAME.bak1.xlsx`, `NAME.bak2.xlsx`..."""
    return [path.with_name(f"{path.stem}.bak{i or ''}{path.suffix}") for i in range(keep)]


def commit(target: Path, entries: list[Entry], keep_backups: int, disk: Disk) -> Path | None:
    """Write `entries` as the new `target` (a link's target), keeping backups; returns the newest backup kept."""
    real = Path(os.path.realpath(target))
    _remove_leftovers(real)
    try:
        temp = _file_beside(real, lambda handle: write_zip(handle, entries, disk.write_entry), like=real)
        try:
            _verify(temp, [info.filename for info, _ in entries])
            backup = _publish(temp, real, keep_backups, disk)
        finally:
            _discard(temp)  # gone already when it was published
    except OSError as exc:
        raise _refusal(target, exc) from exc
    _sync_folder(real.parent)
    return backup


def create_copy(target: Path, entries: list[Entry], disk: Disk) -> None:
    """`--out`: the package as a new file; an existing file, a folder or a missing parent is refused."""
    def save(temp: Path) -> None:
        with temp.open("wb") as handle:
            write_zip(handle, entries, disk.write_entry)
        _verify(temp, [info.filename for info, _ in entries])

    files.create_file(target, save, suffixes=(target.suffix.lower(),))


def _publish(temp: Path, real: Path, keep: int, disk: Disk) -> Path | None:
    """Backups, then the new file in place; a failure puts the backups back as they were."""
    if keep <= 0:
        disk.replace(temp, real)
        return None
    paths = backup_paths(real, keep)
    with real.open("rb") as current:
        copy = _file_beside(paths[0], lambda handle: shutil.copyfileobj(current, handle), like=real)
    moves: list[tuple[Path, Path]] = []  # the renames made so far, undone if the publication fails
    try:
        dropped = _shift_backups(real, paths, copy, moves)
        disk.replace(temp, real)
    except BaseException:
        _undo(moves)
        raise
    finally:
        _discard(copy)  # gone already when it became the newest backup
    if dropped is not None:
        _discard(dropped)
    return paths[0]


def _shift_backups(real: Path, paths: list[Path], copy: Path, moves: list[tuple[Path, Path]]) -> Path | None:
    """`copy` becomes the newest backup and the others move one place down; returns where the oldest was put aside.

    The oldest is only renamed here, not deleted, so that a failure before the workbook is replaced can put
    it back; its temporary name is one the next run cleans up, should this one be killed.
    """
    dropped = None
    if paths[-1].exists():
        dropped = _temporary_name(real.parent, f".{real.name}.")
        _move(paths[-1], dropped, moves)
    for older, newer in zip(reversed(paths[1:]), reversed(paths[:-1]), strict=True):
        if newer.exists():
            _move(newer, older, moves)
    _move(copy, paths[0], moves)
    return dropped


def _move(source: Path, destination: Path, moves: list[tuple[Path, Path]]) -> None:
    os.replace(source, destination)
    moves.append((source, destination))


def _undo(moves: list[tuple[Path, Path]]) -> None:
    for source, destination in reversed(moves):
        with contextlib.suppress(OSError):  # best effort: the error that stopped the run is the one to report
            os.replace(destination, source)


def _temporary_name(folder: Path, prefix: str) -> Path:
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=TEMP_SUFFIX, dir=folder)
    os.close(fd)
    return Path(name)


def _remove_leftovers(target: Path) -> None:
    """Temporary files of an earlier run that was killed before it could clean up."""
    prefixes = tuple(f".{path.name}." for path in [target, *backup_paths(target, 1)])
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
        _copy_ownership(like, temp)
    except BaseException:
        _discard(temp)
        raise
    return temp


def _copy_ownership(like: Path, temp: Path) -> None:
    """mkstemp makes a file only its owner can read: the new workbook keeps the old one's mode and owner."""
    shutil.copymode(like, temp)
    old, new = like.stat(), temp.stat()
    if hasattr(os, "chown") and (old.st_uid, old.st_gid) != (new.st_uid, new.st_gid):
        with contextlib.suppress(PermissionError):  # only root may give a file away: it is then ours
            os.chown(temp, old.st_uid, old.st_gid)


def _verify(path: Path, names: list[str]) -> None:
    with zipfile.ZipFile(path) as archive:
        if archive.namelist() != names or archive.testzip() is not None:
            raise RuntimeError(f"le fichier temporaire {path.name} est incomplet")


def _refusal(target: Path, exc: OSError) -> WriteRefused:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        reason = "le disque est plein ; libérez de la place et recommencez"
    elif exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        reason = "écriture refusée par le système : dossier en lecture seule ou droits insuffisants"
    else:
        reason = f"l'écriture a échoué : {exc.strerror or exc}"
    return WriteRefused(f"« {target.name} » n'a pas pu être écrit ({reason}) : le classeur est resté tel qu'il était, "
                        "ses copies de sauvegarde aussi.")


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
