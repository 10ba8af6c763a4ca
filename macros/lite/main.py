"""Les boutons du classeur CitésLab dans xlwings Lite (sans installer Python).

Collez ce fichier dans l'onglet main.py de xlwings Lite, et le fichier
requirements.txt voisin dans son onglet requirements.txt (macros/README.md).
Chaque script passe le classeur à la fonction que lance le bouton Excel du
même nom (citeslab_xl.buttons) : le résultat est le même.
Fait par citeslab_xl/adapters/lite_script.py : modifiez-le là.
"""

import xlwings as xw
from xlwings import script

from citeslab_xl import buttons


@script(name="Vérifier les données")
def verifier(book: xw.Book):
    buttons.verifier(book)


@script(name="Actualiser les synthèses")
def actualiser(book: xw.Book):
    buttons.actualiser(book)


@script(name="Comité de pilotage")
def comite_pilotage(book: xw.Book):
    buttons.comite_pilotage(book)


@script(name="Comité technique")
def comite_technique(book: xw.Book):
    buttons.comite_technique(book)


@script(name="Exporter pour l'agglomération")
def exporter_agglomeration(book: xw.Book):
    buttons.exporter_agglomeration(book)
