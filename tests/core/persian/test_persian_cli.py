import os
import subprocess
import sys

import pytest

VALID_CODE = "0013542419"


def entezam(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    # A non-UTF-8 stdio encoding proves the commands do not depend on the locale.
    env = {**os.environ, "PYTHONIOENCODING": "latin-1", "LC_ALL": "C"}
    return subprocess.run(
        [sys.executable, "-m", "entezam.cli", *args],
        input=None if stdin is None else stdin.encode(),
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )


def lines(result: subprocess.CompletedProcess) -> list[str]:
    return result.stdout.decode().splitlines()


def test_validate_valid_argument():
    result = entezam("validate", "national-code", VALID_CODE)
    assert result.returncode == 0, result.stderr.decode()
    assert lines(result) == [f"valid\t{VALID_CODE}"]


def test_validate_pads_eight_digits_and_reports_invalid_values():
    result = entezam("validate", "national-code", "13542419", "0013542418", "1111111111")
    assert result.returncode == 1
    assert lines(result) == [
        f"valid\t{VALID_CODE}",
        "invalid\tbad_checksum",
        "invalid\trepeated_digits",
    ]
    assert b"2 of 3" in result.stderr


def test_validate_reads_persian_digits_from_stdin():
    result = entezam("validate", "national-code", stdin="\ufeff۰۰۱۳۵۴۲۴۱۹\r\n۱۳۵۴۲۴۱۹\n")
    assert result.returncode == 0, result.stderr.decode()
    assert lines(result) == [f"valid\t{VALID_CODE}", f"valid\t{VALID_CODE}"]


def test_validate_stdin_blank_line_is_empty():
    result = entezam("validate", "national-code", stdin=f"{VALID_CODE}\n\n")
    assert result.returncode == 1
    assert lines(result) == [f"valid\t{VALID_CODE}", "invalid\tempty"]


@pytest.mark.parametrize(
    ("kind", "values", "expected"),
    [
        (
            "mobile",
            ["+98 912 123 4567", "02112345678"],
            ["valid\t09121234567", "invalid\tnot_mobile"],
        ),
        ("postal-code", ["۱۳۴۵۶-۷۸۹۱۲"], ["valid\t1345678912"]),
        (
            "sheba",
            ["ir820540102680020817909002", "IR820540102680020817909003"],
            ["valid\tIR820540102680020817909002", "invalid\tbad_checksum"],
        ),
    ],
)
def test_validate_other_kinds(kind, values, expected):
    result = entezam("validate", kind, *values)
    assert lines(result) == expected
    assert result.returncode == (1 if any(line.startswith("invalid") for line in expected) else 0)


def test_validate_unknown_kind_fails():
    assert entezam("validate", "passport", "x").returncode != 0


def test_normalize_prints_one_key_per_line():
    result = entezam("normalize", stdin="علي‌رضا  كريمي\n\nمُحَمَّد ۱۲۳\n")
    assert result.returncode == 0, result.stderr.decode()
    assert lines(result) == ["علی رضا کریمی", "", "محمد 123"]
