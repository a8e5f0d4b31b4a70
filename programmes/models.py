"""Programmes, their funders and grants, eligibility rules and outcome targets."""

from __future__ import annotations

import calendar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from portal.taxonomy import Region, Sector, TurnoverBand
from portal.tenancy import TenantModel


class SupportKind(models.TextChoices):
    """Kinds of support a programme offers: the third filter of the directory of calls."""

    TRADE_MISSIONS = "trade_missions", "Trade missions"
    MENTORING = "mentoring", "Mentoring"
    WORKSHOPS = "workshops", "Workshops and masterclasses"
    ONE_TO_ONE = "one_to_one", "One-to-one adviser support"
    PEER_GROUPS = "peer_groups", "Peer groups and coaching circles"
    FINANCE = "finance", "Access to finance and investors"
    EXPORT_CONSORTIA = "export_consortia", "Export consortia"
    INNOVATION = "innovation", "Innovation challenges"


class OutcomeKey(models.TextChoices):
    """The standard outcomes funders ask about. Stable keys: the Impact issue reports on
    them across programmes and cohorts."""

    JOBS_CREATED = "jobs_created", "Created jobs"
    NEW_DEALS = "new_deals", "Signed new deals"
    NEW_MARKETS = "new_markets", "Entered new markets"
    FURTHER_FUNDING = "further_funding", "Secured further funding"
    NEW_OFFICES = "new_offices", "Opened new offices"
    EXPORT_GROWTH = "export_growth", "Grew export sales"


TURNOVER_ORDER = {value: index for index, value in enumerate(TurnoverBand.values)}


class Funder(TenantModel):
    """A funding body behind one or more programmes (a city, a LEP, a bank, a foundation)."""

    name = models.CharField(max_length=200)
    website = models.URLField(blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    notes = models.TextField(blank=True)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="funder_links",
        help_text="Members with the funder role who speak for this funder: they see only "
        "the programmes it funds.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="funder_name_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class Programme(TenantModel):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80)
    summary = models.CharField(
        max_length=300, help_text="One or two sentences shown in the directory of calls."
    )
    description = models.TextField(blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    sectors = models.JSONField(
        default=list, blank=True, help_text="Sectors served; none means every sector."
    )
    regions = models.JSONField(
        default=list, blank=True, help_text="Regions eligible; none means anywhere."
    )
    support_kinds = models.JSONField(default=list, blank=True)
    min_employees = models.PositiveIntegerField(null=True, blank=True)
    max_employees = models.PositiveIntegerField(null=True, blank=True)
    min_turnover_band = models.CharField(max_length=20, choices=TurnoverBand.choices, blank=True)
    max_turnover_band = models.CharField(max_length=20, choices=TurnoverBand.choices, blank=True)
    min_years_trading = models.PositiveSmallIntegerField(null=True, blank=True)
    max_years_trading = models.PositiveSmallIntegerField(null=True, blank=True)
    delivery_partners = models.ManyToManyField(
        "portal.Organisation", blank=True, related_name="delivered_programmes"
    )
    funders = models.ManyToManyField(Funder, through="Grant", related_name="programmes")
    retention_months = models.PositiveSmallIntegerField(
        "keep personal data for (months after the end)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(600)],
        help_text="After this many months past the end date, personal data held for the "
        "programme is anonymised; impact figures stay. Leave blank to keep it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="programme_slug_per_org")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "programmes:programme-detail",
            kwargs={"org_slug": self.organisation.slug, "pk": self.pk},
        )

    def clean(self):
        errors = {}
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = "The programme cannot end before it starts."
        if (
            self.min_employees is not None
            and self.max_employees is not None
            and self.min_employees > self.max_employees
        ):
            errors["max_employees"] = "The maximum is below the minimum."
        if (
            self.min_turnover_band
            and self.max_turnover_band
            and TURNOVER_ORDER[self.min_turnover_band] > TURNOVER_ORDER[self.max_turnover_band]
        ):
            errors["max_turnover_band"] = "The maximum band is below the minimum band."
        if (
            self.min_years_trading is not None
            and self.max_years_trading is not None
            and self.min_years_trading > self.max_years_trading
        ):
            errors["max_years_trading"] = "The maximum is below the minimum."
        for field, choices in (
            ("sectors", Sector),
            ("regions", Region),
            ("support_kinds", SupportKind),
        ):
            unknown = set(getattr(self, field) or []) - set(choices.values)
            if unknown:
                errors[field] = f"Unknown values: {', '.join(sorted(unknown))}."
        if errors:
            raise ValidationError(errors)

    @property
    def retention_until(self):
        """The day personal data held for the programme is anonymised, or None (kept)."""
        if self.end_date is None or self.retention_months is None:
            return None
        # Calendar months, the last day of a shorter month standing in (31 Jan + 1 = 28 Feb).
        year, month = divmod(self.end_date.month - 1 + self.retention_months, 12)
        year += self.end_date.year
        last_day = calendar.monthrange(year, month + 1)[1]
        return self.end_date.replace(
            year=year, month=month + 1, day=min(self.end_date.day, last_day)
        )

    # Labels for templates.
    def sector_labels(self) -> list[str]:
        return [Sector(v).label for v in self.sectors]

    def region_labels(self) -> list[str]:
        return [Region(v).label for v in self.regions]

    def support_labels(self) -> list[str]:
        return [SupportKind(v).label for v in self.support_kinds]


class Grant(TenantModel):
    """One funder's grant to one programme: amount and period."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="grants")
    funder = models.ForeignKey(Funder, on_delete=models.PROTECT, related_name="grants")
    amount = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    start_date = models.DateField()
    end_date = models.DateField()
    reference = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["start_date"]

    def __str__(self) -> str:
        return f"{self.funder} → {self.programme}: £{self.amount:,.0f}"

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The grant period cannot end before it starts."})


class OutcomeTarget(TenantModel):
    """A target such as “40% of companies create jobs”."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="targets")
    outcome = models.CharField(max_length=30, choices=OutcomeKey.choices)
    target_percent = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["outcome"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "outcome"], name="one_target_per_outcome")
        ]

    def __str__(self) -> str:
        return f"{self.target_percent}% of companies: {self.get_outcome_display().lower()}"
