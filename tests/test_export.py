"""The workbook shared with the agglomeration: aggregated, suppressed, and free of personal data."""

from __future__ import annotations

import csv
import html
import random
import re
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from libreoffice import first_page_png, pdf_text, requires_soffice, to_pdf
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell

from citeslab_xl.adapters.export_file import FLAG_FILL, long_form_paths, write_export
from citeslab_xl.adapters.reading import sha256_of
from citeslab_xl.adapters.template import build_workbook
from citeslab_xl.core import indicators, long_form, monthly, periods
from citeslab_xl.core.dataset import from_records
from citeslab_xl.core.errors import WriteRefused
from citeslab_xl.core.export import SHEETS, build_export
from citeslab_xl.core.layout import Table
from citeslab_xl.core.periods import parse_period
from citeslab_xl.core.schema import Settings
from citeslab_xl.demo import make_siret, write_demo
from citeslab_xl.doors import api

AS_OF = date(2026, 11, 26)
COORDINATOR = "Jocelyne Varenne-Kaïm"
SITE = "=HYPERLINK(\"http://x.test\";\"CitésLab\")"
ODD_PRESCRIPTEUR = "+Permanence @mairie"


def siret(seed: int) -> str:
    return make_siret(random.Random(seed))


# Each person: what validation needs, and personal values of every kind to look for afterwards.
PEOPLE = [
    dict(id="ZQ-7781", nom="Quénéhervé-Ðặng", prenom="Éloïse-Maëlys", sexe="F", date_naissance=date(1987, 7, 14),
         quartier="Planoise", situation="Demandeur d'emploi", prescripteur="France Travail",
         date_premier_contact=date(2026, 10, 3), statut="Créé", partenaire="Adie", date_orientation=date(2026, 10, 9),
         date_creation=date(2026, 10, 27), forme="SASU", secteur="Commerce", siret=siret(1),
         telephone="06 71 42 93 58", email="eloise.q+citeslab@exemple-rare.fr",
         commentaire="A perdu son emploi en mars ; projet d'épicerie fine rue des Granges."),
    dict(id="ZQ-7782", nom="Ňguyễn Văn Thắng", prenom="Bảo-Ngọc", sexe="H", date_naissance="21/03/1979",
         quartier="Planoise", situation="Bénéficiaire RSA", prescripteur="Mission locale",
         date_premier_contact=date(2026, 10, 6), statut="Émergence", telephone="+33 6 98 76 54 32",
         email="bao_ngoc.nvt@courriel-inhabituel.org", commentaire="=HYPERLINK(\"http://evil.test\";\"clic\")"),
    dict(id="ZQ-7783", nom="O'Sullivan-Abdelkader", prenom="Zéphyrine", sexe="F", date_naissance="1992-11-05",
         quartier="Battant", situation="Salarié", prescripteur=ODD_PRESCRIPTEUR,
         date_premier_contact=date(2026, 10, 8), statut="Orienté", partenaire="BGE",
         date_orientation=date(2026, 10, 22),
         telephone="03 81 47 22 90", email="zephyrine.osa@mél-test.fr",
         commentaire="Garde alternée, disponible seulement le mardi après-midi."),
    dict(id="ZQ-7784", nom="Kowalczyk-Bénard", prenom="Léopoldine", sexe="F", date_naissance=date(1969, 2, 17),
         quartier="Hors QPV", situation="Sans activité", prescripteur="Bouche à oreille",
         date_premier_contact=date(2026, 10, 13), statut="Créé", date_creation=date(2026, 10, 29), forme="EI",
         secteur="Artisanat", siret=siret(2), telephone="07 55 12 34 89", email="leo.kowal-b@exemple-rare.fr"),
    dict(id="ZQ-7785", nom="Ébrard-Tchakounté", prenom="Maxence", sexe="H", date_naissance=date(2001, 8, 25),
         quartier="Montrapon", situation="Étudiant", prescripteur="Réseaux sociaux",
         date_premier_contact=date(2026, 10, 15), statut="Accueil", telephone="06 02 03 04 05",
         email="maxence.e-t@école-test.fr", commentaire="Veut ouvrir un food-truck avec son cousin Yanis."),
    dict(id="ZQ-7786", nom="Desrosiers-Lamontagne", prenom="Aurélienne", sexe="F", date_naissance=date(1975, 12, 2),
         quartier="Planoise", situation="Demandeur d'emploi", prescripteur="France Travail",
         date_premier_contact=date(2025, 6, 11), statut="Créé", date_creation=date(2025, 9, 17),
         forme="Micro-entreprise",
         secteur="Services aux personnes", siret=siret(3), telephone="06 44 55 66 77",
         email="aurelienne.dl@exemple-rare.fr"),
    dict(id="ZQ-7787", nom="Vandenbroucke", prenom="Théophraste", sexe="H", date_naissance=date(1958, 4, 30),
         quartier="Clairs-Soleils", situation="Autre", prescripteur="Maison de quartier",
         date_premier_contact=date(2019, 5, 14), statut="Abandon", telephone="06 90 80 70 60",
         email="theo.vdb@ancien-test.fr", commentaire="Dossier ancien, à anonymiser."),
]
for person in PEOPLE:
    person.update(consentement=True, charge=COORDINATOR)

