"""Reads for companies, cohorts, applications and review, shared by the SME's pages, staff
pages, the public directory and exports. Aggregates run in SQL."""

from __future__ import annotations

from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from cohorts.models import (
    Application,
    ApplicationStatus,
    Cohort,
    CohortStatus,
    Company,
    Enrolment,
    Review,
)

# --- The SME's own records (cross-tenant by design: /my/ gathers everything) ---------------


def companies_of_user(*, user):
    """The companies a user acts for: the only companies their /my/ pages may show."""
    return Company.objects.filter(memberships__user=user).order_by("name")


def applications_of_user(*, user) -> QuerySet[Application]:
    """Every application of every company the user acts for, across organisations.

    The SME front door crosses tenants on purpose; the filter on the user's own companies
    is what fences it."""
    return (
        Application.objects.with_scopes_disabled()
        .filter(company__memberships__user=user)
        .select_related("cohort__programme", "organisation", "company")
        .order_by("-updated_at")
    )


def enrolments_of_user(*, user) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.with_scopes_disabled()
        .filter(company__memberships__user=user)
        .select_related("cohort__programme", "organisation", "company")
        .order_by("-enrolled_at")
    )


# --- The public directory of open calls -----------------------------------------------------


def open_calls(
    *, sector: str = "", region: str = "", support: str = "", organisation=None
) -> QuerySet[Cohort]:
    """Cohorts accepting applications now, across organisations (or of one), filtered by
    sector, region and kind of support. A programme with no sector (region) rule counts as
    open to every sector (region)."""
    now = timezone.now()
    calls = (
        Cohort.objects.with_scopes_disabled()
        .filter(
            status=CohortStatus.OPEN,
            applications_open_at__lte=now,
            applications_close_at__gt=now,
        )
        .select_related("programme", "organisation")
        .order_by("applications_close_at", "pk")
    )
    if organisation is not None:
        calls = calls.filter(organisation=organisation)
    if sector:
        calls = calls.filter(
            Q(programme__sectors=[]) | Q(programme__sectors__icontains=f'"{sector}"')
        )
    if region:
        calls = calls.filter(
            Q(programme__regions=[]) | Q(programme__regions__icontains=f'"{region}"')
        )
    if support:
        calls = calls.filter(programme__support_kinds__icontains=f'"{support}"')
    return calls


def public_call(*, org_slug: str, pk: int) -> Cohort | None:
    """One open (or recently closed) call for its public page."""
    return (
        Cohort.objects.with_scopes_disabled()
        .filter(organisation__slug=org_slug, pk=pk)
        .exclude(status=CohortStatus.DRAFT)
        .select_related("programme", "organisation")
        .first()
    )


# --- Staff views of a cohort ----------------------------------------------------------------


def rank_applications(applications: QuerySet[Application]) -> QuerySet[Application]:
    """Annotate mean, lowest and highest weighted review score and the number of submitted
    reviews; best first, unreviewed last."""
    submitted = Q(reviews__submitted_at__isnull=False)
    return applications.annotate(
        mean_score=Avg("reviews__weighted_score", filter=submitted),
        min_score=Min("reviews__weighted_score", filter=submitted),
        max_score=Max("reviews__weighted_score", filter=submitted),
        reviews_done=Count("reviews", filter=submitted),
        reviews_assigned=Count("reviews"),
    ).order_by(F("mean_score").desc(nulls_last=True), "submitted_at", "pk")


BOARD_STATUSES = [
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.WAITLISTED,
    ApplicationStatus.ACCEPTED,
    ApplicationStatus.REJECTED,
    ApplicationStatus.WITHDRAWN,
]


def application_board(
    *,
    cohort: Cohort,
    status: str = "",
    sector: str = "",
    region: str = "",
    q: str = "",
    reviewed: str = "",
) -> QuerySet[Application]:
    """The ranked board of a cohort's submitted applications, with filters."""
    applications = cohort.applications.exclude(status=ApplicationStatus.DRAFT).select_related(
        "company"
    )
    if status:
        applications = applications.filter(status=status)
    if sector:
        applications = applications.filter(company_snapshot__sector=sector)
    if region:
        applications = applications.filter(company_snapshot__region=region)
    if q:
        applications = applications.filter(company__name__icontains=q)
    if reviewed == "yes":
        applications = applications.filter(review_count__gt=0)
    elif reviewed == "no":
        applications = applications.filter(review_count=0)
    return rank_applications(applications)


def has_submitted_applications(cohort: Cohort) -> bool:
    """Whether any application has been submitted: from then on the form is fixed."""
    return cohort.applications.exclude(status=ApplicationStatus.DRAFT).exists()


def has_submitted_reviews(cohort: Cohort) -> bool:
    """Whether any review is in: from then on the criteria are fixed."""
    return Review.objects.filter(application__cohort=cohort, submitted_at__isnull=False).exists()


