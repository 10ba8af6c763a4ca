"""The demo site's words and numbers: its calendar, the shares of its outcomes, the weights of its lists, and
the small identifiers (SIRET, telephone, e-mail) drawn from them (see `generator`).
"""

from __future__ import annotations

import random
import re
import unicodedata
from datetime import date

EARLIEST = date(2005, 1, 1)
# The site's conseillères today (Paramètres › Chargés de mission, with their ETP), in the order their posts
# opened: the first with the site, the others at the rentrée (1 September) of each of LATER_POSTS_YEARS
# before the as-of year; Besançon has three now.
CHARGES = (("Nadia Benali", 1.0), ("Claire Jacquot", 1.0), ("Inès Martins", 0.8))
LATER_POSTS_YEARS = (2, 1)
RENTREE = 9
# A full year of one ETP in 2005, its growth a year, the jitter of a year and the bounds of a year's cost.
POST_COST_2005, POST_COST_GROWTH, POST_COST_JITTER = 45000, 450, 800
POST_COST_RANGE = (45000.0, 55000.0)
REFERENTS_COUNT = 30
# How far a year's number of new porteurs may stray from the objective.
YEARLY_SPREAD = 0.03

# Outcomes. Each cohort (year of first contact) creates about its share.
CREATION_SHARE = 0.40
CREATION_SPREAD = 0.02
CREATOR_ORIENTATION_SHARE = 0.35
# Of those who create nothing; the others leave their project dormant.
ORIENTED_SHARE = 0.35
ABANDON_SHARE = 0.20
# A file left open with nobody seen for CLOSING_DAYS after the last entretien: the coordinator relaunches it
# and closes a share of them as Abandon (more of the dormant ones than of those a partner took over).
CLOSING_DAYS = (90, 240)
CLOSED_DORMANT_SHARE = 0.8
CLOSED_ORIENTED_SHARE = 0.4

# The journey with the CitésLab, in days after the first contact: the last
# entretien comes within JOURNEY_DAYS, an orientation within ORIENTATION_DAYS,
# a giving up within ABANDON_DAYS. Short journeys are what keeps the people
# accompanied in a year close to its new porteurs.
JOURNEY_DAYS = 150
ORIENTATION_DAYS = 90
ABANDON_DAYS = 90
# Businesses are followed through the Suivi sheet (calls and visits, not
# rendez-vous); few come back for a rendez-vous.
POST_CREATION_SHARE = 0.06
PREMIER_ACCUEIL_MINUTES = (45, 60, 60, 75, 90)
ENTRETIEN_MINUTES = (30, 45, 45, 60, 60, 75, 90)
SUIVI_MINUTES = (30, 45, 60)

# New porteurs by month of first contact: the summer break, the autumn rush.
MONTH_WEIGHTS = {1: 1.05, 2: 1.0, 3: 1.1, 4: 1.0, 5: 0.95, 6: 1.0,
                 7: 0.8, 8: 0.35, 9: 1.2, 10: 1.15, 11: 1.1, 12: 0.95}
LATE_DECEMBER_DAY = 20
LATE_DECEMBER_WEIGHT = 0.25

QUARTIER_WEIGHTS = {
    "Planoise": 34, "Orchamps-Palente": 12, "Montrapon": 10, "Clairs-Soleils": 8,
    "Battant": 7, "Hauts de Saint-Claude": 5, "Hors QPV": 24,
}
SITUATION_WEIGHTS = {"Demandeur d'emploi": 45, "Bénéficiaire RSA": 20, "Salarié": 15,
                     "Étudiant": 5, "Sans activité": 10, "Autre": 5}
NIVEAU_WEIGHTS = {"Sans diplôme": 22, "CAP-BEP": 25, "Bac": 25, "Bac+2": 15, "Bac+3 et plus": 13}
PRESCRIPTEUR_WEIGHTS = {"Bouche à oreille": 25, "France Travail": 25, "Mission locale": 12,
                        "Maison de quartier": 15, "Réseau partenaire": 10, "Réseaux sociaux": 10, "Autre": 3}
SECTEUR_WEIGHTS = {"Commerce": 22, "Services aux personnes": 18, "Services aux entreprises": 10, "BTP": 10,
                   "Restauration-Hôtellerie": 14, "Artisanat": 8, "Transport-Logistique": 8, "Numérique": 6,
                   "Agriculture": 1, "Autre": 3}
PARTENAIRE_WEIGHTS = {"Adie": 25, "BGE": 25, "France Active": 18, "Initiative France": 15,
                      "CCI": 6, "CMA": 8, "Autre": 3}
FORME_WEIGHTS = {"Micro-entreprise": 55, "EI": 8, "EURL": 5, "SASU": 13, "SARL": 6, "SAS": 5,
                 "SCOP": 1, "Association": 5, "Autre": 2}
MODALITE_WEIGHTS = {"Face-à-face": 68, "Téléphone": 20, "Visio": 8, None: 4}

