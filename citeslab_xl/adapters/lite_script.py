"""The `main.py` of xlwings Lite, made from the button catalogue (macros/lite/main.py is this text).

Each script passes xlwings Lite the sheets its button may leave out (`exclude`) or the only ones it needs
(`include`), from the catalogue (core/button_catalogue.py). A button that reads the data takes xlwings
Lite's async book (`xw.BookAsync`: the client sends no values up front, lite.xlwings.org › Async API) and
reads each sheet it needs in its own call (`buttons.on_the_web`), so that Excel on the web's 5 MB limit
applies to one sheet at a time; the export reads nothing there and stays a plain script.
"""

from __future__ import annotations

from citeslab_xl.core.button_catalogue import BUTTONS, Button

HEADER = '''"""Les boutons du classeur CitésLab dans xlwings Lite (sans installer Python).

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
'''


def _sheets_option(button: Button) -> str:
    for option, names in (("include", button.web_include), ("exclude", button.web_exclude)):
        if names:
            return f"    {option}=[\n" + "".join(f'        "{name}",\n' for name in names) + "    ],\n"
    return ""


def _script(button: Button) -> str:
    head = f'\n\n@script(\n    name="{button.caption}",\n{_sheets_option(button)})\n'
    if button.web_include:  # it reads nothing under xlwings Lite: the plain book, with only what it names
        return head + f"def {button.entry_point}(book: xw.Book):\n    buttons.{button.entry_point}(book)\n"
    return (head + f"async def {button.entry_point}(book: xw.BookAsync):\n"
            f"    await on_the_web(buttons.{button.entry_point}, book)\n")


def lite_script() -> str:
    return HEADER + "".join(_script(button) for button in BUTTONS)
