"""Forms of the peer-group pages: forming groups, moving a company, recording a meeting and
declaring competitors. The rules live in activities.peer_groups."""

from __future__ import annotations

from django import forms

from activities.peer_groups import DEFAULT_SIZE, MAX_SIZE, MIN_SIZE
from cohorts.forms_manage import DATETIME_LOCAL, DateTimeLocalInput
from portal.fields import SafeModelMultipleChoiceField


class GroupSizeForm(forms.Form):
    size = forms.IntegerField(
        label="Companies per group",
        min_value=MIN_SIZE,
        max_value=MAX_SIZE,
        initial=DEFAULT_SIZE,
        help_text=f"About this many; groups differ by at most one ({MIN_SIZE}–{MAX_SIZE}).",
    )


class ConfirmGroupsForm(GroupSizeForm):
    signature = forms.CharField(widget=forms.HiddenInput, max_length=20000)
    replace = forms.BooleanField(
        required=False,
        label="Replace the existing groups and delete their meetings",
    )

    def __init__(self, *args, has_groups: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_groups = has_groups

    def clean_replace(self):
        replace = self.cleaned_data.get("replace")
        if self.has_groups and not replace:
            raise forms.ValidationError(
                "This cohort already has peer groups: tick the box to replace them."
            )
        return replace


class GroupMoveForm(forms.Form):
    member = forms.TypedChoiceField(coerce=int, label="Company")
    to_group = forms.TypedChoiceField(coerce=int, label="Move to")

    def __init__(self, *args, members, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(m.pk, m.company.name) for m in members]
        self.fields["to_group"].choices = [(g.pk, g.name) for g in groups]


class GroupAddForm(forms.Form):
    company = forms.TypedChoiceField(coerce=int, label="Company")
    group = forms.TypedChoiceField(coerce=int, label="Add to")

    def __init__(self, *args, companies, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].choices = [(c.pk, c.name) for c in companies]
        self.fields["group"].choices = [(g.pk, g.name) for g in groups]


class MeetingForm(forms.Form):
    starts_at = forms.DateTimeField(
        label="Date and time",
        widget=DateTimeLocalInput,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
    )
    location = forms.CharField(max_length=300, required=False)
    topics = forms.CharField(
        max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    attendees = SafeModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="For a meeting that has taken place: who came.",
    )

    def __init__(self, *args, companies, time_zone_name: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = companies
        if time_zone_name:
            self.fields["starts_at"].help_text = f"In {time_zone_name}."


class CompetitorsForm(forms.Form):
    competitors = SafeModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Competitors in this cohort",
    )

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competitors"].queryset = companies
