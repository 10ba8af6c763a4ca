"""The buttons' entry points under the names the VBA calls (interfaces.md › Excel buttons).

The code lives in `citeslab_xl.doors.buttons`; this module keeps `citeslab_xl.buttons.verifier` and its
siblings importable, as `RunPython` and xlwings Lite name them.
"""

from citeslab_xl.doors.buttons import (
    actualiser,
    comite_pilotage,
    comite_technique,
    exporter_agglomeration,
    verifier,
)

__all__ = ["actualiser", "comite_pilotage", "comite_technique", "exporter_agglomeration", "verifier"]
