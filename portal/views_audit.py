"""The organisation's audit trail (admins only): every change and download, filtered."""

from __future__ import annotations

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.shortcuts import render

from portal import audit
from portal.permissions import role_required
from portal.roles import Role

ENTRIES_PER_PAGE = 50

ACTIONS = [
    (str(audit.AuditEntry.Action.CREATE), "Created"),
    (str(audit.AuditEntry.Action.UPDATE), "Changed"),
    (str(audit.AuditEntry.Action.DELETE), "Deleted"),
    (str(audit.AuditEntry.Action.ACCESS), "Downloaded"),
]


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label="Who (e-mail)", required=False, max_length=254)
    kind = forms.TypedChoiceField(
        label="Kind of record", required=False, coerce=int, empty_value=None
    )
    object = forms.IntegerField(label="Record number", required=False, min_value=1)
    company = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    action = forms.TypedChoiceField(
        choices=[("", "Any action"), *ACTIONS], required=False, coerce=int, empty_value=None
    )
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Downloads are logged against the organisation itself when no stored file is behind
        # them, so it is a kind of record too.
        kinds = [*audit.audited_content_types()]
        self.kinds = {ct.pk: ct for ct in kinds}
        self.fields["kind"].choices = [
            ("", "Any kind"),
            *[(ct.pk, ct.name.capitalize()) for ct in kinds],
        ]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "actor": data["actor"],
            "content_type": self.kinds.get(data["kind"]),
            "object_id": data["object"],
            "company_id": data["company"],
            "action": data["action"],
            "date_from": data["date_from"],
            "date_to": data["date_to"],
        }


@role_required(Role.ADMIN)
def audit_log(request, org_slug):
    form = AuditFilterForm(request.GET or None)
    entries = audit.entries_of_organisation(organisation=request.organisation, **form.filters())
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/audit/log.html",
        {
            "filters": form,
            "filtered": bool(request.GET.keys() - {"page"}),
            "page": page,
            "organisation_type": ContentType.objects.get_for_model(request.organisation),
        },
        status=400 if form.errors else 200,
    )
