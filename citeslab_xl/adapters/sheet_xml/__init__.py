"""Generated sheets written straight as the parts of a package, from their looks (core/sheet_look.py).

One module per part, as XlsxWriter has them: `worksheet` (the sheet),
`chart` (each chart and the drawing that places them), `styles` (the cell
formats of the whole run, collected once). workbook_file/splice.py names
the parts and puts them into her package; nothing here is re-read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from citeslab_xl.adapters.sheet_xml.chart import chart_xml, drawing_xml
from citeslab_xl.adapters.sheet_xml.styles import StyleKey, styles_part
from citeslab_xl.adapters.sheet_xml.worksheet import XfOf, worksheet_xml
from citeslab_xl.core.sheet_look import PLAIN, SheetLook

DRAWING_RID = "rId1"  # the one relationship of a generated sheet

__all__ = ["DRAWING_RID", "SheetParts", "StyleKey", "sheet_parts", "style_keys", "styles_part"]


@dataclass
class SheetParts:
    sheet: bytes  # related to its drawing, if any, as DRAWING_RID
    drawing: bytes | None = None  # related to each chart as `chart_rids` says, in the order of `charts`
    charts: list[bytes] = field(default_factory=list)

    @property
    def chart_rids(self) -> list[str]:
        return _chart_rids(len(self.charts))


def _chart_rids(count: int) -> list[str]:
    return [f"rId{n}" for n in range(1, count + 1)]


def style_keys(looks: list[SheetLook]) -> list[StyleKey]:
    """Every (number format, style) the sheets' cells take, each once, in order of first use."""
    keys: dict[tuple[str, int], StyleKey] = {}
    for look in looks:
        styles = look.styles
        for at, cell in look.grid.cells.items():
            cell_style = styles.get(at, PLAIN)
            keys.setdefault((cell.number_format, id(cell_style)), (cell.number_format, cell_style))
    return list(dict.fromkeys(keys.values()))


def sheet_parts(look: SheetLook, xf_of: XfOf, date1904: bool) -> SheetParts:
    name = look.layout.name
    if not look.charts:
        return SheetParts(worksheet_xml(look, xf_of, date1904))
    charts = [chart_xml(place, name) for place in look.charts]
    return SheetParts(worksheet_xml(look, xf_of, date1904, DRAWING_RID),
                      drawing_xml(look.charts, _chart_rids(len(charts))), charts)
