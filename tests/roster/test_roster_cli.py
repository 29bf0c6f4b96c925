"""`entezam roster import`: exit status, report file, progress bar, and atomicity when killed."""

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from entezam.core.models import AuditEvent
from entezam.personnel.models import Person
from entezam.vetting.models import Application
from tests.roster.files import active_standards, csv_bytes, roster_rows, write_csv

ENTEZAM = str(Path(sys.executable).with_name("entezam"))


@pytest.fixture
def roster(tmp_path, world):
    active_standards()

    def write(rows, name="roster.csv"):
        path = tmp_path / name
        path.write_bytes(csv_bytes(rows))
        return path

    return write


def import_command(path, world, *args, institution=None):
    return call_command(
        "roster",
        "import",
        str(path),
        "--institution",
        institution or world.inst_a.registration_number,
        "--no-progress",
        *args,
    )


@pytest.mark.django_db
def test_import_writes_and_saves_the_json_report(roster, world, tmp_path, capsys):
    report_path = tmp_path / "report.json"
    import_command(roster(list(roster_rows(12))), world, "--report", str(report_path))

    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report == {
        "rows": 12,
        "created": 12,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "errors": [],
    }
    assert Person.objects.count() == 12
    event = AuditEvent.objects.get(action="roster.import")
    assert event.actor.username == "system"
    assert "rows 12  created 12" in capsys.readouterr().out


@pytest.mark.django_db
def test_rejected_rows_give_a_non_zero_status_and_write_nothing(roster, world, tmp_path):
    rows = list(roster_rows(5))
    rows[3][4] = "1404/07/31"
    report_path = tmp_path / "report.json"
    with pytest.raises(CommandError) as failure:
        import_command(roster(rows), world, "--report", str(report_path))

    assert failure.value.returncode == 1
    assert not Person.objects.exists()
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["rejected"] == 1
    assert report["errors"][0]["row"] == 5
    assert report["errors"][0]["column"] == "birth_date"
    assert report["errors"][0]["code"] == "invalid_day"


@pytest.mark.django_db
def test_partial_and_dry_run(roster, world, tmp_path):
    rows = list(roster_rows(5))
    rows[0][0] = "0000000000"
    path = roster(rows)
    with pytest.raises(CommandError):
        import_command(path, world, "--dry-run")
    import_command(path, world, "--dry-run", "--partial")
    assert not Person.objects.exists()
    import_command(path, world, "--partial", "--as", "manager")
    assert Person.objects.count() == 4
    assert AuditEvent.objects.get(action="roster.import").actor == world.manager


