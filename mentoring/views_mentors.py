"""Mentor pages under /<org-slug>/mentoring/ (namespace `mentoring`): the staff's mentor list
and record (review, induction, rate), and the mentor's own profile and availability.

Views translate between HTTP and mentoring.services_mentors / selectors_mentors."""

from __future__ import annotations

import os
import zoneinfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from cohorts.selectors import companies_of_organisation
from mentoring import selectors_mentors as selectors
from mentoring import services_mentors as services
from mentoring.forms_mentors import (
    ConflictForm,
    InductionForm,
    MentorDecideForm,
    MentorFilterForm,
    MentorProfileForm,
    MentorRateForm,
    SlotForm,
    WeeklyHoursForm,
)
from mentoring.models import (
    INTERACTION_STATEMENTS,
    STYLE_AXES,
    THINKING_STATEMENTS,
    MentorProfile,
)
from portal.confirm import confirm_action
from portal.downloads import attachment
from portal.fields import add_service_errors
from portal.permissions import has_role, role_required
from portal.roles import MANAGERS, STAFF, Role
from portal.taxonomy import Region, Sector

MENTORS_PER_PAGE = 25
CONFLICT_RESULTS = 20
MENTOR = frozenset({Role.MENTOR})
Status = MentorProfile.Status


def _mentor(request, pk) -> MentorProfile:
    return get_object_or_404(
        request.organisation.mentorprofiles.select_related("user", "reviewed_by"), pk=pk
    )


def _own_profile(request) -> MentorProfile:
    mentor = selectors.mentor_of_user(organisation=request.organisation, user=request.user)
    if mentor is None:
        raise Http404("You have no mentor profile in this organisation.")
    return mentor


def _labels(keys, choices) -> list[str]:
    return [choices(k).label for k in keys if k in choices.values]


def _style_label(value: float, axis: str) -> str:
    low, high = STYLE_AXES[axis]
    if abs(value) < 0.5:
        return f"Between {low.lower()} and {high.lower()}"
    return f"{'Strongly ' if abs(value) >= 1.5 else ''}{high if value > 0 else low}".capitalize()


def _presentation(mentor: MentorProfile) -> dict:
    """What a company sees of the mentor (the 'how you appear' card)."""
    return {
        "name": mentor.user.display_name,
        "bio": mentor.bio,
        "expertise": mentor.expertise_labels(),
        "sectors": _labels(mentor.sectors, Sector),
        "region": Region(mentor.region).label if mentor.region in Region.values else "",
        "online_ok": mentor.online_ok,
        "languages": mentor.languages,
        "thinking": _style_label(mentor.thinking_style, "thinking"),
        "interaction": _style_label(mentor.interaction_style, "interaction"),
        "answered": bool(mentor.style_answers),
    }


# --- Staff: the list and the record ---------------------------------------------------------


@role_required(*STAFF)
def mentor_list(request, org_slug):
    organisation = request.organisation
    filters = MentorFilterForm(request.GET or None)
    mentors = selectors.mentors_for_list(organisation=organisation, **filters.filters())
    page = Paginator(mentors, MENTORS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "mentor": m,
            "expertise": m.expertise_labels(),
            "region": Region(m.region).label if m.region in Region.values else "",
            "full": m.sessions_this_month >= m.capacity_per_month,
        }
        for m in page.object_list
    ]
    active_filters = {k for k, v in request.GET.items() if v and k not in ("page", "sort")}
    return render(
        request,
        "mentoring/mentors/mentor_list.html",
        {
            "filters": filters,
            "page": page,
            "rows": rows,
            "filtered": bool(active_filters),
            "counts": selectors.status_counts(organisation=organisation),
            "apply_url": reverse("mentor-recruitment:apply", kwargs={"org_slug": org_slug}),
        },
    )


def _detail_context(request, mentor: MentorProfile, **forms) -> dict:
    is_manager = bool(has_role(request.membership, MANAGERS))
    decisions = [
        (value, label)
        for value, label in MentorDecideForm.base_fields["decision"].choices
        if mentor.status in services.DECISIONS[value]
    ]
    return {
        "mentor": mentor,
        "is_manager": is_manager,
        "decisions": decisions,
        "decide_form": forms.get("decide_form") or MentorDecideForm(),
        "induction_form": forms.get("induction_form")
        or InductionForm(
            initial={
                "agreement_signed": bool(mentor.agreement_signed_at),
                "conflicts_declared": bool(mentor.conflicts_declared_at),
                "induction_attended": bool(mentor.induction_attended_at),
            }
        ),
        "induction_open": mentor.status in (Status.INDUCTION, Status.ACTIVE),
        "rate_form": forms.get("rate_form") or MentorRateForm(instance=mentor),
        "presentation": _presentation(mentor),
        "sectors": _labels(mentor.sectors, Sector),
        "conflicts": list(mentor.conflicts.order_by("name")),
        "attendance": selectors.mentor_attendance(mentor=mentor),
        "matches": list(selectors.active_matches(mentor=mentor)),
        "cv_name": os.path.basename(mentor.cv.name) if mentor.cv else "",
    }


