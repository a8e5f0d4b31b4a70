"""One of every tenant-owned object in an organisation, each carrying a marker string.

The isolation tests fill a second tenant with this and check that its marker never shows up
in the first tenant's pages. Each issue that adds a tenant-owned model adds it here."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from cohorts.models import ApplicationFile, CohortStatusChange, QuestionKind, Score
from mentoring.models import (
    AdviserContact,
    AdviserDigest,
    AvailabilitySlot,
    DiagnosisComment,
    FeeClaim,
    Goal,
    MentoringSession,
    MentoringSettings,
    SessionAction,
    SessionReminder,
    WeeklyAvailability,
)
from portal.roles import Role
from portal.tenancy import tenant_scope
from programmes.models import OutcomeTarget
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    CompanyFactory,
    CompanyMemberFactory,
    CriterionFactory,
    EnrolmentFactory,
    FunderFactory,
    GrantFactory,
    InvitationFactory,
    MembershipFactory,
    MentorMatchFactory,
    MentorProfileFactory,
    NeedsDiagnosisFactory,
    ProgrammeFactory,
    QuestionFactory,
    ReviewFactory,
    UserFactory,
)


def populate_tenant(organisation, marker: str) -> list[int]:
    """Create marked objects in `organisation`; return all their primary keys."""
    ids: list[int] = []
    users = {}
    for role in Role:
        membership = MembershipFactory(
            organisation=organisation,
            role=role,
            user=UserFactory(email=f"{marker}-{role}@example.org", first_name=marker),
        )
        users[role] = membership.user
        ids += [membership.pk, membership.user_id]
    with tenant_scope(organisation):
        ids.append(
            InvitationFactory(organisation=organisation, email=f"{marker}-new@example.org").pk
        )
        programme = ProgrammeFactory(
            organisation=organisation, name=f"{marker} programme", summary=f"{marker} summary"
        )
        funder = FunderFactory(organisation=organisation, name=f"{marker} fund")
        grant = GrantFactory(programme=programme, funder=funder, reference=marker)
        target = OutcomeTarget.objects.create(
            organisation=organisation,
            programme=programme,
            outcome="jobs_created",
            target_percent=40,
            note=marker,
        )
        # A draft cohort: nothing of it is public (an open call would show its name to all).
        cohort = CohortFactory(programme=programme, name=f"{marker} cohort", draft=True)
        change = CohortStatusChange.objects.create(
            organisation=organisation,
            cohort=cohort,
            from_status="draft",
            to_status="open",
            note=marker,
        )
        question = QuestionFactory(
            cohort=cohort, label=f"{marker} question", kind=QuestionKind.FILE
        )
        criterion = CriterionFactory(cohort=cohort, name=f"{marker} criterion")
        company = CompanyFactory(name=f"{marker} Ltd", help_wanted=marker)
        CompanyMemberFactory(company=company, user=UserFactory(email=f"{marker}-sme@example.org"))
        application = ApplicationFactory(
            cohort=cohort,
            company=company,
            submitted=True,
            answers={str(question.pk): marker},
        )
        stored = ApplicationFile(
            organisation=organisation,
            application=application,
            question=question,
            original_name=f"{marker}.pdf",
            content_type="application/pdf",
            size=9,
        )
        stored.file.save(f"{marker}.pdf", ContentFile(b"%PDF-1.7\n"), save=True)
        review = ReviewFactory(
            application=application,
            reviewer=users[Role.REVIEWER],
            comments=marker,
            weighted_score=Decimal("4.00"),
            submitted_at=timezone.now(),
        )
        score = Score.objects.create(
            organisation=organisation, review=review, criterion=criterion, value=4
        )
        accepted = ApplicationFactory(
            cohort=cohort, company=CompanyFactory(name=f"{marker} Two Ltd"), accepted=True
        )
        enrolment = EnrolmentFactory(cohort=cohort, company=accepted.company, application=accepted)
        ids += _impact(organisation, marker, programme, cohort, enrolment, company)
        ids.append(_referral(organisation, marker, company))
        ids += _privacy(organisation, marker, programme, accepted.company)
        ids += [
            programme.pk,
            funder.pk,
            grant.pk,
            target.pk,
            cohort.pk,
            change.pk,
            question.pk,
            criterion.pk,
            company.pk,
            application.pk,
            stored.pk,
            review.pk,
            score.pk,
            accepted.pk,
            enrolment.pk,
        ]
        ids += _mentoring(organisation, marker, users, programme, enrolment)
        ids += _activities(organisation, marker, users, programme, cohort, enrolment, company)
    return sorted(set(ids))


def _mentoring(organisation, marker, users, programme, enrolment) -> list[int]:
    """Mentoring of the marked enrolment: a mentor, needs, a match, availability, a held
    session with its action and reminder, a fee claim, adviser contact and digest."""
    now = timezone.now()
    adviser = users[Role.GROWTH_ADVISER]
    mentor = MentorProfileFactory(
        organisation=organisation,
        user=users[Role.MENTOR],
        background=f"{marker} background",
        bio=f"{marker} bio",
        interview_notes=marker,
    )
    settings_row = MentoringSettings.objects.create(
        organisation=organisation, programme=programme, sessions_per_company=5
    )
    diagnosis = NeedsDiagnosisFactory(enrolment=enrolment, adviser=adviser, notes=marker)
    goal = Goal.objects.create(organisation=organisation, diagnosis=diagnosis, text=marker)
    comment = DiagnosisComment.objects.create(
        organisation=organisation, diagnosis=diagnosis, author=adviser, text=marker
    )
    match = MentorMatchFactory(
        enrolment=enrolment,
        mentor=mentor,
        diagnosis=diagnosis,
        end_reason=marker,
        reasons=[{"factor": "Expertise", "points": 10, "detail": marker}],
    )
    contact = AdviserContact.objects.create(
        organisation=organisation,
        company=enrolment.company,
        adviser=adviser,
        kind=AdviserContact.Kind.CALL,
        note=marker,
        next_contact_on=timezone.localdate() - timedelta(days=3),
    )
    digest = AdviserDigest.objects.create(
        organisation=organisation, adviser=adviser, week_starting=timezone.localdate()
    )
    weekly = WeeklyAvailability.objects.create(
        organisation=organisation, mentor=mentor, weekday=2, start_time=time(9), end_time=time(12)
    )
    slot = AvailabilitySlot.objects.create(
        organisation=organisation,
        mentor=mentor,
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=2),
    )
    claim = FeeClaim.objects.create(
        organisation=organisation,
        mentor=mentor,
        month=timezone.localdate().replace(day=1) - timedelta(days=1),
        status=FeeClaim.Status.QUERIED,
        amount=Decimal("150.00"),
        session_count=1,
        query_note=marker,
    )
    held = MentoringSession.objects.create(
        organisation=organisation,
        match=match,
        mentor=mentor,
        company=enrolment.company,
        starts_at=now - timedelta(days=40),
        ends_at=now - timedelta(days=40) + timedelta(hours=1),
        place=f"{marker} place",
        status=MentoringSession.Status.HELD,
        notes=marker,
        company_feedback=marker,
        company_rating=4,
        fee=Decimal("150.00"),
        claim=claim,
    )
    booked = MentoringSession.objects.create(
        organisation=organisation,
        match=match,
        mentor=mentor,
        company=enrolment.company,
        starts_at=now + timedelta(days=5),
        ends_at=now + timedelta(days=5, hours=1),
        online_link=f"https://meet.example.org/{marker}",
        place=f"{marker} room",
        notes=marker,
    )
    action = SessionAction.objects.create(
        organisation=organisation, session=held, text=marker, due_on=timezone.localdate()
    )
    reminder = SessionReminder.objects.create(
        organisation=organisation,
        session=booked,
        kind=SessionReminder.Kind.DAY_BEFORE,
        due_at=booked.starts_at - timedelta(hours=24),
    )
    return [
        mentor.pk,
        settings_row.pk,
        diagnosis.pk,
        goal.pk,
        comment.pk,
        match.pk,
        contact.pk,
        digest.pk,
        weekly.pk,
        slot.pk,
        claim.pk,
        held.pk,
        booked.pk,
        action.pk,
        reminder.pk,
    ]


def _impact(organisation, marker, programme, cohort, enrolment, company) -> list[int]:
    from impact.models import CaseNote, CustomQuestion
    from tests.factories import (
        BaselineFactory,
        SurveyInvitationFactory,
        SurveyResponseFactory,
        SurveyScheduleFactory,
    )

    schedule = SurveyScheduleFactory(programme=programme, name=f"{marker} round")
    invitation = SurveyInvitationFactory(
        schedule=schedule, cohort=cohort, company=company, email=f"{marker}@example.org"
    )
    response = SurveyResponseFactory(
        cohort=cohort,
        company=company,
        invitation=invitation,
        markets_entered=marker,
        offices_where=marker,
        jobs_created=3,
    )
    baseline = BaselineFactory(enrolment=enrolment, exporting_markets=marker)
    note = CaseNote.objects.create(
        organisation=organisation, programme=programme, title=marker, text=marker
    )
    question = CustomQuestion.objects.create(
        organisation=organisation, programme=programme, key="zz", label=marker, kind="text"
    )
    sharing = _impact_sharing(organisation, marker)
    return [schedule.pk, invitation.pk, response.pk, baseline.pk, note.pk, question.pk, sharing]


def _impact_sharing(organisation, marker) -> int:
    """An agreement to share the impact figures with an umbrella partner, agreed by a marked
    admin (whose name the sharing page shows)."""
    from impact.models import ImpactSharing
    from tests.factories import OrganisationFactory, UserFactory

    umbrella = OrganisationFactory(name=f"Umbrella of {organisation.name}")
    organisation.partners.add(umbrella)
    sharing = ImpactSharing.objects.create(
        organisation=organisation,
        shared_with=umbrella,
        agreed_by=UserFactory(email=f"{marker}-sharing@example.org", first_name=marker),
        agreed_at=timezone.now(),
    )
    return sharing.pk


def _referral(organisation, marker, company) -> int:
    """A consented referral of the marked company to a partner of this organisation (its
    audit entries carry the marker too, so the audit page is walked with them)."""
    from cohorts.models import Referral
    from tests.factories import OrganisationFactory

    partner = OrganisationFactory(name=f"Partner of {organisation.name}")
    organisation.partners.add(partner)
    referral = Referral.objects.create(
        organisation=organisation,
        company=company,
        partner=partner,
        note=marker,
        status=Referral.Status.CONSENTED,
        shared_fields=list(Referral.PROFILE_FIELDS),
        answered_at=timezone.now(),
    )
    return referral.pk


def _privacy(organisation, marker, programme, company) -> list[int]:
    """An erasure approval, a company withdrawal and a retention run, each carrying the
    marker, so the /<org>/privacy/ pages are walked with another organisation's ids."""
    from privacy.models import CompanyWithdrawal, ErasureApproval, ErasureRequest, RetentionRun
    from tests.factories import UserFactory

    # Already decided, so that walking the confirm URL does not erase anybody.
    person = UserFactory(email=f"{marker}-erasure@example.org", first_name=marker)
    erasure = ErasureRequest.objects.create(user=person, status=ErasureRequest.Status.CANCELLED)
    approval = ErasureApproval.objects.create(
        organisation=organisation,
        request=erasure,
        status=ErasureApproval.Status.CLOSED,
        holdings=[f"Application of {marker}"],
    )
    withdrawal = CompanyWithdrawal.objects.create(
        organisation=organisation, company=company, counts={marker: 1}
    )
    run = RetentionRun.objects.create(
        organisation=organisation,
        programme=programme,
        due_on=timezone.localdate(),
        counts={marker: 1},
    )
    return [approval.pk, withdrawal.pk, run.pk]


