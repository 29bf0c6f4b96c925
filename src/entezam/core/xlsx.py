"""Streaming reader for the first worksheet of an XLSX file, in flat memory.

Spreadsheet libraries load a whole sheet before handing out its first row, so their memory
grows with the file. This reader decompresses the worksheet XML block by block and parses it
with expat as it goes, handing out each row once its closing tag is read; only the shared
strings table (the file's distinct texts) is held, packed as UTF-8 with an offset array.

Values come back as Python types: text `str`, numbers `float`, booleans `bool`, cells with a
date number format (or ISO `t="d"` cells) `datetime.date`, or `datetime.datetime` when the
value has a time of day; an empty cell is `""`. Error cells (`#N/A`) keep their text.

Only what a data sheet holds is read: values, shared strings, number formats for dates and
the workbook's date system. Formulas give their cached value.
"""

from __future__ import annotations

import contextlib
import datetime
import posixpath
import re
import zipfile
import zlib
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import IO
from xml.parsers import expat

BLOCK = 256 * 1024

# Built-in number formats that show a date or a time (ECMA-376 18.8.30, plus the East
# Asian date formats Excel writes for Persian and other locales).
_DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), 45, 46, 47, *range(50, 59)])
_FORMAT_NOISE = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')
_FORMAT_DATE_TOKENS = re.compile(r"[dmyhs]", re.IGNORECASE)


class XlsxError(Exception):
    """The file is not a readable XLSX workbook (damaged, truncated, or no worksheet)."""


def _local(name: str) -> str:
    return name.rpartition("}")[2]


def _refuse_doctype(*args) -> None:
    # Office parts never declare a DTD; one that does is refused before any entity is read.
    raise XlsxError("a document type declaration in a workbook part")


def _parser(start, end=None, text=None):
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    return parser


def _parse(archive: zipfile.ZipFile, member: str, start, end=None, text=None) -> None:
    """Run expat over one archive member, block by block, with the given handlers."""
    parser = _parser(start, end, text)
    with archive.open(member) as stream:
        while block := stream.read(BLOCK):
            parser.Parse(block, False)
        parser.Parse(b"", True)


def _part_key(name: str) -> str:
    # Part names are case-insensitive; some writers store them with backslashes.
    return name.replace("\\", "/").lstrip("/").lower()


def _member(archive: zipfile.ZipFile, name: str) -> str | None:
    """The archive's spelling of `name`, or None."""
    names = getattr(archive, "_entezam_parts", None)
    if names is None:
        names = {_part_key(info.filename): info.filename for info in archive.infolist()}
        archive._entezam_parts = names  # type: ignore[attr-defined]
    return names.get(_part_key(name))


# `_xHHHH_`: how OOXML writes a character XML cannot carry (a carriage return, `_x000D_`);
# `_x005F_` escapes an underscore that would otherwise start one.
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(text: str) -> str:
    if "_x" not in text:
        return text
    return _ESCAPE.sub(lambda match: chr(int(match[1], 16)), text)


def _relationships(archive: zipfile.ZipFile, part: str) -> list[tuple[str, str, str]]:
    """(id, type, archive member) of the relationships of `part` ("" is the package)."""
    folder, name = posixpath.split(_part_key(part)) if part else ("", "")
    rels = _member(archive, posixpath.join(folder, "_rels", f"{name}.rels"))
    if rels is None:
        return []
    found: list[tuple[str, str, str]] = []

    def start(element: str, attrs: dict) -> None:
        if _local(element) == "Relationship" and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "").replace("\\", "/")
            path = target if target.startswith("/") else posixpath.join(folder, target)
            member = _member(archive, posixpath.normpath("/" + path.lstrip("/")))
            found.append((attrs.get("Id", ""), attrs.get("Type", ""), member or ""))

    _parse(archive, rels, start)
    return found


def _related(relationships, kind: str) -> str | None:
    """The first related part whose relationship type ends with `/kind`."""
    return next((m for _id, t, m in relationships if t.endswith("/" + kind) and m), None)


class SharedStrings:
    """The shared strings table, packed: one UTF-8 buffer and an offset per string."""

    def __init__(self) -> None:
        self._data = bytearray()
        self._ends = array("q")
        self._parts: list[str] = []
        self._depth_si = 0
        self._in_phonetic = 0
        self._in_text = False

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, index: int) -> str:
        start = self._ends[index - 1] if index else 0
        return self._data[start : self._ends[index]].decode("utf-8")

    def read(self, archive: zipfile.ZipFile, member: str) -> None:
        _parse(archive, member, self._start, self._end, self._text)

    def _start(self, name: str, attrs: dict) -> None:
        name = _local(name)
        if name == "si":
            self._depth_si += 1
            self._parts = []
        elif name == "rPh":  # phonetic guide text is not part of the value
            self._in_phonetic += 1
        elif name == "t" and self._depth_si and not self._in_phonetic:
            self._in_text = True

    def _end(self, name: str) -> None:
        name = _local(name)
        if name == "t":
            self._in_text = False
        elif name == "rPh":
            self._in_phonetic -= 1
        elif name == "si":
            self._depth_si -= 1
            self._data += _unescape("".join(self._parts)).encode("utf-8")
            self._ends.append(len(self._data))

    def _text(self, data: str) -> None:
        if self._in_text:
            self._parts.append(data)


