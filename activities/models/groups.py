"""Peer groups (coaching circles) of about five companies from a cohort, their meetings,
and the competitor declarations that keep rivals apart."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from portal.tenancy import TenantModel


class CompetitorDeclaration(TenantModel):
    """`company` says `competitor` (another company of the same cohort) is a competitor.
    Either direction keeps the two out of one peer group."""

    cohort = models.ForeignKey(
        "cohorts.Cohort", on_delete=models.CASCADE, related_name="competitor_declarations"
    )
    company = models.ForeignKey(
        "cohorts.Company", on_delete=models.CASCADE, related_name="competitor_declarations"
    )
    competitor = models.ForeignKey("cohorts.Company", on_delete=models.CASCADE, related_name="+")
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "company", "competitor"], name="one_declaration_per_pair"
            ),
            models.CheckConstraint(
                condition=~models.Q(company=models.F("competitor")), name="not_own_competitor"
            ),
        ]


class PeerGroup(TenantModel):
    cohort = models.ForeignKey(
        "cohorts.Cohort", on_delete=models.CASCADE, related_name="peer_groups"
    )
    name = models.CharField(max_length=100)
    facilitator = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "name"], name="peer_group_name_per_cohort")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "activities:group-detail", kwargs={"org_slug": self.organisation.slug, "pk": self.pk}
        )


class PeerGroupMember(TenantModel):
    """A company in a group; a company is in at most one group per cohort."""

    group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="members")
    cohort = models.ForeignKey("cohorts.Cohort", on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey(
        "cohorts.Company", on_delete=models.CASCADE, related_name="peer_group_memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["company__name"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "company"], name="one_group_per_cohort")
        ]

    def clean(self):
        if self.group_id and self.cohort_id and self.group.cohort_id != self.cohort_id:
            raise ValidationError("The member's cohort must be the group's cohort.")


class PeerGroupMeeting(TenantModel):
    """A meeting of a group: planned (in the future) or held, with who came and what was
    discussed."""

    group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField()
    location = models.CharField(max_length=300, blank=True)
    topics = models.TextField(blank=True, max_length=3000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]


class PeerGroupMeetingAttendee(TenantModel):
    meeting = models.ForeignKey(
        PeerGroupMeeting, on_delete=models.CASCADE, related_name="attendees"
    )
    company = models.ForeignKey("cohorts.Company", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "company"], name="one_attendance_per_meeting"
            )
        ]
