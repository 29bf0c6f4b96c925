"""The shape of the code: which app may import which, module sizes, and that an app plugs in
from its own folder.

Imports are read from the source (every `import`, also inside functions and under
`TYPE_CHECKING`), so a function-level import cannot hide a cycle.
"""

from __future__ import annotations

import ast
import copy
import importlib
from collections import defaultdict
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import clear_url_caches, reverse

import entezam
from entezam.core import registry

SRC = Path(entezam.__file__).parent
# Wiring above every app: settings and URL loop, the console script.
WIRING = {"config", "cli"}
# Modules allowed to exceed the size limit, with the reason (none today).
LARGE_MODULES: dict[str, str] = {}
MAX_LINES = 600


def _modules():
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC)
        if "migrations" in relative.parts:
            continue
        yield relative, path


def _app_of(relative: Path) -> str:
    return relative.parts[0].removesuffix(".py")


def _imported_apps(relative: Path, path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ["entezam", *relative.with_suffix("").parts]
    if relative.name == "__init__.py":
        package = package[:-1]
    found = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level]
                names = [".".join([*base, *([node.module] if node.module else [])])]
            else:
                names = [node.module or ""]
        for name in names:
            parts = name.split(".")
            if parts[0] == "entezam" and len(parts) > 1:
                found.add(parts[1])
    return found


def app_imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for relative, path in _modules():
        app = _app_of(relative)
        if app in WIRING or app == "__init__":
            continue
        graph[app] |= _imported_apps(relative, path) - {app}
    return graph


def test_core_imports_no_domain_app():
    assert app_imports()["core"] == set()


def test_accounts_imports_only_core():
    assert app_imports()["accounts"] <= {"core"}


def test_no_import_cycle_between_apps():
    graph = app_imports()
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(app: str) -> list[str] | None:
        state[app] = "open"
        stack.append(app)
        for other in sorted(graph.get(app, ())):
            if state.get(other) == "open":
                return [*stack[stack.index(other) :], other]
            if other not in state and (cycle := visit(other)):
                return cycle
        state[app] = "done"
        stack.pop()
        return None

    for app in sorted(graph):
        if app not in state:
            cycle = visit(app)
            assert cycle is None, "import cycle between apps: " + " → ".join(cycle)


def test_the_cycle_detector_sees_function_level_imports(tmp_path):
    module = tmp_path / "personnel" / "hidden.py"
    module.parent.mkdir()
    module.write_text("def f():\n    from entezam.vetting.models import Application\n")
    assert _imported_apps(Path("personnel/hidden.py"), module) == {"vetting"}


def test_modules_stay_small():
    large = {
        str(relative): lines
        for relative, path in _modules()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
        and str(relative) not in LARGE_MODULES
    }
    assert large == {}


# --- an app plugs in from its own folder ------------------------------------------------


@pytest.fixture
def registry_restored():
    """Registrations are process-wide: put them back as they were after the toy app."""
    saved = {
        name: copy.copy(value)
        for name, value in vars(registry).items()
        if name.isupper() and isinstance(value, dict | list)
    }
    yield
    for name, value in saved.items():
        current = getattr(registry, name)
        current.clear()
        if isinstance(current, dict):
            current.update(value)
        else:
            current.extend(value)


@pytest.fixture
def toy_app(settings, registry_restored):
    from django.conf import settings as django_settings

    with override_settings(INSTALLED_APPS=[*django_settings.INSTALLED_APPS, "tests.toyapp"]):
        import entezam.config.urls

        importlib.reload(entezam.config.urls)
        clear_url_caches()
        try:
            yield
        finally:
            pass
    importlib.reload(entezam.config.urls)
    clear_url_caches()


@pytest.mark.django_db
def test_an_app_needs_only_its_folder_and_installed_apps(toy_app, world, client):
    from entezam.core.jobs import job_start, run_job

    client.force_login(world.hq_admin)
    assert reverse("toyapp:index") == "/toy/"
    assert client.get("/toy/").content == b"toy page"
    assert client.get("/api/v1/toys/").json() == {"toys": []}
    home = client.get("/").content.decode()
    assert "سلام از اپ آزمایشی" in home  # its home panel
    assert 'href="/toy/"' in home  # its navigation entry
    assert registry.action_label("toy.poke") == "Toy poked"
    assert "toy-tick" in registry.PERIODIC_TASKS
    job = job_start(actor=world.hq_admin, kind="toy_job")
    assert run_job(job.pk).result == {"toy": True}