def _date_styles(archive: zipfile.ZipFile, member: str | None) -> frozenset[int]:
    """Indexes of the cell formats (`s` attribute) that show dates or times."""
    if member is None:
        return frozenset()
    custom: dict[int, str] = {}
    formats: list[int] = []
    depth = {"cellXfs": 0}

    def start(name: str, attrs: dict) -> None:
        name = _local(name)
        if name == "numFmt":
            with contextlib.suppress(ValueError):
                custom[int(attrs.get("numFmtId", ""))] = attrs.get("formatCode", "")
        elif name == "cellXfs":
            depth["cellXfs"] += 1
        elif name == "xf" and depth["cellXfs"]:
            try:
                formats.append(int(attrs.get("numFmtId", "0")))
            except ValueError:
                formats.append(0)

    def end(name: str) -> None:
        if _local(name) == "cellXfs":
            depth["cellXfs"] -= 1

    _parse(archive, member, start, end)

    def is_date(format_id: int) -> bool:
        if format_id in custom:
            code = _FORMAT_NOISE.sub("", custom[format_id].split(";")[0])
            return code.lower() != "general" and bool(_FORMAT_DATE_TOKENS.search(code))
        return format_id in _DATE_FORMAT_IDS

    return frozenset(index for index, format_id in enumerate(formats) if is_date(format_id))


def _workbook(archive: zipfile.ZipFile) -> str:
    """The workbook part: where the package relationships say, else the usual name."""
    workbook = _related(_relationships(archive, ""), "officeDocument") or _member(
        archive, "xl/workbook.xml"
    )
    if workbook is None:
        raise XlsxError("no workbook part")
    return workbook


def _first_sheet(archive: zipfile.ZipFile, workbook: str) -> tuple[str, bool]:
    """(archive member of the first worksheet, whether the workbook uses the 1904 system)."""
    found: dict = {"sheet": None, "date1904": False}

    def start(name: str, attrs: dict) -> None:
        name = _local(name)
        if name == "sheet" and found["sheet"] is None:
            found["sheet"] = next((v for k, v in attrs.items() if _local(k) == "id"), None)
        elif name == "workbookPr":
            found["date1904"] = attrs.get("date1904", "").lower() in ("1", "true")

    _parse(archive, workbook, start)
    by_id = {rel_id: member for rel_id, _type, member in _relationships(archive, workbook)}
    sheet = by_id.get(found["sheet"] or "") or None
    if sheet is None:  # no relationships: the conventional name
        sheet = _member(archive, "xl/worksheets/sheet1.xml")
    if sheet is None:
        raise XlsxError("no worksheet")
    return sheet, found["date1904"]


def _column_index(letters: str) -> int:
    """`A` → 0, `Z` → 25, `AA` → 26; a reference that is not letters raises XlsxError."""
    index = 0
    for letter in letters.upper():
        if not "A" <= letter <= "Z":
            raise XlsxError(f"bad cell reference {letters!r}")
        index = index * 26 + ord(letter) - 64
    if index > 16384:  # Excel's last column is XFD
        raise XlsxError(f"cell reference {letters!r} beyond the last column")
    return index - 1


def excel_date(serial: float, date1904: bool = False) -> datetime.date | datetime.datetime:
    """An Excel date serial as a date (whole days) or a datetime."""
    if date1904:
        base = datetime.datetime(1904, 1, 1)
    elif serial < 60:  # before Excel's phantom 1900-02-29
        base = datetime.datetime(1899, 12, 31)
    else:
        base = datetime.datetime(1899, 12, 30)
    moment = base + datetime.timedelta(days=serial)
    moment = moment.replace(microsecond=0) + datetime.timedelta(
        seconds=round(moment.microsecond / 1_000_000)
    )
    return moment.date() if moment.time() == datetime.time() else moment


def _iso_date(text: str) -> datetime.date | datetime.datetime | str:
    try:
        moment = datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        return text
    return moment.date() if moment.time() == datetime.time() else moment


class _ByLocalName(dict):
    """Handlers by expat element name ("namespace}local"), looked up by local name once."""

    def __init__(self, by_local: dict):
        super().__init__()
        self.by_local = by_local

    def __missing__(self, name: str):
        handler = self[name] = self.by_local.get(_local(name))
        return handler


