"""Accounts and tenancy: users, organisations, memberships, invitations, the e-mail outbox."""

from __future__ import annotations

import functools
import secrets
import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from portal.roles import Role
from portal.tenancy import TenantModel


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person. Accounts are global: one person may belong to several organisations and
    act for several companies. The e-mail address is the login; there is no username."""

    username = None
    email = models.EmailField("e-mail address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email


@functools.cache
def time_zone_names() -> tuple[str, ...]:
    """Every IANA time zone, sorted. available_timezones() walks the zoneinfo directory on
    disk; the list never changes while the process runs, and every form and validation
    that offers a time zone asks for it."""
    return tuple(sorted(zoneinfo.available_timezones()))


def _time_zone_choices():
    return [(name, name) for name in time_zone_names()]


def validate_slug_not_reserved(value: str) -> None:
    if value.lower() in settings.RESERVED_SLUGS:
        raise ValidationError(
            "“%(slug)s” is reserved for the portal's own pages; choose another address.",
            params={"slug": value},
            code="reserved",
        )


hex_colour_validator = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", "Enter a colour as # followed by six hex digits, e.g. #0d6efd."
)


class Organisation(models.Model):
    """A tenant: a trade agency, growth hub, incubator or one-stop-shop partnership."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=60,
        unique=True,
        validators=[validate_slug_not_reserved],
        help_text="Used in web addresses: /<slug>/ for staff, /o/<slug>/ for the public page.",
    )
    logo = models.ImageField(upload_to="logos/", blank=True)
    accent_colour = models.CharField(
        max_length=7, default="#0d6efd", validators=[hex_colour_validator]
    )
    contact_email = models.EmailField(blank=True)
    description = models.TextField("public description", blank=True)
    time_zone = models.CharField(max_length=64, default="Europe/London", choices=_time_zone_choices)
    partners = models.ManyToManyField(
        "self",
        blank=True,
        symmetrical=True,
        help_text="Partner organisations of a one-stop-shop: referrals and joint reporting.",
    )
    require_mfa = models.BooleanField(
        "require two-factor authentication for staff",
        default=False,
        help_text="Members must set up an authenticator app before they can use staff pages.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portal:dashboard", kwargs={"org_slug": self.slug})

    def get_logo_url(self) -> str:
        return (
            reverse("public:organisation-logo", kwargs={"org_slug": self.slug}) if self.logo else ""
        )

    def get_public_url(self) -> str:
        return reverse("public:organisation", kwargs={"org_slug": self.slug})


class Membership(models.Model):
    """A user's role in one organisation.

    Deliberately not scope-managed: this table is the gate that decides which scope a
    request may enter, and the organisation switcher lists a user's memberships across
    tenants. It still carries `organisation_id` like every tenant-owned table.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} at {self.organisation}"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def _invitation_expiry():
    return timezone.now() + timedelta(days=14)


class Invitation(TenantModel):
    """An e-mailed invitation to join an organisation with a role."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"
        EXPIRED = "expired", "Expired"

    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=Q(status="pending"),
                name="one_pending_invitation_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email} ({self.get_role_display()})"

    @property
    def is_usable(self) -> bool:
        return self.status == self.Status.PENDING and self.expires_at > timezone.now()

    def get_accept_url(self) -> str:
        return reverse("invitation-accept", kwargs={"token": self.token})


class OutgoingEmail(models.Model):
    """The e-mail outbox: every message the portal sends on its own initiative is a row here
    first, then claimed under a row lock and sent once (see portal/services.py).

    Infrastructure rather than tenant data: the sender crosses tenants, and no staff page
    lists it, so it has no scoped manager; it still records the organisation it speaks for.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    to = models.EmailField()
    subject = models.CharField(max_length=255)
    body = models.TextField()
    html_body = models.TextField(blank=True)
    reply_to = models.EmailField(blank=True)
    # Small text attachments such as .ics invitations: [{"name", "content", "type"}].
    attachments = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to} ({self.status})"


# The audit trail's entry model lives with its helpers; imported here so Django finds it.
from portal.audit import AuditEntry  # noqa: E402, F401
