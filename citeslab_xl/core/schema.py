"""The workbook contract (shared/spec/workbook.md) as data.

Every other module asks this one what a sheet, a column or a list is called,
so a header renamed in the contract is renamed in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from citeslab_xl.core.text import fold


class Kind(StrEnum):
    TEXT = "text"
    INT = "int"
    DECIMAL = "decimal"
    DATE = "date"
    OUINON = "oui/non"
    LIST = "list"
    PERCENT = "percent"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: Kind
    required: bool = False
    list_name: str | None = None
    synonyms: tuple[str, ...] = ()
    width: int = 14

    def names(self) -> set[str]:
        return {fold(self.header), fold(self.key)} | {fold(s) for s in self.synonyms}


@dataclass(frozen=True)
class Sheet:
    key: str
    name: str
    columns: tuple[Column, ...]
    optional: bool = True
    synonyms: tuple[str, ...] = ()
    description: str = ""

    def names(self) -> set[str]:
        return {fold(self.name), fold(self.key)} | {fold(s) for s in self.synonyms}

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


def col(key, header, kind, required=False, list_name=None, synonyms=(), width=14):
    return Column(key, header, Kind(kind), required, list_name, tuple(synonyms), width)


# Lists shipped in Paramètres; the coordinator may extend them there.
DEFAULT_LISTS: dict[str, tuple[str, ...]] = {
    "Sexe": ("F", "H"),
    "Situation": ("Demandeur d'emploi", "Bénéficiaire RSA", "Salarié", "Étudiant", "Sans activité", "Autre"),
    "Niveau de formation": ("Sans diplôme", "CAP-BEP", "Bac", "Bac+2", "Bac+3 et plus"),
    "Prescripteur": (
        "Bouche à oreille", "France Travail", "Mission locale", "Maison de quartier",
        "Réseau partenaire", "Réseaux sociaux", "Autre",
    ),
    "Secteur": (
        "Commerce", "Services aux personnes", "Services aux entreprises", "BTP",
        "Restauration-Hôtellerie", "Artisanat", "Transport-Logistique", "Numérique",
        "Agriculture", "Autre",
    ),
    "Statut": ("Accueil", "Émergence", "Orienté", "En création", "Créé", "Abandon"),
    "Partenaire": ("Adie", "BGE", "France Active", "Initiative France", "CCI", "CMA", "Autre"),
    "Forme juridique": ("Micro-entreprise", "EI", "EURL", "SASU", "SARL", "SAS", "SCOP", "Association", "Autre"),
    "Type de rendez-vous": ("Premier accueil", "Entretien", "Suivi post-création"),
    "Modalité": ("Face-à-face", "Téléphone", "Visio"),
    "Type d'atelier": ("Photolangage", "Information collective", "Formation jeunes (France Active)", "Autre"),
    "Type de lieu": ("Établissement scolaire", "Centre de formation", "Maison de quartier", "Forum-salon", "Autre"),
}

# Besançon's six QPV of 2024 (décret 2023-1314): name, official code, QPV, QPV since, QPV until.
# Battant and Hauts de Saint-Claude entered the list on 1 January 2024.
QPV_2024 = date(2024, 1, 1)
DEFAULT_QUARTIERS: tuple[tuple[str, str, bool, date | None, date | None], ...] = (
    ("Orchamps-Palente", "QN02502M", True, None, None),
    ("Planoise", "QN02503M", True, None, None),
    ("Montrapon", "QN02504M", True, None, None),
    ("Clairs-Soleils", "QN02505M", True, None, None),
    ("Hauts de Saint-Claude", "QN02515N", True, QPV_2024, None),
    ("Battant", "QN02517N", True, QPV_2024, None),
    ("Hors QPV", "", False, None, None),
)
QUARTIER_HEADERS = ("Code QPV", "QPV", "QPV depuis", "QPV jusqu'au")  # the columns right of the names
DEFAULT_CHARGES: tuple[tuple[str, float], ...] = (("Chargée de mission 1", 1.0),)

QUARTIERS = "Quartiers"
CHARGES = "Chargés de mission"

DEFAULT_SETTINGS: dict[str, object] = {
    "Nom du site": "CitésLab Grand Besançon",
    "Objectif annuel accompagnés": 400,
    "Objectif taux de création": 0.40,
    "Capacité file active par ETP": 120,
    "Seuil de secret statistique": 5,
    "Durée de conservation (années)": 3,
}

DEFAULT_FUNDERS = ("Caisse des Dépôts", "Agglomération", "Région")

PORTEURS = Sheet(
    "porteurs", "Porteurs", optional=False,
    synonyms=("Porteur", "Porteurs de projet", "Personnes"),
    description="Une ligne par personne accueillie ou accompagnée.",
    columns=(
        col("id", "ID", "text", True, synonyms=("Identifiant", "N°", "No", "Numéro", "ID porteur"), width=10),
        col("nom", "Nom", "text", True, synonyms=("Nom de famille",), width=18),
        col("prenom", "Prénom", "text", True, width=16),
        col("sexe", "Sexe", "list", list_name="Sexe", synonyms=("Genre",), width=8),
        col("date_naissance", "Date de naissance", "date", synonyms=("Né le", "Naissance", "Date naissance"), width=13),
        col("quartier", "Quartier", "list", True, list_name=QUARTIERS, synonyms=("QPV",), width=20),
        col("situation", "Situation", "list", list_name="Situation", synonyms=("Situation professionnelle",), width=20),
        col("niveau", "Niveau de formation", "list", list_name="Niveau de formation",
            synonyms=("Niveau", "Diplôme"), width=16),
        col("prescripteur", "Prescripteur", "list", list_name="Prescripteur",
            synonyms=("Orienté par", "Origine"), width=18),
        col("date_premier_contact", "Date premier contact", "date", True,
            synonyms=("Date 1er contact", "Date de premier contact", "Premier contact", "Date d'accueil"), width=13),
        col("charge", "Chargé de mission", "list", list_name=CHARGES,
            synonyms=("Chargée de mission", "Conseiller"), width=18),
        col("secteur", "Secteur", "list", list_name="Secteur", synonyms=("Secteur d'activité",), width=20),
        col("statut", "Statut", "list", True, list_name="Statut", synonyms=("Étape", "Etat"), width=13),
        col("partenaire", "Partenaire d'orientation", "list", list_name="Partenaire",
            synonyms=("Partenaire", "Orienté vers", "Orientation"), width=16),
        col("date_orientation", "Date d'orientation", "date", width=13),
        col("date_creation", "Date de création", "date", synonyms=("Date creation entreprise",), width=13),
        col("forme", "Forme juridique", "list", list_name="Forme juridique", synonyms=("Statut juridique",), width=16),
        col("siret", "SIRET", "text", synonyms=("N° SIRET", "Numéro SIRET"), width=17),
        col("date_cessation", "Date de cessation", "date", synonyms=("Date cessation", "Date de fermeture"), width=13),
        col("telephone", "Téléphone", "text", synonyms=("Tél", "Tel", "Portable", "Mobile"), width=15),
        col("email", "Email", "text", synonyms=("Mail", "E-mail", "Courriel", "Adresse mail"), width=26),
        col("consentement", "Consentement RGPD", "oui/non", True, synonyms=("RGPD", "Consentement"), width=12),
        col("commentaire", "Commentaire", "text", synonyms=("Commentaires", "Remarques", "Notes"), width=30),
    ),
)

RENDEZ_VOUS = Sheet(
    "rendez_vous", "Rendez-vous", optional=True,
    synonyms=("RDV", "Rendez vous", "Rendezvous", "Entretiens"),
    description="Une ligne par rendez-vous avec un porteur.",
    columns=(
        col("date", "Date", "date", True, synonyms=("Date du rendez-vous", "Date RDV"), width=13),
        col("id_porteur", "ID porteur", "text", True, synonyms=("ID", "Porteur", "Identifiant porteur"), width=11),
        col("type", "Type", "list", True, list_name="Type de rendez-vous",
            synonyms=("Type de rendez-vous", "Type RDV"), width=18),
        col("modalite", "Modalité", "list", list_name="Modalité", width=13),
        col("duree", "Durée (min)", "int", synonyms=("Durée", "Durée en minutes", "Minutes"), width=11),
        col("charge", "Chargé de mission", "list", list_name=CHARGES, synonyms=("Chargée de mission",), width=18),
        col("objet", "Objet", "text", synonyms=("Sujet",), width=30),
    ),
)

ATELIERS = Sheet(
    "ateliers", "Ateliers", synonyms=("Atelier", "Ateliers collectifs"),
    description="Une ligne par atelier collectif.",
    columns=(
        col("date", "Date", "date", True, width=13),
        col("type", "Type", "list", True, list_name="Type d'atelier", synonyms=("Type d'atelier",), width=24),
        col("theme", "Thème", "text", width=24),
        col("participants", "Participants", "int", True,
            synonyms=("Nombre de participants", "Nb participants"), width=12),
        col("ids_participants", "IDs participants", "text",
            synonyms=("ID participants", "Participants (ID)"), width=24),
        col("partenaire", "Partenaire", "list", list_name="Partenaire", width=16),
    ),
)

PHOTOLANGAGE = Sheet(
    "photolangage", "Photolangage",
    description="Facultatif : une ligne par participant d'un atelier photolangage.",
    columns=(
        col("date", "Date", "date", True, width=13),
        col("id_porteur", "ID porteur", "text", True, synonyms=("ID", "Porteur"), width=11),
        col("images", "Images", "text", True, synonyms=("Images choisies", "N° images"), width=16),
        col("capacites", "Capacités relevées", "text", synonyms=("Capacités",), width=40),
    ),
)

SENSIBILISATION = Sheet(
    "sensibilisation", "Sensibilisation", synonyms=("Sensibilisations", "Actions de sensibilisation"),
    description="Une ligne par action de sensibilisation (écoles, maisons de quartier, forums).",
    columns=(
        col("date", "Date", "date", True, width=13),
        col("type_lieu", "Type de lieu", "list", True, list_name="Type de lieu", synonyms=("Lieu",), width=22),
        col("structure", "Structure", "text", True, synonyms=("Établissement",), width=24),
        col("personnes", "Personnes touchées", "int", True,
            synonyms=("Participants", "Public touché", "Nb personnes"), width=12),
        col("commentaire", "Commentaire", "text", width=30),
    ),
)

REFERENTS = Sheet(
    "referents", "Référents", synonyms=("Referent", "Référents de parcours", "Parrains"),
    description="Chefs d'entreprise qui acceptent d'être contactés par les porteurs.",
    columns=(
        col("id", "ID", "text", True, synonyms=("Identifiant", "N°"), width=10),
        col("nom", "Nom", "text", True, width=18),
        col("prenom", "Prénom", "text", True, width=16),
        col("entreprise", "Entreprise", "text", True, synonyms=("Société",), width=22),
        col("secteur", "Secteur", "list", True, list_name="Secteur", width=20),
        col("telephone", "Téléphone", "text", synonyms=("Tél", "Tel"), width=15),
        col("email", "Email", "text", synonyms=("Mail", "E-mail", "Courriel"), width=26),
        col("accord", "Accord de contact", "oui/non", True, synonyms=("Accord",), width=12),
        col("date_accord", "Date de l'accord", "date", synonyms=("Date accord",), width=13),
        col("actif", "Actif", "oui/non", True, width=8),
    ),
)

SUIVI = Sheet(
    "suivi", "Suivi", synonyms=("Suivis", "Suivi post-création", "Suivi des entreprises"),
    description="Suivi des entreprises créées pendant trois ans.",
    columns=(
        col("id_porteur", "ID porteur", "text", True, synonyms=("ID", "Porteur"), width=11),
        col("date", "Date", "date", True, width=13),
        col("active", "Entreprise active", "oui/non", True, synonyms=("Active", "En activité"), width=12),
        col("emplois", "Emplois", "int", synonyms=("Nombre d'emplois", "Salariés"), width=10),
        col("ca", "Chiffre d'affaires", "decimal", synonyms=("CA",), width=16),
        col("commentaire", "Commentaire", "text", width=30),
    ),
)

# Funder share columns are dynamic: any header "<funder> (%)" is one.
FINANCEMENT = Sheet(
    "financement", "Financement", synonyms=("Financements", "Budget"),
    description="Une ligne par année et par poste : coût et parts des financeurs (en %).",
    columns=(
        col("annee", "Année", "int", True, synonyms=("Annee", "Exercice"), width=8),
        col("poste", "Poste", "text", True, width=10),
        col("etp", "ETP", "decimal", True, width=8),
        col("cout", "Coût total", "decimal", True, synonyms=("Coût", "Cout"), width=14),
    ),
)

PARAMETRES_NAME = "Paramètres"
PARAMETRES_SYNONYMS = ("Parametres", "Paramètre", "Réglages", "Settings")

DATA_SHEETS: tuple[Sheet, ...] = (
    PORTEURS, RENDEZ_VOUS, ATELIERS, PHOTOLANGAGE, SENSIBILISATION, REFERENTS, SUIVI, FINANCEMENT,
)
SHEETS_BY_KEY = {s.key: s for s in DATA_SHEETS}

FUNDER_SUFFIX = "(%)"


def funder_header(funder: str) -> str:
    return f"{funder} {FUNDER_SUFFIX}"


SHARE_PREFIX = "part:"


def share_column(funder: str) -> str:
    """The key of a funder's share column in the Financement table (`part:Agglomération`)."""
    return f"{SHARE_PREFIX}{funder}"


