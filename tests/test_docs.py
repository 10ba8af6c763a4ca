"""The README tells the truth about the code (in the manner of sqlite-utils' tests/test_docs.py).

Its command table lists exactly the commands of the command line and their
options; its "Layout of the code" table lists exactly the modules of
`citeslab_xl/`; its "Checks" section names the ruff rules pyproject.toml sets.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest
import typer.core
import typer.main

from citeslab_xl.doors.cli import app

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")
PACKAGE = REPO / "citeslab_xl"


def section(heading: str) -> str:
    """The README's text under `heading` (a `##` or `###` title), up to the next title of that level or above."""
    match = re.search(rf"^(#+) {re.escape(heading)}\s*$", README, flags=re.MULTILINE)
    assert match, f"README: no section « {heading} »"
    level = len(match.group(1))
    rest = README[match.end():]
    end = re.search(rf"^#{{1,{level}}} ", rest, flags=re.MULTILINE)
    return rest[: end.start()] if end else rest


def table_cells(text: str) -> list[list[str]]:
    """The cells of every row of the markdown tables in `text`, without the header and separator rows."""
    rows = []
    for line in text.splitlines():
        if not line.startswith("|") or re.fullmatch(r"[|\s:-]+", line):
            continue
        rows.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip("|"))])
    return rows[1:] if rows else rows


# --- the command table ---------------------------------------------------------------


def documented_commands() -> dict[str, set[str]]:
    """Each command of the README's table and the options its row shows."""
    commands = {}
    for cells in table_cells(section("2. On the command line (whoever looks after the tool; scheduled runs)")):
        usage = cells[0]
        match = re.match(r"`citeslab-xl ([a-z-]+)", usage)
        assert match, f"README: a row of the command table does not start with `citeslab-xl …`: {usage}"
        commands[match.group(1)] = set(re.findall(r"--[a-z][a-z0-9-]*", usage))
    return commands


def code_commands() -> dict[str, set[str]]:
    """Each registered command of the Typer app and its options (`--help` aside)."""
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    return {
        name: {opt for param in command.params if param.param_type_name == "option"
               for opt in (*param.opts, *param.secondary_opts) if opt.startswith("--")}
        for name, command in group.commands.items() if not command.hidden
    }


CODE_COMMANDS = code_commands()
DOCUMENTED_COMMANDS = documented_commands()


def test_the_tables_are_found():
    assert len(CODE_COMMANDS) >= 10
    assert len(DOCUMENTED_COMMANDS) >= 10


@pytest.mark.parametrize("name", sorted(CODE_COMMANDS))
def test_every_command_is_documented(name):
    assert name in DOCUMENTED_COMMANDS, f"README: the command table has no row for `citeslab-xl {name}`"


@pytest.mark.parametrize("name", sorted(DOCUMENTED_COMMANDS))
def test_every_documented_command_exists(name):
    assert name in CODE_COMMANDS, f"README documents `citeslab-xl {name}`, which the command line does not have"


@pytest.mark.parametrize("name", sorted(set(CODE_COMMANDS) & set(DOCUMENTED_COMMANDS)))
def test_the_documented_options_are_the_commands_options(name):
    assert DOCUMENTED_COMMANDS[name] == CODE_COMMANDS[name], (
        f"`citeslab-xl {name}`: only in the README {sorted(DOCUMENTED_COMMANDS[name] - CODE_COMMANDS[name])}, "
        f"only in the code {sorted(CODE_COMMANDS[name] - DOCUMENTED_COMMANDS[name])}")


# --- the layout table ----------------------------------------------------------------


def listed_paths() -> set[str]:
    """Every `citeslab_xl/…` path the layout table names: a module, or a package folder (ending in `/`)."""
    text = section("Layout of the code")
    return {path for cells in table_cells(text) for cell in cells
            for path in re.findall(r"`(citeslab_xl/[^`]*)`", cell)}


def modules() -> list[str]:
    return sorted(path.relative_to(REPO).as_posix() for path in PACKAGE.rglob("*.py")
                  if path.name != "__init__.py" and "__pycache__" not in path.parts)


LISTED = listed_paths()


def test_the_layout_table_is_found():
    assert len(LISTED) >= 20


@pytest.mark.parametrize("path", sorted(LISTED))
def test_every_listed_path_exists(path):
    target = REPO / path
    if path.endswith("/"):
        assert target.is_dir() and any(target.glob("*.py")), f"README lists {path}, which holds no module"
    else:
        assert path.endswith(".py") and target.is_file(), f"README lists {path}, which is not a module"


@pytest.mark.parametrize("module", modules())
def test_every_module_is_listed(module):
    folders = [path for path in LISTED if path.endswith("/")]
    assert module in LISTED or any(module.startswith(folder) for folder in folders), (
        f"README: the layout table does not list {module} (nor a folder holding it)")


# --- the Python example --------------------------------------------------------------


def test_the_python_example_runs(demo_workbook, tmp_path, monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", section("3. From Python"), flags=re.DOTALL)
    assert len(blocks) == 1
    shutil.copyfile(demo_workbook, tmp_path / "CitesLab.xlsx")
    monkeypatch.chdir(tmp_path)
    names: dict[str, object] = {}
    exec(compile(blocks[0], "README.md", "exec"), names)
    assert {"dataset", "figures"} <= set(names)
    assert (tmp_path / "CitesLab.bak.xlsx").is_file()  # the refresh wrote, keeping the previous version


# --- the checks ----------------------------------------------------------------------


def test_the_checks_section_names_the_ruff_rules():
    lint = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]["lint"]
    named = set(re.findall(r"`([A-Z]+[0-9]*)`", section("Checks")))
    configured = set(lint["select"]) | set(lint["ignore"])
    assert configured <= named, f"README › Checks does not name {sorted(configured - named)}"


def test_the_size_limits_are_the_readers():
    from citeslab_xl.adapters import reading

    section = README.split("## Size limits", 1)[1].split("\n## ", 1)[0]
    stated = {
        "MAX_UNCOMPRESSED": re.search(r"(\d+) MB uncompressed \(`MAX_UNCOMPRESSED`\)", section),
        "MAX_RATIO": re.search(r"ratio of\s+(\d+) past", section),
        "MAX_CELLS": re.search(r"(\d+) million cells in one sheet \(`MAX_CELLS`\)", section),
    }
    assert all(stated.values()), stated
    assert int(stated["MAX_UNCOMPRESSED"][1]) << 20 == reading.MAX_UNCOMPRESSED
    assert int(stated["MAX_RATIO"][1]) == reading.MAX_RATIO
    assert int(stated["MAX_CELLS"][1]) * 1_000_000 == reading.MAX_CELLS
