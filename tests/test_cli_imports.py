"""Each command imports only what it uses: `--help` answers at once, `template` needs no pandas."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT

# pydantic is not among them: Typer itself converts every argument with it.
HEAVY = ("pandas", "numpy", "openpyxl", "xlwings", "python_calamine")


def heavy_modules_loaded_by(*args: str, among: tuple[str, ...] = HEAVY) -> list[str]:
    """The modules `among` in a fresh interpreter after `citeslab-xl ARGS...` ran (the process is the point)."""
    script = ("import json, sys\nfrom citeslab_xl.doors.cli import app\n"
              f"try:\n    app({list(args)!r})\nexcept SystemExit:\n    pass\n"
              f"print(json.dumps([m for m in {among!r} if m in sys.modules]))")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.splitlines()[-1])


@pytest.mark.parametrize("args", [("--help",), ("refresh", "--help"), ("check",)], ids=" ".join)
def test_help_and_usage_errors_import_no_heavy_library(args):
    assert heavy_modules_loaded_by(*args) == []


def test_help_loads_neither_the_engine_nor_a_console():
    """A help page is Typer's work alone: the API, the adapters and rich's console wait for a command to run."""
    engine = ("citeslab_xl.doors.api", "citeslab_xl.adapters", "citeslab_xl.core.grid", "rich.console", "rich.table")
    assert heavy_modules_loaded_by("--help", among=engine) == []
    assert heavy_modules_loaded_by("refresh", "--help", among=engine) == []


def test_template_imports_openpyxl_but_not_pandas(tmp_path):
    loaded = heavy_modules_loaded_by("template", str(tmp_path / "vide.xlsx"))
    assert "openpyxl" in loaded and "pandas" not in loaded and "xlwings" not in loaded
    assert (tmp_path / "vide.xlsx").is_file()