RDV = [
    dict(date=date(2026, 10, day), id_porteur=pid, type=kind, modalite="Face-à-face", duree=60, charge=COORDINATOR,
         objet=objet)
    for day, pid, kind, objet in [
        (3, "ZQ-7781", "Premier accueil", "Prêt d'honneur Initiative — RDV banque Crédit Mutuel de Planoise"),
        (6, "ZQ-7782", "Premier accueil", "Présentation du dispositif à Bảo-Ngọc"),
        (8, "ZQ-7783", "Premier accueil", "@SUM(1+1) parle de sa séparation"),
        (13, "ZQ-7784", "Premier accueil", "Reprise de la menuiserie de son père"),
        (15, "ZQ-7785", "Premier accueil", "Projet de food-truck"),
        (20, "ZQ-7781", "Entretien", "Prévisionnel avec l'expert-comptable M. Ferrandière"),
    ]
] + [dict(date=date(2025, 7, 2), id_porteur="ZQ-7786", type="Premier accueil", duree=45, charge=COORDINATOR,
          objet="Garde d'enfants à domicile, craint de perdre l'ARE")]

ATELIERS = [dict(date=date(2026, 10, 16), type="Information collective", theme="Oser entreprendre — session de Maëlys",
                 participants=7, ids_participants="ZQ-7781;ZQ-7782", partenaire="BGE"),
            dict(date=date(2026, 10, 23), type="Photolangage", theme="-Mes atouts selon Zéphyrine", participants=5)]
PHOTOLANGAGE = [dict(date=date(2026, 10, 23), id_porteur="ZQ-7783", images="3;17;22;40",
                     capacites="Persévérance inouïe de Zéphyrine;écoute")]
SENSIBILISATION = [dict(date=date(2026, 10, 14), type_lieu="Établissement scolaire",
                        structure="Lycée Tristan-Bernard (1ère STMG 2)", personnes=28,
                        commentaire="Intervention avec Mme Ouédraogo-Pélissier, très bon accueil")]
REFERENTS = [dict(id="RF-0042", nom="Baptistin-Roumégoux", prenom="Fulbert", entreprise="Boulangerie Roumégoux & Fils",
                  secteur="Commerce", telephone="03 81 99 88 77", email="fulbert@roumegoux-fils.fr", accord=True,
                  date_accord=date(2024, 3, 19), actif=True)]
SUIVI = [dict(id_porteur="ZQ-7786", date=date(2026, 3, 18), active=True, emplois=2, ca=41250,
              commentaire="CA en hausse, embauche de Kévin Ollivier-Mbappé en apprentissage")]
FINANCEMENT = [dict(annee=2026, poste="Poste de Jocelyne Varenne-Kaïm", etp=1, cout=54321.09,
                    **{"part:Agglomération": 80, "part:Région": 20})]


