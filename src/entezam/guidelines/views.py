"""Guideline pages: HQ drafts and reviews, issues and follows compliance; a manager
acknowledges with evidence and records briefings; the public issuance check. Reads come
through `access`/`visible_to`, writes through the services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from entezam.core.pagination import paginate
from entezam.core.persian.text import active_language, localize_digits
from entezam.core.scoping import access, allowed_roles, can, parse_id, require_model_action
from entezam.institutions.models import Institution
from entezam.personnel.models import Person

from . import selectors, services, text
from .choices import AckStatus
from .choices import VersionStatus as VS
from .forms import (
    BriefingForm,
    ClauseForm,
    ExtensionDecideForm,
    ExtensionRequestForm,
    GuidelineForm,
    IssueForm,
    NoteForm,
    VersionForm,
)
from .models import Acknowledgement, Clause, Extension, Guideline, Issuance, Version


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for message in errors:
            messages.error(request, f"{label}: {message}" if label else message)


# --------------------------------------------------------------------------- guidelines


@login_required
def guideline_list(request):
    require_model_action(request.user, Guideline, "view")
    rows = (
        Guideline.objects.visible_to(request.user)
        .select_related("owner_institution")
        .annotate(version_count=Count("versions"))
        .order_by("owner_institution_id", "code")
    )
    owner = request.GET.get("owner", "")
    if owner == "hq":
        rows = rows.filter(owner_institution__isnull=True)
    elif owner == "institutions":
        rows = rows.filter(owner_institution__isnull=False)
    page = paginate(request, rows, 25)
    return render(
        request,
        "guidelines/guideline_list.html",
        {
            "page_obj": page,
            "guidelines": page.object_list,
            "owner": owner,
            "can_create": bool(allowed_roles(request.user, Guideline, "add")),
        },
    )


@login_required
def guideline_create(request):
    require_model_action(request.user, Guideline, "add")
    form = GuidelineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        owner = None
        if not request.user.has_role("hq_admin"):
            assignment = next(
                (a for a in request.user.role_assignments_cached() if a.institution_id), None
            )
            owner = assignment.institution if assignment else None
        try:
            guideline = services.guideline_create(
                actor=request.user, owner_institution=owner, **form.cleaned_data
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            return redirect(guideline.versions.get().get_absolute_url())
    return render(request, "guidelines/guideline_form.html", {"form": form})


@login_required
def guideline_detail(request, pk):
    guideline = access(
        Guideline.objects.select_related("owner_institution"), user=request.user, pk=pk
    )
    versions = guideline.versions.select_related("author", "approved_by").order_by("-number")
    return render(
        request,
        "guidelines/guideline_detail.html",
        {
            "guideline": guideline,
            "versions": versions,
            "can_change": can(request.user, "change", guideline),
        },
    )


@login_required
@require_POST
def version_start(request, pk):
    guideline = access(Guideline, user=request.user, pk=pk, action="change")
    try:
        version = services.version_start(actor=request.user, guideline=guideline)
    except ValidationError as error:
        _errors(request, error)
        return redirect(guideline.get_absolute_url())
    return redirect(version.get_absolute_url())


# --------------------------------------------------------------------------- versions


def _version(request, pk, action="view") -> Version:
    return access(
        Version.objects.select_related("guideline__owner_institution", "author", "approved_by"),
        user=request.user,
        pk=pk,
        action=action,
    )


@login_required
def version_detail(request, pk):
    version = _version(request, pk)
    user = request.user
    guideline = version.guideline
    editable = version.status == VS.DRAFT and can(user, "change", version)
    review_action = "review" if guideline.is_procedure else "approve"
    clauses = list(version.clauses.all())
    for clause in clauses:
        clause.html = text.render_markdown(clause.body)
        clause.comment = version.review_comments.get(clause.number, "")
    others = guideline.versions.exclude(pk=version.pk).order_by("-number")
    context = {
        "version": version,
        "guideline": guideline,
        "clauses": clauses,
        "editable": editable,
        "clause_form": ClauseForm(),
        "version_form": VersionForm(initial={"summary": version.summary, "minor": version.minor}),
        "can_submit": editable and can(user, "submit", version),
        "can_review": version.status == VS.IN_REVIEW
        and can(user, review_action, version)
        and version.author_id != user.pk,
        "can_issue": not guideline.is_procedure
        and version.status in (VS.DRAFT, VS.IN_REVIEW, VS.APPROVED)
        and can(user, "issue", version),
        "can_emergency_review": version.review_pending
        and can(user, "emergency_review", version)
        and getattr(getattr(version, "issuance", None), "issued_by_id", None) != user.pk,
        "issue_form": IssueForm(),
        "others": others,
        "general_comment": version.review_comments.get("", ""),
        "issuance": getattr(version, "issuance", None),
    }
    return render(request, "guidelines/version_detail.html", context)


@login_required
@require_POST
def version_edit(request, pk):
    version = _version(request, pk, "change")
    form = VersionForm(request.POST)
    if form.is_valid():
        try:
            services.version_update(actor=request.user, version=version, **form.cleaned_data)
            messages.success(request, _("Saved."))
        except ValidationError as error:
            _errors(request, error)
    return redirect(version.get_absolute_url())


@login_required
def clause_edit(request, pk, clause_pk=None):
    version = _version(request, pk, "change")
    clause = None
    if clause_pk is not None:
        clause = Clause.objects.filter(version=version, pk=clause_pk).first()
        if clause is None:
            raise Http404
    if request.method != "POST":
        initial = (
            {
                f: getattr(clause, f)
                for f in (
                    "number",
                    "title",
                    "body",
                    "is_heading",
                    "requires_evidence",
                    "evidence_label",
                )
            }
            if clause
            else {}
        )
        return render(
            request,
            "guidelines/clause_form.html",
            {"version": version, "clause": clause, "form": ClauseForm(initial=initial)},
        )
    form = ClauseForm(request.POST)
    if form.is_valid():
        try:
            services.clause_save(
                actor=request.user, version=version, clause=clause, **form.cleaned_data
            )
            messages.success(request, _("Clause saved."))
        except ValidationError as error:
            _errors(request, error)
            return render(
                request,
                "guidelines/clause_form.html",
                {"version": version, "clause": clause, "form": form},
                status=400,
            )
    else:
        _form_errors(request, form)
    return redirect(version.get_absolute_url())


@login_required
@require_POST
def clause_delete(request, pk, clause_pk):
    version = _version(request, pk, "change")
    clause = Clause.objects.filter(version=version, pk=clause_pk).first()
    if clause is None:
        raise Http404
    try:
        services.clause_delete(actor=request.user, clause=clause)
    except ValidationError as error:
        _errors(request, error)
    return redirect(version.get_absolute_url())


@login_required
@require_POST
def version_action(request, pk, action):
    version = _version(request, pk)
    user = request.user
    try:
        if action == "submit":
            services.version_submit(actor=user, version=version)
            messages.success(request, _("Sent for review."))
        elif action == "approve":
            services.version_approve(actor=user, version=version)
            messages.success(request, _("Approved."))
        elif action == "return":
            comments = {
                key.removeprefix("comment_"): value
                for key, value in request.POST.items()
                if key.startswith("comment_")
            }
            if request.POST.get("comment"):
                comments[""] = request.POST["comment"]
            services.version_return(actor=user, version=version, comments=comments)
            messages.success(request, _("Returned to the author with your comments."))
        elif action == "issue":
            form = IssueForm(request.POST)
            if not form.is_valid():
                _form_errors(request, form)
                return redirect(version.get_absolute_url())
            issuance = services.version_issue(actor=user, version=version, **form.cleaned_data)
            messages.success(
                request,
                _("Issued as %(number)s.")
                % {"number": localize_digits(issuance.number, active_language())},
            )
            return redirect(issuance.get_absolute_url())
        elif action == "review":
            form = NoteForm(request.POST)
            note = form.data.get("note", "")
            services.version_review_emergency(actor=user, version=version, note=note)
            messages.success(request, _("Review recorded."))
        elif action == "withdraw":
            services.version_withdraw(
                actor=user, version=version, reason=request.POST.get("reason", "")
            )
        else:
            raise Http404
    except ValidationError as error:
        _errors(request, error)
    return redirect(version.get_absolute_url())


@login_required
def version_diff(request, pk):
    version = _version(request, pk)
    other_pk = request.GET.get("against")
    others = version.guideline.versions.exclude(pk=version.pk).order_by("-number")
    if other_pk:
        other = access(
            Version.objects.filter(guideline=version.guideline), user=request.user, pk=other_pk
        )
    else:
        other = others.filter(number__lt=version.number).first()
        if other is None:
            raise Http404
    old, new = (other, version) if other.number < version.number else (version, other)
    changes = text.compare_clauses(list(old.clauses.all()), list(new.clauses.all()))
    mode = "redline" if request.GET.get("mode") == "redline" else "side"
    return render(
        request,
        "guidelines/version_diff.html",
        {
            "version": version,
            "old": old,
            "new": new,
            "changes": changes,
            "others": others,
            "mode": mode,
            "changed_total": sum(1 for c in changes if c.status != "same"),
        },
    )


# --------------------------------------------------------------------------- issuances


@login_required
def issuance_list(request):
    require_model_action(request.user, Issuance, "view")
    rows = Issuance.objects.visible_to(request.user).select_related("version__guideline")
    page = paginate(request, rows, 25)
    return render(
        request, "guidelines/issuance_list.html", {"page_obj": page, "issuances": page.object_list}
    )


@login_required
def issuance_detail(request, pk):
    issuance = access(
        Issuance.objects.select_related("version__guideline", "issued_by"), user=request.user, pk=pk
    )
    provinces = selectors.compliance_by_province(user=request.user, issuance=issuance)
    acks = Acknowledgement.objects.visible_to(request.user).filter(issuance=issuance)
    today = timezone.localdate()
    overdue = acks.filter(status=AckStatus.OVERDUE).select_related("institution__province")
    extended = acks.filter(status=AckStatus.EXTENDED).select_related("institution__province")
    totals = acks.exclude(status=AckStatus.SUPERSEDED).aggregate(
        total=Count("id"), acknowledged=Count("id", filter=Q(status=AckStatus.ACKNOWLEDGED))
    )
    return render(
        request,
        "guidelines/issuance_detail.html",
        {
            "issuance": issuance,
            "version": issuance.version,
            "provinces": provinces,
            "overdue": [(a, (today - a.deadline).days) for a in overdue[:100]],
            "extended": extended[:100],
            "totals": totals,
            "days_left": (issuance.deadline - today).days,
        },
    )


@login_required
def issuance_export(request, pk):
    from .exports import issuance_xlsx

    issuance = access(Issuance, user=request.user, pk=pk)
    return issuance_xlsx(request, issuance)


@login_required
def issuance_pdf(request, pk):
    from .letter import issuance_pdf as render_pdf

    issuance = access(
        Issuance.objects.select_related("version__guideline"), user=request.user, pk=pk
    )
    response = HttpResponse(render_pdf(request, issuance), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="guideline-{issuance.number.replace("/", "-")}.pdf"'
    )
    return response


def public_check(request, year, serial):
    """No login: confirms what was issued under a number, so a printed copy can be checked."""
    number = f"{year}/{serial}"
    issuance = (
        Issuance.objects.select_related("version__guideline")
        .filter(number=number, version__guideline__owner_institution__isnull=True)
        .first()
    )
    return render(
        request,
        "guidelines/public_check.html",
        {"issuance": issuance, "number": number},
        status=200 if issuance else 404,
    )


# --------------------------------------------------------------------------- acknowledgements


@login_required
def pending(request):
    require_model_action(request.user, Acknowledgement, "acknowledge")
    rows = selectors.pending_acknowledgements(user=request.user)
    done = (
        Acknowledgement.objects.visible_to(request.user, "acknowledge")
        .filter(status=AckStatus.ACKNOWLEDGED)
        .select_related("issuance__version__guideline")
        .order_by("-acknowledged_at")[:20]
    )
    return render(request, "guidelines/pending.html", {"pending": rows[:200], "done": done})


@login_required
def ack_detail(request, pk):
    ack = access(
        Acknowledgement.objects.select_related(
            "issuance__version__guideline", "institution", "acknowledged_by"
        ),
        user=request.user,
        pk=pk,
    )
    user = request.user
    to_confirm = services.clauses_to_confirm(ack)
    for clause in to_confirm:
        clause.html = text.render_markdown(clause.body)
    redline = None
    if ack.clauses_to_confirm:
        previous = (
            Version.objects.filter(
                guideline=ack.issuance.version.guideline,
                number__lt=ack.issuance.version.number,
                status=VS.SUPERSEDED,
            )
            .order_by("-number")
            .first()
        )
        if previous is not None:
            keys = set(ack.clauses_to_confirm)
            redline = [
                c
                for c in text.compare_clauses(
                    list(previous.clauses.all()), list(ack.issuance.version.clauses.all())
                )
                if c.key in keys
            ]
    can_brief = can(user, "brief", ack)
    staff = []
    if can_brief:
        staff = Person.objects.filter(pk__in=services.current_staff(ack.institution_id)).order_by(
            "last_name", "first_name"
        )[:2000]
    confirmations = {c.clause_id: c.evidence for c in ack.confirmations.all()}
    context = {
        "ack": ack,
        "issuance": ack.issuance,
        "clauses": to_confirm,
        "confirmations": confirmations,
        "redline": redline,
        "counts": services.briefing_counts(ack),
        "briefings": ack.briefings.annotate(n=Count("attendees")).order_by("-held_on")[:20],
        "extensions": ack.extensions.select_related("requested_by", "decided_by")[:20],
        "can_acknowledge": ack.is_open and can(user, "acknowledge", ack),
        "can_brief": can_brief,
        "can_request": ack.is_open and can(user, "request_extension", ack),
        "can_decide": can(user, "decide_extension", ack),
        "briefing_form": BriefingForm(staff=staff, initial={"held_on": timezone.localdate()}),
        "extension_form": ExtensionRequestForm(),
        "decide_form": ExtensionDecideForm(),
    }
    return render(request, "guidelines/ack_detail.html", context)


@login_required
@require_POST
def ack_action(request, pk, action):
    ack = access(Acknowledgement, user=request.user, pk=pk)
    user = request.user
    try:
        if action == "acknowledge":
            evidence = {}
            for key, value in request.POST.items():
                if key.startswith("evidence_"):
                    clause_id = key.removeprefix("evidence_")
                    if clause_id.isdigit():
                        evidence[int(clause_id)] = value
            services.acknowledgement_acknowledge(
                actor=user, ack=ack, evidence=evidence, comment=request.POST.get("comment", "")
            )
            messages.success(request, _("Acknowledged."))
        elif action == "brief":
            staff = Person.objects.filter(pk__in=services.current_staff(ack.institution_id))
            form = BriefingForm(request.POST, staff=staff)
            if not form.is_valid():
                _form_errors(request, form)
            else:
                services.briefing_record(
                    actor=user,
                    ack=ack,
                    held_on=form.cleaned_data["held_on"],
                    person_ids=[int(p) for p in form.cleaned_data["attendees"]],
                    note=form.cleaned_data["note"],
                )
                messages.success(request, _("Briefing recorded."))
        elif action == "extension":
            services.extension_request(actor=user, ack=ack, reason=request.POST.get("reason", ""))
            messages.success(request, _("Your request was sent to the province officer."))
        elif action == "decide":
            extension = Extension.objects.filter(
                acknowledgement=ack, pk=parse_id(request.POST.get("extension")) or 0
            ).first()
            if extension is None:
                raise Http404
            form = ExtensionDecideForm(request.POST)
            if not form.is_valid():
                _form_errors(request, form)
            else:
                services.extension_decide(actor=user, extension=extension, **form.cleaned_data)
                messages.success(request, _("Decision recorded."))
        else:
            raise Http404
    except ValidationError as error:
        _errors(request, error)
    return redirect(ack.get_absolute_url())


@login_required
def procedures(request):
    """Which institutions have an approved procedure of their own (HQ and provinces)."""
    require_model_action(request.user, Guideline, "review")
    approved = Version.objects.filter(
        guideline__owner_institution=OuterRef("pk"),
        status=VS.APPROVED,
    )
    waiting = Version.objects.filter(
        guideline__owner_institution=OuterRef("pk"),
        status=VS.IN_REVIEW,
    )
    rows = (
        Institution.objects.visible_to(request.user)
        .filter(status__in=["developing", "active"])
        .annotate(has_approved=Exists(approved), in_review=Exists(waiting))
        .select_related("province")
        .order_by("-has_approved", "name")
    )
    state = request.GET.get("state", "")
    if state == "approved":
        rows = rows.filter(has_approved=True)
    elif state == "missing":
        rows = rows.filter(has_approved=False)
    page = paginate(request, rows, 50)
    return render(
        request,
        "guidelines/procedures.html",
        {"page_obj": page, "institutions": page.object_list, "state": state},
    )
