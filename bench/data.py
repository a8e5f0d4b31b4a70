"""Benchmark data at scale, inserted in bulk: 100,000 companies enrolled in one programme's
cohorts, each with a baseline and a submitted 12-month follow-up survey (ten outcome answers
each: 1,000,000 answers), plus cohorts with 10, 50 and 1,000 submitted applications for the
application board, and a 10,000-company cohort for planning survey invitations."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

BENCH_SLUG = "bench-org"
PASSWORD_UNUSABLE = "!bench"  # noqa: S105 - an unusable hash: nobody signs in as these


def _companies(n: int, rng: random.Random, prefix: str):
    from cohorts.models import Company
    from portal.taxonomy import Region, Sector, TurnoverBand

    sectors, regions, bands = Sector.values, Region.values, TurnoverBand.values
    rows = [
        Company(
            name=f"{prefix} {i:06d} Ltd",
            registration_number=f"{prefix[:2].upper()}{i:06d}",
            sector=rng.choice(sectors),
            region=rng.choice(regions),
            year_founded=rng.randint(1990, 2024),
            employees=rng.randint(1, 250),
            turnover_band=rng.choice(bands),
            exports=rng.random() < 0.4,
        )
        for i in range(n)
    ]
    return Company.objects.bulk_create(rows, batch_size=5000)


def build(*, companies: int = 100_000, per_cohort: int = 1000, log=print) -> dict:
    """Create the data once; returns the ids the benchmarks need."""
    from cohorts.models import (
        Application,
        ApplicationStatus,
        Cohort,
        CohortStatus,
        CompanyMember,
        Enrolment,
    )
    from impact.models import Baseline, CaseNote, SurveyResponse, SurveySchedule
    from portal.models import Membership, Organisation
    from portal.roles import Role
    from portal.tenancy import scopes_disabled
    from programmes.models import Programme

    rng = random.Random(2026)
    User = get_user_model()
    today = timezone.localdate()
    with scopes_disabled():
        org = Organisation.objects.filter(slug=BENCH_SLUG).first()
        if org is not None:
            return ids()
        org = Organisation.objects.create(name="Bench Growth Hub", slug=BENCH_SLUG)
        manager = User.objects.create_user(email="bench-manager@example.org", password=None)
        Membership.objects.create(organisation=org, user=manager, role=Role.PROGRAMME_MANAGER)
        programme = Programme.objects.create(
            organisation=org,
            name="Bench International Programme",
            slug="bench",
            summary="The programme the report figures are measured on.",
            start_date=datetime.date(2020, 1, 1),
        )
        log(f"  {companies:,} companies …")
        pool = _companies(companies, rng, "Bench")
        n_cohorts = max(1, companies // per_cohort)
        cohorts = Cohort.objects.bulk_create(
            [
                Cohort(
                    organisation=org,
                    programme=programme,
                    number=i + 1,
                    start_date=datetime.date(2020, 1, 1) + datetime.timedelta(days=30 * i),
                    end_date=datetime.date(2020, 6, 1) + datetime.timedelta(days=30 * i),
                    capacity=per_cohort,
                    applications_open_at=timezone.now() - datetime.timedelta(days=2000),
                    applications_close_at=timezone.now() - datetime.timedelta(days=1900),
                    status=CohortStatus.COMPLETED,
                )
                for i in range(n_cohorts)
            ]
        )
        log(f"  {len(pool):,} enrolments and baselines …")
        enrolments = Enrolment.objects.bulk_create(
            [
                Enrolment(
                    organisation=org,
                    cohort=cohorts[i // per_cohort % n_cohorts],
                    company=company,
                    status=Enrolment.Status.COMPLETED,
                )
                for i, company in enumerate(pool)
            ],
            batch_size=5000,
        )
        Baseline.objects.bulk_create(
            [
                Baseline(
                    organisation=org,
                    enrolment=e,
                    company_id=e.company_id,
                    employees=rng.randint(1, 200),
                    turnover=Decimal(rng.randint(50, 5000) * 1000),
                    export_sales=Decimal(rng.randint(0, 800) * 1000),
                )
                for e in enrolments
            ],
            batch_size=5000,
        )
        log(f"  {len(pool):,} follow-up responses (×10 answers) …")
        responses = []
        for e in enrolments:
            deals = rng.random() < 0.49
            funding = rng.random() < 0.36
            responses.append(
                SurveyResponse(
                    organisation=org,
                    programme=programme,
                    cohort_id=e.cohort_id,
                    company_id=e.company_id,
                    round_months=12,
                    source="web",
                    responded_on=today - datetime.timedelta(days=rng.randint(1, 900)),
                    submitted_at=timezone.now(),
                    jobs_created=rng.choice([0, 0, 1, 2, 3, 5, 8]),
                    new_deals=deals,
                    deals_count=rng.randint(1, 5) if deals else 0,
                    deals_value=Decimal(rng.randint(5, 500) * 1000) if deals else None,
                    new_markets=rng.random() < 0.45,
                    further_funding=funding,
                    funding_amount=Decimal(rng.randint(10, 2000) * 1000) if funding else None,
                    new_offices=rng.random() < 0.18,
                    turnover=Decimal(rng.randint(50, 6000) * 1000),
                    profit=Decimal(rng.randint(-200, 900) * 1000),
                    export_sales=Decimal(rng.randint(0, 900) * 1000),
                    attribution=rng.choice(["none", "partly", "mostly"]),
                )
            )
        SurveyResponse.objects.bulk_create(responses, batch_size=5000)
        CaseNote.objects.bulk_create(
            [
                CaseNote(
                    organisation=org,
                    programme=programme,
                    title=f"Case {i + 1}: a manufacturer entering a new market",
                    text=" ".join(
                        [
                            "The company joined the programme with one export customer and a "
                            "plan to enter the German market; the mission introduced it to "
                            "three distributors, one of which signed within six months."
                        ]
                        * 8
                    ),
                )
                for i in range(40)
            ]
        )

        # The application board at three sizes.
        log("  application boards of 10, 50 and 1,000 …")
        board_pool = _companies(1060, rng, "Applicant")
        boards = {}
        start = 0
        for size in (10, 50, 1000):
            cohort = Cohort.objects.create(
                organisation=org,
                programme=programme,
                number=n_cohorts + len(boards) + 1,
                name=f"Board of {size}",
                start_date=today + datetime.timedelta(days=60),
                end_date=today + datetime.timedelta(days=240),
                capacity=size,
                applications_open_at=timezone.now() - datetime.timedelta(days=30),
                applications_close_at=timezone.now() - datetime.timedelta(days=1),
                status=CohortStatus.SELECTING,
            )
            Application.objects.bulk_create(
                [
                    Application(
                        organisation=org,
                        cohort=cohort,
                        company=company,
                        status=ApplicationStatus.SUBMITTED,
                        submitted_at=timezone.now(),
                        company_snapshot={"name": company.name, "sector": company.sector},
                        answers={},
                    )
                    for company in board_pool[start : start + size]
                ]
            )
            start += size
            boards[size] = cohort.pk

        # Survey planning: a programme whose one cohort of 10,000 has ended.
        log("  a 10,000-company cohort for survey planning …")
        planning = Programme.objects.create(
            organisation=org,
            name="Bench Planning Programme",
            slug="bench-planning",
            summary="Survey invitations are planned for this programme.",
            start_date=today - datetime.timedelta(days=400),
        )
        planning_cohort = Cohort.objects.create(
            organisation=org,
            programme=planning,
            number=1,
            start_date=today - datetime.timedelta(days=400),
            end_date=today - datetime.timedelta(days=10),
            capacity=10_000,
            applications_open_at=timezone.now() - datetime.timedelta(days=500),
            applications_close_at=timezone.now() - datetime.timedelta(days=450),
            status=CohortStatus.COMPLETED,
        )
        planned = _companies(10_000, rng, "Planned")
        users = User.objects.bulk_create(
            [
                User(email=f"founder{i:05d}@planned.example", password=PASSWORD_UNUSABLE)
                for i in range(len(planned))
            ],
            batch_size=5000,
        )
        CompanyMember.objects.bulk_create(
            [
                CompanyMember(company=c, user=u, role=CompanyMember.Role.OWNER)
                for c, u in zip(planned, users, strict=True)
            ],
            batch_size=5000,
        )
        Enrolment.objects.bulk_create(
            [Enrolment(organisation=org, cohort=planning_cohort, company=c) for c in planned],
            batch_size=5000,
        )
        SurveySchedule.objects.create(
            organisation=org,
            programme=planning,
            name="Bench follow-up",
            anchor="cohort_end",
            offset_months=0,
        )
    return ids()


def ids() -> dict:
    from cohorts.models import Cohort
    from portal.models import Organisation
    from portal.tenancy import scopes_disabled
    from programmes.models import Programme

    with scopes_disabled():
        org = Organisation.objects.get(slug=BENCH_SLUG)
        boards = {
            int(name.split()[-1].replace(",", "")): pk
            for name, pk in Cohort.objects.filter(
                organisation=org, name__startswith="Board of"
            ).values_list("name", "pk")
        }
        return {
            "org": org.pk,
            "slug": org.slug,
            "programme": Programme.objects.get(organisation=org, slug="bench").pk,
            "planning_programme": Programme.objects.get(organisation=org, slug="bench-planning").pk,
            "boards": boards,
            "manager_email": "bench-manager@example.org",
        }
