"""What the tests share: one reference date, the demo workbooks (built once per session), the corpus, the CLI.

A test that writes into a demo workbook takes `demo_copy` (its own copy in `tmp_path`); `demo_workbook` itself is
only read. `cli(...)` runs `citeslab-xl` in-process with Typer's CliRunner; the few tests where the process
boundary is the point (exit code and stderr of a real process, memory limits) run `python -m citeslab_xl`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

AS_OF = date(2026, 11, 26)
"""The reference date of the tests: a Thursday late in a month, in the fourth quarter, before today."""

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("CITESLAB_CORPUS", ROOT / "tests" / "corpus"))
"""Real workbooks made by others (tests/corpus, from calamine's test suite, MIT; or $CITESLAB_CORPUS)."""


@pytest.fixture(scope="session")
def demo_workbook(tmp_path_factory) -> Path:
    """A realistic demo workbook as of AS_OF (150 porteurs a year, two years); read it, never write it."""
    from citeslab_xl.demo import write_demo

    path = tmp_path_factory.mktemp("demo") / "demo.xlsx"
    write_demo(path, people=150, years=2, seed=3, as_of=AS_OF)
    return path


@pytest.fixture
def demo_copy(demo_workbook, tmp_path) -> Path:
    """A copy of the demo workbook that the test may write into."""
    copy = tmp_path / "suivi.xlsx"
    shutil.copyfile(demo_workbook, copy)
    return copy


def run_cli(*args: object) -> Result:
    """`citeslab-xl ARGS...` in this process; an exception that escaped the command fails the test."""
    from citeslab_xl.doors.cli import app

    result = CliRunner().invoke(app, [str(arg) for arg in args], prog_name="citeslab-xl")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.fixture
def cli():
    return run_cli


def run_process(*args: object, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """`python -m citeslab_xl ARGS...` as a separate process, for what only a process shows."""
    return subprocess.run([sys.executable, "-m", "citeslab_xl", *map(str, args)], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), cwd=cwd, timeout=timeout)
