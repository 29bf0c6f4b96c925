"""The shared permission suite: every role against its own scope and a foreign one, on the
web pages and the API (NetBox's `ViewTestCases` / `APIViewTestCases`, as pytest classes).

An app's `tests/<app>/test_permissions.py` subclasses the parts it needs and supplies
data only — the model, the URLs, which objects each role sees, who may create, update and
perform each action, the form data and API payloads:

    class TestInstitutionPermissions(ListTests, DetailTests, CreateTests, UpdateTests, ActionTests):
        model = Institution
        keys = ("inst_a", "inst_a2", "inst_b")
        foreign = "inst_b"
        visible = {"hq_admin": {"inst_a", "inst_a2", "inst_b"}, "manager": {"inst_a"}, ...}
        list_url = "/institutions/"
        ...

The parts parametrize themselves from that data (`pytest_generate_tests` below): one case
per interface, role and object. What they check:

* list: the page and the API list exactly the objects the role sees;
* detail: 200 for an object in scope, 404 outside it;
* create, update, each action: allowed in the role's scope (with its audit event, by that
  user in that role); refused with 403 to a role without the action, with 404 (or the form
  error the view gives) for an object outside the scope; a refused request writes no row
  and records no event.

See tests/README.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.test import Client
from rest_framework.test import APIClient

from entezam.accounts.choices import Role
from entezam.core.models import AuditEvent

# The users of the `world` fixture (tests/conftest.py), one per role, by attribute name.
ROLES = (
    "hq_admin",
    "hq_analyst",
    "province_officer",
    "station_officer",
    "manager",
    "operator",
    "trainer",
)
# The role each of them holds, as an audit event records it.
ROLE = {
    "hq_admin": Role.HQ_ADMIN,
    "hq_analyst": Role.HQ_ANALYST,
    "province_officer": Role.PROVINCE_OFFICER,
    "station_officer": Role.STATION_OFFICER,
    "manager": Role.INSTITUTION_MANAGER,
    "operator": Role.CENTER_OPERATOR,
    "trainer": Role.TRAINER,
}
# The roles whose scope is one part of the nation (province A, its station, its institution).
SCOPED_ROLES = ("province_officer", "station_officer", "manager")
INTERFACES = ("web", "api")


def web(client: Client, user) -> Client:
    """`client` signed in as `user`."""
    client.force_login(user)
    return client


def api(user=None) -> APIClient:
    """An API client authenticated as `user` (anonymous without one)."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def fill(template: str, obj) -> str:
    """A URL or text template of one object: `{pk}` and `{obj.<attribute>}`."""
    return template.format(pk=obj.pk, obj=obj)


def resolve(data: dict, obj) -> dict:
    """Form data or a payload for `obj`: callable values are called with it at request time
    (files are read once; some values name the object)."""
    return {name: value(obj) if callable(value) else value for name, value in data.items()}


def send(interface: str, user, method: str, url: str, data: dict | None = None):
    """One request as `user` (anonymous when None) on the web or the API."""
    if interface == "web":
        client = Client()
        if user is not None:
            client.force_login(user)
        return getattr(client, method)(url, data or {})
    client = api(user)
    if method == "get":
        return client.get(url, data or {})
    files = any(hasattr(value, "read") for value in (data or {}).values())
    return getattr(client, method)(url, data or {}, format="multipart" if files else "json")


def rows(body) -> list:
    """The rows of an API list answer, paginated or not."""
    return body["results"] if isinstance(body, dict) else body


