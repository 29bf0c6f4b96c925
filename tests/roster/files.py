"""Roster rows and files for tests and benchmarks: valid, deterministic, any number of them."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterator
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from entezam.core.persian.validators import national_code_from
from entezam.personnel.choices import Position
from entezam.vetting.models import Standard
from entezam.vetting.services import active_standard_for

HEADER_FA = [
    "کد ملی",
    "نام",
    "نام خانوادگی",
    "نام پدر",
    "تاریخ تولد",
    "جنسیت",
    "تلفن همراه",
    "مدرک تحصیلی",
    "وضعیت نظام وظیفه",
    "سمت",
]
FIRST_NAMES_MALE = ["علی", "محمد", "حسین", "رضا", "مهدی", "امیر", "سعید", "حمید", "جواد", "کاظم"]
FIRST_NAMES_FEMALE = ["زهرا", "فاطمه", "مریم", "سارا", "نرگس", "لیلا", "مهسا", "الهام"]
LAST_NAMES = ["رضایی", "محمدی", "حسینی", "کریمی", "احمدی", "موسوی", "جعفری", "صادقی", "نوری"]
EDUCATIONS = ["دیپلم", "کاردانی", "کارشناسی", "کارشناسی ارشد", "زیر دیپلم"]
SERVICE = ["پایان خدمت", "معاف"]
POSITIONS = ["نگهبان", "نگهبان", "نگهبان", "سرپرست", "مدیر"]


def national_code(index: int) -> str:
    """A valid national code, unique per index (0 ≤ index < 10**8)."""
    return national_code_from(100_000_000 + index * 7 % 800_000_000)


def roster_row(index: int) -> list[str]:
    """One valid data row under `HEADER_FA`."""
    woman = index % 4 == 3
    first = (FIRST_NAMES_FEMALE if woman else FIRST_NAMES_MALE)[index % 7 % (8 if woman else 10)]
    return [
        national_code(index),
        first,
        LAST_NAMES[index % len(LAST_NAMES)],
        FIRST_NAMES_MALE[(index // 3) % len(FIRST_NAMES_MALE)],
        f"{1360 + index % 20}/{1 + index % 12:02d}/{1 + index % 28:02d}",
        "زن" if woman else "مرد",
        f"0912{index % 10_000_000:07d}",
        EDUCATIONS[index % len(EDUCATIONS)],
        "" if woman else SERVICE[index % 2],
        POSITIONS[index % len(POSITIONS)],
    ]


def roster_rows(count: int, start: int = 0) -> Iterator[list[str]]:
    for index in range(start, start + count):
        yield roster_row(index)


def write_csv(path: Path, rows, header=HEADER_FA, encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def csv_bytes(rows, header=HEADER_FA, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER_FA) -> bytes:
    """An XLSX as Excel would hold the rows: numbers as numbers, dates as date cells."""
    buffer = io.BytesIO()
    _write_xlsx(buffer, rows, header, {"in_memory": True})
    return buffer.getvalue()


def roster_file(rows=None, name: str = "roster.csv") -> SimpleUploadedFile:
    """An upload of `rows` (eight valid ones by default), CSV or XLSX by the name."""
    rows = list(roster_rows(8)) if rows is None else rows
    content = xlsx_bytes(rows) if name.endswith(".xlsx") else csv_bytes(rows)
    return SimpleUploadedFile(name, content)


def write_xlsx(path: Path, rows, header=HEADER_FA) -> Path:
    """`xlsx_bytes` straight to a file, in constant memory whatever the number of rows."""
    _write_xlsx(str(path), rows, header, {"constant_memory": True})
    return path


def _write_xlsx(target, rows, header, options: dict) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(target, {**options, "strings_to_numbers": False})
    sheet = workbook.add_worksheet()
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, header)
    for row_index, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if isinstance(value, datetime.date):
                sheet.write_datetime(row_index, column, value, date_format)
            elif isinstance(value, int | float):
                sheet.write_number(row_index, column, value)
            else:
                sheet.write_string(row_index, column, value)
    workbook.close()


def active_standards():
    """An active selection standard for every position, unless one is active already."""
    missing = [p.value for p in Position if active_standard_for(p.value) is None]
    if missing:
        Standard.objects.create(
            code="ROSTER-TEST",
            version=1,
            title="ضوابط آزمایشی",
            status="active",
            positions=missing,
        )