PROJETS = {
    "Commerce": ("une épicerie de quartier", "une boutique de prêt-à-porter", "la vente sur les marchés",
                 "une boutique en ligne de cosmétiques"),
    "Services aux personnes": ("un salon de coiffure", "un institut de beauté", "l'aide à domicile",
                               "la garde d'enfants", "le soutien scolaire"),
    "Services aux entreprises": ("le nettoyage de bureaux", "le secrétariat indépendant", "la comptabilité"),
    "BTP": ("la plomberie", "la peinture en bâtiment", "l'électricité", "la rénovation intérieure"),
    "Restauration-Hôtellerie": ("un food truck", "un snack", "la pâtisserie orientale", "un traiteur"),
    "Artisanat": ("la couture et la retouche", "la menuiserie", "la bijouterie fantaisie"),
    "Transport-Logistique": ("un VTC", "la livraison à vélo", "le déménagement"),
    "Numérique": ("la création de sites web", "la réparation de téléphones", "le community management"),
    "Agriculture": ("le maraîchage bio", "l'apiculture"),
    "Autre": ("un projet associatif", "l'organisation d'événements"),
}
ENSEIGNES = {
    "Commerce": ("Épicerie", "Boutique", "Librairie"),
    "Services aux personnes": ("Coiffure", "Institut", "Domicile Services"),
    "Services aux entreprises": ("Cabinet", "Conseil"),
    "BTP": ("Rénovation", "Plomberie", "Électricité"),
    "Restauration-Hôtellerie": ("Restaurant", "Traiteur", "Boulangerie"),
    "Artisanat": ("Atelier", "Menuiserie"),
    "Transport-Logistique": ("Transports", "Taxi"),
    "Numérique": ("Studio", "Informatique"),
    "Agriculture": ("Ferme", "Jardins"),
    "Autre": ("Association", "Événements"),
}
OBJETS_ENTRETIEN = (
    "Définition du projet", "Étude de marché", "Prévisionnel financier", "Choix du statut juridique",
    "Recherche de financement", "Préparation du rendez-vous bancaire", "Point d'étape",
    "Préparation de l'orientation", "Démarches d'immatriculation",
)
OBJETS_SUIVI = ("Point sur le démarrage", "Point sur la trésorerie", "Développement commercial",
                "Premier bilan", "Recrutement")
THEMES_INFORMATION = (
    "Créer son entreprise : les premières étapes", "Le statut de micro-entrepreneur",
    "Financer son projet", "Trouver ses premiers clients", "Les aides à la création",
)
CAPACITES = ("Persévérance", "Créativité", "Écoute", "Organisation", "Confiance en soi", "Sens du contact",
             "Autonomie", "Adaptabilité", "Curiosité", "Rigueur", "Prise d'initiative", "Communication")
PHOTOLANGAGE_IMAGES = 60

LIEUX = {
    "Établissement scolaire": ("Lycée Louis Pasteur", "Lycée Jules Haag", "Lycée Tristan Bernard",
                               "Lycée Victor Hugo", "Collège Diderot", "Collège Voltaire", "Collège Proudhon"),
    "Centre de formation": ("AFPA Besançon", "CFA de la CMA", "GRETA Doubs Centre", "École de la 2e chance"),
    "Maison de quartier": ("Maison de quartier de Planoise", "Maison de quartier de Montrapon",
                           "Maison de quartier des Clairs-Soleils", "Maison de quartier de Palente",
                           "Maison de quartier de Battant", "Maison de quartier de Saint-Claude"),
    "Forum-salon": ("Forum de l'emploi de Planoise", "Salon des entrepreneurs de Franche-Comté",
                    "Forum des métiers"),
    "Autre": ("Centre social", "Médiathèque Nelson Mandela"),
}
LIEU_WEIGHTS = {"Établissement scolaire": 40, "Centre de formation": 15, "Maison de quartier": 30,
                "Forum-salon": 10, "Autre": 5}
LIEU_PERSONNES = {"Établissement scolaire": (20, 90), "Centre de formation": (10, 40),
                  "Maison de quartier": (8, 35), "Forum-salon": (50, 400), "Autre": (10, 60)}
EMAIL_DOMAINS = ("orange.fr", "gmail.com", "laposte.net", "free.fr", "sfr.fr", "hotmail.fr", "yahoo.fr")
LA_POSTE_SIREN = "356000000"


# --- small identifiers ------------------------------------------------------------

def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _luhn_complete(prefix: str) -> str:
    """`prefix` followed by the one digit that makes it pass the Luhn check."""
    return next(prefix + d for d in "0123456789" if luhn_valid(prefix + d))


def make_siret(rng: random.Random) -> str:
    while True:
        siren = _luhn_complete(str(rng.randint(1, 9)) + "".join(rng.choices("0123456789", k=7)))
        if siren != LA_POSTE_SIREN:
            break
    return _luhn_complete(siren + "000" + str(rng.randint(1, 3)))


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def make_phone(rng: random.Random, mobile: bool = True) -> str:
    prefix = rng.choice(("06", "07")) + f"{rng.randint(0, 99):02d}" if mobile else "0381"  # 03 81: Besançon
    digits = prefix + f"{rng.randint(0, 999999):06d}"
    style = rng.random()
    if style < 0.75:
        return " ".join(digits[i:i + 2] for i in range(0, 10, 2))
    if style < 0.85:
        return digits
    return "+33 " + digits[1] + " " + " ".join(digits[i:i + 2] for i in range(2, 10, 2))


def make_email(rng: random.Random, prenom: str, nom: str) -> str:
    local = f"{slug(prenom)}.{slug(nom)}"
    if rng.random() < 0.3:
        local += str(rng.randint(1, 99))
    return f"{local}@{rng.choice(EMAIL_DOMAINS)}"
