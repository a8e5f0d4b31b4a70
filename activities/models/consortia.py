"""Export consortia: three or more companies with a common international plan, at least one
of which already exports (the rule lives in activities.consortia, which saves a consortium
and its members together)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

from portal.tenancy import TenantModel

MIN_CONSORTIUM_MEMBERS = 3


class ExportConsortium(TenantModel):
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="export_consortia"
    )
    cohort = models.ForeignKey(
        "cohorts.Cohort", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=200)
    target_markets = models.JSONField(
        default=list, help_text="Countries the consortium plans to enter together."
    )
    plan_summary = models.TextField("joint international plan", blank=True)
    plan_document = models.FileField(upload_to="consortia/%Y/", blank=True)
    support_starts_on = models.DateField()
    support_ends_on = models.DateField()
    costs_supported = models.DecimalField(
        "costs supported (£)",
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "export consortia"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "activities:consortium-detail",
            kwargs={"org_slug": self.organisation.slug, "pk": self.pk},
        )

    def clean(self):
        errors = {}
        if (
            self.support_starts_on
            and self.support_ends_on
            and self.support_ends_on <= self.support_starts_on
        ):
            errors["support_ends_on"] = "The support period must end after it starts."
        if not self.target_markets:
            errors["target_markets"] = "Name at least one target market."
        if errors:
            raise ValidationError(errors)


class ConsortiumMember(TenantModel):
    consortium = models.ForeignKey(
        ExportConsortium, on_delete=models.CASCADE, related_name="members"
    )
    company = models.ForeignKey(
        "cohorts.Company", on_delete=models.CASCADE, related_name="consortium_memberships"
    )
    is_lead = models.BooleanField("lead company", default=False)

    class Meta:
        ordering = ["-is_lead", "company__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["consortium", "company"], name="one_membership_per_consortium"
            )
        ]


class ConsortiumMilestone(TenantModel):
    consortium = models.ForeignKey(
        ExportConsortium, on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(max_length=200)
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on"]
