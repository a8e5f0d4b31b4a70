"""Withdrawing a company (and retention, which withdraws the companies of an ended
programme) reaches programme activities: the company's free text in the organisation's
activity rows is cleared, field by field; its competitor declarations go; the consortium's
plan document stays (it is the consortium's); and every activity figure (mission deal
totals, event attendance and ratings, group, consortium and challenge counts) is what it
was before."""

from __future__ import annotations

import datetime
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from activities.models import (
    ChallengeProposal,
    CompetitorDeclaration,
    EventFeedback,
    MissionDelegate,
    MissionMeeting,
    Registration,
)
from activities.selectors import company_activities
from activities.selectors_events import (
    attendance_counts,
    event_registrations,
    events_for_staff,
    feedback_summary,
)
from activities.selectors_groups import (
    challenges_with_counts,
    consortia_with_counts,
    groups_of_cohort,
)
from activities.selectors_missions import (
    delegate_counts,
    delegates_with_results,
    meeting_summary,
    missions_for_list,
)
from cohorts.models import Company
from portal.tenancy import scopes_disabled, tenant_scope
from privacy.anonymise import REMOVED_TEXT, anonymise_company
from privacy.retention import retention_apply
from tests.factories import (
    ChallengeProposalFactory,
    CohortFactory,
    CompanyFactory,
    ConsortiumMemberFactory,
    EnrolmentFactory,
    EventFactory,
    ExportConsortiumFactory,
    InnovationChallengeFactory,
    MissionDelegateFactory,
    MissionMeetingFactory,
    PeerGroupFactory,
    PeerGroupMemberFactory,
    ProgrammeFactory,
    TradeMissionFactory,
)

pytestmark = pytest.mark.django_db
SECRET = "zzacmesecret"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _take_part(activities, company, marker, *, attended, rating, deal_value):
    """`company` in each activity, every free text carrying `marker`."""
    organisation = activities["event"].organisation
    registration = Registration.objects.create(
        organisation=organisation,
        event=activities["event"],
        company=company,
        status=Registration.Status.REGISTERED,
        attendance=attended,
    )
    EventFeedback.objects.create(
        organisation=organisation,
        registration=registration,
        rating=rating,
        most_useful=f"{marker} most useful",
        improve=f"{marker} could be better",
        would_recommend=rating >= 4,
    )
    delegate = MissionDelegateFactory(
        mission=activities["mission"],
        company=company,
        selected=True,
        objectives=f"{marker} objectives",
    )
    MissionMeetingFactory(
        delegate=delegate,
        prospect_name=f"{marker} Distribution GmbH",
        notes=f"{marker} meeting notes",
        deal=True,
        deal_value=deal_value,
    )
    MissionMeetingFactory(
        delegate=delegate, prospect_name=f"{marker} Investor", notes=f"{marker} lead notes"
    )
    PeerGroupMemberFactory(group=activities["group"], company=company)
    ConsortiumMemberFactory(consortium=activities["consortium"], company=company)
    ChallengeProposalFactory(
        challenge=activities["challenge"],
        company=company,
        summary=f"{marker} proposal",
        status=ChallengeProposal.Status.SHORTLISTED,
        result_note=f"{marker} result note",
        decided_at=timezone.now(),
    )


@pytest.fixture
def activity_data(organisation):
    programme = ProgrammeFactory(organisation=organisation)
    cohort = CohortFactory(programme=programme, completed=True)
    acme = CompanyFactory(name="Acme Ltd", exports=True)
    other = CompanyFactory(name="Other Ltd")
    with tenant_scope(organisation):
        for company in (acme, other):
            EnrolmentFactory(cohort=cohort, company=company)
        consortium = ExportConsortiumFactory(
            programme=programme, cohort=cohort, plan_summary="Joint plan for Germany"
        )
        consortium.plan_document.save("plan.pdf", ContentFile(b"%PDF-1.4 joint plan"))
        activities = {
            "event": EventFactory(
                programme=programme, starts_at=timezone.now() - timedelta(days=3)
            ),
            "mission": TradeMissionFactory(
                programme=programme,
                departs_on=timezone.localdate() - timedelta(days=20),
                returns_on=timezone.localdate() - timedelta(days=14),
            ),
            "group": PeerGroupFactory(cohort=cohort),
            "consortium": consortium,
            "challenge": InnovationChallengeFactory(organisation=organisation, programme=programme),
        }
        _take_part(
            activities,
            acme,
            SECRET,
            attended=Registration.Attendance.ATTENDED,
            rating=5,
            deal_value=Decimal("40000"),
        )
        _take_part(
            activities,
            other,
            "OTHERMARK",
            attended=Registration.Attendance.ATTENDED,
            rating=3,
            deal_value=Decimal("15000"),
        )
        for company, competitor in ((acme, other), (other, acme)):
            CompetitorDeclaration.objects.create(
                organisation=organisation, cohort=cohort, company=company, competitor=competitor
            )
    return {
        "programme": programme,
        "cohort": cohort,
        "acme": acme,
        "other": other,
        **activities,
    }


