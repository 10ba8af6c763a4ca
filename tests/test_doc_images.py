"""The pictures in docs/ show the generated sheets as they are now (scripts/make_doc_images.py).

docs/images.json records the SHA-256 of each sheet's layout when its pictures
were made. Recomputing the layouts needs no LibreOffice: when one differs, its
pictures show an older sheet, and `python scripts/make_doc_images.py` must be
run again.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "make_doc_images.py"


def _script():
    spec = importlib.util.spec_from_file_location("make_doc_images", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script():
    return _script()


@pytest.fixture(scope="module")
def layouts(script, tmp_path_factory):
    return script.doc_layouts(script.demo_workbook(tmp_path_factory.mktemp("docs")))


def test_every_generated_sheet_has_its_pictures(script, layouts):
    manifest = json.loads(script.MANIFEST.read_text(encoding="utf-8"))
    assert list(manifest) == [layout.name for layout in layouts]
    for name, entry in manifest.items():
        assert entry["pictures"], name
        for picture in entry["pictures"]:
            assert (ROOT / picture).is_file() and (ROOT / picture).stat().st_size > 0, picture
    assert {"À faire", "COPIL 2026", "COTECH 2026-T4", "Journal", "Synthèse 2026-10", "Synthèse 2026-11",
            "Historique mensuel", "Financement calculé", "Échéancier suivis", "Anomalies"} <= set(manifest)


def test_no_picture_is_older_than_its_layout(script, layouts):
    manifest = json.loads(script.MANIFEST.read_text(encoding="utf-8"))
    stale = [layout.name for layout in layouts
             if manifest.get(layout.name, {}).get("layout_sha256") != script.layout_digest(layout)]
    assert not stale, f"pictures older than their layout: {stale}; run python scripts/make_doc_images.py"


def test_a_layout_digest_changes_with_what_the_sheet_says(script, layouts):
    from dataclasses import replace

    first = layouts[0]
    assert script.layout_digest(first) == script.layout_digest(replace(first))
    assert script.layout_digest(first) != script.layout_digest(replace(first, title=first.title + "!"))
