"""The OOXML package layer: part names, relationships, content types, text edits, the package and its edit."""

from __future__ import annotations

import io
import zipfile
from xml.parsers import expat

import pytest
from defusedxml import ElementTree

from citeslab_xl.adapters.opc import CT, NS, RT, Package, PackageEdit, PackURI, rels, xmltext
from citeslab_xl.adapters.opc.content_types import ContentTypes, updated
from citeslab_xl.adapters.opc.package import NEW_PART_TIME, write_zip
from citeslab_xl.adapters.opc.packuri import PACKAGE_URI
from citeslab_xl.core.errors import UnusableWorkbook

SHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
XML_CT = "application/xml"


# --- part names ---------------------------------------------------------------------

def test_a_part_name_is_absolute():
    with pytest.raises(ValueError):
        PackURI("xl/workbook.xml")
    assert PackURI.from_membername("xl/workbook.xml") == "/xl/workbook.xml"
    assert PackURI("/xl/workbook.xml").membername == "xl/workbook.xml"


def test_the_parts_of_a_part_name():
    uri = PackURI("/xl/worksheets/Sheet1.XML")
    assert (uri.base_uri, uri.filename, uri.ext) == ("/xl/worksheets", "Sheet1.XML", "xml")
    assert PackURI("/[Content_Types].xml").base_uri == "/"


def test_the_rels_part_of_a_part_and_of_the_package():
    assert PackURI("/xl/workbook.xml").rels_uri == "/xl/_rels/workbook.xml.rels"
    assert PACKAGE_URI.rels_uri == "/_rels/.rels"


@pytest.mark.parametrize(("base", "ref", "part"), [
    ("/xl", "worksheets/sheet1.xml", "/xl/worksheets/sheet1.xml"),
    ("/xl/worksheets", "../drawings/drawing1.xml", "/xl/drawings/drawing1.xml"),
    ("/xl/worksheets", "/xl/media/image1.png", "/xl/media/image1.png"),  # an absolute target
    ("/", "xl/workbook.xml", "/xl/workbook.xml"),  # from the package's own rels
    ("/xl", "media/image%201.png", "/xl/media/image 1.png"),  # percent-encoded
    ("/xl", "sheet1.xml#A1", "/xl/sheet1.xml"),  # a fragment names a place in the part, not a part
])
def test_a_relationship_target_resolves_to_a_part_name(base, ref, part):
    assert PackURI.from_rel_ref(base, ref) == part


def test_a_part_name_relative_to_a_folder():
    assert PackURI("/xl/worksheets/sheet2.xml").relative_ref("/xl") == "worksheets/sheet2.xml"
    assert PackURI("/docProps/custom.xml").relative_ref("/") == "docProps/custom.xml"
    assert PackURI("/xl/charts/chart1.xml").relative_ref("/xl/drawings") == "../charts/chart1.xml"


def test_the_first_free_name_fills_gaps_and_ignores_case():
    taken = {"/xl/charts/chart1.xml", "/xl/charts/chart3.xml", "/xl/styles.xml"}
    assert PackURI("/xl/charts/chart7.xml").first_free(taken) == "/xl/charts/chart2.xml"
    assert PackURI("/xl/charts/Chart1.xml").first_free({"/xl/charts/chart1.xml"}) == "/xl/charts/Chart2.xml"
    assert PackURI("/docProps/custom.xml").first_free(taken) == "/docProps/custom.xml"  # unnumbered stays so
    assert PackURI("/xl/styles.xml").first_free(taken) == "/xl/styles1.xml"
    assert PackURI("/xl/README").first_free({"/xl/readme"}) == "/xl/README1"


# --- relationships ------------------------------------------------------------------

RELS = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="{NS.RELATIONSHIPS}">'
        f'<Relationship Id="rId1" Type="{RT.WORKSHEET}" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId3" Type="{RT.STYLES}" Target="/xl/styles.xml"/>'
        '<Relationship Id="rId9" Type="http://example.org/link" Target="http://example.org/" TargetMode="External"/>'
        '</Relationships>')


def test_relationships_are_read_with_their_targets_resolved():
    found = rels.parse(ElementTree.fromstring(RELS), PackURI("/xl/workbook.xml"))
    assert [(r.id, r.target, r.external) for r in found] == [
        ("rId1", "/xl/worksheets/sheet1.xml", False), ("rId3", "/xl/styles.xml", False),
        ("rId9", "http://example.org/", True)]


def test_the_next_id_fills_the_first_gap():
    assert rels.next_rid({"rId1", "rId3"}) == "rId2"
    assert rels.next_rid(set()) == "rId1"
    assert rels.next_rid({"rId1", "rId2", "R5"}) == "rId3"


def test_a_relationship_is_appended_and_every_other_byte_stays():
    text, rid = rels.add_relationship(RELS, RT.CALC_CHAIN, "calcChain.xml")
    assert rid == "rId2"
    element = f'<Relationship Id="rId2" Type="{RT.CALC_CHAIN}" Target="calcChain.xml"/>'
    assert text == RELS.replace("</Relationships>", element + "</Relationships>")
    assert rels.remove_relationship(text, "rId2") == RELS


def test_a_relationship_goes_into_an_empty_part_in_its_prefix():
    prefixed = f'<r:Relationships xmlns:r="{NS.RELATIONSHIPS}"/>'
    text, rid = rels.add_relationship(prefixed, RT.VML_DRAWING, "/xl/drawings/vmlDrawing1.vml")
    assert (rid, text.count("<r:Relationship ")) == ("rId1", 1)
    _, rid = rels.add_relationship(rels.EMPTY_RELS, RT.VML_DRAWING, "/x.vml")
    assert rid == "rId1"


def test_a_new_rels_part_reads_back_as_written():
    written = rels.parse(ElementTree.fromstring(RELS), PackURI("/xl/workbook.xml"))
    again = rels.parse(ElementTree.fromstring(rels.serialize(written)), PackURI("/xl/workbook.xml"))
    assert again == written


# --- content types -------------------------------------------------------------------

TYPES = (f'<Types xmlns="{NS.CONTENT_TYPES}"><Default Extension="xml" ContentType="{XML_CT}"/>'
         f'<Default Extension="rels" ContentType="{CT.RELATIONSHIPS}"/>'
         f'<Override PartName="/xl/workbook.xml" ContentType="{CT.SML_SHEET_MAIN}"/>'
         f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEET_CT}"/></Types>')


def types_of(text: str) -> ContentTypes:
    return ContentTypes.parse(ElementTree.fromstring(text))


def test_a_content_type_comes_from_an_override_or_the_extension():
    types = types_of(TYPES)
    assert types.of(PackURI("/XL/Workbook.xml")) == CT.SML_SHEET_MAIN  # part names ignore case
    assert types.of(PackURI("/docProps/app.XML")) == XML_CT
    assert types.of(PackURI("/xl/vbaProject.bin")) == ""


def test_content_types_are_brought_up_to_date():
    wanted = {PackURI("/xl/workbook.xml"): CT.SML_SHEET_MACRO_MAIN,  # retyped
              PackURI("/xl/worksheets/sheet2.xml"): SHEET_CT,  # new
              PackURI("/xl/drawings/vmlDrawing1.vml"): CT.VML_DRAWING,  # new, no default for its extension
              PackURI("/xl/_rels/workbook.xml.rels"): CT.RELATIONSHIPS,  # its extension's default says it
              PackURI("/docProps/custom.xml"): XML_CT}
    text = updated(TYPES, types_of(TYPES), wanted, removed={PackURI("/xl/worksheets/sheet1.xml")})
    types = types_of(text)
    assert types.overrides == {"/xl/workbook.xml": CT.SML_SHEET_MACRO_MAIN, "/xl/worksheets/sheet2.xml": SHEET_CT,
                               "/xl/drawings/vmldrawing1.vml": CT.VML_DRAWING}
    assert types.defaults == types_of(TYPES).defaults