@role_required(*STAFF)
def mentor_detail(request, org_slug, pk):
    mentor = _mentor(request, pk)
    if request.GET.get("cv") and mentor.cv:
        extension = os.path.splitext(mentor.cv.name)[1].lower()
        content_type = services.UPLOAD_TYPES.get(extension, ("",))[0]
        return attachment(
            mentor.cv,
            filename=f"CV {mentor.user.display_name}{extension}",
            content_type=content_type,
        )
    rate_form = None
    if request.method == "POST":
        # The rate per session is agreed with the programme: managers set it here.
        permission = has_role(request.membership, MANAGERS)
        if not permission:
            raise PermissionDenied(permission.reason)
        rate_form = MentorRateForm(request.POST, instance=mentor)
        if rate_form.is_valid():
            try:
                services.mentor_rate_set(
                    mentor=mentor,
                    rate_per_session=rate_form.cleaned_data["rate_per_session"],
                    capacity_per_month=rate_form.cleaned_data["capacity_per_month"],
                )
            except ValidationError as exc:
                add_service_errors(rate_form, exc)
            else:
                messages.success(request, f"Rate and capacity of {mentor} saved.")
                return redirect("mentoring:mentor-detail", org_slug=org_slug, pk=mentor.pk)
        mentor.refresh_from_db()
    return render(
        request,
        "mentoring/mentors/mentor_detail.html",
        _detail_context(request, mentor, rate_form=rate_form),
        status=400 if rate_form is not None and rate_form.errors else 200,
    )


