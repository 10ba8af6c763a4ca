"""The charts of a generated sheet: each one's ChartSpace part, and the drawing part that places them.

The chart itself is built with openpyxl's chart classes (their ChartSpace
serialisation is all that is used: no workbook, no save), from a
`sheet_look.ChartPlace`; adapters/render.py adds the same chart objects to an
openpyxl sheet. The drawing part, a few anchors, is written here.
"""

from __future__ import annotations

from openpyxl.chart import BarChart, LineChart, PieChart, Reference
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.xml.functions import tostring

from citeslab_xl.core.sheet_look import ChartPlace

EMU_PER_CM = 360000
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_DRAWING_NS = ('xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
               'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
               'xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
               'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')


def native_chart(place: ChartPlace, sheet_name: str):
    """The openpyxl chart of `place`, its data referring to the sheet `sheet_name`."""
    chart = place.chart
    native = _native(place)
    sheet = quote_sheetname(sheet_name)
    series = chart.series[:1] if chart.kind == "pie" else chart.series
    for column in series:
        native.add_data(Reference(range_string=f"{sheet}!{_column_range(column, place.header_row, place.last_row)}"),
                        titles_from_data=True)
    categories = Reference(range_string=f"{sheet}!{_column_range(0, place.first_row, place.last_row)}")
    if place.text_categories:
        # openpyxl refers to categories as numbers; Excel would then number the bars 1, 2, 3
        for serie in native.series:
            serie.cat = AxDataSource(strRef=StrRef(f=str(categories)))
    else:
        native.set_categories(categories)
    if chart.kind == "line":
        for serie in native.series:
            serie.smooth = False  # a smoothed curve overshoots: it dips below zero between two low months
    if len(native.series) == 1 and chart.kind != "pie":
        native.legend = None  # the title names the one series
    elif native.legend is not None:
        native.legend.position = "b"  # under the plot, which keeps the sheet's width
    native.width, native.height = place.width_cm, place.height_cm
    return native


def _column_range(column: int, first_row: int, last_row: int) -> str:
    letter = get_column_letter(column + 1)
    return f"${letter}${first_row}:${letter}${last_row}"


def _native(place: ChartPlace):
    chart = place.chart
    if chart.kind == "pie":
        native = PieChart()
    else:
        native = LineChart() if chart.kind == "line" else BarChart()
        if chart.kind in ("bar", "col"):
            native.type = chart.kind
        if chart.kind == "bar":
            # horizontal bars are drawn from the bottom up: reversed, they read in the table's order
            native.x_axis.scaling.orientation = "maxMin"
        if chart.y_title:
            native.y_axis.title = chart.y_title
        # openpyxl marks axes as deleted by default: Excel would hide the labels
        native.x_axis.delete = False
        native.y_axis.delete = False
    native.title = chart.title
    return native


def chart_xml(place: ChartPlace, sheet_name: str) -> bytes:
    """The chart part (a ChartSpace) of `place`."""
    return XML_DECLARATION.encode() + tostring(native_chart(place, sheet_name)._write())


def drawing_xml(places: list[ChartPlace], chart_rids: list[str]) -> bytes:
    """The drawing part that anchors each chart at column A of its row, with its size."""
    anchors = []
    for number, (place, rid) in enumerate(zip(places, chart_rids, strict=True), start=1):
        cx, cy = int(place.width_cm * EMU_PER_CM), int(place.height_cm * EMU_PER_CM)
        anchors.append(
            f"<xdr:oneCellAnchor><xdr:from><xdr:col>0</xdr:col><xdr:colOff>0</xdr:colOff>"
            f"<xdr:row>{place.row - 1}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
            f'<xdr:ext cx="{cx}" cy="{cy}"/><xdr:graphicFrame macro="">'
            f'<xdr:nvGraphicFramePr><xdr:cNvPr id="{number}" name="Chart {number}"/><xdr:cNvGraphicFramePr/>'
            f'</xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm>'
            f'<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
            f'<c:chart r:id="{rid}"/></a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/>'
            f"</xdr:oneCellAnchor>")
    return f'{XML_DECLARATION}<xdr:wsDr {_DRAWING_NS}>{"".join(anchors)}</xdr:wsDr>'.encode()
