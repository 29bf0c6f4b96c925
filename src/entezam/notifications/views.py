"""The notification list, the bell's menu, read marks, the XLSX export, preferences,
following, and HQ's view of deliveries. Every view reads through the selectors (a
user's own rows) and writes through the services."""

from __future__ import annotations

import tempfile
from urllib.parse import urlencode

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from entezam.core.pagination import paginate
from entezam.core.scoping import access, allowed_roles

from . import selectors, services
from .choices import Channel, ChannelChoice, DeliveryStatus, ReadFilter
from .exports import write_notifications_xlsx
from .forms import NotificationFilterForm, PreferencesForm
from .models import Delivery
from .templatetags.notifications import follow_context

DROPDOWN_SIZE = 8


def safe_next(request, candidate: str | None, fallback: str) -> str:
    """A same-site URL to go back to (never another host)."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def _read_filter(request) -> str:
    form = NotificationFilterForm(request.GET)
    return form.cleaned_data["read"] if form.is_valid() else ""


class NotificationListView(LoginRequiredMixin, TemplateView):
    template_name = "notifications/notification_list.html"
    paginate_by = 25

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        read = _read_filter(self.request)
        notifications = selectors.notification_list(user=self.request.user, read=read)
        page = paginate(self.request, notifications, self.paginate_by)
        context.update(
            page_obj=page,
            notifications=page.object_list,
            read=read,
            read_choices=ReadFilter.choices,
            unread_total=selectors.unread_count(self.request.user),
            query_without_page=urlencode({"read": read} if read else {}),
        )
        return context


class NotificationDropdownView(LoginRequiredMixin, View):
    """The bell's menu (an htmx fragment): the latest few, newest first."""

    def get(self, request):
        back = safe_next(request, request.headers.get("HX-Current-URL"), reverse("home"))
        return render(
            request,
            "notifications/dropdown.html",
            {
                "latest": selectors.notification_list(user=request.user)[:DROPDOWN_SIZE],
                "unread": selectors.unread_count(request.user),
                "next": back,
            },
        )


class NotificationReadView(LoginRequiredMixin, View):
    """POST: mark one notification read; with `open`, go to what it is about."""

    def post(self, request, pk):
        notification = selectors.notification_access(user=request.user, pk=pk)
        services.notification_mark_read(actor=request.user, notification=notification)
        fallback = reverse("notifications:list")
        if request.POST.get("open") and notification.url:
            return HttpResponseRedirect(safe_next(request, notification.url, fallback))
        return HttpResponseRedirect(safe_next(request, request.POST.get("next"), fallback))


class NotificationsReadAllView(LoginRequiredMixin, View):
    def post(self, request):
        count = services.notifications_mark_all_read(actor=request.user)
        if count:
            messages.success(request, _("All notifications are marked read."))
        return HttpResponseRedirect(
            safe_next(request, request.POST.get("next"), reverse("notifications:list"))
        )


class NotificationExportView(LoginRequiredMixin, View):
    def get(self, request):
        notifications = selectors.notification_list(user=request.user, read=_read_filter(request))
        spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
        write_notifications_xlsx(notifications, spool)
        spool.seek(0)
        return FileResponse(
            spool,
            as_attachment=True,
            filename="notifications.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )


class PreferencesView(LoginRequiredMixin, View):
    template_name = "notifications/preferences.html"

    def _render(self, form):
        user = self.request.user
        return render(
            self.request,
            self.template_name,
            {"form": form, "rows": form.bound_rows(), "email": user.email, "mobile": user.mobile},
        )

    def get(self, request):
        return self._render(PreferencesForm(rows=selectors.preference_rows(request.user)))

    def post(self, request):
        form = PreferencesForm(request.POST, rows=selectors.preference_rows(request.user))
        if not form.is_valid():
            return self._render(form)
        for category, channel, choice in form.choices():
            services.preference_set(
                actor=request.user,
                category=category,
                channel=channel,
                enabled=None if choice == ChannelChoice.DEFAULT else choice == ChannelChoice.ALL,
            )
        messages.success(request, _("Your notification preferences are saved."))
        return HttpResponseRedirect(reverse("notifications:preferences"))


class FollowView(LoginRequiredMixin, View):
    """POST `model` ("app_label.model"), `pk`, `action` (follow or unfollow)."""

    def post(self, request):
        try:
            model = apps.get_model(request.POST.get("model", ""))
        except (LookupError, ValueError):
            raise Http404 from None
        if not model.__module__.startswith("entezam."):
            raise Http404
        obj = access(model, user=request.user, pk=request.POST.get("pk"))
        if request.POST.get("action") == "unfollow":
            services.unfollow(actor=request.user, obj=obj)
        else:
            services.follow(actor=request.user, obj=obj)
        if request.headers.get("HX-Request"):
            back = safe_next(request, request.POST.get("next"), "/")
            return render(
                request, "notifications/follow_button.html", follow_context(request, obj, back)
            )
        fallback = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else "/"
        return HttpResponseRedirect(safe_next(request, request.POST.get("next"), fallback))


class DeliveryListView(LoginRequiredMixin, TemplateView):
    """HQ administrators: every e-mail and SMS delivery, failures first by default."""

    template_name = "notifications/delivery_list.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not allowed_roles(request.user, Delivery, "retry"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", DeliveryStatus.FAILED)
        status = status if status in DeliveryStatus.values else ""
        channel = self.request.GET.get("channel", "")
        channel = channel if channel in Channel.values else ""
        deliveries = selectors.delivery_list(user=self.request.user, status=status, channel=channel)
        page = paginate(self.request, deliveries, 50)
        context.update(
            page_obj=page,
            deliveries=page.object_list,
            status=status,
            channel=channel,
            status_choices=DeliveryStatus.choices,
            channel_choices=Channel.choices,
            query_without_page=urlencode({"status": status, "channel": channel}),
        )
        return context


class DeliveryRetryView(LoginRequiredMixin, View):
    def post(self, request, pk):
        delivery = selectors.delivery_access(user=request.user, pk=pk, action="retry")
        try:
            services.delivery_retry(actor=request.user, delivery=delivery)
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
        else:
            messages.success(request, _("The message is queued to be sent again."))
        return HttpResponseRedirect(
            safe_next(request, request.POST.get("next"), reverse("notifications:deliveries"))
        )
