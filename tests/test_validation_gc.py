"""The cyclic garbage collector paused over bulk reading and validation (`core/gc_paused.py`)."""

from __future__ import annotations

import gc
import weakref

import pytest

from citeslab_xl.core.gc_paused import gc_paused


class Node:
    def __init__(self) -> None:
        self.itself = self  # a reference cycle: only the cyclic collector frees it


def test_the_garbage_collector_comes_back_after_an_error():
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), gc_paused():
        assert not gc.isenabled()
        _ = 1 / 0
    assert gc.isenabled()


def test_what_the_block_made_skips_the_young_generations_and_its_cycles_are_still_freed():
    gc.collect()
    with gc_paused():
        rows = [[index] for index in range(50_000)]
        cycle = Node()
        assert gc.get_count()[0] > 50_000  # every row is a young object the collector would walk
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert id(rows[0]) in oldest and id(rows[-1]) in oldest  # not walked on their way there
    assert gc.get_freeze_count() == 0
    freed = weakref.ref(cycle)
    del cycle
    gc.collect()
    assert freed() is None


def test_objects_frozen_by_someone_else_stay_frozen():
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with gc_paused():
            _ = [[index] for index in range(1_000)]
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
