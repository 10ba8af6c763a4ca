"""Fonts written in the order Excel and the Open XML SDK expect.

openpyxl writes a `<font>`'s children in the order of its own class (name,
charset, family, b, i, …); the Open XML SDK validates CT_Font as the sequence
Excel itself writes and reports any other order as an error, the kind of file
Excel may offer to "repair". `use_excel_order()` makes every workbook openpyxl
saves in this process write its fonts (cell and differential styles alike) in
Excel's order; the adapters that save through openpyxl call it on import.
"""

from __future__ import annotations

from openpyxl.styles.fonts import Font

EXCEL_ORDER = ("b", "i", "strike", "condense", "extend", "outline", "shadow", "u", "vertAlign",
               "sz", "color", "name", "family", "charset", "scheme")


def use_excel_order() -> None:
    # openpyxl serialises a font's children by iterating this class attribute, and it offers no
    # other hook; a new openpyxl with another child would lose it on save, so refuse to reorder then
    if set(Font.__elements__) != set(EXCEL_ORDER):
        raise RuntimeError(f"openpyxl's Font children changed: {Font.__elements__}")
    Font.__elements__ = EXCEL_ORDER