def personal_values() -> list[str]:
    """Every personal value of the known workbook, in every spelling it could take."""
    values = [COORDINATOR, "Varenne-Kaïm", "Poste de Jocelyne"]
    for p in PEOPLE:
        values += [p["id"], p["nom"], p["prenom"], f"{p['prenom']} {p['nom']}", p["telephone"],
                   p["telephone"].replace(" ", ""), p["email"]]
        values += [p[k] for k in ("siret", "commentaire") if p.get(k)]
        born = p["date_naissance"]
        born = born if isinstance(born, date) else (date.fromisoformat(born) if "-" in born
                                                    else datetime.strptime(born, "%d/%m/%Y").date())
        values += [f"{born:%d/%m/%Y}", born.isoformat()]
    values += [r["objet"] for r in RDV]
    values += [a["theme"] for a in ATELIERS] + ["ZQ-7781;ZQ-7782"]
    values += [PHOTOLANGAGE[0]["capacites"], "Persévérance inouïe"]
    values += [SENSIBILISATION[0][k] for k in ("structure", "commentaire")]
    values += [REFERENTS[0][k] for k in ("id", "nom", "prenom", "entreprise", "telephone", "email")]
    values += [SUIVI[0]["commentaire"], "Ollivier-Mbappé"]
    return values


def edit_parametres(wb, site: str, lists: dict[str, list[str]]) -> None:
    """Set the site's name and append values to lists of Paramètres (the coordinator's own entries)."""
    ws = wb["Paramètres"]
    for row in ws.iter_rows(min_row=2, max_col=2):
        if row[0].value == "Nom du site":
            row[1].value = site
            row[1].data_type = "s"
    for cell in ws[1]:
        if cell.value in lists:
            column = ws.cell(row=1, column=cell.column).column_letter
            filled = [c for c in ws[column][1:] if c.value not in (None, "")]
            start = 2 if cell.value == "Chargés de mission" else len(filled) + 2
            for offset, value in enumerate(lists[cell.value]):
                written = ws.cell(row=start + offset, column=cell.column, value=value)
                written.data_type = "s"  # typed as text, even when it looks like a formula


@pytest.fixture(scope="module")
def known(tmp_path_factory):
    folder = tmp_path_factory.mktemp("known")
    source = folder / "suivi.xlsx"
    wb = build_workbook({"porteurs": PEOPLE, "rendez_vous": RDV, "ateliers": ATELIERS, "photolangage": PHOTOLANGAGE,
                         "sensibilisation": SENSIBILISATION, "referents": REFERENTS, "suivi": SUIVI,
                         "financement": FINANCEMENT})
    edit_parametres(wb, SITE, {"Chargés de mission": [COORDINATOR], "Prescripteur": [ODD_PRESCRIPTEUR]})
    wb.save(source)
    dataset = api.check_file(source, AS_OF)
    return source, dataset


def exported(source, dataset, period: str, folder: Path) -> Path:
    return write_export(dataset, parse_period(period), AS_OF, source, folder / f"export-{period}.xlsx", "9.9.9")


def zip_texts(path: Path) -> dict[str, str]:
    """Every part of the xlsx, decoded, XML entities resolved."""
    with zipfile.ZipFile(path) as archive:
        return {name: html.unescape(archive.read(name).decode("utf-8", errors="replace"))
                for name in archive.namelist()}


def cell_texts(path: Path) -> list[str]:
    wb = load_workbook(path)
    return [str(cell.value) for ws in wb.worksheets for row in ws.iter_rows() for cell in row if cell.value is not None]


def beside(path: Path) -> dict[str, str]:
    """The long-form CSV and its data package written beside an export (none beside a source workbook)."""
    csv_path, package_path = long_form_paths(path)
    return {p.name: p.read_text(encoding="utf-8") for p in (csv_path, package_path) if p.exists()}


def leaks(path: Path, values: list[str]) -> list[tuple[str, str]]:
    """(value, where) for each personal value found in a cell, in any part of the file, or in the files beside it."""
    places = {f"cellule « {text} »": text for text in cell_texts(path)}
    places.update(zip_texts(path))
    places.update(beside(path))
    found = []
    for value in {v for v in values if v}:
        needle = value.casefold()
        found += [(value, where) for where, text in places.items() if needle in text.casefold()]
    return found


