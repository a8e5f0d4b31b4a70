"""Companies (SMEs) and, in later issues, cohorts, applications and enrolments."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from portal.taxonomy import Region, Sector, TurnoverBand
from portal.tenancy import TenantModel


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def _current_year() -> int:
    return timezone.now().year


class Company(models.Model):
    """An SME. Global, not tenant-owned: one company deals with several organisations, and a
    tenant sees it only through that company's applications and enrolments with it."""

    # The profile the company keeps (its form) and may share with a partner (a referral).
    PROFILE_FIELDS = (
        "name",
        "registration_number",
        "sector",
        "region",
        "year_founded",
        "employees",
        "turnover_band",
        "website",
        "exports",
        "export_markets",
        "target_markets",
        "help_wanted",
    )

    name = models.CharField(max_length=200)
    registration_number = models.CharField(
        max_length=20, blank=True, help_text="Companies House number, if registered."
    )
    sector = models.CharField(max_length=30, choices=Sector.choices)
    region = models.CharField(max_length=30, choices=Region.choices)
    year_founded = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1800), MaxValueValidator(2100)]
    )
    employees = models.PositiveIntegerField("number of employees")
    turnover_band = models.CharField(max_length=20, choices=TurnoverBand.choices)
    website = models.URLField(blank=True)
    exports = models.BooleanField("already exports", default=False)
    export_markets = models.CharField(
        max_length=500, blank=True, help_text="Countries you sell to, separated by commas."
    )
    target_markets = models.CharField(
        "markets you want to enter",
        max_length=500,
        blank=True,
        help_text="Countries, separated by commas. Used to suggest export consortia.",
    )
    help_wanted = models.TextField("what help you want", blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="CompanyMember", related_name="companies"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("my:company", kwargs={"pk": self.pk})

    @property
    def years_trading(self) -> int:
        return max(0, _current_year() - self.year_founded)


class CompanyMember(models.Model):
    """A person who acts for a company: its founder (owner) or an invited colleague."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        COLLEAGUE = "colleague", "Colleague"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="company_memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.OWNER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "user"], name="one_company_member_row"),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.company}"


# --- Cohorts ------------------------------------------------------------------------------


class CohortStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open for applications"
    SELECTING = "selecting", "Selecting"
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"


# The manager moves a cohort one step forward, or one step back to correct a mistake.
COHORT_TRANSITIONS = {
    CohortStatus.DRAFT: [CohortStatus.OPEN],
    CohortStatus.OPEN: [CohortStatus.SELECTING, CohortStatus.DRAFT],
    CohortStatus.SELECTING: [CohortStatus.RUNNING, CohortStatus.OPEN],
    CohortStatus.RUNNING: [CohortStatus.COMPLETED, CohortStatus.SELECTING],
    CohortStatus.COMPLETED: [CohortStatus.RUNNING],
}


class Cohort(TenantModel):
    """One intake of a programme."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="cohorts"
    )
    number = models.PositiveSmallIntegerField(help_text="Cohort 1, 2, 3 … of the programme.")
    name = models.CharField(max_length=200, blank=True, help_text="Optional, e.g. “Spring 2027”.")
    description = models.TextField(blank=True, help_text="What this intake offers, for applicants.")
    start_date = models.DateField()
    end_date = models.DateField()
    capacity = models.PositiveIntegerField(
        validators=[MinValueValidator(1)], help_text="How many companies can be enrolled."
    )
    applications_open_at = models.DateTimeField()
    applications_close_at = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=CohortStatus.choices, default=CohortStatus.DRAFT
    )
    reviews_per_application = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="Target number of reviews per application; reviewers can pick from the "
        "pool until it is reached.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["programme__name", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"], name="cohort_number_per_programme"
            )
        ]

    def __str__(self) -> str:
        label = f"{self.programme.name} – cohort {self.number}"
        return f"{label} ({self.name})" if self.name else label

    def get_absolute_url(self) -> str:
        return reverse(
            "cohorts:cohort-detail", kwargs={"org_slug": self.organisation.slug, "pk": self.pk}
        )

    def get_public_url(self) -> str:
        return reverse(
            "calls:call-detail", kwargs={"org_slug": self.organisation.slug, "pk": self.pk}
        )

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = "The cohort cannot end before it starts."
        if (
            self.applications_open_at
            and self.applications_close_at
            and self.applications_close_at <= self.applications_open_at
        ):
            errors["applications_close_at"] = "Applications must close after they open."
        if errors:
            raise ValidationError(errors)

    @property
    def is_accepting_applications(self) -> bool:
        now = timezone.now()
        return (
            self.status == CohortStatus.OPEN
            and self.applications_open_at <= now < self.applications_close_at
        )

    def allowed_transitions(self) -> list[str]:
        return list(COHORT_TRANSITIONS[CohortStatus(self.status)])


