"""`doctor`: each situation made for real on a file, its French finding, and not one byte written.

Demo workbooks refreshed by the real `refresh` (the Journal, ownership records and `.bak` are the writer's
own), then spoiled as a coordinator's PC spoils them: Excel left open, an old copy put back, a column
deleted, a sheet of her own named like a generated one, a signature, a shared workbook, a file cut short.
"""

from __future__ import annotations

import os
import random
import shutil
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import CORPUS
from openpyxl import load_workbook

from citeslab_xl import api
from citeslab_xl.adapters.doctor import Finding, Severity, diagnose, needs_action
from citeslab_xl.adapters.files import workbook_lock
from citeslab_xl.core.errors import WriteRefused
from citeslab_xl.demo import write_demo

AS_OF = date(2026, 11, 26)
TODAY = date.today()  # the day of the phone call, and of the refresh the Journal records


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    """A demo as written (`fresh.xlsx`), one refreshed once (`book.xlsx` + `book.bak.xlsx`), one with errors."""
    folder = tmp_path_factory.mktemp("doctor")
    write_demo(folder / "fresh.xlsx", people=30, years=1, as_of=AS_OF)
    shutil.copy2(folder / "fresh.xlsx", folder / "book.xlsx")
    api.refresh(folder / "book.xlsx", as_of=AS_OF)
    write_demo(folder / "wrong.xlsx", people=30, years=1, errors=0.2, seed=3, as_of=AS_OF)
    return folder


@pytest.fixture
def book(library: Path, tmp_path: Path) -> Path:
    """A refreshed workbook with its backup, in a folder of its own (times kept)."""
    for name in ("book.xlsx", "book.bak.xlsx"):
        shutil.copy2(library / name, tmp_path / name)
    return tmp_path / "book.xlsx"


def diagnosed(path: Path, today: date = TODAY) -> list[Finding]:
    """`diagnose`, checking it leaves the file byte-identical and its folder as it was."""
    def folder() -> dict:
        return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in path.parent.iterdir() if p.is_file()}
    before = folder()
    findings = diagnose(path, today=today)
    assert folder() == before, "doctor changed a file beside the workbook"
    assert findings and all(isinstance(f, Finding) and f.title for f in findings)
    return findings


def only(findings: list[Finding], code: str) -> Finding:
    found = [f for f in findings if f.code == code]
    assert len(found) == 1, [f.text() for f in findings]
    return found[0]


def codes(findings: list[Finding]) -> set[str]:
    return {f.code for f in findings}


def edited(library: Path, folder: Path, change) -> Path:
    """The fresh demo, changed by `change(workbook)` and saved by openpyxl in `folder`."""
    workbook = load_workbook(library / "fresh.xlsx")
    change(workbook)
    workbook.save(folder / "edite.xlsx")
    return folder / "edite.xlsx"


