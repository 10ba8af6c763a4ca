"""Keeping Python's cyclic garbage collector out of bulk reading and validation.

Reading and validating a workbook allocate millions of small containers (rows,
cells, typed values) and free none of them until the end, and none forms a
reference cycle. The cyclic collector still walks them every few thousand
allocations, each pass longer than the last: a sixth of `check`, and more at
the size of 50 years, turning a linear read super-linear. Reference counting
frees everything as usual while it is paused; only cycles wait for the end.
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
            gc.enable()
