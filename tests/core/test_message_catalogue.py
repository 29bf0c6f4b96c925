"""One message catalogue: every string shown to users is in a catalogue, translated into
Persian, compiled, and not written as a Persian literal in the code.

A string belongs to the catalogue of the folder its file is in: `src/entezam/<app>/locale/`
for a file of that app (Python or template), `src/entezam/locale/` for the rest (the
project templates, `config/`). `makemessages` run in `src/entezam` applies that rule, so
these tests run it on a copy of the tree and compare with the committed catalogues.
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

import entezam

SOURCE = Path(entezam.__file__).resolve().parent
CATALOGUE = Path("fa", "LC_MESSAGES", "django.po")
SOURCE_SUFFIXES = {".py", ".html", ".txt"}
GETTEXT_TOOLS = ("xgettext", "msguniq", "msgmerge", "msgattrib", "msgfmt")


def committed_catalogues() -> list[Path]:
    return sorted(SOURCE.glob(f"**/locale/{CATALOGUE}"))


def where(path: Path) -> str:
    return str(path.relative_to(SOURCE))


# --- reading .po files


def _unquote(text: str) -> str:
    return ast.literal_eval(text)


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file: msgctxt, msgid, msgstr (or msgstr[n]), flags, obsolete."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict = {"flags": set(), "obsolete": False}
        key = None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry["obsolete"] = True
                line = line[2:].lstrip()
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#") or not line.strip():
                continue
            elif line.startswith('"'):
                entry[key] += _unquote(line)
            else:
                key, _, value = line.partition(" ")
                entry[key] = _unquote(value)
        if "msgid" in entry:
            entries.append(entry)
    return entries


def messages_of(path: Path) -> dict[tuple[str | None, str], dict]:
    """(context, msgid) → entry, without the header and obsolete entries."""
    return {
        (entry.get("msgctxt"), entry["msgid"]): entry
        for entry in read_po(path)
        if entry["msgid"] and not entry["obsolete"]
    }


def translations(entry: dict) -> list[str]:
    return [value for key, value in entry.items() if key.startswith("msgstr")]


# --- the catalogues makemessages makes of the code as it is


@pytest.fixture(scope="module")
def gettext_tools():
    missing = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"GNU gettext is needed to check the catalogues (missing: {missing})")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory, gettext_tools) -> dict[str, dict]:
    """Catalogue folder (relative to src/entezam) → what makemessages extracts for it from
    a copy of the code, made with empty `locale` folders where the committed ones are."""
    copy = tmp_path_factory.mktemp("catalogue") / "entezam"
    for path in SOURCE.rglob("*"):
        relative = path.relative_to(SOURCE)
        if "__pycache__" in relative.parts or "locale" in relative.parts:
            continue
        if path.is_file() and path.suffix in SOURCE_SUFFIXES:
            (copy / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy / relative)
    for catalogue in committed_catalogues():
        (copy / catalogue.relative_to(SOURCE).parents[2]).mkdir(parents=True, exist_ok=True)
    with pytest.MonkeyPatch.context() as patch, override_settings(LOCALE_PATHS=[copy / "locale"]):
        patch.chdir(copy)
        call_command("makemessages", locale=["fa"], verbosity=0)
    return {
        str(path.relative_to(copy)): messages_of(path)
        for path in sorted(copy.glob(f"**/locale/{CATALOGUE}"))
    }


def test_every_string_shown_to_users_is_in_its_catalogue(extracted):
    committed = {where(path): messages_of(path) for path in committed_catalogues()}
    missing = {
        catalogue: sorted(str(key) for key in set(found) - set(committed.get(catalogue, {})))
        for catalogue, found in extracted.items()
    }
    stale = {
        catalogue: sorted(str(key) for key in set(messages) - set(extracted.get(catalogue, {})))
        for catalogue, messages in committed.items()
    }
    assert not any(missing.values()), (
        f"not in the catalogue (run `entezam makemessages -l fa` in src/entezam): {missing}"
    )
    assert not any(stale.values()), f"in the catalogue but no longer in the code: {stale}"


def test_every_app_has_its_own_catalogue():
    without = [
        config.name
        for config in apps.get_app_configs()
        if config.name.startswith("entezam.")
        and not (Path(config.path) / "locale" / CATALOGUE).exists()
    ]
    assert not without, f"apps without locale/{CATALOGUE}: {without}"


@pytest.mark.parametrize("path", committed_catalogues(), ids=where)
def test_every_message_has_a_persian_translation(path):
    entries = read_po(path)
    assert not [entry["msgid"] for entry in entries if entry["obsolete"]], "obsolete entries"
    untranslated = [
        entry["msgid"]
        for entry in entries
        if entry["msgid"]
        and ("fuzzy" in entry["flags"] or not all(s.strip() for s in translations(entry)))
    ]
    assert not untranslated, f"empty or fuzzy translations: {untranslated}"
    persian = [
        entry["msgid"]
        for entry in entries
        if entry["msgid"]
        and not any(
            unicodedata.name(char, "").startswith("ARABIC")
            for text in translations(entry)
            for char in text
        )
    ]
    assert not persian, f"translations without a Persian letter: {persian}"


@pytest.mark.parametrize("path", committed_catalogues(), ids=where)
def test_every_compiled_catalogue_is_compiled_from_its_source(path, tmp_path, gettext_tools):
    compiled = tmp_path / "django.mo"
    # --check-format: a translation keeps every %(placeholder)s of its msgid.
    result = subprocess.run(
        ["msgfmt", "--check-format", "-o", str(compiled), str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    committed = path.with_suffix(".mo")
    assert committed.exists(), f"{where(committed)} is missing: run `entezam compilemessages`"
    with open(compiled, "rb") as fresh, open(committed, "rb") as stored:
        # `_catalog` is the one mapping GNUTranslations keeps of a .mo file.
        expected = gettext.GNUTranslations(fresh)._catalog
        actual = gettext.GNUTranslations(stored)._catalog
    assert actual == expected, f"{where(committed)} is stale: run `entezam compilemessages`"


def test_a_message_has_one_translation_in_every_catalogue():
    seen: dict[tuple, dict[tuple[str, ...], list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in committed_catalogues():
        for key, entry in messages_of(path).items():
            seen[key][tuple(translations(entry))].append(where(path))
    differing = {str(key): dict(found) for key, found in seen.items() if len(found) > 1}
    assert not differing, f"translated differently in different catalogues: {differing}"


def test_the_catalogue_translation_is_the_one_shown():
    # A msgid that an installed app listed before ours also translates (Django's contrib
    # apps) is shown in that app's translation: give ours a context (`pgettext`).
    shown_otherwise = {}
    with translation.override("fa"):
        for path in committed_catalogues():
            for (context, msgid), entry in messages_of(path).items():
                if "msgid_plural" in entry:
                    continue
                if context:
                    shown = translation.pgettext(context, msgid)
                else:
                    shown = translation.gettext(msgid)
                if shown != entry["msgstr"]:
                    shown_otherwise[msgid] = shown
    assert not shown_otherwise, f"shown in another catalogue's translation: {shown_otherwise}"


# --- no messages outside the catalogue

GETTEXT_FUNCTIONS = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
# Data, not messages: what people type in either language, calendar words, demo records.
# Module → the top-level names whose values may hold Persian text (None: the whole module).
PERSIAN_DATA = {
    "core/persian/jalali.py": {"MONTHS_FA"},
    "core/persian/text.py": {"_LETTER_FOLDS"},
    "demo/users.py": None,
    "roster/columns.py": {"HEADER_ALIASES", "CHOICE_ALIASES", "TEMPLATE_EXAMPLE"},
    "vetting/providers.py": {"RESULT_WORDS", "HEADER_ALIASES"},
    "vetting/exports.py": {"TEMPLATE_EXAMPLE"},
}
# Every app's demo data lives in its `seed.py` (or a `seed/` package): Persian data, not
# messages, so an app's demo content needs no entry here.
SEED_MODULES = re.compile(r"^[a-z_]+/seed(\.py|/.*\.py)$")


def _has_persian_letter(text: str) -> bool:
    return any(
        unicodedata.category(char) == "Lo" and unicodedata.name(char, "").startswith("ARABIC")
        for char in text
    )


def _skipped_nodes(tree: ast.Module, allowed: set[str]) -> set[int]:
    """Docstrings, gettext calls and the values of the allowed top-level names."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
        ):
            skipped.add(id(body[0].value))
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in GETTEXT_FUNCTIONS:
                skipped.update(id(child) for child in ast.walk(node))
    for node in tree.body:
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        if any(getattr(target, "id", None) in allowed for target in targets):
            skipped.update(id(child) for child in ast.walk(node))
    return skipped