def dates_in(path: Path) -> set[date]:
    """Every date written anywhere in the file, as dd/mm/yyyy or yyyy-mm-dd."""
    found = set()
    for text in [*zip_texts(path).values(), *cell_texts(path), *beside(path).values()]:
        for d, m, y in re.findall(r"\b(\d{2})/(\d{2})/(\d{4})\b", text):
            found.add(date(int(y), int(m), int(d)))
        for y, m, d in re.findall(r"\b(\d{4})-(\d{2})-(\d{2})", text):
            found.add(date(int(y), int(m), int(d)))
    return found


def allowed_dates(period: str) -> set[date]:
    """The dates the export states about itself: its period and comparisons, the as-of date, the day it was made."""
    p = parse_period(period)
    compared = [p, periods.previous_year(p), periods.year_to_date(p), periods.previous_year(periods.year_to_date(p))]
    today = date.today()
    # the long form gives each month of the period its first and last day: a calendar's, not a person's
    months = periods.months_between(min(q.debut for q in compared), max(q.fin for q in compared))
    return {AS_OF, today, today - timedelta(days=1), today + timedelta(days=1)} | {
        d for q in [*compared, *months] for d in (q.debut, q.fin)}


# --- no personal data ------------------------------------------------------------------------

@pytest.mark.parametrize("period", ["2026-10", "2026-T4", "2026"])
def test_no_personal_value_of_the_known_people_leaves(known, tmp_path, period):
    source, dataset = known
    path = exported(source, dataset, period, tmp_path)
    assert leaks(path, personal_values()) == []
    assert dates_in(path) <= allowed_dates(period)


def test_the_leak_search_finds_what_is_there(known):
    # the same search on the source workbook finds every value typed there: the test above can fail
    source, _ = known
    typed = [p[k] for p in PEOPLE for k in ("id", "nom", "prenom", "telephone", "email", "siret", "commentaire")
             if p.get(k)]
    typed += [r["objet"] for r in RDV] + [COORDINATOR, "21/03/1979", "1992-11-05", REFERENTS[0]["entreprise"]]
    assert {value for value, _ in leaks(source, typed)} == set(typed)


def test_no_personal_value_of_a_2000_person_demo_leaves(tmp_path):
    source = tmp_path / "demo.xlsx"
    data = write_demo(source, people=410, years=5, seed=11, as_of=AS_OF)
    assert len(data.rows["porteurs"]) >= 2000
    dataset = api.check_file(source, AS_OF)
    path = write_export(dataset, parse_period("2026"), AS_OF, source, tmp_path / "export.xlsx", "9.9.9")
    long_values, short_values = set(), set()
    personal = {"porteurs": ("id", "nom", "prenom", "telephone", "email", "siret", "commentaire"),
                "rendez_vous": ("objet",), "ateliers": ("theme", "ids_participants"),
                "sensibilisation": ("structure", "commentaire"), "photolangage": ("capacites",),
                "referents": ("id", "nom", "prenom", "entreprise", "telephone", "email"), "suivi": ("commentaire",)}
    for key, columns in personal.items():
        for row in data.rows[key]:
            for column in columns:
                value = row.get(column)
                if isinstance(value, str) and value:
                    (long_values if len(value) >= 10 else short_values).add(value)
            if key == "porteurs":
                long_values.add(f"{row['prenom']} {row['nom']}")
                if isinstance(row["date_naissance"], date):
                    long_values |= {f"{row['date_naissance']:%d/%m/%Y}", row["date_naissance"].isoformat()}
    assert leaks(path, sorted(long_values)) == []
    # a short value (a first name, an ID) may be part of an ordinary word: it must not be a whole text
    texts = set(cell_texts(path))
    for part in zip_texts(path).values():
        texts |= {t.strip() for t in re.findall(r">([^<>]+)<", part)}
    assert short_values & texts == set()
    assert dates_in(path) <= allowed_dates("2026")


# --- what the file holds -----------------------------------------------------------------------

