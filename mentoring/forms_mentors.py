"""Forms of the mentor pages: the application, the review, the induction checklist, the
mentor's own profile with the style questionnaire, and availability."""

from __future__ import annotations

from django import forms

from mentoring.models import (
    INTERACTION_STATEMENTS,
    THINKING_STATEMENTS,
    Expertise,
    MentorProfile,
    WeeklyAvailability,
)
from mentoring.selectors_mentors import SORTS
from mentoring.services_mentors import CV_MAX_MB
from portal.models import time_zone_names
from portal.taxonomy import Region, Sector

REGION_CHOICES = [("", "Choose a region"), *Region.choices]
ANSWER_CHOICES = [
    (1, "1 – disagree"),
    (2, "2"),
    (3, "3 – neutral"),
    (4, "4"),
    (5, "5 – agree"),
]


def add_style_fields(form, *, name, required: bool, **options) -> None:
    """The questionnaire's eight statements as 1–5 radio fields, named `name(axis, i)`
    (i from 0); the mentor profile and the founder's diagnosis ask the same."""
    for axis, statements in (
        ("thinking", THINKING_STATEMENTS),
        ("interaction", INTERACTION_STATEMENTS),
    ):
        for index, statement in enumerate(statements):
            form.fields[name(axis, index)] = forms.TypedChoiceField(
                label=statement,
                choices=ANSWER_CHOICES,
                coerce=int,
                required=required,
                widget=forms.RadioSelect,
                **options,
            )


def _time_zone_choices():
    return [(name, name.replace("_", " ")) for name in time_zone_names()]


class MentorApplicationForm(forms.Form):
    background = forms.CharField(
        label="Your background",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text="Your career so far, in a few sentences.",
    )
    expertise = forms.MultipleChoiceField(
        label="Functional expertise",
        choices=Expertise.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="The areas you can really help a growing company with.",
        error_messages={"required": "Choose at least one area of expertise."},
    )
    sectors = forms.MultipleChoiceField(
        label="Sectors you know",
        choices=Sector.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    companies_founded_or_scaled = forms.CharField(
        label="Companies you founded or scaled",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
        help_text="Name them and say what you did: “been there, done that” matters here.",
    )
    coaching_experience = forms.CharField(
        label="Coaching, mentoring or consulting experience",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
    )
    cv = forms.FileField(
        label="Your CV",
        help_text=f"PDF or Word (.docx), up to {CV_MAX_MB} MB.",
        error_messages={"required": f"Attach your CV (PDF or Word, up to {CV_MAX_MB} MB)."},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx"}),
    )
    rate_expectation = forms.CharField(
        label="Rate expectation",
        max_length=100,
        required=False,
        help_text="What you would expect per session, e.g. “£150 per session”.",
    )
    region = forms.ChoiceField(label="Where you are based", choices=REGION_CHOICES)
    online_ok = forms.BooleanField(
        label="I am happy to mentor online", required=False, initial=True
    )
    languages = forms.CharField(label="Languages you mentor in", max_length=200, initial="English")


class MentorFilterForm(forms.Form):
    q = forms.CharField(label="Name or e-mail", required=False, max_length=100)
    status = forms.ChoiceField(
        choices=[("", "Any status"), *MentorProfile.Status.choices], required=False
    )
    expertise = forms.ChoiceField(
        choices=[("", "Any expertise"), *Expertise.choices], required=False
    )
    sector = forms.ChoiceField(choices=[("", "Any sector"), *Sector.choices], required=False)
    region = forms.ChoiceField(choices=[("", "Any region"), *Region.choices], required=False)
    online = forms.ChoiceField(
        label="Online",
        choices=[("", "Online or not"), ("yes", "Mentors online"), ("no", "In person only")],
        required=False,
    )
    sort = forms.ChoiceField(
        label="Sort by",
        choices=[
            ("name", "Name"),
            ("status", "Status"),
            ("load", "Busiest this month"),
            ("free", "Most capacity left"),
            ("matches", "Most active matches"),
            ("newest", "Newest applications"),
        ],
        required=False,
    )

    def filters(self) -> dict:
        """The valid filters as keyword arguments of selectors_mentors.mentors_for_list."""
        if not self.is_bound or not self.is_valid():
            return {"sort": "name"}
        data = dict(self.cleaned_data)
        data["query"] = data.pop("q").strip()
        data["sort"] = data["sort"] if data["sort"] in SORTS else "name"
        return data


class MentorDecideForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("interview", "Invite to interview"),
            ("accept", "Accept"),
            ("decline", "Decline"),
            ("deactivate", "Take off the mentor list"),
            ("reactivate", "Bring back"),
        ]
    )
    notes = forms.CharField(
        label="Interview notes",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=10000,
    )
    reason = forms.CharField(
        label="Reason for declining",
        required=False,
        max_length=500,
        help_text="Sent to the applicant.",
    )