def test_no_persian_text_is_written_outside_the_catalogue():
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        module = path.relative_to(SOURCE).as_posix()
        allowed = None if SEED_MODULES.match(module) else PERSIAN_DATA.get(module, set())
        if allowed is None:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = _skipped_nodes(tree, allowed)
        found.extend(
            f"{module}:{node.lineno}: {node.value[:40]!r}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in skipped
            and _has_persian_letter(node.value)
        )
    assert not found, (
        "Persian text in code: give it an English msgid in the app's errors.py (or a "
        f"gettext call) and its Persian in the catalogue: {found}"
    )


def test_every_persian_data_module_still_holds_persian_data():
    # An allow-list entry that no longer names Persian data would let messages back in.
    for module, allowed in PERSIAN_DATA.items():
        path = SOURCE / module
        assert path.exists(), module
        if allowed is None:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name in allowed:
            values = [
                node.value
                for node in tree.body
                if isinstance(node, ast.Assign)
                and any(getattr(target, "id", None) == name for target in node.targets)
            ]
            assert values, f"{module} has no {name}"
            assert any(
                isinstance(child, ast.Constant)
                and isinstance(child.value, str)
                and _has_persian_letter(child.value)
                for value in values
                for child in ast.walk(value)
            ), f"{module}:{name} holds no Persian text"
