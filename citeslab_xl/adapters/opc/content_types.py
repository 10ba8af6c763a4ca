"""The content types part (`[Content_Types].xml`): `<Default>` by extension, `<Override>` by part name."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from citeslab_xl.adapters.opc import xmltext
from citeslab_xl.adapters.opc.constants import NS
from citeslab_xl.adapters.opc.packuri import PackURI


@dataclass(frozen=True)
class ContentTypes:
    defaults: dict[str, str]  # by extension, lower case
    overrides: dict[str, str]  # by part name, lower case

    @classmethod
    def parse(cls, root: Element) -> ContentTypes:
        defaults = {el.get("Extension", "").lower(): el.get("ContentType", "")
                    for el in root.iter(f"{{{NS.CONTENT_TYPES}}}Default")}
        overrides = {_key(el.get("PartName", "")): el.get("ContentType", "")
                     for el in root.iter(f"{{{NS.CONTENT_TYPES}}}Override")}
        return cls(defaults, overrides)

    def of(self, part: PackURI) -> str:
        """The content type of `part` ("" when the package gives it none)."""
        return self.overrides.get(part.lower()) or self.defaults.get(part.ext, "")

    def needs_override(self, part: PackURI, content_type: str) -> bool:
        """Whether `part` needs an `<Override>` to have `content_type` (none when its extension's default says so)."""
        key = part.lower()
        if key in self.overrides:
            return self.overrides[key] != content_type
        return self.defaults.get(part.ext) != content_type


def _key(part_name: str) -> str:
    return "/" + part_name.lstrip("/").lower()


def updated(text: str, current: ContentTypes, wanted: Mapping[PackURI, str], removed: Collection[PackURI]) -> str:
    """The part `text` (read as `current`) giving each part of `wanted` its type, forgetting the `removed` ones.

    An override that is still right stays where it is; the others are removed,
    and the overrides needed are appended.
    """
    wanted_by_key = {part.lower(): content_type for part, content_type in wanted.items()}
    removed_keys = {part.lower() for part in removed}

    def stale(attrs: xmltext.Attributes) -> bool:
        key = _key(attrs.get("PartName", ""))
        if key in wanted_by_key:
            return wanted_by_key[key] != attrs.get("ContentType")
        return key in removed_keys

    text = xmltext.remove_elements(text, "Override", stale)
    needed = {part: content_type for part, content_type in wanted.items()
              if current.needs_override(part, content_type)}
    return add_overrides(text, needed) if needed else text


def add_overrides(text: str, overrides: Mapping[PackURI, str]) -> str:
    """The part `text` with one `<Override>` more for each part of `overrides`."""
    prefix = xmltext.prefix_of(text, "Types")
    items = "".join(f'<{prefix}Override PartName="{xmltext.quote(part)}" ContentType="{xmltext.quote(content_type)}"/>'
                    for part, content_type in overrides.items())
    return xmltext.append_children(text, "Types", items)
