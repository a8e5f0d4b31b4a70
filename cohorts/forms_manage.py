"""Forms of the programme manager's cohort pages: cohorts, the application-form builder,
scoring criteria, withdrawals and the list filters."""

from __future__ import annotations

from django import forms

from cohorts.forms_my import answer_field
from cohorts.models import Cohort, CohortStatus, Criterion, Question, QuestionKind
from cohorts.services import UPLOAD_TYPES
from portal.taxonomy import Region, Sector

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's date-and-time picker. The value is wall-clock time in the active time
    zone, which on staff pages is the organisation's."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATETIME_LOCAL)


class CohortForm(forms.ModelForm):
    applications_open_at = forms.DateTimeField(
        label="Applications open",
        widget=DateTimeLocalInput,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    applications_close_at = forms.DateTimeField(
        label="Applications close",
        widget=DateTimeLocalInput,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )

    class Meta:
        model = Cohort
        fields = [
            "name",
            "description",
            "start_date",
            "end_date",
            "capacity",
            "applications_open_at",
            "applications_close_at",
            "reviews_per_application",
        ]
        labels = {
            "start_date": "Cohort starts",
            "end_date": "Cohort ends",
            "reviews_per_application": "Reviews per application",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "start_date": DateInput,
            "end_date": DateInput,
        }

    def __init__(self, *args, time_zone_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capacity"].widget.attrs["min"] = 1
        if time_zone_name:
            for name in ("applications_open_at", "applications_close_at"):
                self.fields[name].help_text = f"Date and time in {time_zone_name}."

    def clean_capacity(self):
        capacity = self.cleaned_data["capacity"]
        if capacity is not None and capacity < 1:
            raise forms.ValidationError("A cohort needs room for at least one company.")
        return capacity


CHOICE_KINDS = (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["label", "kind", "required", "help_text", "choices", "max_file_mb"]
        labels = {
            "label": "Question",
            "kind": "Type of answer",
            "required": "An answer is required",
            "help_text": "Help text",
            "choices": "Options",
            "max_file_mb": "Largest file accepted (MB)",
        }
        help_texts = {
            "help_text": "Shown under the question, for example what a good answer covers.",
            "choices": "Single and multiple choice only: one option per line.",
            "max_file_mb": "File upload only: 1 to 20 MB. Accepted types: "
            + ", ".join(sorted(e.lstrip(".").upper() for e in UPLOAD_TYPES))
            + ".",
        }
        widgets = {
            "label": forms.TextInput(),
            "choices": forms.Textarea(attrs={"rows": 4}),
            "max_file_mb": forms.NumberInput(attrs={"min": 1, "max": 20}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No blank "---------" choice: every question has a kind, short text by default.
        self.fields["kind"].choices = QuestionKind.choices
        if not self.instance.pk:
            self.fields["kind"].initial = QuestionKind.SHORT_TEXT


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ["name", "description", "weight"]
        labels = {"weight": "Weight (1–10)"}
        help_texts = {
            "weight": "How much this criterion counts towards the weighted score; "
            "reviewers score every criterion from 1 to 5.",
        }
        widgets = {"weight": forms.NumberInput(attrs={"min": 1, "max": 10})}


class CohortMoveForm(forms.Form):
    to_status = forms.ChoiceField(choices=CohortStatus.choices)
    note = forms.CharField(max_length=300, required=False)


class QuestionMoveForm(forms.Form):
    direction = forms.TypedChoiceField(choices=[("-1", "Up"), ("1", "Down")], coerce=int)


class WithdrawForm(forms.Form):
    # Not required here: the service owns the rule and its message, shown by the field.
    reason = forms.CharField(
        label="Why is the company leaving?",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept on the company's record in this organisation.",
    )


SORTS = {
    "programme": ("Programme", ["programme__name", "-number"]),
    "opens": ("Applications open (newest)", ["-applications_open_at", "pk"]),
    "closes": ("Applications close (soonest)", ["applications_close_at", "pk"]),
    "starts": ("Start date (newest)", ["-start_date", "pk"]),
    "submitted": ("Most applications", ["-submitted_count", "pk"]),
}


class CohortFilterForm(forms.Form):
    programme = forms.ModelChoiceField(queryset=None, required=False, empty_label="All programmes")
    status = forms.ChoiceField(choices=[("", "Any status"), *CohortStatus.choices], required=False)
    sort = forms.ChoiceField(
        choices=[(key, label) for key, (label, _) in SORTS.items()], required=False
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = organisation.programmes.order_by("name")

    def filter(self, cohorts):
        if not self.is_valid():
            return cohorts.order_by(*SORTS["programme"][1])
        data = self.cleaned_data
        if data["programme"]:
            cohorts = cohorts.filter(programme=data["programme"])
        if data["status"]:
            cohorts = cohorts.filter(status=data["status"])
        return cohorts.order_by(*SORTS[data["sort"] or "programme"][1])


class CompanyFilterForm(forms.Form):
    q = forms.CharField(label="Name", required=False, max_length=100)
    sector = forms.ChoiceField(choices=[("", "Any sector"), *Sector.choices], required=False)
    region = forms.ChoiceField(choices=[("", "Any region"), *Region.choices], required=False)

    def filter(self, companies):
        if not self.is_valid():
            return companies
        data = self.cleaned_data
        if data["q"]:
            companies = companies.filter(name__icontains=data["q"].strip())
        if data["sector"]:
            companies = companies.filter(sector=data["sector"])
        if data["region"]:
            companies = companies.filter(region=data["region"])
        return companies


def _preview_field(question: Question) -> forms.Field:
    """The applicant's own field for the question (one builder for both), disabled."""
    field = answer_field(question)
    field.disabled = True
    field.required = question.required
    if question.kind == QuestionKind.FILE:
        types = ", ".join(sorted(e.lstrip(".").upper() for e in UPLOAD_TYPES))
        limit = f"{types}; up to {question.max_file_mb} MB."
        field.help_text = f"{question.help_text} {limit}".strip()
    return field


class PreviewForm(forms.Form):
    """The cohort's questions as the applicant sees them, every field disabled."""

    prefix = "preview"

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[f"q_{question.pk}"] = _preview_field(question)
