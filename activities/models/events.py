"""Workshops and events: registration up to capacity with a waitlist, reminders, attendance,
feedback and certificates."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from portal.tenancy import TenantModel


class EventKind(models.TextChoices):
    WORKSHOP = "workshop", "Workshop"
    MASTERCLASS = "masterclass", "Masterclass"
    PEER_WORKSHOP = "peer_workshop", "Peer-to-peer workshop"
    INVESTOR_READINESS = "investor_readiness", "Investor readiness session"
    INVESTOR_DAY = "investor_day", "Investor meeting day"
    CONFERENCE = "conference", "Conference"
    CELEBRATION = "celebration", "Celebration evening"


class EventAudience(models.TextChoices):
    COHORT = "cohort", "One cohort"
    PROGRAMME = "programme", "The whole programme"
    PUBLIC = "public", "Public"


class Event(TenantModel):
    """A workshop, masterclass, investor day, conference … of a programme. Times are stored
    as instants (UTC) and shown in the event's own time zone."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64, help_text="The zone the event is held in.")
    venue = models.CharField(max_length=300, blank=True, help_text="Address, for events in person.")
    online_url = models.URLField("online link", blank=True)
    facilitator = models.CharField("facilitator or speaker", max_length=200, blank=True)
    capacity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    audience = models.CharField(
        max_length=10, choices=EventAudience.choices, default=EventAudience.COHORT
    )
    cohort = models.ForeignKey(
        "cohorts.Cohort",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        help_text="For an event for one cohort.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    # The iCalendar SEQUENCE: raised each time the time or place changes (and on
    # cancellation), so calendars replace the invitation they hold (same UID).
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["organisation", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "activities:event-detail", kwargs={"org_slug": self.organisation.slug, "pk": self.pk}
        )

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = "The event must end after it starts."
        if self.audience == EventAudience.COHORT and not self.cohort_id:
            errors["cohort"] = "Choose the cohort this event is for."
        if self.cohort_id and self.programme_id and self.cohort.programme_id != self.programme_id:
            errors["cohort"] = "This cohort belongs to another programme."
        if not self.venue and not self.online_url:
            errors["venue"] = "Give a venue, an online link, or both."
        if errors:
            raise ValidationError(errors)

    @property
    def is_past(self) -> bool:
        return self.ends_at <= timezone.now()


class Registration(TenantModel):
    """A company's answer to an event: a place, a waitlist entry, a cancellation or
    "not attending". One row per company per event; attendance is marked on the day."""

    class Status(models.TextChoices):
        REGISTERED = "registered", "Registered"
        WAITLISTED = "waitlisted", "On the waitlist"
        CANCELLED = "cancelled", "Cancelled"
        DECLINED = "declined", "Not attending"

    class Attendance(models.TextChoices):
        UNKNOWN = "", "Not marked"
        ATTENDED = "attended", "Attended"
        NO_SHOW = "no_show", "No-show"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    company = models.ForeignKey(
        "cohorts.Company", on_delete=models.CASCADE, related_name="event_registrations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_registrations",
        help_text="The person who registered, and who gets the certificate.",
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    attendance = models.CharField(
        max_length=10, choices=Attendance.choices, default=Attendance.UNKNOWN, blank=True
    )
    # Waitlist order: the earliest `waitlisted_at` is promoted first.
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    attendance_marked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "company"], name="one_registration_per_company"
            )
        ]

    def __str__(self) -> str:
        return f"{self.company} – {self.event}"


class EventReminder(TenantModel):
    """A reminder due for an event: the day before to those registered, or a chase to
    invitees who have not answered. A row with a state, claimed under a lock, sent once."""

    class Kind(models.TextChoices):
        DAY_BEFORE = "day_before", "The day before, to those registered"
        RSVP_CHASE = "rsvp_chase", "To invitees who have not answered"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    due_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)
    cancelled = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "kind"], name="one_event_reminder_per_kind")
        ]


class EventFeedback(TenantModel):
    """The short form attendees fill in after the event."""

    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, related_name="feedback"
    )
    rating = models.PositiveSmallIntegerField(
        "overall, how useful was it?", validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    most_useful = models.TextField("what was most useful", blank=True, max_length=2000)
    improve = models.TextField("what could be better", blank=True, max_length=2000)
    would_recommend = models.BooleanField("would you recommend it to another business?")
    created_at = models.DateTimeField(auto_now_add=True)
