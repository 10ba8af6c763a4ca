"""Figures several layouts of one run need, computed once per run (issue 13).

A refresh builds up to ten sheets from one dataset, and several of them ask
for the same thing: the schedule of follow-ups (Synthèse, COTECH, Échéancier),
the funding split (COPIL, Financement calculé), the file active on a given
day (every Synthèse, and each year of the COPIL caseload table). A door opens
`one_run()` around the layouts of a run; inside it each function marked
`@memoised` computes a result once per dataset and arguments. Outside a run
they compute every time, so that a dataset changed between two calls (tests
build and edit datasets) is never answered from an old result, and nothing
outlives the run. Cached results are shared: callers read them, never change
them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

_Key = tuple[str, int, tuple[Hashable, ...]]


class _RunCache:
    def __init__(self) -> None:
        # the dataset is kept with its results: while the run lasts, no other dataset can get its id
        self.entries: dict[_Key, tuple[object, Any]] = {}


_current: ContextVar[_RunCache | None] = ContextVar("citeslab_xl_run_cache", default=None)


@contextmanager
def one_run() -> Iterator[None]:
    """Results shared by every layout of the block; a run opened inside another one joins it."""
    if _current.get() is not None:
        yield
        return
    token = _current.set(_RunCache())
    try:
        yield
    finally:
        _current.reset(token)


def memoised(function: Callable[P, R]) -> Callable[P, R]:
    """`function(dataset, *hashable_args)` computed once per run for each dataset and arguments."""
    name = f"{function.__module__}.{function.__qualname__}"

    @functools.wraps(function)
    def once_per_run(*args: P.args, **kwargs: P.kwargs) -> R:
        cache = _current.get()
        if cache is None or kwargs:
            return function(*args, **kwargs)
        dataset, *rest = args
        key = (name, id(dataset), tuple(rest))
        if key not in cache.entries:
            cache.entries[key] = (dataset, function(*args, **kwargs))
        return cache.entries[key][1]

    return once_per_run
