"""Les boutons du classeur CitésLab dans xlwings Lite (sans installer Python).

Collez ce fichier dans l'onglet main.py de xlwings Lite, et le fichier
requirements.txt voisin dans son onglet requirements.txt (macros/README.md).
Chaque script passe le classeur à la fonction que lance le bouton Excel du
même nom (citeslab_xl.buttons) : le résultat est le même. « exclude » et
« include » disent quelles feuilles xlwings Lite n'a pas besoin de lire :
Excel sur le web refuse un classeur de plus de 5 Mo envoyé d'un coup.
Fait par citeslab_xl/adapters/lite_script.py : modifiez-le là.
"""

import xlwings as xw
from xlwings import script

from citeslab_xl import buttons


@script(
    name="Vérifier les données",
    exclude=[
        "À faire",
        "Historique mensuel",
        "Financement calculé",
        "Échéancier suivis",
    ],
)
def verifier(book: xw.Book):
    buttons.verifier(book)


@script(
    name="Actualiser les synthèses",
)
def actualiser(book: xw.Book):
    buttons.actualiser(book)


@script(
    name="Comité de pilotage",
    exclude=[
        "Anomalies",
        "À faire",
        "Historique mensuel",
        "Financement calculé",
        "Échéancier suivis",
    ],
)
def comite_pilotage(book: xw.Book):
    buttons.comite_pilotage(book)


@script(
    name="Comité technique",
    exclude=[
        "Anomalies",
        "À faire",
        "Historique mensuel",
        "Financement calculé",
        "Échéancier suivis",
    ],
)
def comite_technique(book: xw.Book):
    buttons.comite_technique(book)


@script(
    name="Exporter pour l'agglomération",
    include=[
        "Accueil",
    ],
)
def exporter_agglomeration(book: xw.Book):
    buttons.exporter_agglomeration(book)