def test_only_values_and_nothing_borrowed(known, tmp_path):
    source, dataset = known
    path = exported(source, dataset, "2026-10", tmp_path)
    wb = load_workbook(path)
    assert wb.sheetnames == [*SHEETS, long_form.SHEET]
    assert all(ws.sheet_state == "visible" for ws in wb.worksheets)
    assert len(wb.defined_names) == 0 and all(len(ws.defined_names) == 0 for ws in wb.worksheets)
    assert wb.properties.creator == "citeslab-xl"
    assert wb.properties.lastModifiedBy is None
    for ws in wb.worksheets:
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell, MergedCell):
                    continue
                assert cell.data_type in ("n", "s"), (ws.title, cell.coordinate, cell.value)
                assert not cell.is_date, (ws.title, cell.coordinate)
                assert cell.hyperlink is None
                if isinstance(cell.value, str):
                    assert cell.data_type == "s"
    parts = zip_texts(path)
    assert not [name for name in parts if "externalLink" in name or "comments" in name or "vbaProject" in name]
    assert "<Company>" not in parts["docProps/app.xml"] and "definedName>" not in parts["xl/workbook.xml"]
    assert "docProps/custom.xml" not in parts
    assert not any("<f>" in text or "<f " in text for name, text in parts.items() if name.startswith("xl/worksheets"))


def test_text_that_looks_like_a_formula_stays_text(known, tmp_path):
    source, dataset = known
    path = exported(source, dataset, "2026-10", tmp_path)
    wb = load_workbook(path)
    cells = {cell.value: cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row
             if isinstance(cell.value, str)}
    assert cells[SITE].data_type == "s"
    assert all(cell.data_type == "s" for value, cell in cells.items() if value.startswith(("=", "+", "-", "@")))
    assert cells[ODD_PRESCRIPTEUR].data_type == "s"


def test_lisez_moi_says_what_the_file_is(known, tmp_path):
    source, dataset = known
    path = exported(source, dataset, "2026-10", tmp_path)
    text = "\n".join(cell_texts(path)[:60])
    import hashlib
    assert hashlib.sha256(source.read_bytes()).hexdigest() in text
    for expected in ("9.9.9", "26/11/2026", "Octobre 2026", "Seuil de secret statistique", "« < 5 »", "« masqué »",
                     f"{date.today():%d/%m/%Y}", "secret secondaire"):
        assert expected in text, expected


def test_small_counts_are_greyed(known, tmp_path):
    source, dataset = known
    wb = load_workbook(exported(source, dataset, "2026-10", tmp_path))
    marked = [cell for ws in wb.worksheets for row in ws.iter_rows(min_col=2) for cell in row
              if cell.value in ("< 5", "masqué")]
    assert marked
    assert all(cell.fill.fgColor.rgb.endswith(FLAG_FILL.fgColor.rgb[-6:]) for cell in marked)


def test_refuses_to_write_over_the_source(known):
    source, dataset = known
    before = source.read_bytes()
    with pytest.raises(WriteRefused):
        write_export(dataset, parse_period("2026-10"), AS_OF, source, source, "9.9.9")
    assert source.read_bytes() == before


def test_writes_a_new_file_only_in_an_existing_folder(known, tmp_path):
    source, dataset = known
    with pytest.raises(WriteRefused, match="n'existe pas"):
        write_export(dataset, parse_period("2026-10"), AS_OF, source, tmp_path / "absent" / "export.xlsx", "9.9.9")
    assert not (tmp_path / "absent").exists()
    taken = tmp_path / "export.xlsx"
    taken.write_bytes(b"autre chose")
    with pytest.raises(WriteRefused, match="existe déjà"):
        write_export(dataset, parse_period("2026-10"), AS_OF, source, taken, "9.9.9")
    assert taken.read_bytes() == b"autre chose"
    with pytest.raises(WriteRefused, match="xlsx"):
        write_export(dataset, parse_period("2026-10"), AS_OF, source, tmp_path / "export.csv", "9.9.9")


# --- the figures, suppressed -------------------------------------------------------------------

