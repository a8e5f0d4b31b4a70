"""Staff pages of innovation challenges under /<org-slug>/: list, create and edit, a
challenge with its proposals, and shortlisting / recording the result of a proposal."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from activities import challenges, selectors_groups
from activities.forms_challenges import ChallengeForm, DecideForm, ResultForm
from activities.models import ChallengeProposal, InnovationChallenge
from portal.confirm import confirm_action
from portal.fields import add_service_errors
from portal.permissions import has_role, role_required
from portal.roles import MANAGERS, STAFF

PER_PAGE = 25
PROPOSALS_PER_PAGE = 50


def _challenge(request, pk):
    return get_object_or_404(
        InnovationChallenge.objects.filter(organisation=request.organisation).select_related(
            "programme", "organisation"
        ),
        pk=pk,
    )


@role_required(*STAFF)
def challenge_list(request, org_slug):
    page = Paginator(
        selectors_groups.challenges_with_counts(organisation=request.organisation), PER_PAGE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/challenges/challenge_list.html",
        {"page": page, "can_manage": bool(has_role(request.membership, MANAGERS))},
    )


def _form_page(request, *, challenge=None):
    instance = challenge or InnovationChallenge(organisation=request.organisation)
    form = ChallengeForm(
        request.POST or None,
        instance=instance,
        organisation=request.organisation,
        time_zone_name=request.organisation.time_zone,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = challenges.challenge_save(challenge=form.save(commit=False))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"“{saved.title}” {'saved' if challenge else 'created'}.")
            return redirect(
                "activities:challenge-detail", org_slug=request.organisation.slug, pk=saved.pk
            )
    return render(
        request,
        "activities/challenges/challenge_form.html",
        {"form": form, "challenge": challenge},
        status=400 if form.errors else 200,
    )


@role_required(*MANAGERS)
def challenge_create(request, org_slug):
    return _form_page(request)


@role_required(*MANAGERS)
def challenge_edit(request, org_slug, pk):
    return _form_page(request, challenge=_challenge(request, pk))


@role_required(*STAFF)
def challenge_detail(request, org_slug, pk):
    challenge = _challenge(request, pk)
    proposals = (
        ChallengeProposal.objects.filter(organisation=request.organisation, challenge=challenge)
        .select_related("company", "submitted_by")
        .order_by("submitted_at", "pk")
    )
    status = request.GET.get("status", "")
    if status in ChallengeProposal.Status.values:
        proposals = proposals.filter(status=status)
    else:
        status = ""
    page = Paginator(proposals, PROPOSALS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/challenges/challenge_detail.html",
        {
            "challenge": challenge,
            "page": page,
            "status": status,
            "status_choices": ChallengeProposal.Status.choices,
            "can_manage": bool(has_role(request.membership, MANAGERS)),
        },
    )


def _proposal(request, challenge, proposal_pk) -> ChallengeProposal:
    return get_object_or_404(
        ChallengeProposal.objects.filter(
            organisation=request.organisation, challenge=challenge
        ).select_related("company"),
        pk=proposal_pk,
    )


@role_required(*MANAGERS)
@require_POST
def proposal_decide(request, org_slug, pk, proposal_pk):
    """Shortlist a proposal. A result (won / not selected) is final and e-mailed, so it goes
    through the confirmation page first."""
    challenge = _challenge(request, pk)
    proposal = _proposal(request, challenge, proposal_pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose shortlist, won or not selected.")
    elif form.cleaned_data["status"] in challenges.RESULTS:
        query = urlencode(
            {"status": form.cleaned_data["status"], "note": form.cleaned_data["note"]}
        )
        result_url = reverse(
            "activities:challenge-proposal-result",
            kwargs={"org_slug": org_slug, "pk": challenge.pk, "proposal_pk": proposal.pk},
        )
        return redirect(f"{result_url}?{query}")
    else:
        try:
            challenges.proposal_decide(proposal=proposal, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{proposal.company.name}: shortlisted.")
    return redirect("activities:challenge-detail", org_slug=org_slug, pk=challenge.pk)


@role_required(*MANAGERS)
def proposal_result(request, org_slug, pk, proposal_pk):
    """Confirm, then record a proposal's result and e-mail the company. The question
    (GET) carries the result and the note; the answer (POST) repeats them."""
    challenge = _challenge(request, pk)
    proposal = _proposal(request, challenge, proposal_pk)
    form = ResultForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        messages.error(request, "Choose won or not selected.")
        return redirect("activities:challenge-detail", org_slug=org_slug, pk=challenge.pk)
    if request.method != "POST" and proposal.status in challenges.RESULTS:
        messages.error(
            request,
            f"The result for {proposal.company.name} is already recorded "
            f"({proposal.get_status_display().lower()}).",
        )
        return redirect("activities:challenge-detail", org_slug=org_slug, pk=challenge.pk)
    result = form.cleaned_data
    label = dict(ResultForm.base_fields["status"].choices)[result["status"]].lower()
    return confirm_action(
        request,
        template="activities/challenges/proposal_result.html",
        context={"challenge": challenge, "proposal": proposal, "result": result, "label": label},
        action=lambda: challenges.proposal_decide(proposal=proposal, **result),
        success=f"{proposal.company.name}: {label}. The company has been e-mailed.",
        next_url=reverse(
            "activities:challenge-detail", kwargs={"org_slug": org_slug, "pk": challenge.pk}
        ),
    )
