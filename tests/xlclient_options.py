"""The sheets a client of xlwings leaves out of its payload (`include` / `exclude`), and the payload's size.

As xlwings' clients do it: addin/Remote.bas `RunServerPython` (VBA) and js/xlwings.ts (Office Scripts) of
the installed xlwings, and xlwingsjs/src/xlwings.ts `runPython` (Office.js: xlwings Server's add-in, the
model of xlwings Lite's client; github.com/xlwings/xlwings at 64926cf2). Each takes a comma-separated list
(xlwings Lite's `@script` joins a Python list with ",": xlwings/pro/udfs_officejs.py `custom_scripts_meta`;
the JavaScript clients trim each name), refuses
include and exclude together, and turns an include list into the exclusion of every other sheet. A sheet
left out is still listed, with `values` [[]] and no tables or pictures; the Office.js client also leaves
out its sheet-scoped names (it loads a sheet's names only when it sends the sheet), the other two keep them.
"""

from __future__ import annotations

import copy
import json


def _names_list(names: str | list[str] | tuple[str, ...] | None) -> list[str]:
    if not names:
        return []
    items = names.split(",") if isinstance(names, str) else list(names)
    return [item.strip() for item in items]


def excluded_sheets(titles: list[str], *, include=None, exclude=None) -> set[str]:
    """The sheets a client leaves out for this include or exclude option (names as Excel spells them)."""
    included, excluded = _names_list(include), _names_list(exclude)
    if included and excluded:
        raise ValueError("Either use 'include' or 'exclude', but not both!")
    if included:
        return {title for title in titles if title not in included}
    return set(excluded) & set(titles)


def sent_payload(payload: dict, *, include=None, exclude=None) -> dict:
    """What the client sends instead of the full `payload` when a script or a call names include or exclude."""
    sent = copy.deepcopy(payload)
    left_out = excluded_sheets([sheet["name"] for sheet in sent["sheets"]], include=include, exclude=exclude)
    for sheet in sent["sheets"]:
        if sheet["name"] in left_out:
            sheet.update(values=[[]], pictures=[], tables=[])
    if sent["client"] == "Office.js":
        sent["names"] = [name for name in sent["names"]
                         if name["book_scope"] or name["scope_sheet_name"] not in left_out]
    return sent


def payload_bytes(payload: dict) -> int:
    """The size of the payload as the JavaScript clients send it: `JSON.stringify`, UTF-8, no spaces."""
    return len(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