def porteur(i: int, quartier: str, day: date, sexe: str = "F", **extra) -> dict:
    return dict(_row=i + 2, id=f"P{i}", nom="N", prenom="P", sexe=sexe, quartier=quartier,
                date_premier_contact=day, consentement=True, **{"statut": "Accueil", **extra})


def table(layouts, sheet: str, title: str) -> Table:
    layout = next(layout for layout in layouts if layout.name == sheet)
    return next(b for b in layout.tables() if b.title and b.title.startswith(title))


def column_of(found: Table, label: str) -> list:
    return next(row[1:] for row in found.rows if row[0] == label)


def test_profil_hides_small_counts_and_their_complement_by_hand():
    october = date(2026, 10, 5)
    people = [porteur(i, "Planoise", october) for i in range(5)] + [porteur(5 + i, "Battant", october, "H")
                                                                     for i in range(2)]
    dataset = from_records({"porteurs": people})
    layouts = build_export(dataset, parse_period("2026-10"), AS_OF, "0" * 64, "1")
    quartiers = table(layouts, "Profil", "Par quartier")
    # Battant 2 is small; the total 7 would give it back from Planoise 5, so Planoise goes too; and since
    # « masqué » is at least 5, the total 7 would still leave Battant only 1 or 2: the total goes as well
    assert column_of(quartiers, "Battant") == ["< 5", "masqué"]
    assert column_of(quartiers, "Planoise") == ["masqué", "masqué"]
    assert column_of(quartiers, "Montrapon") == [0, "masqué"]  # a share of a hidden total
    assert column_of(quartiers, "dont quartiers prioritaires (QPV)") == ["masqué", "masqué"]
    assert column_of(quartiers, "Total") == ["masqué", None]
    sexes = table(layouts, "Profil", "Par sexe")
    assert column_of(sexes, "F") == ["masqué", "masqué"] and column_of(sexes, "H") == ["< 5", "masqué"]
    public = table(layouts, "Indicateurs", "Public")
    assert column_of(public, "Part de femmes")[0] == "masqué"
    activity = table(layouts, "Indicateurs", "Activité")
    assert column_of(activity, "Nouveaux porteurs")[0] == "masqué"
    # 7 accompagnés would cap them at 7 and give Battant back as 1 or 2 (tests/test_audit.py)
    assert column_of(activity, "Personnes accompagnées")[0] == "masqué"


def test_a_breakdown_with_unknown_values_shows_them_so_that_it_adds_up():
    october = date(2026, 10, 5)
    people = [porteur(i, "Planoise", october, situation="Salarié") for i in range(12)]
    people += [porteur(12 + i, "Planoise", october) for i in range(6)]  # no Situation
    dataset = from_records({"porteurs": people})
    situations = table(build_export(dataset, parse_period("2026-10"), AS_OF, "0" * 64, "1"), "Profil", "Par situation")
    assert column_of(situations, "Salarié") == [12, 12 / 18]
    assert column_of(situations, "Non renseigné") == [6, 6 / 18]
    assert column_of(situations, "Total") == [18, None]


def test_a_subtotal_cannot_give_away_the_cells_outside_it():
    october = date(2026, 10, 12)
    quartiers = ["Planoise"] * 6 + ["Orchamps-Palente"] * 2 + ["Clairs-Soleils", "Battant", "Hors QPV"]
    people = [porteur(i, q, date(2026, 3, 2), statut="Créé", date_creation=october) for i, q in enumerate(quartiers)]
    dataset = from_records({"porteurs": people})
    found = table(build_export(dataset, parse_period("2026-10"), AS_OF, "0" * 64, "1"), "Créations", "Par quartier")
    # total 11 minus « dont QPV » 10 would give Hors QPV = 1: the subtotal is hidden too. Then Planoise 6 and
    # three « < 5 » make the subtotal 9 to 18, so Hors QPV = 11 − subtotal would be 1 or 2: Planoise goes,
    # and the total with it (11 = « masqué » + four « < 5 » still caps Hors QPV at 3)
    assert column_of(found, "Hors QPV") == ["< 5"]
    assert column_of(found, "dont quartiers prioritaires (QPV)") == ["masqué"]
    assert column_of(found, "Planoise") == ["masqué"]
    assert column_of(found, "Total") == ["masqué"]


