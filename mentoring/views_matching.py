"""Needs diagnosis, matching and adviser contact (namespace `mentoring`): the adviser's list of
companies, a company's mentoring record, the diagnosis form, the ranked mentors with their
reasons, proposing and ending matches, logging contacts and the overdue list; the mentor's
proposals and answers.

Views translate between HTTP and services_matching / selectors_matching; the rules live
there and in mentoring.matching."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cohorts.models import CohortStatus, Enrolment
from mentoring import selectors_matching as selectors
from mentoring import services_matching as services
from mentoring.forms_matching import (
    CompanyFilterForm,
    ContactForm,
    DiagnosisForm,
    EndMatchForm,
    RespondForm,
)
from mentoring.models import MentorMatch, MentorProfile
from portal.fields import add_service_errors
from portal.permissions import has_role, role_required
from portal.roles import MANAGERS, STAFF, Role

COMPANIES_PER_PAGE = 30
CONTACTS_SHOWN = 50


def _enrolment(request, pk) -> Enrolment:
    return get_object_or_404(
        request.organisation.enrolments.select_related("company", "cohort__programme"), pk=pk
    )


# --- The adviser's companies -----------------------------------------------------------------


@role_required(*STAFF)
def company_list(request, org_slug):
    organisation = request.organisation
    cohorts = organisation.cohorts.filter(status=CohortStatus.RUNNING).select_related("programme")
    filters = CompanyFilterForm(request.GET or None, cohorts=cohorts)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    enrolments = selectors.mentoring_companies(
        organisation=organisation,
        user=request.user,
        cohort_id=chosen.get("cohort"),
        mine=bool(chosen.get("mine")),
        overdue=bool(chosen.get("overdue")),
        unmatched=bool(chosen.get("unmatched")),
    ).order_by("-is_overdue", "next_contact_due", "company__name", "pk")
    page = Paginator(enrolments, COMPANIES_PER_PAGE).get_page(request.GET.get("page"))
    selectors.attach_mentoring_state(organisation=organisation, enrolments=page.object_list)
    return render(
        request,
        "mentoring/matching/company_list.html",
        {"page": page, "filters": filters, "filtered": bool(chosen and any(chosen.values()))},
    )


@role_required(*STAFF)
def overdue(request, org_slug):
    organisation = request.organisation
    is_manager = bool(has_role(request.membership, MANAGERS))
    show_all = is_manager and request.GET.get("all") == "1"
    enrolments = selectors.overdue_for(
        organisation=organisation, user=None if show_all else request.user
    )
    page = Paginator(enrolments, COMPANIES_PER_PAGE).get_page(request.GET.get("page"))
    selectors.attach_mentoring_state(organisation=organisation, enrolments=page.object_list)
    return render(
        request,
        "mentoring/matching/overdue.html",
        {"page": page, "show_all": show_all, "is_manager": is_manager},
    )


# --- One company's mentoring record ----------------------------------------------------------


def _record_page(request, pk, *, contact_form=None, status=200):
    organisation = request.organisation
    try:
        enrolment = selectors.enrolment_record(organisation=organisation, pk=pk)
    except Enrolment.DoesNotExist:
        raise Http404("No such enrolment.") from None
    diagnoses = list(enrolment.diagnoses.all())
    current = diagnoses[0] if diagnoses else None
    matches = list(enrolment.mentor_matches.all())
    live = next((m for m in matches if m.status in selectors.LIVE), None)
    contacts = list(
        selectors.contacts_of(organisation=organisation, company=enrolment.company)[:CONTACTS_SHOWN]
    )
    return render(
        request,
        "mentoring/matching/enrolment_detail.html",
        {
            "enrolment": enrolment,
            "company": enrolment.company,
            "current": current,
            "history": diagnoses[1:],
            "style": selectors.style_summary(
                current.founder_thinking_style if current else None,
                current.founder_interaction_style if current else None,
            ),
            "matches": matches,
            "live": live,
            "contacts": contacts,
            "contact_form": contact_form or ContactForm(),
            "is_active": enrolment.status == Enrolment.Status.ACTIVE,
        },
        status=status,
    )


@role_required(*STAFF)
def enrolment_detail(request, org_slug, pk):
    return _record_page(request, pk)


@role_required(*STAFF)
@require_POST
def log_contact(request, org_slug, pk):
    enrolment = _enrolment(request, pk)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            services.contact_log(
                organisation=request.organisation,
                company=enrolment.company,
                adviser=request.user,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Contact with {enrolment.company.name} logged.")
            return redirect("mentoring:enrolment", org_slug=org_slug, pk=enrolment.pk)
    return _record_page(request, pk, contact_form=form, status=400)


@role_required(*STAFF)
def diagnose(request, org_slug, pk):
    enrolment = _enrolment(request, pk)
    current = selectors.current_diagnosis(enrolment=enrolment)
    form = DiagnosisForm(request.POST or None, initial_from=current)
    active = enrolment.status == Enrolment.Status.ACTIVE
    if request.method == "POST" and form.is_valid():
        try:
            services.diagnosis_record(
                enrolment=enrolment,
                adviser=request.user,
                needs=form.needs(),
                goals=form.goals(),
                style_answers=form.style_answers(),
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"Needs of {enrolment.company.name} recorded; the company's people were told. "
                "Now find a mentor for them.",
            )
            return redirect("mentoring:match", org_slug=org_slug, pk=enrolment.pk)
    return render(
        request,
        "mentoring/matching/diagnose.html",
        {"enrolment": enrolment, "form": form, "current": current, "active": active},
        status=400 if form.errors else 200,
    )


# --- Matching --------------------------------------------------------------------------------


def _candidates_page(request, enrolment, *, error=None):
    diagnosis = selectors.current_diagnosis(enrolment=enrolment)
    live = selectors.live_match(enrolment=enrolment)
    facts, ranked, excluded = selectors.candidates(enrolment=enrolment, diagnosis=diagnosis)
    for r in ranked:
        r.remaining = r.mentor.capacity - r.mentor.load_this_month
    return render(
        request,
        "mentoring/matching/match_candidates.html",
        {
            "enrolment": enrolment,
            "diagnosis": diagnosis,
            "live": live,
            "ranked": ranked,
            "excluded": excluded,
            "previous_ids": facts.previous_mentor_ids,
            "error": error,
            "can_propose": diagnosis is not None
            and live is None
            and enrolment.status == Enrolment.Status.ACTIVE,
        },
        status=400 if error else 200,
    )


@role_required(*STAFF)
def match_candidates(request, org_slug, pk):
    return _candidates_page(request, _enrolment(request, pk))


@role_required(*STAFF)
@require_POST
def propose(request, org_slug, pk, mentor_pk):
    enrolment = _enrolment(request, pk)
    mentor = get_object_or_404(
        MentorProfile.objects.filter(organisation=request.organisation).select_related("user"),
        pk=mentor_pk,
    )
    try:
        services.match_propose(enrolment=enrolment, mentor=mentor, proposed_by=request.user)
    except ValidationError as exc:
        return _candidates_page(request, enrolment, error=" ".join(exc.messages))
    messages.success(
        request,
        f"{mentor} was asked to mentor {enrolment.company.name}. You will hear when they answer.",
    )
    return redirect("mentoring:enrolment", org_slug=org_slug, pk=enrolment.pk)


@role_required(*STAFF)
def end_match(request, org_slug, pk):
    match = get_object_or_404(
        MentorMatch.objects.filter(organisation=request.organisation).select_related(
            "mentor__user", "company", "enrolment"
        ),
        pk=pk,
    )
    live = match.status in selectors.LIVE
    form = EndMatchForm(request.POST or None)
    if request.method == "POST" and not live:
        messages.info(request, "This match has already ended.")
        return redirect("mentoring:enrolment", org_slug=org_slug, pk=match.enrolment_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.match_end(
                match=match,
                by=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"The match of {match.mentor} and {match.company.name} has ended; "
                "it stays in the history.",
            )
            return redirect("mentoring:enrolment", org_slug=org_slug, pk=match.enrolment_id)
    return render(
        request,
        "mentoring/matching/match_end.html",
        {"match": match, "form": form, "live": live},
        status=400 if form.errors else 200,
    )


# --- The mentor's side -----------------------------------------------------------------------


def _mentor_match(request, pk) -> MentorMatch:
    return get_object_or_404(
        selectors.matches_of_mentor(organisation=request.organisation, user=request.user), pk=pk
    )


@role_required(Role.MENTOR)
def my_matches(request, org_slug):
    matches = list(
        selectors.matches_of_mentor(organisation=request.organisation, user=request.user)
    )
    return render(
        request,
        "mentoring/matching/my_matches.html",
        {
            "proposals": [m for m in matches if m.status == MentorMatch.Status.PROPOSED],
            "active": [m for m in matches if m.status == MentorMatch.Status.ACTIVE],
            "past": [
                m
                for m in matches
                if m.status in (MentorMatch.Status.ENDED, MentorMatch.Status.DECLINED)
            ],
            "has_profile": request.organisation.mentorprofiles.filter(user=request.user).exists(),
        },
    )


@role_required(Role.MENTOR)
def respond(request, org_slug, pk):
    match = _mentor_match(request, pk)
    if match.status != MentorMatch.Status.PROPOSED:
        messages.info(request, "This proposal has already been answered.")
        return redirect("mentoring:my-matches", org_slug=org_slug)
    form = RespondForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decision = form.cleaned_data["decision"]
        try:
            if decision == "accept":
                services.match_accept(
                    match=match, mentor_user=request.user, agreed=form.cleaned_data["agree"]
                )
            else:
                services.match_decline(
                    match=match, mentor_user=request.user, reason=form.cleaned_data["reason"]
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if decision == "accept":
                messages.success(
                    request,
                    f"You now mentor {match.company.name}. They can book sessions in your "
                    "published availability.",
                )
            else:
                messages.success(
                    request, f"You declined {match.company.name}; the adviser was told."
                )
            return redirect("mentoring:my-matches", org_slug=org_slug)
    diagnosis = match.diagnosis
    return render(
        request,
        "mentoring/matching/respond.html",
        {
            "match": match,
            "diagnosis": diagnosis,
            "style": selectors.style_summary(
                diagnosis.founder_thinking_style if diagnosis else None,
                diagnosis.founder_interaction_style if diagnosis else None,
            ),
            "form": form,
            "decision": request.POST.get("decision", ""),
        },
        status=400 if form.errors else 200,
    )
