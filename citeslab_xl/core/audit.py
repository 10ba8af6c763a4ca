"""The audit of small counts: what a reader can work back from everything published (export.md › Small counts).

As statistical offices audit their tables (τ-Argus' audit), each hidden cell
is bounded by linear programming over everything shown: the shown counts are
fixed, the hidden ones lie in what their mark says (« < N »: 1 to N − 1, or 0
to N − 1 inside a total itself « < N »; « masqué »: at least N), a cell not
published at all is any count ≥ 0, and every additive relation holds (the
months add up to their quarter, year to date and year; a breakdown's cells add
up to its total). An inequality (a new porteur is accompagné: new ≤
accompagnés) is a relation with a cell nobody published, the gap ≥ 0.
Integrality is relaxed, as τ-Argus does: the interval found can only be
wider than the integer one, never narrower than what a reader could exclude
by a continuous argument.

The protection promised (the Lisez-moi states it, `protection`): a « < N »
cell is protected when the published counts narrow it no more than the marks
alone do. Its interval must hold the whole of what the pattern of marks
leaves it (`Finding.marks_only`: the same program with every shown count
replaced by what its mark says, « at least N », and the zeros kept). For a
cell on its own that is its whole mark, 1 to N − 1: the smallest value is 1
and the largest N − 1, so the totals teach nothing about its size (two « < 5 »
of one line summing to 6 are each 2 to 4: not protected). Within nested
« < N » totals the marks themselves say a little more (two « < 5 » quarters
whose half-year is « < 5 » are each 1 to 3, whatever is shown), and then the
counts must not add to it. A « masqué » cell holds no small count (it is at
least N): it is bounded and reported, and protects the others by the room it
leaves them, which is what is checked.

`audit` gives every hidden cell its exact interval (two programs per cell,
two more for what the marks alone leave a « < N » whose interval does not
span its mark); `unprotected` finds the « < N » cells that fail, faster, for
the pattern that must meet the criterion (`year_pattern`).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_array

Key = Hashable
Bounds = tuple[float, float]
TOLERANCE = 1e-6


def protection(threshold: int) -> str:
    """The criterion, as the Lisez-moi states it."""
    t = threshold
    return (f"Chaque case « < {t} » a été vérifiée par programmation linéaire, comme le font les instituts "
            f"statistiques, sur l'ensemble des chiffres publiés par tous les fichiers de l'année : quoi qu'on "
            f"recoupe, elle peut encore valoir n'importe quel nombre de 1 à {t - 1} ; les chiffres publiés "
            f"n'apprennent rien de sa taille. Seule exception, le détail de totaux eux-mêmes « < {t} » emboîtés "
            f"(deux trimestres « < {t} » dont le semestre est « < {t} ») : les marques seules y disent déjà un "
            f"peu plus, et les chiffres publiés n'y ajoutent rien.")


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
    small: bool  # a « < N » cell; else « masqué »
    marks_only: Bounds | None = None  # what the marks alone leave it, when its interval does not span its mark

    @property
    def protected(self) -> bool:
        """A « < N » left all that the marks alone leave it (its whole mark for a cell on its own)."""
        if not self.small:
            return True
        low, high = self.interval
        reference = self.marks_only or self.mark
        return low <= reference[0] + TOLERANCE and high >= reference[1] - TOLERANCE


def small_bounds(threshold: int, zero_possible: bool) -> Bounds:
    return (0 if zero_possible else 1, threshold - 1)


def secondary_bounds(threshold: int) -> Bounds:
    return (threshold, math.inf)


def under_small_totals(small: Iterable[Key], relations: Iterable[Relation]) -> set[Key]:
    """The cells of a relation whose total is « < N »: there, zeros are hidden too, so a « < N » may be 0."""
    small = set(small)
    return {m for r in relations if r.total in small for m in r.members}


def audit(shown: Mapping[Key, int], hidden: Mapping[Key, Bounds], relations: Iterable[Relation],
          small: Iterable[Key], threshold: int) -> list[Finding]:
    """The exact interval of every hidden cell, given the shown values, the marks' bounds and the relations.

    A key in neither `shown` nor `hidden` is a count nobody published (≥ 0).
    """
    small, relations = set(small), list(relations)
    marks_only = MarksOnly(shown, hidden, relations, threshold)
    findings = []
    for component, local in _components(shown, hidden, _unknown_relations(shown, relations)):
        program = _Program(component, local, shown, hidden)
        findings += [_finding(k, program.interval(k), hidden, small, marks_only) for k in component if k in hidden]
    return findings


def consistent(shown: Mapping[Key, int], hidden: Mapping[Key, Bounds], relations: Iterable[Relation]) -> bool:
    """Whether the published figures admit a solution: an audit of inconsistent figures (a relation that does
    not hold, a mark that lies) says nothing, so the tests check this first."""
    for component, local in _components(shown, hidden, _unknown_relations(shown, relations)):
        program = _Program(component, local, shown, hidden)
        if len(program.b_eq) and program._point({}) is None:
            return False
    return all(sum(shown[m] for m in r.members) == shown[r.total] for r in relations
               if all(k in shown for k in (*r.members, r.total)))


def unprotected(shown: Mapping[Key, int], hidden: Mapping[Key, Bounds], relations: Iterable[Relation],
                small: Iterable[Key], threshold: int, among: Iterable[Key] | None = None,
                truth: Mapping[Key, int] | None = None, marks_only: MarksOnly | None = None) -> list[Finding]:
    """The « < N » cells (of `among`, by default all) that fail the criterion: the verdict of `audit`, faster.

    A group of cells whose relations hold no shown count but zeros is the
    program of the marks alone: nothing to prove. Otherwise two programs push
    the cells of a group down at once, then up: a cell that reaches both ends
    of its mark is proven protected without a program of its own; this is
    repeated on the cells left. Given the `truth` (the pattern knows it), a
    cell left is then tried on a small program around it, every cell further
    away fixed at its true value: a narrower interval than the whole one, so
    one wide enough proves it. Only the cells still unproven are solved on
    the whole group. `marks_only` may be kept from call to call while no
    « < N » is added (a shown count and a « masqué » say the same to it).
    """
    small, relations = set(small), list(relations)
    among = small if among is None else set(among) & small
    marks_only = marks_only or MarksOnly(shown, hidden, relations, threshold)
    around = None if truth is None else _Around(shown, relations, truth)
    failing = []
    for component, local in _components(shown, hidden, _unknown_relations(shown, relations)):
        checked = [k for k in component if k in among]
        if not checked or not _shows_a_count(shown, local):
            continue
        program = _Program(component, local, shown, hidden)
        for k in program.unproven(checked):
            if around is not None and Finding(k, hidden[k], around.interval(k, hidden), True,
                                              marks_only.known(k)).protected:
                continue
            finding = _finding(k, program.interval(k), hidden, small, marks_only)
            if not finding.protected:
                failing.append(finding)
    return failing


def _shows_a_count(shown, relations: list[Relation]) -> bool:
    return any(shown.get(k, 0) != 0 for r in relations for k in (*r.members, r.total))


def _finding(key: Key, interval: Bounds, hidden, small: set, marks_only: MarksOnly) -> Finding:
    finding = Finding(key, hidden[key], interval, key in small)
    if finding.protected:
        return finding
    return Finding(key, hidden[key], interval, True, marks_only.interval(key))


class MarksOnly:
    """What the marks alone leave a cell: the shown counts replaced by « at least N », the zeros kept (a
    shown count that is not 0 is never small). Its programs are built on first use, one per group of cells,
    and each cell's interval is kept."""

    def __init__(self, shown, hidden, relations: list[Relation], threshold: int):
        self.shown = {k: 0 for k, v in shown.items() if v == 0}
        self.hidden = {**{k: secondary_bounds(threshold) for k, v in shown.items() if v != 0}, **hidden}
        self.relations = relations
        self._programs: dict[Key, _Program] | None = None
        self._intervals: dict[Key, Bounds] = {}

    def interval(self, key: Key) -> Bounds:
        if self._programs is None:
            self._programs = {}
            for component, local in _components(self.shown, self.hidden,
                                                _unknown_relations(self.shown, self.relations)):
                program = _Program(component, local, self.shown, self.hidden)
                self._programs.update(dict.fromkeys(component, program))
        if key not in self._intervals:
            self._intervals[key] = self._programs[key].interval(key)
        return self._intervals[key]

    def known(self, key: Key) -> Bounds | None:
        """The interval if it was already found (else None: the mark)."""
        return self._intervals.get(key)


