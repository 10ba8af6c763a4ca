"""The follow-up schedule: milestones fait, en retard, à venir (as of 26 November 2026)."""

from datetime import date

from citeslab_xl.core.dataset import from_records
from citeslab_xl.core.schedule import A_VENIR, EN_RETARD, FAIT, Milestone, schedule

AS_OF = date(2026, 11, 26)  # D + 30 days = 26 December 2026


def business(id_, created, **fields):
    return {"id": id_, "nom": "N", "prenom": "P", "quartier": "Hors QPV", "statut": "Créé",
            "date_premier_contact": date(2023, 1, 1), "date_creation": created, "consentement": True, **fields}


def suivi(id_, day):
    return {"id_porteur": id_, "date": day, "active": True}


def build(porteurs, suivis):
    records = {"porteurs": porteurs, "suivi": suivis}
    return from_records({k: [{"_row": i + 2, **r} for i, r in enumerate(v)] for k, v in records.items()})


PORTEURS = [
    business("E1", date(2025, 5, 10)),
    business("E2", date(2025, 12, 10)),
    business("E3", date(2023, 11, 26), date_cessation=date(2025, 11, 26)),
    business("E4", date(2023, 12, 26)),
    business("E5", date(2026, 5, 20)),
    business("E6", date(2026, 4, 27)),
    business("E6b", date(2026, 4, 26)),
    business("E7", date(2024, 2, 29)),
    business("E8", date(2024, 1, 15)),
    {**business("N1", None), "statut": "Émergence"},
]
SUIVIS = [
    suivi("E1", date(2025, 9, 11)),  # 6 months (2025-11-10) minus 60 days: fait
    suivi("E1", date(2026, 9, 8)),  # 1 year (2026-05-10) plus 121 days: too late to count
    suivi("E2", date(2026, 10, 8)),  # 6 months (2026-06-10) plus 120 days: fait
    suivi("E4", date(2026, 12, 1)),  # after D: not counted yet
    suivi("E7", date(2025, 6, 28)),  # 1 year of a 29 February business is 2025-02-28; + 120 days
    suivi("E8", date(2024, 6, 1)),  # 6 months (2024-07-15): both rows in the window,
    suivi("E8", date(2024, 7, 20)),  # the closest one is reported
]

EXPECTED = {
    ("E1", "6 mois"): (date(2025, 11, 10), FAIT, date(2025, 9, 11)),
    ("E1", "1 an"): (date(2026, 5, 10), EN_RETARD, None),
    ("E2", "6 mois"): (date(2026, 6, 10), FAIT, date(2026, 10, 8)),
    ("E2", "1 an"): (date(2026, 12, 10), A_VENIR, None),
    # E3 ceased on 2025-11-26: the 2-year milestone of that very day stays, the 3-year one goes
    ("E3", "6 mois"): (date(2024, 5, 26), EN_RETARD, None),
    ("E3", "1 an"): (date(2024, 11, 26), EN_RETARD, None),
    ("E3", "2 ans"): (date(2025, 11, 26), EN_RETARD, None),
    ("E4", "6 mois"): (date(2024, 6, 26), EN_RETARD, None),
    ("E4", "1 an"): (date(2024, 12, 26), EN_RETARD, None),
    ("E4", "2 ans"): (date(2025, 12, 26), EN_RETARD, None),
    ("E4", "3 ans"): (date(2026, 12, 26), A_VENIR, None),  # D + 30 days exactly
    # E5: 6 months on 2026-11-20, passed by less than 30 days: neither late nor upcoming
    # E6: 6 months on 2026-10-27; + 30 days is D itself, not before it: not late yet
    ("E6b", "6 mois"): (date(2026, 10, 26), EN_RETARD, None),
    ("E7", "6 mois"): (date(2024, 8, 29), EN_RETARD, None),
    ("E7", "1 an"): (date(2025, 2, 28), FAIT, date(2025, 6, 28)),
    ("E7", "2 ans"): (date(2026, 2, 28), EN_RETARD, None),
    ("E8", "6 mois"): (date(2024, 7, 15), FAIT, date(2024, 7, 20)),
    ("E8", "1 an"): (date(2025, 1, 15), EN_RETARD, None),
    ("E8", "2 ans"): (date(2026, 1, 15), EN_RETARD, None),
}


def test_every_milestone_state():
    rows = schedule(build(PORTEURS, SUIVIS), AS_OF)
    assert {(m.id_porteur, m.jalon): (m.date_due, m.etat, m.date_suivi) for m in rows} == EXPECTED
    assert len(rows) == len(EXPECTED)


def test_rows_are_typed_and_in_due_date_order():
    rows = schedule(build(PORTEURS, SUIVIS), AS_OF)
    assert [m.date_due for m in rows] == sorted(m.date_due for m in rows)
    first = rows[0]
    assert first == Milestone("E3", date(2023, 11, 26), "6 mois", date(2024, 5, 26), EN_RETARD, None)


def test_a_milestone_upcoming_today():
    rows = schedule(build([business("E1", date(2025, 11, 26))], []), AS_OF)
    assert [(m.jalon, m.etat) for m in rows] == [("6 mois", EN_RETARD), ("1 an", A_VENIR)]


def test_no_business_no_milestone():
    assert schedule(build([], []), AS_OF) == []
