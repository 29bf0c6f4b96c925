"""The streaming XLSX reader gives what Excel shows, row by row, in flat memory."""

import datetime
import io
import zipfile

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from entezam.core.xlsx import XlsxError, excel_date, iter_rows


def workbook_file(tmp_path, fill, name="book.xlsx", options=None):
    path = tmp_path / name
    workbook = xlsxwriter.Workbook(str(path), options or {})
    sheet = workbook.add_worksheet("فهرست")
    fill(workbook, sheet)
    workbook.close()
    return path


def calamine_rows(path):
    """An independent reader: rows as python-calamine gives them, trailing blanks cut."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    result = []
    for row in rows:
        while row and row[-1] == "":
            row = row[:-1]
        result.append(row)
    return result


def dense(path):
    """Our rows laid out like calamine's: one list per row from the first, blanks as []."""
    rows = dict(iter_rows(path))
    return [rows.get(number, []) for number in range(1, max(rows) + 1)]


def test_values_match_an_independent_reader(tmp_path):
    def fill(workbook, sheet):
        date = workbook.add_format({"num_format": "yyyy/mm/dd"})
        moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        persian_date = workbook.add_format({"num_format": "[$-fa-IR]yyyy/mm/dd"})
        money = workbook.add_format({"num_format": '#,##0 "ریال"'})
        scientific = workbook.add_format({"num_format": "0.00E+00"})
        sheet.write_row(0, 0, ["کد ملی", "نام", "تاریخ تولد"])
        sheet.write_string(1, 0, "0012345678")
        sheet.write_string(1, 1, "علی‌رضا")
        sheet.write_datetime(1, 2, datetime.datetime(1990, 5, 17), date)
        sheet.write_number(2, 0, 12345678)
        sheet.write_number(2, 1, 2.5)
        sheet.write_datetime(2, 2, datetime.datetime(1990, 5, 17, 10, 30), moment)
        sheet.write_boolean(3, 0, True)
        sheet.write_formula(3, 1, "=1+1", None, 2)
        sheet.write_datetime(3, 2, datetime.datetime(1991, 3, 21), persian_date)
        sheet.write_number(4, 0, 1500000, money)
        sheet.write_number(4, 1, 12345, scientific)
        sheet.write_rich_string(4, 2, "a", workbook.add_format({"bold": True}), "b", "c")
        sheet.write_string(7, 5, "دور")  # rows 6 and 7 empty, a gap of columns

    path = workbook_file(tmp_path, fill)
    assert dense(path) == calamine_rows(path)
    rows = dict(iter_rows(path))
    assert rows[2] == ["0012345678", "علی‌رضا", datetime.date(1990, 5, 17)]
    assert rows[3][2] == datetime.datetime(1990, 5, 17, 10, 30)
    assert rows[4] == [True, 2.0, datetime.date(1991, 3, 21)]
    assert rows[5] == [1500000.0, 12345.0, "abc"]
    assert rows[8] == ["", "", "", "", "", "دور"]
    assert 6 not in rows and 7 not in rows


def test_1904_date_system(tmp_path):
    def fill(workbook, sheet):
        sheet.write_datetime(
            0, 0, datetime.datetime(1990, 5, 17), workbook.add_format({"num_format": "yyyy-mm-dd"})
        )

    path = workbook_file(tmp_path, fill, options={"date_1904": True})
    assert dict(iter_rows(path))[1] == [datetime.date(1990, 5, 17)]


def test_excel_serials():
    assert excel_date(1) == datetime.date(1900, 1, 1)
    assert excel_date(61) == datetime.date(1900, 3, 1)
    assert excel_date(33010) == datetime.date(1990, 5, 17)
    assert excel_date(33010.5) == datetime.datetime(1990, 5, 17, 12, 0)
    assert excel_date(0, date1904=True) == datetime.date(1904, 1, 1)


HAND_WRITTEN_SHEET = """<?xml version="1.0" encoding="UTF-8"?>
<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<x:sheetData>
<x:row><x:c t="inlineStr"><x:is><x:t>&#1593;&#1604;&#1740; &amp; </x:t></x:is></x:c>
<x:c t="inlineStr"><x:is><x:r><x:t>ک</x:t></x:r><x:r><x:t>ریمی</x:t></x:r>
<x:rPh><x:t>phonetic</x:t></x:rPh></x:is></x:c><x:c t="d"><x:v>1990-05-17</x:v></x:c></x:row>
<x:row><x:c t="e"><x:v>#N/A</x:v></x:c><x:c/><x:c t="str"><x:f>A1</x:f><x:v>x</x:v></x:c></x:row>
</x:sheetData></x:worksheet>""".encode()

