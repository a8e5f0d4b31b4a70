"""Forms of the impact dashboards: the filters (cohort, period, sector), case notes and the
request of a funder report."""

from __future__ import annotations

from django import forms

from cohorts.models import Cohort
from impact.models import CaseNote, FunderReport
from portal.taxonomy import Sector


class CohortChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Cohort) -> str:
        return f"Cohort {obj.number}" + (f" ({obj.name})" if obj.name else "")


class DashboardFilterForm(forms.Form):
    """GET filters of a programme's dashboard; the report request carries the same."""

    cohort = CohortChoiceField(
        queryset=Cohort.objects.none(), required=False, empty_label="All cohorts"
    )
    mission = forms.ModelChoiceField(
        queryset=None, required=False, label="Trade mission", empty_label="All companies"
    )
    sector = forms.ChoiceField(choices=[("", "All sectors"), *Sector.choices], required=False)
    responded_from = forms.DateField(
        label="Answers from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    responded_to = forms.DateField(
        label="Answers until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = programme.cohorts.order_by("number")
        # A mission's figures are those of its selected delegates.
        self.fields["mission"].queryset = programme.trade_missions.order_by("-departs_on")
        self.fields["mission"].label_from_instance = lambda m: f"Delegates of {m.title}"

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("responded_from"), cleaned.get("responded_to")
        if start and end and end < start:
            self.add_error("responded_to", "The end of the period is before its start.")
        return cleaned

    def filters(self) -> dict:
        """The valid filters as JSON-safe values (invalid fields are left out, so a bad date
        in the address still shows the page with the rest applied)."""
        data = getattr(self, "cleaned_data", {}) if self.is_bound else {}
        filters = {}
        if data.get("cohort"):
            filters["cohort"] = data["cohort"].pk
        if data.get("mission"):
            filters["mission"] = data["mission"].pk
        if data.get("sector"):
            filters["sector"] = data["sector"]
        # A period with either end wrong is left out whole.
        if "responded_from" not in self.errors and "responded_to" not in self.errors:
            for key in ("responded_from", "responded_to"):
                if data.get(key):
                    filters[key] = data[key].isoformat()
        return filters

    def selected_cohort(self) -> Cohort | None:
        data = getattr(self, "cleaned_data", {}) if self.is_bound else {}
        return data.get("cohort")


class ReportRequestForm(DashboardFilterForm):
    format = forms.ChoiceField(
        choices=FunderReport.Format.choices,
        initial=FunderReport.Format.PDF,
        widget=forms.RadioSelect,
    )

    field_order = ["format", "cohort", "sector", "responded_from", "responded_to"]


class CaseNoteForm(forms.ModelForm):
    class Meta:
        model = CaseNote
        fields = ["title", "text", "include_in_report"]
        labels = {"include_in_report": "Include in funder reports"}
        widgets = {"text": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "text": "Anonymised: no company or person names. It appears in the appendix of "
            "the funder report when included."
        }