@dataclass
class Quartier:
    """A quartier of Paramètres: a QPV between `since` and `until` (both included; None: no bound)."""

    name: str
    code: str = ""
    qpv: bool = True
    since: date | None = None
    until: date | None = None
    # Where Paramètres has it (Excel row, the name's column; None for the defaults) and what it could not read:
    # the (columns right of the name, cell) of a date. The cells, not the quartier: equality leaves them out.
    row: int | None = field(default=None, compare=False)
    column: int | None = field(default=None, compare=False)
    unreadable: tuple[tuple[int, object], ...] = field(default=(), compare=False)

    def qpv_on(self, day: date) -> bool:
        return self.qpv and (self.since is None or self.since <= day) and (self.until is None or day <= self.until)

    @property
    def qpv_key(self) -> str:
        """What tells one QPV from another: its code, else its name."""
        return self.code.strip().upper() or self.name


@dataclass
class Settings:
    """Paramètres, with the template's defaults wherever the sheet is silent."""

    nom_du_site: str = str(DEFAULT_SETTINGS["Nom du site"])
    objectif_accompagnes: int = 400
    objectif_taux_creation: float = 0.40
    capacite_par_etp: float = 120
    seuil_secret: int = 5
    duree_conservation: int = 3
    quartiers: list[Quartier] = field(
        default_factory=lambda: [Quartier(*q) for q in DEFAULT_QUARTIERS]
    )
    charges: list[tuple[str, float]] = field(default_factory=lambda: list(DEFAULT_CHARGES))
    lists: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_LISTS))
    sheet_names: dict[str, str] = field(default_factory=dict)
    parametres_sheet: str | None = field(default=None, compare=False)  # the sheet they were read from

    def values(self, list_name: str) -> tuple[str, ...]:
        if list_name == QUARTIERS:
            return tuple(q.name for q in self.quartiers)
        if list_name == CHARGES:
            return tuple(name for name, _ in self.charges)
        return self.lists.get(list_name, DEFAULT_LISTS.get(list_name, ()))

    def qpv_names(self, debut: date | None = None, fin: date | None = None) -> set[str]:
        """The quartiers that were a QPV on every day from `debut` to `fin` (without them: at some time).

        A breakdown by quartier cannot split one: over a period in which a quartier became a QPV (the
        geography changes on 1 January, so never within a calendar year), it is left out of the QPV.
        """
        return {q.name for q in self.quartiers if q.qpv
                and (debut is None or q.since is None or q.since <= debut)
                and (fin is None or q.until is None or fin <= q.until)}
