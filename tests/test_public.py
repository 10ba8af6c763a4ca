"""The national programme's figures (indicators.md › Public and Activity), each on people worked out by hand.

`part_moins_25`, `part_bac_plus`, `part_demandeurs_emploi`, `qpv_couverts`,
`orientes` and `taux_orientation`; the date-aware QPV are in test_geography.
"""

from datetime import date

import pytest
from test_indicators import AS_OF, OCTOBER, PORTEURS, RDV, build, porteur

from citeslab_xl.core import indicators as ind
from citeslab_xl.core import periods


@pytest.fixture(scope="module")
def october():
    """test_indicators' October: P6 oriented on 1 October, P8 on 15 October, P7 on 30 September; 5 accompanied."""
    return build(porteurs=PORTEURS, rendez_vous=RDV)


# The national figures, on new porteurs worked out by hand (October 2026):
#   N1  10-01  born 2001-10-02 (24)  Bac            Bénéficiaire RSA    Battant (a QPV since 2024)
#   N2  10-02  born 2001-10-02 (25)  CAP-BEP        Demandeur d'emploi  Planoise
#   N3  10-05  born 1990-01-01 (36)  Bac+3 et plus  Salarié             Planoise
#   N4  10-06  -                     -              -                   Hors QPV
#   N5  10-07  born 1980-06-01 (46)  Sans diplôme   Étudiant            Hauts de Saint-Claude
#   N6  09-30  (September: not a new porteur of October)  Bac  Demandeur d'emploi  Montrapon
NATIONAL = [
    porteur("N1", date(2026, 10, 1), date_naissance=date(2001, 10, 2), niveau="Bac", situation="Bénéficiaire RSA",
            quartier="Battant"),
    porteur("N2", date(2026, 10, 2), date_naissance=date(2001, 10, 2), niveau="CAP-BEP",
            situation="Demandeur d'emploi", quartier="Planoise"),
    porteur("N3", date(2026, 10, 5), date_naissance=date(1990, 1, 1), niveau="Bac+3 et plus", situation="Salarié",
            quartier="Planoise"),
    porteur("N4", date(2026, 10, 6)),
    porteur("N5", date(2026, 10, 7), date_naissance=date(1980, 6, 1), niveau="Sans diplôme", situation="Étudiant",
            quartier="Hauts de Saint-Claude"),
    porteur("N6", date(2026, 9, 30), date_naissance=date(2005, 1, 1), niveau="Bac", situation="Demandeur d'emploi",
            quartier="Montrapon"),
]


@pytest.fixture(scope="module")
def national():
    return build(porteurs=NATIONAL)


def test_part_moins_25_is_the_programme_s_band(national):
    # ages known: 24, 25 (her birthday is her first contact), 36, 46
    assert ind.part_moins_25(national, OCTOBER, AS_OF) == 1 / 4
    assert ind.part_moins_26(national, OCTOBER, AS_OF) == 2 / 4


def test_part_bac_plus_among_people_with_a_niveau(national):
    assert ind.part_bac_plus(national, OCTOBER, AS_OF) == 2 / 4  # Bac, Bac+3 et plus; N4 has none


def test_part_demandeurs_emploi_counts_rsa_recipients(national):
    assert ind.part_demandeurs_emploi(national, OCTOBER, AS_OF) == 2 / 4  # RSA, Demandeur d'emploi


def test_qpv_couverts_and_part_qpv(national):
    assert ind.qpv_couverts(national, OCTOBER, AS_OF) == 3  # Battant, Planoise (twice), Hauts de Saint-Claude
    assert ind.part_qpv(national, OCTOBER, AS_OF) == 4 / 5
    assert ind.qpv_couverts(national, periods.month(2026, 9), AS_OF) == 1  # Montrapon


def test_the_national_shares_are_none_without_anyone_to_count():
    data = build(porteurs=[porteur("P1", date(2026, 10, 2))])
    assert ind.part_moins_25(data, OCTOBER, AS_OF) is None
    assert ind.part_bac_plus(data, OCTOBER, AS_OF) is None
    assert ind.part_demandeurs_emploi(data, OCTOBER, AS_OF) is None
    assert ind.qpv_couverts(data, OCTOBER, AS_OF) == 0


def test_orientes_and_taux_orientation(october):
    # P6 (1 October) and P8 (15 October); P7 was oriented on 30 September
    assert ind.orientes(october, OCTOBER, AS_OF) == 2
    assert ind.taux_orientation(october, OCTOBER, AS_OF) == 2 / 5  # among the 5 accompanied


def test_orientes_counts_people_not_rows_nor_partners():
    data = build(porteurs=[
        porteur("P1", date(2026, 9, 1), statut="Orienté", partenaire="Adie", date_orientation=date(2026, 10, 2)),
        porteur("P1", date(2026, 9, 1), statut="Orienté", partenaire="BGE", date_orientation=date(2026, 10, 9)),
        porteur("P2", date(2026, 10, 1), date_orientation=date(2026, 10, 5)),  # no partner: oriented all the same
        porteur("P3", date(2026, 10, 1), statut="Orienté", partenaire="CCI", date_orientation=date(2026, 11, 2)),
    ])
    assert ind.orientes(data, OCTOBER, AS_OF) == 2
    assert ind.taux_orientation(data, OCTOBER, AS_OF) == 2 / 2  # P2 and P3 are the new porteurs
    assert ind.taux_orientation(build(porteurs=[]), OCTOBER, AS_OF) is None


def test_the_national_figures_in_json_are_exact_fractions(national):
    result = ind.compute(national, OCTOBER, AS_OF).to_json()
    assert (result["part_moins_25"], result["part_bac_plus"], result["part_demandeurs_emploi"]) == (0.25, 0.5, 0.5)
    assert (result["qpv_couverts"], result["orientes"], result["taux_orientation"]) == (3, 0, 0.0)
    assert result["part_qpv"] == 4 / 5
