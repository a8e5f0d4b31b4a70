"""Public pages, no login: the portal-wide directory of open calls (the one-stop-shop front
door), one call's page, and an organisation's page with its open calls."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from cohorts.models import CohortStatus
from cohorts.selectors import companies_of_user, open_calls, public_call
from portal.models import Organisation
from portal.taxonomy import Region, Sector
from programmes.models import SupportKind
from programmes.selectors import CompanyFacts, eligibility_reasons, eligibility_summary

CALLS_PER_PAGE = 20


class CallFilterForm(forms.Form):
    sector = forms.ChoiceField(
        choices=[("", "Any sector"), *Sector.choices], required=False, label="Your sector"
    )
    region = forms.ChoiceField(
        choices=[("", "Anywhere"), *Region.choices], required=False, label="Where you are based"
    )
    support = forms.ChoiceField(
        choices=[("", "Any kind of support"), *SupportKind.choices],
        required=False,
        label="Support you want",
    )


def _days_left(close_at, now) -> int:
    """Calendar days until the call closes: 0 is today, 1 tomorrow."""
    return max(0, (timezone.localdate(close_at) - timezone.localdate(now)).days)


def _cards(cohorts) -> list[dict]:
    """What a call's card shows. Pure Python on rows already loaded with their programme
    and organisation: no query per call."""
    now = timezone.now()
    return [
        {
            "cohort": cohort,
            "programme": cohort.programme,
            "organisation": cohort.organisation,
            "eligibility": eligibility_summary(cohort.programme),
            "days_left": _days_left(cohort.applications_close_at, now),
        }
        for cohort in cohorts
    ]


def directory(request):
    form = CallFilterForm(request.GET or None)
    filters = {"sector": "", "region": "", "support": ""}
    if form.is_bound and form.is_valid():
        filters.update({k: v for k, v in form.cleaned_data.items() if v})
    page = Paginator(open_calls(**filters), CALLS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "cohorts/public/directory.html",
        {
            "form": form,
            "page": page,
            "calls": _cards(page.object_list),
            "filtered": any(filters.values()),
        },
        status=400 if form.errors else 200,
    )


def call_detail(request, org_slug, pk):
    cohort = public_call(org_slug=org_slug, pk=pk)
    if cohort is None:
        raise Http404("No such call.")
    programme = cohort.programme
    organisation = cohort.organisation
    companies = []
    if request.user.is_authenticated:
        for company in companies_of_user(user=request.user):
            reasons = eligibility_reasons(programme, CompanyFacts.of(company))
            companies.append({"company": company, "reasons": reasons})
    now = timezone.now()
    context = {
        "cohort": cohort,
        "programme": programme,
        "organisation": organisation,
        "branding": organisation,
        "eligibility": eligibility_summary(programme),
        "companies": companies,
        "accepting": cohort.is_accepting_applications,
        "not_yet_open": cohort.status == CohortStatus.OPEN and cohort.applications_open_at > now,
        "days_left": _days_left(cohort.applications_close_at, now),
    }
    # Dates of a call are the organisation's dates: show them in its time zone.
    with timezone.override(organisation.time_zone):
        return render(request, "cohorts/public/call_detail.html", context)


def organisation_page(request, org_slug):
    organisation = get_object_or_404(Organisation, slug=org_slug)
    page = Paginator(open_calls(organisation=organisation), CALLS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    with timezone.override(organisation.time_zone):
        return render(
            request,
            "portal/organisation_public.html",
            {
                "organisation": organisation,
                "branding": organisation,
                "page": page,
                "calls": _cards(page.object_list),
            },
        )
