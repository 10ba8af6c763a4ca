"""The audit of a year's exports: every file of the year built, everything they show collected, every hidden
count bounded (export.md › Small counts: suppression holds across exports).

`audit_year` builds the export of each month, each quarter and the year at
one as-of date, reads back every count they publish of the year patterns'
families (Indicateurs' activity and breakdowns, workshops and actions by
type, the cohorts, Mensuel, Profil, Créations by forme, secteur, quartier,
and pérennité), with the counts that bound them (`LINKED`: accompagnés,
reçus, orientés), checks that a cell shown in two files is shown the same
way, and gives the published cells with their relations to `core.audit`:
the additive ones (months to their totals, categories to theirs, the periods
that cut a month, the same days a year earlier, included) and the
inequalities of indicators.md (`_bounds`; an inequality is an equation with
an unpublished gap ≥ 0). A shown rate gives back its numerator and its
denominator (`× denominator`): `Published.rate_leaks` lists any shown rate
one of whose parts the same file hides. Usable from the tests and by hand;
nothing here does any I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from citeslab_xl.core import audit, periods
from citeslab_xl.core.dataset import Dataset
from citeslab_xl.core.export import CREATIONS, INDICATEURS, MENSUEL, MONTHLY, PROFIL, RATE_PARTS, build_export
from citeslab_xl.core.export_pattern import DONT_QPV, FAMILY_KEYS, Patterns, months_before, months_of
from citeslab_xl.core.export_tables import LINKED, READ_AGAINST, TOTAL, Context
from citeslab_xl.core.figures import label
from citeslab_xl.core.layout import SheetLayout, Table
from citeslab_xl.core.periods import Period
from citeslab_xl.core.suppression import SECONDARY_MARK, small_mark
from citeslab_xl.core.year_pattern import AGGREGATES

# (year, family, breakdown, category, months): one cell of a year pattern; or, for a period that cuts a month,
# (..., ("partiel", a, m, d)): from the 1st of month a to day d of month m, and ("reste", m, d): the days after
Cell = tuple[int, str, str, str, tuple]

PROFIL_TABLES = {"Par quartier": "quartier", "Par sexe": "sexe", "Par tranche d'âge": "par_tranche_age",
                 "Par situation": "par_situation", "Par prescripteur": "par_prescripteur"}
INDICATEURS_TABLES = {label("rdv_par_type"): ("rdv", "rdv_par_type"),
                      label("rdv_par_modalite"): ("rdv", "rdv_par_modalite"),
                      label("orientations"): ("orientations_total", "orientations")}
EVENTS_TABLES = {f"{label('ateliers_nombre')} — ": ("ateliers_participants", "ateliers"),
                 "Sensibilisation — ": ("sensibilisation_personnes", "sensibilisation")}
CREATIONS_TABLES = {"Par forme juridique": "creations_par_forme", "Par secteur": "creations_par_secteur",
                    "Par quartier du porteur": "creations_par_quartier"}
PERENNITE = ("eligibles", "actives", "cessees")  # the columns of the pérennité table, in its order


@dataclass
class Published:
    """Every cell shown by a set of files: its value or its mark, and the files that disagree on it."""

    threshold: int
    as_of: date | None = None  # the day pérennité is counted at
    cells: dict[Cell, int | str] = field(default_factory=dict)
    conflicts: list[tuple[Cell, int | str, int | str]] = field(default_factory=list)
    rate_leaks: list[tuple[str, str, str]] = field(default_factory=list)  # (sheet, row, column) of a shown rate

    def rate(self, where: tuple[str, str, str], shown: object, numerator: object, denominator: object) -> None:
        """A rate shown (a number) beside its numerator or its denominator gives the other back (the rate is
        exact): one of them hidden (a mark) and the other shown is a leak."""
        if isinstance(shown, float) and {type(numerator), type(denominator)} == {int, str}:
            self.rate_leaks.append(where)

    def add(self, cell: Cell, shown: object) -> None:
        if not isinstance(shown, (int, str)) or isinstance(shown, bool):
            return
        if cell in self.cells and self.cells[cell] != shown:
            self.conflicts.append((cell, self.cells[cell], shown))
        self.cells.setdefault(cell, shown)


def year_periods(year: int) -> list[Period]:
    return [*(periods.month(year, m) for m in range(1, 13)), *(periods.quarter(year, q) for q in range(1, 5)),
            periods.year(year)]


def collect(dataset: Dataset, exports: Iterable[Period], as_of: date) -> Published:
    published = Published(int(dataset.settings.seuil_secret), as_of)
    patterns = Patterns(dataset, as_of)  # what every file of that as-of date decides alike, decided once here
    for period in exports:
        layouts = build_export(dataset, period, as_of, "0" * 64, "audit", patterns=patterns)
        read_export(published, layouts, Context(dataset, period, as_of, patterns).compare(), period, partial=True,
                    everything=True)
    return published


def read_export(published: Published, layouts: list[SheetLayout], columns: list[tuple[str, Period]],
                period: Period, partial: bool = False, everything: bool = False) -> None:
    """Every count of the year patterns' families one export shows, read back from its sheets (`partial`: with
    those of the periods that cut a month, the same days a year earlier; `everything`: with the workshops and
    actions by type, the creations by forme, secteur and quartier, the cohorts, pérennité, the `LINKED` counts
    and the rates' checks; the long form leaves those out)."""
    by_name = {layout.name: layout for layout in layouts}
    keys = (*FAMILY_KEYS, *LINKED) if everything else FAMILY_KEYS
    _indicateurs(published, by_name[INDICATEURS], columns, partial, keys)
    _mensuel(published, by_name[MENSUEL], period, keys)
    _profil(published, by_name[PROFIL], period)
    if everything:
        _public(published, by_name[INDICATEURS], by_name[PROFIL])
        _events(published, by_name[INDICATEURS], period)
        _cohorts(published, by_name[INDICATEURS])
        _creations(published, by_name[CREATIONS], period)


