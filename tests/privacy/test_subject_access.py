"""Subject access: a person asks for their data, a task builds a ZIP of JSON and CSV, the
e-mailed link works for that person only, for seven days, then the file is gone."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from activities.models import CalendarFeed, CompetitorDeclaration, EventFeedback
from cohorts.models import CompanyMember
from mentoring.models import FeeClaim, MentoringSession
from portal.models import OutgoingEmail
from portal.roles import Role
from portal.tenancy import scopes_disabled, tenant_scope
from privacy import subject_access
from privacy.models import DataExport
from tests.factories import (
    ApplicationFactory,
    ChallengeProposalFactory,
    CohortFactory,
    CompanyFactory,
    CompanyMemberFactory,
    ConsortiumMemberFactory,
    EnrolmentFactory,
    EventFactory,
    ExportConsortiumFactory,
    InnovationChallengeFactory,
    MembershipFactory,
    MentorMatchFactory,
    MentorProfileFactory,
    MissionDelegateFactory,
    MissionMeetingFactory,
    PeerGroupFactory,
    PeerGroupMemberFactory,
    ProgrammeFactory,
    QuestionFactory,
    RegistrationFactory,
    SurveyResponseFactory,
    TradeMissionFactory,
    UserFactory,
)
from tests.tenant_data import populate_tenant

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("privacy:overview")
REQUEST = reverse("privacy:export-request")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _founder(organisation, cohort, marker: str):
    """A founder whose company applied to and joined `cohort`, with a follow-up answer,
    a mentor and a held session, every text carrying `marker`."""
    user = UserFactory(email=f"{marker.lower()}@example.org", first_name=marker)
    company = CompanyFactory(name=f"{marker} Ltd", help_wanted=f"{marker} help wanted")
    CompanyMemberFactory(company=company, user=user)
    with tenant_scope(organisation):
        question = QuestionFactory(cohort=cohort, label="Why now?")
        application = ApplicationFactory(
            cohort=cohort,
            company=company,
            created_by=user,
            accepted=True,
            answers={str(question.pk): f"{marker} answer"},
        )
        enrolment = EnrolmentFactory(cohort=cohort, company=company, application=application)
        SurveyResponseFactory(
            cohort=cohort, company=company, offices_where=f"{marker} office", jobs_created=4
        )
        match = MentorMatchFactory(enrolment=enrolment)
        now = timezone.now()
        MentoringSession.objects.create(
            organisation=organisation,
            match=match,
            mentor=match.mentor,
            company=company,
            starts_at=now - timedelta(days=3),
            ends_at=now - timedelta(days=3) + timedelta(hours=1),
            status=MentoringSession.Status.HELD,
            notes=f"{marker} mentor's private notes",
            company_feedback=f"{marker} feedback",
            company_rating=5,
        )
    return user, company, match


def _shared_activities(organisation, cohort):
    """An event, a mission, a peer group, a consortium and a challenge of the cohort's
    programme, which neighbouring companies take part in side by side."""
    with tenant_scope(organisation):
        programme = cohort.programme
        return {
            "event": EventFactory(
                programme=programme, starts_at=timezone.now() - timedelta(days=2)
            ),
            "mission": TradeMissionFactory(programme=programme, cohort=cohort),
            "group": PeerGroupFactory(cohort=cohort),
            "consortium": ExportConsortiumFactory(programme=programme, cohort=cohort),
            "challenge": InnovationChallengeFactory(organisation=organisation, programme=programme),
        }


def _take_part(organisation, cohort, shared, user, company, marker: str):
    """`company` (acted for by `user`) in each shared activity, every text carrying
    `marker`."""
    with tenant_scope(organisation):
        registration = RegistrationFactory(
            event=shared["event"], company=company, user=user, attended=True
        )
        EventFeedback.objects.create(
            organisation=organisation,
            registration=registration,
            rating=4,
            most_useful=f"{marker} most useful",
            improve=f"{marker} improve",
            would_recommend=True,
        )
        delegate = MissionDelegateFactory(
            mission=shared["mission"],
            company=company,
            selected=True,
            applied_by=user,
            objectives=f"{marker} objectives",
        )
        MissionMeetingFactory(
            delegate=delegate,
            prospect_name=f"{marker} prospect",
            notes=f"{marker} meeting notes",
            logged_by=user,
            deal=True,
        )
        PeerGroupMemberFactory(group=shared["group"], company=company)
        ConsortiumMemberFactory(consortium=shared["consortium"], company=company)
        ChallengeProposalFactory(
            challenge=shared["challenge"],
            company=company,
            submitted_by=user,
            summary=f"{marker} proposal",
        )
    return CalendarFeed.objects.create(user=user)


def _request_and_build(client, user, django_capture_on_commit_callbacks) -> DataExport:
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(REQUEST)
    assert response.status_code == 302
    return DataExport.objects.get(user=user)


def _read_zip(export: DataExport) -> dict[str, str]:
    with default_storage.open(export.file.name, "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    return {name: archive.read(name).decode("utf-8-sig") for name in archive.namelist()}


def test_the_zip_holds_the_persons_records_and_not_their_neighbours(
    client, organisation, django_capture_on_commit_callbacks
):
    cohort = CohortFactory(programme=ProgrammeFactory(organisation=organisation), running=True)
    alice, alice_co, _ = _founder(organisation, cohort, "ALICEMARK")
    bob, bob_co, _ = _founder(organisation, cohort, "BOBMARK")
    # Their companies take part in the same event, mission, group, consortium and
    # challenge; Bob's company declares Alice's a competitor, Alice's declares a third.
    shared = _shared_activities(organisation, cohort)
    alice_feed = _take_part(organisation, cohort, shared, alice, alice_co, "ALICEMARK")
    bob_feed = _take_part(organisation, cohort, shared, bob, bob_co, "BOBMARK")
    rival = CompanyFactory(name="Rival Ltd")
    with tenant_scope(organisation):
        CompetitorDeclaration.objects.create(
            organisation=organisation,
            cohort=cohort,
            company=alice_co,
            competitor=rival,
            declared_by=alice,
        )
        CompetitorDeclaration.objects.create(
            organisation=organisation,
            cohort=cohort,
            company=bob_co,
            competitor=alice_co,
            declared_by=bob,
        )
    # Alice also mentors for another hub, where she claims fees.
    other_org = MembershipFactory(role=Role.MENTOR).organisation
    profile = MentorProfileFactory(
        organisation=other_org, user=alice, background="ALICEMARK background"
    )
    with tenant_scope(other_org):
        FeeClaim.objects.create(
            organisation=other_org,
            mentor=profile,
            month=timezone.localdate().replace(day=1),
            amount=Decimal("300.00"),
            query_note="ALICEMARK claim note",
        )

    export = _request_and_build(client, alice, django_capture_on_commit_callbacks)

    assert export.state == DataExport.State.READY
    files = _read_zip(export)
    sections = {name.rsplit(".", 1)[0] for name in files if name != "README.txt"}
    for section in sections:
        assert f"{section}.json" in files and f"{section}.csv" in files
    everything = "\n".join(files.values())
    assert "BOBMARK" not in everything
    assert bob.email not in everything

    profile_rows = json.loads(files["profile.json"])
    assert profile_rows == [
        {
            "id": alice.pk,
            "email": "alicemark@example.org",
            "first_name": "ALICEMARK",
            "last_name": alice.last_name,
            "date_joined": profile_rows[0]["date_joined"],
            "last_login": profile_rows[0]["last_login"],
            "is_active": True,
        }
    ]
    assert [a["email"] for a in json.loads(files["email_addresses.json"])] == [alice.email]
    assert [c["name"] for c in json.loads(files["companies.json"])] == ["ALICEMARK Ltd"]
    [application] = json.loads(files["applications.json"])
    assert application["answers"] == [{"question": "Why now?", "answer": "ALICEMARK answer"}]
    assert application["company_profile_as_submitted"]["name"] == "ALICEMARK Ltd"
    [enrolment] = json.loads(files["enrolments.json"])
    assert enrolment["company"] == "ALICEMARK Ltd"
    [answers] = json.loads(files["survey_answers.json"])
    assert (answers["offices_where"], answers["jobs_created"]) == ("ALICEMARK office", 4)
    [session] = json.loads(files["mentoring_sessions.json"])
    assert session["your_side"] == "company"
    assert session["company_feedback"] == "ALICEMARK feedback"
    # The mentor's notes are the mentor's: the company does not see them in the portal.
    assert "private notes" not in everything
    [mentor_profile] = json.loads(files["mentor_profiles.json"])
    assert mentor_profile["background"] == "ALICEMARK background"
    [claim] = json.loads(files["fee_claims.json"])
    assert (claim["amount"], claim["query_note"]) == ("300.00", "ALICEMARK claim note")
    assert "ALICEMARK answer" in files["applications.csv"]

    # Programme activities: Alice's company's rows, none of its neighbour's.
    [registration] = json.loads(files["event_registrations.json"])
    assert (registration["company"], registration["attendance"]) == ("ALICEMARK Ltd", "Attended")
    assert registration["registered_by_you"] is True
    [feedback] = json.loads(files["event_feedback.json"])
    assert (feedback["most_useful"], feedback["could_be_better"], feedback["rating"]) == (
        "ALICEMARK most useful",
        "ALICEMARK improve",
        4,
    )
    [delegation] = json.loads(files["mission_delegations.json"])
    assert delegation["objectives"] == "ALICEMARK objectives"
    [meeting] = json.loads(files["mission_meetings.json"])
    assert (meeting["prospect"], meeting["notes"], meeting["deal_value"]) == (
        "ALICEMARK prospect",
        "ALICEMARK meeting notes",
        "25000.00",
    )
    assert meeting["logged_by_you"] is True
    [group] = json.loads(files["peer_groups.json"])
    assert (group["group"], group["company"]) == (shared["group"].name, "ALICEMARK Ltd")
    [declaration] = json.loads(files["competitor_declarations.json"])
    assert (declaration["company"], declaration["competitor"]) == ("ALICEMARK Ltd", "Rival Ltd")
    [membership] = json.loads(files["export_consortia.json"])
    assert (membership["consortium"], membership["company"]) == (
        shared["consortium"].name,
        "ALICEMARK Ltd",
    )
    [proposal] = json.loads(files["challenge_proposals.json"])
    assert proposal["proposal"] == "ALICEMARK proposal"
    [feed] = json.loads(files["calendar_feed.json"])
    assert feed["calendar_feed_exists"] is True
    # The feed's secret address is never in the copy, hers or his.
    assert alice_feed.token not in everything and bob_feed.token not in everything
    assert "ALICEMARK objectives" in files["mission_delegations.csv"]
    assert "Why now?" in files["README.txt"] or "applications" in files["README.txt"]


def test_a_mentor_sees_their_notes_and_fees_but_not_other_mentors(
    client, organisation, django_capture_on_commit_callbacks
):
    cohort = CohortFactory(organisation=organisation, running=True)
    _, _, match = _founder(organisation, cohort, "FIRSTCO")
    _, _, other_match = _founder(organisation, cohort, "SECONDCO")
    export = _request_and_build(client, match.mentor.user, django_capture_on_commit_callbacks)
    files = _read_zip(export)
    [session] = json.loads(files["mentoring_sessions.json"])
    assert session["your_side"] == "mentor"
    assert session["mentor_notes"] == "FIRSTCO mentor's private notes"
    assert "SECONDCO" not in "\n".join(files.values())
    assert other_match.mentor.user.email not in "\n".join(files.values())


def test_no_other_tenants_data_reaches_any_member_of_a_tenant(
    client, organisation, other_organisation, django_capture_on_commit_callbacks
):
    """Every person of a fully populated tenant (each role, and the founder) gets their own
    records and nothing of a second, fully populated tenant."""
    populate_tenant(organisation, "TENANTAAA")
    populate_tenant(other_organisation, "TENANTBBB")
    people = [m.user for m in organisation.memberships.select_related("user")]
    with scopes_disabled():
        people.append(CompanyMember.objects.get(user__email="TENANTAAA-sme@example.org").user)
    for person in people:
        export = _request_and_build(client, person, django_capture_on_commit_callbacks)
        everything = "\n".join(_read_zip(export).values())
        assert person.email in everything
        assert "TENANTBBB" not in everything, person.email
    # The reviewer's export holds the review they wrote; the founder's the application.
    reviewer = organisation.memberships.get(role=Role.REVIEWER).user
    files = _read_zip(DataExport.objects.get(user=reviewer))
    assert json.loads(files["reviews_written.json"])[0]["comments"] == "TENANTAAA"
    founder = people[-1]
    files = _read_zip(DataExport.objects.get(user=founder))
    [listed] = json.loads(files["application_files.json"])
    assert listed["file_name"] == "TENANTAAA.pdf"


def test_the_link_is_emailed_and_works_only_for_its_owner(
    client, organisation, django_capture_on_commit_callbacks, mailoutbox
):
    cohort = CohortFactory(organisation=organisation, running=True)
    alice, _, _ = _founder(organisation, cohort, "ALICEMARK")
    export = _request_and_build(client, alice, django_capture_on_commit_callbacks)
    [mail] = [m for m in mailoutbox if m.to == [alice.email]]
    link = f"http://testserver{export.get_absolute_url()}"
    assert link in mail.body
    assert len(export.token) >= 40 and export.token not in str(alice.pk)
    download = reverse("privacy:export-download", kwargs={"token": export.token})

    # Signed out: the sign-in page, which comes back to the link.
    client.logout()
    response = client.get(export.get_absolute_url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    # Somebody else: not found, page and file alike.
    client.force_login(UserFactory())
    assert client.get(export.get_absolute_url()).status_code == 404
    assert client.get(download).status_code == 404

    client.force_login(alice)
    page = client.get(export.get_absolute_url())
    assert page.status_code == 200
    assert "Download the ZIP" in page.content.decode()
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    # Reading the stream to the end closes the file (the test client's wrapper).
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "profile.json" in archive.namelist()
    export.refresh_from_db()
    assert export.download_count == 1 and export.downloaded_at is not None


def test_an_expired_link_says_so_and_the_file_is_gone(
    client, organisation, django_capture_on_commit_callbacks
):
    cohort = CohortFactory(organisation=organisation, running=True)
    alice, _, _ = _founder(organisation, cohort, "ALICEMARK")
    export = _request_and_build(client, alice, django_capture_on_commit_callbacks)
    assert export.expires_at == export.ready_at + timedelta(days=7)
    name = export.file.name
    assert default_storage.exists(name)
    download = reverse("privacy:export-download", kwargs={"token": export.token})

    with time_machine.travel(export.expires_at - timedelta(minutes=1)):
        response = client.get(download)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"PK")
    with time_machine.travel(export.expires_at + timedelta(minutes=1)):
        with django_capture_on_commit_callbacks(execute=True):  # the request commits
            response = client.get(export.get_absolute_url())
        assert response.status_code == 410
        assert "This link has expired" in response.content.decode()
        assert not default_storage.exists(name)
        # The download address now leads to the same clear page, never to a file.
        response = client.get(download)
        assert response.status_code == 302
        assert response["Location"] == export.get_absolute_url()
    export.refresh_from_db()
    assert export.state == DataExport.State.EXPIRED and not export.file


def test_the_periodic_sweep_deletes_files_on_their_date_and_not_before(
    client, organisation, django_capture_on_commit_callbacks
):
    cohort = CohortFactory(organisation=organisation, running=True)
    alice, _, _ = _founder(organisation, cohort, "ALICEMARK")
    export = _request_and_build(client, alice, django_capture_on_commit_callbacks)
    name = export.file.name
    day_before = export.expires_at - timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert subject_access.exports_sweep(now=day_before)["expired"] == 0
    assert default_storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        assert subject_access.exports_sweep(now=export.expires_at)["expired"] == 1
    assert not default_storage.exists(name)
    export.refresh_from_db()
    assert export.state == DataExport.State.EXPIRED


def test_an_expiry_rolled_back_keeps_the_export_ready_with_its_file(
    client, organisation, django_capture_on_commit_callbacks
):
    """The file goes only once the expiry has committed: a sweep that fails after expiring
    an export leaves it ready and downloadable, not pointing at a deleted file."""
    cohort = CohortFactory(organisation=organisation, running=True)
    alice, _, _ = _founder(organisation, cohort, "ALICEMARK")
    export = _request_and_build(client, alice, django_capture_on_commit_callbacks)
    name = export.file.name

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        subject_access.exports_sweep(now=export.expires_at)
        raise RuntimeError("the worker died before the sweep committed")
    assert callbacks == []
    export.refresh_from_db()
    assert export.state == DataExport.State.READY and export.file.name == name
    assert default_storage.exists(name)
    with time_machine.travel(export.expires_at - timedelta(minutes=1)):
        download = client.get(reverse("privacy:export-download", kwargs={"token": export.token}))
        assert b"".join(download.streaming_content).startswith(b"PK")


def test_one_export_in_preparation_at_a_time(client, user):
    client.force_login(user)
    # Callbacks not run: the first stays pending, as while the worker is busy.
    client.post(REQUEST)
    response = client.post(REQUEST, follow=True)
    assert "still being prepared" in response.content.decode()
    assert DataExport.objects.filter(user=user).count() == 1
    # The overview no longer offers the button while one is pending.
    assert REQUEST not in client.get(OVERVIEW).content.decode()


def test_a_new_copy_replaces_the_previous_one(client, user, django_capture_on_commit_callbacks):
    first = _request_and_build(client, user, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(REQUEST)
    second = DataExport.objects.exclude(pk=first.pk).get(user=user)
    first.refresh_from_db()
    assert second.state == DataExport.State.READY
    assert first.state == DataExport.State.EXPIRED and not first.file


def test_building_twice_builds_and_mails_once(user):
    export = DataExport.objects.create(user=user)
    assert subject_access.export_build(export_id=export.pk) is True
    assert subject_access.export_build(export_id=export.pk) is False
    assert OutgoingEmail.objects.filter(to=user.email).count() == 1


def test_a_failed_build_is_retried_by_the_sweep_then_given_up(user, monkeypatch, tmp_path):
    from privacy.tasks_export import build_export

    export = DataExport.objects.create(user=user)

    def broken(*, user):
        raise RuntimeError("storage is down")

    monkeypatch.setattr(subject_access, "subject_access_data", broken)
    assert build_export(export.pk) is False
    export.refresh_from_db()
    assert export.state == DataExport.State.PENDING
    assert (export.attempts, export.error) == (1, "RuntimeError: storage is down")
    assert list(tmp_path.rglob("*.zip")) == []

    later = timezone.now() + subject_access.STALE_AFTER
    for _ in range(subject_access.MAX_ATTEMPTS - 1):
        subject_access.exports_sweep(now=later)
    assert subject_access.exports_sweep(now=later)["failed"] == 1
    export.refresh_from_db()
    assert export.state == DataExport.State.FAILED
    # Failed is not pending: the person may ask again.
    assert subject_access.export_request(user=user).state == DataExport.State.PENDING


def test_csv_cells_cannot_run_as_spreadsheet_formulas(
    client, organisation, django_capture_on_commit_callbacks
):
    founder = UserFactory()
    CompanyMemberFactory(company=CompanyFactory(name="=HYPERLINK(1)"), user=founder)
    export = _request_and_build(client, founder, django_capture_on_commit_callbacks)
    assert "'=HYPERLINK(1)" in _read_zip(export)["companies.csv"]


def test_the_overview_lists_who_holds_data_and_only_ones_own_copies(client, organisation):
    cohort = CohortFactory(organisation=organisation, running=True)
    alice, _, _ = _founder(organisation, cohort, "ALICEMARK")
    stranger = UserFactory()
    DataExport.objects.create(user=stranger, state=DataExport.State.FAILED)
    client.force_login(alice)
    body = client.get(OVERVIEW).content.decode()
    assert escape(organisation.name) in body
    assert "Application of ALICEMARK Ltd" in body
    assert "Failed" not in body
    # Reachable from the user menu of every page.
    assert f'href="{OVERVIEW}"' in client.get("/my/").content.decode()


def test_changes_the_person_made_come_from_the_audit_trail(
    client, organisation, make_member, django_capture_on_commit_callbacks
):
    from auditlog.context import set_actor

    alice = make_member(organisation, Role.ADMIN, email="alice@example.org").user
    bob = make_member(organisation, Role.ADMIN, email="bob@example.org").user
    colleague = make_member(organisation, Role.REVIEWER)
    with set_actor(alice, remote_addr="203.0.113.7"):
        colleague.role = Role.PROGRAMME_MANAGER
        colleague.save()
    with set_actor(bob, remote_addr="198.51.100.9"):
        colleague.role = Role.GROWTH_ADVISER
        colleague.save()

    export = _request_and_build(client, alice, django_capture_on_commit_callbacks)
    [entry] = json.loads(_read_zip(export)["audit_entries.json"])
    assert entry["changes"]["role"] == ["reviewer", "manager"]
    assert entry["from_address"] == "203.0.113.7"
    assert "198.51.100.9" not in json.dumps(entry)
