"""Mentoring: mentor recruitment and profiles, needs diagnosis, matching, availability,
bookings, session records, no-shows and fee claims."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from portal.tenancy import TenantModel


class Expertise(models.TextChoices):
    FINANCE = "finance", "Finance"
    ACCESS_TO_FINANCE = "access_to_finance", "Access to finance"
    SALES_MARKETING = "sales_marketing", "Sales and marketing"
    DIGITAL_MARKETING = "digital_marketing", "Digital marketing"
    OPERATIONS = "operations", "Operations and production"
    PEOPLE = "people", "People"
    LEGAL = "legal", "Legal"
    INTERNATIONAL_TRADE = "international_trade", "International trade"
    PRODUCT_TECH = "product_tech", "Product and technology"
    LEADERSHIP = "leadership", "Leadership"


# The style questionnaire: four statements per axis, each answered 1 (disagree) to 5
# (agree). The mean places a person from -2 to +2 on two axes; mentors and founders answer
# the same statements, so their places compare.
THINKING_STATEMENTS = [
    "I decide from data and analysis more than from instinct.",
    "I like a plan written down before we act.",
    "I want to see the evidence before I believe an idea.",
    "I break a big problem into small, ordered steps.",
]
INTERACTION_STATEMENTS = [
    "I prefer to be told directly what to do.",
    "I like short, structured meetings with clear actions.",
    "I value challenge over encouragement.",
    "I expect the other person to bring the answers.",
]
STYLE_AXES = {
    "thinking": ("Intuitive", "Analytical"),
    "interaction": ("Facilitative", "Directive"),
}


def style_position(answers: list[int]) -> float:
    """The mean of 1–5 answers, moved to -2..+2."""
    return round(sum(answers) / len(answers) - 3, 2) if answers else 0.0


def clean_style_answers(answers: dict, *, message: str) -> dict[str, list[int]]:
    """{"thinking": [1–5 × 4], "interaction": [1–5 × 4]}, or ValidationError(message): the
    one check of the questionnaire that mentors and founders answer."""
    from django.core.exceptions import ValidationError

    cleaned = {}
    for axis, statements in (
        ("thinking", THINKING_STATEMENTS),
        ("interaction", INTERACTION_STATEMENTS),
    ):
        values = list(answers.get(axis) or [])
        if len(values) != len(statements) or any(
            not isinstance(v, int) or not 1 <= v <= 5 for v in values
        ):
            raise ValidationError(message)
        cleaned[axis] = values
    return cleaned


class MentorProfile(TenantModel):
    """A mentor of one organisation: from application through induction to active work.
    A person who mentors for two hubs has a profile in each."""

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        INTERVIEW = "interview", "Interviewing"
        INDUCTION = "induction", "Accepted – in induction"
        ACTIVE = "active", "Active"
        DECLINED = "declined", "Declined"
        INACTIVE = "inactive", "Inactive"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor_profiles"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPLIED)
    background = models.TextField(help_text="Your career so far, in a few sentences.")
    expertise = models.JSONField(default=list, help_text="Functional expertise (Expertise).")
    sectors = models.JSONField(default=list, blank=True)
    companies_founded_or_scaled = models.TextField(blank=True)
    coaching_experience = models.TextField(blank=True)
    cv = models.FileField(upload_to="mentor-cvs/", blank=True)
    rate_expectation = models.CharField(max_length=100, blank=True)
    rate_per_session = models.DecimalField(
        max_digits=8, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    capacity_per_month = models.PositiveSmallIntegerField(
        default=4, validators=[MaxValueValidator(60)], help_text="Sessions per month at most."
    )
    languages = models.CharField(max_length=200, default="English")
    region = models.CharField(max_length=30, blank=True)
    online_ok = models.BooleanField("happy to mentor online", default=True)
    time_zone = models.CharField(max_length=64, default="Europe/London")
    bio = models.TextField("public bio", blank=True)
    style_answers = models.JSONField(default=dict, blank=True)
    thinking_style = models.FloatField(default=0)
    interaction_style = models.FloatField(default=0)
    conflicts = models.ManyToManyField(
        "cohorts.Company",
        blank=True,
        related_name="+",
        help_text="Companies the mentor has a conflict of interest with (investor, competitor, "
        "family, former employer).",
    )
    interview_notes = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agreement_signed_at = models.DateTimeField(null=True, blank=True)
    conflicts_declared_at = models.DateTimeField(null=True, blank=True)
    induction_attended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="one_mentor_profile")
        ]

    def __str__(self) -> str:
        return self.user.display_name

    @property
    def induction_complete(self) -> bool:
        return bool(
            self.agreement_signed_at and self.conflicts_declared_at and self.induction_attended_at
        )

    @property
    def can_be_matched(self) -> bool:
        return self.status == self.Status.ACTIVE and self.induction_complete

    def expertise_labels(self) -> list[str]:
        return [Expertise(e).label for e in self.expertise if e in Expertise.values]


class MentoringSettings(TenantModel):
    """A programme's mentoring rules."""

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.CASCADE, related_name="mentoring_settings"
    )
    sessions_per_company = models.PositiveSmallIntegerField(
        default=6, help_text="The budget of mentor sessions each company may book."
    )
    session_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(15), MaxValueValidator(240)]
    )
    pay_mentee_no_show = models.BooleanField(
        "pay the mentor when the mentee does not show", default=True
    )

    def __str__(self) -> str:
        return f"Mentoring settings of {self.programme}"


