"""The SME's own pages under /my/: everything about the user's companies, across every
organisation they deal with. Access comes from company membership, never from a tenant:
records are found only through cohorts.selectors.companies_of_user / applications_of_user,
and a tenant's scope is switched on only once an application has been found that way."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from cohorts import selectors, services
from cohorts.forms_my import (
    UPLOAD_LABELS,
    ApplicationAnswersForm,
    ApplyForm,
    ColleagueInviteForm,
    CompanyForm,
    WithdrawForm,
)
from cohorts.models import (
    ApplicationStatus,
    Cohort,
    CohortStatus,
    CompanyInvitation,
    CompanyMember,
    QuestionKind,
)
from portal.downloads import attachment
from portal.tenancy import tenant_scope
from programmes.selectors import CompanyFacts, eligibility_reasons

# An applicant can withdraw while a decision is pending or after one that keeps them in.
WITHDRAWABLE = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.WAITLISTED,
    ApplicationStatus.ACCEPTED,
)


# --- Dashboard and company profile -----------------------------------------------------------


@login_required
def dashboard(request):
    user = request.user
    member_count = (
        CompanyMember.objects.filter(company=OuterRef("pk"))
        .values("company")
        .annotate(n=Count("pk"))
        .values("n")
    )
    companies = selectors.companies_of_user(user=user).annotate(member_count=Subquery(member_count))
    applications = selectors.applications_of_user(user=user)
    status = request.GET.get("status", "")
    if status in ApplicationStatus.values:
        applications = applications.filter(status=status)
    else:
        status = ""
    application_page = Paginator(applications, 25).get_page(request.GET.get("page"))
    enrolment_page = Paginator(selectors.enrolments_of_user(user=user), 25).get_page(
        request.GET.get("epage")
    )
    companies = list(companies)
    # Invitations to this user's address from companies they do not act for yet.
    invitations = (
        CompanyInvitation.objects.filter(email__iexact=user.email, accepted_at__isnull=True)
        .exclude(company__in=[c.pk for c in companies])
        .select_related("company", "invited_by")
    )
    return render(
        request,
        "cohorts/my/dashboard.html",
        {
            "companies": companies,
            "page": application_page,
            "enrolment_page": enrolment_page,
            "invitations": list(invitations),
            "status": status,
            "status_choices": ApplicationStatus.choices,
        },
    )


@login_required
def company_create(request):
    form = CompanyForm(request.POST or None)
    next_url = _next_url(request)
    if request.method == "POST" and form.is_valid():
        company = services.company_create(owner=request.user, **form.cleaned_data)
        messages.success(request, f"{company.name}'s profile is saved.")
        return redirect(next_url or company.get_absolute_url())
    return render(
        request,
        "cohorts/my/company_form.html",
        {"form": form, "creating": True, "next_url": next_url},
        status=400 if form.errors else 200,
    )


@login_required
def company_detail(request, pk):
    company = get_object_or_404(selectors.companies_of_user(user=request.user), pk=pk)
    form = CompanyForm(request.POST or None, instance=company)
    next_url = _next_url(request)
    if request.method == "POST" and form.is_valid():
        services.company_update(company=company, **form.cleaned_data)
        messages.success(request, "Company profile saved.")
        return redirect(next_url or company.get_absolute_url())
    submitted = (
        selectors.applications_of_user(user=request.user)
        .filter(company=company)
        .exclude(status=ApplicationStatus.DRAFT)
        .count()
    )
    return render(
        request,
        "cohorts/my/company_form.html",
        {
            "form": form,
            "company": company,
            "creating": False,
            "next_url": next_url,
            "submitted_count": submitted,
        },
        status=400 if form.errors else 200,
    )


def _next_url(request) -> str:
    """A same-site `next` (from the query string or the form) to return to, or ""."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


# --- Colleagues ----------------------------------------------------------------------------


@login_required
def colleagues(request, pk):
    company = get_object_or_404(selectors.companies_of_user(user=request.user), pk=pk)
    form = ColleagueInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.colleague_invite(
                company=company, email=form.cleaned_data["email"], invited_by=request.user
            )
        except ValidationError as exc:
            _errors_to_form(form, exc, default_field="email")
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("my:colleagues", pk=company.pk)
    return render(
        request,
        "cohorts/my/colleagues.html",
        {
            "company": company,
            "form": form,
            "members": company.memberships.select_related("user").order_by("role", "user__email"),
            "invitations": company.invitations.filter(accepted_at__isnull=True).select_related(
                "invited_by"
            ),
        },
        status=400 if form.errors else 200,
    )


