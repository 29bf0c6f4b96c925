from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from entezam.core.pagination import paginate
from entezam.core.scoping import parse_id
from entezam.core.views import apply_form_errors

from . import selectors, services
from .choices import Role
from .errors import MESSAGES
from .forms import LockoutAuthenticationForm
from .lockout import sign_in_locked
from .management_forms import PasswordResetForm, RevokeForm, RoleScopeForm, UserCreateForm


class LoginView(auth_views.LoginView):
    authentication_form = LockoutAuthenticationForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


# --- user management: HQ administrators nationally, province officers in their province ---


class UserManagerMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_role(
            Role.HQ_ADMIN, Role.PROVINCE_OFFICER
        ):
            raise PermissionDenied(MESSAGES["not_user_manager"])
        return super().dispatch(request, *args, **kwargs)


class UserListView(UserManagerMixin, TemplateView):
    template_name = "accounts/user_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        text = self.request.GET.get("q", "")
        users = selectors.user_search(selectors.manageable_users(actor=self.request.user), text)
        users = users.prefetch_related("role_assignments").order_by("username", "pk")
        page = paginate(self.request, users, 50)
        context.update(
            page_obj=page,
            object_list=page.object_list,
            q=text,
            query_without_page=urlencode({"q": text} if text else {}),
        )
        return context


def _service_error(form, exc) -> None:
    if isinstance(exc, ValidationError):
        apply_form_errors(form, exc)
    else:
        form.add_error(None, str(exc) or MESSAGES["grant_outside_province"])


class UserCreateView(UserManagerMixin, View):
    template_name = "accounts/user_form.html"

    def get(self, request):
        form = UserCreateForm(actor=request.user)
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        form = UserCreateForm(request.POST, actor=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    user = services.user_create(
                        actor=request.user,
                        username=data["username"],
                        password=data["password"],
                        display_name=data["display_name"],
                    )
                    services.role_assign(
                        actor=request.user, user=user, role=data["role"], **form.scope()
                    )
            except (ValidationError, PermissionDenied) as exc:
                _service_error(form, exc)
            else:
                messages.success(request, _("User created."))
                return HttpResponseRedirect(reverse("accounts:user_detail", args=[user.pk]))
        return render(request, self.template_name, {"form": form}, status=400)


class UserDetailView(UserManagerMixin, View):
    template_name = "accounts/user_detail.html"

    def context(self, user, **forms):
        actor = self.request.user
        return {
            "object": user,
            "assignments": user.role_assignments.select_related(
                "province", "police_unit", "institution"
            ).order_by("-is_active", "role"),
            "may_manage": services.may_manage_user(actor, user),
            "grant_form": forms.get("grant_form") or RoleScopeForm(actor=actor, prefix="grant"),
            "password_form": forms.get("password_form") or PasswordResetForm(prefix="password"),
            "revoke_form": RevokeForm(prefix="revoke"),
            "locked": sign_in_locked(self.request, user.username.lower()),
            "history": selectors.user_recent_actions(actor=actor, user=user),
            "show_object": True,
        }

    def get(self, request, pk):
        user = selectors.user_access(actor=request.user, pk=pk)
        return render(request, self.template_name, self.context(user))

    def post(self, request, pk):
        user = selectors.user_access(actor=request.user, pk=pk)
        action = request.POST.get("do", "")
        forms = {}
        try:
            if action == "grant":
                form = forms["grant_form"] = RoleScopeForm(
                    request.POST, actor=request.user, prefix="grant"
                )
                if form.is_valid():
                    try:
                        services.role_assign(
                            actor=request.user,
                            user=user,
                            role=form.cleaned_data["role"],
                            **form.scope(),
                        )
                    except (ValidationError, PermissionDenied) as exc:
                        _service_error(form, exc)
                    else:
                        messages.success(request, _("Role granted."))
                        return HttpResponseRedirect(request.path)
            elif action == "password":
                form = forms["password_form"] = PasswordResetForm(request.POST, prefix="password")
                if form.is_valid():
                    try:
                        services.user_password_reset(
                            actor=request.user, user=user, password=form.cleaned_data["password"]
                        )
                    except (ValidationError, PermissionDenied) as exc:
                        _service_error(form, exc)
                    else:
                        messages.success(request, _("Password reset."))
                        return HttpResponseRedirect(request.path)
            elif action == "unlock":
                services.user_unlock(actor=request.user, user=user)
                messages.success(request, _("Account unlocked."))
                return HttpResponseRedirect(request.path)
            elif action == "revoke":
                assignment = user.role_assignments.filter(
                    pk=parse_id(request.POST.get("assignment")), is_active=True
                ).first()
                form = RevokeForm(request.POST, prefix="revoke")
                if assignment is None:
                    raise Http404
                if form.is_valid():
                    services.role_revoke(
                        actor=request.user,
                        assignment=assignment,
                        reason=form.cleaned_data["reason"],
                    )
                    messages.success(request, _("Role withdrawn."))
                    return HttpResponseRedirect(request.path)
                messages.error(request, _("Give a reason of at least five characters."))
                return HttpResponseRedirect(request.path)
            else:
                return HttpResponseRedirect(request.path)
        except PermissionDenied as exc:
            messages.error(request, str(exc) or MESSAGES["user_outside_scope"])
            return HttpResponseRedirect(request.path)
        return render(request, self.template_name, self.context(user, **forms), status=400)
