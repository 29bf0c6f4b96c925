"""The navigation bar, built from what each app registered (`core.registry`)."""

from __future__ import annotations

from django.apps import apps
from django.urls import NoReverseMatch, reverse

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
    active = path == url if url == "/" else path.startswith(url)
    return {"label": entry.label, "url": url, "icon": entry.icon, "active": active}


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


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles_display": []}
    return {
        "nav_items": navigation_items(user, request.path),
        "user_roles_display": [str(a) for a in user.role_assignments_cached()],
    }