@pytest.mark.django_db
def test_file_errors_exit_with_status_2(world, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes("نام,سمت\nعلی,نگهبان\n".encode())
    with pytest.raises(CommandError) as failure:
        import_command(path, world)
    assert failure.value.returncode == 2


@pytest.mark.django_db
def test_the_actor_must_be_allowed_to_import_into_the_institution(roster, world):
    path = roster(list(roster_rows(2)))
    with pytest.raises(CommandError, match="may import into"):
        import_command(path, world, "--as", "manager", institution=world.inst_b.registration_number)
    with pytest.raises(CommandError, match="no active user"):
        import_command(path, world, "--as", "nobody")
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_progress_bar_on_stderr(roster, world):
    import io

    err = io.StringIO()
    call_command(
        "roster",
        "import",
        str(roster(list(roster_rows(3000)))),
        "--institution",
        world.inst_a.registration_number,
        stderr=err,
    )
    assert "3000/3000" in err.getvalue()
    assert "100%" in err.getvalue() and "rows/s" in err.getvalue()


# --- a process killed mid-file leaves nothing written ------------------------------

SETUP = """
from tests.institutions.factories import InstitutionFactory
from tests.roster.files import active_standards
InstitutionFactory(registration_number="77001")
active_standards()
"""
PROGRESS = re.compile(r"import\s+\S+\s+\d+%\s+(\d+)/(\d+)")


def test_killed_import_leaves_nothing_written(tmp_path):
    database = tmp_path / "killed.sqlite3"
    env = {
        **os.environ,
        "ENTEZAM_DATABASE_URL": f"sqlite:///{database}",
        "ENTEZAM_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "entezam.config.settings",
        # Draw the progress bar live into the pipe, as on a terminal, without colours.
        "TTY_COMPATIBLE": "1",
        "TTY_INTERACTIVE": "1",
        "NO_COLOR": "1",
    }
    env.pop("ENTEZAM_TEST_DB_TEMPLATE", None)
    subprocess.run([ENTEZAM, "migrate", "-v0"], env=env, check=True, timeout=300)
    subprocess.run([ENTEZAM, "shell", "-c", SETUP], env=env, check=True, timeout=120)
    path = write_csv(tmp_path / "big.csv", roster_rows(40_000))

    process = subprocess.Popen(
        [ENTEZAM, "roster", "import", str(path), "--institution", "77001"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    seen, done, total = b"", 0, 0
    deadline = time.monotonic() + 240
    try:
        # Kill it once several chunks have been written inside the import's transaction.
        while time.monotonic() < deadline:
            block = os.read(process.stderr.fileno(), 4096)
            if not block:
                break
            seen += block
            matches = PROGRESS.findall(seen.decode(errors="replace"))
            if matches:
                done, total = (int(n.replace(",", "")) for n in matches[-1])
                if done >= 6000:
                    process.send_signal(signal.SIGKILL)
                    break
    finally:
        process.kill()
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, seen.decode(errors="replace")[-2000:]
    assert 6000 <= done < total == 40_000

    with sqlite3.connect(database) as connection:
        people = connection.execute("SELECT count(*) FROM personnel_person").fetchone()[0]
        applications = connection.execute("SELECT count(*) FROM vetting_application").fetchone()[0]
        events = connection.execute(
            "SELECT count(*) FROM core_auditevent WHERE action = 'roster.import'"
        ).fetchone()[0]
    assert (people, applications, events) == (0, 0, 0)


def test_readers_are_not_blocked_while_an_import_writes(tmp_path):
    """The SQLite demo: a long import holds the write lock, yet other users still read."""
    database = tmp_path / "busy.sqlite3"
    env = {
        **os.environ,
        "ENTEZAM_DATABASE_URL": f"sqlite:///{database}",
        "ENTEZAM_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "entezam.config.settings",
        "TTY_COMPATIBLE": "1",
        "TTY_INTERACTIVE": "1",
        "NO_COLOR": "1",
    }
    env.pop("ENTEZAM_TEST_DB_TEMPLATE", None)
    subprocess.run([ENTEZAM, "migrate", "-v0"], env=env, check=True, timeout=300)
    subprocess.run([ENTEZAM, "shell", "-c", SETUP], env=env, check=True, timeout=120)
    path = write_csv(tmp_path / "big.csv", roster_rows(40_000))
    process = subprocess.Popen(
        [ENTEZAM, "roster", "import", str(path), "--institution", "77001"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    seen = b""
    try:
        while True:  # wait until the import is writing inside its transaction
            block = os.read(process.stderr.fileno(), 4096)
            assert block, seen.decode(errors="replace")[-2000:]
            seen += block
            matches = PROGRESS.findall(seen.decode(errors="replace"))
            if matches and int(matches[-1][0]) >= 5000:
                break
        started = time.monotonic()
        with sqlite3.connect(database, timeout=1) as reader:
            count = reader.execute("SELECT count(*) FROM institutions_institution").fetchone()
        waited = time.monotonic() - started
        assert process.poll() is None, "the import ended before the read"
    finally:
        process.kill()
        process.wait(timeout=30)
    assert count == (1,)
    assert waited < 1


@pytest.mark.django_db
def test_applications_are_opened_for_imported_people(roster, world):
    import_command(roster(list(roster_rows(3))), world)
    assert Application.objects.filter(institution=world.inst_a).count() == 3
