"""The five buttons, in one place (interfaces.md › Excel buttons).

Each button's caption (on Accueil, in the Lite task pane, in the Journal's « Action » column), the sentence
that explains it on Accueil, the VBA Sub that the button runs and the function of `citeslab_xl.buttons` that
the Sub calls. The template, the VBA module, the Lite script and the Python entry points are made from it.

On the web (xlwings Lite, or xlwings Server's Office.js add-in) the client sends the values of every sheet in
one call, and Excel on the web refuses a call over 5 MB. So each button names the sheets the client may leave
out (`web_exclude`, or the only ones to send, `web_include`), as xlwings' `@script(include=..., exclude=...)`
takes them. Only generated sheets can be left out: the data sheets may bear other names (the tolerance rules
of core/grid.py, Paramètres › Feuille …), the generated ones never do. A button keeps every generated sheet it
writes, because the Office.js client leaves out the sheet-scoped names of a sheet it does not send, and the
ownership marker (xlbook.check_ownership) is one of them; it keeps `Journal` (read back, then written) and
the `Synthèse` sheets (their status cells say which months to redo). The small per-period sheets (Synthèse,
COPIL, COTECH) have names no static list can hold, and weigh a few kilobytes each: they are always sent.
VBA runs only in desktop Excel, through classic `RunPython`, which sends no payload: nothing to trim there.
"""

from __future__ import annotations

from dataclasses import dataclass

from citeslab_xl.core.plan import A_FAIRE, ECHEANCIER, EVERY_RUN, FINANCEMENT, HISTORIQUE


@dataclass(frozen=True)
class Button:
    caption: str
    description: str
    macro: str  # the VBA Sub
    entry_point: str  # the function of citeslab_xl.buttons
    web_exclude: tuple[str, ...] = ()  # sheets the web client need not send (xlwings' `exclude`)
    web_include: tuple[str, ...] = ()  # the only sheets it sends (xlwings' `include`); never both

    def __post_init__(self) -> None:
        if self.web_exclude and self.web_include:
            raise ValueError(f"{self.macro}: xlwings takes include or exclude, not both")

    @property
    def python_command(self) -> str:
        return f"import citeslab_xl.buttons as b; b.{self.entry_point}()"


BUTTONS = (
    Button("Vérifier les données",
           "Contrôle chaque ligne et liste les problèmes dans la feuille « Anomalies », "
           "avec un lien vers chaque cellule à corriger.",
           "Verifier", "verifier", web_exclude=(A_FAIRE, HISTORIQUE, FINANCEMENT, ECHEANCIER)),
    Button("Actualiser les synthèses",
           "Vérifie, puis crée ou met à jour la synthèse du mois, l'historique mensuel, le financement calculé, "
           "l'échéancier des suivis, la liste « À faire », le COPIL et le COTECH en cours. La synthèse du mois est "
           "provisoire tant que le mois n'est pas fini ; la première actualisation du mois suivant la refait avec "
           "tout le mois et la marque définitive. Pour refaire un mois déjà clos : tapez-le dans une cellule libre "
           "de cette feuille (2026-09, ou une date de ce mois), sélectionnez cette cellule, puis cliquez sur ce "
           "bouton.",
           "Actualiser", "actualiser"),  # it rewrites every generated sheet: all are sent
    Button("Comité de pilotage",
           "Prépare la feuille « COPIL AAAA » de l'année de la cellule sélectionnée (ou de l'année en cours).",
           "ComitePilotage", "comite_pilotage", web_exclude=EVERY_RUN),
    Button("Comité technique",
           "Prépare la feuille « COTECH AAAA-Tn » du trimestre en cours.",
           "ComiteTechnique", "comite_technique", web_exclude=EVERY_RUN),
    Button("Exporter pour l'agglomération",
           "Écrit à côté de ce classeur un classeur de chiffres agrégés, sans aucune donnée personnelle, "
           "à transmettre à l'agglomération.",
           # under the remote engine the export reads nothing (buttons.EXPORT_BY_COMMAND): Accueil is enough
           "ExporterAgglomeration", "exporter_agglomeration", web_include=("Accueil",)),
)
_BY_ENTRY_POINT = {button.entry_point: button for button in BUTTONS}


def button(entry_point: str) -> Button:
    """The button whose Sub calls `citeslab_xl.buttons.<entry_point>`."""
    return _BY_ENTRY_POINT[entry_point]


def caption(entry_point: str) -> str:
    return button(entry_point).caption
