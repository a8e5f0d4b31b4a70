"""Innovation challenges: a large organisation's problem that SMEs answer with a short
proposal; staff shortlist and record the result."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from portal.tenancy import TenantModel


class InnovationChallenge(TenantModel):
    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="challenges",
    )
    sponsor = models.CharField(max_length=200, help_text="The organisation that set the challenge.")
    title = models.CharField(max_length=200)
    problem = models.TextField()
    offer = models.CharField("prize or contract on offer", max_length=300)
    deadline = models.DateTimeField()
    published = models.BooleanField(
        default=False, help_text="Published challenges are listed for SMEs to answer."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-deadline"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "activities:challenge-detail",
            kwargs={"org_slug": self.organisation.slug, "pk": self.pk},
        )

    @property
    def is_open(self) -> bool:
        return self.published and timezone.now() < self.deadline


class ChallengeProposal(TenantModel):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        SHORTLISTED = "shortlisted", "Shortlisted"
        WON = "won", "Won"
        NOT_SELECTED = "not_selected", "Not selected"

    challenge = models.ForeignKey(
        InnovationChallenge, on_delete=models.CASCADE, related_name="proposals"
    )
    company = models.ForeignKey(
        "cohorts.Company", on_delete=models.CASCADE, related_name="challenge_proposals"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    summary = models.TextField("your proposal", max_length=3000)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    result_note = models.CharField(max_length=500, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "company"], name="one_proposal_per_company"
            )
        ]
