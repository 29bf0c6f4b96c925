"""Reading a roster file: its kind, encoding, header and rows, in flat memory."""

from __future__ import annotations

import codecs
import csv
import pickle
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError

from entezam.core import xlsx
from entezam.core.errors import validation_error

from .columns import FIELDS, HEADER_KEYS, REQUIRED_COLUMNS, file_headers, fold_key
from .errors import MESSAGES, RosterFileError

MAX_FILE_MEGABYTES = 50
MAX_FILE_BYTES = MAX_FILE_MEGABYTES * 1024 * 1024
# An XLSX is a zip: refuse archives that would inflate beyond this, or inflate suspiciously
# well (a zip bomb), before any XML parser sees them.
MAX_XLSX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_XLSX_COMPRESSION_RATIO = 100

# --- reading


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError):
        raise RosterFileError("xlsx_damaged") from None
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1024 * 1024 and ratio > MAX_XLSX_COMPRESSION_RATIO:
            raise RosterFileError("xlsx_too_large")
    if total > MAX_XLSX_UNCOMPRESSED_BYTES:
        raise RosterFileError("xlsx_too_large")


def _iter_xlsx(path: Path) -> Iterator[tuple[int, list]]:
    _check_zip(path)
    try:
        yield from xlsx.iter_rows(path)
    except xlsx.XlsxError:
        raise RosterFileError("xlsx_damaged") from None