@login_required
def colleague_accept(request, token):
    # Company invitations are global (like companies); the secret token is the credential.
    invitation = get_object_or_404(
        CompanyInvitation.objects.select_related("company", "invited_by"), token=token
    )
    already_member = invitation.company.memberships.filter(user=request.user).exists()
    error = None
    if request.method == "POST":
        try:
            services.colleague_accept(invitation=invitation, user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"You now act for {invitation.company.name}.")
            return redirect(invitation.company.get_absolute_url())
    return render(
        request,
        "cohorts/my/colleague_accept.html",
        {"invitation": invitation, "error": error, "already_member": already_member},
        status=400 if error else 200,
    )


# --- Applying ------------------------------------------------------------------------------


@login_required
def apply(request, cohort_pk):
    # The SME front door crosses tenants: a draft cohort is not published (404); any other
    # cohort either takes applications or gets a clear "closed" page.
    cohort = (
        Cohort.objects.with_scopes_disabled()
        .filter(pk=cohort_pk)
        .exclude(status=CohortStatus.DRAFT)
        .select_related("programme", "organisation")
        .first()
    )
    if cohort is None:
        raise Http404("No such call for applications.")
    companies = selectors.companies_of_user(user=request.user)
    existing = {
        a.company_id: a
        for a in selectors.applications_of_user(user=request.user).filter(cohort_id=cohort.pk)
    }
    if not cohort.is_accepting_applications and request.method == "GET":
        return _closed(request, cohort, existing)
    company_list = list(companies)
    if not company_list:
        messages.info(
            request, "First, tell us about your company. You will come back to your application."
        )
        return redirect(
            f"{reverse('my:company-create')}?next={reverse('my:apply', args=[cohort.pk])}"
        )
    form = ApplyForm(
        request.POST or None,
        companies=companies,
        initial={"company": _default_company(company_list, existing)},
    )
    if request.method == "POST" and form.is_valid():
        company = form.cleaned_data["company"]
        try:
            with tenant_scope(cohort.organisation):
                application = services.application_start(
                    cohort=cohort, company=company, user=request.user
                )
        except ValidationError:
            return _closed(request, cohort, existing, status=400)
        return redirect("my:application", pk=application.pk)
    choices = [
        {
            "company": company,
            "reasons": eligibility_reasons(cohort.programme, CompanyFacts.of(company)),
            "application": existing.get(company.pk),
        }
        for company in company_list
    ]
    return render(
        request,
        "cohorts/my/apply.html",
        {
            "cohort": cohort,
            "form": form,
            "choices": choices,
            "can_start": any(c["application"] is None for c in choices),
        },
        status=400 if form.errors else 200,
    )


def _default_company(companies, existing):
    """Preselect a company that has not applied yet, else the first."""
    fresh = [c for c in companies if c.pk not in existing]
    return (fresh or companies)[0].pk


def _closed(request, cohort, existing, status=200):
    return render(
        request,
        "cohorts/my/apply_closed.html",
        {
            "cohort": cohort,
            "applications": list(existing.values()),
            "not_yet_open": cohort.status == CohortStatus.OPEN
            and timezone.now() < cohort.applications_open_at,
        },
        status=status,
    )


def _own_application(request, pk):
    """One of the user's own applications (across organisations), or 404."""
    return get_object_or_404(selectors.applications_of_user(user=request.user), pk=pk)


@login_required
def application(request, pk):
    application = _own_application(request, pk)
    organisation = application.organisation
    with tenant_scope(organisation), timezone.override(organisation.time_zone):
        if application.status == ApplicationStatus.DRAFT:
            return _application_draft(request, application)
        if request.method == "POST":
            # A second click on "Submit", or a form left open in another tab.
            messages.info(request, "This application has already been submitted.")
            if request.htmx:
                # An autosave from a stale tab: reload the whole page, not the status line.
                return HttpResponseClientRedirect(reverse("my:application", args=[application.pk]))
            return redirect("my:application", pk=application.pk)
        return _application_record(request, application)