def _figures(organisation, data) -> dict:
    """Every figure the activity pages show for the programme, from the activities app's
    own selectors."""
    event, mission = data["event"], data["mission"]
    with tenant_scope(organisation):
        summary = feedback_summary(event)
        summary.pop("answers_list")
        [listed_mission] = missions_for_list(organisation=organisation, when="past")
        [listed_event] = events_for_staff(organisation=organisation, when="past")
        delegates = delegates_with_results(mission.delegates.order_by("pk"))
        group_sizes = [(g.pk, g.members.count()) for g in groups_of_cohort(cohort=data["cohort"])]
        per_company = {}
        for company in (data["acme"], data["other"]):
            mine = company_activities(organisation=organisation, company=company)
            per_company[company.pk] = {
                "event_counts": mine.event_counts,
                "deals": [(d.meeting_count, d.deal_count, d.deal_total) for d in mine.delegations],
                "groups": len(mine.group_memberships),
                "consortia": [m.member_count for m in mine.consortium_memberships],
                "proposals": [p.status for p in mine.proposals],
            }
        return {
            "event": event_registrations(event)["counts"],
            "attendance": attendance_counts(event),
            "feedback": summary,
            "event_list": (listed_event.registered_count, listed_event.waitlisted_count),
            "mission_list": (
                listed_mission.selected_count,
                listed_mission.meeting_count,
                listed_mission.deal_count,
                listed_mission.deal_value,
            ),
            "mission_meetings": meeting_summary(mission.meetings.all()),
            "delegate_counts": delegate_counts(mission),
            "delegates": [(d.meeting_count, d.deal_count, d.deal_value) for d in delegates],
            "groups": group_sizes,
            "consortia": [
                (c.member_count, c.exporter_count)
                for c in consortia_with_counts(organisation=organisation)
            ],
            "challenges": [
                (c.proposal_count, c.shortlisted_count)
                for c in challenges_with_counts(organisation=organisation)
            ],
            "per_company": per_company,
        }


def _assert_acme_scrubbed_and_other_kept(data):
    acme, other = data["acme"], data["other"]
    with scopes_disabled():
        # The company's free text, field by field.
        [feedback] = EventFeedback.objects.filter(registration__company=acme)
        assert (feedback.most_useful, feedback.improve) == ("", "")
        assert (feedback.rating, feedback.would_recommend) == (5, True)
        [delegate] = MissionDelegate.objects.filter(company=acme)
        assert delegate.objectives == ""
        assert delegate.status == MissionDelegate.Status.SELECTED
        meetings = MissionMeeting.objects.filter(delegate__company=acme).order_by("pk")
        assert [(m.prospect_name, m.notes) for m in meetings] == [(REMOVED_TEXT, "")] * 2
        assert [(m.outcome, m.deal_value) for m in meetings] == [
            ("deal", Decimal("40000")),
            ("lead", None),
        ]
        [proposal] = ChallengeProposal.objects.filter(company=acme)
        assert (proposal.summary, proposal.result_note) == (REMOVED_TEXT, "")
        assert proposal.status == ChallengeProposal.Status.SHORTLISTED
        # Its declarations go; the neighbour's declaration (the neighbour's word) stays.
        assert not CompetitorDeclaration.objects.filter(company=acme).exists()
        assert CompetitorDeclaration.objects.filter(company=other, competitor=acme).exists()
        # The consortium's plan is the consortium's: it stays, in storage too.
        consortium = data["consortium"]
        consortium.refresh_from_db()
        assert consortium.plan_document and default_storage.exists(consortium.plan_document.name)
        assert consortium.plan_summary == "Joint plan for Germany"
        # The neighbour's text is untouched.
        kept = EventFeedback.objects.get(registration__company=other)
        assert kept.most_useful == "OTHERMARK most useful"
        assert MissionDelegate.objects.get(company=other).objectives == "OTHERMARK objectives"
        assert sorted(
            MissionMeeting.objects.filter(delegate__company=other).values_list("notes", flat=True)
        ) == ["OTHERMARK lead notes", "OTHERMARK meeting notes"]
        assert ChallengeProposal.objects.get(company=other).summary == "OTHERMARK proposal"
        # Nothing of the scrubbed text is left in any activity row.
        texts = [
            *EventFeedback.objects.values_list("most_useful", "improve"),
            *MissionDelegate.objects.values_list("objectives", flat=True),
            *MissionMeeting.objects.values_list("prospect_name", "notes"),
            *ChallengeProposal.objects.values_list("summary", "result_note"),
        ]
        assert SECRET not in repr(texts)


