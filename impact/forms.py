"""Forms of the impact app: the follow-up survey (the standard outcome framework plus the
programme's own questions), shared by the public answer page and staff phone entry; survey
rounds, custom questions, baselines and the invitations filter.

The survey form only collects what was typed: impact.services.clean_answers parses and
validates it against the framework (kinds, ranges, dependent questions), so the rules live
in one place and its messages land next to the fields (portal.fields.add_service_errors)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms

from impact.framework import STANDARD_FIELDS
from impact.models import (
    Attribution,
    CustomQuestion,
    FundingType,
    SurveyInvitation,
    SurveyResponse,
    SurveySchedule,
)
from impact.services import CUSTOM_PREFIX, REQUIRED_ON_SUBMIT

YES_NO = [("yes", "Yes"), ("no", "No")]
CHOICES = {"funding_type": FundingType.choices, "attribution": Attribution.choices}


class SurveyAnswerForm(forms.Form):
    """The standard outcome questions, then the programme's own. Every field is optional
    here: a draft may be partial, and submission rules are the service's."""

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for field in STANDARD_FIELDS:
            self.fields[field.key] = _standard_field(field)
        for question in self.questions:
            self.fields[CUSTOM_PREFIX + question.key] = _custom_field(question)
        for name, field in self.fields.items():
            described = f"err-{name}" + (f" help-{name}" if field.help_text else "")
            field.widget.attrs.setdefault("aria-describedby", described)

    def _bound(self, name):
        """The bound field, marked invalid for assistive technology if it has errors (called
        while rendering, once every error, the service's included, is known)."""
        if self.is_bound and name in self.errors:
            attrs = self.fields[name].widget.attrs
            attrs["aria-invalid"] = "true"
            if "form-control" in attrs.get("class", ""):
                attrs["class"] = attrs["class"] + " is-invalid"
        return self[name]

    def sections(self):
        """Top-level questions, each with the questions shown when it is answered yes."""
        groups = []
        by_parent: dict[str, list] = {}
        for field in STANDARD_FIELDS:
            if field.depends_on:
                by_parent.setdefault(field.depends_on, []).append(
                    {"field": self._bound(field.key), "kind": field.kind}
                )
        for field in STANDARD_FIELDS:
            if not field.depends_on:
                groups.append(
                    {
                        "field": self._bound(field.key),
                        "kind": field.kind,
                        "required": field.key in REQUIRED_ON_SUBMIT,
                        "dependents": by_parent.get(field.key, []),
                    }
                )
        return groups

    def custom_fields(self):
        return [
            {"field": self._bound(CUSTOM_PREFIX + q.key), "kind": q.kind, "question": q}
            for q in self.questions
        ]

    def answers(self) -> dict:
        return dict(self.cleaned_data)


def _yes_no(**common):
    # Rendered as a pair of large toggle buttons (btn-check): easy to hit on a phone.
    widget = forms.RadioSelect(attrs={"class": "btn-check"})
    return forms.ChoiceField(choices=YES_NO, widget=widget, **common)


def _number(mode: str, **common):
    attrs = {"inputmode": mode, "autocomplete": "off", "class": "form-control survey-number"}
    return forms.CharField(max_length=40, widget=forms.TextInput(attrs=attrs), **common)


def _standard_field(field):
    common = {"label": field.label, "help_text": field.help_text, "required": False}
    if field.kind == "yes_no":
        return _yes_no(**common)
    if field.kind == "choice":
        widget = forms.RadioSelect(attrs={"class": "form-check-input"})
        return forms.ChoiceField(choices=CHOICES[field.key], widget=widget, **common)
    if field.kind in ("number", "money"):
        return _number("numeric" if field.kind == "number" else "decimal", **common)
    limit = SurveyResponse._meta.get_field(field.key).max_length
    widget = forms.TextInput(attrs={"class": "form-control"})
    return forms.CharField(max_length=limit, widget=widget, **common)


