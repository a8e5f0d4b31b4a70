"""Staff pages of data rights under /<org-slug>/privacy/: erasure requests for the
organisation's admins to confirm or refuse, withdrawing a company from the organisation's
data, and the retention of each programme."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cohorts.selectors import companies_of_organisation
from portal.confirm import confirm_action
from portal.fields import add_service_errors
from portal.permissions import role_required
from portal.roles import MANAGERS, Role
from privacy import erasure as services
from privacy.anonymise import other_organisations_know
from privacy.forms import ErasureRefuseForm
from privacy.models import CompanyWithdrawal, ErasureApproval

APPROVALS_PER_PAGE = 25
PROGRAMMES_PER_PAGE = 25


def _approval(request, pk) -> ErasureApproval:
    return get_object_or_404(
        ErasureApproval.objects.filter(organisation=request.organisation).select_related(
            "request__user", "decided_by", "organisation"
        ),
        pk=pk,
    )


@role_required(Role.ADMIN)
def erasure_list(request, org_slug):
    approvals = (
        ErasureApproval.objects.filter(organisation=request.organisation)
        .select_related("request__user", "decided_by")
        .annotate(
            waiting=Case(
                When(status=ErasureApproval.Status.PENDING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("waiting", "-created_at", "-pk")
    )
    page = Paginator(approvals, APPROVALS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "privacy/staff/erasure_list.html", {"page": page})


@role_required(Role.ADMIN)
def erasure_detail(request, org_slug, pk):
    approval = _approval(request, pk)
    form = ErasureRefuseForm()
    return render(request, "privacy/staff/erasure_detail.html", _detail(approval, form))


def _detail(approval, form) -> dict:
    return {
        "approval": approval,
        "erasure": approval.request,
        "person": approval.request.user,
        "form": form,
        "can_decide": approval.status == ErasureApproval.Status.PENDING
        and approval.request.is_pending,
    }


@role_required(Role.ADMIN)
def erasure_confirm(request, org_slug, pk):
    approval = _approval(request, pk)
    return confirm_action(
        request,
        template="privacy/staff/erasure_confirm.html",
        context={"approval": approval, "person": approval.request.user},
        action=lambda: services.approval_confirm(approval=approval, by=request.user),
        success="Confirmed. The person is erased once every organisation holding their data "
        "has confirmed.",
        next_url=reverse("privacy-staff:erasure-list", kwargs={"org_slug": org_slug}),
    )


@role_required(Role.ADMIN)
@require_POST
def erasure_refuse(request, org_slug, pk):
    approval = _approval(request, pk)
    form = ErasureRefuseForm(request.POST)
    if form.is_valid():
        try:
            services.approval_refuse(
                approval=approval, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Refused. The person has been e-mailed your reason.")
            return redirect("privacy-staff:erasure-list", org_slug=org_slug)
    return render(request, "privacy/staff/erasure_detail.html", _detail(approval, form), status=400)


@role_required(*MANAGERS)
def company_withdraw(request, org_slug, pk):
    organisation = request.organisation
    company = get_object_or_404(companies_of_organisation(organisation=organisation), pk=pk)
    applications = organisation.applications.filter(company=company)
    context = {
        "company": company,
        "application_count": applications.count(),
        "file_count": organisation.applicationfiles.filter(application__in=applications).count(),
        "known_elsewhere": other_organisations_know(company, organisation),
        "people": company.memberships.count(),
    }
    return confirm_action(
        request,
        template="privacy/staff/company_withdraw.html",
        context=context,
        action=lambda: services.company_withdraw(
            company=company, organisation=organisation, by=request.user
        ),
        success="The company is withdrawn: its identifying details and files are gone from "
        "your organisation's records; its figures still count.",
        next_url=reverse("cohorts:company-detail", kwargs={"org_slug": org_slug, "pk": pk}),
    )


@role_required(*MANAGERS)
def retention(request, org_slug):
    programmes = request.organisation.programmes.select_related("retention_run").order_by(
        "-end_date", "name"
    )
    page = Paginator(programmes, PROGRAMMES_PER_PAGE).get_page(request.GET.get("page"))
    withdrawals = (
        CompanyWithdrawal.objects.filter(organisation=request.organisation)
        .select_related("company", "withdrawn_by")
        .order_by("-withdrawn_at")[:20]
    )
    return render(
        request,
        "privacy/staff/retention.html",
        {"page": page, "withdrawals": withdrawals},
    )
