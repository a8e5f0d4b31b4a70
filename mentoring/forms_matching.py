"""Forms of needs diagnosis, matching and adviser contact."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone

from mentoring.forms_mentors import add_style_fields
from mentoring.models import (
    INTERACTION_STATEMENTS,
    THINKING_STATEMENTS,
    AdviserContact,
    Expertise,
)
from mentoring.services_matching import END_REASONS, MAX_GOALS, MAX_NEEDS

ORDINALS = ["1st", "2nd", "3rd", "4th", "5th"]
# How long after a contact the next one is due unless the adviser says otherwise.
DEFAULT_CONTACT_INTERVAL = timedelta(days=28)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DiagnosisForm(forms.Form):
    """Ranked needs (five selects, most important first), goals with target dates, the
    founder's style questionnaire and notes. `initial_from` pre-fills from the current
    diagnosis so that a re-diagnosis starts from what was recorded."""

    notes = forms.CharField(
        label="Adviser's notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Visible to the company on its mentoring page; not shown to mentors.",
    )

    def __init__(self, *args, initial_from=None, **kwargs):
        super().__init__(*args, **kwargs)
        needs_choices = [("", "—")] + list(Expertise.choices)
        for i in range(MAX_NEEDS):
            self.fields[f"need_{i + 1}"] = forms.ChoiceField(
                label=f"{ORDINALS[i]} need", choices=needs_choices, required=(i == 0)
            )
        for i in range(MAX_GOALS):
            self.fields[f"goal_text_{i + 1}"] = forms.CharField(
                label=f"Goal {i + 1}", max_length=300, required=False
            )
            self.fields[f"goal_date_{i + 1}"] = forms.DateField(
                label=f"Target date of goal {i + 1}", required=False, widget=DateInput
            )
        add_style_fields(
            self, name=lambda axis, i: f"{axis}_{i + 1}", required=False, empty_value=None
        )
        if initial_from is not None and not self.is_bound:
            self._prefill(initial_from)

    def _prefill(self, diagnosis) -> None:
        for i, need in enumerate(diagnosis.needs[:MAX_NEEDS]):
            self.initial[f"need_{i + 1}"] = need
        for i, goal in enumerate(list(diagnosis.goals.all())[:MAX_GOALS]):
            self.initial[f"goal_text_{i + 1}"] = goal.text
            self.initial[f"goal_date_{i + 1}"] = goal.target_date
        answers = diagnosis.founder_style_answers or {}
        for axis in ("thinking", "interaction"):
            for i, value in enumerate(answers.get(axis) or []):
                self.initial[f"{axis}_{i + 1}"] = str(value)
        self.initial["notes"] = diagnosis.notes

    # Groups of fields for the template.
    def need_fields(self):
        return [self[f"need_{i + 1}"] for i in range(MAX_NEEDS)]

    def goal_rows(self):
        return [(self[f"goal_text_{i + 1}"], self[f"goal_date_{i + 1}"]) for i in range(MAX_GOALS)]

    def thinking_fields(self):
        return [self[f"thinking_{i + 1}"] for i in range(len(THINKING_STATEMENTS))]

    def interaction_fields(self):
        return [self[f"interaction_{i + 1}"] for i in range(len(INTERACTION_STATEMENTS))]

    def clean(self):
        data = super().clean()
        seen = {}
        for i in range(MAX_NEEDS):
            name = f"need_{i + 1}"
            value = data.get(name)
            if not value:
                continue
            if value in seen:
                self.add_error(
                    name,
                    f"{Expertise(value).label} is already your {ORDINALS[seen[value]]} need.",
                )
            else:
                seen[value] = i
        for i in range(MAX_GOALS):
            text = (data.get(f"goal_text_{i + 1}") or "").strip()
            if data.get(f"goal_date_{i + 1}") and not text:
                self.add_error(f"goal_text_{i + 1}", "Say what the goal is, or clear its date.")
        style = [
            data.get(f"{axis}_{i + 1}")
            for axis, statements in (
                ("thinking", THINKING_STATEMENTS),
                ("interaction", INTERACTION_STATEMENTS),
            )
            for i in range(len(statements))
        ]
        answered = [v for v in style if v is not None]
        if answered and len(answered) != len(style):
            self.add_error(
                None,
                "Answer all eight statements of the founder's style, or leave them all empty.",
            )
        return data

    # What the service takes.
    def needs(self) -> list[str]:
        return [
            self.cleaned_data[f"need_{i + 1}"]
            for i in range(MAX_NEEDS)
            if self.cleaned_data.get(f"need_{i + 1}")
        ]

    def goals(self) -> list[tuple[str, object]]:
        return [
            (self.cleaned_data[f"goal_text_{i + 1}"], self.cleaned_data.get(f"goal_date_{i + 1}"))
            for i in range(MAX_GOALS)
            if (self.cleaned_data.get(f"goal_text_{i + 1}") or "").strip()
        ]

    def style_answers(self) -> dict | None:
        thinking = [self.cleaned_data.get(f"thinking_{i + 1}") for i in range(4)]
        interaction = [self.cleaned_data.get(f"interaction_{i + 1}") for i in range(4)]
        if all(v is None for v in thinking + interaction):
            return None
        return {"thinking": thinking, "interaction": interaction}


class ContactForm(forms.ModelForm):
    class Meta:
        model = AdviserContact
        fields = ["kind", "happened_on", "note", "next_contact_on"]
        labels = {
            "kind": "Kind of contact",
            "happened_on": "Date",
            "next_contact_on": "Next contact due",
        }
        widgets = {
            "happened_on": DateInput,
            "next_contact_on": DateInput,
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["next_contact_on"].required = True
        self.fields[
            "next_contact_on"
        ].help_text = (
            "The company shows as overdue after this date until the next contact is logged."
        )
        if not self.is_bound:
            self.initial.setdefault("happened_on", today)
            self.initial.setdefault("next_contact_on", today + DEFAULT_CONTACT_INTERVAL)


class RespondForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", "Accept"), ("decline", "Decline")], widget=forms.HiddenInput
    )
    agree = forms.BooleanField(
        required=False,
        label="I agree to the mentoring agreement: I respect the company's time, turn up on "
        "time, cancel at least 24 hours ahead, and keep contact within working hours.",
    )
    reason = forms.CharField(
        required=False,
        max_length=300,
        label="Why you decline",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "accept" and not data.get("agree"):
            self.add_error("agree", "Tick the mentoring agreement to accept.")
        if data.get("decision") == "decline" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why you decline, so the adviser can find a fit.")
        return data


class EndMatchForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why the match ends", choices=[("", "—")] + [(k, v) for k, v in END_REASONS]
    )
    note = forms.CharField(
        label="Details",
        required=False,
        max_length=250,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the company's history of matches.",
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label="Your comment", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CompanyFilterForm(forms.Form):
    cohort = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    mine = forms.BooleanField(required=False, label="Mine only")
    overdue = forms.BooleanField(required=False, label="Overdue only")
    unmatched = forms.BooleanField(required=False, label="No mentor yet")

    def __init__(self, *args, cohorts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].choices = [("", "All running cohorts")] + [
            (c.pk, str(c)) for c in cohorts
        ]

    @property
    def filtered(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())
