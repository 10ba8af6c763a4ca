"""The demo workbook: realistic, deterministic, clean unless asked, and spoiled where it says."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest

from citeslab_xl.core import funding, indicators, periods, schedule, schema
from citeslab_xl.core.dataset import from_records
from citeslab_xl.core.periods import shift_years
from citeslab_xl.demo import Spoiled, generate, staff, write_demo
from citeslab_xl.demo import vocabulary as site
from citeslab_xl.doors.api import check_file

AS_OF = date(2025, 6, 30)
EARLIEST = date(2005, 1, 1)
MISTAKE_CODES = {
    "date-invalid", "date-future", "list-unknown", "siret-invalid", "phone-invalid", "email-invalid",
    "id-unknown", "number-range", "ouinon-invalid", "date-order", "images-count", "id-duplicate",
}
PHONE = re.compile(r"^(0[1-9]( ?\d\d){4}|\+33 [1-9]( \d\d){4})$")
EMAIL = re.compile(r"^[a-z0-9.-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$")


@pytest.fixture(scope="module")
def six_years():
    return generate(400, 6, seed=1, as_of=AS_OF)


@pytest.fixture(scope="module")
def six_years_spoiled():
    return generate(400, 6, seed=1, errors=0.05, as_of=AS_OF)


def luhn(digits: str) -> bool:
    checksum = 0
    for position, char in enumerate(reversed(digits)):
        doubled = int(char) * 2 if position % 2 else int(char)
        checksum += doubled // 10 + doubled % 10
    return checksum % 10 == 0


def age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def allowed(list_name: str) -> set:
    if list_name == schema.QUARTIERS:
        return {q[0] for q in schema.DEFAULT_QUARTIERS}
    if list_name == schema.CHARGES:
        return {c[0] for c in site.CHARGES}  # the demo's own Paramètres
    return set(schema.DEFAULT_LISTS[list_name])


def list_breaches(rows: dict[str, list[dict]]) -> list[str]:
    breaches = []
    for sheet in schema.DATA_SHEETS:
        for column in sheet.columns:
            if column.list_name is None:
                continue
            for i, row in enumerate(rows[sheet.key]):
                if row[column.key] is not None and row[column.key] not in allowed(column.list_name):
                    breaches.append(f"{sheet.name} {i + 2} {column.header}: {row[column.key]!r}")
            if column.required:
                breaches += [f"{sheet.name} {i + 2} {column.header} vide"
                             for i, row in enumerate(rows[sheet.key]) if row[column.key] is None]
    return breaches


def porteur_breaches(porteurs: list[dict], as_of: date) -> list[str]:
    breaches = []
    ids = Counter(p["id"] for p in porteurs)
    breaches += [f"ID en double {i}" for i, n in ids.items() if n > 1]
    for p in porteurs:
        where = p["id"]
        first, orientation, creation, cessation = (
            p["date_premier_contact"], p["date_orientation"], p["date_creation"], p["date_cessation"])
        if not all(p[k] for k in ("nom", "prenom", "quartier")) or p["consentement"] is None:
            breaches.append(f"{where}: champ obligatoire vide")
        if not EARLIEST <= first <= as_of:
            breaches.append(f"{where}: premier contact {first}")
        for later in (orientation, creation):
            if later is not None and not first <= later <= as_of:
                breaches.append(f"{where}: date {later} hors de [premier contact, date de référence]")
        if cessation is not None and not (creation and creation <= cessation <= as_of):
            breaches.append(f"{where}: cessation {cessation}")
        if (p["statut"] == "Orienté" and not p["partenaire"]) or (p["partenaire"] and not orientation):
            breaches.append(f"{where}: orientation incomplète")
        if (p["statut"] == "Créé") != (creation is not None):
            breaches.append(f"{where}: statut {p['statut']} et date de création {creation}")
        if creation is not None and not 59 <= (creation - first).days <= 18 * 31:
            breaches.append(f"{where}: création {(creation - first).days} jours après le premier contact")
        if not 18 <= age(p["date_naissance"], first) <= 64:
            breaches.append(f"{where}: âge {age(p['date_naissance'], first)}")
        siret = p["siret"]
        if (siret is not None) != (creation is not None) or (siret and not (len(siret) == 14 and luhn(siret))):
            breaches.append(f"{where}: SIRET {siret}")
        if p["consentement"] is False and (p["telephone"] or p["email"]):
            breaches.append(f"{where}: coordonnées sans consentement")
        if p["telephone"] and not PHONE.match(p["telephone"]):
            breaches.append(f"{where}: téléphone {p['telephone']}")
        if p["email"] and not EMAIL.match(p["email"]):
            breaches.append(f"{where}: email {p['email']}")
    return breaches


def activity_breaches(rows: dict[str, list[dict]], as_of: date) -> list[str]:
    porteurs = {p["id"]: p for p in rows["porteurs"]}
    breaches = []
    for r in rows["rendez_vous"]:
        p = porteurs.get(r["id_porteur"])
        if p is None or not EARLIEST <= r["date"] <= as_of + timedelta(days=30) or not 30 <= r["duree"] <= 120:
            breaches.append(f"rendez-vous {r}")
        elif r["type"] == "Suivi post-création" and not (
                p["date_creation"] and p["date_creation"] <= r["date"] <= as_of):
            breaches.append(f"suivi post-création hors création {r}")
    firsts = {r["id_porteur"]: r["date"] for r in rows["rendez_vous"] if r["type"] == "Premier accueil"}
    if firsts != {i: p["date_premier_contact"] for i, p in porteurs.items()}:
        breaches.append("un premier accueil par porteur, le jour du premier contact")
    photolangage_days = {}
    for a in rows["ateliers"]:
        ids = a["ids_participants"].split(";") if a["ids_participants"] else []
        if not (EARLIEST <= a["date"] <= as_of and 0 <= a["participants"] <= 100 and len(ids) <= a["participants"]):
            breaches.append(f"atelier {a}")
        breaches += [f"atelier: ID inconnu {i}" for i in ids if i not in porteurs]
        if a["type"] == "Photolangage":
            photolangage_days[a["date"]] = set(ids)
    for r in rows["photolangage"]:
        images = r["images"].split(";")
        if r["id_porteur"] not in photolangage_days.get(r["date"], ()) or len(set(images)) != 4:
            breaches.append(f"photolangage {r}")
    for s in rows["sensibilisation"]:
        if not (EARLIEST <= s["date"] <= as_of and 0 <= s["personnes"] <= 2000 and s["structure"]):
            breaches.append(f"sensibilisation {s}")
    for s in rows["suivi"]:
        p = porteurs.get(s["id_porteur"])
        if p is None or p["statut"] != "Créé" or not p["date_creation"] <= s["date"] <= as_of:
            breaches.append(f"suivi {s}")
        elif s["active"] == bool(p["date_cessation"] and p["date_cessation"] <= s["date"]):
            breaches.append(f"suivi: activité incohérente avec la cessation {s}")
        elif not 0 <= s["emplois"] <= 5:
            breaches.append(f"suivi: emplois {s}")
    return breaches


def referent_and_funding_breaches(rows: dict[str, list[dict]], as_of: date) -> list[str]:
    breaches = []
    referents = rows["referents"]
    if len({r["id"] for r in referents}) != len(referents) or not 20 <= len(referents) <= 40:
        breaches.append("référents : identifiants ou nombre")
    for r in referents:
        if not (r["telephone"] or r["email"]) or (r["accord"] and not EARLIEST <= r["date_accord"] <= as_of):
            breaches.append(f"référent {r}")
    breaches += funding_breaches(rows, as_of)
    return breaches


def funding_breaches(rows: dict[str, list[dict]], as_of: date) -> list[str]:
    """One row a year for each post from the year it opened; a year's cost within the range, pro rata of the
    part of its first year the post was open (the first post opens on the first porteur's first contact)."""
    breaches = []
    first = min(p["date_premier_contact"] for p in rows["porteurs"])
    opened = {post.poste: post for post in staff.posts(first, as_of)}
    by_post: dict[str, list[int]] = {}
    for f in rows["financement"]:
        by_post.setdefault(f["poste"], []).append(f["annee"])
    if {poste: years for poste, years in by_post.items()} != {
            poste: list(range(post.opened.year, as_of.year + 1)) for poste, post in opened.items()}:
        breaches.append(f"financement : une ligne par année et par poste depuis son ouverture {by_post}")
    for f in rows["financement"]:
        post = opened[f["poste"]]
        shares = {k: v for k, v in f.items() if k.startswith("part:") and v is not None}
        expected = ({"part:Caisse des Dépôts": 100} if f["annee"] < 2008
                    else {"part:Agglomération": 80, "part:Région": 20})
        part = Decimal(str(post.etp)) * Decimal(float(staff.share_of_year(post, f["annee"])))
        low, high = (Decimal(bound) * part for bound in (45000, 55000))
        if shares != expected or f["etp"] != Decimal(str(post.etp)) or not low - 1 <= f["cout"] <= high + 1:
            breaches.append(f"financement {f}")
        if f["cout"] != f["cout"].quantize(Decimal("0.01")):
            breaches.append(f"financement : coût au centime {f['cout']}")
    return breaches


def test_same_seed_gives_the_same_workbook_and_another_seed_another():
    first = generate(60, 2, seed=7, errors=0.05, as_of=AS_OF)
    again = generate(60, 2, seed=7, errors=0.05, as_of=AS_OF)
    other = generate(60, 2, seed=8, errors=0.05, as_of=AS_OF)
    assert first.rows == again.rows and first.spoiled == again.spoiled
    assert first.rows["porteurs"] != other.rows["porteurs"]


def test_about_the_yearly_objective_of_new_porteurs(six_years):
    per_year = Counter(p["date_premier_contact"].year for p in six_years.rows["porteurs"])
    for year in range(2020, 2025):  # the full calendar years of the six
        assert 340 <= per_year[year] <= 460, (year, per_year[year])


def test_fewer_first_contacts_in_august_and_in_late_december(six_years):
    firsts = [p["date_premier_contact"] for p in six_years.rows["porteurs"]]
    by_month = Counter(d.month for d in firsts)
    assert by_month[8] < 0.6 * by_month[9]
    early = sum(1 for d in firsts if d.month == 12 and d.day < 20) / 19
    late = sum(1 for d in firsts if d.month == 12 and d.day >= 20) / 12
    assert late < 0.6 * early
    assert all(d.weekday() < 5 for d in firsts)


def test_creation_share_of_each_complete_cohort_is_about_40_percent(six_years):
    cohorts = Counter()
    created = Counter()
    for p in six_years.rows["porteurs"]:
        year = p["date_premier_contact"].year
        cohorts[year] += 1
        created[year] += p["date_creation"] is not None
    # complete: the cohort started in January and had 18 months after 31 December to create
    complete = [y for y in sorted(cohorts) if y > AS_OF.year - 6 and date(y + 2, 6, 30) <= AS_OF]
    assert complete == [2020, 2021, 2022, 2023]
    for year in complete:
        assert 0.33 <= created[year] / cohorts[year] <= 0.47, (year, created[year] / cohorts[year])


def test_about_80_percent_of_businesses_survive_three_years(six_years):
    eligible = [p for p in six_years.rows["porteurs"]
                if p["date_creation"] and p["date_creation"] <= shift_years(AS_OF, -3)]
    alive = [p for p in eligible
             if p["date_cessation"] is None or p["date_cessation"] > shift_years(p["date_creation"], 3)]
    assert len(eligible) > 200
    assert 0.7 <= len(alive) / len(eligible) <= 0.9


def test_the_public_is_mostly_from_the_qpv_and_mixed(six_years):
    porteurs = six_years.rows["porteurs"]
    assert sum(p["quartier"] != "Hors QPV" for p in porteurs) / len(porteurs) > 0.6
    assert 0.35 <= sum(p["sexe"] == "F" for p in porteurs) / len(porteurs) <= 0.6
    assert Counter(p["statut"] for p in porteurs).keys() >= {"Créé", "Orienté", "Abandon", "Émergence"}


def test_a_clean_demo_keeps_every_rule_of_the_contract(six_years):
    rows = six_years.rows
    assert list_breaches(rows) == []
    assert porteur_breaches(rows["porteurs"], AS_OF) == []
    assert activity_breaches(rows, AS_OF) == []
    assert referent_and_funding_breaches(rows, AS_OF) == []
    assert rows["photolangage"] and rows["suivi"] and rows["sensibilisation"]


def test_funding_before_2008_is_the_caisse_des_depots_alone():
    rows = generate(20, 20, seed=4, as_of=date(2026, 3, 1)).rows
    assert rows["financement"][0]["annee"] == 2006
    assert referent_and_funding_breaches(rows, date(2026, 3, 1)) == []


def test_spoiled_rows_differ_from_the_clean_ones_by_the_spoiled_cell_only(six_years, six_years_spoiled):
    spoiled = six_years_spoiled.spoiled
    assert len(spoiled) == round(0.05 * six_years.row_count)
    assert len({(s.sheet, s.row) for s in spoiled}) == len(spoiled)
    assert {s.code for s in spoiled} == MISTAKE_CODES
    by_cell = {(s.sheet, s.row): s for s in spoiled}
    for sheet in schema.DATA_SHEETS:
        headers = {c.header: c.key for c in sheet.columns}
        clean_rows, dirty_rows = six_years.rows[sheet.key], six_years_spoiled.rows[sheet.key]
        assert len(clean_rows) == len(dirty_rows)
        for index, (clean, dirty) in enumerate(zip(clean_rows, dirty_rows, strict=True)):
            mistake: Spoiled | None = by_cell.get((sheet.name, index + 2))
            changed = {k for k in clean if clean[k] != dirty[k]}
            assert changed == ({headers[mistake.column]} if mistake else set()), (sheet.name, index + 2)


def test_mistakes_are_of_the_kind_announced(six_years_spoiled):
    rows = six_years_spoiled.rows
    ids = [p["id"] for p in rows["porteurs"]]
    for s in six_years_spoiled.spoiled:
        sheet = next(sh for sh in schema.DATA_SHEETS if sh.name == s.sheet)
        row = rows[sheet.key][s.row - 2]
        if s.code == "date-future":
            assert s.value > AS_OF
        elif s.code == "date-order":
            assert s.value < row["date_premier_contact"]
        elif s.code == "siret-invalid":
            assert len(s.value) == 14 and s.value.isdigit() and not luhn(s.value)
        elif s.code == "id-duplicate":
            assert ids.index(s.value) < s.row - 2
        elif s.code == "images-count":
            assert len(s.value.split(";")) == 3
        elif s.code == "list-unknown":
            column = next(c for c in sheet.columns if c.header == s.column)
            assert s.value not in allowed(column.list_name)


def test_a_rate_outside_zero_and_one_is_refused():
    with pytest.raises(ValueError, match="taux d'erreurs"):
        generate(10, 1, errors=1.5, as_of=AS_OF)


def test_the_validator_flags_every_spoiled_cell(tmp_path):
    data = write_demo(tmp_path / "demo.xlsx", people=400, years=2, seed=3, errors=0.05, as_of=AS_OF)
    assert data.row_count >= 2000
    found = {(a.feuille, a.ligne, a.colonne, a.code) for a in check_file(tmp_path / "demo.xlsx", AS_OF).anomalies}
    missed = [s for s in data.spoiled if (s.sheet, s.row, s.column, s.code) not in found]
    assert missed == []


def test_a_clean_demo_workbook_has_no_error(tmp_path):
    data = write_demo(tmp_path / "demo.xlsx", people=250, years=5, seed=5, as_of=AS_OF)
    assert data.spoiled == []
    assert check_file(tmp_path / "demo.xlsx", AS_OF).errors == []


def test_a_steady_year_of_the_demo_gives_a_sites_figures(tmp_path):
    as_of = date(2026, 11, 26)
    write_demo(tmp_path / "demo.xlsx", people=400, years=6, seed=2, as_of=as_of)
    dataset = check_file(tmp_path / "demo.xlsx", as_of)
    figures = indicators.compute(dataset, periods.year(2025), as_of)
    assert 360 <= figures.nouveaux_porteurs <= 440
    # Journeys are short and few businesses come back for a rendez-vous: few people carry over.
    assert 400 <= figures.accompagnes <= 470
    # Today's file active is 110 to 160 people; a past year's counts fewer, since the files closed as Abandon
    # after it no longer count (indicators.md: the Statut is today's).
    assert 110 <= indicators.file_active(dataset, periods.year(2026), as_of) <= 160
    assert 80 <= figures.file_active <= 160
    assert 1000 <= figures.rdv <= 1400
    assert 100 <= sum(figures.orientations.values()) <= 180
    assert sum(n > 0 for n in figures.orientations.values()) >= 5
    # cohorts that have had their 18 months after 31 December to create
    for year in range(2021, 2025):
        cohort = indicators.taux_creation(dataset, periods.year(year), as_of)[str(year)]
        assert cohort.taux is not None and 0.35 <= cohort.taux <= 0.45, (year, cohort)
    three_years = figures.perennite["3"]
    assert three_years.eligibles > 200 and three_years.taux is not None and 0.72 <= three_years.taux <= 0.88
    states = Counter(m.etat for m in schedule.schedule(dataset, as_of))
    assert states[schedule.FAIT] >= 0.85 * (states[schedule.FAIT] + states[schedule.EN_RETARD])


# --- a demo that looks like a site (issue 11) ------------------------------------------------

@pytest.fixture(scope="module")
def three_years():
    """The default demo: three years as of 26 November 2026, opened on 26 November 2023."""
    return generate(400, 3, seed=0, as_of=date(2026, 11, 26))


def dataset_of(data):
    records = {key: [{"_row": i + 2, **row} for i, row in enumerate(rows)] for key, rows in data.rows.items()}
    return from_records(records, schema.Settings(charges=list(data.charges)))


def test_the_first_year_costs_only_its_days_of_activity(three_years):
    as_of = date(2026, 11, 26)
    rows = three_years.rows["financement"]
    first = min(p["date_premier_contact"] for p in three_years.rows["porteurs"])
    assert (rows[0]["annee"], rows[0]["poste"]) == (first.year, "Poste 1")
    days = (date(first.year, 12, 31) - first).days + 1
    assert rows[0]["cout"] <= Decimal(55000) * days / 365 + 1  # a few weeks, not a whole year
    years = {y.annee: y for y in funding.funding_years(dataset_of(three_years), as_of)}
    # per person accompanied, the first weeks cost what a whole year of one post does
    one_post_year = years[first.year + 1]
    assert years[first.year].cout_par_accompagne < Decimal("1.3") * one_post_year.cout_par_accompagne


def test_three_conseilleres_whose_posts_opened_in_turn(three_years, tmp_path):
    as_of = date(2026, 11, 26)
    rows = three_years.rows
    opened = {post.charge: post.opened for post in staff.posts(rows["porteurs"][0]["date_premier_contact"], as_of)}
    assert list(opened.values()) == [date(2023, 11, 28), date(2024, 9, 1), date(2025, 9, 1)]
    charge_of = {p["id"]: p["charge"] for p in rows["porteurs"]}
    for p in rows["porteurs"]:
        assert opened[p["charge"]] <= p["date_premier_contact"], p
    assert all(r["charge"] == charge_of[r["id_porteur"]] for r in rows["rendez_vous"])
    assert Counter(p["charge"] for p in rows["porteurs"] if p["date_premier_contact"].year == 2026).keys() == set(
        opened)
    postes = Counter(f["poste"] for f in rows["financement"])
    assert postes == {"Poste 1": 4, "Poste 2": 3, "Poste 3": 2}
    write_demo(tmp_path / "demo.xlsx", people=400, years=3, seed=0, as_of=as_of)
    dataset = check_file(tmp_path / "demo.xlsx", as_of)
    assert dataset.settings.charges == [("Nadia Benali", 1.0), ("Claire Jacquot", 1.0), ("Inès Martins", 0.8)]
    assert indicators.etp(dataset, periods.year(2026), as_of) == 2.8
    assert dataset.anomalies == [] or all(not a.is_error for a in dataset.anomalies)


def test_files_left_dormant_are_mostly_closed_as_abandon(three_years):
    as_of = date(2026, 11, 26)
    last_seen: dict[str, date] = {}
    for r in three_years.rows["rendez_vous"]:
        if r["date"] <= as_of:
            last_seen[r["id_porteur"]] = max(r["date"], last_seen.get(r["id_porteur"], r["date"]))
    people = three_years.rows["porteurs"]
    unseen_a_year = [p for p in people if p["date_creation"] is None and (as_of - last_seen[p["id"]]).days > 365]
    statuts = Counter(p["statut"] for p in unseen_a_year)
    assert statuts["Abandon"] > 0.6 * len(unseen_a_year), statuts
    # some are still open, for the coordinator to relaunch: not every file is tidied by the demo
    assert statuts["Émergence"] > 0 and statuts["Orienté"] > 0
    assert any(p["statut"] == "Abandon" and p["partenaire"] for p in people)  # oriented, then given up


def test_some_rendez_vous_are_planned_in_the_next_two_weeks(three_years):
    as_of = date(2026, 11, 26)
    planned = [r for r in three_years.rows["rendez_vous"] if r["date"] > as_of]
    assert sum(r["date"] <= as_of + timedelta(days=14) for r in planned) >= 5
    assert all(r["date"] <= as_of + timedelta(days=30) and r["date"].weekday() < 5 for r in planned)
