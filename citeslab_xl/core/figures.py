"""The figure catalogue: every figure the tool shows, named and labelled once (indicators.md).

A `Figure` is a key (the ``--json`` key, or the name of a total read from
one, such as `orientations_total`), its French label, its kind and how it is
shown: the number format of a sheet cell and the spelling of the terminal.
The Synthèse, COPIL, COTECH, the export and the `indicators` command all take
their labels and formats from here, so that one figure has one name.

`computed_from` names the count that a derived figure is computed from (hours
from rendez-vous, a load rate from the file active, the QPV reached from the
new porteurs): the export hides the derived figure whenever that count is
hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

from citeslab_xl.core.layout import EURO, ONE_DECIMAL, PERCENT

TWO_DECIMALS = "0.00"
NOTHING = "—"


class Kind(Enum):
    COUNT = "count"  # people, rendez-vous, businesses, jobs: what secret statistique protects
    NUMBER = "number"  # the coordinator's own events (workshops, actions): shown as they are
    HOURS = "hours"
    ETP = "etp"
    RATIO = "ratio"  # people per ETP
    CAPACITY = "capacity"
    RATE = "rate"  # a fraction in [0, 1] (a load rate may exceed 1), shown as a percentage
    EUROS = "euros"
    BREAKDOWN = "breakdown"  # counts by the values of a list
    EVENTS = "events"  # by type: the number of events and the people they reached
    COHORTS = "cohorts"  # by cohort year: size, creations, rate, objective
    SURVIVAL = "survival"  # by number of years: eligible, still active, rate


NUMBER_FORMATS: dict[Kind, str | None] = {
    Kind.COUNT: None, Kind.NUMBER: None, Kind.HOURS: ONE_DECIMAL, Kind.ETP: TWO_DECIMALS,
    Kind.RATIO: ONE_DECIMAL, Kind.CAPACITY: TWO_DECIMALS, Kind.RATE: PERCENT, Kind.EUROS: EURO,
}


@dataclass(frozen=True)
class Part:
    """One field of a composite figure's entry (an atelier type's `participants`, a cohort's `taux`)."""

    name: str
    label: str
    kind: Kind


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    kind: Kind
    computed_from: str | None = None
    parts: tuple[Part, ...] = ()

    @property
    def number_format(self) -> str | None:
        """The sheet cell format; None for General (counts, and composite figures, which are tables)."""
        return NUMBER_FORMATS.get(self.kind)

    @property
    def is_scalar(self) -> bool:
        return self.kind not in (Kind.BREAKDOWN, Kind.EVENTS, Kind.COHORTS, Kind.SURVIVAL)

    def display(self, value: object) -> str:
        """The value as the terminal shows it: `1 234`, `43,3 %`, `1 080,5`, `36 000,00 €`."""
        return display(self.kind, value)


_ATELIERS_PARTS = (Part("nombre", "Ateliers", Kind.NUMBER), Part("participants", "Participants", Kind.COUNT))
_ACTIONS_PARTS = (Part("nombre", "Actions", Kind.NUMBER), Part("personnes", "Personnes touchées", Kind.COUNT))
_COHORT_PARTS = (Part("cohorte", "Personnes", Kind.COUNT), Part("creations", "Entreprises créées", Kind.COUNT),
                 Part("taux", "Taux", Kind.RATE), Part("objectif", "Objectif", Kind.RATE))
_SURVIVAL_PARTS = (Part("eligibles", "Entreprises concernées", Kind.COUNT),
                   Part("actives", "Toujours actives", Kind.COUNT), Part("taux", "Taux", Kind.RATE))

