"""The cell formats of a run's generated sheets, collected once, as a small styles part.

Every distinct (number format, `CellStyle`) of the run's sheets becomes one
cell format (`xf`) of a scratch styles part; workbook_file/styles.py
(`StyleMerger`) appends what her workbook lacks to her styles.xml and says
the index each takes there. The entries are written as openpyxl wrote them
when it rendered the sheets, so that a workbook refreshed before keeps
reusing the entries it already holds. Fonts are written in the schema's
child order (font_order.EXCEL_ORDER).
"""

from __future__ import annotations

from openpyxl.styles.numbers import BUILTIN_FORMATS_REVERSE

from citeslab_xl.adapters.opc import NS, xmltext
from citeslab_xl.core.sheet_look import CellStyle, Font

FIRST_CUSTOM_FORMAT = 164  # lower ids are Excel's built-in formats
# the entries every styles part starts with: the default font (openpyxl's), no fill, gray125, no border
DEFAULT_FONT = ('<font><sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/>'
                "</font>")
DEFAULT_FILLS = ['<fill><patternFill/></fill>', '<fill><patternFill patternType="gray125"/></fill>']
DEFAULT_BORDER = "<border><left/><right/><top/><bottom/><diagonal/></border>"

StyleKey = tuple[str, CellStyle]  # (number format, style)


def _color(rgb: str) -> str:
    return f'<color rgb="00{rgb}"/>'


def font_xml(font: Font) -> str:
    parts = ['<b val="1"/>' if font.bold else "", '<i val="1"/>' if font.italic else "",
             '<u val="single"/>' if font.underline else "", f'<sz val="{font.size:g}"/>',
             _color(font.color) if font.color else "", f'<name val="{xmltext.quote(font.name)}"/>']
    return f"<font>{''.join(parts)}</font>"


def fill_xml(rgb: str) -> str:
    return f'<fill><patternFill patternType="solid"><fgColor rgb="00{rgb}"/></patternFill></fill>'


def border_xml(rgb: str) -> str:
    return f'<border><top style="thin">{_color(rgb)}</top></border>'


class _Entries:
    """A list of styles.xml (fonts, fills…): the index of each distinct entry, in order of first use."""

    def __init__(self, defaults: list[str]):
        self.items = list(defaults)
        self.index = {item: i for i, item in enumerate(defaults)}

    def of(self, item: str) -> int:
        if item not in self.index:
            self.index[item] = len(self.items)
            self.items.append(item)
        return self.index[item]


def styles_part(keys: list[StyleKey]) -> tuple[bytes, dict[StyleKey, int]]:
    """A styles part holding `keys`, and the index of each in its cellXfs (0 is the plain cell)."""
    fonts = _Entries([DEFAULT_FONT])
    fills = _Entries(DEFAULT_FILLS)
    borders = _Entries([DEFAULT_BORDER])
    formats: dict[str, int] = {}
    xfs = _Entries(['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'])
    index: dict[StyleKey, int] = {}
    for key in keys:
        number_format, style = key
        format_id = BUILTIN_FORMATS_REVERSE.get(number_format)
        if format_id is None:
            format_id = formats.setdefault(number_format, FIRST_CUSTOM_FORMAT + len(formats))
        font = fonts.of(font_xml(style.font)) if style.font else 0
        fill = fills.of(fill_xml(style.fill)) if style.fill else 0
        border = borders.of(border_xml(style.top_border)) if style.top_border else 0
        index[key] = xfs.of(_xf(format_id, font, fill, border, style))
    number_formats = "".join(f'<numFmt numFmtId="{i}" formatCode="{xmltext.quote(code)}"/>'
                             for code, i in formats.items())
    text = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{NS.MAIN}">'
            + (f'<numFmts count="{len(formats)}">{number_formats}</numFmts>' if formats else "")
            + _section("fonts", fonts) + _section("fills", fills) + _section("borders", borders)
            + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            + _section("cellXfs", xfs)
            + '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
    return text.encode(), index


def _section(local: str, entries: _Entries) -> str:
    return f'<{local} count="{len(entries.items)}">{"".join(entries.items)}</{local}>'


def _xf(format_id: int, font: int, fill: int, border: int, style: CellStyle) -> str:
    attrs = f'numFmtId="{format_id}" fontId="{font}" fillId="{fill}" borderId="{border}"'
    alignment = "".join(f' {name}="{value}"' for name, value in (
        ("horizontal", style.horizontal), ("vertical", style.vertical), ("wrapText", "1" if style.wrap else None))
        if value)
    if not alignment:
        return f'<xf {attrs} xfId="0"/>'
    return f'<xf {attrs} applyAlignment="1" xfId="0"><alignment{alignment}/></xf>'