class NeedsDiagnosis(TenantModel):
    """A growth adviser's diagnosis of an enrolled company's needs. The latest is current;
    earlier ones are kept when needs change."""

    enrolment = models.ForeignKey(
        "cohorts.Enrolment", on_delete=models.CASCADE, related_name="diagnoses"
    )
    company = models.ForeignKey("cohorts.Company", on_delete=models.CASCADE, related_name="+")
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    needs = models.JSONField(default=list, help_text="Expertise keys, most important first.")
    notes = models.TextField(blank=True)
    founder_style_answers = models.JSONField(default=dict, blank=True)
    founder_thinking_style = models.FloatField(null=True, blank=True)
    founder_interaction_style = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "needs diagnoses"

    def __str__(self) -> str:
        return f"Needs of {self.company} ({self.created_at:%d %b %Y})"

    def need_labels(self) -> list[str]:
        return [Expertise(n).label for n in self.needs if n in Expertise.values]


class Goal(TenantModel):
    diagnosis = models.ForeignKey(NeedsDiagnosis, on_delete=models.CASCADE, related_name="goals")
    text = models.CharField(max_length=300)
    target_date = models.DateField(null=True, blank=True)
    achieved = models.BooleanField(default=False)

    class Meta:
        ordering = ["target_date", "pk"]


class DiagnosisComment(TenantModel):
    """The SME's (or adviser's) comment on a diagnosis."""

    diagnosis = models.ForeignKey(NeedsDiagnosis, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]


class MentorMatch(TenantModel):
    """A proposed, accepted or ended pairing of a mentor and a company, with the score and
    the reasons that ranked the mentor, and why it ended."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed to the mentor"
        ACTIVE = "active", "Active"
        DECLINED = "declined", "Declined by the mentor"
        ENDED = "ended", "Ended"

    enrolment = models.ForeignKey(
        "cohorts.Enrolment", on_delete=models.CASCADE, related_name="mentor_matches"
    )
    company = models.ForeignKey("cohorts.Company", on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="matches")
    diagnosis = models.ForeignKey(
        NeedsDiagnosis, on_delete=models.SET_NULL, null=True, blank=True, related_name="matches"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    score = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    reasons = models.JSONField(default=list, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=300, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)
    mentor_agreed_at = models.DateTimeField(null=True, blank=True)
    company_agreed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            # A company has at most one live (proposed or active) match per enrolment.
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(status__in=["proposed", "active"]),
                name="one_live_match_per_enrolment",
            )
        ]

    def __str__(self) -> str:
        return f"{self.mentor} ↔ {self.company} ({self.get_status_display()})"

    @property
    def agreement_accepted(self) -> bool:
        return bool(self.mentor_agreed_at and self.company_agreed_at)


class AdviserContact(TenantModel):
    """An adviser's contact with a company, and when the next one is due."""

    class Kind(models.TextChoices):
        CALL = "call", "Call"
        MEETING = "meeting", "Meeting"
        EMAIL = "email", "E-mail"

    company = models.ForeignKey("cohorts.Company", on_delete=models.CASCADE, related_name="+")
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    happened_on = models.DateField(default=timezone.localdate)
    note = models.TextField(blank=True)
    next_contact_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-happened_on", "-pk"]


