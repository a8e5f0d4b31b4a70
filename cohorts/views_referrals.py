"""Referrals to partner organisations: staff of the referring organisation propose, the
company's owner consents or declines on /my/, and the partner's staff see the profile only
while the consent stands."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cohorts import referrals
from cohorts.models import Referral
from cohorts.selectors import companies_of_organisation
from portal.audit import AuditEntry
from portal.confirm import confirm_action
from portal.fields import add_service_errors
from portal.permissions import role_required
from portal.roles import STAFF

PER_PAGE = 25


class ReferralForm(forms.Form):
    partner = forms.ModelChoiceField(queryset=None, empty_label="Choose a partner")
    note = forms.CharField(
        label="Why you refer them",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The company reads this before it decides; the partner reads it once the "
        "company agrees.",
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = organisation.partners.order_by("name")


# --- Staff of the referring organisation and of the partner ---------------------------------


@role_required(*STAFF)
def referral_create(request, org_slug, pk):
    organisation = request.organisation
    company = get_object_or_404(companies_of_organisation(organisation=organisation), pk=pk)
    form = ReferralForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            referrals.referral_create(
                organisation=organisation,
                company=company,
                partner=form.cleaned_data["partner"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"{company.name}'s owners were asked by e-mail to agree to share their profile "
                f"with {form.cleaned_data['partner'].name}.",
            )
            return redirect("cohorts:referral-list", org_slug=org_slug)
    return render(
        request,
        "cohorts/referrals/create.html",
        {
            "company": company,
            "form": form,
            "has_partners": organisation.partners.exists(),
            "shared_labels": referrals.profile_field_labels(),
        },
        status=400 if form.errors else 200,
    )


@role_required(*STAFF)
def referral_list(request, org_slug):
    organisation = request.organisation
    received = Paginator(referrals.referrals_received(partner=organisation), PER_PAGE).get_page(
        request.GET.get("page")
    )
    sent = Paginator(referrals.referrals_sent(organisation=organisation), PER_PAGE).get_page(
        request.GET.get("spage")
    )
    return render(request, "cohorts/referrals/list.html", {"received": received, "sent": sent})


@role_required(*STAFF)
def referral_cancel(request, org_slug, pk):
    referral = get_object_or_404(referrals.referrals_sent(organisation=request.organisation), pk=pk)
    return confirm_action(
        request,
        template="cohorts/referrals/cancel.html",
        context={"referral": referral},
        action=lambda: referrals.referral_cancel(referral=referral),
        success=f"The referral of {referral.company.name} to {referral.partner.name} is "
        "cancelled; the company is no longer asked.",
        next_url=reverse("cohorts:referral-list", kwargs={"org_slug": org_slug}),
    )


@role_required(*STAFF)
def referral_received(request, org_slug, pk):
    referral = get_object_or_404(referrals.referrals_received(partner=request.organisation), pk=pk)
    # Reading a shared profile is itself recorded, in the partner's own audit trail.
    AuditEntry.objects.log_create(
        referral,
        force_log=True,
        action=AuditEntry.Action.ACCESS,
        organisation_id=request.organisation.pk,
        additional_data={"viewed": "shared company profile", "path": request.path},
    )
    return render(
        request,
        "cohorts/referrals/received.html",
        {"referral": referral, "profile": referrals.shared_profile(referral)},
    )


# --- The company's owners on /my/ ------------------------------------------------------------


def _my_referral(request, pk) -> Referral:
    return get_object_or_404(referrals.referrals_of_user(user=request.user), pk=pk)


@login_required
def my_referrals(request):
    page = Paginator(referrals.referrals_of_user(user=request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "cohorts/referrals/my_list.html", {"page": page})


@login_required
def my_referral(request, pk):
    referral = _my_referral(request, pk)
    return render(
        request,
        "cohorts/referrals/my_detail.html",
        {"referral": referral, "shared_labels": referrals.profile_field_labels()},
    )


@login_required
@require_POST
def my_referral_answer(request, pk):
    referral = _my_referral(request, pk)
    answer = request.POST.get("answer")
    if answer not in ("consent", "decline"):
        raise Http404("Unknown answer.")
    try:
        referrals.referral_answer(referral=referral, user=request.user, consent=answer == "consent")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if answer == "consent":
            messages.success(
                request,
                f"{referral.partner.name} can now see {referral.company.name}'s profile. "
                "You can withdraw this at any time.",
            )
        else:
            messages.info(request, f"Nothing is shared with {referral.partner.name}.")
    return redirect("my:referral", pk=referral.pk)


@login_required
def my_referral_withdraw(request, pk):
    referral = _my_referral(request, pk)
    return confirm_action(
        request,
        template="cohorts/referrals/my_withdraw.html",
        context={"referral": referral},
        action=lambda: referrals.referral_withdraw(referral=referral, user=request.user),
        success=f"{referral.partner.name} no longer sees {referral.company.name}'s profile.",
        next_url=referral.get_absolute_url(),
    )
