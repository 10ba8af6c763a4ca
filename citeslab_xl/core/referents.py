"""Suggesting référents de parcours to the porteurs who are building a project.

Each porteur whose Statut is Émergence or En création and who has a Secteur
gets up to three référents of that Secteur who accept to be contacted
(Accord de contact = Oui) and are active (Actif = Oui). The load is shared:
porteurs are served in order of first contact (then ID), and each one gets the
référents suggested the fewest times so far, the référent ID breaking ties, so
the same workbook always gives the same suggestions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd

from citeslab_xl.core.dataset import Dataset

STATUTS = ("Émergence", "En création")
PER_PORTEUR = 3


@dataclass(frozen=True)
class Suggestion:
    id_porteur: str
    secteur: str
    id_referents: tuple[str, ...]  # empty when no référent of the sector is available


def _available_referents(dataset: Dataset) -> dict[str, list[str]]:
    """Référent IDs per Secteur, in ID order."""
    table = dataset.referents
    ok = table[table["id"].notna() & table["secteur"].notna()
               & table["accord"].eq(True) & table["actif"].eq(True)]
    by_sector: dict[str, list[str]] = {}
    for sector, ids in ok.groupby("secteur")["id"]:
        by_sector[str(sector)] = sorted({str(i) for i in ids})
    return by_sector


def _porteurs_to_serve(dataset: Dataset) -> pd.DataFrame:
    porteurs = dataset.porteurs
    wanted = porteurs[porteurs["statut"].isin(STATUTS) & porteurs["secteur"].notna() & porteurs["id"].notna()]
    return wanted.sort_values(["date_premier_contact", "id"], na_position="last")


def suggest_referents(dataset: Dataset) -> list[Suggestion]:
    available = _available_referents(dataset)
    load: Counter[str] = Counter()
    suggestions = []
    for porteur in _porteurs_to_serve(dataset).itertuples(index=False):
        candidates = available.get(str(porteur.secteur), [])
        chosen = tuple(sorted(candidates, key=lambda ref: (load[ref], ref))[:PER_PORTEUR])
        load.update(chosen)
        suggestions.append(Suggestion(str(porteur.id), str(porteur.secteur), chosen))
    return suggestions
