"""Staff and mentor pages of sessions, attendance, fee claims and a programme's mentoring
settings. Mentors see their own sessions and claims; staff see all of the organisation's."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cohorts.exports import safe_text
from mentoring import claims as claim_services
from mentoring import periods
from mentoring import selectors_sessions as selectors
from mentoring import sessions as session_services
from mentoring.forms_sessions import (
    ActionFormSet,
    CancelForm,
    ClaimDecisionForm,
    ClaimFilterForm,
    ClaimMonthForm,
    MentoringSettingsForm,
    OutcomeForm,
    SessionFilterForm,
)
from mentoring.models import FeeClaim, MentoringSession
from mentoring.views_my import ics_response
from portal.fields import add_service_errors
from portal.permissions import role_required
from portal.roles import MANAGERS, STAFF, Role

Status = MentoringSession.Status


def _mentor(request):
    """The mentor profile of a member with the mentor role (None for staff)."""
    if request.membership.role != Role.MENTOR:
        return None
    return selectors.mentor_of(organisation=request.organisation, user=request.user)


def _is_mentor(request) -> bool:
    return request.membership.role == Role.MENTOR


def _session(request, pk) -> MentoringSession:
    """Staff find any of the organisation's sessions; a mentor only their own (404)."""
    sessions = request.organisation.mentoringsessions.select_related(
        "mentor__user", "company", "claim", "match__enrolment__cohort__programme", "cancelled_by"
    )
    if _is_mentor(request):
        sessions = sessions.filter(mentor__user=request.user)
    return get_object_or_404(sessions, pk=pk)


# --- Sessions ------------------------------------------------------------------------------


@role_required(*[*STAFF, Role.MENTOR])
def session_list(request, org_slug):
    organisation = request.organisation
    if _is_mentor(request):
        mentor = _mentor(request)
        groups = selectors.sessions_of_mentor(mentor=mentor) if mentor else None
        return render(
            request,
            "mentoring/sessions/session_list_mentor.html",
            {
                "mentor": mentor,
                "upcoming": list(groups["upcoming"][:50]) if groups else [],
                "to_record": list(groups["to_record"][:50]) if groups else [],
                "page": Paginator(groups["past"] if groups else [], 25).get_page(
                    request.GET.get("page")
                ),
            },
        )
    form = SessionFilterForm(request.GET or None, **_filter_choices(organisation))
    filters = form.cleaned_data if form.is_valid() else {}
    sessions = selectors.sessions_for_staff(
        organisation=organisation,
        mentor_id=filters.get("mentor"),
        company_id=filters.get("company"),
        status=filters.get("status") or "",
        month=filters.get("month"),
    )
    return render(
        request,
        "mentoring/sessions/session_list.html",
        {
            "form": form,
            "page": Paginator(sessions, 50).get_page(request.GET.get("page")),
            "filtered": any(filters.values()),
        },
    )


def _filter_choices(organisation) -> dict:
    return selectors.session_filter_choices(organisation=organisation)


@role_required(*[*STAFF, Role.MENTOR])
def session_detail(request, org_slug, pk):
    mentoring_session = _session(request, pk)
    mentor = _mentor(request)
    now = timezone.now()
    is_owner = mentor is not None and mentoring_session.mentor_id == mentor.pk
    claim = mentoring_session.claim
    can_record = (
        is_owner
        and mentoring_session.status != Status.CANCELLED
        and mentoring_session.starts_at <= now
        and not (claim and claim.status not in claim_services.OPEN_STATUSES)
    )
    actions = list(mentoring_session.actions.all())
    form = formset = None
    if can_record:
        form = OutcomeForm(
            request.POST or None,
            initial={
                "status": ""
                if mentoring_session.status == Status.BOOKED
                else mentoring_session.status,
                "notes": mentoring_session.notes,
            },
        )
        formset = ActionFormSet(
            request.POST or None,
            prefix="actions",
            initial=[{"text": a.text, "owner": a.owner, "due_on": a.due_on} for a in actions],
        )
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied(_why_not_record(mentoring_session, is_owner, now))
        if form.is_valid() and formset.is_valid():
            try:
                session_services.session_record_outcome(
                    session=mentoring_session,
                    mentor=mentor,
                    status=form.cleaned_data["status"],
                    notes=form.cleaned_data["notes"],
                    actions=[f.cleaned_data for f in formset.forms if f.cleaned_data],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "The session's record is saved.")
                return redirect("mentoring:session", org_slug=org_slug, pk=mentoring_session.pk)
    return render(
        request,
        "mentoring/sessions/session_detail.html",
        {
            "s": mentoring_session,
            "is_owner": is_owner,
            "form": form,
            "formset": formset,
            "actions": actions,
            "why_not": None if can_record else _why_not_record(mentoring_session, is_owner, now),
            "can_cancel": (is_owner or not _is_mentor(request))
            and mentoring_session.status == Status.BOOKED
            and mentoring_session.starts_at > now,
        },
        status=400 if (form and form.errors) or (formset and formset.total_error_count()) else 200,
    )


