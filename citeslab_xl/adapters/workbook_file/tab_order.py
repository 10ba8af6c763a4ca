"""The generated sheets put in their fixed place among the tabs (`plan.tab_order`), in `xl/workbook.xml`.

The tab order is the order of `<sheets>`. Three things count positions in that
list and must follow their sheet when it moves: a defined name's
`localSheetId` (print areas, filters, the ownership marker), and a workbook
view's `activeTab` and `firstSheet`. Her own sheets keep their order; only the
tool's sheets move, behind them.
"""

from __future__ import annotations

import re

from citeslab_xl.adapters.opc import PackageEdit, xmltext
from citeslab_xl.adapters.workbook_file.book import BookInfo
from citeslab_xl.core import plan

_POSITIONS = {
    "definedName": re.compile(r"(<(?:[\w.-]+:)?definedName\b[^>]*?\slocalSheetId\s*=\s*[\"'])(\d+)([\"'])"),
    "activeTab": re.compile(r"(<(?:[\w.-]+:)?workbookView\b[^>]*?\sactiveTab\s*=\s*[\"'])(\d+)([\"'])"),
    "firstSheet": re.compile(r"(<(?:[\w.-]+:)?workbookView\b[^>]*?\sfirstSheet\s*=\s*[\"'])(\d+)([\"'])"),
}


def order_tabs(edit: PackageEdit, book: BookInfo, generated: list[str]) -> None:
    """Reorder `<sheets>` so that the `generated` sheets stand in `plan.tab_order`; nothing when they already do."""
    text = edit.text(book.part)
    items = list(xmltext.elements(text, "sheet"))
    names = [attrs.get("name", "") for _, _, _, attrs in items]
    wanted = plan.tab_order(names, generated)
    if wanted == names or len(set(names)) != len(names):
        return
    new_position = {old: wanted.index(name) for old, name in enumerate(names)}
    chunks = {name: text[start:end] for (start, end, _, _), name in zip(items, names, strict=True)}
    first, last = items[0][0], items[-1][1]
    text = text[:first] + "".join(chunks[name] for name in wanted) + text[last:]
    for pattern in _POSITIONS.values():
        text = pattern.sub(lambda m: _moved(m, new_position), text)
    edit.put_text(book.part, text)


def in_tab_order(generated: list[str]) -> list[str]:
    """The tool's sheets in the order `order_tabs` gives them."""
    return plan.tab_order(generated, generated)


def _moved(match: re.Match[str], new_position: dict[int, int]) -> str:
    old = int(match[2])
    return f"{match[1]}{new_position.get(old, old)}{match[3]}"


def in_order(names: list[str], generated: list[str]) -> list[str]:
    """`names` as `order_tabs` leaves them, for the lists that must follow the tabs (app.xml's titles)."""
    return plan.tab_order(names, generated)
