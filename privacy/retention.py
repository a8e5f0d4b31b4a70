"""Retention: each programme says how long personal data is kept after it ends
(Programme.retention_months; blank keeps it). Once that date has passed, a periodic sweep
anonymises what the organisation holds only because of the programme, and records a
RetentionRun with counts. The run is claimed under a row lock and the one-run-per-programme
constraint, so two workers or a retry never run it twice."""

from __future__ import annotations

import datetime
from collections import Counter

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from activities.models import (
    ChallengeProposal,
    CompetitorDeclaration,
    ConsortiumMember,
    MissionDelegate,
    PeerGroupMember,
    Registration,
)
from cohorts.models import Application, ApplicationStatus, Company, Enrolment
from portal.tenancy import scopes_disabled
from privacy.anonymise import anonymise_company, scrub_applications
from privacy.models import RetentionRun
from programmes.models import Programme


def programmes_due(*, today: datetime.date) -> list[Programme]:
    """Programmes whose end date plus retention has passed and that have not been swept.
    Crosses tenants (a periodic sweep)."""
    with scopes_disabled():
        candidates = Programme.objects.filter(
            end_date__isnull=False,
            end_date__lte=today,
            retention_months__isnull=False,
            retention_run__isnull=True,
        ).order_by("end_date", "pk")
        return [p for p in candidates if p.retention_until <= today]


# Rows that tie a company to a programme of the organisation, and the path from each to its
# programme. A challenge need not belong to a programme: a proposal to one that does not
# ties the company to the organisation as a whole (never "only here").
PROGRAMME_ROWS = (
    (Application, "cohort__programme"),
    (Enrolment, "cohort__programme"),
    (Registration, "event__programme"),
    (MissionDelegate, "mission__programme"),
    (PeerGroupMember, "group__cohort__programme"),
    (ConsortiumMember, "consortium__programme"),
    (ChallengeProposal, "challenge__programme"),
    (CompetitorDeclaration, "cohort__programme"),
)


def companies_only_here(programme: Programme):
    """Companies that took part in this programme (applied, enrolled, or joined one of its
    activities) and whose every application, enrolment and activity row with the
    programme's organisation belongs to it."""
    organisation_id = programme.organisation_id
    here = Q()
    companies = Company.objects.all()
    for model, path in PROGRAMME_ROWS:
        rows = model.objects.filter(company=OuterRef("pk"))
        here |= Exists(rows.filter(**{path: programme}))
        companies = companies.exclude(
            Exists(rows.filter(organisation_id=organisation_id).exclude(**{path: programme}))
        )
    return companies.filter(here).order_by("pk")


def anonymise_programme(programme: Programme) -> dict[str, int]:
    """Anonymise the personal data held for an ended programme: companies whose only link
    to the organisation is this programme (in full, see anonymise_company), and the
    applications of applicants not selected for it. Impact figures stay."""
    counts: Counter = Counter()
    with scopes_disabled():
        only_here = list(companies_only_here(programme))
        for company in only_here:
            counts.update(anonymise_company(company=company, organisation=programme.organisation))
        counts["companies anonymised"] += len(only_here)
        selected = Enrolment.objects.filter(
            cohort_id=OuterRef("cohort_id"), company_id=OuterRef("company_id")
        )
        not_selected = (
            Application.objects.filter(cohort__programme=programme)
            .exclude(status=ApplicationStatus.ACCEPTED)
            .exclude(Exists(selected))
            .exclude(company__in=only_here)
        )
        scrubbed = scrub_applications(not_selected)
        counts.update(scrubbed)
        counts["applicants not selected"] += scrubbed["applications"]
    return {key: value for key, value in counts.items() if value}


def retention_apply(*, programme_id: int, today: datetime.date) -> RetentionRun | None:
    """Sweep one programme if it is due and nobody has: lock the programme's row (skipping
    it if another worker holds it), check, anonymise, record. Returns the run, or None."""
    with scopes_disabled(), transaction.atomic():
        programme = (
            Programme.objects.select_for_update(skip_locked=True)
            .select_related("organisation")
            .filter(pk=programme_id)
            .first()
        )
        if programme is None or RetentionRun.objects.filter(programme=programme).exists():
            return None
        due_on = programme.retention_until
        if due_on is None or due_on > today:
            return None
        counts = anonymise_programme(programme)
        try:
            with transaction.atomic():
                return RetentionRun.objects.create(
                    organisation=programme.organisation,
                    programme=programme,
                    due_on=due_on,
                    counts=counts,
                )
        except IntegrityError:
            # Another worker recorded the run first (a database without row locks): undo
            # ours; theirs did the same work.
            transaction.set_rollback(True)
            return None


def retention_sweep(*, today: datetime.date | None = None) -> int:
    """Run every due programme's retention once. Returns how many ran."""
    today = today or timezone.localdate()
    ran = 0
    for programme in programmes_due(today=today):
        if retention_apply(programme_id=programme.pk, today=today) is not None:
            ran += 1
    return ran