def row_counts() -> dict[str, int]:
    """Rows per Entezam model: a refused request must leave every count as it was."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model.__module__.startswith("entezam.")
    }


def refusal_of(outcome) -> tuple[int, str | None]:
    """`404`, or `(200, "field")` for a refusal that is a form error on that field."""
    return outcome if isinstance(outcome, tuple) else (outcome, None)


def assert_refused(response, refusal: tuple[int, str | None]) -> None:
    status, form_field = refusal
    assert response.status_code == status, body_of(response)
    if form_field is None:
        return
    if response.has_header("Content-Type") and "json" in response["Content-Type"]:
        assert form_field in response.json(), response.json()
    else:
        assert form_field in response.context["form"].errors, response.context["form"].errors


def body_of(response) -> str:
    """What went wrong, for an assertion message."""
    if getattr(response, "streaming", False):
        return f"{response.status_code} (file)"
    context = getattr(response, "context", None)
    if context is not None and context.get("form") is not None:
        return f"{response.status_code} form errors: {context['form'].errors.as_data()}"
    return f"{response.status_code} {response.content.decode(errors='replace')[:1000]}"


def assert_event(action: str, *, user, role: str, obj, reason: str = "") -> AuditEvent:
    """The one audit event `action` about `obj`, recorded by `user` acting as `role`."""
    event = AuditEvent.objects.get(
        action=action, object_type=obj._meta.label_lower, object_id=str(obj.pk)
    )
    assert event.actor == user
    assert event.role == ROLE[role]
    if reason:
        assert event.reason == reason
    return event


def matches(expected, value) -> bool:
    """An expected field value, or a predicate of it."""
    return expected(value) if callable(expected) else value == expected


def assert_json_fields(response, expected: dict) -> None:
    """The answer shows the expected (plain) values of the fields it carries."""
    body = response.json()
    for name, value in expected.items():
        if name in body and not callable(value):
            assert body[name] == value, (name, body[name])


@dataclass(frozen=True)
class Action:
    """One write on an object of the suite's model, through the web, the API or both.

    URL templates and data follow `fill` and `resolve`; the target is the object under
    test. The web case GETs the action's dialog (unless `dialog` is False), then POSTs.
    """

    roles: frozenset[str]  # world roles that may perform it, within their scope
    event: str  # the audit action recorded when it is allowed
    web: str | None = None
    form: dict = field(default_factory=dict)
    api: str | None = None
    payload: dict = field(default_factory=dict)
    before: dict = field(default_factory=dict)  # field values the target is given first
    after: dict = field(default_factory=dict)  # its values once allowed (values or predicates)
    creates: type | None = None  # a model that gains exactly one row when it is allowed
    created: dict = field(default_factory=dict)  # field values of that row
    event_on: str = "target"  # "target", "created", or the attribute of the target it names
    keys: tuple[str, ...] | None = None  # the objects it applies to (default: all)
    # Who sees the target for this action, when the action looks it up otherwise than the
    # suite's `visible` says (role -> keys).
    visible: dict | None = None
    dialog: bool = True
    page: str | None = None  # a page offering the action: 200 to its roles, 403 to others
    web_status: int = 302
    api_status: int = 200
    # Interfaces that refuse a role without the action (403) before looking at the object.
    role_first: tuple[str, ...] = ()
    # How an object outside the scope is refused, per interface, when not with 404.
    outside: dict = field(default_factory=dict)


class PermissionSuite:
    """The data every part reads; subclasses set it (and may override `objects`)."""

    model = None
    # The objects under test by key: own scope first, the foreign scope last.
    keys: tuple[str, ...] = ()
    # The key of the object in the foreign scope; None for national data, which has none.
    foreign: str | None = None
    # Role -> the keys of the objects it sees. A role left out sees none.
    visible: dict[str, set[str]] = {}
    # Roles the model is closed to: its list is 403 to them and so is every API call
    # (refused before any lookup); web object pages are 404 as for any object out of scope.
    closed_to: frozenset[str] = frozenset()
    api_id = "id"  # the field of an API row holding the object's id

    @pytest.fixture
    def objects(self, world) -> dict:
        """The objects under test by key; by default the `world`'s attributes of that name."""
        return {key: getattr(world, key) for key in self.keys}

    def sees(self, role: str, key: str, visible: dict | None = None) -> bool:
        return key in (self.visible if visible is None else visible).get(role, ())

    def refusal(
        self,
        role: str,
        key: str,
        roles,
        interface: str,
        *,
        role_first: bool = False,
        outside: dict | None = None,
        visible: dict | None = None,
    ) -> tuple[int, str | None] | None:
        """None when `role` may act with `roles` on object `key`; else how it is refused."""
        if interface == "api" and role in self.closed_to:
            return (403, None)
        if role_first and role not in roles:
            return (403, None)
        if not self.sees(role, key, visible):
            return refusal_of((outside or {}).get(interface, 404))
        if role not in roles:
            return (403, None)
        return None

    def interfaces(self, web_url: str | None, api_url: str | None) -> list[str]:
        return [name for name, url in zip(INTERFACES, (web_url, api_url), strict=True) if url]

    # Which URLs each test needs, and over which objects it runs.
    CASES = {
        "test_list": ("list_url", "api_list_url", None),
        "test_list_anonymous": ("list_url", "api_list_url", None),
        "test_detail": ("detail_url", "api_detail_url", "keys"),
        "test_create": ("create_url", "api_create_url", "create_keys"),
        "test_update": ("update_url", "api_update_url", "update_keys"),
    }

    def pytest_generate_tests(self, metafunc):
        name = metafunc.function.__name__
        if name == "test_action":
            cases = [
                (action, interface, key)
                for action, spec in self.actions.items()
                for interface in self.interfaces(spec.web, spec.api)
                for key in spec.keys or self.keys
            ]
            metafunc.parametrize(
                ("action", "interface", "key"), cases, ids=["-".join(case) for case in cases]
            )
        elif name in self.CASES:
            web_url, api_url, keys = self.CASES[name]
            metafunc.parametrize(
                "interface", self.interfaces(getattr(self, web_url), getattr(self, api_url))
            )
            if keys is not None:
                metafunc.parametrize("key", getattr(self, keys) or self.keys)
        if "role" in metafunc.fixturenames:
            metafunc.parametrize("role", ROLES)

    def test_the_data_covers_the_foreign_scope(self):
        assert self.keys and set(self.visible) <= set(ROLES)
        assert all(set(keys) <= set(self.keys) for keys in self.visible.values())
        if self.foreign is None:
            # National data: whoever sees any of it sees all of it.
            assert all(set(keys) in (set(), set(self.keys)) for keys in self.visible.values())
        else:
            assert self.foreign == self.keys[-1]
            assert not any(self.sees(role, self.foreign) for role in SCOPED_ROLES)


