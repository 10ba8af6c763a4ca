"""Keeping Python's cyclic garbage collector out of bulk reading and validation.

Reading and validating a workbook allocate millions of small containers (rows,
cells, typed values) and free none of them until the end, and none forms a
reference cycle. The cyclic collector still walks them every few thousand
allocations, each pass longer than the last: a sixth of `check`, and more at
the size of 50 years, turning a linear read super-linear. Reference counting
frees everything as usual while it is paused; only cycles wait for the end.

At the end, what the block made goes straight to the collector's oldest
generation: turned back on with a million young objects, the collector would
walk them all at the next allocation, and again on their way to the oldest
generation (about 5 % of `check` on 20 years). Cycles among them are still
found, by the next full collection.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic collector off for the block, and back as it was afterwards, even on an error."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            _to_oldest_generation()
            gc.enable()


def _to_oldest_generation() -> None:
    """Every tracked object into the oldest generation, none walked: freezing moves the generations' lists
    into the permanent one, and unfreezing moves that into the oldest (both constant time). Objects that
    someone else froze stay frozen: then the collector simply walks the young ones as usual."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()
