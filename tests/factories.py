"""factory_boy factories for every model, with traits for states."""

import datetime
from datetime import timedelta
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from cohorts.models import (
    Application,
    ApplicationStatus,
    Cohort,
    CohortStatus,
    Company,
    CompanyMember,
    Criterion,
    Enrolment,
    Question,
    QuestionKind,
    Review,
)
from impact.models import Baseline, SurveyInvitation, SurveyResponse, SurveySchedule
from mentoring.models import (
    MentorMatch,
    MentorProfile,
    NeedsDiagnosis,
    WeeklyAvailability,
)
from portal.models import Invitation, Membership, Organisation, User
from portal.roles import Role
from portal.taxonomy import Region, Sector, TurnoverBand
from programmes.models import Funder, Grant, Programme

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        """Users have a verified primary address unless built with verified=False."""
        obj.save()
        if create and extracted is not False:
            EmailAddress.objects.update_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Growth Hub {n}")
    slug = factory.Sequence(lambda n: f"hub-{n}")
    contact_email = factory.LazyAttribute(lambda o: f"hello@{o.slug}.example.org")
    description = "Support for ambitious companies in the region."


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.PROGRAMME_MANAGER

    class Params:
        admin = factory.Trait(role=Role.ADMIN)
        adviser = factory.Trait(role=Role.GROWTH_ADVISER)
        reviewer = factory.Trait(role=Role.REVIEWER)
        mentor = factory.Trait(role=Role.MENTOR)
        funder = factory.Trait(role=Role.FUNDER)


class InvitationFactory(factory.django.DjangoModelFactory):
    """Tenant-owned: create it inside the organisation's scope or with scopes disabled."""

    class Meta:
        model = Invitation

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = Role.PROGRAMME_MANAGER

    class Params:
        expired = factory.Trait(expires_at=factory.LazyFunction(lambda: timezone.now()))
        accepted = factory.Trait(status=Invitation.Status.ACCEPTED)


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Scaleup {n} Ltd")
    registration_number = factory.Sequence(lambda n: f"{10000000 + n}")
    sector = Sector.TECH
    region = Region.LONDON
    year_founded = 2018
    employees = 12
    turnover_band = TurnoverBand.TO_1M

    class Params:
        exporter = factory.Trait(exports=True, export_markets="United States, Germany")


class CompanyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompanyMember

    company = factory.SubFactory(CompanyFactory)
    user = factory.SubFactory(UserFactory)
    role = CompanyMember.Role.OWNER


# --- Programmes and cohorts ---------------------------------------------------------------
# Tenant-owned rows: build them inside `tenant_scope(organisation)` or with scopes disabled
# when a test reads them back through the default manager. Creating needs no scope.


class FunderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Funder

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Regional Growth Fund {n}")
    contact_email = "grants@funder.example.org"


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"International Business Programme {n}")
    slug = factory.Sequence(lambda n: f"ibp-{n}")
    summary = "Trade missions, mentoring and workshops for scaleups going international."
    description = "Cohorts of scaleups prepare and travel on trade missions."
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=365))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=3 * 365))
    sectors = factory.LazyFunction(list)
    regions = factory.LazyFunction(list)
    support_kinds = factory.LazyFunction(lambda: ["trade_missions", "mentoring"])


class GrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grant

    programme = factory.SubFactory(ProgrammeFactory)
    organisation = factory.SelfAttribute("programme.organisation")
    funder = factory.SubFactory(FunderFactory, organisation=factory.SelfAttribute("..organisation"))
    amount = Decimal("250000.00")
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=365))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))


