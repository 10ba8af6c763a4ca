"""Every file the tool writes goes through here (interfaces.md › Every file the tool writes).

One policy for `template`, `demo`, `build-workbook`, `adopt`, `export`, `refresh --out` and `committee --out`:
refuse what is not ours to replace (French message, exit 2, nothing written, nothing left behind), write beside
the target, then rename atomically. `replace_file` is the in-place variant for the workbook that `refresh` and
`committee` update: it keeps the file's permissions and owner, and a symbolic link stays a link.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from citeslab_xl.core.errors import WriteRefused

Save = Callable[[Path], None]
"""Writes the complete new file at the path it is given (a temporary name beside the target)."""

LOCK_WAIT_SECONDS = 5.0
_LOCK_POLL_SECONDS = 0.1


def create_file(target: str | Path, save: Save, *, suffixes: tuple[str, ...]) -> Path:
    """Write a new file at `target` through `save`; refuse an existing file or a place that cannot take it."""
    path = Path(target)
    check_new_target(path, suffixes)
    temp = _write_beside(path, save)
    try:
        _publish_new(temp, path)
    finally:
        _remove_quietly(temp)
    return path


def replace_file(target: str | Path, save: Save) -> Path:
    """Replace an existing file atomically, keeping its mode and owner; a symlink's target is what changes."""
    path = Path(target)
    real = Path(os.path.realpath(path))
    temp = _write_beside(real, save)
    try:
        _copy_ownership(real, temp)
        _rename(temp, real)
    finally:
        _remove_quietly(temp)
    return path


def check_new_target(path: Path, suffixes: tuple[str, ...]) -> None:
    """The refusals of the policy, before anything is written."""
    if path.is_dir():
        raise WriteRefused(f"{path} est un dossier : donnez le nom du fichier à créer dedans, "
                           f"par exemple {path / ('classeur' + suffixes[0])}.")
    if path.suffix.lower() not in suffixes:
        wanted = " ou ".join(f"« {suffix} »" for suffix in suffixes)
        raise WriteRefused(f"{path} : le fichier à écrire doit se terminer par {wanted} ; "
                           f"par exemple {path.with_suffix(suffixes[0]).name}.")
    if path.exists() or path.is_symlink():
        raise WriteRefused(f"{path} existe déjà : l'outil ne remplace pas un fichier existant ; "
                           "donnez un autre nom, ou déplacez d'abord l'ancien fichier.")
    parent = path.parent
    if not parent.is_dir():
        raise WriteRefused(f"Le dossier {parent} n'existe pas : créez-le d'abord, ou choisissez un dossier existant.")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise WriteRefused(f"Le dossier {parent} est en lecture seule : choisissez un dossier où vous pouvez écrire.")


def _write_beside(path: Path, save: Save) -> Path:
    """The new content under a temporary name in the target's folder, so that the final rename is atomic."""
    try:
        handle, name = tempfile.mkstemp(prefix=f".~citeslab-{path.stem}-", suffix=path.suffix, dir=path.parent)
    except OSError as exc:
        raise _refusal(path, exc) from None
    os.close(handle)
    temp = Path(name)
    try:
        save(temp)
        _flush_to_disk(temp)
        _set_document_mode(temp)
    except OSError as exc:
        _remove_quietly(temp)
        raise _refusal(path, exc) from None
    except BaseException:
        _remove_quietly(temp)
        raise
    return temp


def _publish_new(temp: Path, path: Path) -> None:
    # A hard link fails if the name appeared meanwhile, where a rename would silently replace it.
    try:
        os.link(temp, path)
    except FileExistsError:
        raise WriteRefused(f"{path} vient d'être créé par un autre programme : rien n'a été remplacé ; "
                           "donnez un autre nom.") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise _refusal(path, exc) from None
        check_new_target(path, (path.suffix.lower(),))
        _rename(temp, path)


def _rename(temp: Path, path: Path) -> None:
    try:
        os.replace(temp, path)
    except OSError as exc:
        raise _refusal(path, exc) from None


def _set_document_mode(path: Path) -> None:
    """mkstemp makes 0600 files; a saved document is readable as the user's umask says, like any other."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def _copy_ownership(source: Path, temp: Path) -> None:
    shutil.copymode(source, temp)
    info = source.stat()
    with contextlib.suppress(AttributeError, PermissionError):
        os.chown(temp, info.st_uid, info.st_gid)


def _flush_to_disk(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _refusal(path: Path, exc: OSError) -> WriteRefused:
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        return WriteRefused(f"{path} : le disque est plein, rien n'a été écrit ; libérez de la place et recommencez.")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return WriteRefused(f"{path} : écriture refusée par le système (dossier en lecture seule ou droits "
                            "insuffisants), rien n'a été écrit ; choisissez un dossier où vous pouvez écrire.")
    return WriteRefused(f"{path} : l'écriture a échoué ({exc.strerror or exc}), rien n'a été écrit.")


def lock_path(workbook: Path) -> Path:
    return workbook.with_name(f".~citeslab-{workbook.name}.lock")


@contextlib.contextmanager
def workbook_lock(workbook: str | Path, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """An advisory lock beside the workbook: two runs never write it at once; the second waits, then refuses."""
    path = lock_path(Path(os.path.realpath(workbook)))
    try:
        handle = open(path, "a+b")  # noqa: SIM115 - held open for the whole run, closed in `finally`
    except OSError as exc:
        raise _refusal(path, exc) from None
    try:
        _acquire(handle, Path(workbook), wait)
        try:
            yield
        finally:
            _release(handle)
    finally:
        handle.close()


def is_locked(workbook: str | Path) -> bool:
    """Whether a run holds the workbook's lock; tried through a read-only handle, so nothing is created."""
    try:
        handle = open(lock_path(Path(os.path.realpath(workbook))), "rb")  # noqa: SIM115 - closed below
    except OSError:
        return False  # no lock file: no run has ever held it
    with handle:
        if not _try_lock(handle):
            return True
        _release(handle)
        return False


def _acquire(handle: BinaryIO, workbook: Path, wait: float) -> None:
    deadline = time.monotonic() + wait
    while not _try_lock(handle):
        if time.monotonic() >= deadline:
            raise WriteRefused(f"{workbook} est déjà en cours de mise à jour par une autre exécution de l'outil "
                               "(une tâche planifiée ou un bouton) : attendez qu'elle finisse, puis recommencez.")
        time.sleep(_LOCK_POLL_SECONDS)


def _try_lock(handle: BinaryIO) -> bool:
    fileno = handle.fileno()
    try:
        if os.name == "nt":
            import msvcrt

            msvcrt.locking(fileno, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        else:
            import fcntl

            fcntl.flock(fileno, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _release(handle: BinaryIO) -> None:
    fileno = handle.fileno()
    if os.name == "nt":
        import msvcrt

        msvcrt.locking(fileno, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
    else:
        import fcntl

        fcntl.flock(fileno, fcntl.LOCK_UN)