def _application_draft(request, application):
    cohort = application.cohort
    questions = list(cohort.questions.all())
    action = request.POST.get("action", "save")
    autosave = request.method == "POST" and request.htmx and action == "autosave"
    form = ApplicationAnswersForm(
        request.POST or None,
        request.FILES or None,
        questions=questions,
        answers=application.answers,
        files=_files_by_question(application),
    )
    alert = []
    if request.method == "POST":
        if form.is_valid():
            try:
                services.application_save_draft(
                    application=application,
                    answers=form.answers(),
                    files=None if autosave else form.uploads(),
                )
                if action == "submit":
                    services.application_submit(application=application, user=request.user)
            except ValidationError as exc:
                alert = _errors_to_form(form, exc)
            else:
                if autosave:
                    return render(
                        request,
                        "cohorts/my/partials/autosave_status.html",
                        {"saved_at": timezone.now()},
                    )
                if action == "submit":
                    messages.success(
                        request,
                        f"Your application to {cohort} has been submitted. We have e-mailed "
                        "you a confirmation.",
                    )
                else:
                    messages.success(
                        request,
                        "Draft saved. You can come back to it at any time before applications "
                        f"close on {_when(cohort.applications_close_at)}.",
                    )
                return redirect("my:application", pk=application.pk)
        if autosave:
            return render(
                request,
                "cohorts/my/partials/autosave_status.html",
                {"form": form, "alert": alert},
            )
        # Files uploaded before a failed submit are kept: show them.
        form.existing_files = _files_by_question(application)
    company = application.company
    return render(
        request,
        "cohorts/my/application_form.html",
        {
            "application": application,
            "cohort": cohort,
            "form": form,
            "alert": alert,
            "profile": services.company_snapshot(company),
            "company": company,
            "reasons": eligibility_reasons(cohort.programme, CompanyFacts.of(company)),
            "upload_labels": UPLOAD_LABELS,
        },
        status=400 if form.errors or alert else 200,
    )


def _application_record(request, application):
    questions = list(application.cohort.questions.all())
    files = _files_by_question(application)
    answers = []
    for question in questions:
        value = application.answers.get(str(question.pk))
        if isinstance(value, list):
            value = ", ".join(value)
        elif value and question.kind == QuestionKind.DATE:
            value = date_format(datetime.date.fromisoformat(value), "j F Y")
        answers.append(
            {
                "question": question,
                "value": value,
                "file": files.get(question.pk),
                "is_file": question.kind == QuestionKind.FILE,
            }
        )
    return render(
        request,
        "cohorts/my/application_detail.html",
        {
            "application": application,
            "cohort": application.cohort,
            "profile": application.company_snapshot,
            "answers": answers,
            "history": application.status_changes.all(),
            "can_withdraw": application.status in WITHDRAWABLE,
        },
    )


def _files_by_question(application) -> dict:
    return {f.question_id: f for f in application.files.all()}


@login_required
def application_withdraw(request, pk):
    application = _own_application(request, pk)
    if application.status not in WITHDRAWABLE:
        messages.info(
            request,
            "A draft is not sent to anyone: you can simply leave it."
            if application.status == ApplicationStatus.DRAFT
            else "This application is already closed.",
        )
        return redirect("my:application", pk=application.pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with tenant_scope(application.organisation):
                services.application_withdraw(
                    application=application, by=request.user, reason=form.cleaned_data["reason"]
                )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                f"You withdrew {application.company.name}'s application to {application.cohort}.",
            )
        return redirect("my:application", pk=application.pk)
    return render(
        request,
        "cohorts/my/application_withdraw.html",
        {"application": application, "cohort": application.cohort, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def application_file(request, pk, file_pk):
    application = _own_application(request, pk)
    with tenant_scope(application.organisation):
        upload = get_object_or_404(application.files, pk=file_pk)
        return attachment(
            upload.file, filename=upload.original_name, content_type=upload.content_type
        )


# --- Helpers -------------------------------------------------------------------------------


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "j F Y, H:i")


def _errors_to_form(form, exc: ValidationError, default_field: str | None = None) -> list[str]:
    """Put a service's errors next to their fields; return those that belong to no field
    (for an alert at the top of the page)."""
    if hasattr(exc, "error_dict"):
        rest = []
        for field, errors in exc.message_dict.items():
            if field in form.fields:
                for error in errors:
                    form.add_error(field, error)
            else:
                rest += errors
        return rest
    if default_field:
        for error in exc.messages:
            form.add_error(default_field, error)
        return []
    return exc.messages
