"""The benchmark (`benchmarks/run.py`, run by hand) still runs, and writes its figures below the marker only."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow  # it makes a demo workbook and starts a process per step


def test_a_quick_run_of_two_steps_keeps_the_prose_and_measures_each_step_alone(tmp_path):
    out = tmp_path / "BENCHMARKS.md"
    out.write_text("# Benchmarks\n\nLa prose gardée.\n\n<!-- figures -->\n\nles anciens chiffres\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "benchmarks/run.py", "--sizes", "1", "--steps", "read,check",
                          "--rounds", "2", "--workbooks", str(tmp_path / "classeurs"), "--no-start-up",
                          "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    text = out.read_text(encoding="utf-8")
    above, below = text.split("<!-- figures -->")
    assert above == "# Benchmarks\n\nLa prose gardée.\n\n" and "les anciens chiffres" not in below
    rows = {m["step"]: m for m in re.finditer(
        r"^\| (?P<step>\w+) \| (?P<cpu>[\d.]+) \| [\d.]+ \| (?P<floor>[\d.]+) \|  \| [\d.]+ \| (?P<mb>\d+) \|$",
        below, re.MULTILINE)}
    assert list(rows) == ["floor", "read", "check"]  # the floor comes with any step; no naive read, no ratio to it
    assert rows["floor"]["floor"] == "1.0"
    assert float(rows["check"]["cpu"]) > float(rows["read"]["cpu"]) > 0  # check reads, then validates
    assert int(rows["check"]["mb"]) > int(rows["floor"]["mb"])  # pandas is in the checking process only
    assert "median of 2 rounds" in below


def test_an_unknown_step_is_refused():
    run = subprocess.run([sys.executable, "benchmarks/run.py", "--steps", "lire"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 2 and "unknown steps: lire" in run.stderr
