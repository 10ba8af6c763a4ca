"""xlwings Lite can install and import the buttons: nothing compiled that Pyodide lacks (interfaces.md › Excel buttons).

Lite runs Python in Pyodide, which installs a distribution only as a pure-Python wheel or from its own list of
packages built for WebAssembly (tests/data/pyodide-packages.txt, from the pyodide-lock.json of the Pyodide Lite
uses). Two checks: what `macros/lite/main.py` imports, and what micropip would install from the package's
requirements, evaluated as Pyodide evaluates them.
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
import sysconfig
import tomllib
from importlib.metadata import Distribution, distribution, distributions
from pathlib import Path

import pytest
from conftest import AS_OF, ROOT
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version
from xlremote import payload_from_xlsx

from citeslab_xl.adapters.template import build_workbook
from citeslab_xl.demo import generate

PYODIDE_PACKAGES = ROOT / "tests" / "data" / "pyodide-packages.txt"
LITE_MAIN = ROOT / "macros" / "lite" / "main.py"
# xlwings: PyPI serves it as a py3-none-any wheel too, the one Lite installs (a new Lite workbook's
# requirements.txt names it); the copy installed here is the compiled desktop build.
PROVIDED_BY_LITE = {"xlwings"}
PROJECT = "citeslab-xl"  # installed editable here: tests/test_wheel.py checks that its wheel is pure Python
COMPILED = (".so", ".pyd")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyodide_packages() -> tuple[dict[str, str], str]:
    """Pyodide's packages (canonical name -> version) and its Python version, from the committed list."""
    packages, python = {}, ""
    for line in PYODIDE_PACKAGES.read_text(encoding="utf-8").splitlines():
        if line.startswith("# python "):
            python = line.removeprefix("# python ").strip()
        elif line and not line.startswith("#"):
            name, version = line.split()
            packages[canonical(name)] = version  # not all are PEP 440 (openssl 1.1.1w)
    return packages, python


def pyodide_environment(python: str) -> dict[str, str]:
    """The values Pyodide gives environment markers (sys.platform is "emscripten" there)."""
    return {"sys_platform": "emscripten", "platform_system": "Emscripten", "os_name": "posix",
            "platform_machine": "wasm32", "implementation_name": "cpython",
            "platform_python_implementation": "CPython", "python_full_version": python,
            "python_version": ".".join(python.split(".")[:2]), "extra": ""}


def is_pure_python(dist: Distribution) -> bool:
    """A wheel for any platform (tag `*-none-any`) with no compiled extension in its RECORD."""
    tags = [line.split(":", 1)[1].strip() for line in (dist.read_text("WHEEL") or "").splitlines()
            if line.startswith("Tag:")]
    compiled = [f for f in dist.files or [] if str(f).endswith(COMPILED)]
    return bool(tags) and all(tag.endswith("-none-any") for tag in tags) and not compiled


def files_of_modules_imported(code: str) -> dict[str, str | None]:
    """The modules a fresh interpreter holds after running `code` (less those it starts with), by file."""
    script = (f"import json, sys\nbefore = set(sys.modules)\n{code}\n"
              "print(json.dumps({name: getattr(module, '__file__', None) for name, module in list(sys.modules.items())"
              " if name not in before}))")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.splitlines()[-1])


@functools.cache  # some 14,000 files: read once per session
def owners_of_installed_files() -> dict[str, str]:
    """Installed file (normalised path) -> its distribution."""
    owners = {}
    for dist in distributions():
        base, name = str(dist.locate_file("")), canonical(dist.metadata["Name"])
        owners.update((os.path.normpath(os.path.join(base, str(f))), name) for f in dist.files or [])
    return owners


def distributions_on_lite_path(code: str) -> tuple[set[str], set[str]]:
    """The distributions whose modules `code` imports, and the modules of no distribution nor stdlib."""
    owners = owners_of_installed_files()
    stdlib = {Path(os.path.normpath(sysconfig.get_paths()[key])) for key in ("stdlib", "platstdlib")}
    found, unowned = set(), set()
    for module, file in files_of_modules_imported(code).items():
        if file is None:  # built in, or made by a compiled module whose own file is counted
            continue
        path = Path(os.path.normpath(file))
        if path.is_relative_to(ROOT / "citeslab_xl"):  # the project itself
            continue
        if path.is_relative_to(ROOT / "tests"):  # tests/xllite.py: the stand-in for Lite's JavaScript client
            continue
        if str(path) in owners:
            found.add(owners[str(path)])
        elif not any(path.is_relative_to(folder) for folder in stdlib):
            unowned.add(module)
    return found, unowned


def not_installable_in_pyodide(names: set[str], packages: dict[str, str]) -> list[str]:
    return sorted(name for name in names - PROVIDED_BY_LITE - {PROJECT}
                  if name not in packages and not is_pure_python(distribution(name)))


