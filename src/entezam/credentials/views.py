"""The public verification page, and the officers' card pages (list, lookup by number or
person, a card, issue, bulk issue, replace)."""

from __future__ import annotations

import functools
from urllib.parse import quote as urlquote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from entezam.core.errors import MESSAGES as CORE_MESSAGES
from entezam.core.lookups import lookup_choice
from entezam.core.scoping import access, can, parse_id
from entezam.core.templatetags.persian import fa_digits, jalali_datetime, jalali_long
from entezam.core.views import ObjectDetailView, ObjectListView
from entezam.institutions.choices import OPERATING_STATUSES
from entezam.institutions.models import Institution
from entezam.personnel.models import Employment
from entezam.training.models import Session

from . import selectors, services
from .choices import CheckResult
from .filtersets import CardFilterSet
from .models import Card
from .pdf import cards_pdf
from .verification import client_address, verify

STATUS_CODES = {CheckResult.UNKNOWN: 404, CheckResult.LIMITED: 429}


def verify_page(request, token: str):
    """`/v/<token>`: the answer in large words and colour; public, no login."""
    answer = verify(token[:200], client_address(request))
    response = HttpResponse(_verify_html(answer), status=STATUS_CODES.get(answer.result, 200))
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# The busiest public page is rendered from its template once per language and shape (the
# result, whether a card was found, whether it has a photo), with a slot for each value;
# each check fills the slots with its card's values, escaped. No request context: the page
# shows no navigation, user or messages.
_SLOT = "\ue000{}\ue001"
_SLOTS = (
    "first_name",
    "last_name",
    "institution",
    "position",
    "number",
    "valid_until",
    "changed",
    "photo_url",
    "token_query",
)


@functools.lru_cache(maxsize=128)
def _verify_shape(language: str, result: str, found: bool, has_photo: bool) -> str:
    shape = {"result": result, "found": found, "has_photo": has_photo}
    slots = {name: mark_safe(_SLOT.format(name)) for name in _SLOTS}
    return render_to_string("credentials/verify.html", {"answer": shape, "slot": slots})


# Cards share their expiry days and (to the minute shown) their change times: each is
# written out in Jalali once per language, not on every check.
@functools.lru_cache(maxsize=4096)
def _long_day(language: str, day) -> str:
    return jalali_long(day)


@functools.lru_cache(maxsize=4096)
def _minute(language: str, moment) -> str:
    return jalali_datetime(moment)


def _verify_html(answer) -> str:
    language = get_language()
    page = _verify_shape(language, answer.result, answer.found, answer.has_photo)
    if not answer.found:
        return page
    row = answer.row
    values = {
        "first_name": row["person__first_name"],
        "last_name": row["person__last_name"],
        "institution": row["institution__name"],
        "position": answer.position_label,
        "number": fa_digits(row["number"]),
        "valid_until": _long_day(language, answer.expires_on),
        "changed": _minute(language, _to_minute(answer.status_changed_at)),
        "photo_url": reverse("card_verify_photo", args=[answer.token]),
        "token_query": urlquote(answer.token),
    }
    for name, value in values.items():
        # A value cannot open a slot of its own: the slot marks are taken out first.
        clean = str(value).replace("\ue000", "").replace("\ue001", "")
        page = page.replace(_SLOT.format(name), escape(clean))
    return page


def _to_minute(moment):
    return moment.replace(second=0, microsecond=0) if moment is not None else None


@login_required
def check_statistics(request):
    """`/cards/checks/`: public checks of the cards in the reader's scope, per day and result;
    for national readers, the addresses that checked most (abuse)."""
    stats = selectors.check_statistics(user=request.user)
    if stats is None:
        raise PermissionDenied(CORE_MESSAGES["not_allowed"])
    results = [
        {"value": r.value, "label": r.label, "count": stats.totals[r.value]}
        for r in selectors.RESULTS
    ]
    day_rows = [
        {"date": d["date"], "total": d["total"], "counts": [d[r.value] for r in selectors.RESULTS]}
        for d in reversed(stats.days)
        if d["total"]
    ]
    return render(
        request,
        "credentials/check_statistics.html",
        {
            "page_title": _("Card verifications"),
            "stats": stats,
            "results": results,
            "day_rows": day_rows,
            "days": len(stats.days),
        },
    )


class CardListView(ObjectListView):
    model = Card
    filterset_class = CardFilterSet
    sort_fields = {"issued": "issued_on", "number": "number"}
    default_sort = "-issued"

    def get_queryset(self):
        return super().get_queryset().select_related("person", "institution")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if context["can_add"]:
            user = self.request.user
            operating = list(
                Institution.objects.visible_to(user)
                .filter(status__in=OPERATING_STATUSES)
                .order_by("pk")
                .values_list("pk", flat=True)[:2]
            )
            if operating:
                # A searchable choice (the scoped lookup), never a list of every
                # institution; a user with one operating institution finds it chosen.
                context["issue_institution_widget"] = lookup_choice(
                    "institution",
                    "institution",
                    user=user,
                    value=operating[0] if len(operating) == 1 else None,
                    attrs={"id": "issue-institution", "class": "form-select", "required": True},
                )
        return context


