"""Relationships parts (`_rels/*.rels`), modelled on python-docx's `opc/rel.py`.

`parse` reads a part's relationships with their targets resolved to part
names; `serialize` writes a new rels part; `add_relationship` and
`remove_relationship` edit an existing one as text, keeping every other byte.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from itertools import count
from xml.etree.ElementTree import Element

from citeslab_xl.adapters.opc import xmltext
from citeslab_xl.adapters.opc.constants import NS
from citeslab_xl.adapters.opc.packuri import PackURI

EMPTY_RELS = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{NS.RELATIONSHIPS}"/>'
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


@dataclass(frozen=True)
class Rel:
    id: str
    type: str
    target: str  # a PackURI when internal, the raw target otherwise
    external: bool


def parse(root: Element, source: PackURI) -> list[Rel]:
    """The relationships of the part `source`, from the root of its rels part."""
    rels = []
    for el in root.iter(f"{{{NS.RELATIONSHIPS}}}Relationship"):
        raw = el.get("Target", "")
        external = el.get("TargetMode") == "External"
        target = raw if external else PackURI.from_rel_ref(source.base_uri, raw)
        rels.append(Rel(el.get("Id", ""), el.get("Type", ""), target, external))
    return rels


def serialize(rels: Iterable[Rel]) -> bytes:
    """A new rels part; internal targets are written as absolute part names."""
    items = []
    for rel in rels:
        mode = ' TargetMode="External"' if rel.external else ""
        items.append(f'<Relationship Id="{xmltext.quote(rel.id)}" Type="{xmltext.quote(rel.type)}" '
                     f'Target="{xmltext.quote(rel.target)}"{mode}/>')
    return f'{_XML_DECLARATION}<Relationships xmlns="{NS.RELATIONSHIPS}">{"".join(items)}</Relationships>'.encode()


def next_rid(used: Collection[str]) -> str:
    """The first `rIdN` not in `used`, filling gaps (`rId2` when `rId1` and `rId3` are taken)."""
    return next(f"rId{n}" for n in count(1) if f"rId{n}" not in used)


def add_relationship(text: str, rel_type: str, target: str) -> tuple[str, str]:
    """The rels part `text` with one more internal relationship to `target`, and its id."""
    used = {attrs.get("Id", "") for _, _, _, attrs in xmltext.elements(text, "Relationship")}
    rid = next_rid(used)
    prefix = xmltext.prefix_of(text, "Relationships")
    element = (f'<{prefix}Relationship Id="{rid}" Type="{xmltext.quote(rel_type)}" '
               f'Target="{xmltext.quote(target)}"/>')
    return xmltext.append_children(text, "Relationships", element), rid


def remove_relationship(text: str, rid: str) -> str:
    return xmltext.remove_elements(text, "Relationship", lambda attrs: attrs.get("Id") == rid)