def _activities(organisation, marker, users, programme, cohort, enrolment, company) -> list[int]:
    """One of each programme activity, none of it public: the event is for the (draft)
    cohort and the challenge is unpublished, so no SME of another organisation may see it."""
    from activities.models import (
        CompetitorDeclaration,
        ConsortiumMilestone,
        EventFeedback,
        EventReminder,
        ItineraryItem,
        PeerGroupMeetingAttendee,
    )
    from tests.factories import (
        ChallengeProposalFactory,
        ConsortiumMemberFactory,
        EventFactory,
        ExportConsortiumFactory,
        InnovationChallengeFactory,
        MissionDelegateFactory,
        MissionMeetingFactory,
        PeerGroupFactory,
        PeerGroupMeetingFactory,
        PeerGroupMemberFactory,
        RegistrationFactory,
        TradeMissionFactory,
    )

    now = timezone.now()
    member = enrolment.company
    event = EventFactory(
        programme=programme,
        audience="cohort",
        cohort=cohort,
        title=f"{marker} workshop",
        description=marker,
        venue=f"{marker} hall",
        facilitator=marker,
        starts_at=now - timedelta(days=2),
    )
    registration = RegistrationFactory(
        event=event, company=member, user=users[Role.PROGRAMME_MANAGER], attended=True
    )
    waiting = RegistrationFactory(event=event, company=company, waitlisted=True)
    feedback = EventFeedback.objects.create(
        organisation=organisation,
        registration=registration,
        rating=4,
        most_useful=marker,
        improve=marker,
        would_recommend=True,
    )
    reminder = EventReminder.objects.create(
        organisation=organisation,
        event=event,
        kind=EventReminder.Kind.DAY_BEFORE,
        due_at=event.starts_at - timedelta(days=1),
    )
    mission = TradeMissionFactory(
        programme=programme,
        cohort=cohort,
        title=f"{marker} mission",
        destination_city=marker,
        description=marker,
    )
    delegate = MissionDelegateFactory(
        mission=mission, company=member, selected=True, objectives=marker
    )
    applicant = MissionDelegateFactory(mission=mission, company=company, objectives=marker)
    item = ItineraryItem.objects.create(
        organisation=organisation,
        mission=mission,
        starts_at=now + timedelta(days=31),
        title=f"{marker} briefing",
        location=marker,
        notes=marker,
    )
    meeting = MissionMeetingFactory(
        delegate=delegate, prospect_name=f"{marker} Inc", notes=marker, deal=True
    )
    group = PeerGroupFactory(cohort=cohort, name=f"{marker} circle", facilitator=marker)
    group_member = PeerGroupMemberFactory(group=group, company=member)
    other_member = PeerGroupMemberFactory(group=group, company=company)
    group_meeting = PeerGroupMeetingFactory(group=group, location=marker, topics=marker)
    attendee = PeerGroupMeetingAttendee.objects.create(
        organisation=organisation, meeting=group_meeting, company=member
    )
    declaration = CompetitorDeclaration.objects.create(
        organisation=organisation, cohort=cohort, company=company, competitor=member
    )
    consortium = ExportConsortiumFactory(
        programme=programme,
        cohort=cohort,
        name=f"{marker} consortium",
        target_markets=[marker],
        plan_summary=marker,
    )
    consortium_member = ConsortiumMemberFactory(consortium=consortium, company=member, is_lead=True)
    milestone = ConsortiumMilestone.objects.create(
        organisation=organisation,
        consortium=consortium,
        title=marker,
        due_on=timezone.localdate() + timedelta(days=30),
    )
    challenge = InnovationChallengeFactory(
        organisation=organisation,
        programme=programme,
        title=f"{marker} challenge",
        sponsor=marker,
        problem=marker,
        published=False,
    )
    proposal = ChallengeProposalFactory(
        challenge=challenge, company=member, summary=marker, result_note=marker
    )
    return [
        event.pk,
        registration.pk,
        waiting.pk,
        feedback.pk,
        reminder.pk,
        mission.pk,
        delegate.pk,
        applicant.pk,
        item.pk,
        meeting.pk,
        group.pk,
        group_member.pk,
        other_member.pk,
        group_meeting.pk,
        attendee.pk,
        declaration.pk,
        consortium.pk,
        consortium_member.pk,
        milestone.pk,
        challenge.pk,
        proposal.pk,
    ]
