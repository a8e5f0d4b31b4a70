"""Trade missions: delegates (selected when oversubscribed), itinerary and the meetings
delegates log with prospects, with their outcomes."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

from portal.tenancy import TenantModel


class TradeMission(TenantModel):
    """A visit of companies to a destination. Dates are the destination's calendar days;
    itinerary times are shown in the destination's zone."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="trade_missions"
    )
    cohort = models.ForeignKey(
        "cohorts.Cohort",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trade_missions",
        help_text="If the mission is for one cohort's companies.",
    )
    title = models.CharField(max_length=200)
    destination_city = models.CharField(max_length=100)
    destination_country = models.CharField(max_length=100)
    destination_time_zone = models.CharField(max_length=64)
    departs_on = models.DateField()
    returns_on = models.DateField(
        help_text="Follow-up surveys can be scheduled from the return date."
    )
    description = models.TextField(blank=True)
    places = models.PositiveIntegerField(
        validators=[MinValueValidator(1)], help_text="How many companies can go."
    )
    applications_close_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-departs_on"]

    def __str__(self) -> str:
        return f"{self.title} ({self.destination_city})"

    def get_absolute_url(self) -> str:
        return reverse(
            "activities:mission-detail", kwargs={"org_slug": self.organisation.slug, "pk": self.pk}
        )

    def clean(self):
        errors = {}
        if self.departs_on and self.returns_on and self.returns_on < self.departs_on:
            errors["returns_on"] = "The mission cannot return before it departs."
        if self.cohort_id and self.programme_id and self.cohort.programme_id != self.programme_id:
            errors["cohort"] = "This cohort belongs to another programme."
        if errors:
            raise ValidationError(errors)


class MissionDelegate(TenantModel):
    """A company asking to go on, or going on, a mission."""

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        SELECTED = "selected", "Selected"
        WAITLISTED = "waitlisted", "Waitlisted"
        DECLINED = "declined", "Not selected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    mission = models.ForeignKey(TradeMission, on_delete=models.CASCADE, related_name="delegates")
    company = models.ForeignKey(
        "cohorts.Company", on_delete=models.CASCADE, related_name="mission_delegations"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPLIED)
    objectives = models.TextField(
        "what the company wants from the mission", blank=True, max_length=3000
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["mission", "company"], name="one_delegate_per_company")
        ]

    def __str__(self) -> str:
        return f"{self.company} on {self.mission}"


class ItineraryItem(TenantModel):
    """One entry of the mission's programme; times are instants shown in the destination's
    zone."""

    mission = models.ForeignKey(TradeMission, on_delete=models.CASCADE, related_name="itinerary")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    title = models.CharField(max_length=200)
    location = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["starts_at"]

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The item must end after it starts."})


class ProspectKind(models.TextChoices):
    CORPORATE = "corporate", "Corporate customer"
    DISTRIBUTOR = "distributor", "Distributor"
    PARTNER = "partner", "Partner"
    INVESTOR = "investor", "Investor"
    GOVERNMENT = "government", "Government"


class MeetingOutcome(models.TextChoices):
    NONE = "none", "No further action"
    LEAD = "lead", "Lead"
    FOLLOW_UP = "follow_up", "Follow-up agreed"
    DEAL = "deal", "Deal signed"


class MissionMeeting(TenantModel):
    """A meeting a delegate had with a prospect on (or after) the mission."""

    delegate = models.ForeignKey(MissionDelegate, on_delete=models.CASCADE, related_name="meetings")
    mission = models.ForeignKey(TradeMission, on_delete=models.CASCADE, related_name="meetings")
    prospect_name = models.CharField(max_length=200)
    prospect_kind = models.CharField(max_length=12, choices=ProspectKind.choices)
    met_on = models.DateField()
    outcome = models.CharField(max_length=10, choices=MeetingOutcome.choices)
    deal_value = models.DecimalField(
        "deal value (£)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    notes = models.TextField(blank=True, max_length=3000)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["met_on", "created_at"]

    def clean(self):
        if self.deal_value is not None and self.outcome != MeetingOutcome.DEAL:
            raise ValidationError({"deal_value": "A value belongs only to a signed deal."})
