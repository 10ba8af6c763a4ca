"""The audit of small counts: what a reader can work back from everything published (export.md › Small counts).

As statistical offices audit their tables (τ-Argus' audit), each hidden cell
is bounded by linear programming over everything shown: the shown counts are
fixed, the hidden ones lie in what their mark says (« < N »: 1 to N − 1, or 0
to N − 1 inside a total itself « < N »; « masqué »: at least N), a cell not
published at all is any count ≥ 0, and every additive relation holds (the
months add up to their quarter, year to date and year; a breakdown's cells add
up to its total). Integrality is relaxed, as τ-Argus does: the interval found
can only be wider than the integer one, never narrower than what a reader
could exclude by a continuous argument.

A « < N » cell is protected when no combination of the published figures
works it back: its interval leaves it at least two values (or it is exactly
0: a hidden zero singles nobody out). This is the promise of export.md (no
hidden count can be worked back from what is shown) and the protection
interval the Lisez-moi states. `Finding.as_wide_as_its_mark` also tells
whether the interval still spans the whole of its mark (1 to N − 1); the
suppression of one table does not promise that, so the audit reports it
without requiring it.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

Key = Hashable
Bounds = tuple[float, float]
TOLERANCE = 1e-6


@dataclass(frozen=True)
class Relation:
    """The cells `members` add up to the cell `total`."""

    members: tuple[Key, ...]
    total: Key


@dataclass(frozen=True)
class Finding:
    """A hidden cell, its mark's bounds and what the published figures leave of it."""

    key: Key
    mark: Bounds
    interval: Bounds
    sensitive: bool  # a « < N » cell (a « masqué » one only protects others)

    @property
    def protected(self) -> bool:
        """Not worked back: the published figures leave it more than one value (or it is a zero)."""
        if not self.sensitive:
            return True
        low, high = self.interval
        return high <= TOLERANCE or high - low >= 1 - TOLERANCE

    @property
    def as_wide_as_its_mark(self) -> bool:
        """The stronger protection: nothing published narrows it within its mark (1 to N − 1 stays open)."""
        low, high = self.interval
        return not self.sensitive or high <= TOLERANCE or (
            low <= max(self.mark[0], 1) + TOLERANCE and high >= self.mark[1] - TOLERANCE)


def small_bounds(threshold: int, zero_possible: bool) -> Bounds:
    return (0 if zero_possible else 1, threshold - 1)


def secondary_bounds(threshold: int) -> Bounds:
    return (threshold, math.inf)


def under_small_totals(small: Iterable[Key], relations: Iterable[Relation]) -> set[Key]:
    """The cells of a relation whose total is « < N »: there, zeros are hidden too, so a « < N » may be 0."""
    small = set(small)
    return {m for r in relations if r.total in small for m in r.members}


def audit(shown: Mapping[Key, int], hidden: Mapping[Key, Bounds], relations: Iterable[Relation],
          sensitive: Iterable[Key]) -> list[Finding]:
    """The interval of every hidden cell, given the shown values, the marks' bounds and the relations.

    A key in neither `shown` nor `hidden` is a count nobody published (≥ 0).
    """
    sensitive = set(sensitive)
    findings = []
    for component, program in _programs(shown, hidden, relations):
        findings += [Finding(k, hidden[k], program.interval(k), k in sensitive) for k in component if k in hidden]
    return findings


def exposed(shown: Mapping[Key, int], hidden: Mapping[Key, Bounds], relations: Iterable[Relation],
            sensitive: Iterable[Key]) -> list[Finding]:
    """The « < N » cells the published figures work back (the same verdict as `audit`, found faster).

    Two programs push every sensitive cell of a group up at once, then down:
    a cell whose values in those two solutions are at least 1 apart is proven
    not worked back without a program of its own; this is repeated on the
    cells left, and only those still unproven are solved one by one.
    """
    sensitive = set(sensitive)
    found = []
    for component, program in _programs(shown, hidden, relations):
        for k in program.unproven([k for k in component if k in sensitive]):
            finding = Finding(k, hidden[k], program.interval(k), True)
            if not finding.protected:
                found.append(finding)
    return found


def _programs(shown, hidden, relations: Iterable[Relation]):
    relations = [r for r in relations if any(k not in shown for k in (*r.members, r.total))]
    for component, local in _components(shown, hidden, relations):
        yield component, _Program(component, local, shown, hidden)


def _components(shown, hidden, relations: list[Relation]):
    """The unknown cells linked by relations, each group with its own relations: smaller linear programs."""
    parent: dict[Key, Key] = {}

    def find(k: Key) -> Key:
        while parent.setdefault(k, k) != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for key in hidden:
        find(key)
    for r in relations:
        unknown = [k for k in (*r.members, r.total) if k not in shown]
        for k in unknown[1:]:
            parent[find(k)] = find(unknown[0])
    groups: dict[Key, list[Key]] = {}
    for key in parent:
        groups.setdefault(find(key), []).append(key)
    by_root: dict[Key, list[Relation]] = {}
    for r in relations:
        first = next(k for k in (*r.members, r.total) if k not in shown)
        by_root.setdefault(find(first), []).append(r)
    for root, keys in groups.items():
        if any(k in hidden for k in keys):
            yield keys, by_root.get(root, [])


class _Program:
    """The linear system of one group of unknown cells: sum(members) − total = 0, each cell in its bounds."""

    def __init__(self, keys: list[Key], relations: list[Relation], shown, hidden):
        self.keys, self.hidden = keys, hidden
        self.index = {k: i for i, k in enumerate(keys)}
        self.a_eq = np.zeros((len(relations), len(keys)))
        self.b_eq = np.zeros(len(relations))
        for row, r in enumerate(relations):
            for k, coef in [*((m, 1.0) for m in r.members), (r.total, -1.0)]:
                if k in shown:
                    self.b_eq[row] -= coef * shown[k]
                else:
                    self.a_eq[row, self.index[k]] += coef
        self.bounds = [(low, None if math.isinf(high) else high)
                       for low, high in (hidden.get(k, (0, math.inf)) for k in keys)]

    def _optimise(self, weights: dict[Key, float]):
        if not len(self.b_eq):
            return None
        c = np.zeros(len(self.keys))
        for k, w in weights.items():
            c[self.index[k]] = w
        return linprog(c, A_eq=self.a_eq, b_eq=self.b_eq, bounds=self.bounds, method="highs")

    def interval(self, key: Key) -> Bounds:
        low, high = self._optimise({key: 1.0}), self._optimise({key: -1.0})
        if low is None or high is None:
            return self.hidden[key]
        return _optimum(low, self.hidden[key][0]), _optimum(high, self.hidden[key][1], maximise=True)

    def unproven(self, cells: list[Key]) -> list[Key]:
        """The cells no pair of joint solutions shows at least 1 apart."""
        if not len(self.b_eq):
            return []
        left = list(cells)
        while left:
            up, down = self._optimise({k: -1.0 for k in left}), self._optimise({k: 1.0 for k in left})
            if up is None or down is None or up.status != 0 or down.status != 0:
                return left
            apart = [k for k in left if abs(up.x[self.index[k]] - down.x[self.index[k]]) >= 1 - TOLERANCE]
            if not apart:
                return left
            left = [k for k in left if k not in set(apart)]
        return left


def _optimum(outcome, fallback: float, maximise: bool = False) -> float:
    """The bound found; unbounded above is infinity; an infeasible system (inconsistent figures) says nothing."""
    if outcome.status == 3:
        return math.inf if maximise else -math.inf
    if outcome.status != 0:
        return fallback
    return float(-outcome.fun if maximise else outcome.fun)