def _tables(layout: SheetLayout) -> list[Table]:
    return [block for block in layout.blocks if isinstance(block, Table)]


def _indicateurs(published: Published, layout: SheetLayout, columns: list[tuple[str, Period]],
                 partial: bool, keys: Iterable[str]) -> None:
    labels = {label(key): key for key in keys}
    rates = {label(key): key for key in RATE_PARTS}
    for table in _tables(layout):
        if table.title == "Activité":
            by_label = {row[0]: row for row in table.rows}
            for row in table.rows:
                if row[0] in labels:
                    _columns(published, row, columns, labels[row[0]], "", "", partial)
                elif row[0] in rates and "accompagnes" in keys:
                    parts = [by_label[label(part)] for part in RATE_PARTS[rates[row[0]]]]
                    for j, shown in enumerate(row[1:], start=1):
                        published.rate((INDICATEURS, row[0], table.headers[j]), shown, *(p[j] for p in parts))
        elif table.title in INDICATEURS_TABLES:
            family, breakdown = INDICATEURS_TABLES[table.title]
            for row in table.rows:
                category = "" if row[0] == TOTAL else row[0]
                _columns(published, row, columns, family, breakdown if category else "", category, partial)


def _columns(published: Published, row: list, columns, family: str, breakdown: str, category: str,
             partial: bool) -> None:
    for shown, (_, period) in zip(row[1:], columns, strict=True):
        months = months_of(period)
        if months is not None:
            published.add((period.fin.year, family, breakdown, category, months), shown)
        elif partial and isinstance(shown, int) and months_before(period) is not None:
            # a « masqué » there says nothing, not even « at least N »: left out, it is any count
            span = ("partiel", period.debut.month, period.fin.month, period.fin.day)
            published.add((period.fin.year, family, breakdown, category, span), shown)


