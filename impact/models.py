"""Impact: baselines, follow-up survey schedules and invitations, responses with the
standard outcome framework, case notes and issued funder reports.

The standard outcome questions are columns of SurveyResponse, not rows of answers, so every
figure of a report is one SQL aggregate; their keys are stable across programmes (see
impact/framework.py). Managers' own questions live in `custom_answers`."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from portal.tenancy import TenantModel


def _token() -> str:
    return secrets.token_urlsafe(24)


class Baseline(TenantModel):
    """A company's starting figures when it joined a cohort, for growth against them."""

    class Source(models.TextChoices):
        COMPANY = "company", "Given by the company"
        STAFF = "staff", "Entered by staff"
        IMPORT = "import", "Imported"
        PROFILE = "profile", "Taken from the application"

    enrolment = models.OneToOneField(
        "cohorts.Enrolment", on_delete=models.CASCADE, related_name="baseline"
    )
    company = models.ForeignKey("cohorts.Company", on_delete=models.CASCADE, related_name="+")
    employees = models.PositiveIntegerField()
    turnover = models.DecimalField(
        "turnover (£, last full year)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    export_sales = models.DecimalField(
        "export sales (£, last full year)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    exporting_markets = models.CharField(
        max_length=500, blank=True, help_text="Countries already sold to, separated by ;"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.COMPANY)
    recorded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Baseline of {self.company}"

    @property
    def market_count(self) -> int:
        return len([m for m in self.exporting_markets.split(";") if m.strip()])


class SurveySchedule(TenantModel):
    """A follow-up survey round of a programme, relative to an anchor: e.g. 6 months after
    each cohort ends."""

    class Anchor(models.TextChoices):
        COHORT_START = "cohort_start", "Cohort start"
        COHORT_END = "cohort_end", "Cohort end"
        MISSION_RETURN = "mission_return", "Trade mission return"
        EVENT = "event", "Event"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="survey_schedules"
    )
    mission = models.ForeignKey(
        "activities.TradeMission",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="survey_schedules",
        help_text="For “trade mission return”: the mission whose selected delegates are "
        "surveyed, counted from its return date.",
    )
    event = models.ForeignKey(
        "activities.Event",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="survey_schedules",
        help_text="For “event”: the event whose attending companies are surveyed, counted "
        "from the day it ends.",
    )
    name = models.CharField(max_length=100, help_text="For example “6-month follow-up”.")
    anchor = models.CharField(max_length=20, choices=Anchor.choices, default=Anchor.COHORT_END)
    offset_months = models.PositiveSmallIntegerField(
        validators=[MaxValueValidator(120)], help_text="Months after the anchor."
    )
    reminder_days = models.CharField(
        max_length=50,
        default="7,14",
        help_text="Days after the invitation to remind those who have not answered, e.g. 7,14.",
    )
    expires_after_days = models.PositiveSmallIntegerField(
        default=28, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    include_comparison_group = models.BooleanField(
        default=False,
        help_text="Also survey applicants who were not selected, as a comparison group.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["anchor", "offset_months"]
        constraints = [
            # Responses are keyed by the round's months, so a programme has one round per
            # number of months, whatever its anchor.
            models.UniqueConstraint(
                fields=["programme", "offset_months"], name="one_round_per_offset"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.name} ({self.offset_months} months after {self.get_anchor_display().lower()})"
        )

    def clean(self):
        from django.core.exceptions import ValidationError

        # Each activity anchor needs its activity, of the same programme; no other anchor
        # takes one.
        for anchor, name, what in (
            (self.Anchor.MISSION_RETURN, "mission", "trade mission"),
            (self.Anchor.EVENT, "event", "event"),
        ):
            chosen = getattr(self, f"{name}_id") is not None
            if self.anchor == anchor:
                if not chosen:
                    raise ValidationError({name: f"Choose the {what} to count from."})
                if self.programme_id and getattr(self, name).programme_id != self.programme_id:
                    raise ValidationError({name: f"This {what} belongs to another programme."})
            elif chosen:
                raise ValidationError(
                    {
                        name: f"A{'n' if what[0] in 'aeiou' else ''} {what} is chosen only for the "
                        f"“{anchor.label.lower()}” anchor."
                    }
                )

    @property
    def reminder_offsets(self) -> list[int]:
        days = []
        for part in self.reminder_days.split(","):
            part = part.strip()
            if part.isdigit():
                days.append(int(part))
        return sorted(set(days))


class SurveyInvitation(TenantModel):
    """One company's invitation to one survey round. A row with a state, claimed under a
    lock by the dispatcher: scheduled → sent → answered, or expired."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        SENT = "sent", "Sent"
        ANSWERED = "answered", "Answered"
        EXPIRED = "expired", "Expired"

    schedule = models.ForeignKey(
        SurveySchedule, on_delete=models.CASCADE, related_name="invitations"
    )
    cohort = models.ForeignKey("cohorts.Cohort", on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey("cohorts.Company", on_delete=models.CASCADE, related_name="+")
    is_comparison = models.BooleanField(default=False)
    email = models.EmailField()
    token = models.CharField(max_length=64, unique=True, default=_token, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    due_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminder_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "cohort", "company"], name="one_invitation_per_round"
            )
        ]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.schedule.name} for {self.company}"

    def get_answer_url(self) -> str:
        return reverse("surveys:answer", kwargs={"token": self.token})

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.SENT and (
            self.expires_at is None or self.expires_at > timezone.now()
        )

    def expiry_from(self, sent_at):
        return sent_at + timedelta(days=self.schedule.expires_after_days)


class FundingType(models.TextChoices):
    EQUITY = "equity", "Equity investment"
    DEBT = "debt", "Loan or debt"
    GRANT = "grant", "Grant"
    OTHER = "other", "Other"


class Attribution(models.TextChoices):
    NONE = "none", "None of it"
    PARTLY = "partly", "Partly"
    MOSTLY = "mostly", "Mostly"


class SurveyResponse(TenantModel):
    """A company's answers to one survey round: from the link, taken by phone, or imported
    from the records of rounds run before the portal. Counted once submitted."""

    class Source(models.TextChoices):
        WEB = "web", "Answered online"
        PHONE = "phone", "Taken by phone"
        IMPORT = "import", "Imported"

    invitation = models.OneToOneField(
        SurveyInvitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="response"
    )
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="survey_responses"
    )
    cohort = models.ForeignKey("cohorts.Cohort", on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey("cohorts.Company", on_delete=models.CASCADE, related_name="+")
    round_months = models.PositiveSmallIntegerField(help_text="Months after the anchor.")
    is_comparison = models.BooleanField(default=False)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    responded_on = models.DateField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The standard outcome framework (impact/framework.py). Null means not answered.
    jobs_created = models.PositiveIntegerField(null=True, blank=True)
    new_deals = models.BooleanField(null=True, blank=True)
    deals_count = models.PositiveIntegerField(null=True, blank=True)
    deals_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    new_markets = models.BooleanField(null=True, blank=True)
    markets_entered = models.CharField(max_length=500, blank=True)
    further_funding = models.BooleanField(null=True, blank=True)
    funding_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    funding_type = models.CharField(max_length=10, choices=FundingType.choices, blank=True)
    new_offices = models.BooleanField(null=True, blank=True)
    offices_where = models.CharField(max_length=300, blank=True)
    turnover = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    profit = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    export_sales = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    attribution = models.CharField(max_length=10, choices=Attribution.choices, blank=True)
    custom_answers = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-responded_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "company", "round_months", "is_comparison"],
                name="one_response_per_round",
            ),
            models.CheckConstraint(
                condition=Q(deals_value__isnull=True) | Q(deals_value__gte=0),
                name="deal_value_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(funding_amount__isnull=True) | Q(funding_amount__gte=0),
                name="funding_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["programme", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.company} – {self.round_months} months"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class CustomQuestion(TenantModel):
    """A manager's own follow-up question, asked after the standard ones."""

    class Kind(models.TextChoices):
        NUMBER = "number", "Number"
        YES_NO = "yes_no", "Yes or no"
        TEXT = "text", "Text"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="custom_questions"
    )
    key = models.SlugField(max_length=50, help_text="A stable key for exports, e.g. patents_filed.")
    label = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "key"], name="custom_question_key")
        ]

    def __str__(self) -> str:
        return self.label