class AdviserDigest(TenantModel):
    """The weekly digest e-mail to one adviser: a row per week, sent once."""

    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    week_starting = models.DateField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "adviser", "week_starting"], name="one_digest_per_week"
            )
        ]


class WeeklyAvailability(TenantModel):
    """Recurring weekly hours, in the mentor's own time zone."""

    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="weekly_hours")
    weekday = models.PositiveSmallIntegerField(
        choices=[
            (0, "Monday"),
            (1, "Tuesday"),
            (2, "Wednesday"),
            (3, "Thursday"),
            (4, "Friday"),
            (5, "Saturday"),
            (6, "Sunday"),
        ]
    )
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["weekday", "start_time"]


class AvailabilitySlot(TenantModel):
    """A one-off window the mentor is available in (stored as instants, shown in the
    viewer's time zone)."""

    mentor = models.ForeignKey(
        MentorProfile, on_delete=models.CASCADE, related_name="one_off_slots"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at"]


class MentoringSession(TenantModel):
    """A booked mentor session. The database refuses a second live booking of the same
    mentor at the same start time (one_live_booking_per_slot)."""

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        CANCELLED = "cancelled", "Cancelled"
        HELD = "held", "Held"
        MENTEE_NO_SHOW = "mentee_no_show", "Mentee did not show"
        MENTOR_NO_SHOW = "mentor_no_show", "Mentor did not show"

    class Side(models.TextChoices):
        COMPANY = "company", "The company"
        MENTOR = "mentor", "The mentor"
        STAFF = "staff", "Programme staff"

    match = models.ForeignKey(MentorMatch, on_delete=models.CASCADE, related_name="sessions")
    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="sessions")
    company = models.ForeignKey("cohorts.Company", on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    online_link = models.URLField(blank=True)
    place = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.BOOKED)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    booked_at = models.DateTimeField(auto_now_add=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    cancelled_side = models.CharField(max_length=10, choices=Side.choices, blank=True)
    late_cancellation = models.BooleanField(default=False)
    notes = models.TextField("mentor's notes", blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)
    company_confirmed_at = models.DateTimeField(null=True, blank=True)
    company_rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    company_feedback = models.TextField(blank=True)
    fee = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    claim = models.ForeignKey(
        "FeeClaim", on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions"
    )

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "starts_at"],
                condition=~Q(status="cancelled"),
                name="one_live_booking_per_slot",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} with {self.company}, {self.starts_at:%d %b %Y %H:%M}"

    @property
    def is_past(self) -> bool:
        return self.ends_at <= timezone.now()

    def get_absolute_url(self) -> str:
        return reverse("my-mentoring:session", kwargs={"pk": self.pk})

    @property
    def is_late_cancel_window(self) -> bool:
        return self.starts_at - timezone.now() < timedelta(hours=24)


class SessionAction(TenantModel):
    """An action agreed in a session, with its owner and due date."""

    class Owner(models.TextChoices):
        COMPANY = "company", "The company"
        MENTOR = "mentor", "The mentor"

    session = models.ForeignKey(MentoringSession, on_delete=models.CASCADE, related_name="actions")
    text = models.CharField(max_length=300)
    owner = models.CharField(max_length=10, choices=Owner.choices, default=Owner.COMPANY)
    due_on = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)

    class Meta:
        ordering = ["due_on", "pk"]


class SessionReminder(TenantModel):
    """A reminder due before a session (24 hours and 1 hour): a row with a state, claimed
    under a lock and sent once."""

    class Kind(models.TextChoices):
        DAY_BEFORE = "24h", "24 hours before"
        HOUR_BEFORE = "1h", "1 hour before"

    session = models.ForeignKey(
        MentoringSession, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=4, choices=Kind.choices)
    due_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "kind"], name="one_reminder_per_kind")
        ]


class FeeClaim(TenantModel):
    """A mentor's monthly claim: held sessions (and paid no-shows) times the rate."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        QUERIED = "queried", "Queried"

    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="claims")
    month = models.DateField(help_text="The first day of the month claimed.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    amount = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    session_count = models.PositiveSmallIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    query_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-month", "mentor"]
        constraints = [
            models.UniqueConstraint(fields=["mentor", "month"], name="one_claim_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.mentor} – {self.month:%B %Y}"
