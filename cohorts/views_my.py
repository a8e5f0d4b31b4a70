"""The SME's own pages under /my/: everything about the user's companies, across every
organisation they deal with. Access comes from company membership, never from a tenant."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from cohorts import selectors, services
from cohorts.forms import CompanyForm


@login_required
def dashboard(request):
    companies = selectors.companies_of_user(user=request.user)
    return render(request, "cohorts/my/dashboard.html", {"companies": companies})


@login_required
def company_create(request):
    form = CompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        company = services.company_create(owner=request.user, **form.cleaned_data)
        messages.success(request, f"{company.name}'s profile is saved.")
        return redirect(company.get_absolute_url())
    return render(
        request,
        "cohorts/my/company_form.html",
        {"form": form, "creating": True},
        status=400 if form.errors else 200,
    )


@login_required
def company_detail(request, pk):
    company = get_object_or_404(selectors.companies_of_user(user=request.user), pk=pk)
    form = CompanyForm(request.POST or None, instance=company)
    if request.method == "POST" and form.is_valid():
        services.company_update(company=company, **form.cleaned_data)
        messages.success(request, "Company profile saved.")
        return redirect(company.get_absolute_url())
    return render(
        request,
        "cohorts/my/company_form.html",
        {"form": form, "company": company, "creating": False},
        status=400 if form.errors else 200,
    )


@login_required
def colleagues(request, pk):
    raise Http404


@login_required
def colleague_accept(request, token):
    raise Http404


@login_required
def apply(request, cohort_pk):
    raise Http404


@login_required
def application(request, pk):
    raise Http404


@login_required
def application_withdraw(request, pk):
    raise Http404


@login_required
def application_file(request, pk, file_pk):
    raise Http404
