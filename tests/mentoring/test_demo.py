"""The demo shows a mentor programme at work: about twenty mentors in every state, an adviser
with forty companies, a term of sessions, claims, and a founder who can book right away."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

from mentoring import booking
from mentoring.models import (
    AdviserContact,
    AdviserDigest,
    DiagnosisComment,
    FeeClaim,
    Goal,
    MentoringSession,
    MentoringSettings,
    MentorMatch,
    MentorProfile,
    NeedsDiagnosis,
    SessionAction,
    SessionReminder,
    WeeklyAvailability,
)
from portal.models import Membership, User
from portal.roles import Role
from portal.tenancy import scopes_disabled

pytestmark = pytest.mark.django_db

MODELS = (
    MentorProfile,
    MentoringSettings,
    NeedsDiagnosis,
    Goal,
    DiagnosisComment,
    MentorMatch,
    AdviserContact,
    AdviserDigest,
    WeeklyAvailability,
    MentoringSession,
    SessionAction,
    SessionReminder,
    FeeClaim,
)


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # seed_demo refuses to run in production mode
    call_command("seed_demo", stdout=io.StringIO())


def _counts():
    with scopes_disabled():
        return {model.__name__: model.objects.count() for model in MODELS}


def test_about_twenty_mentors_in_every_state(demo):
    with scopes_disabled():
        mentors = MentorProfile.objects.filter(
            organisation__slug__in=["pennine-growth", "capital-trade"]
        )
        assert 18 <= mentors.count() <= 24
        assert set(mentors.values_list("status", flat=True)) >= {
            MentorProfile.Status.APPLIED,
            MentorProfile.Status.INDUCTION,
            MentorProfile.Status.ACTIVE,
        }
        active = mentors.filter(status=MentorProfile.Status.ACTIVE)
        assert active.count() >= 12
        assert all(m.can_be_matched for m in active)
        # Every active mentor of the two programmes publishes weekly hours and is a member.
        assert not active.filter(weekly_hours__isnull=True).exists()
        for mentor in active:
            assert Membership.objects.filter(
                organisation=mentor.organisation, user=mentor.user, role=Role.MENTOR
            ).exists()
            assert 2 <= mentor.capacity_per_month <= 8
            assert 100 <= mentor.rate_per_session <= 250
        # The mentor who works for two organisations has a profile in each.
        assert MentorProfile.objects.filter(user__email="priya.shah@mentors.demo").count() == 2
        assert mentors.filter(user__email="mentor@pennine-growth.demo").exists()
        assert mentors.filter(user__email="mentor@capital-trade.demo").exists()
        assert (
            MentoringSettings.objects.filter(
                programme__slug__in=["ignite2scale", "international-business-programme"]
            ).count()
            == 2
        )


def test_the_adviser_looks_after_forty_companies(demo):
    with scopes_disabled():
        adviser = User.objects.get(email="adviser@pennine-growth.demo")
        diagnosed = set(
            NeedsDiagnosis.objects.filter(adviser=adviser).values_list("company", flat=True)
        )
        contacted = set(
            AdviserContact.objects.filter(adviser=adviser).values_list("company", flat=True)
        )
        assert len(diagnosed | contacted) >= 40
        assert len(diagnosed) >= 35
        today = timezone.localdate()
        # Some are overdue for their next contact.
        assert AdviserContact.objects.filter(adviser=adviser, next_contact_on__lt=today).exists()


def test_a_term_of_matches_sessions_and_claims(demo):
    with scopes_disabled():
        statuses = set(MentorMatch.objects.values_list("status", flat=True))
        assert statuses == set(MentorMatch.Status.values)
        assert (
            MentorMatch.objects.filter(status=MentorMatch.Status.ENDED)
            .exclude(end_reason="")
            .count()
            == MentorMatch.objects.filter(status=MentorMatch.Status.ENDED).count()
        )
        # Every ended match was followed by another mentor for the same enrolment.
        for ended in MentorMatch.objects.filter(status=MentorMatch.Status.ENDED):
            assert (
                MentorMatch.objects.filter(
                    enrolment=ended.enrolment, status=MentorMatch.Status.ACTIVE
                )
                .exclude(mentor=ended.mentor)
                .exists()
            )
        sessions = MentoringSession.objects.all()
        assert set(sessions.values_list("status", flat=True)) == set(MentoringSession.Status.values)
        assert sessions.filter(late_cancellation=True).exists()
        now = timezone.now()
        upcoming = sessions.filter(status=MentoringSession.Status.BOOKED, starts_at__gt=now)
        assert upcoming.count() >= 10
        assert SessionReminder.objects.filter(
            session__in=upcoming, sent_at__isnull=True, cancelled=False
        ).exists()
        assert sessions.filter(company_rating__isnull=False).exists()
        assert SessionAction.objects.exists()
        # Booking's own rules hold in the demo: no double booking, none over the budget.
        live = sessions.exclude(status=MentoringSession.Status.CANCELLED)
        assert live.values("mentor", "starts_at").distinct().count() == live.count()
        used = (
            live.exclude(status=MentoringSession.Status.MENTOR_NO_SHOW)
            .values("match__enrolment")
            .annotate(n=Count("pk"))
        )
        assert max(row["n"] for row in used) <= 6
        claims = set(FeeClaim.objects.values_list("status", flat=True))
        assert claims >= {
            FeeClaim.Status.APPROVED,
            FeeClaim.Status.SUBMITTED,
            FeeClaim.Status.QUERIED,
        }
        assert not FeeClaim.objects.filter(status=FeeClaim.Status.QUERIED, query_note="").exists()
        for claim in FeeClaim.objects.all():
            linked = claim.sessions.all()
            assert linked.count() == claim.session_count > 0
            assert sum(s.fee for s in linked) == claim.amount
        # IBP does not pay for a mentee's no-show, so no such session is in its claims.
        assert not MentoringSession.objects.filter(
            organisation__slug="capital-trade",
            status=MentoringSession.Status.MENTEE_NO_SHOW,
            claim__isnull=False,
        ).exists()


def test_lumen_grid_can_book_its_first_session(demo):
    with scopes_disabled():
        match = MentorMatch.objects.select_related("mentor", "enrolment__cohort").get(
            company__memberships__user__email="amara.okafor@lumengrid.demo",
            status=MentorMatch.Status.ACTIVE,
        )
        assert match.enrolment.cohort.number == 3
        assert match.mentor_agreed_at is not None
        assert match.company_agreed_at is None
        assert not match.sessions.exists()
        today = timezone.localdate()
        starts = booking.available_starts(
            match.mentor,
            minutes=booking.session_minutes(match),
            start=today,
            end=today + timedelta(weeks=4),
        )
        assert len(starts) >= 5


def test_seeding_twice_creates_nothing_more(demo):
    before = _counts()
    with scopes_disabled():
        past = MentoringSession.objects.filter(
            Q(status=MentoringSession.Status.HELD) | Q(status=MentoringSession.Status.CANCELLED)
        ).count()
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == before
    with scopes_disabled():
        assert (
            MentoringSession.objects.filter(
                Q(status=MentoringSession.Status.HELD) | Q(status=MentoringSession.Status.CANCELLED)
            ).count()
            == past
        )