class CardDetailView(ObjectDetailView):
    model = Card

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        card = context["object"]
        status, cause = services.effective_status(card)
        employment = (
            Employment.objects.filter(person=card.person_id, end_date__isnull=True)
            .select_related("institution")
            .first()
        )
        context.update(
            live_status=status,
            live_cause=cause,
            current_employment=employment,
            can_replace=can(self.request.user, "replace", card)
            and card.status in ("active", "suspended"),
            verification_url=self.request.build_absolute_uri(card.verification_path()),
        )
        return context


class CardIssueView(LoginRequiredMixin, View):
    """POST `employment`: one card; or `institution` / `session`: all who qualify."""

    def post(self, request):
        user = request.user
        try:
            if employment_id := parse_id(request.POST.get("employment")):
                employment = access(
                    Employment.objects.visible_to(user), user=user, pk=employment_id
                )
                card = services.card_issue(actor=user, employment=employment)
                messages.success(request, _("Card %(number)s issued.") % {"number": card.number})
                return HttpResponseRedirect(card.get_absolute_url())
            institution = session = None
            if institution_id := parse_id(request.POST.get("institution")):
                institution = access(
                    Institution.objects.visible_to(user), user=user, pk=institution_id
                )
            if session_id := parse_id(request.POST.get("session")):
                session = access(Session.objects.visible_to(user), user=user, pk=session_id)
            if institution is None and session is None:
                messages.error(request, _("Choose an institution or a session."))
                return HttpResponseRedirect(request.POST.get("next") or "/cards/")
            report = services.cards_issue_bulk(actor=user, institution=institution, session=session)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(_safe_next(request))
        messages.success(
            request,
            _("%(issued)s cards issued; %(refused)s people do not qualify yet.")
            % {"issued": len(report.issued), "refused": len(report.refused)},
        )
        return HttpResponseRedirect(_safe_next(request))


def _safe_next(request) -> str:
    target = request.POST.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else "/cards/"


class CardReplaceView(LoginRequiredMixin, View):
    def post(self, request, pk):
        card = access(
            Card.objects.visible_to(request.user), user=request.user, pk=pk, action="replace"
        )
        try:
            new = services.card_replace(
                actor=request.user, card=card, reason=request.POST.get("reason", "")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(card.get_absolute_url())
        messages.success(request, _("Card %(number)s issued.") % {"number": new.number})
        return HttpResponseRedirect(new.get_absolute_url())


BATCH_LIMIT = 200


class CardPdfView(LoginRequiredMixin, View):
    """One card, print-ready."""

    def get(self, request, pk):
        card = access(
            Card.objects.visible_to(request.user).select_related("person", "institution"),
            user=request.user,
            pk=pk,
        )
        return _pdf_response(cards_pdf([card]), f"card-{card.number}.pdf")


class CardBatchPdfView(LoginRequiredMixin, View):
    """The active cards of one institution (at most 200) on A4 sheets."""

    def get(self, request):
        institution_id = parse_id(request.GET.get("institution"))
        if institution_id is None:
            raise Http404
        institution = access(
            Institution.objects.visible_to(request.user), user=request.user, pk=institution_id
        )
        cards = list(
            Card.objects.visible_to(request.user)
            .filter(institution=institution, status="active")
            .select_related("person", "institution")
            .order_by("number")[:BATCH_LIMIT]
        )
        if not cards:
            raise Http404
        return _pdf_response(cards_pdf(cards), f"cards-{institution.registration_number}.pdf")


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


PUBLIC_REGISTER_LIMIT = 50


def public_register(request):
    """`/institutions/public/`: the public register of institutions (no people): name,
    province, licence status and expiry, supervising unit. A search that matches more
    than 50 asks to be refined, as the SIA register does."""
    from entezam.core.persian import normalize

    from .verification import ip_hash, rate_limited

    if rate_limited(ip_hash(client_address(request))):
        return render(request, "credentials/public_register.html", {"limited": True}, status=429)
    query = (request.GET.get("q") or "").strip()[:100]
    key = normalize(query)
    rows, too_many, too_short = [], False, bool(query) and len(key) < 3
    if key and not too_short:
        matches = (
            Institution.objects.filter(search_name__contains=key)
            .exclude(status="applicant")
            .select_related("province", "supervising_unit")
            .order_by("name", "pk")
        )
        rows = list(matches[: PUBLIC_REGISTER_LIMIT + 1])
        too_many = len(rows) > PUBLIC_REGISTER_LIMIT
        rows = [] if too_many else rows
    response = render(
        request,
        "credentials/public_register.html",
        {
            "query": query,
            "rows": rows,
            "too_many": too_many,
            "too_short": too_short,
            "limit": PUBLIC_REGISTER_LIMIT,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


def offline_check(request):
    """`/cards/offline/`: the officers' offline check (the work is done by offline.js)."""
    return render(request, "credentials/offline.html")


def verify_photo(request, token: str):
    """The photo of the card's holder, for the public page (so a citizen can compare)."""
    from django.http import FileResponse

    from .verification import TOKEN_PATTERN, ip_hash, rate_limited

    if not TOKEN_PATTERN.fullmatch(token) or rate_limited(ip_hash(client_address(request))):
        raise Http404
    card = Card.objects.select_related("person").filter(token=token).first()
    if card is None or not card.person.photo:
        raise Http404
    try:
        handle = card.person.photo.open("rb")
    except (OSError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response
