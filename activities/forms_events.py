"""Forms of workshops and events. The event form takes a local date and times in the event's
own time zone and turns them into instants; the rules (capacity, waitlist, who may register)
are in activities.events."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

from django import forms

from activities.models import Event, EventAudience, EventFeedback, EventKind
from cohorts.models import Cohort
from portal.models import time_zone_names
from programmes.models import Programme

WHEN_CHOICES = [("upcoming", "Upcoming"), ("past", "Past")]


def local_instant(day: date, at: time, zone: zoneinfo.ZoneInfo) -> datetime | None:
    """The instant of a wall-clock time in a zone, or None if that time does not exist there
    (the hour skipped when clocks go forward)."""
    local = datetime.combine(day, at, tzinfo=zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return instant


class EventForm(forms.ModelForm):
    """Times are typed as the clock shows them where the event is held."""

    programme = forms.ModelChoiceField(queryset=None)
    cohort = forms.ModelChoiceField(queryset=None, required=False)
    online_url = forms.URLField(
        label="Online link", required=False, max_length=200, assume_scheme="https"
    )
    time_zone = forms.ChoiceField(
        label="Time zone",
        help_text="Where the event is held. Dates and times below are in this zone.",
    )
    day = forms.DateField(
        label="Date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start_time = forms.TimeField(
        label="Starts at", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_day = forms.DateField(
        label="Ends on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Leave empty if it ends the same day.",
    )
    end_time = forms.TimeField(
        label="Ends at", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    class Meta:
        model = Event
        fields = [
            "programme",
            "kind",
            "title",
            "description",
            "audience",
            "cohort",
            "capacity",
            "facilitator",
            "venue",
            "online_url",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    field_order = [
        "programme",
        "kind",
        "title",
        "description",
        "time_zone",
        "day",
        "start_time",
        "end_day",
        "end_time",
        "audience",
        "cohort",
        "capacity",
        "facilitator",
        "venue",
        "online_url",
    ]

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["programme"].queryset = Programme.objects.filter(
            organisation=organisation
        ).order_by("name")
        self.fields["cohort"].queryset = (
            Cohort.objects.filter(organisation=organisation)
            .select_related("programme")
            .order_by("-start_date", "pk")
        )
        self.fields["cohort"].help_text = "For an event for one cohort."
        self.fields["time_zone"].choices = [(z, z) for z in time_zone_names()]
        event = self.instance
        if event.pk:
            zone = zoneinfo.ZoneInfo(event.time_zone)
            start = event.starts_at.astimezone(zone)
            end = event.ends_at.astimezone(zone)
            self.initial.update(
                time_zone=event.time_zone,
                day=start.date(),
                start_time=start.time().replace(second=0, microsecond=0),
                end_day=end.date() if end.date() != start.date() else None,
                end_time=end.time().replace(second=0, microsecond=0),
            )
        else:
            self.initial.setdefault("time_zone", organisation.time_zone)

    def clean(self):
        data = super().clean()
        name = data.get("time_zone")
        day, start_time, end_time = data.get("day"), data.get("start_time"), data.get("end_time")
        if not (name and day and start_time and end_time):
            return data
        zone = zoneinfo.ZoneInfo(name)
        end_day = data.get("end_day") or day
        starts_at = local_instant(day, start_time, zone)
        ends_at = local_instant(end_day, end_time, zone)
        if starts_at is None:
            self.add_error(
                "start_time",
                f"{start_time:%H:%M} does not exist in {name} that day (the clocks go forward).",
            )
        if ends_at is None:
            self.add_error(
                "end_time",
                f"{end_time:%H:%M} does not exist in {name} that day (the clocks go forward).",
            )
        if starts_at and ends_at:
            if ends_at <= starts_at:
                self.add_error("end_time", "The event must end after it starts.")
            elif ends_at - starts_at > timedelta(days=14):
                self.add_error("end_day", "An event lasts at most two weeks.")
            else:
                # Only consistent times reach the model, whose own check would name a field
                # the form does not have.
                self.instance.time_zone = name
                self.instance.starts_at = starts_at
                self.instance.ends_at = ends_at
        if data.get("audience") != EventAudience.COHORT:
            data["cohort"] = None
        return data


class EventFilterForm(forms.Form):
    programme = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *EventKind.choices])
    when = forms.ChoiceField(required=False, choices=WHEN_CHOICES)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        programmes = Programme.objects.filter(organisation=organisation).order_by("name")
        self.fields["programme"].choices = [
            ("", "Any programme"),
            *programmes.values_list("pk", "name"),
        ]


class AttendanceForm(forms.Form):
    attendance = forms.ChoiceField(
        choices=[("attended", "Attended"), ("no_show", "No-show")],
        error_messages={"required": "Mark attended or no-show."},
    )


class CompanyChoiceForm(forms.Form):
    """Which of the user's companies answers (register, cancel, not attending)."""

    company = forms.TypedChoiceField(coerce=int, error_messages={"required": "Choose a company."})

    def __init__(self, *args, companies, **kwargs):
        super().__init__(*args, **kwargs)
        self.companies = {c.pk: c for c in companies}
        self.fields["company"].choices = [(c.pk, c.name) for c in companies]

    def clean_company(self):
        return self.companies[self.cleaned_data["company"]]


class FeedbackForm(forms.ModelForm):
    rating = forms.TypedChoiceField(
        label="Overall, how useful was it?",
        choices=[
            (n, label)
            for n, label in (
                (5, "5 – very useful"),
                (4, "4"),
                (3, "3"),
                (2, "2"),
                (1, "1 – not useful"),
            )
        ],
        coerce=int,
        widget=forms.RadioSelect,
    )
    would_recommend = forms.TypedChoiceField(
        label="Would you recommend it to another business?",
        choices=[(True, "Yes"), (False, "No")],
        coerce=lambda v: v in (True, "True", "true", "1"),
        widget=forms.RadioSelect,
    )

    class Meta:
        model = EventFeedback
        fields = ["rating", "most_useful", "improve", "would_recommend"]
        widgets = {
            "most_useful": forms.Textarea(attrs={"rows": 3}),
            "improve": forms.Textarea(attrs={"rows": 3}),
        }