def test_an_override_still_right_stays_in_place():
    kept = {PackURI("/xl/worksheets/sheet1.xml"): SHEET_CT}
    assert updated(TYPES, types_of(TYPES), kept, removed=set()) == TYPES


# --- text edits ------------------------------------------------------------------------

def test_a_child_goes_before_the_elements_its_schema_puts_after_it():
    sheet = "<x:worksheet xmlns:x='m'><x:sheetData/><x:tableParts count='1'/><x:extLst/></x:worksheet>"
    assert xmltext.insert_child(sheet, "worksheet", "<x:legacyDrawing/>", ("tableParts", "extLst")) == \
        "<x:worksheet xmlns:x='m'><x:sheetData/><x:legacyDrawing/><x:tableParts count='1'/><x:extLst/></x:worksheet>"
    at_the_end = xmltext.insert_child(sheet, "worksheet", "<x:new/>", ("picture",))
    assert at_the_end.endswith("<x:extLst/><x:new/></x:worksheet>")


def test_only_the_elements_asked_for_change():
    text = '<fonts count="1" x="a&amp;b"><font/></fonts><fontsX/>'
    assert xmltext.set_attribute(text, "fonts", "count", "2") == '<fonts count="2" x="a&amp;b"><font/></fonts><fontsX/>'
    assert xmltext.append_children("<a><b/></a>", "b", "<c/>") == "<a><b><c/></b></a>"
    removed = xmltext.remove_elements('<p name="x"/><p name="y">1</p>', "p", lambda attrs: attrs["name"] == "y")
    assert removed == '<p name="x"/>'
    with pytest.raises(ValueError):
        xmltext.prefix_of("<a/>", "b")


# --- the package ------------------------------------------------------------------------