class InductionForm(forms.Form):
    agreement_signed = forms.BooleanField(label="Mentor agreement signed", required=False)
    conflicts_declared = forms.BooleanField(label="Conflicts of interest declared", required=False)
    induction_attended = forms.BooleanField(label="Induction session attended", required=False)


class MentorRateForm(forms.ModelForm):
    class Meta:
        model = MentorProfile
        fields = ["rate_per_session", "capacity_per_month"]
        labels = {"rate_per_session": "Rate per session (£)"}


class MentorProfileForm(forms.Form):
    """The mentor's own profile and the style questionnaire (fields q_thinking_<i> and
    q_interaction_<i>)."""

    background = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    bio = forms.CharField(
        label="Public bio",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=3000,
        required=False,
        help_text="What companies read about you when they are matched with you.",
    )
    expertise = forms.MultipleChoiceField(
        label="Functional expertise",
        choices=Expertise.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one area of expertise."},
    )
    sectors = forms.MultipleChoiceField(
        choices=Sector.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    languages = forms.CharField(max_length=200)
    region = forms.ChoiceField(choices=REGION_CHOICES)
    online_ok = forms.BooleanField(label="I am happy to mentor online", required=False)
    capacity_per_month = forms.IntegerField(
        label="Sessions per month at most", min_value=0, max_value=60
    )
    time_zone = forms.ChoiceField(
        choices=_time_zone_choices, help_text="Your availability is read in this time zone."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        add_style_fields(
            self,
            name=lambda axis, index: f"q_{axis}_{index}",
            required=True,
            error_messages={"required": "Answer this statement from 1 to 5."},
        )

    @classmethod
    def initial_for(cls, mentor: MentorProfile) -> dict:
        initial = {
            name: getattr(mentor, name)
            for name in (
                "background",
                "bio",
                "expertise",
                "sectors",
                "languages",
                "region",
                "online_ok",
                "capacity_per_month",
                "time_zone",
            )
        }
        for axis in ("thinking", "interaction"):
            for index, value in enumerate((mentor.style_answers or {}).get(axis, [])):
                initial[f"q_{axis}_{index}"] = value
        return initial

    def question_fields(self, axis: str):
        return [self[name] for name in self.fields if name.startswith(f"q_{axis}_")]

    def profile_fields(self):
        return [self[name] for name in self.fields if not name.startswith("q_")]

    def split(self) -> tuple[dict, dict]:
        """(profile fields, style answers) from cleaned data."""
        data = dict(self.cleaned_data)
        answers = {
            axis: [data.pop(f"q_{axis}_{i}") for i in range(len(statements))]
            for axis, statements in (
                ("thinking", THINKING_STATEMENTS),
                ("interaction", INTERACTION_STATEMENTS),
            )
        }
        return data, answers


class ConflictForm(forms.Form):
    company = forms.IntegerField(min_value=1, max_value=2**63 - 1)


class WeeklyHoursForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label="Day", choices=WeeklyAvailability._meta.get_field("weekday").choices, coerce=int
    )
    start_time = forms.TimeField(label="From", widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label="To", widget=forms.TimeInput(attrs={"type": "time"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "The hours must end after they start.")
        return data


class SlotForm(forms.Form):
    day = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label="From", widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label="To", widget=forms.TimeInput(attrs={"type": "time"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "The slot must end after it starts.")
        return data