def _with_part(source: Path, target: Path, part: str, data: bytes) -> Path:
    """A copy of the package at `target` with `part` added or replaced."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            if info.filename != part:
                new.writestr(info, old.read(info))
        new.writestr(part, data)
    return target


def test_a_refreshed_workbook_needs_nothing_and_the_journal_speaks(book: Path):
    findings = diagnosed(book)
    assert not needs_action(findings), [f.text() for f in findings]
    assert findings[-1].code == "nothing-to-do" and findings[-1].text().startswith("Information : Rien à faire")
    last = only(findings, "last-run")
    assert "« Actualiser les synthèses »" in last.title and f"le {TODAY:%d/%m/%Y}" in last.title
    assert "aucune anomalie signalée" in last.title and "Synthèse 2026-11" in last.title
    assert "backup-newer" not in codes(findings)  # the writer's own backup, a little newer, is expected
    assert "generated-name" not in codes(findings)  # the tool's own sheets, by its ownership records


def test_the_writers_own_backup_is_not_a_restore_even_when_much_newer(book: Path):
    backup = book.with_name("book.bak.xlsx")
    later = book.stat().st_mtime + 3600
    os.utime(backup, (later, later))
    assert "backup-newer" not in codes(diagnosed(book))


@pytest.mark.parametrize(("lock", "program"), [("~$book.xlsx", "Excel"), (".~lock.book.xlsx#", "LibreOffice")])
def test_excel_has_it_open(book: Path, lock: str, program: str):
    (book.parent / lock).write_bytes(b"\x0bcoordinatrice")
    findings = diagnosed(book)
    found = only(findings, f"open-in-{program.lower()}")
    assert found.severity is Severity.TODO and needs_action(findings)
    assert f"« book.xlsx » est ouvert dans {program}" in found.title and f"« {lock} »" in found.title
    assert found.action.startswith(f"Fermez-le dans {program}")
    with pytest.raises(WriteRefused, match=f"ouvert dans {program}"):  # what doctor announces, refresh does
        api.refresh(book, as_of=AS_OF)


def test_a_newer_backup_that_is_not_the_replaced_version(book: Path, library: Path):
    stray = book.with_name("book.bak1.xlsx")
    shutil.copy(library / "wrong.xlsx", stray)
    later = book.stat().st_mtime + 7200
    os.utime(stray, (later, later))
    findings = diagnosed(book)
    found = only(findings, "backup-newer")
    assert needs_action(findings)
    assert "La sauvegarde « book.bak1.xlsx »" in found.title and "plus récente que le classeur" in found.title
    assert "remplacez-le par une copie de « book.bak1.xlsx »" in found.action
    earlier = book.stat().st_mtime - 86400
    os.utime(stray, (earlier, earlier))  # an older stray copy is no matter
    assert "backup-newer" not in codes(diagnosed(book))


def test_a_truncated_workbook_points_to_its_intact_backup(book: Path):
    data = book.read_bytes()
    book.write_bytes(data[: len(data) // 2])
    # a newer backup that opens as a zip but does not read through is not offered
    broken_backup = _with_part(book.with_name("book.bak.xlsx"), book.with_name("book.bak1.xlsx"),
                               "xl/workbook.xml", b"<workbook")
    later = book.stat().st_mtime + 60
    os.utime(broken_backup, (later, later))
    findings = diagnosed(book)
    broken = only(findings, "unreadable")
    assert "book.xlsx : fichier incomplet ou endommagé" in broken.title
    restore = only(findings, "restore-backup")
    assert "« book.bak.xlsx »" in restore.title and "Remplacez « book.xlsx » par une copie" in restore.action


def test_through_a_link_the_backups_beside_the_real_file_are_found(book: Path, tmp_path: Path):
    # the writer keeps its backups beside the file a link points to (commit.commit): doctor looks there too
    elsewhere = tmp_path / "raccourcis"
    elsewhere.mkdir()
    link = elsewhere / "book.xlsx"
    link.symlink_to(book)
    data = book.read_bytes()
    book.write_bytes(data[: len(data) // 2])
    restore = only(diagnosed(link), "restore-backup")
    assert "« book.bak.xlsx »" in restore.title


def test_a_data_sheet_lacks_a_required_column(library: Path, tmp_path: Path):
    sheet = load_workbook(library / "fresh.xlsx")["Porteurs"]
    header = next(cell for row in sheet.iter_rows(max_row=20) for cell in row if cell.value == "Quartier")
    path = edited(library, tmp_path, lambda workbook: workbook["Porteurs"].delete_cols(header.column))
    findings = diagnosed(path)
    found = only(findings, "missing-column")
    assert "data-errors" not in codes(findings)  # said once, with what to do
    assert found.title.startswith("La feuille « Porteurs » n'a pas la colonne obligatoire « Quartier »")
    assert f"dans la ligne d'en-tête (ligne {header.row})" in found.action


def test_a_user_sheet_with_a_generated_name(library: Path, tmp_path: Path):
    path = edited(library, tmp_path, lambda workbook: workbook.create_sheet("Synthèse 2026-10"))
    found = only(diagnosed(path), "generated-name")
    assert "La feuille « Synthèse 2026-10 » porte un nom de feuille générée" in found.title
    assert "l'outil la prend pour la synthèse de ce mois et ne fait pas la sienne" in found.title
    assert "Renommez-la" in found.action
    with pytest.raises(WriteRefused, match="Synthèse 2026-10"):  # the refusal doctor announces
        api.refresh(path, as_of=AS_OF, rebuild=True)


def test_a_user_sheet_named_like_a_sheet_of_every_run(library: Path, tmp_path: Path):
    path = edited(library, tmp_path, lambda workbook: workbook.create_sheet("Anomalies"))
    found = only(diagnosed(path), "generated-name")
    assert found.title.endswith("l'actualisation refusera de la remplacer et n'écrira rien.")
    with pytest.raises(WriteRefused, match="Anomalies"):
        api.refresh(path, as_of=AS_OF)


def test_a_signed_workbook(book: Path):
    signed = _with_part(book, book.with_name("signe.xlsx"), "_xmlsignatures/origin.sigs", b"")
    found = only(diagnosed(signed), "signed")
    assert found.title.startswith("Le classeur est signé numériquement : l'outil refuse de l'actualiser")
    assert "copie sans signature" in found.action


def test_a_legacy_shared_workbook(book: Path):
    headers = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               b'<headers xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>')
    shared = _with_part(book, book.with_name("partage.xlsx"), "xl/revisions/revisionHeaders.xml", headers)
    found = only(diagnosed(shared), "shared")
    assert "Le classeur est partagé" in found.title and "Révision › Partager le classeur" in found.action


def test_a_protected_structure(library: Path, tmp_path: Path):
    path = edited(library, tmp_path, lambda workbook: setattr(workbook.security, "lockStructure", True))
    assert "Retirez la protection" in only(diagnosed(path), "structure-locked").action


def test_data_errors_are_counted_and_the_first_shown(library: Path, tmp_path: Path):
    path = tmp_path / "wrong.xlsx"
    shutil.copy2(library / "wrong.xlsx", path)
    errors = api.check_file(path, TODAY).errors
    assert len(errors) > 3
    found = only(diagnosed(path), "data-errors")
    assert found.title.startswith(f"{len(errors)} erreurs dans les données : ")
    first = f"{errors[0].feuille} {errors[0].cellule} : {errors[0].message.rstrip('.')}"
    assert first in found.title and f"(et {len(errors) - 3} autres)" in found.title
    assert f"« citeslab-xl check {path} »" in found.action  # the path as given, ready to paste


def test_a_run_in_progress_and_its_lock_file_afterwards(book: Path):
    with workbook_lock(book):
        found = only(diagnosed(book), "run-in-progress")
    assert "Une exécution de l'outil est en cours sur « book.xlsx »" in found.title
    assert "run-in-progress" not in codes(diagnosed(book))  # the lock file stays; nobody holds it


def test_an_interrupted_write_leaves_a_temporary_file(book: Path):
    (book.parent / ".book.xlsx.k3j9x.citeslab-tmp").write_bytes(b"PK")
    findings = diagnosed(book)
    found = only(findings, "interrupted-run")
    assert found.severity is Severity.INFO and "« .book.xlsx.k3j9x.citeslab-tmp »" in found.title


def test_a_run_long_ago(book: Path):
    found = only(diagnosed(book, today=TODAY + timedelta(days=62)), "stale-run")
    assert "C'était il y a 62 jours" in found.title and "tâche planifiée" in found.action


def test_a_workbook_never_refreshed(library: Path, tmp_path: Path):
    path = tmp_path / "fresh.xlsx"
    shutil.copy2(library / "fresh.xlsx", path)
    findings = diagnosed(path)
    assert codes(findings) == {"no-journal", "nothing-to-do"} and not needs_action(findings)


@pytest.mark.parametrize(("name", "says"), [
    ("any_sheets.ods", "classeur OpenDocument (.ods)"),
    ("any_sheets.xls", "classeur au format .xls"),
    ("any_sheets.xlsb", "classeur binaire .xlsb"),
    ("pass_protected.xlsx", "classeur protégé par mot de passe"),
])
def test_a_file_the_tool_cannot_read(name: str, says: str, tmp_path: Path):
    path = tmp_path / name
    shutil.copy2(CORPUS / name, path)
    findings = diagnosed(path)
    found = only(findings, "unreadable")
    assert needs_action(findings) and found.title.startswith("Le classeur ne peut pas être utilisé par l'outil")
    assert f"{name} : {says}" in found.title


def test_a_workbook_without_porteurs(tmp_path: Path):
    path = tmp_path / "autre.xlsx"
    shutil.copy2(CORPUS / "charts.xlsx", path)
    assert "Paramètres › Feuille Porteurs" in only(diagnosed(path), "no-porteurs").action


@pytest.mark.parametrize("content", [b"", b"not a workbook at all", b"PK\x03\x04" + bytes(300),
                                     b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100)])
def test_never_raises_on_garbage(content: bytes, tmp_path: Path):
    path = tmp_path / "classeur.xlsx"
    path.write_bytes(content)
    findings = diagnosed(path)
    assert needs_action(findings) and "unreadable" in codes(findings)


def test_damaged_packages_get_an_answer_not_a_crash(book: Path):
    """Truncations and bit flips (in the data, and in the zip directory at the end): a French answer each time."""
    data = book.read_bytes()
    rnd = random.Random(10)
    for attempt in range(60):
        spoiled = bytearray(data[: rnd.randrange(len(data))] if attempt % 3 == 0 else data)
        for _ in range(0 if attempt % 3 == 0 else rnd.randrange(1, 6)):
            at = rnd.randrange(len(spoiled)) if attempt % 3 == 1 else rnd.randrange(len(spoiled) - 3000, len(spoiled))
            spoiled[at] ^= 1 << rnd.randrange(8)
        book.write_bytes(bytes(spoiled))
        findings = diagnosed(book)
        assert "doctor-failed" not in codes(findings), [f.text() for f in findings]
        if "unreadable" in codes(findings):
            assert "restore-backup" in codes(findings)  # the refresh's backup is intact beside it


def test_a_missing_file_or_a_folder(tmp_path: Path):
    assert "fichier introuvable" in only(diagnose(tmp_path / "absent.xlsx"), "unreadable").title
    assert "ce n'est pas un fichier" in only(diagnose(tmp_path), "unreadable").title


def test_a_journal_reworked_by_hand(book: Path):
    workbook = load_workbook(book)
    header = next(cell for row in workbook["Journal"].iter_rows(max_row=10) for cell in row
                  if cell.value == "Date et heure")
    header.value = "Quand"
    workbook.save(book)
    found = only(diagnosed(book), "writer-refuses")
    assert found.title.startswith("L'outil refusera d'actualiser ce classeur. La feuille « Journal » ne contient "
                                  "plus son en-tête « Date et heure »")
    assert "Rien n'a été écrit" not in found.title  # nothing is being written: doctor only looks
    with pytest.raises(WriteRefused, match="Journal"):
        api.refresh(book, as_of=AS_OF)


def test_the_command_prints_the_findings_and_exits_1_when_something_needs_doing(book: Path):
    from conftest import run_cli

    (book.parent / f"~${book.name}").write_bytes(b"")
    result = run_cli("doctor", book)
    assert result.exit_code == 1
    assert "À faire" in result.stdout and "Excel" in result.stdout
    (book.parent / f"~${book.name}").unlink()
    assert run_cli("doctor", book).exit_code == 0
