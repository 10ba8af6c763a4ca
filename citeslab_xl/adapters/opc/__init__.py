"""The OOXML package layer (Open Packaging Conventions), modelled on python-docx's `opc/`.

`packuri` (part names), `rels` (relationships parts), `content_types`
(`[Content_Types].xml`), `constants` (namespaces, relationship and content
types), `xmltext` (editing a shared part as text, keeping every other byte),
`package` (a package read into parts, and the edit that makes a new one) and
`zipcopy` (the new package's zip, her unchanged entries copied as they stand).
"""

from citeslab_xl.adapters.opc.constants import CT, NS, RT
from citeslab_xl.adapters.opc.package import Package, PackageEdit
from citeslab_xl.adapters.opc.packuri import PackURI
from citeslab_xl.adapters.opc.rels import Rel

__all__ = ["CT", "NS", "RT", "PackURI", "Package", "PackageEdit", "Rel"]