def test_threshold_comes_from_parametres():
    october = date(2026, 10, 5)
    people = [porteur(i, "Planoise", october) for i in range(4)] + [porteur(9, "Montrapon", october)]
    people += [porteur(10 + i, "Battant", october) for i in range(2)]
    dataset = from_records({"porteurs": people}, Settings(seuil_secret=3))
    layouts = build_export(dataset, parse_period("2026-10"), AS_OF, "0" * 64, "1")
    quartiers = table(layouts, "Profil", "Par quartier")
    assert column_of(quartiers, "Planoise")[0] == 4
    assert column_of(quartiers, "Battant")[0] == "< 3"
    assert column_of(quartiers, "Montrapon")[0] == "< 3"
    readme = next(layout for layout in layouts if layout.name == "Lisez-moi")
    assert any(getattr(b, "text", "").startswith("« < 3 »") for b in readme.blocks)


def test_mensuel_months_add_up_to_the_period_of_indicateurs(tmp_path):
    source = tmp_path / "demo.xlsx"
    write_demo(source, people=150, years=2, seed=3, as_of=AS_OF)
    dataset = api.check_file(source, AS_OF)
    quarter = parse_period("2026-T3")
    months = monthly.monthly_activity(dataset, periods.months_between(quarter.debut, quarter.fin), AS_OF)
    k = indicators.compute(dataset, quarter, AS_OF)
    for key in ("nouveaux_porteurs", "rdv", "creations", "orientations_total", "ateliers_participants",
                "sensibilisation_personnes"):
        assert sum(int(m[key]) for m in months) == k.scalar(key), key
    layouts = build_export(dataset, quarter, AS_OF, "0" * 64, "1")
    mensuel = next(layout for layout in layouts if layout.name == "Mensuel")
    assert [row[0] for row in mensuel.tables()[0].rows] == ["Juillet 2026", "Août 2026", "Septembre 2026"]


def test_financement_shows_years_never_posts(known):
    _, dataset = known
    layouts = build_export(dataset, parse_period("2026-10"), AS_OF, "0" * 64, "1")
    found = table(layouts, "Financement", "Par année")
    assert found.rows[0][:7] == ["2026", 1.0, Decimal("54321.09"), Decimal("0"), Decimal("43456.87"),
                                 Decimal("10864.22"), Decimal("0")]
    assert "Poste" not in found.headers


# --- LibreOffice -----------------------------------------------------------------------------

@requires_soffice
def test_libreoffice_opens_and_prints_the_export(tmp_path):
    source = tmp_path / "suivi.xlsx"
    write_demo(source, people=400, years=3, seed=7, as_of=AS_OF)
    dataset = api.check_file(source, AS_OF)
    path = write_export(dataset, parse_period("2026-10"), AS_OF, source, tmp_path / "export.xlsx", "9.9.9")
    pdf = to_pdf(path, tmp_path)
    text = pdf_text(pdf)
    for title in ("Chiffres CitésLab pour l'agglomération", "Indicateurs — octobre 2026", "Activité mensuelle",
                  "Profil des nouveaux porteurs", "Créations d'entreprise", "Financement du poste"):
        assert title in text, title
    png = first_page_png(pdf, tmp_path / "page1.png")
    assert png.stat().st_size > 10_000


# --- partial periods and running cohorts (indicators.md › Comparisons and partial periods) -------

