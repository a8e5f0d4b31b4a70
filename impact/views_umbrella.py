"""The umbrella report across partner organisations, and the partner's side of it: its
admin's agreement to share aggregate impact figures with a partner. Under /<org-slug>/impact/
(namespace `impact`); who shares with whom lives in impact/sharing.py, the figures and the
files of the report in impact/umbrella_report.py."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode

from impact import reports as impact_reports
from impact import sharing, umbrella_report
from impact.models import ImpactSharing
from portal.confirm import confirm_action
from portal.fields import add_service_errors
from portal.models import Organisation
from portal.permissions import role_required
from portal.roles import MANAGERS, Role


class UmbrellaFilterForm(forms.Form):
    """GET filters of the umbrella page; its downloads carry the same."""

    responded_from = forms.DateField(
        label="Answers from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    responded_to = forms.DateField(
        label="Answers until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("responded_from"), cleaned.get("responded_to")
        if start and end and end < start:
            self.add_error("responded_to", "The end of the period is before its start.")
        return cleaned

    def filters(self) -> dict:
        """The period as ISO dates; a period with either end wrong is left out whole, so a
        bad date in the address still shows the page (with the message) unfiltered."""
        if not self.is_bound or self.errors:
            return {}
        return {
            key: self.cleaned_data[key].isoformat()
            for key in ("responded_from", "responded_to")
            if self.cleaned_data.get(key)
        }


def _umbrella(request) -> tuple[UmbrellaFilterForm, dict, dict]:
    form = UmbrellaFilterForm(request.GET or None)
    filters = form.filters()
    context = umbrella_report.umbrella_context(request.organisation, **filters)
    return form, filters, context


@role_required(*MANAGERS)
def umbrella(request, org_slug):
    """One report over this organisation's programmes and those of the partners that agreed
    to share their figures with it: aggregates only, with a row per organisation."""
    form, filters, context = _umbrella(request)
    return render(
        request,
        "impact/dashboard/umbrella.html",
        {
            **context,
            "form": form,
            "query": urlencode(filters),
            "has_partners": request.organisation.partners.exists(),
            "is_admin": request.membership.role == Role.ADMIN,
        },
    )


@role_required(*MANAGERS)
def umbrella_download(request, org_slug, fmt):
    """The umbrella figures as CSV, XLSX or PDF, with the page's filters. Sent as an
    attachment, which portal.audit.AuditMiddleware logs as a download (as every report
    and export: see portal/downloads.py)."""
    if fmt not in umbrella_report.FORMATS:
        raise Http404("The umbrella report is CSV, XLSX or PDF.")
    _form, _filters, context = _umbrella(request)
    # Small whatever the data: aggregates, one row per partner and programme, no company;
    # rendered in the request.
    content = umbrella_report.render_file(context, fmt)
    response = HttpResponse(content, content_type=impact_reports.SPREADSHEET_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True,
        filename=umbrella_report.umbrella_filename(request.organisation, fmt, context["issued_on"]),
    )
    return response


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