class CohortStatusChange(TenantModel):
    """Every move of a cohort's status: who, when, from and to."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=12, choices=CohortStatus.choices)
    to_status = models.CharField(max_length=12, choices=CohortStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]


# --- Application forms --------------------------------------------------------------------


class QuestionKind(models.TextChoices):
    SHORT_TEXT = "short_text", "Short text"
    LONG_TEXT = "long_text", "Long text"
    NUMBER = "number", "Number"
    SINGLE_CHOICE = "single_choice", "Single choice"
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
    DATE = "date", "Date"
    FILE = "file", "File upload"


class Question(TenantModel):
    """A question of a cohort's application form, asked on top of the company profile."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(max_length=300)
    help_text = models.CharField(max_length=500, blank=True)
    kind = models.CharField(max_length=20, choices=QuestionKind.choices)
    required = models.BooleanField(default=True)
    choices = models.TextField(blank=True, help_text="For choice questions: one option per line.")
    max_file_mb = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def clean(self):
        is_choice = self.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)
        if is_choice and len(self.choice_list) < 2:
            raise ValidationError({"choices": "Give at least two options, one per line."})


class Criterion(TenantModel):
    """A scoring criterion of a cohort: reviewers score each from 1 to 5."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=200)
    description = models.CharField(max_length=500, blank=True)
    weight = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name_plural = "criteria"

    def __str__(self) -> str:
        return f"{self.name} (×{self.weight})"


# --- Applications -------------------------------------------------------------------------


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    ACCEPTED = "accepted", "Accepted"
    WAITLISTED = "waitlisted", "Waitlisted"
    REJECTED = "rejected", "Not selected"
    WITHDRAWN = "withdrawn", "Withdrawn"


DECISIONS = (ApplicationStatus.ACCEPTED, ApplicationStatus.WAITLISTED, ApplicationStatus.REJECTED)


class Application(TenantModel):
    """A company's application to a cohort. Once submitted, `company_snapshot` and `answers`
    are the record: later edits to the profile do not change them."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="applications")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="applications")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    answers = models.JSONField(default=dict, blank=True)
    company_snapshot = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Denormalised from submitted reviews so the ranked board sorts in SQL.
    review_count = models.PositiveSmallIntegerField(default=0)
    # Set when the organisation withdrew the company from its data (privacy): the row stays
    # for the figures, but the organisation plans no more contact through it (no follow-up
    # survey of the comparison group).
    data_withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-submitted_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "company"], name="one_application_per_cohort")
        ]
        indexes = [models.Index(fields=["cohort", "status"])]

    def __str__(self) -> str:
        return f"{self.company} → {self.cohort}"

    def get_absolute_url(self) -> str:
        return reverse(
            "cohorts:application-detail",
            kwargs={"org_slug": self.organisation.slug, "pk": self.pk},
        )

    @property
    def is_editable(self) -> bool:
        return self.status == ApplicationStatus.DRAFT


def _upload_path(instance, filename):
    return f"applications/{instance.organisation_id}/{instance.application_id}/{filename}"