def assert_installable_in_pyodide(found: set[str], unowned: set[str]) -> None:
    packages, _ = pyodide_packages()
    assert unowned == set(), "modules of no known distribution"
    assert {"pandas", "openpyxl"} <= found  # the path really was walked
    assert "python-calamine" not in found, "python-calamine is compiled and Pyodide 0.27 lacks it: import it lazily"
    assert not_installable_in_pyodide(found, packages) == []


def test_the_lite_scripts_import_nothing_compiled_that_pyodide_lacks():
    assert_installable_in_pyodide(*distributions_on_lite_path(f"import runpy\nrunpy.run_path({str(LITE_MAIN)!r})"))


# Each script of main.py run on a payload, as Lite runs it (the remote engine is Lite's object model).
RUN_EVERY_SCRIPT = """
import asyncio, copy, json, os, runpy, sys
os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"  # the remote engine registers only with a key
scripts = runpy.run_path({main!r})
import xlwings as xw
sys.path.insert(0, {tests!r})
from xllite import LiteClient, in_lite  # an async script reads sheet by sheet from Lite's client
payload = json.loads(open({payload!r}, encoding="utf-8").read())
client = LiteClient(payload, {{sheet["name"]: 0 for sheet in payload["sheets"]}})
for name in ("verifier", "actualiser", "comite_pilotage", "comite_technique", "exporter_agglomeration"):
    if asyncio.iscoroutinefunction(scripts[name]):
        book = client.async_book()
        with in_lite(client):
            asyncio.run(scripts[name](book))
    else:
        book = xw.Book(json=copy.deepcopy(payload))
        scripts[name](book)
    assert any(action["func"] == "alert" for action in book.json()["actions"]), name
    assert not any("n'a pas pu lire" in str(action["args"]) for action in book.json()["actions"]), name
    book.close()
"""


@pytest.mark.slow
def test_running_every_lite_script_imports_nothing_compiled_that_pyodide_lacks(tmp_path):
    data = generate(20, years=2, seed=5, errors=0.05, as_of=AS_OF)
    build_workbook(data.rows).save(tmp_path / "suivi.xlsx")
    payload = tmp_path / "payload.json"
    payload.write_text(json.dumps(payload_from_xlsx(tmp_path / "suivi.xlsx")), encoding="utf-8")
    code = RUN_EVERY_SCRIPT.format(main=str(LITE_MAIN), payload=str(payload), tests=str(ROOT / "tests"))
    assert_installable_in_pyodide(*distributions_on_lite_path(code))


def project_metadata() -> dict:
    """The project's own requirements, from pyproject.toml (installed metadata can be stale in a work tree)."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def requirements_for_pyodide(environment: dict[str, str], packages: dict[str, str]) -> dict[str, SpecifierSet]:
    """Every distribution micropip would install for the project (canonical name -> the specifiers asked of it).

    A package of Pyodide's list that meets the requirement comes with its own dependencies, from the same
    list; any other is fetched from PyPI, so its dependencies are read from the copy installed here.
    """
    wanted: dict[str, SpecifierSet] = {}
    todo: list[list[str]] = [project_metadata()["dependencies"]]
    while todo:
        for line in todo.pop():
            requirement = Requirement(line)
            if requirement.marker is not None and not requirement.marker.evaluate(environment):
                continue
            dependency = canonical(requirement.name)
            from_pyodide = dependency in packages and Version(packages[dependency]) in requirement.specifier
            if dependency not in wanted and not from_pyodide:
                todo.append(distribution(dependency).requires or [])
            wanted[dependency] = wanted.get(dependency, SpecifierSet()) & requirement.specifier
    return wanted


def test_every_dependency_micropip_would_install_is_pure_python_or_built_by_pyodide():
    packages, python = pyodide_packages()
    environment = pyodide_environment(python)
    assert Version(python) in SpecifierSet(project_metadata()["requires-python"])
    wanted = requirements_for_pyodide(environment, packages)
    assert {"pandas", "pydantic", "openpyxl"} <= set(wanted)
    assert "python-calamine" not in wanted, "python-calamine needs the marker sys_platform != 'emscripten'"
    assert not_installable_in_pyodide(set(wanted), packages) == []
    too_old = {name: packages[name] for name, spec in wanted.items()
               if name in packages and not is_pure_python(distribution(name)) and Version(packages[name]) not in spec}
    assert too_old == {}, "Pyodide's build of these does not meet the requirement"


def test_the_committed_pyodide_list_is_the_one_described():
    packages, python = pyodide_packages()
    header = PYODIDE_PACKAGES.read_text(encoding="utf-8").splitlines()[0]
    assert "Pyodide 0.27.5" in header and python == "3.12.7"
    assert {"pandas", "numpy", "pydantic-core", "lxml"} <= set(packages)
    assert "python-calamine" not in packages  # the reason the button path must not import it
