"""Follow-up survey pages for staff, under /<org-slug>/impact/ (namespace `impact`): a
programme's survey rounds and their invitations, the managers' own questions, answers taken
by phone, and baselines. Programmes, invitations and enrolments are looked up through
request.organisation; the rules live in impact/services.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cohorts.models import CohortStatus
from impact import services
from impact.forms import (
    BaselineForm,
    CustomQuestionForm,
    InvitationFilterForm,
    SurveyAnswerForm,
    SurveyScheduleForm,
)
from impact.framework import STANDARD_FIELDS
from impact.models import Baseline, SurveyInvitation, SurveyResponse
from portal.confirm import confirm_action
from portal.fields import add_service_errors
from portal.permissions import role_required
from portal.roles import MANAGERS

INVITATIONS_PER_PAGE = 50
Status = SurveyInvitation.Status


def _programme(request, pk):
    return get_object_or_404(request.organisation.programmes, pk=pk)


def _status_counts(**by_status):
    return {
        name: Count("invitations", filter=Q(invitations__status=status))
        for name, status in by_status.items()
    }


# --- Survey rounds ---------------------------------------------------------------------------


@role_required(*MANAGERS)
def schedules(request, org_slug, pk):
    programme = _programme(request, pk)
    form = SurveyScheduleForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        schedule = form.save(commit=False)
        schedule.programme = programme
        try:
            services.schedule_save(schedule=schedule)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"Round “{schedule.name}” added. Plan the invitations now, or let the hourly "
                "planner create them.",
            )
            return redirect("impact:schedules", org_slug=org_slug, pk=programme.pk)
    rounds = programme.survey_schedules.select_related("mission", "event").annotate(
        total=Count("invitations"),
        **_status_counts(
            scheduled=Status.SCHEDULED,
            sent=Status.SENT,
            answered=Status.ANSWERED,
            expired=Status.EXPIRED,
        ),
    )
    cohorts = programme.cohorts.filter(
        status__in=[CohortStatus.RUNNING, CohortStatus.COMPLETED]
    ).count()
    return render(
        request,
        "impact/surveys/schedules.html",
        {
            "programme": programme,
            "rounds": rounds,
            "form": form,
            "cohort_count": cohorts,
            "question_count": programme.custom_questions.count(),
            "active": "rounds",
        },
        status=400 if form.errors else 200,
    )


def _schedule(request, pk):
    return get_object_or_404(
        request.organisation.surveyschedules.select_related("programme"), pk=pk
    )


@role_required(*MANAGERS)
def schedule_edit(request, org_slug, pk):
    schedule = _schedule(request, pk)
    programme = schedule.programme
    sent = schedule.invitations.exclude(status=Status.SCHEDULED).count()
    form = SurveyScheduleForm(request.POST or None, instance=schedule, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.schedule_save(schedule=form.save(commit=False))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Round “{schedule.name}” saved.")
            return redirect("impact:schedules", org_slug=org_slug, pk=programme.pk)
    return render(
        request,
        "impact/surveys/schedule_form.html",
        {"programme": programme, "schedule": schedule, "form": form, "sent": sent},
        status=400 if form.errors else 200,
    )


@role_required(*MANAGERS)
def schedule_delete(request, org_slug, pk):
    schedule = _schedule(request, pk)
    programme = schedule.programme
    return confirm_action(
        request,
        template="impact/surveys/schedule_delete.html",
        context={
            "programme": programme,
            "schedule": schedule,
            "planned": schedule.invitations.count(),
        },
        action=lambda: services.schedule_delete(schedule=schedule),
        success=f"Round “{schedule.name}” deleted.",
        next_url=reverse("impact:schedules", kwargs={"org_slug": org_slug, "pk": programme.pk}),
    )


@role_required(*MANAGERS)
@require_POST
def plan(request, org_slug, pk):
    programme = _programme(request, pk)
    created = services.surveys_plan(programme=programme)
    if created:
        messages.success(
            request,
            f"{created} invitation{'s' if created != 1 else ''} planned. Each is e-mailed "
            "when it falls due.",
        )
    else:
        messages.info(
            request,
            "No new invitations: every enrolled company of the running and completed cohorts "
            "already has one for each active round.",
        )
    return redirect("impact:invitations", org_slug=org_slug, pk=programme.pk)


# --- Invitations -----------------------------------------------------------------------------


@role_required(*MANAGERS)
def invitations(request, org_slug, pk):
    programme = _programme(request, pk)
    rounds = list(programme.survey_schedules.all())
    cohorts = list(programme.cohorts.order_by("-number"))
    form = InvitationFilterForm(request.GET or None, schedules=rounds, cohorts=cohorts)
    rows = SurveyInvitation.objects.filter(
        organisation=request.organisation, schedule__programme=programme
    )
    totals = dict(rows.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    sort = "due"
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            rows = rows.filter(company__name__icontains=data["q"])
        if data["status"]:
            rows = rows.filter(status=data["status"])
        if data["schedule"]:
            rows = rows.filter(schedule_id=data["schedule"])
        if data["cohort"]:
            rows = rows.filter(cohort_id=data["cohort"])
        if data["group"]:
            rows = rows.filter(is_comparison=data["group"] == "comparison")
        sort = data["sort"] or sort
    draft = SurveyResponse.objects.filter(invitation=OuterRef("pk"), submitted_at__isnull=True)
    rows = (
        rows.select_related("company", "schedule", "cohort")
        .annotate(has_draft=Exists(draft))
        .order_by(*InvitationFilterForm.SORTS[sort])
    )
    page = Paginator(rows, INVITATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "impact/surveys/invitations.html",
        {
            "programme": programme,
            "form": form,
            "page": page,
            "totals": [(value, label, totals.get(value, 0)) for value, label in Status.choices],
            "total": sum(totals.values()),
            "filtered": form.is_bound and any(form.data.get(k) for k in form.fields if k != "sort"),
            "has_rounds": bool(rounds),
            "active": "invitations",
        },
        status=400 if form.errors else 200,
    )


@role_required(*MANAGERS)
def phone_entry(request, org_slug, pk):
    invitation = get_object_or_404(
        request.organisation.surveyinvitations.select_related(
            "schedule__programme", "cohort", "company"
        ),
        pk=pk,
    )
    programme = invitation.schedule.programme
    questions = list(programme.custom_questions.all())
    response = SurveyResponse.objects.filter(invitation=invitation).first()
    closed = services.invitation_closed_reason(invitation, by_phone=True)
    context = {
        "invitation": invitation,
        "programme": programme,
        "organisation": request.organisation,
        "response": response,
        "closed": closed,
        "questions": questions,
        "is_manager": request.membership.role in MANAGERS,
    }
    if closed:
        context["answers"] = _answers_summary(response, questions)
        return render(request, "impact/surveys/phone_entry.html", context)
    if request.method == "POST":
        form = SurveyAnswerForm(request.POST, questions=questions)
        submit = "submit" in request.POST
        if form.is_valid():
            try:
                services.response_save(
                    invitation=invitation,
                    data=form.answers(),
                    submit=submit,
                    source=SurveyResponse.Source.PHONE,
                    entered_by=request.user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"{invitation.company.name}'s answers are "
                    + ("submitted and counted." if submit else "saved as a draft."),
                )
                return redirect("impact:phone-entry", org_slug=org_slug, pk=invitation.pk)
    else:
        form = SurveyAnswerForm(
            initial=services.response_initial(response, questions), questions=questions
        )
    return render(
        request,
        "impact/surveys/phone_entry.html",
        {**context, "form": form},
        status=400 if form.errors else 200,
    )


def _answers_summary(response, questions) -> list[tuple[str, object]]:
    """(question, answer) pairs of a response, in the order of the survey, for reading."""
    if response is None:
        return []
    rows = []
    for field in STANDARD_FIELDS:
        value = getattr(response, field.key)
        if value is None or value == "":
            continue
        if field.kind == "yes_no":
            value = "Yes" if value else "No"
        elif field.kind == "choice":
            value = getattr(response, f"get_{field.key}_display")()
        elif field.kind == "money":
            value = f"£{value:,.0f}"
        rows.append((field.label, value))
    for question in questions:
        value = response.custom_answers.get(question.key)
        if value is not None:
            rows.append((question.label, {True: "Yes", False: "No"}.get(value, value)))
    return rows


# --- The managers' own questions -------------------------------------------------------------


@role_required(*MANAGERS)
def custom_questions(request, org_slug, pk):
    programme = _programme(request, pk)
    questions = list(programme.custom_questions.all())
    next_position = (max((q.position for q in questions), default=0) + 1) if questions else 1
    form = CustomQuestionForm(request.POST or None, initial={"position": next_position})
    if request.method == "POST" and form.is_valid():
        question = form.save(commit=False)
        question.programme = programme
        try:
            services.custom_question_save(question=question)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Question added: “{question.label}”.")
            return redirect("impact:questions", org_slug=org_slug, pk=programme.pk)
    return render(
        request,
        "impact/surveys/questions.html",
        {"programme": programme, "questions": questions, "form": form, "active": "questions"},
        status=400 if form.errors else 200,
    )


@role_required(*MANAGERS)
def custom_question_delete(request, org_slug, pk):
    question = get_object_or_404(
        request.organisation.customquestions.select_related("programme"), pk=pk
    )
    programme = question.programme
    return confirm_action(
        request,
        template="impact/surveys/question_delete.html",
        context={
            "programme": programme,
            "question": question,
            "answers": services.custom_question_answer_count(question),
        },
        action=lambda: services.custom_question_delete(question=question),
        success=f"Question removed: “{question.label}”.",
        next_url=reverse("impact:questions", kwargs={"org_slug": org_slug, "pk": programme.pk}),
    )


# --- Baselines -------------------------------------------------------------------------------


def _pounds(value):
    if value is None:
        return None
    return str(int(value)) if value == value.to_integral() else f"{value:.2f}"


def baseline_initial(enrolment, baseline: Baseline | None) -> dict:
    """The stored baseline, or the company profile's figures to start from."""
    if baseline is not None:
        return {
            "employees": baseline.employees,
            "turnover": _pounds(baseline.turnover),
            "export_sales": _pounds(baseline.export_sales),
            "exporting_markets": baseline.exporting_markets,
        }
    company = enrolment.company
    markets = "; ".join(p.strip() for p in company.export_markets.split(",") if p.strip())
    return {"employees": company.employees, "exporting_markets": markets}


@role_required(*MANAGERS)
def baseline_staff(request, org_slug, pk):
    enrolment = get_object_or_404(
        request.organisation.enrolments.select_related("company", "cohort__programme"), pk=pk
    )
    baseline = Baseline.objects.filter(enrolment=enrolment).first()
    form = BaselineForm(request.POST or None, initial=baseline_initial(enrolment, baseline))
    if request.method == "POST" and form.is_valid():
        try:
            services.baseline_save(
                enrolment=enrolment, source=Baseline.Source.STAFF, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Starting figures of {enrolment.company.name} saved.")
            return redirect("impact:baseline", org_slug=org_slug, pk=enrolment.pk)
    return render(
        request,
        "impact/surveys/baseline.html",
        {"enrolment": enrolment, "baseline": baseline, "form": form},
        status=400 if form.errors else 200,
    )