def _why_not_record(mentoring_session, is_owner: bool, now) -> str:
    if not is_owner:
        return "Only the session's mentor records what happened."
    if mentoring_session.status == Status.CANCELLED:
        return "This session was cancelled."
    if mentoring_session.starts_at > now:
        return "You can record what happened once the session has started."
    return "This session is in a submitted fee claim and can no longer change."


@role_required(*[*STAFF, Role.MENTOR])
def session_cancel(request, org_slug, pk):
    mentoring_session = _session(request, pk)
    form = CancelForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            session_services.session_cancel_and_notify(
                session=mentoring_session,
                by=request.user,
                reason=form.cleaned_data["reason"],
                # A mentor cancelling tells the company; staff cancelling tell both sides.
                by_mentor=True if _is_mentor(request) else None,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "reason" in exc.error_dict:
                add_service_errors(form, exc)
            else:
                error = " ".join(exc.messages)
        else:
            messages.success(request, "The session is cancelled and the company has been told.")
            return redirect("mentoring:session", org_slug=org_slug, pk=mentoring_session.pk)
    return render(
        request,
        "mentoring/sessions/session_cancel.html",
        {"s": mentoring_session, "form": form, "error": error},
        status=400 if (form.errors or error) else 200,
    )


@role_required(*[*STAFF, Role.MENTOR])
@require_GET
def session_ics(request, org_slug, pk):
    return ics_response(_session(request, pk))


# --- Attendance ----------------------------------------------------------------------------


@role_required(*STAFF)
def attendance(request, org_slug):
    organisation = request.organisation
    view = "mentors" if request.GET.get("view") == "mentors" else "companies"
    default_sort = "-mentor_no_shows" if view == "mentors" else "-no_shows"
    sort = request.GET.get("sort") or default_sort
    if sort.lstrip("-") not in selectors.ATTENDANCE_SORTS:
        sort = default_sort
    rows = (
        selectors.attendance_by_mentor(organisation=organisation, sort=sort)
        if view == "mentors"
        else selectors.attendance_by_company(organisation=organisation, sort=sort)
    )
    return render(
        request,
        "mentoring/sessions/attendance.html",
        {
            "view": view,
            "sort": sort,
            "page": Paginator(rows, 50).get_page(request.GET.get("page")),
            "warning_over": selectors.NO_SHOW_WARNING_OVER,
            "flagged": selectors.companies_over_no_show_line(organisation=organisation),
        },
    )


# --- Fee claims ----------------------------------------------------------------------------


@role_required(*[*MANAGERS, Role.MENTOR])
def claim_list(request, org_slug):
    organisation = request.organisation
    if _is_mentor(request):
        return _mentor_claims(request, organisation)
    form = ClaimFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    claims = selectors.claims_for(
        organisation=organisation, status=filters.get("status") or "", month=filters.get("month")
    )
    return render(
        request,
        "mentoring/sessions/claim_list.html",
        {
            "form": form,
            "page": Paginator(claims, 50).get_page(request.GET.get("page")),
            "totals": selectors.claim_totals(claims),
            "export_query": request.GET.urlencode(),
            "filtered": any(filters.values()),
        },
    )


def _mentor_claims(request, organisation):
    mentor = _mentor(request)
    months = claim_services.claimable_months(organisation=organisation)
    form = ClaimMonthForm(request.POST or None, months=months)
    if request.method == "POST":
        if mentor is None:
            raise PermissionDenied("You have no mentor profile here.")
        if form.is_valid():
            try:
                claim = claim_services.claim_build(mentor=mentor, month=form.cleaned_data["month"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"Your claim for {claim.month:%B %Y}: {claim.session_count} "
                    f"session{'s' if claim.session_count != 1 else ''}, £{claim.amount:.2f}. "
                    "Check it and submit it.",
                )
                return redirect("mentoring:claim", org_slug=organisation.slug, pk=claim.pk)
    claims = (
        selectors.claims_for(organisation=organisation, mentor=mentor)
        if mentor
        else FeeClaim.objects.none()
    )
    first_of_month = periods.month_bounds(
        timezone.localdate().replace(day=1), organisation.time_zone
    )[0]
    return render(
        request,
        "mentoring/sessions/claim_list_mentor.html",
        {
            "mentor": mentor,
            "form": form,
            "page": Paginator(claims, 25).get_page(request.GET.get("page")),
            "unclaimed": selectors.unclaimed_payable_count(mentor=mentor, before=first_of_month)
            if mentor
            else 0,
        },
        status=400 if form.errors else 200,
    )


@role_required(*[*MANAGERS, Role.MENTOR])
def claim_detail(request, org_slug, pk):
    claims = request.organisation.feeclaims.select_related("mentor__user", "decided_by")
    mentor = _mentor(request)
    if _is_mentor(request):
        claims = claims.filter(mentor__user=request.user)
    claim = get_object_or_404(claims, pk=pk)
    decision_form = ClaimDecisionForm(request.POST or None)
    error = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if _is_mentor(request) and action in ("refresh", "submit"):
                if action == "refresh":
                    claim_services.claim_build(mentor=mentor, month=claim.month)
                    done = "The claim is brought up to date."
                else:
                    claim_services.claim_submit(claim=claim, mentor=mentor)
                    done = "Your claim is submitted to the programme managers."
            elif not _is_mentor(request) and decision_form.is_valid():
                approve = decision_form.cleaned_data["decision"] == "approve"
                claim_services.claim_decide(
                    claim=claim,
                    by=request.user,
                    approve=approve,
                    note=decision_form.cleaned_data["note"],
                )
                done = (
                    "Claim approved; the mentor has been told."
                    if approve
                    else "Claim queried; the mentor has your note."
                )
            else:
                raise ValidationError("Choose one of the buttons on this page.")
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "note" in exc.error_dict:
                add_service_errors(decision_form, exc)
            else:
                error = " ".join(exc.messages)
        else:
            messages.success(request, done)
            return redirect("mentoring:claim", org_slug=org_slug, pk=claim.pk)
    claim.refresh_from_db()
    return render(
        request,
        "mentoring/sessions/claim_detail.html",
        {
            "claim": claim,
            "sessions": list(selectors.claim_sessions(claim)),
            "is_mentor": _is_mentor(request),
            "decision_form": decision_form,
            "error": error,
            "open": claim.status in claim_services.OPEN_STATUSES,
        },
        status=400 if (error or decision_form.errors) and request.method == "POST" else 200,
    )


@role_required(*MANAGERS)
@require_GET
def claims_export(request, org_slug):
    form = ClaimFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    claims = selectors.claims_for(
        organisation=request.organisation,
        status=filters.get("status") or "",
        month=filters.get("month"),
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="fee-claims-{org_slug}-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "Mentor",
            "E-mail",
            "Month",
            "Sessions",
            "Amount (GBP)",
            "Status",
            "Submitted at",
            "Approved by",
            "Approved at",
        ]
    )
    for claim in claims.iterator(chunk_size=500):
        approved = claim.status == FeeClaim.Status.APPROVED
        writer.writerow(
            [
                safe_text(claim.mentor.user.display_name),
                safe_text(claim.mentor.user.email),
                f"{claim.month:%Y-%m}",
                claim.session_count,
                f"{claim.amount:.2f}",
                claim.get_status_display(),
                _stamp(claim.submitted_at),
                safe_text(claim.decided_by.display_name) if approved and claim.decided_by else "",
                _stamp(claim.decided_at) if approved else "",
            ]
        )
    return response


def _stamp(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


# --- A programme's mentoring settings and cost ---------------------------------------------


@role_required(*MANAGERS)
def programme_cost(request, org_slug, pk):
    """The programme page's mentoring figure, as a fragment it loads with htmx."""
    programme = get_object_or_404(request.organisation.programmes, pk=pk)
    return render(
        request,
        "mentoring/sessions/partials/programme_cost.html",
        {"cost": selectors.mentoring_cost(programme=programme)},
    )


@role_required(*MANAGERS)
def programme_settings(request, org_slug, pk):
    programme = get_object_or_404(request.organisation.programmes, pk=pk)
    row = selectors.mentoring_settings_of(programme)
    form = MentoringSettingsForm(request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Mentoring settings of {programme.name} saved.")
        return redirect("mentoring:programme-settings", org_slug=org_slug, pk=programme.pk)
    return render(
        request,
        "mentoring/sessions/programme_settings.html",
        {
            "programme": programme,
            "form": form,
            "saved": row.pk is not None,
            "cost": selectors.mentoring_cost(programme=programme),
            "page": Paginator(
                selectors.mentoring_cost_by_company(programme=programme), 50
            ).get_page(request.GET.get("page")),
        },
        status=400 if form.errors else 200,
    )
