"""Forms of the export-consortium pages. The consortium rule (three or more companies, one an
experienced exporter) is checked by activities.consortia.consortium_save, which reports it
next to the members field."""

from __future__ import annotations

from django import forms

from activities.consortia import PLAN_TYPES, companies_known_to, parse_markets
from activities.models import ExportConsortium
from cohorts.forms_manage import DateInput
from portal.fields import SafeModelMultipleChoiceField


class ConsortiumForm(forms.ModelForm):
    # Tenant querysets are set per request in __init__ (none may be built at import).
    programme = forms.ModelChoiceField(queryset=None)
    cohort = forms.ModelChoiceField(queryset=None, required=False, label="Cohort (optional)")
    markets = forms.CharField(
        label="Target markets",
        max_length=500,
        help_text="Countries the consortium plans to enter together, separated by commas.",
    )
    members = SafeModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="At least three companies, one of which already exports.",
    )
    lead = forms.ModelChoiceField(queryset=None, required=False, label="Lead company")
    plan_file = forms.FileField(
        label="Joint plan document",
        required=False,
        help_text="PDF or DOCX, up to 10 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(PLAN_TYPES))}),
    )

    class Meta:
        model = ExportConsortium
        fields = [
            "name",
            "programme",
            "cohort",
            "plan_summary",
            "support_starts_on",
            "support_ends_on",
            "costs_supported",
        ]
        labels = {
            "support_starts_on": "Support starts",
            "support_ends_on": "Support ends",
        }
        widgets = {
            "plan_summary": forms.Textarea(attrs={"rows": 5}),
            "support_starts_on": DateInput,
            "support_ends_on": DateInput,
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = organisation.programmes.order_by("name")
        self.fields["cohort"].queryset = organisation.cohorts.select_related("programme").order_by(
            "programme__name", "number"
        )
        companies = companies_known_to(organisation)
        self.fields["members"].queryset = companies
        self.fields["lead"].queryset = companies
        self.fields["members"].label_from_instance = lambda c: (
            f"{c.name} · exports" if c.exports else c.name
        )
        if self.instance.pk and not self.is_bound:
            self.initial.setdefault("markets", ", ".join(self.instance.target_markets))
            members = list(self.instance.members.all())
            self.initial.setdefault("members", [m.company_id for m in members])
            lead = next((m.company_id for m in members if m.is_lead), None)
            self.initial.setdefault("lead", lead)

    # The model and the service name two fields differently from this form.
    RENAMED = {"target_markets": "markets", "plan_document": "plan_file"}

    def add_error(self, field, error):
        if field is None and hasattr(error, "error_dict"):
            error = forms.ValidationError(
                {self.RENAMED.get(k, k): v for k, v in error.error_dict.items()}
            )
        elif field is None and isinstance(error, dict):
            error = {self.RENAMED.get(k, k): v for k, v in error.items()}
        super().add_error(self.RENAMED.get(field, field), error)

    def clean_markets(self):
        markets = parse_markets(self.cleaned_data["markets"])
        if not markets:
            raise forms.ValidationError("Name at least one target market.")
        # Set before the model's own clean() runs, which checks the list too.
        self.instance.target_markets = markets
        return markets


class MilestoneForm(forms.Form):
    title = forms.CharField(max_length=200)
    due_on = forms.DateField(label="Due", widget=DateInput)
