"""Forms of the trade-mission pages: the mission, the list filters, delegate decisions and
additions, itinerary items (local time at the destination), meetings, and the SME's
application."""

from __future__ import annotations

from django import forms

from activities.models.missions import (
    MeetingOutcome,
    MissionDelegate,
    ProspectKind,
    TradeMission,
)
from cohorts.models import Cohort
from portal.fields import SafeModelMultipleChoiceField
from portal.models import time_zone_names
from programmes.models import Programme


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class PoundsField(forms.DecimalField):
    """Pounds, accepting what people type: “£25,000”, “25 000”."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=12, decimal_places=2, min_value=0, **kwargs)
        self.widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("£", "").replace(",", "").replace(" ", "")
        return super().to_python(value)


class CompanyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class MissionForm(forms.ModelForm):
    # Declared so that no query runs when the module loads (the models are tenant-scoped);
    # the organisation's choices are set in __init__.
    programme = forms.ModelChoiceField(
        queryset=Programme.objects.none(), empty_label="Choose a programme"
    )
    cohort = forms.ModelChoiceField(
        queryset=Cohort.objects.none(),
        required=False,
        empty_label="Every cohort of the programme",
        label="Only for this cohort",
        help_text="Or choose one cohort: only its companies can go.",
    )
    destination_time_zone = forms.ChoiceField(
        label="Time zone at the destination",
        help_text="The itinerary is entered and shown in this zone.",
    )

    class Meta:
        model = TradeMission
        fields = [
            "title",
            "programme",
            "cohort",
            "destination_city",
            "destination_country",
            "destination_time_zone",
            "departs_on",
            "returns_on",
            "places",
            "applications_close_on",
            "description",
        ]
        labels = {
            "destination_city": "City",
            "destination_country": "Country",
            "departs_on": "Departs on",
            "returns_on": "Returns on",
            "places": "Places (companies)",
            "applications_close_on": "Applications close on",
        }
        help_texts = {
            "applications_close_on": "Companies apply until this day; empty means until the "
            "day before departure.",
            "departs_on": "Calendar day at the destination.",
        }
        widgets = {
            "departs_on": DateInput,
            "returns_on": DateInput,
            "applications_close_on": DateInput,
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = organisation.programmes.order_by("name")
        self.fields["cohort"].queryset = organisation.cohorts.select_related("programme").order_by(
            "programme__name", "number"
        )
        self.fields["cohort"].label_from_instance = lambda c: f"{c.programme.name}: {c}"
        self.fields["destination_time_zone"].choices = [("", "Choose a time zone")] + [
            (name, name.replace("_", " ")) for name in time_zone_names()
        ]
        self.fields["places"].widget.attrs["min"] = 1
        if self.instance.pk and self.instance.delegates.exists():
            # Delegates applied to this programme's mission: it stays in the programme.
            self.fields["programme"].disabled = True

    def clean(self):
        cleaned = super().clean()
        programme, cohort = cleaned.get("programme"), cleaned.get("cohort")
        if programme and cohort and cohort.programme_id != programme.pk:
            self.add_error("cohort", "This cohort belongs to another programme.")
        return cleaned


class MissionFilterForm(forms.Form):
    when = forms.ChoiceField(
        choices=[("upcoming", "Upcoming and under way"), ("past", "Past")], required=False
    )
    programme = forms.ModelChoiceField(queryset=None, required=False, empty_label="All programmes")

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = organisation.programmes.order_by("name")

    def values(self) -> dict:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {"when": data.get("when") or "upcoming", "programme": data.get("programme")}


class DelegateDecisionForm(forms.Form):
    """The delegates board: tick companies, choose one decision for them all."""

    delegates = SafeModelMultipleChoiceField(
        queryset=None,
        error_messages={
            "required": "Tick at least one company.",
            "invalid_choice": "One of the ticked companies is no longer on this mission.",
            "invalid_pk_value": "One of the ticked companies is no longer on this mission.",
        },
    )
    decision = forms.ChoiceField(
        choices=[
            (MissionDelegate.Status.SELECTED, "Select"),
            (MissionDelegate.Status.WAITLISTED, "Waitlist"),
            (MissionDelegate.Status.DECLINED, "Decline"),
        ]
    )

    def __init__(self, *args, mission, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delegates"].queryset = mission.delegates.all()


class DelegateAddForm(forms.Form):
    company = CompanyChoiceField(queryset=None, empty_label="Choose a company")
    objectives = forms.CharField(
        label="What the company wants from the mission",
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies


class ItineraryItemForm(forms.Form):
    day = forms.DateField(widget=DateInput)
    starts = forms.TimeField(label="Starts", widget=TimeInput)
    ends = forms.TimeField(label="Ends", required=False, widget=TimeInput)
    title = forms.CharField(max_length=200)
    location = forms.CharField(max_length=300, required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, mission, **kwargs):
        super().__init__(*args, **kwargs)
        zone = mission.destination_time_zone
        self.fields["starts"].help_text = f"Local time in {mission.destination_city} ({zone})."
        self.fields["day"].widget.attrs.update(
            min=mission.departs_on.isoformat(), max=mission.returns_on.isoformat()
        )
        if not self.is_bound:
            self.initial.setdefault("day", mission.departs_on)


class MeetingForm(forms.Form):
    """A meeting with a prospect. Staff choose the delegate; an SME's own company is chosen
    for them (or among theirs, if several of their companies went)."""

    delegate = forms.ModelChoiceField(queryset=None, empty_label=None, label="Company")
    prospect_name = forms.CharField(label="Prospect (organisation)", max_length=200)
    prospect_kind = forms.ChoiceField(label="Kind of prospect", choices=ProspectKind.choices)
    met_on = forms.DateField(label="Met on", widget=DateInput)
    outcome = forms.ChoiceField(choices=MeetingOutcome.choices)
    deal_value = PoundsField(
        label="Deal value (£)",
        required=False,
        help_text="Only for a signed deal; optional.",
    )
    notes = forms.CharField(
        required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, delegates, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["delegate"]
        field.queryset = delegates
        field.label_from_instance = lambda d: d.company.name
        if not self.is_bound:
            self.initial.setdefault("outcome", MeetingOutcome.LEAD)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("deal_value") is not None and cleaned.get("outcome") != MeetingOutcome.DEAL:
            self.add_error(
                "deal_value",
                "A value belongs only to a signed deal: choose “Deal signed” or leave it empty.",
            )
        return cleaned


class MissionApplyForm(forms.Form):
    company = CompanyChoiceField(queryset=None, empty_label=None)
    objectives = forms.CharField(
        label="What do you want from the mission?",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Markets, kinds of buyers or partners you want to meet, and what a good "
        "result would be. The programme team reads this when selecting delegates.",
    )

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies
