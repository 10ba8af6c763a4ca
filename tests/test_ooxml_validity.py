"""Every kind of file the tool writes opens clean: 0 errors under Microsoft's Open XML SDK validator.

The validator (`tools/ooxml-validate`, DocumentFormat.OpenXml 3.5.1) is the
nearest check to Excel's "We found a problem with some content" that runs on
Linux. It costs seconds to start, so every file is written first, through the
commands themselves, and the validator runs once over all of them, for
Microsoft 365 and for Office 2007. The same run checks that splicing the
generated sheets into the corpus's workbooks (saved by Excel, LibreOffice and
others) adds no error to those they already had.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from conftest import AS_OF, CORPUS, run_cli

from citeslab_xl.adapters.writer import write_generated
from citeslab_xl.core.errors import CitesLabError
from citeslab_xl.core.layout import PERCENT, Chart, Note, SheetLayout, Table

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
VALIDATOR = REPO / "tools" / "ooxml-validate"
VERSIONS = {"Microsoft365", "Office2007"}
KINDS = ["committed template", "template", "demo", "refreshed", "refreshed twice", "committee", "export",
         "macro workbook"]
CORPUS_FILES = sorted(path.name for path in CORPUS.glob("*.xls[xm]"))

Reports = dict[str, dict[str, dict]]  # file case -> Office version -> the validator's report


def write_kinds(folder: Path) -> tuple[dict[str, Path], dict[str, str]]:
    """One file of each kind the tool writes, by the commands that write them; and what failed, by kind."""
    day = AS_OF.isoformat()
    files = {kind: folder / f"{kind.replace(' ', '-')}.xlsx" for kind in KINDS}
    files["committed template"] = REPO / "workbooks" / "template.xlsx"
    files["macro workbook"] = folder / "CitesLab.xlsm"
    commands = {
        "template": ["template", files["template"]],
        # deliberate mistakes, so that Anomalies has rows, links and every kind of cell
        "demo": ["demo", files["demo"], "--people", "120", "--errors", "0.05", "--as-of", day],
        "refreshed": ["refresh", files["demo"], "--as-of", day, "--out", files["refreshed"]],
        # a second run replaces the tool's own sheets and appends to the styles it wrote the first time
        "refreshed twice": ["refresh", files["refreshed"], "--as-of", day, "--rebuild", "--out",
                            files["refreshed twice"]],
        "committee": ["committee", files["demo"], "cotech", "--as-of", day, "--out", files["committee"]],
        "export": ["export", files["demo"], files["export"], "--as-of", day],
        "macro workbook": ["build-workbook", files["macro workbook"]],
    }
    failed = {}
    for kind, args in commands.items():
        command = f"citeslab-xl {' '.join(map(str, args))}"
        try:  # one command that breaks must not hide what the validator says of the others
            result = run_cli(*args)
        except Exception as exc:
            failed[kind] = f"{command}: {exc!r}"
            continue
        # exit 1 only says that the data has errors (the deliberate ones): the file is written all the same
        if result.exit_code not in (0, 1) or not files[kind].is_file():
            failed[kind] = f"{command}: exit {result.exit_code}\n{result.output}"
    return {kind: path for kind, path in files.items() if kind not in failed}, failed


def generated() -> list[SheetLayout]:
    """A generated sheet with every kind of block and style the tool writes."""
    table = Table(["Quartier", "Accompagnés", "Taux"], [["Planoise", 3, 0.5], ["Battant", 2, 0.25]],
                  title="Par quartier", formats={2: PERCENT}, total=True, links={0: "'Synthèse 2026-10'!A1"})
    return [SheetLayout("Synthèse 2026-10", "Synthèse d'octobre 2026", "Au 26/11/2026",
                        blocks=[table, Note("Une note."), Chart("col", "Accompagnés", table=0, series=[1])])]


def splice_corpus(folder: Path) -> dict[str, Path]:
    """A copy of each corpus workbook with a generated sheet spliced in; those the writer refuses are left out."""
    spliced = {}
    for name in CORPUS_FILES:
        copy = folder / name
        shutil.copyfile(CORPUS / name, copy)
        try:
            write_generated(copy, generated())
        except CitesLabError:
            continue
        spliced[name] = copy
    return spliced


@pytest.fixture(scope="module")
def validation(tmp_path_factory) -> tuple[Reports, dict[str, str]]:
    """The validator's reports for every file case, from a single run; the commands that failed."""
    folder = tmp_path_factory.mktemp("written")
    files, failed = write_kinds(folder)
    (folder / "corpus").mkdir()
    for name, path in splice_corpus(folder / "corpus").items():
        files[f"spliced {name}"] = path
        files[f"original {name}"] = CORPUS / name
    out = folder / "validation.json"
    done = subprocess.run([str(VALIDATOR), "--json", str(out), *map(str, files.values())],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode in (0, 1), f"the validator could not run:\n{done.stderr}"
    case_of = {str(path): case for case, path in files.items()}
    reports: Reports = {case: {} for case in files}
    for report in json.loads(out.read_text(encoding="utf-8")):
        reports[case_of[report["file"]]][report["version"]] = report
    return reports, failed


def describe(report: dict, errors: list[dict]) -> str:
    if report["open_error"]:
        return f"[{report['version']}] does not open: {report['open_error']}"
    return "\n".join(f"[{report['version']}] {e['part']} {e['xpath']} {e['id']}: {e['description']}" for e in errors)


@pytest.mark.parametrize("kind", KINDS)
def test_the_file_has_no_error_under_the_sdk(validation, kind):
    reports, failed = validation
    assert kind not in failed, failed.get(kind)
    assert set(reports[kind]) == VERSIONS
    failing = [report for report in reports[kind].values() if report["open_error"] or report["errors"]]
    assert not failing, "\n".join(describe(report, report["errors"]) for report in failing)


def test_the_corpus_is_there():
    assert len(CORPUS_FILES) >= 20, f"no corpus in {CORPUS}"


def error_keys(report: dict) -> Counter:
    return Counter((e["part"], e["xpath"], e["id"]) for e in report["errors"])


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_a_splice_adds_no_error_to_her_workbook(validation, name):
    reports, _ = validation
    if f"spliced {name}" not in reports:
        pytest.skip("the writer refuses this file, writing nothing")
    for version in VERSIONS:
        before, after = reports[f"original {name}"][version], reports[f"spliced {name}"][version]
        assert not after["open_error"], describe(after, [])
        added = error_keys(after) - error_keys(before)
        assert not added, describe(after, [e for e in after["errors"]
                                           if (e["part"], e["xpath"], e["id"]) in added])