class CohortFactory(factory.django.DjangoModelFactory):
    """An open cohort accepting applications, unless a trait says otherwise."""

    class Meta:
        model = Cohort

    programme = factory.SubFactory(ProgrammeFactory)
    organisation = factory.SelfAttribute("programme.organisation")
    number = factory.Sequence(lambda n: n + 1)
    start_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=60))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=240))
    capacity = 20
    applications_open_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    applications_close_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=20))
    status = CohortStatus.OPEN
    reviews_per_application = 2

    class Params:
        draft = factory.Trait(status=CohortStatus.DRAFT)
        selecting = factory.Trait(
            status=CohortStatus.SELECTING,
            applications_close_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1)),
        )
        running = factory.Trait(status=CohortStatus.RUNNING)
        completed = factory.Trait(status=CohortStatus.COMPLETED)
        closed = factory.Trait(
            applications_close_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
        )


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    cohort = factory.SubFactory(CohortFactory)
    organisation = factory.SelfAttribute("cohort.organisation")
    position = factory.Sequence(lambda n: n + 1)
    label = factory.Sequence(lambda n: f"Question {n}: which markets are you targeting?")
    kind = QuestionKind.LONG_TEXT
    required = True


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    cohort = factory.SubFactory(CohortFactory)
    organisation = factory.SelfAttribute("cohort.organisation")
    position = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Criterion {n}")
    weight = 1


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A draft; traits move it along (submitted, accepted, waitlisted, rejected, withdrawn).
    Traits set the state directly; tests of the transitions go through services."""

    class Meta:
        model = Application

    cohort = factory.SubFactory(CohortFactory)
    organisation = factory.SelfAttribute("cohort.organisation")
    company = factory.SubFactory(CompanyFactory)
    status = ApplicationStatus.DRAFT

    class Params:
        submitted = factory.Trait(
            status=ApplicationStatus.SUBMITTED,
            submitted_at=factory.LazyFunction(timezone.now),
            company_snapshot=factory.LazyAttribute(lambda o: _snapshot(o.company)),
        )
        accepted = factory.Trait(
            submitted=True,
            status=ApplicationStatus.ACCEPTED,
            decided_at=factory.LazyFunction(timezone.now),
        )
        waitlisted = factory.Trait(submitted=True, status=ApplicationStatus.WAITLISTED)
        rejected = factory.Trait(submitted=True, status=ApplicationStatus.REJECTED)
        withdrawn = factory.Trait(submitted=True, status=ApplicationStatus.WITHDRAWN)


def _snapshot(company):
    from cohorts.services import company_snapshot

    return company_snapshot(company)


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    application = factory.SubFactory(ApplicationFactory, submitted=True)
    organisation = factory.SelfAttribute("application.organisation")
    reviewer = factory.SubFactory(UserFactory)


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    cohort = factory.SubFactory(CohortFactory, running=True)
    organisation = factory.SelfAttribute("cohort.organisation")
    company = factory.SubFactory(CompanyFactory)


# --- Mentoring -----------------------------------------------------------------------------


class MentorProfileFactory(factory.django.DjangoModelFactory):
    """An active, inducted mentor unless a trait says otherwise."""

    class Meta:
        model = MentorProfile
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    status = MentorProfile.Status.ACTIVE
    background = "Scaled a software company from 5 to 120 people."
    expertise = factory.LazyFunction(lambda: ["finance", "sales_marketing"])
    sectors = factory.LazyFunction(lambda: ["tech"])
    region = "london"
    rate_per_session = Decimal("150.00")
    capacity_per_month = 4
    agreement_signed_at = factory.LazyFunction(timezone.now)
    conflicts_declared_at = factory.LazyFunction(timezone.now)
    induction_attended_at = factory.LazyFunction(timezone.now)

    class Params:
        applied = factory.Trait(
            status=MentorProfile.Status.APPLIED,
            agreement_signed_at=None,
            conflicts_declared_at=None,
            induction_attended_at=None,
        )

    @factory.post_generation
    def member(obj, create, extracted, **kwargs):
        """Active mentors are members of the organisation with the mentor role."""
        if create and obj.status == MentorProfile.Status.ACTIVE:
            Membership.objects.get_or_create(
                user=obj.user, organisation=obj.organisation, defaults={"role": Role.MENTOR}
            )


class NeedsDiagnosisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NeedsDiagnosis

    enrolment = factory.SubFactory(EnrolmentFactory)
    organisation = factory.SelfAttribute("enrolment.organisation")
    company = factory.SelfAttribute("enrolment.company")
    needs = factory.LazyFunction(lambda: ["finance", "international_trade", "leadership"])


# --- Impact --------------------------------------------------------------------------------


class SurveyScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveySchedule

    programme = factory.SubFactory(ProgrammeFactory)
    organisation = factory.SelfAttribute("programme.organisation")
    name = factory.LazyAttribute(lambda o: f"{o.offset_months}-month follow-up")
    anchor = SurveySchedule.Anchor.COHORT_END
    offset_months = 6


class SurveyInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyInvitation

    schedule = factory.SubFactory(SurveyScheduleFactory)
    organisation = factory.SelfAttribute("schedule.organisation")
    cohort = factory.SubFactory(
        CohortFactory, programme=factory.SelfAttribute("..schedule.programme"), completed=True
    )
    company = factory.SubFactory(CompanyFactory)
    email = factory.Sequence(lambda n: f"founder{n}@company.example.org")
    due_at = factory.LazyFunction(timezone.now)

    class Params:
        sent = factory.Trait(
            status=SurveyInvitation.Status.SENT,
            sent_at=factory.LazyFunction(timezone.now),
            expires_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=28)),
        )


class SurveyResponseFactory(factory.django.DjangoModelFactory):
    """A submitted response; set outcome columns as keyword arguments."""

    class Meta:
        model = SurveyResponse

    cohort = factory.SubFactory(CohortFactory, completed=True)
    organisation = factory.SelfAttribute("cohort.organisation")
    programme = factory.SelfAttribute("cohort.programme")
    company = factory.SubFactory(CompanyFactory)
    round_months = 6
    responded_on = factory.LazyFunction(timezone.localdate)
    submitted_at = factory.LazyFunction(timezone.now)


class BaselineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Baseline

    enrolment = factory.SubFactory(EnrolmentFactory)
    organisation = factory.SelfAttribute("enrolment.organisation")
    company = factory.SelfAttribute("enrolment.company")
    employees = 10
    turnover = Decimal("500000")
    export_sales = Decimal("50000")


# --- Mentoring (continued) -----------------------------------------------------------------


class MentorMatchFactory(factory.django.DjangoModelFactory):
    """An active match with the mentor's side of the agreement accepted."""

    class Meta:
        model = MentorMatch

    enrolment = factory.SubFactory(EnrolmentFactory)
    organisation = factory.SelfAttribute("enrolment.organisation")
    company = factory.SelfAttribute("enrolment.company")
    mentor = factory.SubFactory(
        MentorProfileFactory, organisation=factory.SelfAttribute("..organisation")
    )
    status = MentorMatch.Status.ACTIVE
    mentor_agreed_at = factory.LazyFunction(timezone.now)


class WeeklyAvailabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WeeklyAvailability

    mentor = factory.SubFactory(MentorProfileFactory)
    organisation = factory.SelfAttribute("mentor.organisation")
    weekday = 0
    start_time = factory.LazyFunction(lambda: datetime.time(9, 0))
    end_time = factory.LazyFunction(lambda: datetime.time(17, 0))


# --- Programme activities (activities/) ------------------------------------------------


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.Event"

    programme = factory.SubFactory(ProgrammeFactory)
    organisation = factory.SelfAttribute("programme.organisation")
    kind = "workshop"
    title = factory.Sequence(lambda n: f"Workshop {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    time_zone = "Europe/London"
    venue = "City Hall, London"
    capacity = 20
    audience = "programme"

    class Params:
        for_cohort = factory.Trait(
            audience="cohort",
            cohort=factory.SubFactory(
                CohortFactory, programme=factory.SelfAttribute("..programme")
            ),
        )
        public = factory.Trait(audience="public")


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.Registration"

    event = factory.SubFactory(EventFactory)
    organisation = factory.SelfAttribute("event.organisation")
    company = factory.SubFactory(CompanyFactory)
    status = "registered"

    class Params:
        waitlisted = factory.Trait(
            status="waitlisted", waitlisted_at=factory.LazyFunction(timezone.now)
        )
        attended = factory.Trait(attendance="attended")
        no_show = factory.Trait(attendance="no_show")


class TradeMissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.TradeMission"

    programme = factory.SubFactory(ProgrammeFactory)
    organisation = factory.SelfAttribute("programme.organisation")
    title = factory.Sequence(lambda n: f"Mission {n}")
    destination_city = "New York"
    destination_country = "United States"
    destination_time_zone = "America/New_York"
    departs_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    returns_on = factory.LazyAttribute(lambda o: o.departs_on + timedelta(days=5))
    places = 10


class MissionDelegateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.MissionDelegate"

    mission = factory.SubFactory(TradeMissionFactory)
    organisation = factory.SelfAttribute("mission.organisation")
    company = factory.SubFactory(CompanyFactory)
    status = "applied"

    class Params:
        selected = factory.Trait(status="selected")


class MissionMeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.MissionMeeting"

    delegate = factory.SubFactory(MissionDelegateFactory, selected=True)
    mission = factory.SelfAttribute("delegate.mission")
    organisation = factory.SelfAttribute("delegate.organisation")
    prospect_name = factory.Sequence(lambda n: f"Prospect {n} Inc")
    prospect_kind = "distributor"
    met_on = factory.SelfAttribute("mission.departs_on")
    outcome = "lead"

    class Params:
        deal = factory.Trait(outcome="deal", deal_value=Decimal("25000"))


class PeerGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.PeerGroup"

    cohort = factory.SubFactory(CohortFactory)
    organisation = factory.SelfAttribute("cohort.organisation")
    name = factory.Sequence(lambda n: f"Circle {n}")


class PeerGroupMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.PeerGroupMember"

    group = factory.SubFactory(PeerGroupFactory)
    cohort = factory.SelfAttribute("group.cohort")
    organisation = factory.SelfAttribute("group.organisation")
    company = factory.SubFactory(CompanyFactory)


class PeerGroupMeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.PeerGroupMeeting"

    group = factory.SubFactory(PeerGroupFactory)
    organisation = factory.SelfAttribute("group.organisation")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    location = "Growth Hub, Leeds"


class ExportConsortiumFactory(factory.django.DjangoModelFactory):
    """The consortium row alone: members are added with ConsortiumMemberFactory (tests of
    the three-companies rule go through activities.consortia)."""

    class Meta:
        model = "activities.ExportConsortium"

    programme = factory.SubFactory(ProgrammeFactory)
    organisation = factory.SelfAttribute("programme.organisation")
    name = factory.Sequence(lambda n: f"Consortium {n}")
    target_markets = factory.LazyFunction(lambda: ["Germany"])
    support_starts_on = factory.LazyFunction(timezone.localdate)
    support_ends_on = factory.LazyAttribute(lambda o: o.support_starts_on + timedelta(days=365))


class ConsortiumMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.ConsortiumMember"

    consortium = factory.SubFactory(ExportConsortiumFactory)
    organisation = factory.SelfAttribute("consortium.organisation")
    company = factory.SubFactory(CompanyFactory)


class InnovationChallengeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.InnovationChallenge"

    organisation = factory.SubFactory(OrganisationFactory)
    sponsor = "Transport for the North"
    title = factory.Sequence(lambda n: f"Challenge {n}")
    problem = "Cut the energy used by station lighting by half."
    offer = "£50,000 pilot contract"
    deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    published = True


class ChallengeProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "activities.ChallengeProposal"

    challenge = factory.SubFactory(InnovationChallengeFactory)
    organisation = factory.SelfAttribute("challenge.organisation")
    company = factory.SubFactory(CompanyFactory)
    summary = "We retrofit LED lighting with presence sensors."
