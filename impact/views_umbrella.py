"""The umbrella report across partner organisations, and the partner's side of it: its
admin's agreement to share aggregate impact figures with a partner. Under /<org-slug>/impact/
(namespace `impact`); the rules and the one cross-tenant read live in impact/sharing.py."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from impact import reports as impact_reports
from impact import sharing
from impact.headlines import headlines
from impact.models import ImpactSharing
from portal.confirm import confirm_action
from portal.fields import add_service_errors
from portal.models import Organisation
from portal.permissions import role_required
from portal.roles import MANAGERS, Role


@role_required(*MANAGERS)
def umbrella(request, org_slug):
    """One report over this organisation's programmes and those of the partners that agreed
    to share their figures with it: aggregates only."""
    report = sharing.umbrella_report(request.organisation)
    metrics = report.metrics
    return render(
        request,
        "impact/dashboard/umbrella.html",
        {
            "report": report,
            "metrics": metrics,
            "programme_count": len(report.programme_ids),
            "partner_count": len(report.organisations) - 1,
            "has_partners": request.organisation.partners.exists(),
            "headlines": headlines(metrics) if metrics else [],
            "outcome_rows": impact_reports.outcome_rows(metrics, None, {}) if metrics else [],
            "response_rate_percent": impact_reports.percent(metrics.response_rate)
            if metrics
            else None,
            "is_admin": request.membership.role == Role.ADMIN,
        },
    )


class SharingForm(forms.Form):
    shared_with = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), widget=forms.HiddenInput
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this organisation's partners can be chosen.
        self.fields["shared_with"].queryset = organisation.partners.all()


@role_required(Role.ADMIN)
def sharing_settings(request, org_slug):
    """The admin's choice, partner by partner: share our aggregate impact figures with it,
    or not (withdrawable at any time)."""
    organisation = request.organisation
    form = SharingForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        partner = form.cleaned_data["shared_with"]
        try:
            sharing.sharing_agree(organisation=organisation, shared_with=partner, user=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, f"{partner.name} now sees {organisation.name}'s aggregate impact figures."
            )
            return redirect("impact:sharing", org_slug=org_slug)
    agreements = {
        s.shared_with_id: s
        for s in organisation.impactsharings.select_related("agreed_by", "withdrawn_by")
    }
    partners = [
        {"organisation": partner, "sharing": agreements.get(partner.pk)}
        for partner in organisation.partners.order_by("name")
    ]
    return render(
        request,
        "impact/dashboard/sharing.html",
        {
            "partners": partners,
            "form": form,
            "programme_count": organisation.programmes.count(),
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.ADMIN)
def sharing_withdraw(request, org_slug, pk):
    agreement = get_object_or_404(
        ImpactSharing.objects.filter(
            organisation=request.organisation, withdrawn_at__isnull=True
        ).select_related("shared_with"),
        pk=pk,
    )
    return confirm_action(
        request,
        template="impact/dashboard/sharing_withdraw.html",
        context={"agreement": agreement},
        action=lambda: sharing.sharing_withdraw(sharing=agreement, user=request.user),
        success=f"{agreement.shared_with.name} no longer sees your impact figures.",
        next_url=reverse("impact:sharing", kwargs={"org_slug": org_slug}),
    )