class ListTests(PermissionSuite):
    """The list page and the API list show exactly the objects the role sees."""

    list_url: str | None = None
    api_list_url: str | None = None
    list_query = ""  # appended to both, to leave out other rows of the model
    list_context = "object_list"  # the page's context variable holding the listed rows
    list_shows: str | None = None  # a text template the page shows for each listed object

    def test_list(self, world, objects, interface, role):
        user = getattr(world, role)
        url = (self.list_url if interface == "web" else self.api_list_url) + self.list_query
        response = send(interface, user, "get", url)
        if role in self.closed_to:
            assert response.status_code == 403
            return
        assert response.status_code == 200, body_of(response)
        expected = {objects[key].pk for key in self.keys if self.sees(role, key)}
        if interface == "api":
            assert {row[self.api_id] for row in rows(response.json())} == expected
            return
        assert {obj.pk for obj in response.context[self.list_context]} == expected
        if self.list_shows:
            html = response.content.decode()
            for key in self.keys:
                shown = fill(self.list_shows, objects[key]) in html
                assert shown == self.sees(role, key), key

    def test_list_anonymous(self, db, interface):
        url = (self.list_url if interface == "web" else self.api_list_url) + self.list_query
        response = send(interface, None, "get", url)
        if interface == "web":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == 401


class DetailTests(PermissionSuite):
    """An object's pages and its API record: 200 in the role's scope, 404 outside."""

    detail_url: str | None = None
    api_detail_url: str | None = None
    detail_pages: tuple[str, ...] = ()  # further web pages reading one object
    detail_shows: str | None = None  # a text template the detail page shows

    def test_detail(self, world, objects, interface, role, key):
        user, obj = getattr(world, role), objects[key]
        refusal = self.refusal(role, key, ROLES, interface)
        urls = (
            [self.detail_url, *self.detail_pages] if interface == "web" else [self.api_detail_url]
        )
        for template in urls:
            response = send(interface, user, "get", fill(template, obj))
            if refusal is not None:
                assert_refused(response, refusal)
                continue
            assert response.status_code == 200, (template, body_of(response))
            if template == self.api_detail_url:
                assert response.json()[self.api_id] == obj.pk
            elif template == self.detail_url and self.detail_shows:
                assert fill(self.detail_shows, obj) in response.content.decode()


class CreateTests(PermissionSuite):
    """Creating an object in the scope of each object under test.

    Allowed to `create_roles` where they see that object; a role without the right is
    refused (403) before anything is looked at; elsewhere as `create_outside` says.
    """

    create_url: str | None = None  # web: GET shows the form, POST creates
    api_create_url: str | None = None  # API: POST creates
    create_roles: frozenset[str] = frozenset()
    create_event = ""
    created: dict = {}  # field values of a new object
    create_keys: tuple[str, ...] | None = None
    create_status = {"web": 302, "api": 201}
    create_outside = {"web": 404, "api": 404}

    def create_form(self, world, near) -> dict:
        """Web form data of a new object in the scope of `near`."""
        raise NotImplementedError

    def create_payload(self, world, near) -> dict:
        """API payload of a new object in the scope of `near`."""
        raise NotImplementedError

    def test_create(self, world, objects, interface, role, key, django_capture_on_commit_callbacks):
        user, near = getattr(world, role), objects[key]
        refusal = self.refusal(
            role, key, self.create_roles, interface, role_first=True, outside=self.create_outside
        )
        if interface == "web":
            page = send("web", user, "get", self.create_url)
            assert page.status_code == (200 if role in self.create_roles else 403)
            url, data = self.create_url, self.create_form(world, near)
        else:
            url, data = self.api_create_url, self.create_payload(world, near)
        data = resolve(data, near)
        existing = set(self.model._default_manager.values_list("pk", flat=True))
        counts = row_counts()
        with django_capture_on_commit_callbacks(execute=True):
            response = send(interface, user, "post", url, data)
        new = list(self.model._default_manager.exclude(pk__in=existing))
        if refusal is not None:
            assert_refused(response, refusal)
            assert row_counts() == counts
            return
        assert response.status_code == self.create_status[interface], body_of(response)
        assert len(new) == 1
        obj = new[0]
        for name, value in self.created.items():
            assert matches(value, getattr(obj, name)), name
        if interface == "api":
            assert_json_fields(response, self.created)
        assert_event(self.create_event, user=user, role=role, obj=obj)