PROFIL_OF = {"sexe": "Par sexe", "quartier": "Par quartier", "age": "Par tranche d'âge",
             "situation": "Par situation"}  # the Profil table of each `READ_AGAINST` breakdown


def _public(published: Published, indicateurs: SheetLayout, profil: SheetLayout) -> None:
    """A share of the export's period shown beside its Profil table: its numerator and denominator are cells
    of it, so one of them hidden there is a leak (the shares whose numerator no table shows are decided month
    by month: `export_tables.public_rates`)."""
    public = next(t for t in _tables(indicateurs) if t.title == "Public")
    by_title = {(t.title or ""): t for t in _tables(profil)}
    for row in public.rows:
        key = next((k for k in READ_AGAINST if label(k) == row[0]), None)
        if key is None or not isinstance(row[1], float):
            continue
        table = next(t for title, t in by_title.items() if title.startswith(PROFIL_OF[READ_AGAINST[key]]))
        if any(isinstance(r[1], str) for r in table.rows):
            published.rate_leaks.append((INDICATEURS, row[0], public.headers[1]))


def _events(published: Published, layout: SheetLayout, period: Period) -> None:
    """The people of workshops and actions by type (the number of each is the coordinator's own activity)."""
    months = months_of(period)
    if months is None:
        return
    for table in _tables(layout):
        found = next((v for title, v in EVENTS_TABLES.items() if (table.title or "").startswith(title)), None)
        if found is not None:
            family, breakdown = found
            for row in table.rows:
                category = "" if row[0] == TOTAL else row[0]
                published.add((period.fin.year, family, breakdown if category else "", category, months), row[2])


def _cohorts(published: Published, layout: SheetLayout) -> None:
    """Each cohort's people (its year's new porteurs) and the businesses they created, at most as many."""
    table = next(t for t in _tables(layout) if t.title == "Taux de création par cohorte")
    for row in table.rows:
        year = int(row[0])
        published.add((year, "nouveaux_porteurs", "", "", AGGREGATES[-1]), row[1])
        published.add((year, "cohorte_creations", "", "", ()), row[2])
        published.rate((INDICATEURS, row[0], table.headers[3]), row[3], row[2], row[1])


def _mensuel(published: Published, layout: SheetLayout, period: Period, keys: Iterable[str]) -> None:
    months, keys = periods.months_between(period.debut, period.fin), set(keys)
    table = _tables(layout)[0]
    for month, row in zip(months, table.rows, strict=True):
        for key, shown in zip(MONTHLY, row[1:], strict=True):
            if key in keys:
                published.add((month.fin.year, key, "", "", (month.fin.month,)), shown)


def _profil(published: Published, layout: SheetLayout, period: Period) -> None:
    months = months_of(period)
    if months is None:
        return
    for table in _tables(layout):
        breakdown = next((key for title, key in PROFIL_TABLES.items() if (table.title or "").startswith(title)), None)
        if breakdown is None:
            continue
        total = table.rows[-1][1]
        for row in table.rows:
            category = "" if row[0] == TOTAL else row[0]
            published.add((period.fin.year, "nouveaux_porteurs", breakdown if category else "", category, months),
                          row[1])
            published.rate((PROFIL, row[0], table.title or ""), row[2], row[1], total)


def _creations(published: Published, layout: SheetLayout, period: Period) -> None:
    """The creations by forme, secteur and quartier (cells of the creations' pattern), and pérennité."""
    months = months_of(period)
    for table in _tables(layout):
        breakdown = CREATIONS_TABLES.get(table.title or "")
        if breakdown is not None and months is not None:
            for row in table.rows:
                category = "" if row[0] == TOTAL else row[0]
                published.add((period.fin.year, "creations", breakdown if category else "", category, months), row[1])
        elif (table.title or "").startswith("Pérennité"):
            for row in table.rows:
                for part, shown in zip(PERENNITE, row[1:4], strict=True):
                    published.add((0, "perennite", row[0].split()[0], part, ()), shown)
                published.rate((CREATIONS, row[0], table.headers[4]), row[4], row[2], row[1])