@role_required(*MANAGERS)
@require_POST
def mentor_decide(request, org_slug, pk):
    mentor = _mentor(request, pk)
    form = MentorDecideForm(request.POST)
    if form.is_valid():
        try:
            mentor = services.mentor_decide(
                mentor=mentor,
                decision=form.cleaned_data["decision"],
                by=request.user,
                notes=form.cleaned_data["notes"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{mentor} is now {mentor.get_status_display().lower()}.")
            return redirect("mentoring:mentor-detail", org_slug=org_slug, pk=mentor.pk)
    return render(
        request,
        "mentoring/mentors/mentor_detail.html",
        _detail_context(request, mentor, decide_form=form),
        status=400,
    )


@role_required(*MANAGERS)
@require_POST
def mentor_induction(request, org_slug, pk):
    mentor = _mentor(request, pk)
    form = InductionForm(request.POST)
    if form.is_valid():
        try:
            mentor = services.mentor_induction(mentor=mentor, steps=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if mentor.can_be_matched:
                messages.success(request, f"{mentor} has completed induction and can be matched.")
            else:
                messages.success(request, f"Induction checklist of {mentor} saved.")
            return redirect("mentoring:mentor-detail", org_slug=org_slug, pk=mentor.pk)
    return render(
        request,
        "mentoring/mentors/mentor_detail.html",
        _detail_context(request, mentor, induction_form=form),
        status=400,
    )


# --- The mentor's own profile ---------------------------------------------------------------


def _profile_page(request, mentor, form, conflict_error="", status=200):
    query = request.GET.get("q", "").strip()[:100]
    known = companies_of_organisation(organisation=request.organisation)
    conflicts = list(mentor.conflicts.order_by("name"))
    results = []
    if query:
        results = list(
            known.filter(name__icontains=query)
            .exclude(pk__in=[c.pk for c in conflicts])
            .order_by("name")[:CONFLICT_RESULTS]
        )
    return render(
        request,
        "mentoring/mentors/my_profile.html",
        {
            "mentor": mentor,
            "form": form,
            "thinking_fields": form.question_fields("thinking"),
            "interaction_fields": form.question_fields("interaction"),
            "presentation": _presentation(mentor),
            "conflicts": conflicts,
            "query": query,
            "results": results,
            "conflict_error": conflict_error,
            "result_limit": CONFLICT_RESULTS,
            "statement_count": len(THINKING_STATEMENTS) + len(INTERACTION_STATEMENTS),
        },
        status=status,
    )


@role_required(*MENTOR)
def my_profile(request, org_slug):
    mentor = _own_profile(request)
    form = MentorProfileForm(initial=MentorProfileForm.initial_for(mentor))
    if request.method == "POST":
        action = request.POST.get("action", "profile")
        if action in ("conflict-add", "conflict-remove"):
            return _conflict_change(request, mentor, action, form)
        form = MentorProfileForm(request.POST)
        if form.is_valid():
            fields, answers = form.split()
            try:
                services.mentor_profile_update(mentor=mentor, style_answers=answers, **fields)
            except ValidationError as exc:
                add_service_errors(form, exc)
                mentor.refresh_from_db()
            else:
                messages.success(request, "Your profile is saved.")
                return redirect("mentoring:my-profile", org_slug=org_slug)
        return _profile_page(request, mentor, form, status=400)
    return _profile_page(request, mentor, form)


def _conflict_change(request, mentor, action, form):
    conflict_form = ConflictForm(request.POST)
    known = companies_of_organisation(organisation=request.organisation)
    company = None
    if conflict_form.is_valid():
        if action == "conflict-add":
            company = known.filter(pk=conflict_form.cleaned_data["company"]).first()
        else:
            company = mentor.conflicts.filter(pk=conflict_form.cleaned_data["company"]).first()
    if company is None:
        return _profile_page(
            request, mentor, form, conflict_error="Choose a company from the list.", status=400
        )
    if action == "conflict-add":
        services.mentor_conflict_add(mentor=mentor, company=company)
        messages.success(request, f"Conflict of interest with {company.name} declared.")
    else:
        services.mentor_conflict_remove(mentor=mentor, company=company)
        messages.success(request, f"{company.name} removed from your conflicts of interest.")
    return redirect(
        reverse("mentoring:my-profile", kwargs={"org_slug": request.organisation.slug})
        + "#conflicts"
    )


# --- Availability ---------------------------------------------------------------------------


@role_required(*MENTOR)
def availability(request, org_slug):
    mentor = _own_profile(request)
    weekly_form = WeeklyHoursForm(prefix="weekly")
    slot_form = SlotForm(prefix="slot")
    status = 200
    if request.method == "POST":
        which = request.POST.get("form")
        if which == "weekly":
            weekly_form = WeeklyHoursForm(request.POST, prefix="weekly")
            form, add = weekly_form, services.weekly_add
        elif which == "slot":
            slot_form = SlotForm(request.POST, prefix="slot")
            form, add = slot_form, services.slot_add
        else:
            form = add = None
            messages.error(request, "Choose weekly hours or a one-off slot to add.")
        if form is not None and form.is_valid():
            try:
                add(mentor=mentor, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    "Weekly hours added." if which == "weekly" else "One-off slot added.",
                )
                return redirect("mentoring:availability", org_slug=org_slug)
        status = 400
    return render(
        request,
        "mentoring/mentors/availability.html",
        {
            "mentor": mentor,
            "weekly_form": weekly_form,
            "slot_form": slot_form,
            "weekly": list(mentor.weekly_hours.all()),
            "slots": list(
                mentor.one_off_slots.filter(ends_at__gt=timezone.now()).order_by("starts_at")
            ),
            "preview": selectors.bookable_preview(mentor=mentor),
            "today": selectors.mentor_today(mentor),
        },
        status=status,
    )


@role_required(*MENTOR)
def weekly_delete(request, org_slug, pk):
    mentor = _own_profile(request)
    hours = get_object_or_404(mentor.weekly_hours, pk=pk)
    return confirm_action(
        request,
        template="mentoring/mentors/availability_delete.html",
        context={
            "mentor": mentor,
            "what": f"{hours.get_weekday_display()}s {hours.start_time:%H:%M}–"
            f"{hours.end_time:%H:%M}",
            "kind": "these weekly hours",
        },
        action=lambda: services.weekly_delete(hours=hours),
        success="Weekly hours removed. Sessions already booked in them stay booked.",
        next_url=reverse("mentoring:availability", kwargs={"org_slug": org_slug}),
    )


@role_required(*MENTOR)
def slot_delete(request, org_slug, pk):
    mentor = _own_profile(request)
    slot = get_object_or_404(mentor.one_off_slots, pk=pk)
    tz = zoneinfo.ZoneInfo(mentor.time_zone)
    start, end = slot.starts_at.astimezone(tz), slot.ends_at.astimezone(tz)
    return confirm_action(
        request,
        template="mentoring/mentors/availability_delete.html",
        context={
            "mentor": mentor,
            "what": f"{start:%A} {start.day} {start:%B %Y}, {start:%H:%M}–{end:%H:%M}",
            "kind": "this one-off slot",
        },
        action=lambda: services.slot_delete(slot=slot),
        success="One-off slot removed. Sessions already booked in it stay booked.",
        next_url=reverse("mentoring:availability", kwargs={"org_slug": org_slug}),
    )
