"""The programme manager's cohort pages under /<org-slug>/ (namespace `cohorts`): cohorts and
their status, the application-form builder, scoring criteria, the roster and its exports,
withdrawals, and the company record that growth advisers read too.

Views translate between HTTP and the services and selectors of the cohorts app; the rules
live there."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cohorts import exports, selectors, services
from cohorts.forms_manage import (
    CHOICE_KINDS,
    CohortFilterForm,
    CohortForm,
    CohortMoveForm,
    CompanyFilterForm,
    CriterionForm,
    PreviewForm,
    QuestionForm,
    QuestionMoveForm,
    WithdrawForm,
)
from cohorts.models import (
    ApplicationStatus,
    CohortStatus,
    Enrolment,
    QuestionKind,
)
from portal.confirm import confirm_action
from portal.fields import add_service_errors
from portal.permissions import role_required
from portal.roles import MANAGERS, STAFF

COHORTS_PER_PAGE = 25
ROSTER_PER_PAGE = 50
COMPANIES_PER_PAGE = 30
STATUS_ORDER = list(CohortStatus.values)

# The company profile every application asks for, whatever the cohort's own questions.
PROFILE_FIELDS = [
    "Company name",
    "Registration number",
    "Sector",
    "Region",
    "Year founded",
    "Employees",
    "Turnover band",
    "Website",
    "Whether and where it exports",
    "What help it wants",
]


def _cohort(request, pk):
    """A cohort of this organisation, with its programme, or 404."""
    return get_object_or_404(
        request.organisation.cohorts.select_related("programme", "organisation"), pk=pk
    )


# --- Cohorts --------------------------------------------------------------------------------


@role_required(*MANAGERS)
def cohort_list(request, org_slug):
    organisation = request.organisation
    filters = CohortFilterForm(request.GET or None, organisation=organisation)
    cohorts = filters.filter(selectors.cohorts_with_counts(organisation=organisation))
    page = Paginator(cohorts, COHORTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "cohorts/manage/cohort_list.html",
        {
            "filters": filters,
            "page": page,
            "filtered": bool(request.GET.get("programme") or request.GET.get("status")),
            "programmes": organisation.programmes.order_by("name"),
        },
    )


def _cohort_form_page(request, *, programme, cohort=None):
    form = CohortForm(
        request.POST or None,
        instance=cohort,
        time_zone_name=request.organisation.time_zone,
    )
    if request.method == "POST":
        if cohort is None:
            form.instance.programme = programme
        if form.is_valid():
            try:
                saved = services.cohort_save(cohort=form.save(commit=False))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                verb = "created" if cohort is None else "saved"
                messages.success(request, f"Cohort {saved.number} of {programme.name} {verb}.")
                return redirect(
                    "cohorts:cohort-detail", org_slug=request.organisation.slug, pk=saved.pk
                )
    return render(
        request,
        "cohorts/manage/cohort_form.html",
        {"form": form, "programme": programme, "cohort": cohort},
        status=400 if form.errors else 200,
    )


@role_required(*MANAGERS)
def cohort_create(request, org_slug, programme_pk):
    programme = get_object_or_404(request.organisation.programmes, pk=programme_pk)
    return _cohort_form_page(request, programme=programme)


@role_required(*MANAGERS)
def cohort_edit(request, org_slug, pk):
    cohort = _cohort(request, pk)
    return _cohort_form_page(request, programme=cohort.programme, cohort=cohort)


@role_required(*MANAGERS)
def cohort_detail(request, org_slug, pk):
    cohort = _cohort(request, pk)
    current = STATUS_ORDER.index(cohort.status)
    moves = [
        {
            "value": status,
            "label": CohortStatus(status).label,
            "back": STATUS_ORDER.index(status) < current,
        }
        for status in cohort.allowed_transitions()
    ]
    counts = selectors.status_counts(cohort=cohort)
    counts_list = [
        (ApplicationStatus(status).label, counts[status]) for status in ApplicationStatus.values
    ]
    places = services.places_taken(cohort)
    return render(
        request,
        "cohorts/manage/cohort_detail.html",
        {
            "cohort": cohort,
            "forward_moves": [m for m in moves if not m["back"]],
            "back_moves": [m for m in moves if m["back"]],
            "history": cohort.status_changes.select_related("changed_by"),
            "counts": counts,
            "counts_list": counts_list,
            "submitted_total": sum(n for s, n in counts.items() if s != ApplicationStatus.DRAFT),
            "places_taken": places,
            "places_free": max(cohort.capacity - places, 0),
            "question_count": cohort.questions.count(),
            "criterion_count": cohort.criteria.count(),
            "is_open": cohort.status == CohortStatus.OPEN,
        },
    )


@role_required(*MANAGERS)
@require_POST
def cohort_move(request, org_slug, pk):
    cohort = _cohort(request, pk)
    form = CohortMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the offered moves.")
    else:
        try:
            services.cohort_move(
                cohort=cohort,
                to_status=form.cleaned_data["to_status"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{cohort} is now {cohort.get_status_display().lower()}.")
    return redirect("cohorts:cohort-detail", org_slug=org_slug, pk=cohort.pk)


# --- The application form -------------------------------------------------------------------


@role_required(*MANAGERS)
def form_builder(request, org_slug, pk):
    cohort = _cohort(request, pk)
    form = QuestionForm(request.POST or None)
    if request.method == "POST":
        form.instance.cohort = cohort
        if form.is_valid():
            try:
                question = services.question_save(question=form.save(commit=False))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Question added: “{question.label}”.")
                return redirect("cohorts:form-builder", org_slug=org_slug, pk=cohort.pk)
    questions = list(cohort.questions.order_by("position", "pk"))
    return render(
        request,
        "cohorts/manage/form_builder.html",
        {
            "cohort": cohort,
            "form": form,
            "questions": questions,
            "preview": PreviewForm(questions=questions),
            "profile_fields": PROFILE_FIELDS,
            "locked": selectors.has_submitted_applications(cohort),
            "choice_kinds": CHOICE_KINDS,
            "file_kind": QuestionKind.FILE,
        },
        status=400 if form.errors else 200,
    )


def _question(cohort, question_pk):
    return get_object_or_404(cohort.questions, pk=question_pk)


@role_required(*MANAGERS)
def question_edit(request, org_slug, pk, question_pk):
    cohort = _cohort(request, pk)
    question = _question(cohort, question_pk)
    form = QuestionForm(request.POST or None, instance=question)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_save(question=form.save(commit=False))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Question saved: “{question.label}”.")
            return redirect("cohorts:form-builder", org_slug=org_slug, pk=cohort.pk)
    return render(
        request,
        "cohorts/manage/question_form.html",
        {"cohort": cohort, "question": question, "form": form},
        status=400 if form.errors else 200,
    )


@role_required(*MANAGERS)
def question_delete(request, org_slug, pk, question_pk):
    cohort = _cohort(request, pk)
    question = _question(cohort, question_pk)
    return confirm_action(
        request,
        template="cohorts/manage/question_delete.html",
        context={"cohort": cohort, "question": question},
        action=lambda: services.question_delete(question=question),
        success=f"Question removed: “{question.label}”.",
        next_url=reverse("cohorts:form-builder", kwargs={"org_slug": org_slug, "pk": cohort.pk}),
    )


@role_required(*MANAGERS)
@require_POST
def question_move(request, org_slug, pk, question_pk):
    cohort = _cohort(request, pk)
    question = _question(cohort, question_pk)
    form = QuestionMoveForm(request.POST)
    if form.is_valid():
        services.question_move(question=question, direction=form.cleaned_data["direction"])
    else:
        messages.error(request, "Move a question up or down.")
    url = redirect("cohorts:form-builder", org_slug=org_slug, pk=cohort.pk)
    url["Location"] += f"#question-{question.pk}"
    return url


# --- Scoring criteria -----------------------------------------------------------------------


@role_required(*MANAGERS)
def criteria(request, org_slug, pk):
    cohort = _cohort(request, pk)
    form = CriterionForm(request.POST or None)
    if request.method == "POST":
        form.instance.cohort = cohort
        if form.is_valid():
            try:
                criterion = services.criterion_save(criterion=form.save(commit=False))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Criterion added: {criterion.name}.")
                return redirect("cohorts:criteria", org_slug=org_slug, pk=cohort.pk)
    items = list(cohort.criteria.order_by("position", "pk"))
    total = sum(c.weight for c in items)
    rows = [(c, round(100 * c.weight / total) if total else 0) for c in items]
    return render(
        request,
        "cohorts/manage/criteria.html",
        {
            "cohort": cohort,
            "form": form,
            "rows": rows,
            "total_weight": total,
            "locked": selectors.has_submitted_reviews(cohort),
        },
        status=400 if form.errors else 200,
    )


@role_required(*MANAGERS)
def criterion_delete(request, org_slug, pk, criterion_pk):
    cohort = _cohort(request, pk)
    criterion = get_object_or_404(cohort.criteria, pk=criterion_pk)
    return confirm_action(
        request,
        template="cohorts/manage/criterion_delete.html",
        context={"cohort": cohort, "criterion": criterion},
        action=lambda: services.criterion_delete(criterion=criterion),
        success=f"Criterion removed: {criterion.name}.",
        next_url=reverse("cohorts:criteria", kwargs={"org_slug": org_slug, "pk": cohort.pk}),
    )


# --- Roster, exports and withdrawals ---------------------------------------------------------


@role_required(*MANAGERS)
def roster(request, org_slug, pk):
    cohort = _cohort(request, pk)
    enrolments = selectors.cohort_roster(cohort=cohort)
    page = Paginator(
        enrolments.exclude(status=Enrolment.Status.WITHDRAWN), ROSTER_PER_PAGE
    ).get_page(request.GET.get("page"))
    withdrawn = enrolments.filter(status=Enrolment.Status.WITHDRAWN).order_by("-withdrawn_at")
    places = services.places_taken(cohort)
    waitlisted = cohort.applications.filter(status=ApplicationStatus.WAITLISTED).count()
    return render(
        request,
        "cohorts/manage/roster.html",
        {
            "cohort": cohort,
            "page": page,
            "withdrawn": withdrawn,
            "places_taken": places,
            "places_free": max(cohort.capacity - places, 0),
            "waitlisted": waitlisted,
            "export_links": [
                ("roster", "csv", "Roster (CSV)"),
                ("roster", "xlsx", "Roster (Excel)"),
                ("applications", "csv", "Application answers (CSV)"),
                ("applications", "xlsx", "Application answers (Excel)"),
            ],
        },
    )


@role_required(*MANAGERS)
def export(request, org_slug, pk, what, fmt):
    cohort = _cohort(request, pk)
    if what not in exports.TABLES or fmt not in exports.WRITERS:
        raise Http404("No such export.")
    table = exports.TABLES[what](cohort=cohort)
    writer, content_type = exports.WRITERS[fmt]
    response = HttpResponse(writer(table), content_type=content_type)
    filename = exports.export_filename(cohort=cohort, what=what, fmt=fmt)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(*MANAGERS)
def enrolment_withdraw(request, org_slug, pk):
    enrolment = get_object_or_404(
        request.organisation.enrolments.select_related("company", "cohort__programme"), pk=pk
    )
    cohort = enrolment.cohort
    form = WithdrawForm(request.POST or None)
    active = enrolment.status == Enrolment.Status.ACTIVE
    if request.method == "POST" and active and form.is_valid():
        try:
            services.enrolment_withdraw(
                enrolment=enrolment, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            text = f"{enrolment.company.name} has left {cohort}."
            waitlisted = cohort.applications.filter(status=ApplicationStatus.WAITLISTED).count()
            if waitlisted:
                text += (
                    f" {waitlisted} waitlisted application{'s are' if waitlisted != 1 else ' is'} "
                    "waiting: offer the free place with “Promote from the waitlist” below."
                )
            messages.success(request, text)
            return redirect("cohorts:roster", org_slug=org_slug, pk=cohort.pk)
    elif request.method == "POST" and not active:
        messages.info(request, f"{enrolment.company.name} is no longer taking part.")
        return redirect("cohorts:roster", org_slug=org_slug, pk=cohort.pk)
    return render(
        request,
        "cohorts/manage/enrolment_withdraw.html",
        {"enrolment": enrolment, "cohort": cohort, "form": form, "active": active},
        status=400 if form.errors else 200,
    )


# --- Companies ------------------------------------------------------------------------------


def _known_companies(organisation):
    return selectors.companies_of_organisation(organisation=organisation)


@role_required(*STAFF)
def company_list(request, org_slug):
    organisation = request.organisation
    filters = CompanyFilterForm(request.GET or None)
    submitted_here = Q(applications__organisation=organisation) & ~Q(
        applications__status=ApplicationStatus.DRAFT
    )
    companies = (
        filters.filter(_known_companies(organisation))
        .annotate(
            application_count=Count("applications", filter=submitted_here, distinct=True),
            enrolment_count=Count(
                "enrolments",
                filter=Q(enrolments__organisation=organisation)
                & Q(enrolments__status=Enrolment.Status.ACTIVE),
                distinct=True,
            ),
        )
        .order_by("name", "pk")
    )
    page = Paginator(companies, COMPANIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "cohorts/manage/company_list.html",
        {"filters": filters, "page": page, "filtered": filters.is_bound},
    )


@role_required(*STAFF)
def company_detail(request, org_slug, pk):
    organisation = request.organisation
    company = get_object_or_404(_known_companies(organisation), pk=pk)
    applications = list(
        selectors.rank_applications(
            organisation.applications.filter(company=company)
            .exclude(status=ApplicationStatus.DRAFT)
            .select_related("cohort__programme")
        ).order_by("-submitted_at", "-pk")
    )
    latest = next((a for a in applications if a.company_snapshot), None)
    enrolments = organisation.enrolments.filter(company=company).select_related("cohort__programme")
    people = company.memberships.select_related("user").order_by("created_at", "pk")
    return render(
        request,
        "cohorts/manage/company_detail.html",
        {
            "company": company,
            "applications": applications,
            "snapshot": latest.company_snapshot if latest else None,
            "snapshot_application": latest,
            "enrolments": enrolments,
            "people": people,
            "can_manage": request.membership.role in MANAGERS,
        },
    )
