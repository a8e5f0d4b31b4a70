"""Companies (SMEs) and, in later issues, cohorts, applications and enrolments."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from portal.taxonomy import Region, Sector, TurnoverBand


def _current_year() -> int:
    return timezone.now().year


class Company(models.Model):
    """An SME. Global, not tenant-owned: one company deals with several organisations, and a
    tenant sees it only through that company's applications and enrolments with it."""

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
