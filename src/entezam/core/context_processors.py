from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from entezam.accounts.choices import Role
from entezam.personnel.models import PEOPLE_VIEWERS

# (url name, label, icon, roles that see it; None = every signed-in user)
NAVIGATION = [
    ("home", _("Dashboard"), "speedometer2", None),
    ("institutions:list", _("Institutions"), "building-check", None),
    ("personnel:list", _("People"), "people", PEOPLE_VIEWERS),
    (
        "roster:upload",
        _("Roster import"),
        "file-earmark-arrow-up",
        {Role.HQ_ADMIN, Role.PROVINCE_OFFICER, Role.INSTITUTION_MANAGER},
    ),
    ("geo:unit_list", _("Police units"), "shield-shaded", None),
    ("vetting:pipeline", _("Selection"), "person-check", PEOPLE_VIEWERS),
    (
        "core:audit_list",
        _("Audit log"),
        "journal-text",
        {
            Role.HQ_ADMIN,
            Role.HQ_ANALYST,
            Role.PROVINCE_OFFICER,
            Role.STATION_OFFICER,
            Role.INSTITUTION_MANAGER,
        },
    ),
    ("api-docs", _("API"), "code-slash", {Role.HQ_ADMIN, Role.HQ_ANALYST}),
    ("admin:index", _("Administration"), "gear", {Role.HQ_ADMIN}),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles_display": []}
    roles = user.roles
    path = request.path
    items = []
    for name, label, icon, allowed in NAVIGATION:
        if allowed is not None and not (roles & allowed):
            continue
        url = reverse(name)
        active = path == url if name == "home" else path.startswith(url)
        items.append({"label": label, "url": url, "icon": icon, "active": active})
    return {
        "nav_items": items,
        "user_roles_display": [str(a) for a in user.role_assignments_cached()],
    }