def relations(published: Published, qpv: Iterable[str]) -> list[audit.Relation]:
    """The additive relations among the published cells: months to their totals, categories to theirs."""
    qpv = set(qpv)
    columns = {(y, f, b, c) for y, f, b, c, _ in published.cells if f in FAMILY_KEYS}
    found = []
    for y, f, b, c in columns:
        for months in AGGREGATES[12:]:
            found.append(audit.Relation(tuple((y, f, b, c, (m,)) for m in months), (y, f, b, c, months)))
    found += _partial_relations(published)
    found += [audit.Relation(tuple((0, "perennite", k, part, ()) for part in PERENNITE[1:]),
                             (0, "perennite", k, PERENNITE[0], ())) for k in _perennite_years(published)]
    rows: dict[tuple, dict[str, list[str]]] = {}
    for y, f, b, c, months in published.cells:
        if b and f in FAMILY_KEYS:
            rows.setdefault((y, f, months), {}).setdefault(b, []).append(c)
    for (y, f, months), breakdowns in rows.items():
        for b, categories in breakdowns.items():
            cells = [c for c in categories if c != DONT_QPV]
            found.append(audit.Relation(tuple((y, f, b, c, months) for c in cells), (y, f, "", "", months)))
            if DONT_QPV in categories:
                found.append(audit.Relation(tuple((y, f, b, c, months) for c in cells if c in qpv),
                                            (y, f, b, DONT_QPV, months)))
    return found


def _partial_relations(published: Published) -> list[audit.Relation]:
    """A period that cuts month m at day d: its first days and the rest add up to the month; from month a,
    the whole months before and those first days add up to it."""
    found = set()
    for y, f, b, c, span in published.cells:
        if not span or span[0] != "partiel":
            continue
        _, a, m, d = span
        first_days = (y, f, b, c, ("partiel", m, m, d))
        found.add(audit.Relation((first_days, (y, f, b, c, ("reste", m, d))), (y, f, b, c, (m,))))
        if a < m:
            found.add(audit.Relation(((y, f, b, c, tuple(range(a, m))), first_days), (y, f, b, c, span)))
    return sorted(found, key=repr)


def bounds(published: Published) -> list[audit.Relation]:
    """The other relations of indicators.md: inequalities (`_bounds`) and pérennité against the creations.
    Unlike the additive ones, a « < N » among them does not hide the zeros beside it."""
    return [*_bounds(published), *_perennite(published)]


def _perennite_years(published: Published) -> list[str]:
    return sorted({b for _, f, b, _, _ in published.cells if f == "perennite"})


def _count(year: int, family: str, months: tuple) -> Cell:
    return (year, family, "", "", months)


def _at_most(small: audit.Key, large: audit.Key) -> audit.Relation:
    """small ≤ large: small plus an unpublished gap ≥ 0 is large."""
    return audit.Relation((small, ("écart", small, large)), large)


def _bounds(published: Published) -> list[audit.Relation]:
    """The inequalities of indicators.md among the published counts, for every period some file shows.

    A new porteur of P and a porteur reçu in P are accompagnés in P, and an
    accompagné is one or the other; a reçu has a rendez-vous in P; an
    orientation by partner is a porteur orienté; a person counts once in a
    total of months however many of its months hold them (accompagnés, reçus,
    orientés: at least each month's, at most their sum); a cohort's
    businesses are some of its people.
    """
    found = []
    spans = {(y, months) for y, f, _, _, months in published.cells if f in LINKED and months}
    for y, months in sorted(spans, key=repr):
        new, accompanied, received = (_count(y, f, months) for f in ("nouveaux_porteurs", "accompagnes",
                                                                     "porteurs_recus"))
        found += [_at_most(new, accompanied), _at_most(received, accompanied),
                  _at_most(received, _count(y, "rdv", months)),
                  _at_most(_count(y, "orientations_total", months), _count(y, "orientes", months))]
        either = ("nouveaux ou reçus", y, months)  # accompagnés ≤ nouveaux + reçus
        found += [audit.Relation((new, received), either), _at_most(accompanied, either)]
        if len(months) > 1 and isinstance(months[0], int):
            for family in LINKED:
                total, each = _count(y, family, months), tuple(_count(y, family, (m,)) for m in months)
                over = ("somme des mois", y, family, months)
                found += [*(_at_most(month, total) for month in each), audit.Relation(each, over),
                          _at_most(total, over)]
    for y, f, _, _, _ in published.cells:
        if f == "cohorte_creations":
            found.append(_at_most((y, f, "", "", ()), (y, "nouveaux_porteurs", "", "", AGGREGATES[-1])))
    return found


