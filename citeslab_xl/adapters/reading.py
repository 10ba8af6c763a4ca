"""Reading a workbook file into grids, fast and defensively.

Values come from python-calamine in bulk (an order of magnitude faster than
openpyxl on large sheets). Before any parser sees the file, its container is
checked so that a wrong format, a password-protected file, a truncated file or
a zip bomb ends in one French sentence rather than a traceback or a hang.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

import python_calamine

from citeslab_xl.core.errors import UnusableWorkbook
from citeslab_xl.core.grid import Grid, RawWorkbook, locate

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MAX_UNCOMPRESSED = 512 << 20  # 20 years of a site is ~40 MB of XML; past 512 MB it is a bomb, not a workbook
MAX_RATIO = 100
_DATE1904 = re.compile(rb"<(?:\w+:)?workbookPr\b[^>]*\bdate1904=\"(?:1|true)\"")

SAVE_AS = "ouvrez-le dans Excel et enregistrez-le au format « Classeur Excel (*.xlsx) »"


def _refuse(path: Path, why: str) -> UnusableWorkbook:
    return UnusableWorkbook(f"{path.name} : {why}")


def check_container(path: Path) -> None:
    """Refuse, with a French sentence, anything that is not a readable .xlsx/.xlsm."""
    if not path.exists():
        raise _refuse(path, "fichier introuvable ; vérifiez le chemin.")
    if not path.is_file():
        raise _refuse(path, "ce n'est pas un fichier ; indiquez un classeur .xlsx ou .xlsm.")
    with path.open("rb") as handle:
        head = handle.read(8)
    if not head:
        raise _refuse(path, "le fichier est vide ; indiquez un classeur .xlsx ou .xlsm enregistré par Excel.")
    if head == OLE_MAGIC:
        if _is_encrypted_package(path):
            raise _refuse(path, "classeur protégé par mot de passe ; ouvrez-le dans Excel, retirez le mot de passe "
                                "(Fichier › Informations › Protéger le classeur) et enregistrez-le, puis réessayez.")
        raise _refuse(path, f"classeur au format .xls (Excel 97-2003) ; {SAVE_AS}.")
    if not head.startswith(ZIP_MAGIC):
        raise _refuse(path, f"ce n'est pas un classeur Excel ; {SAVE_AS}.")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse(path, "fichier incomplet ou endommagé ; "
                            "reprenez une copie intacte (ou la sauvegarde .bak).") from None
    if "xl/workbook.bin" in names:
        raise _refuse(path, f"classeur binaire .xlsb ; {SAVE_AS}.")
    if "mimetype" in names or "content.xml" in names:
        raise _refuse(path, f"classeur OpenDocument (.ods) ; {SAVE_AS}.")
    if "xl/workbook.xml" not in names:
        raise _refuse(path, f"ce fichier zip n'est pas un classeur Excel ; {SAVE_AS}.")
    total = sum(i.file_size for i in infos)
    ratio = max((i.file_size / max(i.compress_size, 1) for i in infos), default=0)
    if total > MAX_UNCOMPRESSED or (ratio > MAX_RATIO and total > 50 << 20):
        raise _refuse(path, "contenu décompressé anormalement volumineux (archive piégée ?) ; le fichier n'est pas lu.")


def _is_encrypted_package(path: Path) -> bool:
    """An encrypted .xlsx is an OLE container holding an `EncryptedPackage` stream."""
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    return "EncryptedPackage".encode("utf-16-le") in head


def is_date1904(path: Path) -> bool:
    with zipfile.ZipFile(path) as archive:
        return bool(_DATE1904.search(archive.read("xl/workbook.xml")))


def read_grids(path: Path) -> dict[str, Grid]:
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        grids = {}
        for meta in book.sheets_metadata:
            sheet = book.get_sheet_by_name(meta.name)
            start = sheet.start or (0, 0)
            grids[meta.name] = Grid(meta.name, sheet.to_python(skip_empty_area=True), start[0] + 1, start[1] + 1)
        return grids
    except UnusableWorkbook:
        raise
    except Exception as exc:  # calamine raises several exception types for a broken package
        raise _refuse(path, f"le classeur ne peut pas être lu ({type(exc).__name__}) ; "
                            f"{SAVE_AS} puis réessayez.") from None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_workbook(path: str | Path) -> RawWorkbook:
    """Every data sheet of a workbook file, located; raises UnusableWorkbook."""
    path = Path(path)
    check_container(path)
    grids = read_grids(path)
    raw = locate(grids, is_date1904(path))
    if "porteurs" not in raw.tables:
        raise _refuse(path, "aucune feuille « Porteurs » ; ce n'est pas un classeur CitésLab "
                            "(créez-en un avec « citeslab-xl template » "
                            "ou indiquez la feuille dans Paramètres › Feuille Porteurs).")
    return raw
