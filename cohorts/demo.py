"""Demo programmes, cohorts, applications, reviews and enrolments for `seed_demo`.

Modelled on the seed texts: an international business programme whose first three cohorts
enrolled 213 scaleups from the tech, life sciences and urban sectors, with a fourth cohort
open for applications; a growth hub's Ignite2Scale scheme; a partnership's export consortia
call. Generated rows are deterministic (a seeded random generator) and built once per
cohort: a cohort that already exists is left as it is, so running the command again
changes nothing."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.db.models import Avg
from django.utils import timezone

from cohorts.models import (
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    Cohort,
    CohortStatus,
    CohortStatusChange,
    Company,
    CompanyMember,
    Criterion,
    Enrolment,
    Question,
    QuestionKind,
    Review,
    Score,
)
from cohorts.services import company_snapshot, weighted_score
from portal.models import Membership, User
from portal.roles import Role
from portal.taxonomy import Region, Sector, TurnoverBand
from portal.tenancy import tenant_scope
from programmes.models import Funder, Grant, OutcomeTarget, Programme

NAME_PARTS = {
    Sector.TECH: (
        [
            "Lumen",
            "Quanta",
            "Vertex",
            "Kite",
            "Orbit",
            "Pixel",
            "Cobalt",
            "Signal",
            "Arc",
            "Nimbus",
            "Tessel",
            "Flux",
            "Beacon",
            "Lattice",
            "Ember",
        ],
        ["Analytics", "Labs", "Systems", "AI", "Cloud", "Software", "Data", "Security"],
    ),
    Sector.LIFE_SCIENCES: (
        ["Helix", "Cura", "Nova", "Vita", "Genea", "Osteo", "Pulse", "Cellar", "Medi", "Thera"],
        ["Therapeutics", "Diagnostics", "Bio", "Genomics", "Health", "Medical"],
    ),
    Sector.URBAN: (
        ["Civic", "Terra", "Metro", "Grid", "Canal", "Brick", "Solar", "Tide", "Green", "Hearth"],
        ["Mobility", "Energy", "Build", "Spaces", "Water", "Logistics"],
    ),
}
MARKETS = [
    "United States",
    "Germany",
    "France",
    "Netherlands",
    "Spain",
    "Finland",
    "China",
    "Singapore",
    "Canada",
    "United Arab Emirates",
    "Japan",
    "Sweden",
]
FIRST_NAMES = [
    "Amara",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hugo",
    "Isla",
    "Jonas",
    "Kemi",
    "Leo",
    "Maya",
    "Nikhil",
    "Olga",
    "Priya",
    "Quentin",
    "Rosa",
    "Sam",
    "Tariq",
]
LAST_NAMES = [
    "Adeyemi",
    "Brennan",
    "Chen",
    "Dubois",
    "Evans",
    "Fischer",
    "Gupta",
    "Hughes",
    "Ivanova",
    "Jones",
    "Kowalski",
    "Lopez",
    "Murphy",
    "Nakamura",
    "Okafor",
    "Patel",
]
COMMENTS = [
    "Clear plan for the target market and a team that has sold abroad before.",
    "Strong product; the international plan needs more detail on channels.",
    "Good traction at home, early on export readiness; mentoring would help.",
    "Ambitious and credible. Would benefit most from the US mission.",
    "Promising, but the funding runway looks short for a year-long programme.",
]


@dataclass(frozen=True)
class CohortSpec:
    number: int
    name: str
    start: date
    end: date
    opens: date
    closes: date
    status: str
    capacity: int
    applicants: int  # submitted applications to generate
    drafts: int = 0


def _aware(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _ibp_cohorts(today: date) -> list[CohortSpec]:
    year = today.year
    return [
        CohortSpec(
            1,
            f"Spring {year - 3}",
            date(year - 3, 3, 1),
            date(year - 3, 12, 15),
            date(year - 4, 11, 1),
            date(year - 4, 12, 15),
            CohortStatus.COMPLETED,
            71,
            96,
        ),
        CohortSpec(
            2,
            f"Spring {year - 2}",
            date(year - 2, 3, 1),
            date(year - 2, 12, 15),
            date(year - 3, 11, 1),
            date(year - 3, 12, 15),
            CohortStatus.COMPLETED,
            71,
            104,
        ),
        CohortSpec(
            3,
            f"Spring {year - 1}",
            date(year - 1, 3, 1),
            today + timedelta(days=45),
            date(year - 2, 11, 1),
            date(year - 2, 12, 15),
            CohortStatus.RUNNING,
            71,
            112,
        ),
        CohortSpec(
            4,
            f"Spring {year + 1}",
            date(year + 1, 3, 1),
            date(year + 1, 12, 15),
            today - timedelta(days=20),
            today + timedelta(days=21),
            CohortStatus.OPEN,
            60,
            38,
            drafts=9,
        ),
    ]


PROGRAMMES = [
    {
        "organisation": "capital-trade",
        "slug": "international-business-programme",
        "name": "International Business Programme",
        "summary": (
            "Trade missions, mentoring and workshops for tech, life sciences and urban "
            "scaleups ready to win customers abroad."
        ),
        "description": (
            "Each cohort prepares an international expansion strategy with mentors and "
            "workshops, meets large corporates as potential customers, and travels on trade "
            "missions to cities such as San Diego, New York, Cologne, Barcelona and Helsinki. "
            "Peer-to-peer networking runs throughout."
        ),
        "sectors": [Sector.TECH, Sector.LIFE_SCIENCES, Sector.URBAN],
        "regions": [Region.LONDON],
        "support_kinds": ["trade_missions", "mentoring", "workshops", "peer_groups"],
        "min_employees": 5,
        "min_years_trading": 2,
        "funders": [
            ("City Hall Growth Fund", Decimal("1800000"), "CHGF-IBP"),
            ("Regional Development Fund", Decimal("950000"), "RDF-2023-114"),
        ],
        "targets": {
            "jobs_created": 60,
            "new_deals": 40,
            "new_markets": 40,
            "further_funding": 30,
            "new_offices": 15,
        },
        "criteria": [
            ("Market opportunity abroad", 3),
            ("Team and capability", 2),
            ("Readiness to export", 1),
        ],
        "questions": [
            ("Which markets do you want to enter, and why now?", QuestionKind.LONG_TEXT, True, ""),
            (
                "Which trade mission interests you most?",
                QuestionKind.SINGLE_CHOICE,
                True,
                "San Diego\nNew York\nCologne\nBarcelona\nHelsinki\nShanghai",
            ),
            ("How many staff could travel on a mission?", QuestionKind.NUMBER, True, ""),
            ("Pitch deck (PDF)", QuestionKind.FILE, False, ""),
        ],
        "cohorts": _ibp_cohorts,
    },
    {
        "organisation": "pennine-growth",
        "slug": "ignite2scale",
        "name": "Ignite2Scale",
        "summary": (
            "A strategy workshop, one-to-one support, peer-to-peer workshops and a mentor for "
            "ambitious firms across the Pennines."
        ),
        "description": (
            "Ignite2Scale starts with a one-day strategy workshop, followed by one-to-one "
            "support from Hub advisers towards a strategic plan. Three half-day peer-to-peer "
            "workshops on finance, digital marketing and growth hacking follow, with a mentor "
            "matched to each company. It ends with an evening celebrating success."
        ),
        "sectors": [],
        "regions": [Region.NORTH_WEST, Region.YORKSHIRE],
        "support_kinds": ["workshops", "one_to_one", "peer_groups", "mentoring"],
        "min_employees": 3,
        "max_employees": 120,
        "funders": [("Pennine Combined Authority", Decimal("420000"), "PCA-I2S")],
        "targets": {"jobs_created": 50, "further_funding": 25},
        "criteria": [("Growth ambition", 2), ("Commitment to the programme", 1)],
        "questions": [
            ("What is the one barrier holding your growth back?", QuestionKind.LONG_TEXT, True, ""),
            (
                "Which workshops would help most?",
                QuestionKind.MULTIPLE_CHOICE,
                False,
                "Finance\nDigital marketing\nGrowth hacking\nLeadership",
            ),
        ],
        "cohorts": lambda today: [
            CohortSpec(
                1,
                "Oldham",
                date(today.year - 1, 9, 1),
                date(today.year, 6, 30),
                date(today.year - 1, 6, 1),
                date(today.year - 1, 7, 15),
                CohortStatus.COMPLETED,
                14,
                22,
            ),
            CohortSpec(
                2,
                "Rochdale",
                today + timedelta(days=70),
                today + timedelta(days=300),
                today - timedelta(days=7),
                today + timedelta(days=35),
                CohortStatus.OPEN,
                16,
                6,
                drafts=2,
            ),
        ],
    },
    {
        "organisation": "ne-innovation",
        "slug": "export-consortia",
        "name": "Export Consortia",
        "summary": (
            "Join three or more firms with a common plan to sell abroad, led by an "
            "experienced exporter, with a year of supported costs."
        ),
        "description": (
            "Consortia share market research, trade fair stands and distributor searches. "
            "The network's partners act as one front door for the support available."
        ),
        "sectors": [],
        "regions": [Region.NORTH_EAST, Region.YORKSHIRE],
        "support_kinds": ["export_consortia", "trade_missions", "one_to_one"],
        "min_employees": 2,
        "funders": [("North East Trade Partnership", Decimal("300000"), "NETP-EC")],
        "targets": {"new_markets": 50, "new_deals": 35},
        "criteria": [("Fit with a consortium", 1)],
        "questions": [
            ("Which market would your consortium target?", QuestionKind.SHORT_TEXT, True, ""),
        ],
        "cohorts": lambda today: [
            CohortSpec(
                1,
                "Consortia round 1",
                today + timedelta(days=90),
                today + timedelta(days=455),
                today - timedelta(days=3),
                today + timedelta(days=50),
                CohortStatus.OPEN,
                12,
                3,
            ),
        ],
    },
]

# The named demo founders' companies take part too, so a founder signing in sees
# applications in several states (registration number → (programme slug, cohort, status)).
FOUNDER_APPLICATIONS = [
    ("10234871", "international-business-programme", 4, ApplicationStatus.SUBMITTED),
    ("10234871", "international-business-programme", 3, ApplicationStatus.ACCEPTED),
    ("09128834", "international-business-programme", 4, ApplicationStatus.DRAFT),
    ("11457620", "international-business-programme", 3, ApplicationStatus.WAITLISTED),
    ("13300562", "international-business-programme", 2, ApplicationStatus.REJECTED),
    ("08011946", "ignite2scale", 2, ApplicationStatus.SUBMITTED),
    ("11902458", "ignite2scale", 2, ApplicationStatus.DRAFT),
]


def build_programmes(summary) -> None:
    """Programmes, funders, cohorts, applications, reviews and enrolments."""
    today = timezone.localdate()
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    for spec in PROGRAMMES:
        organisation = summary.organisations[spec["organisation"]]
        with tenant_scope(organisation):
            _build_programme(summary, organisation, spec, today, rng)


def _build_programme(summary, organisation, spec, today, rng) -> None:
    programme, created = Programme.objects.get_or_create(
        organisation=organisation,
        slug=spec["slug"],
        defaults={
            "name": spec["name"],
            "summary": spec["summary"],
            "description": spec["description"],
            "start_date": date(today.year - 3, 1, 1),
            "end_date": date(today.year + 2, 12, 31),
            "sectors": list(spec["sectors"]),
            "regions": list(spec["regions"]),
            "support_kinds": list(spec["support_kinds"]),
            "min_employees": spec.get("min_employees"),
            "max_employees": spec.get("max_employees"),
            "min_years_trading": spec.get("min_years_trading"),
        },
    )
    summary.changes["created" if created else "unchanged"] += 1
    for name, amount, reference in spec["funders"]:
        funder, _ = Funder.objects.get_or_create(organisation=organisation, name=name)
        Grant.objects.get_or_create(
            organisation=organisation,
            programme=programme,
            funder=funder,
            defaults={
                "amount": amount,
                "reference": reference,
                "start_date": programme.start_date,
                "end_date": programme.end_date,
            },
        )
        funder_user = summary.users.get(f"funder@{organisation.slug}.demo")
        if funder_user:
            funder.users.add(funder_user)
    for outcome, percent in spec["targets"].items():
        OutcomeTarget.objects.get_or_create(
            organisation=organisation,
            programme=programme,
            outcome=outcome,
            defaults={"target_percent": percent},
        )
    reviewers = [
        m.user
        for m in Membership.objects.filter(
            organisation=organisation, role__in=[Role.REVIEWER, Role.PROGRAMME_MANAGER]
        )
        .select_related("user")
        .order_by("pk")
    ]
    manager = next(
        (
            m.user
            for m in Membership.objects.filter(
                organisation=organisation, role=Role.PROGRAMME_MANAGER
            )
        ),
        None,
    )
    for cohort_spec in spec["cohorts"](today):
        if Cohort.objects.filter(programme=programme, number=cohort_spec.number).exists():
            summary.changes["unchanged"] += 1
            continue
        _build_cohort(summary, organisation, programme, spec, cohort_spec, reviewers, manager, rng)
    _founder_applications(summary, organisation, programme, reviewers, manager, rng)


def _build_cohort(summary, organisation, programme, spec, cs, reviewers, manager, rng) -> None:
    cohort = Cohort.objects.create(
        organisation=organisation,
        programme=programme,
        number=cs.number,
        name=cs.name,
        description=f"{programme.name}, cohort {cs.number}.",
        start_date=cs.start,
        end_date=cs.end,
        capacity=cs.capacity,
        applications_open_at=_aware(cs.opens),
        applications_close_at=_aware(cs.closes, 17),
        status=cs.status,
        reviews_per_application=2,
    )
    path = [
        CohortStatus.DRAFT,
        CohortStatus.OPEN,
        CohortStatus.SELECTING,
        CohortStatus.RUNNING,
        CohortStatus.COMPLETED,
    ]
    moves = path[: path.index(cs.status) + 1]
    CohortStatusChange.objects.bulk_create(
        CohortStatusChange(
            organisation=organisation, cohort=cohort, from_status=a, to_status=b, changed_by=manager
        )
        for a, b in zip(moves, moves[1:], strict=False)
    )
    for position, (label, kind, required, choices) in enumerate(spec["questions"], start=1):
        Question.objects.create(
            organisation=organisation,
            cohort=cohort,
            position=position,
            label=label,
            kind=kind,
            required=required,
            choices=choices,
        )
    criteria = [
        Criterion.objects.create(
            organisation=organisation, cohort=cohort, position=i, name=n, weight=w
        )
        for i, (n, w) in enumerate(spec["criteria"], start=1)
    ]
    companies = _generated_companies(summary, organisation, programme, cs, rng)
    submitted_at = _aware(cs.opens) + timedelta(days=3)
    questions = list(cohort.questions.all())
    owners = dict(
        CompanyMember.objects.filter(company__in=companies).values_list("company_id", "user_id")
    )
    applications = []
    for index, company in enumerate(companies):
        is_draft = index >= cs.applicants
        answers = {} if is_draft else _answers(questions, company, rng)
        applications.append(
            Application(
                organisation=organisation,
                cohort=cohort,
                company=company,
                created_by_id=owners.get(company.pk),
                status=ApplicationStatus.DRAFT if is_draft else ApplicationStatus.SUBMITTED,
                answers=answers,
                company_snapshot={} if is_draft else company_snapshot(company),
                submitted_at=None if is_draft else submitted_at + timedelta(hours=index * 7),
            )
        )
    Application.objects.bulk_create(applications)
    # Drafts were started when the call opened (auto_now_add would say today).
    cohort.applications.update(created_at=_aware(cs.opens) + timedelta(days=1))
    applications = list(
        cohort.applications.filter(status=ApplicationStatus.SUBMITTED)
        .select_related("company")
        .order_by("pk")
    )
    ApplicationStatusChange.objects.bulk_create(
        ApplicationStatusChange(
            organisation=organisation,
            application=a,
            from_status="draft",
            to_status="submitted",
            changed_by_id=a.created_by_id,
            reason="Submitted by applicant",
        )
        for a in applications
    )
    _reviews(
        organisation,
        applications,
        criteria,
        reviewers,
        rng,
        share=1.0 if cs.status != CohortStatus.OPEN else 0.5,
    )
    if cs.status in (CohortStatus.RUNNING, CohortStatus.COMPLETED):
        _select(organisation, cohort, applications, cs, manager, rng)
    summary.changes["created"] += len(companies) + 1


def _generated_companies(summary, organisation, programme, cs, rng) -> list[Company]:
    """New applicant companies (with a founder account each) for one cohort."""
    count = cs.applicants + cs.drafts
    prefix = f"{organisation.slug[:3].upper()}{programme.pk:02d}{cs.number}"
    existing = {
        c.registration_number: c
        for c in Company.objects.filter(registration_number__startswith=f"D{prefix}")
    }
    sectors = programme.sectors or [Sector.TECH, Sector.FOOD, Sector.MANUFACTURING, Sector.CREATIVE]
    regions = programme.regions or [Region.NORTH_WEST]
    new_companies, founders = [], []
    for i in range(count):
        number = f"D{prefix}{i:04d}"
        if number in existing:
            continue
        sector = rng.choice(sectors)
        first, second = NAME_PARTS.get(sector, NAME_PARTS[Sector.TECH])
        name = f"{rng.choice(first)}{rng.choice(['', ' '])}{rng.choice(second)} Ltd"
        exports = rng.random() < 0.45
        new_companies.append(
            Company(
                name=name
                if name not in {c.name for c in new_companies}
                else name.replace(" Ltd", f" {i} Ltd"),
                registration_number=number,
                sector=sector,
                region=rng.choice(regions),
                year_founded=rng.randint(
                    timezone.localdate().year - 14, timezone.localdate().year - 2
                ),
                employees=rng.choice([6, 8, 11, 14, 18, 23, 27, 35, 42, 55, 68, 90, 120]),
                turnover_band=rng.choice(
                    [
                        TurnoverBand.TO_500K,
                        TurnoverBand.TO_1M,
                        TurnoverBand.TO_5M,
                        TurnoverBand.TO_10M,
                    ]
                ),
                website=f"https://www.{number.lower()}.example",
                exports=exports,
                export_markets=", ".join(rng.sample(MARKETS, rng.randint(1, 3))) if exports else "",
                help_wanted="Introductions to customers abroad and a mentor who has scaled a team.",
            )
        )
        founders.append(
            User(
                email=f"founder.{number.lower()}@companies.demo",
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                password=_password_hash(summary),
            )
        )
    Company.objects.bulk_create(new_companies)
    User.objects.bulk_create(founders)
    created = {
        c.registration_number: c
        for c in Company.objects.filter(
            registration_number__in=[c.registration_number for c in new_companies]
        )
    }
    users = {u.email: u for u in User.objects.filter(email__in=[f.email for f in founders])}
    CompanyMember.objects.bulk_create(
        CompanyMember(
            company=created[c.registration_number],
            user=users[f"founder.{c.registration_number.lower()}@companies.demo"],
        )
        for c in new_companies
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users.values()
    )
    return sorted([*existing.values(), *created.values()], key=lambda c: c.registration_number)


def _password_hash(summary) -> str:
    """Generated founders share the demo password hash of the named demo users."""
    founder = next(iter(summary.users.values()))
    return founder.password


def _answers(questions, company, rng) -> dict:
    answers = {}
    for question in questions:
        if question.kind == QuestionKind.LONG_TEXT:
            answers[str(question.pk)] = (
                f"{company.name} sells to {company.get_sector_display().lower()} customers; "
                "we want to open our first office abroad within two years."
            )
        elif question.kind == QuestionKind.SHORT_TEXT:
            answers[str(question.pk)] = rng.choice(MARKETS)
        elif question.kind == QuestionKind.NUMBER:
            answers[str(question.pk)] = str(rng.randint(1, 4))
        elif question.kind == QuestionKind.SINGLE_CHOICE:
            answers[str(question.pk)] = rng.choice(question.choice_list)
        elif question.kind == QuestionKind.MULTIPLE_CHOICE:
            answers[str(question.pk)] = rng.sample(question.choice_list, 2)
    return answers


def _reviews(organisation, applications, criteria, reviewers, rng, *, share) -> None:
    if not reviewers or not criteria:
        return
    weights = {c.pk: c.weight for c in criteria}
    reviews, score_rows = [], []
    for index, application in enumerate(applications):
        quality = rng.gauss(3.2, 0.8)
        chosen = [reviewers[(index + k) % len(reviewers)] for k in range(min(2, len(reviewers)))]
        for k, reviewer in enumerate(chosen):
            done = rng.random() < share + (0 if k == 0 else -0.15)
            scores = {c.pk: max(1, min(5, round(quality + rng.gauss(0, 0.7)))) for c in criteria}
            reviews.append(
                Review(
                    organisation=organisation,
                    application=application,
                    reviewer=reviewer,
                    comments=rng.choice(COMMENTS) if done else "",
                    weighted_score=weighted_score(scores, weights) if done else None,
                    submitted_at=(application.submitted_at + timedelta(days=5 + k))
                    if done
                    else None,
                )
            )
            score_rows.append(scores if done else None)
    Review.objects.bulk_create(reviews)
    saved = Review.objects.filter(application__in=applications).order_by("pk")
    Score.objects.bulk_create(
        Score(organisation=organisation, review=review, criterion_id=criterion_id, value=value)
        for review, scores in zip(saved, score_rows, strict=True)
        if scores
        for criterion_id, value in scores.items()
    )
    for application in applications:
        application.review_count = sum(
            1 for r in reviews if r.application_id == application.pk and r.submitted_at
        )
    Application.objects.bulk_update(applications, ["review_count"])


def _select(organisation, cohort, applications, cs, manager, rng) -> None:
    """Accept the best-scored up to capacity, waitlist a few, reject the rest; a couple of
    accepted companies withdraw later."""
    means = dict(
        Review.objects.filter(application__in=applications, submitted_at__isnull=False)
        .values("application_id")
        .annotate(mean=Avg("weighted_score"))
        .values_list("application_id", "mean")
    )
    ranked = sorted(applications, key=lambda a: (-float(means.get(a.pk) or 0), a.pk))
    decided_at = _aware(cs.closes) + timedelta(days=21)
    changes, enrolments = [], []
    for rank, application in enumerate(ranked):
        if rank < cs.capacity:
            status = ApplicationStatus.ACCEPTED
        elif rank < cs.capacity + 4 and cs.status == CohortStatus.RUNNING:
            status = ApplicationStatus.WAITLISTED
        else:
            status = ApplicationStatus.REJECTED
        changes.append(
            ApplicationStatusChange(
                organisation=organisation,
                application=application,
                from_status="submitted",
                to_status=status,
                changed_by=manager,
                reason="Panel decision",
            )
        )
        application.status = status
        application.decided_at = decided_at
        if status == ApplicationStatus.ACCEPTED:
            enrolments.append(
                Enrolment(
                    organisation=organisation,
                    cohort=cohort,
                    company_id=application.company_id,
                    application=application,
                    status=(
                        Enrolment.Status.COMPLETED
                        if cs.status == CohortStatus.COMPLETED
                        else Enrolment.Status.ACTIVE
                    ),
                )
            )
    Application.objects.bulk_update(ranked, ["status", "decided_at"])
    ApplicationStatusChange.objects.bulk_create(changes)
    Enrolment.objects.bulk_create(enrolments)
    # Two companies leave a running cohort early; their places stay open for the waitlist.
    if cs.status == CohortStatus.RUNNING:
        for enrolment in list(cohort.enrolments.order_by("-pk")[:2]):
            enrolment.status = Enrolment.Status.WITHDRAWN
            enrolment.withdrawn_at = timezone.now() - timedelta(days=30)
            enrolment.withdrawal_reason = "Acquired by a larger company; left the programme."
            enrolment.save()
            app = enrolment.application
            ApplicationStatusChange.objects.create(
                organisation=organisation,
                application=app,
                from_status="accepted",
                to_status="withdrawn",
                changed_by=manager,
                reason=enrolment.withdrawal_reason,
            )
            app.status = ApplicationStatus.WITHDRAWN
            app.save(update_fields=["status"])


def _founder_applications(summary, organisation, programme, reviewers, manager, rng) -> None:
    for number, slug, cohort_number, status in FOUNDER_APPLICATIONS:
        company = summary.companies.get(number)
        if slug != programme.slug or company is None:
            continue
        cohort = Cohort.objects.get(programme=programme, number=cohort_number)
        if Application.objects.filter(cohort=cohort, company=company).exists():
            continue
        owner = company.memberships.order_by("pk").first().user
        draft = status == ApplicationStatus.DRAFT
        application = Application.objects.create(
            organisation=organisation,
            cohort=cohort,
            company=company,
            created_by=owner,
            status=status,
            answers=_answers(list(cohort.questions.all()), company, rng) if not draft else {},
            company_snapshot={} if draft else company_snapshot(company),
            submitted_at=None if draft else cohort.applications_open_at + timedelta(days=4),
        )
        Application.objects.filter(pk=application.pk).update(
            created_at=cohort.applications_open_at + timedelta(days=1)
        )
        summary.changes["created"] += 1
        if draft:
            continue
        history = [("draft", "submitted", owner, "Submitted by applicant")]
        if status != ApplicationStatus.SUBMITTED:
            history.append(("submitted", status, manager, "Panel decision"))
        ApplicationStatusChange.objects.bulk_create(
            ApplicationStatusChange(
                organisation=organisation,
                application=application,
                from_status=a,
                to_status=b,
                changed_by=who,
                reason=why,
            )
            for a, b, who, why in history
        )
        if status == ApplicationStatus.ACCEPTED:
            Enrolment.objects.get_or_create(
                organisation=organisation,
                cohort=cohort,
                company=company,
                defaults={"application": application},
            )