WORKBOOK = b"""<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="a" sheetId="1" r:id="rId7"/></sheets></workbook>"""

RELS = b"""<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId7" Type="worksheet" Target="worksheets/data.xml"/></Relationships>"""


def hand_made(tmp_path, sheet=HAND_WRITTEN_SHEET, members=None):
    path = tmp_path / "hand.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", RELS)
        archive.writestr("xl/worksheets/data.xml", sheet)
        for name, content in (members or {}).items():
            archive.writestr(name, content)
    return path


def test_prefixed_namespace_inline_strings_and_cells_without_references(tmp_path):
    rows = list(iter_rows(hand_made(tmp_path)))
    assert rows == [
        (1, ["علی & ", "کریمی", datetime.date(1990, 5, 17)]),
        (2, ["#N/A", "", "x"]),
    ]


def test_a_sheet_is_read_as_it_streams(tmp_path):
    """Rows come out before the end of the sheet is parsed: a sheet whose XML breaks near
    its end still yields the rows before the break."""
    body = b"".join(
        b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i) for i in range(1, 40_000)
    )
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>" + body + b"<row><c><v>1</v></broken></sheetData></worksheet>"
    )
    seen = []
    with pytest.raises(XlsxError):
        for number, cells in iter_rows(hand_made(tmp_path, sheet=sheet)):
            seen.append((number, cells))
    assert seen[:2] == [(1, [1.0]), (2, [2.0])]
    # Rows of the last block read are lost with the error; everything before came out.
    assert len(seen) > 30_000
    assert [number for number, _cells in seen] == list(range(1, len(seen) + 1))


@pytest.mark.parametrize(
    "damage",
    [
        lambda content: content[: len(content) // 2],  # truncated
        lambda content: content[:100] + bytes(len(content) - 100),  # zeroed
        lambda content: b"PK" + content[2:50],
    ],
)
def test_damaged_files_raise_xlsx_error(tmp_path, damage):
    def fill(workbook, sheet):
        for row in range(500):
            sheet.write_row(row, 0, [f"نام {row}", row, "متن"])

    content = workbook_file(tmp_path, fill).read_bytes()
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(damage(content))
    with pytest.raises(XlsxError):
        list(iter_rows(broken))


def test_a_zip_without_a_workbook_is_refused(tmp_path):
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    with pytest.raises(XlsxError):
        list(iter_rows(path))


def test_a_workbook_without_its_sheet_is_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", WORKBOOK)
    path = tmp_path / "no-sheet.xlsx"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(XlsxError):
        list(iter_rows(path))


def sheet_of(rows_xml: str, prolog: str = "") -> bytes:
    return (
        prolog + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<sheetData>" + rows_xml + "</sheetData></worksheet>"
    ).encode()


def test_a_part_declaring_entities_is_refused_before_expanding_them(tmp_path):
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    )
    sheet = sheet_of('<row r="1"><c t="inlineStr"><is><t>&b;</t></is></c></row>', laughs)
    with pytest.raises(XlsxError):
        list(iter_rows(hand_made(tmp_path, sheet=sheet)))


@pytest.mark.parametrize("reference", ["A-1", "XFE1", "Ж1"])
def test_impossible_cell_references_are_refused(tmp_path, reference):
    sheet = sheet_of(f'<row r="1"><c r="{reference}"><v>1</v></c></row>')
    with pytest.raises(XlsxError):
        list(iter_rows(hand_made(tmp_path, sheet=sheet)))


def test_sheet_relationships_resolve_against_the_workbook_folder(tmp_path):
    # Target "worksheets/data.xml" next to xl/workbook.xml is xl/worksheets/data.xml.
    sheet = sheet_of('<row r="3"><c r="B3" t="inlineStr"><is><t>ب</t></is></c></row>')
    assert list(iter_rows(hand_made(tmp_path, sheet=sheet))) == [(3, ["", "ب"])]
