"""The formats of the generated cells, appended to the workbook's `styles.xml`.

The generated sheets' formats come as a small scratch styles part
(adapters/sheet_xml/styles.py); `StyleMerger.map_xf` says where each of its
cell formats lands in hers. Entries are appended, never inserted, so every
existing cell keeps its style index and its look; an entry equal to one
already there is reused. Appended entries are written in the schema's child
order (CT_Font is a sequence, which Microsoft's Open XML SDK validator
enforces): the scratch part writes its fonts in that order already, but what
the writer appends to her file must be valid whatever wrote the scratch part.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element  # building elements is safe; parsing goes through defusedxml
from xml.sax.saxutils import escape

from defusedxml import ElementTree

from citeslab_xl.adapters.font_order import EXCEL_ORDER
from citeslab_xl.adapters.opc import NS, xmltext

STYLE_SECTIONS = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
                  "tableStyles", "colors", "extLst")
MERGED_SECTIONS = ("numFmts", "fonts", "fills", "borders", "cellXfs")
FIRST_CUSTOM_FORMAT = 164  # lower ids are Excel's built-in formats
RESERVED = {"fonts": 1, "fills": 2, "borders": 1}  # entries with a fixed meaning at the head of each list
# for a workbook that has none: the Normal style only; the lists are seeded from the scratch workbook
EMPTY_STYLES = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{NS.MAIN}">'
                '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
                '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
_MAIN = f"{{{NS.MAIN}}}"


def _local(el: Element) -> str:
    return el.tag.rsplit("}", 1)[-1]


def _in_schema_order(el: Element) -> list[Element]:
    children = list(el)
    if _local(el) != "font":
        return children
    order = {name: i for i, name in enumerate(EXCEL_ORDER)}
    return sorted(children, key=lambda child: order.get(_local(child), len(order)))


def _canon(el: Element) -> tuple:
    """A comparison key: two entries that mean the same have the same key, whatever their child order."""
    return (el.tag, tuple(sorted(el.attrib.items())), (el.text or "").strip(),
            tuple(_canon(c) for c in _in_schema_order(el)))


def _serialize(el: Element, prefix: str) -> str:
    namespace, local = el.tag[1:].split("}")
    if namespace != NS.MAIN or any(key.startswith("{") for key in el.attrib):
        raise ValueError(f"style inattendu : {el.tag}")
    attrs = "".join(f' {key}="{xmltext.quote(value)}"' for key, value in el.attrib.items())
    inner = ((escape(el.text) if el.text and el.text.strip() else "")
             + "".join(_serialize(c, prefix) for c in _in_schema_order(el)))
    return f"<{prefix}{local}{attrs}>{inner}</{prefix}{local}>" if inner else f"<{prefix}{local}{attrs}/>"


def _children(root: Element, local: str) -> list[Element]:
    el = root.find(f"{_MAIN}{local}")
    return list(el) if el is not None else []


class _Section:
    """A list of styles.xml (fonts, fills...): the original entries, then the appended ones."""

    def __init__(self, root: Element, local: str):
        el = root.find(f"{_MAIN}{local}")
        self.present = el is not None
        self.children = list(el) if el is not None else []
        self.keys: dict[tuple, int] = {}
        for i, child in enumerate(self.children):
            self.keys.setdefault(_canon(child), i)
        self.appended: list[Element] = []

    def index_of(self, el: Element) -> int:
        key = _canon(el)
        if key not in self.keys:
            self.keys[key] = len(self.children) + len(self.appended)
            self.appended.append(el)
        return self.keys[key]


class StyleMerger:
    """Appends the scratch workbook's cell formats to the original styles.xml."""

    def __init__(self, original: str | None, scratch: bytes):
        self.text = original if original is not None else EMPTY_STYLES
        self.created = original is None
        root = ElementTree.fromstring(self.text.encode())
        self.prefix = xmltext.prefix_of(self.text, "styleSheet")
        self.sections = {local: _Section(root, local) for local in MERGED_SECTIONS}
        style_xfs = root.find(f"{_MAIN}cellStyleXfs")
        self.has_style_xfs = style_xfs is not None and len(style_xfs) > 0
        formats = self.sections["numFmts"].children
        self.formats = {el.get("formatCode", ""): int(el.get("numFmtId", "0")) for el in reversed(formats)}
        self.format_ids = {int(el.get("numFmtId", "0")) for el in formats}

        scratch_root = ElementTree.fromstring(scratch)
        self.scratch = {local: _children(scratch_root, local) for local in self.sections}
        self.scratch_formats = {int(el.get("numFmtId", "0")): el.get("formatCode", "")
                                for el in self.scratch["numFmts"]}
        self.mapping: dict[int, int] = {0: 0}  # unstyled generated cells take the workbook's default look
        self._seed_missing_sections()

    def _seed_missing_sections(self) -> None:
        # Excel reserves the first entries of these lists (fill 1 is gray125): a list created
        # here starts with the defaults, so that index 0 still means "no formatting"
        for local, seeds in RESERVED.items():
            section = self.sections[local]
            if not section.present and not section.appended:
                for el in self.scratch[local][:seeds]:
                    section.index_of(el)
        if not self.sections["cellXfs"].present:
            self.sections["cellXfs"].index_of(self._remapped_xf(0))

    def map_xf(self, index: int) -> int:
        """The index in the merged cellXfs of the scratch workbook's cell format `index`."""
        if index not in self.mapping:
            self.mapping[index] = self.sections["cellXfs"].index_of(self._remapped_xf(index))
        return self.mapping[index]

    def _remapped_xf(self, index: int) -> Element:
        xf = self.scratch["cellXfs"][index]
        attrs = dict(xf.attrib)
        for key, local in (("fontId", "fonts"), ("fillId", "fills"), ("borderId", "borders")):
            attrs[key] = str(self._map_entry(local, int(attrs.get(key, 0))))
        attrs["numFmtId"] = str(self._map_format(int(attrs.get("numFmtId", 0))))
        for flag in ("pivotButton", "quotePrefix"):
            if attrs.get(flag) == "0":
                del attrs[flag]
        if self.has_style_xfs:
            attrs["xfId"] = "0"
        else:
            attrs.pop("xfId", None)
        copy = Element(xf.tag, attrs)
        copy.extend(list(xf))
        return copy

    def _map_entry(self, local: str, index: int) -> int:
        section = self.sections[local]
        if index < RESERVED[local] and section.present and index < len(section.children):
            return index  # the default font, no fill, gray125, no border: the workbook's own
        return section.index_of(self.scratch[local][index])

    def _map_format(self, format_id: int) -> int:
        if format_id < FIRST_CUSTOM_FORMAT:
            return format_id
        code = self.scratch_formats[format_id]
        if code not in self.formats:
            new_id = max(self.format_ids | {FIRST_CUSTOM_FORMAT - 1}) + 1
            self.formats[code] = new_id
            self.format_ids.add(new_id)
            el = Element(f"{_MAIN}numFmt", {"numFmtId": str(new_id), "formatCode": code})
            self.sections["numFmts"].appended.append(el)
        return self.formats[code]

    def result(self) -> str | None:
        """The new styles.xml, or None when the original already holds every format needed."""
        if not any(section.appended for section in self.sections.values()):
            return None if not self.created else self.text
        text = self.text
        for local in MERGED_SECTIONS:
            section = self.sections[local]
            if not section.appended:
                continue
            items = "".join(_serialize(el, self.prefix) for el in section.appended)
            total = str(len(section.children) + len(section.appended))
            if section.present:
                text = xmltext.set_attribute(xmltext.append_children(text, local, items), local, "count", total)
            else:
                element = f'<{self.prefix}{local} count="{total}">{items}</{self.prefix}{local}>'
                later = STYLE_SECTIONS[STYLE_SECTIONS.index(local) + 1:]
                text = xmltext.insert_child(text, "styleSheet", element, later)
        return text