class _Around:
    """Small programs around one cell: the hidden cells of its relations are free, all others fixed at their
    true values."""

    def __init__(self, shown, relations: list[Relation], truth: Mapping[Key, int]):
        self.shown, self.truth = shown, truth
        self.relations_of: dict[Key, list[Relation]] = {}
        for r in relations:
            for k in (*r.members, r.total):
                self.relations_of.setdefault(k, []).append(r)

    def interval(self, key: Key, hidden) -> Bounds:
        near = {key} | {k for r in self.relations_of.get(key, ()) for k in (*r.members, r.total)
                        if k not in self.shown}
        relations = list({id(r): r for n in near for r in self.relations_of.get(n, ())}.values())
        fixed = {k: self.truth[k] for r in relations for k in (*r.members, r.total)
                 if k not in near and k not in self.shown}
        return _Program(sorted(near, key=repr), relations, {**self.shown, **fixed}, hidden).interval(key)


def _unknown_relations(shown, relations: Iterable[Relation]) -> list[Relation]:
    return [r for r in relations if any(k not in shown for k in (*r.members, r.total))]


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
        rows, columns, coefs = [], [], []
        self.b_eq = np.zeros(len(relations))
        for row, r in enumerate(relations):
            for k, coef in [*((m, 1.0) for m in r.members), (r.total, -1.0)]:
                if k in shown:
                    self.b_eq[row] -= coef * shown[k]
                else:
                    rows.append(row)
                    columns.append(self.index[k])
                    coefs.append(coef)  # a cell twice in a relation adds up: the sparse array sums duplicates
        self.a_eq = csr_array((coefs, (rows, columns)), shape=(len(relations), len(keys)))
        self.bounds = np.array([hidden.get(k, (0, math.inf)) for k in keys], dtype=float).reshape(len(keys), 2)

    def _solve(self, weights: Mapping[Key, float], caps: Mapping[Key, float] | None = None):
        c = np.zeros(len(self.keys))
        for k, w in weights.items():
            c[self.index[k]] = w
        bounds = self.bounds
        if caps:
            bounds = bounds.copy()
            for k, cap in caps.items():
                bounds[self.index[k], 1] = min(bounds[self.index[k], 1], cap)
        return linprog(c, A_eq=self.a_eq, b_eq=self.b_eq, bounds=bounds, method="highs")

    def _point(self, weights: Mapping[Key, float], caps: Mapping[Key, float] | None = None) -> dict | None:
        outcome = self._solve(weights, caps)
        return None if outcome.status != 0 else {k: float(outcome.x[i]) for k, i in self.index.items()}

    def interval(self, key: Key) -> Bounds:
        if not len(self.b_eq):
            return self.hidden[key]
        low, high = self._solve({key: 1.0}), self._solve({key: -1.0})
        return _optimum(low, self.hidden[key][0]), _optimum(high, self.hidden[key][1], maximise=True)

    def unproven(self, cells: list[Key]) -> list[Key]:
        """The « < N » cells no joint solution shows at both ends of their mark: all pushed down at once, then
        up, again on the cells left while that proves some."""
        if not len(self.b_eq):
            return []
        low_end, high_end = set(cells), set(cells)
        while low_end or high_end:
            down, up = self._point({k: 1.0 for k in low_end}), self._point({k: -1.0 for k in high_end})
            if down is None or up is None:
                break
            before = len(low_end) + len(high_end)
            for point in (down, up):
                low_end -= {k for k in low_end if point[k] <= self.hidden[k][0] + TOLERANCE}
                high_end -= {k for k in high_end if point[k] >= self.hidden[k][1] - TOLERANCE}
            if len(low_end) + len(high_end) == before:
                break
        return sorted(low_end | high_end, key=self.index.__getitem__)


def _optimum(outcome, fallback: float, maximise: bool = False) -> float:
    """The bound found; unbounded above is infinity; an infeasible system (inconsistent figures) says nothing."""
    if outcome.status == 3:
        return math.inf if maximise else -math.inf
    if outcome.status != 0:
        return fallback
    return float(-outcome.fun if maximise else outcome.fun)
