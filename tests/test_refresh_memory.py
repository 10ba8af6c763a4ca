"""What a refresh keeps in memory while it writes: neither the raw grids nor her inflated parts (issue 13, item 5)."""

from __future__ import annotations

import gc
import weakref

from conftest import AS_OF

from citeslab_xl.adapters import writer
from citeslab_xl.adapters.opc import package as opc_package
from citeslab_xl.doors import api


def test_the_raw_grids_are_freed_before_the_sheets_are_built_and_written(demo_copy, monkeypatch):
    read, raws, alive = api._read, [], []

    def read_keeping_a_weakref(path, as_of):
        raw, dataset = read(path, as_of)
        raws.append(weakref.ref(raw))
        return raw, dataset

    def write_generated(*args, **kwargs):
        gc.collect()  # a cycle is not what the test is about: only a reference held by the run
        alive.append(raws[0]() is not None)
        return real_write(*args, **kwargs)

    real_write = writer.write_generated
    monkeypatch.setattr(api, "_read", read_keeping_a_weakref)
    monkeypatch.setattr(writer, "write_generated", write_generated)
    api.refresh(demo_copy, AS_OF)
    assert alive == [False]


def test_the_parts_she_keeps_are_copied_without_being_inflated(demo_copy, monkeypatch):
    inflated = []
    real_getitem = opc_package._Parts.__getitem__

    def getitem(self, name):
        inflated.append(name)
        return real_getitem(self, name)

    monkeypatch.setattr(opc_package._Parts, "__getitem__", getitem)
    api.refresh(demo_copy, AS_OF)  # the first refresh adds its sheets: it rebuilds none, reads none of hers
    assert [name for name in inflated if name.startswith("/xl/worksheets/sheet")] == []
