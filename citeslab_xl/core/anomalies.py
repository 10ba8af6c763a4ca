"""The taxonomy of problems found in a workbook.

One class per kind of problem, each with a stable code (what scripts and
tests rely on), a severity and a French message template that says what to
type instead. An `Anomaly` is one occurrence, with its position.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum

from citeslab_xl.core.text import column_letter


class Gravite(str, Enum):
    ERREUR = "Erreur"
    AVERTISSEMENT = "Avertissement"


@dataclass(frozen=True)
class Anomaly:
    code: str
    gravite: Gravite
    feuille: str
    ligne: int | None
    colonne: str | None
    cellule: str | None
    valeur: str | None
    message: str

    @property
    def is_error(self) -> bool:
        return self.gravite is Gravite.ERREUR

    def to_json(self) -> dict:
        data = asdict(self)
        data["gravite"] = self.gravite.value
        return data


class AnomalyKind:
    code: str
    gravite = Gravite.ERREUR
    template: str

    @classmethod
    def at(cls, feuille, ligne=None, colonne=None, col_index=None, valeur=None, **params) -> Anomaly:
        cellule = None
        if ligne is not None and col_index is not None:
            cellule = f"{column_letter(col_index)}{ligne}"
        shown = None if valeur is None else str(valeur)
        message = cls.template.format(valeur=shown, colonne=colonne, **params)
        return Anomaly(cls.code, cls.gravite, feuille, ligne, colonne, cellule, shown, message)


def _kind(code: str, template: str, gravite: Gravite = Gravite.ERREUR) -> type[AnomalyKind]:
    name = "".join(part.capitalize() for part in code.split("-"))
    return type(name, (AnomalyKind,), {"code": code, "template": template, "gravite": gravite})


RequiredMissing = _kind(
    "required-missing", "« {colonne} » est obligatoire : saisissez {hint}.")
ColumnMissing = _kind(
    "column-missing", "La colonne obligatoire « {colonne} » est absente : ajoutez-la dans la ligne d'en-tête.")
DateInvalid = _kind(
    "date-invalid", "« {valeur} » n'est pas une date : tapez une date comme 12/03/2025.")
DateFuture = _kind(
    "date-future", "La date {valeur} est postérieure au {limite} : corrigez-la (date passée attendue).")
DateTooEarly = _kind(
    "date-too-early", "La date {valeur} est antérieure au {limite} : vérifiez l'année.")
DateOrder = _kind(
    "date-order", "« {colonne} » ({valeur}) ne peut pas être avant « {autre} » ({autre_valeur}) : corrigez l'une des deux dates.")
NumberInvalid = _kind(
    "number-invalid", "« {valeur} » n'est pas un nombre : tapez {hint}.")
NumberRange = _kind(
    "number-range", "{valeur} est hors des limites de « {colonne} » : tapez une valeur entre {mini} et {maxi}.")
ListUnknown = _kind(
    "list-unknown", "« {valeur} » n'est pas dans la liste « {liste} » : choisissez {choix} (ou ajoutez la valeur dans Paramètres).")
OuiNonInvalid = _kind(
    "ouinon-invalid", "« {valeur} » n'est pas une réponse oui/non : tapez Oui ou Non.")
IdDuplicate = _kind(
    "id-duplicate", "L'identifiant « {valeur} » est déjà utilisé ligne {premiere} : donnez un identifiant unique.")
IdUnknown = _kind(
    "id-unknown", "L'identifiant « {valeur} » n'existe pas dans la feuille Porteurs : tapez l'ID d'un porteur existant.")
SiretInvalid = _kind(
    "siret-invalid", "« {valeur} » n'est pas un SIRET valide : tapez les 14 chiffres figurant sur l'avis de situation INSEE.")
PhoneInvalid = _kind(
    "phone-invalid", "« {valeur} » n'est pas un numéro français : tapez 10 chiffres commençant par 0 (ex. 03 81 00 00 00) ou +33.")
EmailInvalid = _kind(
    "email-invalid", "« {valeur} » n'est pas une adresse e-mail : tapez une adresse comme prenom.nom@exemple.fr.")
StatusIncomplete = _kind(
    "status-incomplete", "Le statut « {statut} » demande « {colonne} » : renseignez-la ou changez le statut.")
AgeOutOfRange = _kind(
    "age-out-of-range", "Âge au premier contact de {age} ans : vérifiez la date de naissance (entre 15 et 90 ans attendu).")
ImagesCount = _kind(
    "images-count", "« {valeur} » : tapez exactement quatre numéros d'images séparés par « ; » (ex. 3;17;22;40).")
PhotolangageDateUnknown = _kind(
    "photolangage-date-unknown", "Aucun atelier Photolangage n'a lieu le {valeur} dans Ateliers : corrigez la date ou ajoutez l'atelier.")
ParticipantsOver = _kind(
    "participants-over", "{nombre} identifiants pour {valeur} participants : augmentez « Participants » ou retirez des identifiants.")
SuiviNotCreated = _kind(
    "suivi-not-created", "Le porteur « {valeur} » n'a pas le statut Créé : un suivi ne concerne qu'une entreprise créée.")
SharesOver100 = _kind(
    "shares-over-100", "Les parts des financeurs font {total} % : la somme doit rester inférieure ou égale à 100 %.")
FundingDuplicate = _kind(
    "funding-duplicate", "Le couple (Année, Poste) ({valeur}) figure déjà ligne {premiere} : une seule ligne par année et par poste.")
ReferentNoContact = _kind(
    "referent-no-contact", "Ce référent n'a ni téléphone ni e-mail : renseignez au moins l'un des deux.")
NoConsent = _kind(
    "rgpd-no-consent", "Coordonnées personnelles sans consentement RGPD : effacez-les ou recueillez le consentement (Oui).",
    Gravite.AVERTISSEMENT)
RetentionExpired = _kind(
    "retention-expired", "Dernier contact le {valeur} : la durée de conservation ({annees} ans) est dépassée ; anonymisez ou supprimez ce dossier.",
    Gravite.AVERTISSEMENT)
NoRendezVous = _kind(
    "porteur-no-rdv", "Aucun rendez-vous pour le porteur « {valeur} » : ajoutez le premier accueil dans Rendez-vous.",
    Gravite.AVERTISSEMENT)

ALL_KINDS: tuple[type[AnomalyKind], ...] = tuple(
    k for k in list(globals().values()) if isinstance(k, type) and issubclass(k, AnomalyKind) and k is not AnomalyKind
)
