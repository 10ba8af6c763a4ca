"""Part names: `PackURI`, a part's absolute name in its package (modelled on python-docx's `opc/packuri.py`).

A part name starts with `/` (`/xl/workbook.xml`); the zip member that holds
the part has the same name without it (`membername`). Part names compare
without regard to case (ECMA-376 Part 2, 9.1.1.1): `Package.find` gives the
spelling a package uses.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Container
from itertools import chain, count
from urllib.parse import unquote

_NUMBERED = re.compile(r"(.*?)(\d*)(\.[^./]+)")  # `/xl/charts/chart3.xml`: stem, number, extension


class PackURI(str):
    """The absolute name of a part, e.g. `/xl/worksheets/sheet1.xml` (`/` is the package itself)."""

    def __new__(cls, uri: str) -> PackURI:
        if not uri.startswith("/"):
            raise ValueError(f"a part name starts with '/': {uri!r}")
        return super().__new__(cls, uri)

    @classmethod
    def from_membername(cls, name: str) -> PackURI:
        """The part held by the zip member `name`."""
        return cls("/" + name)

    @classmethod
    def from_rel_ref(cls, base_uri: str, ref: str) -> PackURI:
        """The part a relationship target reaches: `ref` (percent-encoded, maybe with a fragment) from `base_uri`."""
        path = unquote(ref.split("#")[0])
        return cls(posixpath.normpath(posixpath.join(base_uri, path)))

    @property
    def base_uri(self) -> str:
        """The folder of the part, against which its relationship targets resolve: `/xl` for `/xl/workbook.xml`."""
        return posixpath.split(self)[0]

    @property
    def filename(self) -> str:
        return posixpath.split(self)[1]

    @property
    def ext(self) -> str:
        """The extension, without the dot and in lower case (what `<Default Extension>` matches)."""
        return posixpath.splitext(self.filename)[1][1:].lower()

    @property
    def membername(self) -> str:
        """The name of the zip member holding the part."""
        return self[1:]

    @property
    def rels_uri(self) -> PackURI:
        """The part holding this part's relationships (`/_rels/.rels` for the package)."""
        return PackURI(posixpath.join(self.base_uri, "_rels", self.filename + ".rels"))

    def relative_ref(self, base_uri: str) -> str:
        """This part's name relative to `base_uri`, as a relationship of a part in that folder spells it."""
        return self[1:] if base_uri == "/" else posixpath.relpath(self, base_uri)

    def first_free(self, taken: Container[str]) -> PackURI:
        """This name or the first numbered one not in `taken` (lower-case names), e.g. `/xl/charts/chart3.xml`.

        A numbered name (`chart1.xml`) is always numbered; another (`styles.xml`) is kept when free.
        """
        match = _NUMBERED.fullmatch(self)
        if match is None:
            candidates: chain[str] = chain([self], (f"{self}{n}" for n in count(1)))
        else:
            stem, number, ext = match.groups()
            numbered = (f"{stem}{n}{ext}" for n in count(1))
            candidates = chain([] if number else [self], numbered)
        return PackURI(next(name for name in candidates if name.lower() not in taken))


PACKAGE_URI = PackURI("/")
CONTENT_TYPES_URI = PackURI("/[Content_Types].xml")
# where a part the package lacks is created (numbered when the name is taken)
STYLES_URI = PackURI("/xl/styles.xml")
CUSTOM_PROPERTIES_URI = PackURI("/docProps/custom.xml")
VML_DRAWING_URI = PackURI("/xl/drawings/vmlDrawing1.vml")