def detect_encoding(path: Path) -> str:
    """`utf-8-sig` when the whole file decodes strictly as UTF-8, else Windows-1256."""
    with open(path, "rb") as stream:
        head = stream.read(4096)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise RosterFileError("utf16")
        if b"\x00" in head:
            raise RosterFileError("utf16" if head.count(b"\x00") > len(head) // 4 else "not_text")
        stream.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
        try:
            while block := stream.read(1024 * 1024):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1256"
    return "utf-8-sig"


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _iter_csv(path: Path) -> Iterator[tuple[int, list]]:
    encoding = detect_encoding(path)
    with open(path, encoding=encoding, errors="strict", newline="") as stream:
        first_line = stream.readline()
        if _CONTROL_CHARS.search(first_line):
            raise RosterFileError("not_text")
        delimiter = max(",;\t", key=first_line.count) if first_line.strip() else ","
        if not first_line.count(delimiter):
            delimiter = ","
        stream.seek(0)
        reader = csv.reader(stream, delimiter=delimiter)
        try:
            yield from enumerate(reader, start=1)
        except csv.Error:
            raise RosterFileError("not_text") from None


def file_kind(path: Path, name: str = "") -> str:
    """`xlsx` or `csv`, from the first bytes (an extension can lie)."""
    with open(path, "rb") as stream:
        head = stream.read(8)
    if head.startswith(b"PK"):
        return "xlsx"
    suffix = Path(name or path).suffix.lower()
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        # An OLE container: an old binary .xls, or an .xlsx Excel encrypted with a password.
        raise RosterFileError(
            "xlsx_protected" if suffix in (".xlsx", ".xlsm") else "unsupported_format"
        )
    if suffix in (".xlsx", ".xlsm"):
        raise RosterFileError("xlsx_damaged")
    if suffix in ("", ".csv", ".txt", ".tsv"):
        return "csv"
    raise RosterFileError("unsupported_format")


def is_blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def is_blank_row(row: list) -> bool:
    for cell in row:
        if cell is not None and (not isinstance(cell, str) or cell.strip()):
            return False
    return True


@dataclass
class RosterSource:
    """A roster file on disk: its header mapping and its data rows, read on demand."""

    path: Path
    name: str
    kind: str = ""
    columns: dict[str, int] = field(default_factory=dict)
    # Each column's name as the file's header wrote it (errors name columns by it).
    headers: dict[str, str] = field(default_factory=dict)
    # Set once the national-code pass has spooled an XLSX's rows (see `national_codes`).
    spool: Path | None = None

    @classmethod
    def open(cls, path: Path | str, name: str = "") -> RosterSource:
        path = Path(path)
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise RosterFileError("file_too_large", row=0, limit=MAX_FILE_MEGABYTES)
        if size == 0:
            raise RosterFileError("empty_file", row=0)
        source = cls(path=path, name=name or path.name)
        source.kind = file_kind(path, source.name)
        try:
            source.columns = source._read_header()
        except RosterFileError as exc:
            exc.headers = source.headers
            raise
        return source

    def _raw_rows(self) -> Iterator[tuple[int, list]]:
        return _iter_xlsx(self.path) if self.kind == "xlsx" else _iter_csv(self.path)

    def _read_header(self) -> dict[str, int]:
        rows = self._raw_rows()
        try:
            for _index, row in rows:
                if not is_blank_row(row):
                    header = row
                    break
            else:
                raise RosterFileError("empty_file", row=0)
        finally:
            rows.close()
        columns: dict[str, int] = {}
        cells: dict[str, str] = {}
        duplicate = None
        for position, cell in enumerate(header):
            name = HEADER_KEYS.get(fold_key(cell)) if isinstance(cell, str) else None
            if name is None:
                continue
            if name in columns:
                duplicate = duplicate or name
                continue
            columns[name] = position
            cells[name] = " ".join(str(cell).split())
        self.headers = file_headers(cells)
        if duplicate is not None:
            raise RosterFileError("duplicate_column", column=duplicate)
        for name in REQUIRED_COLUMNS:
            if name not in columns:
                raise RosterFileError("missing_column", column=name)
        return columns

    def rows(self) -> Iterator[tuple[int, tuple]]:
        """(spreadsheet row number, cells in `FIELDS` order) for each non-empty row after
        the header; a column the file does not have gives None."""
        if self.spool is not None:
            yield from self._spooled_rows()
            return
        header_seen = False
        width = max(self.columns.values()) + 1
        missing = any(name not in self.columns for name in FIELDS)
        # A missing column reads the None appended to each row.
        pick = itemgetter(*(self.columns.get(name, -1) for name in FIELDS))
        rows = self._raw_rows()
        try:
            for index, row in rows:
                if is_blank_row(row):
                    continue
                if not header_seen:
                    header_seen = True
                    continue
                if len(row) < width:
                    row = [*row, *([""] * (width - len(row)))]
                if missing:
                    row = [*row, None]
                yield index, pick(row)
        finally:
            rows.close()

    def national_codes(self, spool_directory: str | None = None) -> Iterator[tuple[int, Any]]:
        """(row number, national-code cell) of each data row.

        An XLSX costs far more to parse than a CSV, so with `spool_directory` its rows are
        parsed once: this pass also writes them (in `FIELDS` order) to a spool file there,
        which `rows()` then reads back instead of the workbook.
        """
        if self.kind == "xlsx" and spool_directory is not None:
            yield from self._spooling_national_codes(Path(spool_directory) / "rows.spool")
            return
        position = self.columns["national_code"]
        header_seen = False
        rows = self._raw_rows()
        try:
            for index, row in rows:
                if is_blank_row(row):
                    continue
                if not header_seen:
                    header_seen = True
                    continue
                yield index, row[position] if position < len(row) else ""
        finally:
            rows.close()

    def _spooling_national_codes(self, path: Path) -> Iterator[tuple[int, Any]]:
        rows = self.rows()
        try:
            with open(path, "wb") as spool:
                # One pickle per row: a Pickler kept open would remember every row it wrote.
                write, dumps, protocol = spool.write, pickle.dumps, pickle.HIGHEST_PROTOCOL
                for index, cells in rows:
                    write(dumps((index, cells), protocol))
                    yield index, cells[0]
        finally:
            rows.close()
        self.spool = path

    def _spooled_rows(self) -> Iterator[tuple[int, tuple]]:
        with open(self.spool, "rb") as spool:
            load = partial(pickle.load, spool)
            while True:
                try:
                    yield load()
                except EOFError:
                    return


ALLOWED_SUFFIXES = (".csv", ".xlsx")


def upload_problem(upload) -> ValidationError | None:
    """Why an uploaded file cannot be a roster (size, extension), or None."""
    if upload.size > MAX_FILE_BYTES:
        return validation_error("file_too_large", MESSAGES, limit=MAX_FILE_MEGABYTES)
    if Path(upload.name).suffix.lower() not in ALLOWED_SUFFIXES:
        return validation_error("unsupported_format", MESSAGES)
    return None
