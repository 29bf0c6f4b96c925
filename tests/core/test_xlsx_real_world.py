"""Workbooks as other programs write them (HR and attendance software, LibreOffice,
scripts), all allowed by the OOXML specification: parts found only through the package
relationships, empty shared-string and boolean cells, `_xHHHH_` escapes, backslashes in
member names."""

from __future__ import annotations

import datetime
import zipfile

from entezam.core.xlsx import iter_rows

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def _rels(*rels) -> bytes:
    body = "".join(
        f'<Relationship Id="{i}" Type="{REL}/{kind}" Target="{target}"/>'
        for i, kind, target in rels
    )
    return f'<Relationships xmlns="{PKG}">{body}</Relationships>'.encode()


WORKBOOK = (
    f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
    '<sheet name="Personnel" sheetId="1" r:id="rIdSheet"/></sheets></workbook>'
).encode()

STRINGS = (
    f'<sst xmlns="{MAIN}" count="3" uniqueCount="3">'
    "<si><t>نام</t></si><si><t>تاریخ تولد</t></si>"
    "<si><t>خط یک_x000D__x000A_خط دو و _x005F_x0041_</t></si></sst>"
).encode()

STYLES = (
    f'<styleSheet xmlns="{MAIN}"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/>'
    "</cellXfs></styleSheet>"
).encode()

SHEET = (
    f'<worksheet xmlns="{MAIN}"><sheetData>'
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" s="1"><v>32874</v></c></row>'
    '<row r="3"><c r="A3" t="s"><v></v></c><c r="B3" t="b"><v></v></c>'
    '<c r="C3" t="b"><v>1</v></c><c r="D3" t="str"><v>a_x0009_b</v></c></row>'
    "</sheetData></worksheet>"
).encode()


def _write(path, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(zipfile.ZipInfo(name), content)
    return path


EXPECTED = [
    (1, ["نام", "تاریخ تولد"]),
    (2, ["خط یک\r\nخط دو و _x0041_", datetime.date(1990, 1, 1)]),
    (3, ["", "", True, "a\tb"]),
]


def test_parts_found_only_through_the_package_relationships(tmp_path):
    """An HR export that names its parts its own way: the package relationships lead to the
    workbook, the workbook's to its sheet, shared strings and styles."""
    path = _write(
        tmp_path / "hr.xlsx",
        {
            "_rels/.rels": _rels(("r1", "officeDocument", "book/main.xml")),
            "book/main.xml": WORKBOOK,
            "book/_rels/main.xml.rels": _rels(
                ("rIdSheet", "worksheet", "tables/people.xml"),
                ("rIdStrings", "sharedStrings", "text/strings.xml"),
                ("rIdStyles", "styles", "/book/look.xml"),
            ),
            "book/tables/people.xml": SHEET,
            "book/text/strings.xml": STRINGS,
            "book/look.xml": STYLES,
        },
    )
    assert list(iter_rows(path)) == EXPECTED


def test_member_names_with_backslashes(tmp_path):
    """Some Windows tools write `xl\\worksheets\\sheet1.xml` as the member's name."""
    path = _write(
        tmp_path / "attendance.xlsx",
        {
            "_rels\\.rels": _rels(("r1", "officeDocument", "xl/workbook.xml")),
            "xl\\workbook.xml": WORKBOOK,
            "xl\\_rels\\workbook.xml.rels": _rels(
                ("rIdSheet", "worksheet", "worksheets/sheet1.xml"),
                ("rIdStrings", "sharedStrings", "sharedStrings.xml"),
                ("rIdStyles", "styles", "styles.xml"),
            ),
            "xl\\worksheets\\sheet1.xml": SHEET,
            "xl\\sharedStrings.xml": STRINGS,
            "xl\\styles.xml": STYLES,
        },
    )
    assert list(iter_rows(path)) == EXPECTED


def test_empty_shared_string_and_boolean_cells_read_as_empty(tmp_path):
    path = _write(
        tmp_path / "plain.xlsx",
        {
            "xl/workbook.xml": WORKBOOK,
            "xl/_rels/workbook.xml.rels": _rels(("rIdSheet", "worksheet", "worksheets/s.xml")),
            "xl/worksheets/s.xml": SHEET,
            "xl/sharedStrings.xml": STRINGS,
        },
    )
    rows = dict(iter_rows(path))
    # No package relationships at all: the conventional names still work.
    assert rows[3][:2] == ["", ""]  # not a refusal, not FALSE
    assert rows[2][0] == "خط یک\r\nخط دو و _x0041_"
