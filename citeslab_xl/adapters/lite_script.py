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


def _left_out_lists() -> dict[tuple[str, ...], str]:
    """Each distinct list of sheets left out, named once at the top of the script (`NOT_READ`, `NOT_READ_2`...)."""
    lists = list(dict.fromkeys(button.web_exclude for button in BUTTONS if button.web_exclude))
    return {names: "NOT_READ" + (f"_{i + 1}" if i else "") for i, names in enumerate(lists)}


def _constants(named: dict[tuple[str, ...], str]) -> str:
    return "".join(f"\n# Les feuilles de l'outil que ces boutons ne lisent pas : Excel sur le web ne les envoie pas.\n"
                   f"{name} = [\n" + "".join(f'    "{sheet}",\n' for sheet in names) + "]\n"
                   for names, name in named.items())


def _sheets_option(button: Button, named: dict[tuple[str, ...], str]) -> str:
    if button.web_include:
        return "    include=[\n" + "".join(f'        "{name}",\n' for name in button.web_include) + "    ],\n"
    if button.web_exclude:
        return f"    exclude={named[button.web_exclude]},\n"
    return ""


def _script(button: Button, named: dict[tuple[str, ...], str]) -> str:
    head = f'\n\n@script(\n    name="{button.caption}",\n{_sheets_option(button, named)})\n'
    if button.web_include:  # it reads nothing under xlwings Lite: the plain book, with only what it names
        return head + f"def {button.entry_point}(book: xw.Book):\n    buttons.{button.entry_point}(book)\n"
    return (head + f"async def {button.entry_point}(book: xw.BookAsync):\n"
            f"    await on_the_web(buttons.{button.entry_point}, book)\n")


def lite_script() -> str:
    named = _left_out_lists()
    return HEADER + _constants(named) + "".join(_script(button, named) for button in BUTTONS)
