"""citeslab-xl: the CitésLab coordinator's workbook as a managed tool.

Layers (dependencies point inward only, checked by import-linter in CI):
``core`` (no I/O) ← ``adapters`` (files, OOXML, openpyxl, xlwings) ← ``demo`` ← ``doors`` (API, CLI, buttons).
"""

from __future__ import annotations

import importlib
from types import ModuleType

__version__ = "0.1.0"


def __getattr__(name: str) -> ModuleType:
    # `from citeslab_xl import api` is the documented way in; it stays cheap for `--help`.
    if name == "api":
        return importlib.import_module("citeslab_xl.doors.api")
    raise AttributeError(name)
