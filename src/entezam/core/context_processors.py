from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from entezam.accounts.choices import Role
from entezam.personnel.models import PEOPLE_VIEWERS

AUDIT_READERS = {
    Role.HQ_ADMIN,
    Role.HQ_ANALYST,
    Role.PROVINCE_OFFICER,
    Role.STATION_OFFICER,
    Role.INSTITUTION_MANAGER,
}
ROSTER_IMPORTERS = {Role.HQ_ADMIN, Role.PROVINCE_OFFICER, Role.INSTITUTION_MANAGER}

# Top-level entries, each a link or a menu of links:
# (url name, label, icon, roles that see it; None = every signed-in user)
NAVIGATION = [
    ("home", _("Dashboard"), "speedometer2", None),
    ("institutions:list", _("Institutions"), "building-check", None),
    ("geo:unit_list", _("Police units"), "shield-shaded", None),
    (
        _("Staff"),
        "people",
        [
            ("personnel:list", _("People"), "people", PEOPLE_VIEWERS),
            ("roster:upload", _("Roster import"), "file-earmark-arrow-up", ROSTER_IMPORTERS),
        ],
    ),
    (
        _("Selection"),
        "person-check",
        [
            ("vetting:pipeline", _("Selection pipeline"), "kanban", PEOPLE_VIEWERS),
            ("vetting:application_list", _("Applications"), "card-checklist", PEOPLE_VIEWERS),
            ("vetting:standard_list", _("Selection standards"), "journal-check", PEOPLE_VIEWERS),
        ],
    ),
    (
        _("System"),
        "gear",
        [
            ("core:audit_list", _("Audit log"), "journal-text", AUDIT_READERS),
            ("api-docs", _("API"), "code-slash", {Role.HQ_ADMIN, Role.HQ_ANALYST}),
            ("admin:index", _("Administration"), "gear", {Role.HQ_ADMIN}),
        ],
    ),
]


def _link(name, label, icon, path):
    url = reverse(name)
    active = path == url if name == "home" else path.startswith(url)
    return {"label": label, "url": url, "icon": icon, "active": active}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles_display": []}
    roles = user.roles
    path = request.path

    def allowed(roles_needed) -> bool:
        return roles_needed is None or bool(roles & roles_needed)

    items = []
    for entry in NAVIGATION:
        if len(entry) == 3:
            label, icon, children = entry
            links = [_link(n, lb, ic, path) for n, lb, ic, r in children if allowed(r)]
            if links:
                items.append(
                    {
                        "label": label,
                        "icon": icon,
                        "children": links,
                        "active": any(link["active"] for link in links),
                    }
                )
        elif allowed(entry[3]):
            items.append(_link(entry[0], entry[1], entry[2], path))
    return {
        "nav_items": items,
        "user_roles_display": [str(a) for a in user.role_assignments_cached()],
    }