def package_bytes(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(zipfile.ZipInfo(name, (2024, 5, 6, 7, 8, 10)), data)
    return buffer.getvalue()


def workbook_rels(*targets: str) -> bytes:
    items = "".join(f'<Relationship Id="rId{i}" Type="{RT.WORKSHEET}" Target="{t}"/>'
                    for i, t in enumerate(targets, start=1))
    return f'<Relationships xmlns="{NS.RELATIONSHIPS}">{items}</Relationships>'.encode()


@pytest.fixture
def package() -> Package:
    return Package(package_bytes({
        "[Content_Types].xml": TYPES.encode(),
        "_rels/.rels": f'<Relationships xmlns="{NS.RELATIONSHIPS}"><Relationship Id="rId1" '
                       f'Type="{RT.OFFICE_DOCUMENT}" Target="xl/workbook.xml"/></Relationships>'.encode(),
        "xl/workbook.xml": b"<workbook/>",
        "xl/_rels/workbook.xml.rels": workbook_rels("worksheets/Sheet1.xml", "worksheets/sheet2.xml"),
        "xl/worksheets/sheet1.xml": b"<worksheet/>",  # the rels spell it otherwise: names ignore case
        "xl/worksheets/sheet2.xml": b"<worksheet/>",
        "xl/worksheets/_rels/sheet2.xml.rels": workbook_rels("../media/image1.png"),
        "xl/media/image1.png": b"\x89PNG",
    }), "test.xlsx")


def test_a_relationship_reaches_a_part_however_it_spells_its_name(package):
    assert package.find("/XL/WORKSHEETS/SHEET1.XML") == "/xl/worksheets/sheet1.xml"
    assert package.internal_targets(PackURI("/xl/workbook.xml")) == ["/xl/worksheets/sheet1.xml",
                                                                     "/xl/worksheets/sheet2.xml"]


def test_the_parts_only_a_sheet_reaches(package):
    sheet2 = PackURI("/xl/worksheets/sheet2.xml")
    assert package.parts_only_reached_from([sheet2]) == {
        sheet2, PackURI("/xl/worksheets/_rels/sheet2.xml.rels"), PackURI("/xl/media/image1.png")}
    assert package.parts_only_reached_from([]) == set()


def test_a_package_that_is_no_zip_is_refused_in_a_sentence():
    with pytest.raises(UnusableWorkbook, match="archive illisible"):
        Package(b"not a zip", "x.xlsx")


def test_a_broken_part_is_refused_in_a_sentence():
    package = Package(package_bytes({"xl/workbook.xml": b"<workbook"}), "test.xlsx")
    with pytest.raises(UnusableWorkbook, match=r"« xl/workbook\.xml » est endommagée"):
        package.xml(PackURI("/xl/workbook.xml"))


def test_an_edit_keeps_the_order_and_metadata_of_the_parts_it_does_not_change(package):
    edit = PackageEdit(package)
    edit.remove({PackURI("/xl/media/image1.png")})
    new = edit.free_name(PackURI("/xl/worksheets/sheet1.xml"))
    edit.put(new, b"<worksheet/>", SHEET_CT)
    book_rels = edit.rels_text(PackURI("/xl/workbook.xml")) or ""
    text, _ = rels.add_relationship(book_rels, RT.WORKSHEET, "worksheets/sheet3.xml")
    edit.put_rels(PackURI("/xl/workbook.xml"), text)
    edit.put_rels(new, rels.EMPTY_RELS)
    entries = edit.entries()

    names = [info.filename for info, _ in entries]
    assert new == "/xl/worksheets/sheet3.xml"
    assert names == ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                     "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/_rels/sheet2.xml.rels",
                     "xl/worksheets/sheet3.xml", "xl/worksheets/_rels/sheet3.xml.rels"]
    times = {info.filename: info.date_time for info, _ in entries}
    assert times["xl/worksheets/sheet2.xml"] == (2024, 5, 6, 7, 8, 10)
    assert times["xl/worksheets/sheet3.xml"] == NEW_PART_TIME
    data = dict((info.filename, data) for info, data in entries)
    assert data["xl/worksheets/sheet2.xml"] is None  # kept as it stands in her file, never inflated
    assert b"sheet3.xml" in data["xl/_rels/workbook.xml.rels"]
    assert types_of(data["[Content_Types].xml"].decode()).overrides["/xl/worksheets/sheet3.xml"] == SHEET_CT


def test_an_edit_leaves_an_unchanged_content_types_part_byte_identical(package):
    edit = PackageEdit(package)
    edit.put_text(PackURI("/xl/workbook.xml"), "<workbook><sheets/></workbook>")
    data = dict((info.filename, data) for info, data in edit.entries())
    assert data["[Content_Types].xml"] is None


def test_an_edit_refuses_to_produce_a_broken_part(package):
    edit = PackageEdit(package)
    edit.put_text(PackURI("/xl/workbook.xml"), "<workbook>")
    with pytest.raises(expat.ExpatError, match=r"/xl/workbook\.xml "):
        edit.entries()


def test_an_edit_refuses_a_broken_rels_part_too(package):
    edit = PackageEdit(package)
    edit.put_text(PackURI("/xl/_rels/workbook.xml.rels"), "<Relationships><Relationship></Relationships>")
    with pytest.raises(expat.ExpatError, match=r"workbook\.xml\.rels "):
        edit.entries()


def test_the_entries_make_a_package_that_reads_back(package):
    buffer = io.BytesIO()
    write_zip(buffer, PackageEdit(package).entries())
    again = Package(buffer.getvalue(), "copie.xlsx")
    assert again.parts == package.parts


def test_a_damaged_part_is_refused_when_the_package_is_read():
    data = bytearray(package_bytes({"xl/workbook.xml": b"<workbook/>" * 50}))
    data[data.index(b"<workbook/>")] ^= 1  # stored uncompressed by zipfile's default: the CRC no longer matches
    with pytest.raises(UnusableWorkbook, match="archive illisible"):
        Package(bytes(data), "x.xlsx")
