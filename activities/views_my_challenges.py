"""The SME's innovation-challenge pages under /my/: published open challenges of every
organisation, and one short proposal per company before the deadline."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from activities import challenges, selectors_groups
from activities.forms_challenges import ProposalForm
from activities.models import ChallengeProposal
from cohorts import selectors as cohort_selectors
from portal.fields import add_service_errors
from portal.tenancy import tenant_scope


@login_required
def challenge_list(request):
    page = Paginator(selectors_groups.open_challenges(user=request.user), 20).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "activities/my/challenges/challenge_list.html",
        {
            "page": page,
            "proposals": list(selectors_groups.my_proposals(user=request.user)[:50]),
            "has_company": cohort_selectors.companies_of_user(user=request.user).exists(),
        },
    )


@login_required
def challenge_detail(request, pk):
    challenge = selectors_groups.visible_challenge(user=request.user, pk=pk)
    if challenge is None:
        raise Http404
    companies = list(cohort_selectors.companies_of_user(user=request.user))
    proposals = list(
        ChallengeProposal.objects.with_scopes_disabled()
        .filter(challenge=challenge, company__in=companies)
        .select_related("company")
    )
    answered = {p.company_id for p in proposals}
    can_answer = [c for c in companies if c.pk not in answered]
    form = None
    if challenge.is_open and can_answer:
        form = ProposalForm(request.POST or None, companies=can_answer)
        if request.method == "POST" and form.is_valid():
            company = next(c for c in can_answer if c.pk == form.cleaned_data["company"])
            try:
                with tenant_scope(challenge.organisation):
                    challenges.proposal_submit(
                        challenge=challenge,
                        company=company,
                        summary=form.cleaned_data["summary"],
                        by=request.user,
                    )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"Proposal sent for {company.name}. {challenge.organisation.name} will "
                    "e-mail you the result.",
                )
                return redirect("my-activities:challenge-detail", pk=challenge.pk)
    elif request.method == "POST":
        messages.error(
            request,
            "This challenge is closed."
            if not challenge.is_open
            else "Each of your companies has already answered.",
        )
        return redirect("my-activities:challenge-detail", pk=challenge.pk)
    return render(
        request,
        "activities/my/challenges/challenge_detail.html",
        {
            "challenge": challenge,
            "proposals": proposals,
            "form": form,
            "has_company": bool(companies),
        },
        status=400 if form is not None and form.errors else 200,
    )
