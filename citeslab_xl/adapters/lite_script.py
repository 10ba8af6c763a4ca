"""The `main.py` of xlwings Lite, made from the button catalogue (macros/lite/main.py is this text).

Each script passes xlwings Lite the sheets its button may leave out (`exclude`) or the only ones it needs
(`include`), from the catalogue, so that Excel on the web gets a smaller call (core/button_catalogue.py).
"""

from __future__ import annotations

from citeslab_xl.core.button_catalogue import BUTTONS, Button

HEADER = '''"""Les boutons du classeur CitésLab dans xlwings Lite (sans installer Python).

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
'''


def _sheets_option(button: Button) -> str:
    for option, names in (("include", button.web_include), ("exclude", button.web_exclude)):
        if names:
            return f"    {option}=[\n" + "".join(f'        "{name}",\n' for name in names) + "    ],\n"
    return ""


def _script(button: Button) -> str:
    return (f'\n\n@script(\n    name="{button.caption}",\n{_sheets_option(button)})\n'
            f"def {button.entry_point}(book: xw.Book):\n"
            f"    buttons.{button.entry_point}(book)\n")


def lite_script() -> str:
    return HEADER + "".join(_script(button) for button in BUTTONS)