CATALOGUE: tuple[Figure, ...] = (
    # activity
    Figure("nouveaux_porteurs", "Nouveaux porteurs", Kind.COUNT),
    Figure("rdv", "Rendez-vous", Kind.COUNT),
    Figure("rdv_par_type", "Rendez-vous par type", Kind.BREAKDOWN),
    Figure("rdv_par_modalite", "Rendez-vous par modalité", Kind.BREAKDOWN),
    Figure("heures", "Heures d'entretien", Kind.HOURS, computed_from="rdv"),
    Figure("porteurs_recus", "Porteurs reçus en rendez-vous", Kind.COUNT),
    Figure("accompagnes", "Personnes accompagnées", Kind.COUNT),
    Figure("file_active", "File active (90 jours)", Kind.COUNT),
    Figure("etp", "ETP", Kind.ETP),
    Figure("file_active_par_etp", "File active par ETP", Kind.RATIO, computed_from="file_active"),
    Figure("orientes", "Personnes orientées", Kind.COUNT),
    Figure("taux_orientation", "Taux d'orientation", Kind.RATE, computed_from="orientes"),
    Figure("orientations", "Orientations par partenaire", Kind.BREAKDOWN),
    Figure("orientations_total", "Orientations vers un partenaire", Kind.COUNT),
    Figure("creations", "Créations d'entreprise", Kind.COUNT),
    Figure("creations_par_forme", "Créations par forme juridique", Kind.BREAKDOWN),
    Figure("creations_par_secteur", "Créations par secteur", Kind.BREAKDOWN),
    Figure("creations_par_quartier", "Créations par quartier", Kind.BREAKDOWN),
    Figure("ateliers", "Ateliers collectifs par type", Kind.EVENTS, parts=_ATELIERS_PARTS),
    Figure("ateliers_nombre", "Ateliers collectifs", Kind.NUMBER),
    Figure("ateliers_participants", "Participants aux ateliers", Kind.COUNT),
    Figure("sensibilisation", "Actions de sensibilisation par type de lieu", Kind.EVENTS, parts=_ACTIONS_PARTS),
    Figure("sensibilisation_nombre", "Actions de sensibilisation", Kind.NUMBER),
    Figure("sensibilisation_personnes", "Personnes sensibilisées", Kind.COUNT),
    # public (among the new porteurs)
    Figure("part_femmes", "Part de femmes", Kind.RATE),
    Figure("part_qpv", "Part des habitants d'un QPV", Kind.RATE),
    Figure("part_moins_25", "Part des moins de 25 ans", Kind.RATE),
    Figure("part_moins_26", "Part des moins de 26 ans", Kind.RATE),
    Figure("part_bac_plus", "Part de niveau bac ou plus", Kind.RATE),
    Figure("part_demandeurs_emploi", "Part des demandeurs d'emploi (RSA compris)", Kind.RATE),
    Figure("qpv_couverts", "Quartiers prioritaires (QPV) touchés", Kind.NUMBER, computed_from="nouveaux_porteurs"),
    Figure("par_situation", "Nouveaux porteurs par situation", Kind.BREAKDOWN),
    Figure("par_prescripteur", "Nouveaux porteurs par prescripteur", Kind.BREAKDOWN),
    Figure("par_tranche_age", "Nouveaux porteurs par tranche d'âge", Kind.BREAKDOWN),
    # outcomes
    Figure("taux_creation", "Taux de création de la cohorte", Kind.COHORTS, parts=_COHORT_PARTS),
    Figure("perennite", "Pérennité des entreprises créées", Kind.SURVIVAL, parts=_SURVIVAL_PARTS),
    Figure("emplois", "Emplois dans les entreprises de moins de trois ans", Kind.COUNT),
    # caseload
    Figure("capacite", "Capacité (file active)", Kind.CAPACITY),
    Figure("taux_charge", "Taux de charge", Kind.RATE, computed_from="file_active"),
    Figure("scenario_poste_2", "Taux de charge avec un second poste", Kind.RATE, computed_from="file_active"),
)

FIGURES: dict[str, Figure] = {figure.key: figure for figure in CATALOGUE}


def figure(key: str) -> Figure:
    return FIGURES[key]


def label(key: str) -> str:
    return FIGURES[key].label


def years_label(years: int | str) -> str:
    """« 1 an », « 3 ans »: a row of the pérennité."""
    return f"{years} an{'s' if int(years) != 1 else ''}"


# --- the terminal's spelling ---------------------------------------------------------

_DECIMALS = {Kind.HOURS: 1, Kind.RATIO: 1, Kind.ETP: 2, Kind.CAPACITY: 2, Kind.EUROS: 2}


def display(kind: Kind, value: object) -> str:
    if value is None:
        return NOTHING
    if not isinstance(value, (int, float, Decimal)) or isinstance(value, bool):
        return str(value)
    if kind is Kind.RATE:
        return f"{_french(Decimal(str(value)) * 100, 1)} %"
    if kind in _DECIMALS:
        shown = _french(Decimal(str(value)), _DECIMALS[kind])
        return f"{shown} €" if kind is Kind.EUROS else shown
    return _french(Decimal(str(value)), 0)


def _french(value: Decimal, decimals: int) -> str:
    """Half-up rounding, a space between thousands and a decimal comma: 1080.45 → « 1 080,5 »."""
    rounded = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{rounded:,.{decimals}f}".replace(",", " ").replace(".", ",")
