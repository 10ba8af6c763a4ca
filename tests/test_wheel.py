"""The package builds as one pure-Python wheel: what xlwings Lite (Pyodide) installs, and what a site's IT hosts.

Built as CI builds it (`pip wheel --no-deps`), from a copy of the sources so that the build leaves nothing in
the work tree.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT
from packaging.requirements import Requirement

COMPILED = (".so", ".pyd", ".dll", ".dylib")


def build_wheel(out: Path) -> Path:
    source = out / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "citeslab_xl", source / "citeslab_xl", ignore=shutil.ignore_patterns("__pycache__"))
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out / "dist"),
                          str(source)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    wheels = list((out / "dist").glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


def dist_info_text(wheel: Path, name: str) -> str:
    with zipfile.ZipFile(wheel) as archive:
        member = next(n for n in archive.namelist() if n.endswith(f".dist-info/{name}"))
        return archive.read(member).decode("utf-8")


@pytest.mark.slow
def test_the_wheel_is_pure_python_for_any_platform(wheel):
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert wheel.name == f"citeslab_xl-{version}-py3-none-any.whl"
    fields = [line.split(":", 1) for line in dist_info_text(wheel, "WHEEL").splitlines() if ":" in line]
    assert [value.strip() for key, value in fields if key == "Tag"] == ["py3-none-any"]
    assert ("Root-Is-Purelib", " true") in [tuple(field) for field in fields]
    with zipfile.ZipFile(wheel) as archive:
        assert [n for n in archive.namelist() if n.endswith(COMPILED)] == []


@pytest.mark.slow
def test_the_wheel_holds_every_module_of_the_package_as_it_is(wheel):
    copied = wheel.parent.parent / "source"  # what was built, even if the work tree changed since
    sources = {path.relative_to(copied).as_posix(): path.read_bytes()
               for path in (copied / "citeslab_xl").rglob("*.py")}
    assert {Path(name).name for name in sources} >= {"buttons.py", "reading.py", "template.py", "cli.py"}
    with zipfile.ZipFile(wheel) as archive:
        packed = {name: archive.read(name) for name in archive.namelist() if name.startswith("citeslab_xl/")}
    assert set(packed) == set(sources)
    assert all(packed[name] == sources[name] for name in sources)


@pytest.mark.slow
def test_pyodide_is_not_asked_for_python_calamine(wheel):
    requirements = [Requirement(line.split(":", 1)[1].strip())
                    for line in dist_info_text(wheel, "METADATA").splitlines() if line.startswith("Requires-Dist:")]
    calamine = next(r for r in requirements if r.name == "python-calamine")
    assert calamine.marker is not None
    assert not calamine.marker.evaluate({"sys_platform": "emscripten"})
    assert calamine.marker.evaluate({"sys_platform": "win32"})
