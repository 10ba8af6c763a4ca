"""The five buttons, in one place (interfaces.md › Excel buttons).

Each button's caption (on Accueil, in the Lite task pane, in the Journal's « Action » column), the sentence
that explains it on Accueil, the VBA Sub that the button runs and the function of `citeslab_xl.buttons` that
the Sub calls. The template, the VBA module, the Lite script and the Python entry points are made from it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Button:
    caption: str
    description: str
    macro: str  # the VBA Sub
    entry_point: str  # the function of citeslab_xl.buttons

    @property
    def python_command(self) -> str:
        return f"import citeslab_xl.buttons as b; b.{self.entry_point}()"


BUTTONS = (
    Button("Vérifier les données",
           "Contrôle chaque ligne et liste les problèmes dans la feuille « Anomalies », "
           "avec un lien vers chaque cellule à corriger.",
           "Verifier", "verifier"),
    Button("Actualiser les synthèses",
           "Vérifie, puis crée ou met à jour la synthèse du mois, l'historique mensuel, le financement calculé, "
           "l'échéancier des suivis, la liste « À faire », le COPIL et le COTECH en cours. La synthèse du mois est "
           "provisoire tant que le mois n'est pas fini ; la première actualisation du mois suivant la refait avec "
           "tout le mois et la marque définitive. Pour refaire un mois déjà clos : tapez-le dans une cellule libre "
           "de cette feuille (2026-09, ou une date de ce mois), sélectionnez cette cellule, puis cliquez sur ce "
           "bouton.",
           "Actualiser", "actualiser"),
    Button("Comité de pilotage",
           "Prépare la feuille « COPIL AAAA » de l'année de la cellule sélectionnée (ou de l'année en cours).",
           "ComitePilotage", "comite_pilotage"),
    Button("Comité technique",
           "Prépare la feuille « COTECH AAAA-Tn » du trimestre en cours.",
           "ComiteTechnique", "comite_technique"),
    Button("Exporter pour l'agglomération",
           "Écrit à côté de ce classeur un classeur de chiffres agrégés, sans aucune donnée personnelle, "
           "à transmettre à l'agglomération.",
           "ExporterAgglomeration", "exporter_agglomeration"),
)
_BY_ENTRY_POINT = {button.entry_point: button for button in BUTTONS}


def button(entry_point: str) -> Button:
    """The button whose Sub calls `citeslab_xl.buttons.<entry_point>`."""
    return _BY_ENTRY_POINT[entry_point]


def caption(entry_point: str) -> str:
    return button(entry_point).caption
