"""The `À faire` sheet: who is in each list, in which order, and who is not (as of Thursday 26 November 2026).

The workbook is built as cell grids (a title row above each header, Porteurs on
a sheet named by Paramètres), so that the links point at real Excel rows.

Porteurs                     statut       contact     other                        rendez-vous
  B1                         Créé                     created 2025-05-10, BTP/SASU
  B2                         Créé                     created 2025-12-10
  B3                         Créé                     created 2026-06-20
  B4                         Créé                     created 2025-11-10           Suivi 2026-05-12
  C90                        Accueil      2026-01-05                               2026-08-28 (D − 90)
  C89                        Émergence    2026-01-05                               2026-08-29 (D − 89)
  CNEVER                     Accueil      2026-02-10                               none
  CNEW                       Accueil      2026-11-16                               none
  CAB                        Abandon      2025-01-05                               none
  CPLAN                      Émergence    2026-01-05                               2026-01-06, planned 2026-12-16
  O30                        Orienté      2026-10-01  Adie 2026-10-27 (D − 30)     2026-10-27
  O29                        Orienté      2026-10-01  BGE 2026-10-28 (D − 29)
  OFOL                       Orienté      2026-08-01  BGE 2026-09-01               2026-09-15
  OOLD                       Orienté      2026-02-01  Adie 2026-03-01              2026-02-20
  OPLAN                      Orienté      2026-08-01  Adie 2026-09-01              planned 2026-11-29
  OAB                        Abandon      2026-02-01  Adie 2026-03-01
  E1                         Émergence    2026-10-01  BTP                          2026-10-28 (D − 29), 12-10
  E2                         En création  2026-10-01  Commerce                     2026-11-26 (D), 11-27
  E3                         Émergence    2026-09-01  BTP                          2026-10-27 (D − 30)
  E4                         Accueil      2026-10-01  BTP                          2026-11-25
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from citeslab_xl.core import schema, todo
from citeslab_xl.core.grid import Grid, locate
from citeslab_xl.core.layout import Note, Table
from citeslab_xl.core.validation import validate

AS_OF = date(2026, 11, 26)
SHEET = "Suivi d'Anne"  # the coordinator's own name for Porteurs, with a quote to escape in the links
TITLE_ROWS = 2  # a title and a blank row above every header: the header is on row 3
D = AS_OF


def days(n: int) -> date:
    return D + timedelta(days=n)


def person(id_, statut, contact, **fields):
    return {"id": id_, "nom": f"Nom{id_}", "prenom": f"Prénom{id_}", "quartier": "Hors QPV", "statut": statut,
            "date_premier_contact": contact, "consentement": True, "telephone": "06 12 34 56 78",
            "email": f"{id_.lower()}@exemple.fr", **fields}


def created(id_, on, **fields):
    return person(id_, "Créé", date(2025, 1, 5), date_creation=on, **{"secteur": "BTP", "forme": "SASU", **fields})


def oriented(id_, contact, partenaire, on, statut="Orienté"):
    return person(id_, statut, contact, partenaire=partenaire, date_orientation=on)


PORTEURS = [
    created("B1", date(2025, 5, 10)),
    created("B2", date(2025, 12, 10), secteur="Commerce", forme="Micro-entreprise"),
    created("B3", date(2026, 6, 20)),
    created("B4", date(2025, 11, 10)),
    person("C90", "Accueil", date(2026, 1, 5)),
    person("C89", "Émergence", date(2026, 1, 5)),
    person("CNEVER", "Accueil", date(2026, 2, 10), telephone=None, email=None),
    person("CNEW", "Accueil", days(-10)),
    person("CAB", "Abandon", date(2025, 1, 5)),
    person("CPLAN", "Émergence", date(2026, 1, 5)),
    oriented("O30", date(2026, 10, 1), "Adie", days(-30)),
    oriented("O29", date(2026, 10, 1), "BGE", days(-29)),
    oriented("OFOL", date(2026, 8, 1), "BGE", date(2026, 9, 1)),
    oriented("OOLD", date(2026, 2, 1), "Adie", date(2026, 3, 1)),
    oriented("OPLAN", date(2026, 8, 1), "Adie", date(2026, 9, 1)),
    oriented("OAB", date(2026, 2, 1), "Adie", date(2026, 3, 1), statut="Abandon"),
    person("E1", "Émergence", date(2026, 10, 1), secteur="BTP"),
    person("E2", "En création", date(2026, 10, 1), secteur="Commerce"),
    person("E3", "Émergence", date(2026, 9, 1), secteur="BTP"),
    person("E4", "Accueil", date(2026, 10, 1), secteur="BTP"),
]


def rdv(id_, on, **fields):
    return {"date": on, "id_porteur": id_, "type": "Entretien", **fields}


RENDEZ_VOUS = [
    rdv("C90", days(-90)),
    rdv("C89", days(-89)),
    rdv("CPLAN", date(2026, 1, 6)),
    rdv("CPLAN", days(20)),  # planned, beyond the fortnight
    rdv("O30", days(-30)),  # the day of the orientation: not a follow-up
    rdv("OFOL", date(2026, 9, 15)),
    rdv("OOLD", date(2026, 2, 20)),
    rdv("OPLAN", days(3), modalite="Visio", objet="Plan de financement"),
    rdv("E1", days(-29)),
    rdv("E2", D),  # today: seen, but not planned
    rdv("E3", days(-30)),
    rdv("E4", days(-1)),
    rdv("E2", days(1), modalite="Téléphone"),
    rdv("E1", days(14)),  # the fourteenth day: still in the fortnight
    rdv("C89", days(15)),  # the fifteenth: not yet
    rdv("ZZ", days(1)),  # an ID that Porteurs does not know (an error, so no ID): listed, without a name or a link
]
SUIVI = [{"id_porteur": "B4", "date": date(2026, 5, 12), "active": True}]
REFERENTS = [
    {"id": "RB", "nom": "Durand", "prenom": "Bruno", "entreprise": "Durand Bâtiment", "secteur": "BTP",
     "telephone": "03 81 00 00 02", "email": "bruno@durand.fr", "accord": True,
     "date_accord": date(2026, 1, 5), "actif": True},
    {"id": "RA", "nom": "Martin", "prenom": "Alice", "entreprise": "Martin Maçonnerie", "secteur": "BTP",
     "telephone": "03 81 00 00 01", "email": "alice@martin.fr", "accord": True,
     "date_accord": date(2026, 1, 5), "actif": True},
]


def _cell(value):
    if isinstance(value, bool):
        return "Oui" if value else "Non"
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return value


def grid(name: str, sheet: schema.Sheet, rows: list[dict]) -> Grid:
    headers = [c.header for c in sheet.columns]
    body = [[_cell(row.get(c.key)) for c in sheet.columns] for row in rows]
    return Grid(name, [[f"{sheet.name} (titre)"], [None], headers, *body])


def dataset(porteurs=PORTEURS, rendez_vous=RENDEZ_VOUS, suivi=SUIVI, referents=REFERENTS):
    grids = {
        "Paramètres": Grid("Paramètres", [["Feuille Porteurs", SHEET]]),
        SHEET: grid(SHEET, schema.PORTEURS, porteurs),
        "Rendez-vous": grid("Rendez-vous", schema.RENDEZ_VOUS, rendez_vous),
        "Suivi": grid("Suivi", schema.SUIVI, suivi),
        "Référents": grid("Référents", schema.REFERENTS, referents),
    }
    return validate(locate(grids), AS_OF)


def excel_row(id_: str) -> int:
    return TITLE_ROWS + 2 + next(i for i, p in enumerate(PORTEURS) if p["id"] == id_)


def test_the_test_workbook_is_valid_but_for_the_unknown_id():
    built = dataset()
    assert [(a.code, a.valeur) for a in built.anomalies if a.is_error] == [("id-unknown", "ZZ")]
    assert built.sheet_names["porteurs"] == SHEET


def ids(work: todo.WorkList) -> list[str | None]:
    return [item.id_porteur for item in work.items]


def test_milestones_late_first_then_due_with_the_business():
    built = dataset()
    work = todo.milestones_due(built, AS_OF, todo.Directory(built))
    assert [(i.id_porteur, *i.cells) for i in work.items] == [
        ("B1", date(2025, 11, 10), "6 mois", "en retard", "BTP", "SASU"),
        ("B1", date(2026, 5, 10), "1 an", "en retard", "BTP", "SASU"),
        ("B2", date(2026, 6, 10), "6 mois", "en retard", "Commerce", "Micro-entreprise"),
        ("B2", date(2026, 12, 10), "1 an", "à venir", "Commerce", "Micro-entreprise"),
        ("B3", date(2026, 12, 20), "6 mois", "à venir", "BTP", "SASU"),
    ]  # B4: its 6 months are done and its first year passed 16 days ago, neither late nor due


def test_rendez_vous_of_the_next_fourteen_days_soonest_first():
    work = todo.upcoming_rendez_vous(dataset(), AS_OF)
    # today's (E2) and the fifteenth day's (C89) are out; on the same day, by ID, the one without an ID last
    assert [(i.id_porteur, i.cells[0]) for i in work.items] == [
        ("E2", days(1)), (None, days(1)), ("OPLAN", days(3)), ("E1", days(14))]
    assert work.items[2].cells == (days(3), "Entretien", "Visio", None, "Plan de financement")


def test_open_files_not_seen_for_ninety_days_oldest_first():
    built = dataset()
    work = todo.files_to_relaunch(built, AS_OF, todo.Directory(built))
    # CNEVER from its first contact; C90 exactly 90 days; OOLD since 20 February (also an orientation without
    # follow-up); C89 at 89 days, CNEW, CAB (closed) and CPLAN (a rendez-vous planned) are out
    assert [(i.id_porteur, i.cells[0], i.cells[2]) for i in work.items] == [
        ("CNEVER", date(2026, 2, 10), 289), ("OOLD", date(2026, 2, 20), 279), ("C90", days(-90), 90)]


def test_orientations_older_than_thirty_days_without_a_rendez_vous_since():
    built = dataset()
    work = todo.orientations_without_follow_up(built, AS_OF, todo.Directory(built))
    # O30: exactly 30 days, its only rendez-vous on the orientation day; O29 too recent; OFOL seen since;
    # OPLAN has one planned; OAB is closed
    assert [(i.id_porteur, *i.cells) for i in work.items] == [
        ("O30", days(-30), "Adie", 30, None, "Orienté"),
        ("OOLD", date(2026, 3, 1), "Adie", 270, None, "Orienté"),
    ]


def test_referents_for_the_people_seen_in_the_last_thirty_days():
    work = todo.referents_to_suggest(dataset(), AS_OF)
    # E3 was seen exactly 30 days ago (out), E4 is not building a project; E2's sector has no référent
    assert [(i.id_porteur, *i.cells) for i in work.items] == [
        ("E1", days(-29), "BTP", "Alice Martin", "Martin Maçonnerie", "03 81 00 00 01", "alice@martin.fr"),
        ("E1", days(-29), "BTP", "Bruno Durand", "Durand Bâtiment", "03 81 00 00 02", "bruno@durand.fr"),
        ("E2", D, "Commerce", todo.NO_REFERENT, None, None, None),
    ]
    assert work.count == 2  # people, not rows


def test_the_sheet_lists_what_is_due_first_with_names_and_links():
    layout = todo.todo_layout(dataset(), AS_OF)
    assert layout.name == "À faire"
    summary, *lists, rules = layout.blocks
    assert isinstance(summary, Note) and isinstance(rules, Note)
    assert summary.text.startswith("À traiter : 5 jalons de suivi, 4 rendez-vous dans les 14 jours, 2 porteurs à qui "
                                   "proposer un référent, 2 orientations sans suite, 3 dossiers à relancer ou clore.")
    assert [block.title for block in lists] == [  # type: ignore[union-attr]
        "Suivis des entreprises en retard ou à faire dans les 30 jours (5 jalons)",
        "Rendez-vous des 14 prochains jours (4 rendez-vous)",
        "Référents à proposer aux porteurs vus ces 30 derniers jours (2 porteurs)",
        "Orientations de plus de 30 jours sans rendez-vous depuis (2 orientations)",
        "Dossiers ouverts sans rendez-vous depuis 90 jours ou plus : relancer ou clore (Abandon) (3 dossiers)",
    ]
    relaunch = lists[-1]
    assert isinstance(relaunch, Table)
    assert relaunch.headers[:5] == ["ID", "Nom", "Prénom", "Téléphone", "Email"]
    assert relaunch.rows[1][:5] == ["OOLD", "NomOOLD", "PrénomOOLD", "06 12 34 56 78", "oold@exemple.fr"]
    assert relaunch.rows[0][:5] == ["CNEVER", "NomCNEVER", "PrénomCNEVER", None, None]
    assert relaunch.link_column == 1
    assert relaunch.links == {0: f"'Suivi d''Anne'!A{excel_row('CNEVER')}", 1: f"'Suivi d''Anne'!A{excel_row('OOLD')}",
                              2: f"'Suivi d''Anne'!A{excel_row('C90')}"}
    assert excel_row("CNEVER") == 10  # header on row 3, B1 on row 4
    soon = lists[1]
    assert isinstance(soon, Table)
    assert soon.rows[1][:2] == [None, None] and sorted(soon.links) == [0, 2, 3]  # nobody to link to


def test_empty_lists_say_so_in_one_line():
    layout = todo.todo_layout(dataset([person("A1", "Accueil", days(-3))], [rdv("A1", days(-3))], [], []), AS_OF)
    summary, *lists, _ = layout.blocks
    assert all(isinstance(block, Note) for block in lists)
    assert [block.text for block in lists] == [  # type: ignore[union-attr]
        "Suivis des entreprises en retard ou à faire dans les 30 jours : aucun jalon de suivi en retard ni à venir.",
        "Rendez-vous des 14 prochains jours : aucun rendez-vous prévu.",
        "Référents à proposer aux porteurs vus ces 30 derniers jours : aucun porteur en émergence ou en création "
        "vu ces 30 derniers jours.",
        "Orientations de plus de 30 jours sans rendez-vous depuis : aucune orientation restée sans suite.",
        "Dossiers ouverts sans rendez-vous depuis 90 jours ou plus : relancer ou clore (Abandon) : aucun dossier "
        "ouvert sans rendez-vous depuis 90 jours.",
    ]
    assert summary.text.startswith("À traiter : 0 jalon de suivi, 0 rendez-vous")  # type: ignore[union-attr]


def test_a_rendered_name_links_to_the_porteur_row():
    from citeslab_xl.adapters.render import render_workbook

    sheet = render_workbook([todo.todo_layout(dataset(), AS_OF)])["À faire"]
    names = {cell.value: cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)}
    link = names["NomC90"].hyperlink
    assert link is not None and link.location == f"'Suivi d''Anne'!A{excel_row('C90')}"
