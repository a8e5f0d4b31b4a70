"""Forms of the innovation-challenge pages (staff) and the proposal form (SME)."""

from __future__ import annotations

from django import forms

from activities.models import ChallengeProposal, InnovationChallenge
from cohorts.forms_manage import DATETIME_LOCAL, DateTimeLocalInput

Status = ChallengeProposal.Status


class ChallengeForm(forms.ModelForm):
    # Tenant querysets are set per request in __init__ (none may be built at import).
    programme = forms.ModelChoiceField(queryset=None, required=False, label="Programme (optional)")
    deadline = forms.DateTimeField(
        widget=DateTimeLocalInput, input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"]
    )

    class Meta:
        model = InnovationChallenge
        fields = ["title", "sponsor", "programme", "problem", "offer", "deadline", "published"]
        labels = {"problem": "The problem to solve"}
        widgets = {"problem": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, organisation, time_zone_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = organisation.programmes.order_by("name")
        if time_zone_name:
            self.fields["deadline"].help_text = f"Date and time in {time_zone_name}."


class ProposalForm(forms.Form):
    company = forms.TypedChoiceField(coerce=int, label="Answer for")
    summary = forms.CharField(
        label="Your proposal",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="A short proposal: how you would solve the problem, and your evidence. "
        "Up to 3,000 characters; one proposal per company.",
    )

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].choices = [(c.pk, c.name) for c in companies]
        if len(companies) == 1:
            self.fields["company"].widget = forms.HiddenInput()
            self.fields["company"].initial = companies[0].pk


class DecideForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (Status.SHORTLISTED, "Shortlist"),
            (Status.WON, "Won"),
            (Status.NOT_SELECTED, "Not selected"),
        ]
    )
    note = forms.CharField(max_length=500, required=False, label="Note to the company")


class ResultForm(forms.Form):
    """The final result of a proposal, as confirmed on the result page."""

    status = forms.ChoiceField(choices=[(Status.WON, "Won"), (Status.NOT_SELECTED, "Not selected")])
    note = forms.CharField(max_length=500, required=False, label="Note to the company")