class CaseNote(TenantModel):
    """An anonymised story of a company's progress, chosen by staff for the report's
    appendix."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="case_notes"
    )
    title = models.CharField(max_length=200)
    text = models.TextField(help_text="Anonymised: no company or person names.")
    include_in_report = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


def _report_path(instance, filename):
    return f"reports/{instance.organisation_id}/{instance.programme_id}/{filename}"


class FunderReport(TenantModel):
    """An issued report: rendered once (by a Celery task for PDFs), then kept so a funder can
    download the exact report issued on a date."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (XLSX)"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RENDERING = "rendering", "Rendering"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="reports"
    )
    cohort = models.ForeignKey(
        "cohorts.Cohort", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    format = models.CharField(max_length=5, choices=Format.choices, default=Format.PDF)
    filters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to=_report_path, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return (
            f"{self.programme} report ({self.get_format_display()}, {self.requested_at:%d %b %Y})"
        )


class ImpactSharing(TenantModel):
    """A partner organisation's agreement (`organisation`) to share its aggregate impact
    figures with an umbrella organisation it partners with (`shared_with`), for the
    umbrella's combined report. Only aggregates cross over: never company names or answers.
    Withdrawn by its admin at any time; the row is kept, as the record of who agreed when."""

    shared_with = models.ForeignKey(
        "portal.Organisation", on_delete=models.CASCADE, related_name="impact_shared_with_it"
    )
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    agreed_at = models.DateTimeField()
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["shared_with__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "shared_with"], name="one_impact_sharing_per_pair"
            ),
            models.CheckConstraint(
                condition=~Q(organisation=models.F("shared_with")),
                name="impact_sharing_not_with_itself",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} shares its impact figures with {self.shared_with}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None
