"""The navigation bar, built from what each app registered (`core.registry`)."""

from __future__ import annotations

from django.apps import apps
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.functional import lazy
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from .registry import NAV_ENTRIES, NAV_SECTIONS, NavEntry
from .scoping import allowed_roles


def _allowed(entry: NavEntry, user) -> bool:
    if entry.visible is not None:
        return entry.visible(user)
    if entry.model is not None:
        return bool(allowed_roles(user, apps.get_model(entry.model), entry.action))
    return True


def _link(entry: NavEntry, path: str) -> dict | None:
    try:
        url = reverse(entry.url_name)
    except NoReverseMatch:
        return None
    return {"label": entry.label, "url": url, "icon": entry.icon, "active": _active(url, path)}


def _active(url: str, path: str) -> bool:
    return path == url if url == "/" else path.startswith(url)


def navigation_items(user, path: str) -> list[dict]:
    """Top-level links and menus (sections) the user may use, in registered order."""
    top: list[tuple[int, dict]] = []
    sections: dict[str, list[tuple[int, dict]]] = {}
    for entry in NAV_ENTRIES:
        if not _allowed(entry, user):
            continue
        link = _link(entry, path)
        if link is None:
            continue
        if entry.section is None:
            top.append((entry.order, link))
        else:
            sections.setdefault(entry.section, []).append((entry.order, link))
    for key, links in sections.items():
        section = NAV_SECTIONS[key]
        children = [link for _order, link in sorted(links, key=lambda item: item[0])]
        top.append(
            (
                section.order,
                {
                    "label": section.label,
                    "icon": section.icon,
                    "children": children,
                    "active": any(link["active"] for link in children),
                },
            )
        )
    return [item for _order, item in sorted(top, key=lambda item: item[0])]


# What the navigation shows depends only on the user's active role assignments (every
# entry's `visible` and model action is decided by them) and the language: the links are
# worked out, and the bar rendered, once per such set and active link in each process.
# The keys hold no user id, so users with the same roles share them; a changed
# assignment makes a new key, and so does a change to the registered entries (an app
# registering at run time, as tests do). Bounded: emptied when full.
_NAV_CACHE_SIZE = 4096
_nav_links: dict[tuple, list[dict]] = {}
_nav_html: dict[tuple, SafeString] = {}


def _role_key(user) -> tuple:
    assignments = sorted(
        (a.role, a.province_id or 0, a.police_unit_id or 0, a.institution_id or 0)
        for a in user.role_assignments_cached()
    )
    registered = (tuple(map(id, NAV_ENTRIES)), tuple(map(id, NAV_SECTIONS.values())))
    return (user.is_superuser, user.is_active, tuple(assignments), get_language(), registered)


def _remember(cache: dict, key, value):
    if len(cache) >= _NAV_CACHE_SIZE:
        cache.clear()
    cache[key] = value
    return value


def _with_active(items: list[dict], path: str) -> list[dict]:
    result = []
    for item in items:
        if "children" in item:
            children = [{**link, "active": _active(link["url"], path)} for link in item["children"]]
            result.append(
                {**item, "children": children, "active": any(c["active"] for c in children)}
            )
        else:
            result.append({**item, "active": _active(item["url"], path)})
    return result


def navigation_html(user, path: str) -> SafeString:
    """The navigation bar's links for `user` at `path`, rendered (see `_nav_html`)."""
    key = _role_key(user)
    links = _nav_links.get(key)
    if links is None:
        links = _remember(_nav_links, key, navigation_items(user, ""))
    items = _with_active(links, path)
    active = tuple(
        link["url"] for item in items for link in item.get("children", [item]) if link["active"]
    )
    html = _nav_html.get((key, active))
    if html is None:
        rendered = mark_safe(render_to_string("includes/nav_items.html", {"nav_items": items}))
        html = _remember(_nav_html, (key, active), rendered)
    return html


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_html": "", "user_roles_display": []}
    return {
        # Rendered only if the template prints it (`{{ nav_html }}`).
        "nav_html": lazy(navigation_html, SafeString)(user, request.path),
        "user_roles_display": [str(a) for a in user.role_assignments_cached()],
    }
