"""Forms of booking, sessions, fee claims and the programme's mentoring settings. They check
the shape of input; the rules (availability, budget, who may record) are in the services."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django import forms

from mentoring.models import FeeClaim, MentoringSession, MentoringSettings, SessionAction
from mentoring.sessions import MAX_ACTIONS, OUTCOMES


class BookingForm(forms.Form):
    """The start time is the instant of one of the offered times (UTC, ISO 8601). It is not
    a ChoiceField: a time taken a moment ago must reach the service, which says so."""

    starts_at = forms.CharField(
        label="Start time", error_messages={"required": "Choose one of the times shown."}
    )
    online_link = forms.URLField(
        label="Online meeting link",
        required=False,
        assume_scheme="https",
        help_text="A video-call link, for example Teams or Zoom.",
    )
    place = forms.CharField(
        label="Or a place to meet",
        required=False,
        max_length=300,
        help_text="An address or a room, if you meet in person.",
    )
    accept_agreement = forms.BooleanField(
        required=False,
        label="I accept the mentoring agreement: we respect each other's time, arrive on "
        "time, cancel at least 24 hours ahead and keep contact to working hours.",
    )

    def __init__(self, *args, needs_agreement: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_agreement:
            del self.fields["accept_agreement"]

    def clean_starts_at(self) -> datetime:
        value = self.cleaned_data["starts_at"]
        try:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                raise ValueError("no time zone")
            return moment.astimezone(UTC)
        except (ValueError, OverflowError) as exc:
            raise forms.ValidationError("Choose one of the times shown.") from exc


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why are you cancelling?",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The other side sees this.",
    )


class OutcomeForm(forms.Form):
    status = forms.ChoiceField(
        label="What happened?",
        choices=[(s.value, s.label) for s in OUTCOMES],
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What you discussed. The programme staff can read these; the company cannot.",
    )


class ActionForm(forms.Form):
    text = forms.CharField(label="Action", max_length=300, required=False)
    owner = forms.ChoiceField(label="Owner", choices=SessionAction.Owner.choices)
    due_on = forms.DateField(
        label="Due", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


ActionFormSet = forms.formset_factory(
    ActionForm, extra=MAX_ACTIONS, max_num=MAX_ACTIONS, validate_max=True
)


class ConfirmForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="How useful was the session?",
        coerce=int,
        choices=[(5, "5 – excellent"), (4, "4"), (3, "3"), (2, "2"), (1, "1 – not useful")],
        widget=forms.RadioSelect,
    )
    feedback = forms.CharField(
        label="Feedback for the programme (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SessionFilterForm(forms.Form):
    mentor = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    company = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(required=False)
    month = forms.DateField(
        required=False, input_formats=["%Y-%m"], widget=forms.DateInput(attrs={"type": "month"})
    )

    def __init__(self, *args, mentors, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].choices = [("", "Every mentor"), *mentors]
        self.fields["company"].choices = [("", "Every company"), *companies]
        self.fields["status"].choices = [
            ("", "Every status"),
            ("to_record", "To be recorded"),
            *MentoringSession.Status.choices,
        ]


class ClaimMonthForm(forms.Form):
    month = forms.TypedChoiceField(label="Month", coerce=date.fromisoformat)

    def __init__(self, *args, months: list[date], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [(m.isoformat(), f"{m:%B %Y}") for m in months]


class ClaimFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False, choices=[("", "Every status"), *FeeClaim.Status.choices]
    )
    month = forms.DateField(
        required=False, input_formats=["%Y-%m"], widget=forms.DateInput(attrs={"type": "month"})
    )


class ClaimDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("query", "Query")], widget=forms.HiddenInput
    )
    note = forms.CharField(
        label="What needs checking?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MentoringSettingsForm(forms.ModelForm):
    class Meta:
        model = MentoringSettings
        fields = ["sessions_per_company", "session_minutes", "pay_mentee_no_show"]
        labels = {
            "sessions_per_company": "Sessions per company",
            "session_minutes": "Length of a session (minutes)",
        }
        help_texts = {
            "session_minutes": "Between 15 and 240. Changing it affects new bookings only.",
            "pay_mentee_no_show": "When a company does not turn up, the mentor still claims "
            "the fee for the session.",
        }