def test_a_period_not_over_is_compared_with_the_same_days_a_year_earlier():
    days = [date(2025, 6, 1), date(2025, 12, 15), date(2026, 6, 1), date(2026, 12, 1)]
    people = [porteur(10 * k + i, "Planoise", day) for k, day in enumerate(days) for i in range(5)]
    dataset = from_records({"porteurs": people})
    december_1st = date(2026, 12, 1)
    year = table(build_export(dataset, parse_period("2026"), december_1st, "0" * 64, "1"), "Indicateurs", "Activité")
    # 11 months against 11 months: 15 December 2025 is not in 1 January–1 December 2025
    assert year.headers == ["Indicateur", "Année 2026, au 01/12", "Année 2025, au 01/12"]
    # the same days of 2025 cut December: derived from 2025's pattern (January to November shown, 5; and
    # 1 December, 0, leaves the whole of December 2025 to the rest of the month, 5: neither is small, even by
    # difference with a file cut at another day), so they are shown
    assert column_of(year, "Nouveaux porteurs") == [10, 5]
    month = table(build_export(dataset, parse_period("2026-12"), december_1st, "0" * 64, "1"), "Indicateurs",
                  "Activité")
    # one day of December against the same day of December 2025, not the whole month
    assert month.headers == ["Indicateur", "Décembre 2026, au 01/12", "Décembre 2025, au 01/12",
                             "Cumul 2026 au 01/12", "Cumul 2025 au 01/12"]
    assert column_of(month, "Nouveaux porteurs") == [5, 0, 10, 5]
    closed = table(build_export(dataset, parse_period("2025-12"), december_1st, "0" * 64, "1"), "Indicateurs",
                   "Activité")
    assert closed.headers == ["Indicateur", "Décembre 2025", "Décembre 2024", "Cumul 2025 au 31/12",
                              "Cumul 2024 au 31/12"]


def test_a_running_cohort_is_not_held_against_the_objective():
    people = [porteur(i, "Planoise", date(2024, 3, 1), statut="Créé", date_creation=date(2025, 1, 1))
              for i in range(6)] + [porteur(10 + i, "Planoise", date(2023, 3, 1)) for i in range(6)]
    dataset = from_records({"porteurs": people})
    cohorts = table(build_export(dataset, parse_period("2024"), date(2026, 11, 26), "0" * 64, "1"), "Indicateurs",
                    "Taux de création")
    # cohort 2023 closed on 31/12/2025; cohort 2024 runs until 31/12/2026
    assert column_of(cohorts, "2023") == [6, 0, 0.0, 0.4]
    assert column_of(cohorts, "2024") == [6, 6, 1.0, "en cours"]


# --- the long form, made to be stacked ---------------------------------------------------------

def test_the_long_form_is_a_valid_data_package_that_says_what_the_sheets_say(known, tmp_path):
    from frictionless import Package

    source, dataset = known
    path = exported(source, dataset, "2026-10", tmp_path)
    csv_path, package_path = long_form_paths(path)
    report = Package(str(package_path)).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    assert {r["schema_version"] for r in rows} == {long_form.SCHEMA_VERSION}
    assert {r["threshold"] for r in rows} == {"5"}
    assert {r["source_sha256"] for r in rows} == {sha256_of(source)}
    assert {r["site"] for r in rows} == {"'" + SITE}  # a formula-looking text stays text in a spreadsheet
    october = {(r["indicator"], r["breakdown"], r["category"]): r for r in rows
               if (r["period_start"], r["period_end"]) == ("2026-10-01", "2026-10-31")}
    activity = table(build_export(dataset, parse_period("2026-10"), AS_OF, "0" * 64, "1"), "Indicateurs", "Activité")
    new = column_of(activity, "Nouveaux porteurs")[0]
    assert october[("nouveaux_porteurs", "", "")]["shown"] == str(new)
    hidden = [r for r in rows if r["shown"] in ("< 5", "masqué")]
    assert hidden and all(r["value"] == "" for r in hidden)
    sheet_rows = list(load_workbook(path)[long_form.SHEET].iter_rows(values_only=True))
    assert len([r for r in sheet_rows if r and r[0] == long_form.SCHEMA_VERSION]) == len(rows)


def test_an_export_refuses_when_its_csv_exists_and_writes_nothing(known, tmp_path):
    source, dataset = known
    (tmp_path / "export-2026-10.csv").write_text("déjà là", encoding="utf-8")
    with pytest.raises(WriteRefused):
        exported(source, dataset, "2026-10", tmp_path)
    assert not (tmp_path / "export-2026-10.xlsx").exists()
