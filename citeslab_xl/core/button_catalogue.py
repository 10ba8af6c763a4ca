"""The five buttons, in one place (interfaces.md › Excel buttons).

Each button's caption (on Accueil, in the Lite task pane, in the Journal's « Action » column), the sentence
that explains it on Accueil, the VBA Sub that the button runs and the function of `citeslab_xl.buttons` that
the Sub calls. The template, the VBA module, the Lite script and the Python entry points are made from it.

On the web (xlwings Lite, or xlwings Server's Office.js add-in) the client reads the values of every sheet it
sends in one Office.js call (xlwings-server, static/js/custom-scripts/index.js `getBookData`, lines 467-483),
and Excel on the web refuses a call over 5 MB. So each button names the sheets the client may leave out
(`web_exclude`, or the only ones to send, `web_include`), as xlwings' `@script(include=..., exclude=...)`
takes them. Only generated sheets can be left out: the data sheets may bear other names (the tolerance rules
of core/grid.py, Paramètres › Feuille …), the generated ones never do. A button may leave out a sheet it
rewrites: it writes blind (clear, then bulk writes), and proves that the sheet is the tool's by the
workbook-scoped marker, which the client sends for every sheet (workbook_file/ownership.py). It keeps
`Journal` (its rows are read back and written again with the new one) and the `Synthèse` sheets (their
status cells say which months to redo). The per-period sheets (Synthèse, COPIL, COTECH) have names no
static list can hold, and weigh a few kilobytes each: they are always sent. Under xlwings Lite the buttons
that read the data take its async book instead and read each sheet they need in its own call
(doors/buttons.on_the_web): there the limit applies to one sheet at a time, and `web_exclude` names the
sheets they never read.
VBA runs only in desktop Excel, through classic `RunPython`, which sends no payload: nothing to trim there.
"""

from __future__ import annotations

from dataclasses import dataclass

from citeslab_xl.core.plan import EVERY_RUN


@dataclass(frozen=True)
class Button:
    caption: str
    description: str
    macro: str  # the VBA Sub
    entry_point: str  # the function of citeslab_xl.buttons
    command: str  # the command line that does the same on the closed workbook (interfaces.md)
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
           "Verifier", "verifier", "citeslab-xl check CLASSEUR.xlsx", web_exclude=EVERY_RUN),
    Button("Actualiser les synthèses",
           "Vérifie, puis crée ou met à jour la synthèse du mois, l'historique mensuel, le financement calculé, "
           "l'échéancier des suivis, la liste « À faire », le COPIL et le COTECH en cours. La synthèse du mois est "
           "provisoire tant que le mois n'est pas fini ; la première actualisation du mois suivant la refait avec "
           "tout le mois et la marque définitive. Pour refaire un mois déjà clos : tapez-le dans une cellule libre "
           "de cette feuille (2026-09, ou une date de ce mois), sélectionnez cette cellule, puis cliquez sur ce "
           "bouton.",
           "Actualiser", "actualiser", "citeslab-xl refresh CLASSEUR.xlsx", web_exclude=EVERY_RUN),
    Button("Comité de pilotage",
           "Prépare la feuille « COPIL AAAA » de l'année de la cellule sélectionnée (ou de l'année en cours).",
           "ComitePilotage", "comite_pilotage", "citeslab-xl committee CLASSEUR.xlsx copil",
           web_exclude=EVERY_RUN),
    Button("Comité technique",
           "Prépare la feuille « COTECH AAAA-Tn » du trimestre en cours.",
           "ComiteTechnique", "comite_technique", "citeslab-xl committee CLASSEUR.xlsx cotech",
           web_exclude=EVERY_RUN),
    Button("Exporter pour l'agglomération",
           "Écrit à côté de ce classeur un classeur de chiffres agrégés, sans aucune donnée personnelle, "
           "à transmettre à l'agglomération.",
           # under the remote engine the export reads nothing (buttons.EXPORT_BY_COMMAND): Accueil is enough
           "ExporterAgglomeration", "exporter_agglomeration",
           "citeslab-xl export CLASSEUR.xlsx EXPORT.xlsx", web_include=("Accueil",)),
)
_BY_ENTRY_POINT = {button.entry_point: button for button in BUTTONS}


def button(entry_point: str) -> Button:
    """The button whose Sub calls `citeslab_xl.buttons.<entry_point>`."""
    return _BY_ENTRY_POINT[entry_point]


def caption(entry_point: str) -> str:
    return button(entry_point).caption
