"""xlwings Lite's side of an async book (`xw.BookAsync`), for tests: what `js.xlwings` answers a script.

xlwings Lite shares its client with xlwings Server's Office.js add-in (xlwings-server at 8862003,
xlwings_server/static/js/custom-scripts/index.js; xlwings_server/config.py line 194 builds it as the official
Lite add-in, `isOfficialLiteAddin`). For a script whose book is annotated `xw.BookAsync`, `runPython` asks
`getBookData` for `lazy` data (lines 163-186): every sheet listed, every workbook-scoped name and the names of
each sheet not excluded, no values (lines 454, 470, 477-480, 529). xlwings then marks the book lazy
(xlwings/pro/udfs_officejs.py `_inject_value`), and `await sheet.load(values=True)` (xlwings/pro/_xlremote.py
`Sheet.load`) calls `getBookData({include: <that sheet>, lazy: false})`: one more Office.js call, holding that
sheet's values and number-format categories alone (lines 469-476, 483). `LiteClient` answers both as that code
does (`sent_payload`), sizes each call with the model of tests/xlclient_options.py and refuses one over 5 MB as
Excel on the web does (RichApi.Error `RequestPayloadSizeLimitExceeded`). `in_lite` gives xlwings the `js` and
`pyodide.ffi` modules and the platform it checks for (`sys.platform == "emscripten"`) while a script runs.
"""

from __future__ import annotations

import contextlib
import copy
import json
import sys
import types

import xlwings as xw
from xlclient_options import read_call_bytes, sent_payload

WEB_CALL_LIMIT = 5_000_000


class PayloadTooLarge(Exception):
    """What Office.js raises on Excel on the web for a call over its limit."""


class _JsProxy:
    def __init__(self, value):
        self._value = value

    def to_py(self):
        return copy.deepcopy(self._value)


def _without_values(payload: dict) -> dict:
    return {**payload, "sheets": [{**sheet, "values": [[]]} for sheet in payload["sheets"]]}


def general_call_bytes(values: list[list]) -> int:
    """A sheet's share of the read call when every cell's category is "General" (a sheet made in a test)."""
    categories = [["General"] * len(row) for row in values]
    return sum(len(json.dumps(grid, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
               for grid in (values, categories))


class LiteClient:
    """The Office.js client of one workbook: its full payload and each sheet's share of a read call."""

    def __init__(self, payload: dict, sheet_sizes: dict[str, int], limit: int = WEB_CALL_LIMIT):
        self.payload, self.sheet_sizes, self.limit = payload, sheet_sizes, limit
        self.calls: list[tuple[str, int]] = []  # (the sheet read, the call's size), in order

    def async_book(self, *, include=None, exclude=None):
        """The book a script annotated `xw.BookAsync` receives: structure and names, no values."""
        book = xw.Book(json=_without_values(sent_payload(self.payload, include=include, exclude=exclude)))
        book.impl._lazy = True  # as xlwings' `_inject_value` does for the BookAsync annotation
        return book

    async def getBookData(self, options: dict):  # the client's own name
        include, lazy = options.get("include", ""), options.get("lazy", False)
        sent = sent_payload(self.payload, include=include or None)
        if lazy:
            sent = _without_values(sent)
        size = read_call_bytes(self.sheet_sizes, sent)
        self.calls.append((include, size))
        if size > self.limit:
            raise PayloadTooLarge("RichApi.Error: The request payload size has exceeded the limit.")
        return _JsProxy(sent)

    async def runActions(self, actions):  # a flush before a read: not what the buttons do
        raise AssertionError("a button read after it had queued a write")


@contextlib.contextmanager
def in_lite(client: LiteClient):
    """xlwings as it runs inside xlwings Lite, talking to `client`."""
    js = types.ModuleType("js")
    js.xlwings = client
    js.Object = types.SimpleNamespace(fromEntries=dict)
    ffi = types.ModuleType("pyodide.ffi")
    ffi.to_js = lambda value, dict_converter=None: value
    ffi.JsNull = type("JsNull", (), {})
    pyodide = types.ModuleType("pyodide")
    pyodide.ffi = ffi
    saved_platform = sys.platform
    saved_modules = {name: sys.modules.get(name) for name in ("js", "pyodide", "pyodide.ffi")}
    sys.modules.update({"js": js, "pyodide": pyodide, "pyodide.ffi": ffi})
    sys.platform = "emscripten"
    try:
        yield client
    finally:
        sys.platform = saved_platform
        for name, module in saved_modules.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
