"""`docProps/app.xml` listing the sheets as they are, once sheets are appended to the workbook.

Excel lists the workbook's parts in the extended properties: `TitlesOfParts`
holds the names (worksheets first, then named ranges, charts...), and
`HeadingPairs` says how many names each group has, under a label in Excel's
language ("Worksheets", "Feuilles de calcul"). The worksheets' group is the
one whose names are the workbook's worksheets, in order: the new sheets go at
its end and its count grows. A part that lists something else (a producer
that wrote no titles, or titles that do not match the workbook) is left as it
is: Excel rewrites it on its next save and reads nothing from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import unescape

from citeslab_xl.adapters.opc import RT, PackageEdit, PackURI, xmltext
from citeslab_xl.adapters.opc.packuri import PACKAGE_URI

_VARIANT_VALUE = re.compile(r"<((?:[\w.-]+:)?)(lpstr|i4)\s*>(.*?)</\1\2\s*>", re.S)
_LPSTR = re.compile(r"<((?:[\w.-]+:)?)lpstr\s*>(.*?)</\1lpstr\s*>", re.S)


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    text: str


def app_part(edit: PackageEdit) -> PackURI | None:
    """The extended properties part of the package, when it has one."""
    rel = next((rel for rel in edit.package.rels(PACKAGE_URI)
                if rel.type == RT.EXTENDED_PROPERTIES and not rel.external), None)
    return edit.package.find(rel.target) if rel is not None else None


def list_sheets(edit: PackageEdit, before: list[str], after: list[str]) -> None:
    """List `after` as the worksheets of app.xml, where it listed `before` (the workbook's sheets before the run)."""
    part = app_part(edit)
    if part is None or after == before:
        return
    text = edit.text(part)
    new = with_sheets(text, before, after)
    if new != text:
        edit.put_text(part, new)


def with_sheets(text: str, before: list[str], after: list[str]) -> str:
    """The app.xml `text` whose worksheets' group, when it lists `before`, lists `after` instead."""
    heading = _element(text, "HeadingPairs")
    titles = _element(text, "TitlesOfParts")
    if heading is None or titles is None:
        return text
    values = [(m.group(2), m) for m in _VARIANT_VALUE.finditer(heading.text)]
    counts = [(values[i][1], values[i + 1][1]) for i in range(0, len(values) - 1, 2)
              if values[i][0] == "lpstr" and values[i + 1][0] == "i4"]
    names = list(_LPSTR.finditer(titles.text))
    at = 0
    for _, count in counts:
        size = int(count.group(3)) if count.group(3).strip().isdigit() else -1
        group = names[at:at + size]
        if size > 0 and [unescape(m.group(2)) for m in group] == before:
            return _edited(text, heading, titles, count, group, after)
        at += max(size, 0)
    return text


def _element(text: str, local: str) -> _Span | None:
    found = next(xmltext.elements(text, local), None)
    if found is None:
        return None
    start, end, _, _ = found
    return _Span(start, end, text[start:end])


def _edited(text: str, heading: _Span, titles: _Span, count: re.Match[str], group: list[re.Match[str]],
            after: list[str]) -> str:
    prefix = group[0].group(1)
    items = "".join(f"<{prefix}lpstr>{xmltext.quote(name)}</{prefix}lpstr>" for name in after)
    new_titles = titles.text[:group[0].start()] + items + titles.text[group[-1].end():]
    new_titles = _with_vector_size(new_titles, len(after) - len(group))
    new_heading = heading.text[:count.start(3)] + str(len(after)) + heading.text[count.end(3):]
    spans = sorted([(heading, new_heading), (titles, new_titles)], key=lambda pair: pair[0].start, reverse=True)
    for span, replacement in spans:
        text = text[:span.start] + replacement + text[span.end:]
    return text


def _with_vector_size(titles: str, more: int) -> str:
    vector = xmltext.start_tag("vector").search(titles)
    if vector is None:
        return titles
    size = re.search(r"\bsize\s*=\s*[\"'](\d+)[\"']", vector.group(2))
    if size is None:
        return titles
    return xmltext.set_attribute(titles, "vector", "size", str(int(size.group(1)) + more))
