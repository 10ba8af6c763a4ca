"""Les boutons du classeur CitésLab dans xlwings Lite (sans installer Python).

Collez ce fichier dans l'onglet main.py de xlwings Lite, et le fichier
requirements.txt voisin dans son onglet requirements.txt (macros/README.md).
Chaque script passe le classeur à la fonction que lance le bouton Excel du
même nom (citeslab_xl.buttons) : le résultat est le même. Excel sur le web
refuse une lecture de plus de 5 Mo : chaque bouton (xw.BookAsync) lit une à
une les feuilles dont il a besoin, et « exclude » ou « include » disent
celles qu'il ne lit pas. Une feuille encore trop grande (le bouton le dit)
se traite dans Excel sur le PC ou en ligne de commande.
Fait par citeslab_xl/adapters/lite_script.py : modifiez-le là.
"""

import xlwings as xw
from xlwings import script

from citeslab_xl import buttons
from citeslab_xl.doors.buttons import on_the_web

# Les feuilles de l'outil que ces boutons ne lisent pas : Excel sur le web ne les envoie pas.
NOT_READ = [
    "Anomalies",
    "À faire",
    "Historique mensuel",
    "Financement calculé",
    "Échéancier suivis",
]


@script(
    name="Vérifier les données",
    exclude=NOT_READ,
)
async def verifier(book: xw.BookAsync):
    await on_the_web(buttons.verifier, book)


@script(
    name="Actualiser les synthèses",
    exclude=NOT_READ,
)
async def actualiser(book: xw.BookAsync):
    await on_the_web(buttons.actualiser, book)


@script(
    name="Comité de pilotage",
    exclude=NOT_READ,
)
async def comite_pilotage(book: xw.BookAsync):
    await on_the_web(buttons.comite_pilotage, book)


@script(
    name="Comité technique",
    exclude=NOT_READ,
)
async def comite_technique(book: xw.BookAsync):
    await on_the_web(buttons.comite_technique, book)


@script(
    name="Exporter pour l'agglomération",
    include=[
        "Accueil",
    ],
)
def exporter_agglomeration(book: xw.Book):
    buttons.exporter_agglomeration(book)
