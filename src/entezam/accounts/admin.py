"""The Django admin, for HQ administrators only; domain data is read-only here (each app
registers its models with `core.admin.ReadOnlyAdmin`).

Registry changes go through the Entezam pages and API, which run the services (audit,
scope checks). The admin is for inspecting data and managing users' role assignments.
"""

from contextvars import ContextVar

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from . import services
from .choices import Role
from .forms import AdminLockoutAuthenticationForm
from .models import RoleAssignment, User


def _hq_admin_only(request) -> bool:
    user = request.user
    return user.is_active and user.is_authenticated and user.has_role(Role.HQ_ADMIN)


admin.site.has_permission = _hq_admin_only
admin.site.site_header = _("Entezam — administration")
admin.site.login_form = AdminLockoutAuthenticationForm


# The HQ administrator behind the admin's password page: Django builds that page's form
# itself, so the actor reaches the form's save() through the request's context.
_password_actor: ContextVar[User | None] = ContextVar("admin_password_actor", default=None)


class AuditedPasswordChangeForm(AdminPasswordChangeForm):
    """The admin's "change password" form, saved through the accounts service (audited)."""

    def save(self, commit=True):
        return services.user_password_set(
            actor=_password_actor.get(), user=self.user, password=self.cleaned_data["password1"]
        )


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    fields = ["role", "province", "police_unit", "institution", "is_active"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [RoleAssignmentInline]
    change_password_form = AuditedPasswordChangeForm

    def user_change_password(self, request, id, form_url=""):
        token = _password_actor.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _password_actor.reset(token)

    def has_module_permission(self, request):
        return _hq_admin_only(request)

    has_view_permission = has_change_permission = has_add_permission = (
        lambda self, request, obj=None: _hq_admin_only(request)
    )

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.user_save_from_admin(
            actor=request.user, user=obj, changed=form.changed_data, created=not change
        )


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "province", "police_unit", "institution", "is_active"]
    list_filter = ["role", "is_active"]
    autocomplete_fields = ["user"]
    raw_id_fields = ["police_unit", "institution"]

    def has_module_permission(self, request):
        return _hq_admin_only(request)

    has_view_permission = has_add_permission = lambda self, request, obj=None: _hq_admin_only(
        request
    )

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        assignment = services.role_assign(
            actor=request.user,
            user=obj.user,
            role=obj.role,
            province=obj.province,
            police_unit=obj.police_unit,
            institution=obj.institution,
        )
        obj.pk = assignment.pk
