"""The SME's impact pages under /my/ (namespace `my-impact`): a company gives its starting
figures for one of its enrolments. Enrolments are found only through the user's own
companies; the organisation's scope is switched on once one has been found that way."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from cohorts.models import Enrolment
from impact import services
from impact.forms import BaselineForm
from impact.models import Baseline
from impact.views_surveys import baseline_initial
from portal.fields import add_service_errors
from portal.tenancy import tenant_scope


@login_required
def baseline(request, pk):
    # The SME front door crosses tenants on purpose; the filter on the user's own
    # companies is what fences it.
    enrolment = get_object_or_404(
        Enrolment.objects.with_scopes_disabled()
        .filter(company__memberships__user=request.user)
        .select_related("company", "cohort__programme", "organisation"),
        pk=pk,
    )
    with tenant_scope(enrolment.organisation):
        current = Baseline.objects.filter(enrolment=enrolment).first()
        form = BaselineForm(request.POST or None, initial=baseline_initial(enrolment, current))
        if request.method == "POST" and form.is_valid():
            try:
                services.baseline_save(
                    enrolment=enrolment, source=Baseline.Source.COMPANY, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"Thank you: {enrolment.company.name}'s starting figures for "
                    f"{enrolment.cohort.programme.name} are saved.",
                )
                return redirect("my:dashboard")
        return render(
            request,
            "impact/my/baseline.html",
            {
                "enrolment": enrolment,
                "baseline": current,
                "form": form,
                "branding": enrolment.organisation,
            },
            status=400 if form.errors else 200,
        )
