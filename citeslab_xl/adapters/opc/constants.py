"""The names an OOXML package is made of: namespaces, relationship types, content types.

Modelled on python-docx's `opc/constants.py`: one named constant per URI, so
that no module spells a schema URI or a content type by hand.
"""

from __future__ import annotations

_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006"


class NS:
    """XML namespaces."""

    MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"  # Strict OOXML, which the tool does not edit
    RELATIONSHIPS = _PACKAGE + "/relationships"
    CONTENT_TYPES = _PACKAGE + "/content-types"
    OFFICE_RELATIONSHIPS = _OFFICE_DOCUMENT + "/relationships"  # the `r:` prefix of `r:id`
    CUSTOM_PROPERTIES = _OFFICE_DOCUMENT + "/custom-properties"
    DOC_PROPS_VTYPES = _OFFICE_DOCUMENT + "/docPropsVTypes"
    VML = "urn:schemas-microsoft-com:vml"
    VML_OFFICE = "urn:schemas-microsoft-com:office:office"
    VML_EXCEL = "urn:schemas-microsoft-com:office:excel"


class RT:
    """Relationship types."""

    OFFICE_DOCUMENT = NS.OFFICE_RELATIONSHIPS + "/officeDocument"
    WORKSHEET = NS.OFFICE_RELATIONSHIPS + "/worksheet"
    STYLES = NS.OFFICE_RELATIONSHIPS + "/styles"
    SHARED_STRINGS = NS.OFFICE_RELATIONSHIPS + "/sharedStrings"
    CALC_CHAIN = NS.OFFICE_RELATIONSHIPS + "/calcChain"
    CUSTOM_PROPERTIES = NS.OFFICE_RELATIONSHIPS + "/custom-properties"
    EXTENDED_PROPERTIES = NS.OFFICE_RELATIONSHIPS + "/extended-properties"
    VML_DRAWING = NS.OFFICE_RELATIONSHIPS + "/vmlDrawing"
    DRAWING = NS.OFFICE_RELATIONSHIPS + "/drawing"
    CHART = NS.OFFICE_RELATIONSHIPS + "/chart"
    REVISION_HEADERS = NS.OFFICE_RELATIONSHIPS + "/revisionHeaders"  # a legacy shared workbook
    USERNAMES = NS.OFFICE_RELATIONSHIPS + "/usernames"  # a legacy shared workbook
    DIGITAL_SIGNATURE_ORIGIN = NS.RELATIONSHIPS + "/digital-signature/origin"
    VBA_PROJECT = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
    # a signed VBA project: one type per signature format (legacy, Agile, V3)
    VBA_PROJECT_SIGNATURES = tuple(f"http://schemas.microsoft.com/office/{path}" for path in (
        "2006/relationships/vbaProjectSignature", "2014/relationships/vbaProjectSignatureAgile",
        "2020/07/relationships/vbaProjectSignatureV3"))


class CT:
    """Content types."""

    RELATIONSHIPS = "application/vnd.openxmlformats-package.relationships+xml"
    SML_SHEET_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    SML_SHEET_MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    SML_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
    CUSTOM_PROPERTIES = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
    VML_DRAWING = "application/vnd.openxmlformats-officedocument.vmlDrawing"
    SML_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
    DML_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
    VBA_PROJECT = "application/vnd.ms-office.vbaProject"


CUSTOM_PROPERTY_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the fmtid of every user-defined property
