"""Erasure of a person reaches programme activities: their calendar feed goes, the feedback
they wrote loses its text, and the rows they made for their companies stay (the company's)
without pointing at them. An organisation whose only link to the person is their company's
activity rows holds their data too, and must confirm."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from activities.models import (
    CalendarFeed,
    ChallengeProposal,
    CompetitorDeclaration,
    EventFeedback,
    MissionDelegate,
    MissionMeeting,
    Registration,
)
from portal.roles import Role
from portal.tenancy import scopes_disabled, tenant_scope
from privacy.erasure import approval_confirm, erasure_request
from privacy.models import ErasureApproval, ErasureRequest
from privacy.selectors import organisations_holding_data
from tests.factories import (
    ChallengeProposalFactory,
    CohortFactory,
    CompanyFactory,
    CompanyMemberFactory,
    EventFactory,
    InnovationChallengeFactory,
    MissionDelegateFactory,
    MissionMeetingFactory,
    ProgrammeFactory,
    TradeMissionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _active_in_activities(organisation, cohort, user, company, marker):
    """`company`, acted for by `user`, in an event (attended, with feedback), a mission
    (with a deal), a competitor declaration and a challenge: every row made by `user`."""
    with tenant_scope(organisation):
        event = EventFactory(
            programme=cohort.programme,
            title=f"Workshop {marker}",
            starts_at=timezone.now() - timedelta(days=3),
        )
        registration = Registration.objects.create(
            organisation=organisation,
            event=event,
            company=company,
            user=user,
            status=Registration.Status.REGISTERED,
            attendance=Registration.Attendance.ATTENDED,
        )
        feedback = EventFeedback.objects.create(
            organisation=organisation,
            registration=registration,
            rating=5,
            most_useful=f"{marker} liked the pitching",
            improve=f"{marker} wants longer breaks",
            would_recommend=True,
        )
        delegate = MissionDelegateFactory(
            mission=TradeMissionFactory(programme=cohort.programme),
            company=company,
            selected=True,
            applied_by=user,
            objectives=f"{marker} objectives",
        )
        meeting = MissionMeetingFactory(
            delegate=delegate, logged_by=user, deal=True, deal_value=Decimal("40000")
        )
        declaration = CompetitorDeclaration.objects.create(
            organisation=organisation,
            cohort=cohort,
            company=company,
            competitor=CompanyFactory(),
            declared_by=user,
        )
        proposal = ChallengeProposalFactory(
            challenge=InnovationChallengeFactory(organisation=organisation),
            company=company,
            submitted_by=user,
            summary=f"{marker} proposal",
        )
    feed = CalendarFeed.objects.create(user=user)
    return {
        "registration": registration,
        "feedback": feedback,
        "delegate": delegate,
        "meeting": meeting,
        "declaration": declaration,
        "proposal": proposal,
        "feed": feed,
    }


def test_an_organisation_with_only_activity_rows_of_the_persons_company_holds_their_data(
    organisation, other_organisation, make_member
):
    person = UserFactory(email="founder@zz.example")
    company = CompanyMemberFactory(user=person).company
    # No application, enrolment or role: only a place at a public event.
    with tenant_scope(organisation):
        Registration.objects.create(
            organisation=organisation,
            event=EventFactory(programme=ProgrammeFactory(organisation=organisation)),
            company=company,
            status=Registration.Status.REGISTERED,
        )
    [holding] = organisations_holding_data(user=person)
    assert holding.organisation == organisation
    assert holding.reasons == ["Programme activities: event registrations"]

    # A meeting the person logged for a company they no longer act for counts too.
    other_company = CompanyFactory()
    with tenant_scope(other_organisation):
        MissionMeetingFactory(
            delegate=MissionDelegateFactory(
                mission=TradeMissionFactory(
                    programme=ProgrammeFactory(organisation=other_organisation)
                ),
                company=other_company,
                selected=True,
            ),
            logged_by=person,
        )
    held = {h.organisation: h.reasons for h in organisations_holding_data(user=person)}
    assert held[other_organisation] == ["Programme activities: trade mission meetings"]

    make_member(organisation, Role.ADMIN)
    make_member(other_organisation, Role.ADMIN)
    erasure_request(user=person)
    with scopes_disabled():
        asked = set(
            ErasureApproval.objects.filter(request__user=person).values_list(
                "organisation", flat=True
            )
        )
    assert asked == {organisation.pk, other_organisation.pk}


def test_erasure_unlinks_the_person_from_activity_rows_and_keeps_the_rows_and_figures(
    organisation, make_member
):
    cohort = CohortFactory(programme=ProgrammeFactory(organisation=organisation), running=True)
    person = UserFactory(first_name="Zz", last_name="Gone", email="gone@zz.example")
    company = CompanyMemberFactory(user=person).company
    mine = _active_in_activities(organisation, cohort, person, company, "GONEMARK")
    neighbour = UserFactory(email="stays@zz.example")
    neighbour_company = CompanyMemberFactory(user=neighbour).company
    theirs = _active_in_activities(organisation, cohort, neighbour, neighbour_company, "STAYMARK")
    admin = make_member(organisation, Role.ADMIN).user

    erasure = erasure_request(user=person)
    with scopes_disabled():
        [approval] = erasure.approvals.all()
    approval_confirm(approval=approval, by=admin)
    erasure.refresh_from_db()
    assert erasure.status == ErasureRequest.Status.COMPLETED
    assert erasure.counts["calendar feeds"] == 1
    assert erasure.counts["event feedback"] == 1
    assert erasure.counts["activity records unlinked"] == 5

    # The feed, with its secret address, is gone.
    assert not CalendarFeed.objects.filter(user=person).exists()
    with scopes_disabled():
        feedback = EventFeedback.objects.get(pk=mine["feedback"].pk)
        # The free text they wrote is cleared; the rating and the answer stay for the
        # event's figures.
        assert (feedback.most_useful, feedback.improve) == ("", "")
        assert (feedback.rating, feedback.would_recommend) == (5, True)
        # The rows are the company's: they stay, with their numbers, but no longer name
        # the person.
        registration = Registration.objects.get(pk=mine["registration"].pk)
        assert registration.user_id is None
        assert registration.attendance == Registration.Attendance.ATTENDED
        assert registration.company_id == company.pk
        delegate = MissionDelegate.objects.get(pk=mine["delegate"].pk)
        assert delegate.applied_by_id is None
        assert delegate.objectives == "GONEMARK objectives"  # the company's text
        meeting = MissionMeeting.objects.get(pk=mine["meeting"].pk)
        assert meeting.logged_by_id is None
        assert meeting.deal_value == Decimal("40000")
        assert CompetitorDeclaration.objects.get(pk=mine["declaration"].pk).declared_by_id is None
        assert ChallengeProposal.objects.get(pk=mine["proposal"].pk).submitted_by_id is None

        # The neighbour's rows are untouched.
        kept = EventFeedback.objects.get(pk=theirs["feedback"].pk)
        assert kept.most_useful == "STAYMARK liked the pitching"
        assert Registration.objects.get(pk=theirs["registration"].pk).user_id == neighbour.pk
        assert MissionDelegate.objects.get(pk=theirs["delegate"].pk).applied_by_id == neighbour.pk
        assert MissionMeeting.objects.get(pk=theirs["meeting"].pk).logged_by_id == neighbour.pk
        assert (
            CompetitorDeclaration.objects.get(pk=theirs["declaration"].pk).declared_by_id
            == neighbour.pk
        )
        assert (
            ChallengeProposal.objects.get(pk=theirs["proposal"].pk).submitted_by_id == neighbour.pk
        )
    assert CalendarFeed.objects.filter(user=neighbour).exists()