def test_withdrawing_a_company_clears_its_activity_text_and_keeps_every_activity_figure(
    organisation, activity_data
):
    before = _figures(organisation, activity_data)
    assert before["mission_list"] == (2, 4, 2, Decimal("55000"))
    assert before["attendance"]["attended"] == 2

    counts = anonymise_company(company=activity_data["acme"], organisation=organisation)

    assert _figures(organisation, activity_data) == before
    assert counts["event feedback"] == 1
    assert counts["mission meetings"] == 2
    assert counts["competitor declarations"] == 1
    _assert_acme_scrubbed_and_other_kept(activity_data)


def test_the_audit_trail_keeps_none_of_the_cleared_activity_text(organisation, activity_data):
    from auditlog import get_logentry_model

    entries = get_logentry_model().objects.all()
    assert any(SECRET in str(e.changes) for e in entries)  # recorded when logged
    anonymise_company(company=activity_data["acme"], organisation=organisation)
    for entry in get_logentry_model().objects.all():
        assert SECRET not in f"{entry.changes} {entry.changes_text} {entry.object_repr}"


def test_a_company_another_organisation_knows_only_through_activities_keeps_its_profile(
    organisation, other_organisation, activity_data
):
    acme = activity_data["acme"]
    with tenant_scope(other_organisation):
        Registration.objects.create(
            organisation=other_organisation,
            event=EventFactory(programme=ProgrammeFactory(organisation=other_organisation)),
            company=acme,
            status=Registration.Status.REGISTERED,
        )
    anonymise_company(company=acme, organisation=organisation)
    assert Company.objects.get(pk=acme.pk).name == "Acme Ltd"
    _assert_acme_scrubbed_and_other_kept(activity_data)


def test_retention_clears_activity_text_of_the_ended_programme_and_keeps_its_figures(
    organisation, activity_data
):
    programme = activity_data["programme"]
    programme.start_date = datetime.date(2024, 1, 1)
    programme.end_date = datetime.date(2025, 1, 31)
    programme.retention_months = 12
    programme.save()
    # "Other Ltd" registered for an event of another programme of the organisation: it is
    # not held only because of this one, and keeps everything.
    with tenant_scope(organisation):
        Registration.objects.create(
            organisation=organisation,
            event=EventFactory(programme=ProgrammeFactory(organisation=organisation)),
            company=activity_data["other"],
            status=Registration.Status.DECLINED,
        )
    before = _figures(organisation, activity_data)

    with time_machine.travel(datetime.datetime(2026, 1, 30, 3, 0), tick=False):
        assert retention_apply(programme_id=programme.pk, today=timezone.localdate()) is None
    with scopes_disabled():
        assert MissionDelegate.objects.get(company=activity_data["acme"]).objectives
    with time_machine.travel(datetime.datetime(2026, 1, 31, 3, 0), tick=False):
        run = retention_apply(programme_id=programme.pk, today=timezone.localdate())
    assert run is not None and run.counts["companies anonymised"] == 1

    assert _figures(organisation, activity_data) == before
    _assert_acme_scrubbed_and_other_kept(activity_data)
    assert Company.objects.get(pk=activity_data["acme"].pk).name != "Acme Ltd"
    assert Company.objects.get(pk=activity_data["other"].pk).name == "Other Ltd"