class ApplicationFile(TenantModel):
    """A file answering a file-upload question. Served only through permission-checked
    views, never from a public media URL."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="files")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to=_upload_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "question"], name="one_file_per_question"
            )
        ]


class ApplicationStatusChange(TenantModel):
    """The history of an application: who changed its status, when and why."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=12, choices=ApplicationStatus.choices)
    to_status = models.CharField(max_length=12, choices=ApplicationStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]


# --- Review -------------------------------------------------------------------------------


class Review(TenantModel):
    """One reviewer's review of one application: assigned by the manager or picked by the
    reviewer from the pool. Scores are hidden from other reviewers until they submit."""

    class Source(models.TextChoices):
        ASSIGNED = "assigned", "Assigned by the manager"
        PICKED = "picked", "Picked from the pool"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ASSIGNED)
    comments = models.TextField(blank=True)
    weighted_score = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="one_review_per_reviewer"
            )
        ]

    def __str__(self) -> str:
        return f"Review of {self.application} by {self.reviewer}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class Score(TenantModel):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    value = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion"),
            models.CheckConstraint(
                condition=models.Q(value__gte=1, value__lte=5), name="score_between_1_and_5"
            ),
        ]


# --- Enrolment ----------------------------------------------------------------------------


class Enrolment(TenantModel):
    """A company taking part in a cohort, from its accepted application."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Taking part"
        WITHDRAWN = "withdrawn", "Withdrawn"
        COMPLETED = "completed", "Completed"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="enrolments")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="enrolments")
    application = models.OneToOneField(
        Application, on_delete=models.SET_NULL, null=True, blank=True, related_name="enrolment"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    enrolled_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.CharField(max_length=500, blank=True)
    # Not the company leaving the cohort (status WITHDRAWN) but the organisation withdrawing
    # the company from its data (privacy): the enrolment keeps counting in the figures, and
    # the organisation plans no more contact through it (follow-up surveys, event invitations).
    data_withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["company__name"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "company"], name="one_enrolment_per_cohort")
        ]

    def __str__(self) -> str:
        return f"{self.company} in {self.cohort}"


# --- Colleagues -----------------------------------------------------------------------------


class CompanyInvitation(models.Model):
    """A founder's invitation to a colleague to act for the company. Global like Company."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} invited to {self.company}"

    def get_accept_url(self) -> str:
        return reverse("my:colleague-accept", kwargs={"token": self.token})


# --- Referrals and sharing consent ----------------------------------------------------------


class Referral(TenantModel):
    """A one-stop-shop referral: the referring organisation (`organisation`) proposes to share
    a company's profile with a partner organisation. The partner sees nothing until one of
    the company's owners consents; the consent records who, when and what was shared, and
    the company can withdraw it at any time, which hides the profile again."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the company's consent"
        CONSENTED = "consented", "Shared with consent"
        DECLINED = "declined", "Declined by the company"
        WITHDRAWN = "withdrawn", "Consent withdrawn"
        CANCELLED = "cancelled", "Cancelled"

    # What a referral shares: the company profile, field by field, as the company sees it.
    PROFILE_FIELDS = Company.PROFILE_FIELDS

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="referrals")
    partner = models.ForeignKey(
        "portal.Organisation", on_delete=models.CASCADE, related_name="referrals_received"
    )
    note = models.TextField(
        "why the referral",
        blank=True,
        help_text="Shown to the company and, once it consents, to the partner.",
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    # The consent (or refusal) and its withdrawal: who, when and what.
    shared_fields = models.JSONField(default=list, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "company", "partner"],
                condition=models.Q(status__in=["pending", "consented"]),
                name="one_live_referral_per_partner",
            )
        ]
        indexes = [models.Index(fields=["partner", "status"])]

    def __str__(self) -> str:
        return f"Referral of {self.company} to {self.partner}"

    def get_absolute_url(self) -> str:
        return reverse("my:referral", kwargs={"pk": self.pk})

    @property
    def is_shared(self) -> bool:
        return self.status == self.Status.CONSENTED