def _perennite(published: Published) -> list[audit.Relation]:
    """Pérennité at k years: the businesses still active and those ceased are those created k years or more
    before the as-of date, which are the creations of the months before (each year's that files show, the
    earlier ones unpublished) and some of the month that holds that day."""
    if published.as_of is None:
        return []
    years = sorted({y for y, f, _, _, _ in published.cells if f == "creations"})
    found = []
    for k in map(int, _perennite_years(published)):
        eligibles = (0, "perennite", str(k), "eligibles", ())
        # the day k years before (a 29 February as the 28th): the month that holds it is split freely
        cut = published.as_of.replace(year=published.as_of.year - k, day=min(published.as_of.day, 28)) \
            if (published.as_of.month, published.as_of.day) == (2, 29) else \
            published.as_of.replace(year=published.as_of.year - k)
        members: list[audit.Key] = [("créations d'autres années", k)]
        for y in years:
            if y < cut.year:
                members += [_count(y, "creations", (m,)) for m in range(1, 13)]
            elif y == cut.year and cut == periods.month_end(y, cut.month):
                members += [_count(y, "creations", (m,)) for m in range(1, cut.month + 1)]
            elif y == cut.year:
                members += [_count(y, "creations", (m,)) for m in range(1, cut.month)]
                first_days = _count(y, "creations", ("pérennité", k, cut.month))
                found.append(audit.Relation((first_days, ("reste", k, cut.month)),
                                            _count(y, "creations", (cut.month,))))
                members.append(first_days)
        found.append(audit.Relation(tuple(members), eligibles))
    return found


def program(published: Published, qpv: Iterable[str]) -> tuple[dict, dict, list[audit.Relation], list]:
    """What a reader knows: the shown counts, each mark's bounds, the relations, the « < N » cells."""
    t = published.threshold
    found = relations(published, qpv)
    shown: dict[audit.Key, int] = {k: v for k, v in published.cells.items() if isinstance(v, int)}
    small = [k for k, v in published.cells.items() if v == small_mark(t)]
    zero_possible = audit.under_small_totals(small, found)
    hidden: dict = {k: audit.small_bounds(t, k in zero_possible) for k in small}
    hidden.update({k: audit.secondary_bounds(t) for k, v in published.cells.items() if v == SECONDARY_MARK})
    return shown, hidden, [*found, *bounds(published)], small


def consistent(published: Published, qpv: Iterable[str]) -> bool:
    """Whether everything published holds together (else the audit would say nothing)."""
    shown, hidden, found, _ = program(published, qpv)
    return audit.consistent(shown, hidden, found)


def audit_published(published: Published, qpv: Iterable[str]) -> list[audit.Finding]:
    shown, hidden, found, small = program(published, qpv)
    return audit.audit(shown, hidden, found, small, published.threshold)


def audit_year(dataset: Dataset, year: int, as_of: date) -> tuple[Published, list[audit.Finding]]:
    """Every export of the year at `as_of`, and what linear programming leaves of each hidden count."""
    published = collect(dataset, year_periods(year), as_of)
    whole = periods.year(year)
    return published, audit_published(published, dataset.settings.qpv_names(whole.debut, whole.fin))
