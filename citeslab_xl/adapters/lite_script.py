"""The `main.py` of xlwings Lite, made from the button catalogue (macros/lite/main.py is this text)."""

from __future__ import annotations

from citeslab_xl.core.button_catalogue import BUTTONS

HEADER = '''"""Les boutons du classeur CitésLab dans xlwings Lite (sans installer Python).

Collez ce fichier dans l'onglet main.py de xlwings Lite, et le fichier
requirements.txt voisin dans son onglet requirements.txt (macros/README.md).
Chaque script passe le classeur à la fonction que lance le bouton Excel du
même nom (citeslab_xl.buttons) : le résultat est le même.
Fait par citeslab_xl/adapters/lite_script.py : modifiez-le là.
"""

import xlwings as xw
from xlwings import script

from citeslab_xl import buttons
'''


def lite_script() -> str:
    scripts = [f'\n\n@script(name="{button.caption}")\ndef {button.entry_point}(book: xw.Book):\n'
               f"    buttons.{button.entry_point}(book)\n" for button in BUTTONS]
    return HEADER + "".join(scripts)