class _SheetReader:
    """expat handlers turning worksheet XML into (row number, cells) tuples.

    Called for every element of a sheet (millions), so each handler is one dictionary
    lookup away from the work for its element.
    """

    def __init__(self, strings: SharedStrings, date_styles: frozenset[int], date1904: bool):
        self.strings, self.date1904 = strings, date1904
        # Compared with the `s` attribute as written, saving an int() per cell.
        self.date_styles = frozenset(str(index) for index in date_styles)
        self.ready: list[tuple[int, list]] = []
        self.row_number = 0
        self.cells: list = []
        self.column = 0
        self.kind = "n"
        self.style = ""
        self.collecting = False
        self.buffer = ""
        self.value: str | None = None
        self.inline = False
        self.phonetic = 0
        self._columns: dict[str, int] = {}
        local_starts = {
            "c": self._start_cell,
            "v": self._start_text,
            "is": self._start_inline,
            "t": self._start_inline_text,
            "rPh": self._start_phonetic,
            "row": self._start_row,
        }
        local_ends = {
            "c": self._end_cell,
            "v": self._end_text,
            "t": self._end_inline_text,
            "rPh": self._end_phonetic,
            "row": self._end_row,
        }
        self._starts = _ByLocalName(local_starts)
        self._ends = _ByLocalName(local_ends)

    def start(self, name: str, attrs: dict) -> None:
        handler = self._starts[name]
        if handler is not None:
            handler(attrs)

    def end(self, name: str) -> None:
        handler = self._ends[name]
        if handler is not None:
            handler()

    def text(self, data: str) -> None:
        if self.collecting:
            self.buffer += data

    def _start_row(self, attrs: dict) -> None:
        number = attrs.get("r")
        self.row_number = int(number) if number and number.isdigit() else self.row_number + 1
        self.cells = []

    def _end_row(self) -> None:
        self.ready.append((self.row_number, self.cells))
        self.cells = []

    def _start_cell(self, attrs: dict) -> None:
        reference = attrs.get("r")
        letters = reference.rstrip("0123456789") if reference else ""
        if letters:
            column = self._columns.get(letters)
            if column is None:
                column = self._columns[letters] = _column_index(letters)
            self.column = column
        else:
            self.column = len(self.cells)
        self.kind = attrs.get("t", "n")
        self.style = attrs.get("s", "")
        self.value, self.inline = None, False

    def _end_cell(self) -> None:
        cells = self.cells
        column = self.column
        if column == len(cells):
            cells.append(self._cell_value())
            return
        if column > len(cells):
            cells.extend([""] * (column - len(cells) + 1))
        cells[column] = self._cell_value()

    def _start_text(self, attrs: dict) -> None:
        self.collecting, self.buffer = True, ""

    def _end_text(self) -> None:
        self.value, self.collecting = self.buffer, False

    def _start_inline(self, attrs: dict) -> None:
        self.inline, self.value = True, ""

    def _start_inline_text(self, attrs: dict) -> None:
        if self.inline and not self.phonetic:
            self.collecting, self.buffer = True, ""

    def _end_inline_text(self) -> None:
        if self.collecting:
            self.value = (self.value or "") + self.buffer
            self.collecting = False

    def _start_phonetic(self, attrs: dict) -> None:
        self.phonetic += 1

    def _end_phonetic(self) -> None:
        self.phonetic -= 1

    def _cell_value(self):
        value, kind = self.value, self.kind
        if value is None:
            return ""
        if kind == "s":
            if not value.strip():  # a shared-string cell with no index holds nothing
                return ""
            try:
                return self.strings[int(value)]
            except (ValueError, IndexError):
                raise XlsxError(f"shared string {value!r} out of range") from None
        if kind in ("str", "inlineStr"):
            return _unescape(value)
        if kind == "e":
            return value
        if kind == "b":
            flag = value.strip()
            return flag in ("1", "true") if flag else ""
        if kind == "d":
            return _iso_date(value)
        try:
            number = float(value)
        except ValueError:
            return value
        if self.style in self.date_styles:
            try:
                return excel_date(number, self.date1904)
            except (OverflowError, ValueError):
                return number
        return number


def iter_rows(path: Path | str | IO[bytes]) -> Iterator[tuple[int, list]]:
    """(spreadsheet row number, cells) for each row the first worksheet stores.

    Rows without any stored cell are not yielded; cells between stored ones are `""`.
    Raises `XlsxError` for a file that is not a readable workbook.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            workbook = _workbook(archive)
            sheet, date1904 = _first_sheet(archive, workbook)
            parts = _relationships(archive, workbook)
            strings = SharedStrings()
            shared = _related(parts, "sharedStrings") or _member(archive, "xl/sharedStrings.xml")
            if shared is not None:
                strings.read(archive, shared)
            styles = _related(parts, "styles") or _member(archive, "xl/styles.xml")
            reader = _SheetReader(strings, _date_styles(archive, styles), date1904)
            parser = _parser(reader.start, reader.end, reader.text)
            with archive.open(sheet) as stream:
                while block := stream.read(BLOCK):
                    parser.Parse(block, False)
                    if reader.ready:
                        yield from reader.ready
                        reader.ready.clear()
                parser.Parse(b"", True)
            yield from reader.ready
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        expat.ExpatError,
        zlib.error,
        EOFError,
        OSError,
    ) as exc:
        raise XlsxError(str(exc)) from None
    # zipfile: KeyError for a missing member, RuntimeError for an encrypted one,
    # NotImplementedError for a compression method it cannot inflate (e.g. Deflate64).
    except (KeyError, RuntimeError, NotImplementedError) as exc:
        raise XlsxError(str(exc)) from None
