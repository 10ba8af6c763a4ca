"""Editing an XML part as text: only the elements the tool owns change.

Shared parts (the workbook, its rels, the content types, the styles, the
custom properties) are edited as text rather than re-serialised, so that every
other byte stays: namespace declarations, `mc:Ignorable` prefixes, extensions
Excel wrote. The functions find an element by its local name, whatever the
prefix the part gives it; an element is never nested inside another of its name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from xml.sax.saxutils import escape

_ATTRS = r"((?:\s+[\w:.-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)"
_ATTR = re.compile(r"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")

Attributes = dict[str, str]


def start_tag(local: str) -> re.Pattern[str]:
    """A start (or empty) tag of `local`: groups prefix (with its colon), attributes, `/` when empty."""
    return re.compile(rf"<((?:[\w.-]+:)?){local}{_ATTRS}\s*(/?)>")


def _end_tag(prefix: str, local: str) -> re.Pattern[str]:
    return re.compile(rf"</{re.escape(prefix)}{local}\s*>")


def quote(value: object) -> str:
    """A value escaped for a double-quoted attribute."""
    return escape(str(value), {'"': "&quot;"})


def _unescape(value: str) -> str:
    return (value.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


def _attributes(attr_text: str) -> Attributes:
    return {m.group(1): _unescape(m.group(2) if m.group(2) is not None else m.group(3))
            for m in _ATTR.finditer(attr_text)}


def _first(text: str, local: str, start: int = 0) -> re.Match[str]:
    match = start_tag(local).search(text, start)
    if match is None:
        raise ValueError(f"<{local}> introuvable")
    return match


def _close(text: str, match: re.Match[str], local: str) -> re.Match[str]:
    close = _end_tag(match.group(1), local).search(text, match.end())
    if close is None:
        raise ValueError(f"<{local}> sans fin")
    return close


def elements(text: str, local: str) -> Iterator[tuple[int, int, str, Attributes]]:
    """(start, end, prefix, attributes) of each `local` element."""
    for match in start_tag(local).finditer(text):
        end = match.end() if match.group(3) else _close(text, match, local).end()
        yield match.start(), end, match.group(1), _attributes(match.group(2))


def has_element(text: str, local: str, start: int = 0) -> bool:
    return start_tag(local).search(text, start) is not None


def element_end(text: str, local: str) -> int:
    """Where the first `local` element ends."""
    match = _first(text, local)
    return match.end() if match.group(3) else _close(text, match, local).end()


def prefix_of(text: str, local: str) -> str:
    """The prefix (with its colon, or "") that the part gives the first `local` element."""
    return _first(text, local).group(1)


def namespace_prefix(text: str, namespace: str) -> str | None:
    """The prefix `text` declares for `namespace`, if any."""
    match = re.search(rf"xmlns:([\w.-]+)\s*=\s*[\"']{re.escape(namespace)}[\"']", text)
    return match.group(1) if match else None


def remove_elements(text: str, local: str, drop: Callable[[Attributes], bool]) -> str:
    """`text` without the `local` elements whose attributes `drop` selects."""
    spans = [(start, end) for start, end, _, attrs in elements(text, local) if drop(attrs)]
    for start, end in reversed(spans):
        text = text[:start] + text[end:]
    return text


def append_children(text: str, local: str, children: str) -> str:
    """Insert `children` at the end of the first `local` element (an empty one is opened)."""
    match = _first(text, local)
    if match.group(3):
        prefix = match.group(1)
        opened = f"<{prefix}{local}{match.group(2)}>{children}</{prefix}{local}>"
        return text[:match.start()] + opened + text[match.end():]
    close = _close(text, match, local)
    return text[:close.start()] + children + text[close.start():]


def insert_child(text: str, parent: str, child: str, before: Iterable[str], start: int = 0) -> str:
    """Insert `child` into the first `parent` element where its schema puts it.

    `before` names the elements that come after `child` in the parent's
    sequence: `child` goes before the first of them found after `start`,
    else at the end of the parent.
    """
    later = [m.start() for local in before if (m := start_tag(local).search(text, start))]
    if later:
        at = min(later)
        return text[:at] + child + text[at:]
    return append_children(text, parent, child)


def set_attribute(text: str, local: str, name: str, value: str) -> str:
    """Set (or add) attribute `name` of the first `local` element."""
    match = _first(text, local)
    attr_text = match.group(2)
    pattern = re.compile(rf"(\s{re.escape(name)}\s*=\s*)(\"[^\"]*\"|'[^']*')")
    if pattern.search(attr_text):
        attr_text = pattern.sub(lambda m: f'{m.group(1)}"{quote(value)}"', attr_text, count=1)
    else:
        attr_text += f' {name}="{quote(value)}"'
    tag = f"<{match.group(1)}{local}{attr_text}{'/' if match.group(3) else ''}>"
    return text[:match.start()] + tag + text[match.end():]
