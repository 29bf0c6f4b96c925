"""What each app registers about itself, from its `AppConfig.ready()`.

`core` knows no domain app. An app tells the framework, in one place, what it adds:

* audit action labels and role labels (`register_action_labels`, `register_role_labels`);
* navigation entries, each guarded by a model and action (`register_nav`);
* how a person is reached through the app (`register_person_reach`): a person is in a
  scope when a row of that model links them to an institution in the scope;
* panels on another app's detail pages and on the home page (`register_panel`,
  `register_home_panel`), so a lower app never imports a higher one to show its data;
* values the audit log and histories show masked to some readers
  (`register_change_masker`, e.g. national codes);
* periodic work for beat and `entezam tick` (`register_periodic`), and demo seeding steps
  (`register_demo_seed`).

and background-job handlers (`register_job`). URLs need no registration:
`config/urls.py` mounts every Entezam app's `urls.py` under its `AppConfig.url_prefix`
and every `api_urls.py` under `/api/v1/`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.functional import Promise

Label = str | Promise

# --------------------------------------------------------------------------- labels

ACTION_LABELS: dict[str, Label] = {}
ROLE_LABELS: dict[str, Label] = {}


def register_action_labels(labels: dict[str, Label]) -> None:
    """Human labels of audit actions (`institution.suspend` → "Suspended")."""
    ACTION_LABELS.update(labels)


def register_role_labels(labels: dict[str, Label]) -> None:
    ROLE_LABELS.update(labels)


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


# --------------------------------------------------------------------------- navigation


@dataclass(frozen=True)
class NavSection:
    key: str
    label: Label
    icon: str
    order: int


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: Label
    icon: str
    order: int
    section: str | None
    # Shown when the user may perform `action` on some row of `model` ("app_label.Model"),
    # or when `visible(user)` says so; with neither, every signed-in user sees it.
    model: str | None = None
    action: str = "view"
    visible: Callable[[Any], bool] | None = None


NAV_SECTIONS: dict[str, NavSection] = {}
NAV_ENTRIES: list[NavEntry] = []


def register_nav_section(key: str, label: Label, icon: str, order: int) -> None:
    NAV_SECTIONS[key] = NavSection(key, label, icon, order)


def register_nav(
    url_name: str,
    label: Label,
    icon: str,
    *,
    order: int = 100,
    section: str | None = None,
    model: str | None = None,
    action: str = "view",
    visible: Callable[[Any], bool] | None = None,
) -> None:
    NAV_ENTRIES[:] = [entry for entry in NAV_ENTRIES if entry.url_name != url_name]
    NAV_ENTRIES.append(NavEntry(url_name, label, icon, order, section, model, action, visible))


# --------------------------------------------------------------------------- people


@dataclass(frozen=True)
class ReachSource:
    """Rows of `model` link a person (`person_field`) to an institution (`institution_field`).

    `active` is the condition under which a link still counts for *current* relations
    (an employment not yet ended); reach itself counts every row, current or past.
    """

    model: str
    person_field: str = "person"
    institution_field: str = "institution"
    active: Q | None = None
    label: Label = ""


PERSON_REACH: dict[str, ReachSource] = {}


def register_person_reach(source: ReachSource) -> None:
    PERSON_REACH[source.model] = source


# --------------------------------------------------------------------------- panels


@dataclass(frozen=True)
class Panel:
    """A block on a page: `context(request, obj)` returns the template's context, or None
    to leave the panel out (the user may not see it, or it has nothing to show)."""

    template: str
    context: Callable[..., dict | None]
    order: int = 100
    # Shown only to users holding one of these roles (empty: whoever `context` admits), so
    # each role's home shows its own work.
    roles: frozenset[str] = frozenset()


PANELS: dict[str, list[Panel]] = {}
HOME_PANELS: list[Panel] = []


def register_panel(model: str, panel: Panel) -> None:
    """A panel on the detail page of `model` ("app_label.model_name")."""
    panels = [p for p in PANELS.get(model.lower(), []) if p.template != panel.template]
    PANELS[model.lower()] = sorted([*panels, panel], key=lambda p: p.order)


def register_home_panel(panel: Panel) -> None:
    HOME_PANELS[:] = sorted(
        [p for p in HOME_PANELS if p.template != panel.template] + [panel], key=lambda p: p.order
    )


# --------------------------------------------------------------------------- masking


@dataclass(frozen=True)
class ChangeMasker:
    """Values under `fields` in audit events' changes are shown as the pages show them:
    `prepare(user, events)` looks once at a page of events and returns
    `show(event, value) -> value` (the value itself, or its masked form)."""

    fields: frozenset[str]
    prepare: Callable[[Any, list], Callable[[Any, Any], Any]]


CHANGE_MASKERS: list[ChangeMasker] = []


def register_change_masker(masker: ChangeMasker) -> None:
    CHANGE_MASKERS[:] = [m for m in CHANGE_MASKERS if m.fields != masker.fields] + [masker]


# --------------------------------------------------------------------------- work

# kind -> dotted path of `handler(job, progress) -> dict` (the job's result)
JOB_HANDLERS: dict[str, str] = {}


def register_job(kind: str, handler_path: str) -> None:
    JOB_HANDLERS[kind] = handler_path


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    function: str  # dotted path of a callable taking no arguments
    seconds: int


PERIODIC_TASKS: dict[str, PeriodicTask] = {}


def register_periodic(name: str, function: str, seconds: int) -> None:
    PERIODIC_TASKS[name] = PeriodicTask(name, function, seconds)


@dataclass(frozen=True, order=True)
class DemoSeed:
    order: int
    name: str
    function: str = field(compare=False)  # dotted path of `seed(*, actor, rng, options)`


DEMO_SEEDS: dict[str, DemoSeed] = {}


def register_demo_seed(name: str, function: str, order: int) -> None:
    DEMO_SEEDS[name] = DemoSeed(order, name, function)


# --------------------------------------------------------------------------- history


@dataclass(frozen=True)
class ChangeKey:
    """How a key of an audit event's changes reads in history panels and the audit log.

    `render(value)` returns the value as the app's pages show it (text, or safe HTML);
    `latin` keeps a code, hash or version in Latin digits, left to right, inside RTL text.
    """

    label: Label
    render: Callable[[Any], Any] | None = None
    latin: bool = False


# scope ("" for every event, an object type "app_label.model", or an action) -> key -> how
CHANGE_KEYS: dict[str, dict[str, ChangeKey]] = {}
# object type -> `url(object_id) -> str | None`: where an audit row links its object
OBJECT_URLS: dict[str, Callable[[str], str | None]] = {}


def register_change_keys(keys: dict[str, Label | ChangeKey], *, scope: str = "") -> None:
    """Labels (and renderers) of the keys an app writes into audit events' changes.

    A model's own fields need none (their verbose names and choices are used); register the
    counts and summaries a service records (`rows`, `rescreened`) and fields whose values
    need the app's own rendering (a standard's rules as sentences). `scope` narrows a key to
    one action or object type; the most specific registration wins.
    """
    entries = CHANGE_KEYS.setdefault(scope.lower() if "." in scope else scope, {})
    for key, spec in keys.items():
        entries[key] = spec if isinstance(spec, ChangeKey) else ChangeKey(spec)


def change_key(key: str, *, action: str = "", object_type: str = "") -> ChangeKey | None:
    for scope in (action, object_type, ""):
        spec = CHANGE_KEYS.get(scope, {}).get(key)
        if spec is not None:
            return spec
    return None


def register_object_url(object_type: str, url: Callable[[str], str | None]) -> None:
    """Where the audit log links events about `object_type` ("app_label.model"); without
    one, the model's `get_absolute_url` on its id is used."""
    OBJECT_URLS[object_type.lower()] = url


# --------------------------------------------------------------------------- lookups


@dataclass(frozen=True)
class Lookup:
    """A searchable choice (`/lookup/<name>/?q=`): rows of `model` ("app_label.Model")
    the user may `action`, matched by `search(queryset, text)`, at most a page of them.

    `parent` names the query parameter (`?parent=<id>`) that narrows the rows by
    `parent_field` (counties of the chosen province). A `public` lookup answers anyone,
    signed in or not (the citizen's message form), from `narrow` over all the rows: it
    must name only what is public anyway; each address may ask it a limited number of
    times a minute."""

    name: str
    model: str
    search: Callable[[Any, str], Any]
    label: Callable[[Any], str] = str
    order_by: tuple[str, ...] = ("pk",)
    action: str = "view"
    parent_field: str = ""
    # Narrows the rows whatever the search (only stations and posts supervise).
    narrow: Callable[[Any], Any] | None = None
    public: bool = False


LOOKUPS: dict[str, Lookup] = {}


def register_lookup(lookup: Lookup) -> None:
    LOOKUPS[lookup.name] = lookup