def status_counts(*, cohort: Cohort) -> dict[str, int]:
    rows = cohort.applications.values("status").annotate(n=Count("pk"))
    counts = {row["status"]: row["n"] for row in rows}
    return {status: counts.get(status, 0) for status in ApplicationStatus.values}


def cohort_roster(*, cohort: Cohort) -> QuerySet[Enrolment]:
    return cohort.enrolments.select_related("company", "application").order_by(
        "status", "company__name"
    )


def count_of(queryset: QuerySet, *, outer: str) -> Coalesce:
    """A correlated COUNT(*) of `queryset` rows whose `outer` field is the outer row: one
    subquery per counted relation, so counting two relations never multiplies the join."""
    counted = (
        queryset.filter(**{outer: OuterRef("pk")})
        .order_by()
        .values(outer)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


TAKING_PART = [Enrolment.Status.ACTIVE, Enrolment.Status.COMPLETED]


def cohorts_with_counts(*, organisation, programme=None) -> QuerySet[Cohort]:
    cohorts = Cohort.objects.filter(organisation=organisation).select_related("programme")
    if programme is not None:
        cohorts = cohorts.filter(programme=programme)
    applications = Application.objects.filter(organisation=organisation)
    enrolments = Enrolment.objects.filter(organisation=organisation)
    return cohorts.annotate(
        submitted_count=count_of(
            applications.exclude(status=ApplicationStatus.DRAFT), outer="cohort"
        ),
        enrolled_count=count_of(enrolments.filter(status__in=TAKING_PART), outer="cohort"),
    )


def reviews_for_reviewer(*, organisation, user) -> QuerySet[Review]:
    return (
        Review.objects.filter(organisation=organisation, reviewer=user)
        .select_related("application__company", "application__cohort__programme")
        .order_by(F("submitted_at").desc(nulls_first=True), "created_at")
    )


def review_pool(*, organisation, user) -> QuerySet[Application]:
    """Submitted applications in cohorts that are open or selecting, with fewer reviews than
    their cohort's target, that this user is not already reviewing."""
    mine = Review.objects.filter(application=OuterRef("pk"), reviewer=user)
    return (
        Application.objects.filter(
            organisation=organisation,
            status=ApplicationStatus.SUBMITTED,
            cohort__status__in=[CohortStatus.OPEN, CohortStatus.SELECTING],
        )
        .annotate(assigned=Count("reviews"), mine=Exists(mine))
        .filter(mine=False, assigned__lt=F("cohort__reviews_per_application"))
        .select_related("company", "cohort__programme")
        .order_by("assigned", "submitted_at", "pk")
    )


def applications_short_of_reviews(*, cohort: Cohort) -> QuerySet[Application]:
    """Submitted applications with fewer reviewers than the cohort's target."""
    return (
        cohort.applications.filter(status=ApplicationStatus.SUBMITTED)
        .annotate(assigned=Count("reviews"))
        .filter(assigned__lt=cohort.reviews_per_application)
        .select_related("company")
        .order_by("assigned", "submitted_at", "pk")
    )


def reviewer_load(*, cohort: Cohort):
    """How many reviews each reviewer has in a cohort, and how many are done."""
    return (
        Review.objects.filter(application__cohort=cohort)
        .values("reviewer_id", "reviewer__email", "reviewer__first_name", "reviewer__last_name")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(submitted_at__isnull=False)))
        .order_by("reviewer__email")
    )


def application_for_staff(*, organisation, pk: int) -> Application:
    """One application with what its staff page shows, or DoesNotExist."""
    return (
        # A draft is the applicant's own until they submit it.
        Application.objects.filter(organisation=organisation)
        .exclude(status=ApplicationStatus.DRAFT)
        .select_related("company", "cohort__programme", "created_by")
        .prefetch_related(
            Prefetch(
                "reviews",
                queryset=Review.objects.select_related("reviewer").prefetch_related(
                    "scores__criterion"
                ),
            ),
            "status_changes__changed_by",
            "files__question",
        )
        .get(pk=pk)
    )


def companies_of_organisation(*, organisation) -> QuerySet[Company]:
    """Companies this organisation knows: those with a submitted application or an
    enrolment with it. Anything else about a company is not the organisation's to see."""
    with_application = (
        Application.objects.with_scopes_disabled()
        .filter(company=OuterRef("pk"), organisation=organisation)
        .exclude(status=ApplicationStatus.DRAFT)
    )
    with_enrolment = Enrolment.objects.with_scopes_disabled().filter(
        company=OuterRef("pk"), organisation=organisation
    )
    return Company.objects.filter(Q(Exists(with_application)) | Q(Exists(with_enrolment)))