class UpdateTests(PermissionSuite):
    """Changing each object under test: allowed to `update_roles` within their scope."""

    update_url: str | None = None  # web: GET shows the form, POST saves
    api_update_url: str | None = None  # API: PATCH
    update_roles: frozenset[str] = frozenset()
    update_event = ""
    update_keys: tuple[str, ...] | None = None
    update_changes: dict = {}  # the field values the web form sets
    api_update: dict = {}  # the API PATCH payload, and the values it sets

    def update_form(self, world, obj) -> dict:
        """Complete web form data for `obj` that sets `update_changes`."""
        raise NotImplementedError

    def test_update(self, world, objects, interface, role, key, django_capture_on_commit_callbacks):
        user, obj = getattr(world, role), objects[key]
        refusal = self.refusal(role, key, self.update_roles, interface)
        if interface == "web":
            page = send("web", user, "get", fill(self.update_url, obj))
            assert page.status_code == (200 if refusal is None else refusal[0])
            url, method = fill(self.update_url, obj), "post"
            data, expected = resolve(self.update_form(world, obj), obj), self.update_changes
        else:
            url, method = fill(self.api_update_url, obj), "patch"
            data, expected = resolve(self.api_update, obj), self.api_update
        before = {name: getattr(obj, name) for name in expected}
        counts = row_counts()
        with django_capture_on_commit_callbacks(execute=True):
            response = send(interface, user, method, url, data)
        obj.refresh_from_db()
        if refusal is not None:
            assert_refused(response, refusal)
            assert {name: getattr(obj, name) for name in expected} == before
            assert row_counts() == counts
            return
        assert response.status_code == (302 if interface == "web" else 200), body_of(response)
        for name, value in expected.items():
            assert getattr(obj, name) == value, name
        assert_event(self.update_event, user=user, role=role, obj=obj)


class ActionTests(PermissionSuite):
    """Each action in `actions` on each object, by every role."""

    actions: dict[str, Action] = {}

    def test_action(
        self, world, objects, action, interface, key, role, django_capture_on_commit_callbacks
    ):
        spec, user, target = self.actions[action], getattr(world, role), objects[key]
        refusal = self.refusal(
            role,
            key,
            spec.roles,
            interface,
            role_first=interface in spec.role_first,
            outside=spec.outside,
            visible=spec.visible,
        )
        if spec.before:
            type(target)._default_manager.filter(pk=target.pk).update(**spec.before)
            target.refresh_from_db()
        if interface == "web":
            if spec.page:
                page = send("web", user, "get", spec.page)
                assert page.status_code == (200 if role in spec.roles else 403)
            if spec.dialog:
                dialog = send("web", user, "get", fill(spec.web, target))
                assert dialog.status_code == (200 if refusal is None else refusal[0])
            url, data = fill(spec.web, target), resolve(spec.form, target)
        else:
            url, data = fill(spec.api, target), resolve(spec.payload, target)
        before = {name: getattr(target, name) for name in spec.after}
        existing = (
            set(spec.creates._default_manager.values_list("pk", flat=True))
            if spec.creates
            else set()
        )
        counts = row_counts()
        with django_capture_on_commit_callbacks(execute=True):
            response = send(interface, user, "post", url, data)
        target.refresh_from_db()
        if refusal is not None:
            assert_refused(response, refusal)
            assert {name: getattr(target, name) for name in spec.after} == before
            assert row_counts() == counts
            return
        status = spec.web_status if interface == "web" else spec.api_status
        assert response.status_code == status, body_of(response)
        for name, value in spec.after.items():
            assert matches(value, getattr(target, name)), (name, getattr(target, name))
        if interface == "api":
            assert_json_fields(response, spec.after)
        subject = target
        if spec.creates is not None:
            (created,) = spec.creates._default_manager.exclude(pk__in=existing)
            for name, value in spec.created.items():
                assert matches(value, getattr(created, name)), name
            if spec.event_on == "created":
                subject = created
        if spec.event_on not in ("target", "created"):
            subject = getattr(target, spec.event_on)
        assert_event(spec.event, user=user, role=role, obj=subject, reason=data.get("reason", ""))
