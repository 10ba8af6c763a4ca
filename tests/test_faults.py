"""Faults while writing (issue 10 › 7) and the policy of every file the tool writes (issue 10 › 1).

interfaces.md › Every file the tool writes, › Writing a file safely. `refresh` is killed (SIGKILL) at points spread
over its whole run: before each filesystem operation of the run (counted with an audit hook), before each zip entry
of the new file, inside an entry after a number of bytes, and at random delays between 0 and the run's measured
duration. After each kill the workbook is byte-for-byte the old one or a complete new one, it opens, no Journal
row is lost, and the `.bak` copies rotate and never exceed their number. Then a full disk and a read-only folder
(small tmpfs mounts as root, as in CI; an injected failure or a folder without write permission otherwise), a
symbolic link, two runs at once, and every command that writes refusing what the policy refuses.

The killed runs are forked from this process (tests/fault_runs.py); the slow set also kills real
`python -m citeslab_xl refresh` processes.

A symbolic link's backups are kept beside the file it points to (where the rename can be atomic), not beside
the link.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import AS_OF, ROOT, run_cli
from fault_runs import (
    KEEP,
    Chain,
    assert_refreshed_from,
    backups,
    kill_everywhere,
    leftovers,
    seasoned,
    state,
    two_runs_at_once,
)
from workbook_packages import generated

from citeslab_xl.adapters import files
from citeslab_xl.adapters.workbook_file import commit
from citeslab_xl.adapters.writer import backup_paths, write_generated
from citeslab_xl.core.errors import WriteRefused
from citeslab_xl.doors import api

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the kills and the races fork (POSIX)")


# --- the workbooks ---------------------------------------------------------

@pytest.fixture(scope="module")
def original(tmp_path_factory) -> Path:
    """A small demo workbook, never refreshed."""
    from citeslab_xl.demo import write_demo

    path = tmp_path_factory.mktemp("faults") / "suivi.xlsx"
    write_demo(path, people=20, years=1, seed=3, as_of=AS_OF)
    return path


@pytest.fixture(scope="module")
def reference(original, tmp_path_factory) -> bytes:
    """The original refreshed once as of AS_OF: every later refresh on that day differs only in Journal."""
    copy = tmp_path_factory.mktemp("reference") / original.name
    shutil.copyfile(original, copy)
    api.refresh(copy, as_of=AS_OF)
    return copy.read_bytes()


# --- 1. killed at many points -----------------------------------------------------------------

@pytest.fixture
def chain(original, reference, tmp_path) -> Chain:
    folder = tmp_path / "classeur"
    folder.mkdir()
    workbook = folder / original.name
    shutil.copyfile(original, workbook)
    return Chain(workbook, reference)


def test_a_refresh_killed_at_a_few_points_leaves_the_old_or_a_complete_new_workbook(chain, tmp_path):
    assert kill_everywhere(chain, tmp_path, events=3, entries=2, byte_points=1, timers=2, seasons=1) == 8
    assert sum(chain.outcomes.values()) == 1 + 8 and chain.outcomes["terminé"] >= 1


@pytest.mark.slow
def test_a_refresh_killed_at_every_point_of_its_run(chain, tmp_path):
    assert kill_everywhere(chain, tmp_path, events=1000, entries=1000, byte_points=15, timers=30,
                           seasons=KEEP + 1) >= 100
    assert chain.outcomes["nouveau"] >= 1  # some kills came after the rename: the new workbook stood


@pytest.mark.slow
def test_a_real_refresh_process_killed_at_random_delays(chain):
    command = [sys.executable, "-m", "citeslab_xl", "refresh", str(chain.workbook), "--as-of", AS_OF.isoformat()]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.monotonic()
    subprocess.run(command, env=env, check=True, capture_output=True)
    duration = time.monotonic() - start
    chain.check(0)
    rng = random.Random(7)
    for _ in range(6):
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(duration / 2, duration))  # the first half is the interpreter's imports
        process.kill()
        chain.check(process.wait())
    print(f"6 processus arrêtés : {chain.outcomes}")


# --- 2., 3. a full disk, a read-only folder ------------------------------------------------------

@pytest.fixture
def tmpfs(tmp_path) -> Iterator[Callable[[str], Path | None]]:
    """Mounts a tmpfs with the options given (as root, as in CI); None where mounting is not possible."""
    mounted: list[Path] = []

    def mount(options: str) -> Path | None:
        folder = tmp_path / f"tmpfs{len(mounted)}"
        folder.mkdir()
        if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                                               capture_output=True).returncode != 0:
            return None
        mounted.append(folder)
        return folder

    yield mount
    for folder in mounted:
        subprocess.run(["umount", str(folder)], check=True)


def fill(folder: Path, leave: int) -> None:
    """Fill the file system of `folder` until only about `leave` bytes are free."""
    info = os.statvfs(folder)
    free = info.f_bavail * info.f_frsize
    (folder / "autre-fichier.bin").write_bytes(b"\0" * max(0, free - leave))


@pytest.mark.parametrize("short_of", ["le nouveau classeur", "la copie de sauvegarde"])
def test_a_full_disk_refuses_and_keeps_the_workbook_and_every_backup(tmpfs, tmp_path, original, reference, short_of,
                                                                     monkeypatch):
    folder = tmpfs("size=1m")
    if folder is None:
        if short_of != "le nouveau classeur":
            pytest.skip("needs a real small file system (root)")
        folder = tmp_path / "plein"
        folder.mkdir()

        def no_space(disk, archive, info, data):
            raise OSError(28, os.strerror(28))

        monkeypatch.setattr(commit.Disk, "write_entry", no_space)
    workbook = seasoned(folder, reference, original)
    files.lock_path(workbook).touch()
    if short_of == "le nouveau classeur":
        fill(folder, len(reference) // 2)
    else:  # the new file fits, the copy of the current one beside it does not
        fill(folder, len(reference) + len(reference) // 2)
    before = state(folder, workbook)
    result = run_cli("refresh", workbook, "--as-of", AS_OF)
    assert result.exit_code == 2 and "disque est plein" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert state(folder, workbook) == before
    assert leftovers(folder) == []


@pytest.fixture
def read_only(tmpfs, tmp_path, original, reference) -> Iterator[Path]:
    """A refreshed workbook with its backups in a read-only tmpfs (as root), else in a folder without write rights."""
    folder = tmpfs("size=2m")
    if folder is not None:
        workbook = seasoned(folder, reference, original)
        files.lock_path(workbook).touch()
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        yield workbook
        return
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere: needs a read-only mount")
    folder = tmp_path / "lecture-seule"
    folder.mkdir()
    workbook = seasoned(folder, reference, original)
    folder.chmod(0o555)
    yield workbook
    folder.chmod(0o755)


def test_a_read_only_folder_refuses_and_changes_nothing(read_only):
    before = state(read_only.parent, read_only)
    result = run_cli("refresh", read_only, "--as-of", AS_OF)
    assert result.exit_code == 2 and "lecture seule" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert state(read_only.parent, read_only) == before


class NoRenameDisk(commit.Disk):
    def replace(self, temp, target):
        raise PermissionError(13, "Permission denied")


def test_a_failed_rename_puts_every_backup_back(tmp_path, original, reference):
    workbook = seasoned(tmp_path, reference, original)
    before = state(tmp_path, workbook)
    with pytest.raises(WriteRefused, match="est resté tel qu'il était") as refused:
        write_generated(workbook, generated(), disk=NoRenameDisk())
    assert "Permission denied" not in refused.value.message  # the system's English words are not the message
    assert state(tmp_path, workbook) == before
    assert leftovers(tmp_path) == []


# --- 4. a symbolic link; permissions and owner ------------------------------------------------

def test_a_linked_workbook_stays_a_link_and_its_target_is_refreshed_with_backups_beside_it(tmp_path, original,
                                                                                           reference):
    real_folder, link_folder = tmp_path / "partage", tmp_path / "raccourcis"
    real_folder.mkdir()
    link_folder.mkdir()
    real = seasoned(real_folder, reference, original)
    real.chmod(0o640)
    owner = (4321, 4322) if os.geteuid() == 0 else (os.getuid(), os.getgid())
    os.chown(real, *owner)
    link = link_folder / "suivi.xlsx"
    link.symlink_to(real)
    old_backups = backups(real)
    result = run_cli("refresh", link, "--as-of", AS_OF)
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and link.resolve() == real
    assert [p.name for p in link_folder.iterdir()] == ["suivi.xlsx"]  # no backup, lock or temporary file there
    assert_refreshed_from(real.read_bytes(), reference, reference)
    kept = backups(real)
    bak, bak1, bak2 = backup_paths(real, KEEP)
    assert kept[bak.name] == reference and kept[bak1.name] == old_backups[bak.name]
    assert kept[bak2.name] == old_backups[bak1.name] and len(kept) == KEEP
    for path in (real, bak):
        info = path.stat()
        assert (info.st_mode & 0o777, info.st_uid, info.st_gid) == (0o640, *owner), path.name
    assert leftovers(real_folder) == []


# --- 5. two runs at once ------------------------------------------------------------------------

def test_two_refreshes_at_the_same_moment(chain, tmp_path):
    seen = two_runs_at_once(chain, tmp_path, rounds=2)
    assert sum(seen.values()) == 2


@pytest.mark.slow
def test_two_refreshes_at_the_same_moment_twenty_times(chain, tmp_path):
    seen = two_runs_at_once(chain, tmp_path, rounds=20)
    print(f"20 courses : {seen}")
    assert sum(seen.values()) == 20


# --- 6. the policy of every command that writes a file ---------------------------------------------

COMMANDS = {
    "refresh --out": (lambda wb, out: ["refresh", wb, "--as-of", AS_OF, "--out", out], ".xlsx"),
    "committee --out": (lambda wb, out: ["committee", wb, "copil", "--as-of", AS_OF, "--out", out], ".xlsx"),
    "template": (lambda wb, out: ["template", out], ".xlsx"),
    "demo": (lambda wb, out: ["demo", out, "--people", "5", "--years", "1", "--as-of", AS_OF], ".xlsx"),
    "export": (lambda wb, out: ["export", wb, out, "--as-of", AS_OF], ".xlsx"),
    "build-workbook": (lambda wb, out: ["build-workbook", out], ".xlsm"),
}
CASES = {
    "existe": "existe déjà",
    "dossier": "est un dossier",
    "dossier absent": "n'existe pas",
    "extension": "extension|doit se terminer par|doit s'appeler",
    "lecture seule": "lecture seule",
}


def _place(case: str, folder: Path, suffix: str, tmpfs: Callable[[str], Path | None]) -> Path:
    if case == "existe":
        (folder / f"sortie{suffix}").write_bytes(b"des annees de donnees")
    elif case == "dossier":
        (folder / f"sortie{suffix}").mkdir()
    elif case == "dossier absent":
        return folder / "absent" / f"sortie{suffix}"
    elif case == "extension":
        return folder / "sortie.csv"
    elif case == "lecture seule":
        mounted = tmpfs("ro,size=64k")
        if mounted is None:
            if os.geteuid() == 0:
                pytest.skip("root writes anywhere: needs a read-only mount")
            folder.chmod(0o555)
            return folder / f"sortie{suffix}"
        return mounted / f"sortie{suffix}"
    return folder / f"sortie{suffix}"


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_that_writes_refuses_what_the_policy_refuses(command, case, original, tmp_path, tmpfs):
    arguments, suffix = COMMANDS[command]
    folder = tmp_path / "sorties"
    folder.mkdir()
    out = _place(case, folder, suffix, tmpfs)
    before, source = state(folder, out), original.read_bytes()
    try:
        result = run_cli(*arguments(original, out))
    finally:
        folder.chmod(0o755)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert re.search(CASES[case], result.stderr), result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert state(folder, out) == before and original.read_bytes() == source
    assert not (folder / "absent").exists()