def _custom_field(question: CustomQuestion):
    common = {"label": question.label, "required": False}
    if question.kind == CustomQuestion.Kind.YES_NO:
        return _yes_no(**common)
    if question.kind == CustomQuestion.Kind.NUMBER:
        return _number("numeric", **common)
    widget = forms.Textarea(attrs={"rows": 3, "class": "form-control"})
    return forms.CharField(max_length=1000, widget=widget, **common)


class SurveyScheduleForm(forms.ModelForm):
    # Declared so that no query runs at import (missions are tenant-scoped); the programme's
    # missions are set in __init__.
    mission = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Trade mission",
        help_text="Only for the “trade mission return” anchor: its selected delegates are "
        "surveyed, counted from its return date.",
    )
    event = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Event",
        help_text="Only for the “event” anchor: the companies marked as having attended it are "
        "surveyed, counted from the day it ends.",
    )

    class Meta:
        model = SurveySchedule
        fields = [
            "name",
            "anchor",
            "mission",
            "event",
            "offset_months",
            "reminder_days",
            "expires_after_days",
            "include_comparison_group",
            "active",
        ]
        labels = {
            "offset_months": "Months after the anchor",
            "reminder_days": "Remind after (days)",
            "expires_after_days": "Link expires after (days)",
            "include_comparison_group": "Survey the applicants not selected too (comparison group)",
            "active": "Active: plan and send invitations of this round",
        }

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        # Only for the “trade mission return” anchor: this programme's missions.
        self.fields["mission"].queryset = programme.trade_missions.order_by("-departs_on")
        # Only for the “event” anchor: this programme's events.
        self.fields["event"].queryset = programme.events.order_by("-starts_at")


class CustomQuestionForm(forms.ModelForm):
    class Meta:
        model = CustomQuestion
        fields = ["label", "key", "kind", "position"]
        labels = {"label": "Question", "position": "Order"}
        help_texts = {"position": "Lower numbers come first, after the standard questions."}


class MoneyField(forms.DecimalField):
    """Pounds, accepting what people type: “£25,000”, “25 000”."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        super().__init__(**kwargs)
        self.widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("£", "").replace(",", "").replace(" ", "")
        try:
            return super().to_python(value)
        except (InvalidOperation, TypeError):
            raise forms.ValidationError("Enter an amount in pounds, e.g. 250000.") from None


class BaselineForm(forms.Form):
    employees = forms.IntegerField(
        label="Employees when you joined",
        min_value=0,
        max_value=1_000_000,
        help_text="Full-time equivalent, including the founders.",
    )
    turnover = MoneyField(
        label="Turnover in your last full financial year (£)",
        required=False,
        help_text="Leave empty if you have not completed a year yet.",
    )
    export_sales = MoneyField(
        label="Of which export sales (£)", required=False, help_text="Sales to customers abroad."
    )
    exporting_markets = forms.CharField(
        label="Countries you already sell to",
        required=False,
        max_length=500,
        help_text="Separate them with ; for example France; Germany.",
    )


class InvitationFilterForm(forms.Form):
    SORTS = {
        "due": ("due_at", "pk"),
        "-due": ("-due_at", "-pk"),
        "company": ("company__name", "pk"),
        "status": ("status", "due_at", "pk"),
    }

    q = forms.CharField(label="Company", required=False, max_length=100)
    status = forms.ChoiceField(
        required=False, choices=[("", "Every status"), *SurveyInvitation.Status.choices]
    )
    schedule = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    cohort = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    group = forms.ChoiceField(
        required=False,
        choices=[("", "Everyone"), ("participants", "Participants"), ("comparison", "Comparison")],
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("due", "Due date"),
            ("-due", "Due date, latest first"),
            ("company", "Company"),
            ("status", "Status"),
        ],
    )

    def __init__(self, *args, schedules=(), cohorts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["schedule"].choices = [("", "Every round")] + [
            (s.pk, s.name) for s in schedules
        ]
        self.fields["cohort"].choices = [("", "Every cohort")] + [
            (c.pk, f"Cohort {c.number}") for c in cohorts
        ]
