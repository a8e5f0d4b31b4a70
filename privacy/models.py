"""Data-rights records: subject-access exports, erasure requests and their approvals,
retention runs."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from portal.tenancy import TenantModel

# --- Subject access (R3): DataExport ---------------------------------------------------------


def _export_token() -> str:
    return secrets.token_urlsafe(32)


def _export_path(instance, filename):
    # A random directory per export: the path says nothing about the person and cannot be
    # guessed. Stored with the other private uploads and served only by a view that checks
    # the signed-in user (privacy.views.export_download), never from a media URL.
    return f"privacy/exports/{instance.user_id}/{secrets.token_hex(16)}/{filename}"


class DataExport(models.Model):
    """A person's request for a copy of everything the portal holds about them: built by a
    Celery task into a ZIP, e-mailed as a link that works for EXPORT_LIFETIME and only for
    that person, then deleted.

    Global, not tenant-owned: the person asks across every organisation they deal with,
    like OutgoingEmail it belongs to no single tenant."""

    class State(models.TextChoices):
        PENDING = "pending", "Being prepared"
        READY = "ready", "Ready to download"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "Expired"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    token = models.CharField(max_length=64, unique=True, default=_export_token, editable=False)
    file = models.FileField(upload_to=_export_path, blank=True, max_length=255)
    size = models.PositiveIntegerField(default=0)
    requested_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)
    download_count = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # The rate limit: one export in preparation per person at a time.
            models.UniqueConstraint(
                fields=["user"], condition=Q(state="pending"), name="one_pending_export_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"Data export for {self.user} ({self.get_state_display()})"

    def get_absolute_url(self) -> str:
        return reverse("privacy:export", kwargs={"token": self.token})

    @property
    def is_downloadable(self) -> bool:
        return (
            self.state == self.State.READY
            and bool(self.file)
            and self.expires_at is not None
            and self.expires_at > timezone.now()
        )


# --- End of subject access (R3) ----------------------------------------------------------------


# --- Erasure and retention (R2) ----------------------------------------------------------------


class ErasureRequest(models.Model):
    """A person's request to be erased. Global like the account it concerns; each
    organisation that holds their data decides through its own ErasureApproval row. When
    every approval is confirmed (or no organisation holds anything) the person's personal
    fields are anonymised in place (privacy/anonymise.py)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the organisations"
        COMPLETED = "completed", "Erased"
        REFUSED = "refused", "Refused"
        CANCELLED = "cancelled", "Cancelled"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="erasure_requests"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # What the anonymisation changed, by kind of record: {"mentor profiles": 1, ...}.
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="pending"), name="one_pending_erasure_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"Erasure of {self.user} ({self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    def approval_rows(self) -> list[ErasureApproval]:
        """Every organisation's decision, for the person's own page (outside any tenant
        scope: the person sees which of the organisations holding their data decided)."""
        return list(
            ErasureApproval.objects.with_scopes_disabled()
            .filter(request=self)
            .select_related("organisation")
            .order_by("organisation__name")
        )


class ErasureApproval(TenantModel):
    """One organisation's decision on an erasure request: its admin confirms, or refuses
    with a reason (which ends the request)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a decision"
        CONFIRMED = "confirmed", "Confirmed"
        REFUSED = "refused", "Refused"
        CLOSED = "closed", "Closed"

    request = models.ForeignKey(ErasureRequest, on_delete=models.CASCADE, related_name="approvals")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # What this organisation holds about the person, in words, as found when they asked.
    holdings = models.JSONField(default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "organisation"], name="one_erasure_approval_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"Erasure approval by {self.organisation} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse(
            "privacy-staff:erasure-detail",
            kwargs={"org_slug": self.organisation.slug, "pk": self.pk},
        )


class CompanyWithdrawal(TenantModel):
    """A manager withdrew a company from the organisation's data: what was anonymised."""

    company = models.ForeignKey("cohorts.Company", on_delete=models.CASCADE, related_name="+")
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(auto_now_add=True)
    # True when the company's own profile (name, number, website) was anonymised too, which
    # happens only when no other organisation on the portal knows the company.
    profile_anonymised = models.BooleanField(default=False)
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-withdrawn_at", "-pk"]


class RetentionRun(TenantModel):
    """The retention sweep of one programme: claimed once (one row per programme), with
    what it anonymised."""

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="retention_run"
    )
    due_on = models.DateField(help_text="End date plus the retention period.")
    ran_at = models.DateTimeField(auto_now_add=True)
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-ran_at", "-pk"]

    def __str__(self) -> str:
        return f"Retention of {self.programme} ({self.ran_at:%d %b %Y})"


# --- End of erasure and retention (R2) ---------------------------------------------------------
