"""Mentor recruitment (the public form), the staff's review and induction, the mentor list
and record, and the mentor's own profile."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from mentoring import services_mentors as services
from mentoring.models import MentoringSession, MentorProfile
from portal.models import Membership
from portal.roles import Role
from portal.tenancy import tenant_scope
from tests.factories import (
    ApplicationFactory,
    EnrolmentFactory,
    MembershipFactory,
    MentorMatchFactory,
    MentorProfileFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"
DOCX = b"PK\x03\x04" + b"\x00" * 60


def pdf(name="cv.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def apply_url(org):
    return reverse("mentor-recruitment:apply", kwargs={"org_slug": org.slug})


def detail_url(mentor):
    return reverse(
        "mentoring:mentor-detail", kwargs={"org_slug": mentor.organisation.slug, "pk": mentor.pk}
    )


def application_data(**overrides):
    data = {
        "background": "Twenty years in export sales; ran a food manufacturer.",
        "expertise": ["international_trade", "sales_marketing"],
        "sectors": ["food"],
        "companies_founded_or_scaled": "Founded Pie Co (sold 2019).",
        "coaching_experience": "Mentored 12 founders.",
        "rate_expectation": "£150 per session",
        "region": "west_midlands",
        "online_ok": "on",
        "languages": "English, French",
        "cv": pdf(),
    }
    data.update(overrides)
    return data


@pytest.fixture
def manager(organisation, make_member):
    return make_member(organisation, Role.PROGRAMME_MANAGER)


@pytest.fixture
def applied(organisation):
    return MentorProfileFactory(organisation=organisation, applied=True)


# --- Recruitment ----------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in_and_back(client, organisation):
    response = client.get(apply_url(organisation))
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={apply_url(organisation)}"


def test_unknown_organisation_is_404(client, user):
    client.force_login(user)
    assert client.get("/o/no-such-org/mentors/apply/").status_code == 404


def test_form_shows_errors_next_to_each_field(client, organisation, user):
    client.force_login(user)
    response = client.post(apply_url(organisation), {})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) >= {"background", "expertise", "cv", "region", "languages"}
    assert "Choose at least one area of expertise." in errors["expertise"]
    with scopes_disabled():
        assert not MentorProfile.objects.exists()


def test_unknown_expertise_is_refused(client, organisation, user):
    client.force_login(user)
    response = client.post(apply_url(organisation), application_data(expertise=["juggling"]))
    assert response.status_code == 400
    assert "expertise" in response.context["form"].errors


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("cv.txt", b"plain text"), "PDF or a Word"),
        (SimpleUploadedFile("cv.exe", b"MZ\x90\x00"), "PDF or a Word"),
        (SimpleUploadedFile("cv.pdf", b"MZ\x90\x00 not a pdf"), "does not look like a PDF"),
        (SimpleUploadedFile("cv.docx", b"%PDF-1.4 pretending"), "does not look like a DOCX"),
        (SimpleUploadedFile("cv.pdf", PDF + b"0" * (5 * 1024 * 1024)), "the limit is 5 MB"),
    ],
)
def test_cv_of_wrong_type_or_size_is_refused(client, organisation, user, upload, message):
    client.force_login(user)
    response = client.post(apply_url(organisation), application_data(cv=upload))
    assert response.status_code == 400
    assert any(message in e for e in response.context["form"].errors["cv"])
    # Everything else typed is kept.
    assert "Twenty years in export sales" in response.content.decode()
    with scopes_disabled():
        assert not MentorProfile.objects.exists()


def test_docx_cv_is_accepted(client, organisation, user):
    client.force_login(user)
    upload = SimpleUploadedFile("My CV.docx", DOCX)
    response = client.post(apply_url(organisation), application_data(cv=upload))
    assert response.status_code == 302
    with tenant_scope(organisation):
        assert MentorProfile.objects.get(user=user).cv.name.endswith(".docx")


def test_application_creates_an_applied_profile_and_emails_the_managers(
    client, organisation, user, make_member, django_capture_on_commit_callbacks
):
    admin = make_member(organisation, Role.ADMIN)
    manager = make_member(organisation, Role.PROGRAMME_MANAGER)
    make_member(organisation, Role.GROWTH_ADVISER)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(apply_url(organisation), application_data())
    assert response.status_code == 302
    assert response["Location"] == apply_url(organisation)
    with tenant_scope(organisation):
        mentor = MentorProfile.objects.get(user=user)
    assert mentor.status == MentorProfile.Status.APPLIED
    assert mentor.organisation == organisation
    assert mentor.expertise == ["international_trade", "sales_marketing"]
    assert mentor.sectors == ["food"]
    assert mentor.region == "west_midlands" and mentor.online_ok
    assert mentor.cv.name.startswith("mentor-cvs/") and mentor.cv.name.endswith(".pdf")
    assert not mentor.can_be_matched
    assert sorted(m.to[0] for m in mail.outbox) == sorted([admin.user.email, manager.user.email])
    assert all("New mentor application" in m.subject for m in mail.outbox)
    assert detail_url(mentor) in mail.outbox[0].body


def test_one_application_per_person_and_organisation(client, organisation, other_organisation):
    user = UserFactory()
    client.force_login(user)
    assert client.post(apply_url(organisation), application_data()).status_code == 302
    # A second visit shows the status, and posting again creates nothing.
    response = client.get(apply_url(organisation))
    assert response.status_code == 200
    assert "mentoring/recruitment/status.html" in [t.name for t in response.templates]
    assert "Applied" in response.content.decode()
    client.post(apply_url(organisation), application_data())
    with scopes_disabled():
        assert MentorProfile.objects.filter(user=user).count() == 1
    # Another organisation is a separate application.
    assert client.post(apply_url(other_organisation), application_data()).status_code == 302
    with scopes_disabled():
        assert MentorProfile.objects.filter(user=user).count() == 2


def test_the_service_refuses_a_second_application(organisation, user):
    with tenant_scope(organisation):
        fields = application_data()
        fields.pop("online_ok")
        services.mentor_apply(organisation=organisation, user=user, **fields)
        fields["cv"] = pdf()
        with pytest.raises(ValidationError, match="already applied"):
            services.mentor_apply(organisation=organisation, user=user, **fields)


# --- Review: interview, accept, decline -----------------------------------------------------


def test_manager_invites_to_interview_with_notes(client, manager, applied):
    client.force_login(manager.user)
    response = client.post(
        reverse("mentoring:mentor-decide", args=[applied.organisation.slug, applied.pk]),
        {"decision": "interview", "notes": "Strong on export finance."},
    )
    assert response.status_code == 302
    with tenant_scope(applied.organisation):
        applied.refresh_from_db()
    assert applied.status == MentorProfile.Status.INTERVIEW
    assert applied.interview_notes == "Strong on export finance."
    assert applied.reviewed_by == manager.user
    page = client.get(detail_url(applied)).content.decode()
    assert "Strong on export finance." in page


def test_accepting_makes_a_mentor_member_and_emails_them(
    client, manager, applied, django_capture_on_commit_callbacks
):
    client.force_login(manager.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("mentoring:mentor-decide", args=[applied.organisation.slug, applied.pk]),
            {"decision": "accept"},
        )
    assert response.status_code == 302
    with tenant_scope(applied.organisation):
        applied.refresh_from_db()
    assert applied.status == MentorProfile.Status.INDUCTION
    assert not applied.can_be_matched
    membership = Membership.objects.get(user=applied.user, organisation=applied.organisation)
    assert membership.role == Role.MENTOR
    assert [m.to for m in mail.outbox] == [[applied.user.email]]
    assert "Welcome as a mentor" in mail.outbox[0].subject
    # The new mentor reaches their own profile page.
    client.force_login(applied.user)
    assert (
        client.get(reverse("mentoring:my-profile", args=[applied.organisation.slug])).status_code
        == 200
    )


def test_accepting_keeps_an_existing_membership(manager, organisation):
    adviser = MembershipFactory(organisation=organisation, role=Role.GROWTH_ADVISER)
    mentor = MentorProfileFactory(organisation=organisation, user=adviser.user, applied=True)
    with tenant_scope(organisation):
        services.mentor_decide(mentor=mentor, decision="accept", by=manager.user)
    assert Membership.objects.filter(user=adviser.user, organisation=organisation).count() == 1
    adviser.refresh_from_db()
    assert adviser.role == Role.GROWTH_ADVISER


def test_declining_needs_a_reason_and_tells_the_applicant(
    client, manager, applied, django_capture_on_commit_callbacks
):
    client.force_login(manager.user)
    url = reverse("mentoring:mentor-decide", args=[applied.organisation.slug, applied.pk])
    response = client.post(url, {"decision": "decline", "notes": "Kind but no SME work."})
    assert response.status_code == 400
    assert response.context["decide_form"].errors["reason"]
    # What was typed stays on the page.
    assert "Kind but no SME work." in response.content.decode()
    assert not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"decision": "decline", "reason": "We need more experience with small companies."}
        )
    assert response.status_code == 302
    with tenant_scope(applied.organisation):
        applied.refresh_from_db()
    assert applied.status == MentorProfile.Status.DECLINED
    assert "more experience with small companies" in applied.interview_notes
    assert [m.to for m in mail.outbox] == [[applied.user.email]]
    assert "more experience with small companies" in mail.outbox[0].body
    assert not Membership.objects.filter(
        user=applied.user, organisation=applied.organisation
    ).exists()


def test_decisions_not_open_from_the_current_status_are_refused(client, manager, organisation):
    active = MentorProfileFactory(organisation=organisation)
    client.force_login(manager.user)
    response = client.post(
        reverse("mentoring:mentor-decide", args=[organisation.slug, active.pk]),
        {"decision": "accept"},
    )
    assert response.status_code == 400
    assert "not open now" in response.content.decode()
    response = client.post(
        reverse("mentoring:mentor-decide", args=[organisation.slug, active.pk]),
        {"decision": "bogus"},
    )
    assert response.status_code == 400


def test_deactivate_and_bring_back(manager, organisation):
    mentor = MentorProfileFactory(organisation=organisation)
    with tenant_scope(organisation):
        mentor = services.mentor_decide(mentor=mentor, decision="deactivate", by=manager.user)
        assert mentor.status == MentorProfile.Status.INACTIVE and not mentor.can_be_matched
        mentor = services.mentor_decide(mentor=mentor, decision="reactivate", by=manager.user)
        assert mentor.status == MentorProfile.Status.ACTIVE and mentor.can_be_matched


# --- Induction gates matching ---------------------------------------------------------------


def _accepted(organisation, manager):
    mentor = MentorProfileFactory(organisation=organisation, applied=True)
    with tenant_scope(organisation):
        return services.mentor_decide(mentor=mentor, decision="accept", by=manager.user)


def test_mentor_can_be_matched_only_after_all_three_induction_steps(
    client, manager, organisation, django_capture_on_commit_callbacks
):
    mentor = _accepted(organisation, manager)
    url = reverse("mentoring:mentor-induction", args=[organisation.slug, mentor.pk])
    client.force_login(manager.user)
    client.post(url, {"agreement_signed": "on", "conflicts_declared": "on"})
    with tenant_scope(organisation):
        mentor.refresh_from_db()
    assert mentor.agreement_signed_at and mentor.conflicts_declared_at
    assert mentor.status == MentorProfile.Status.INDUCTION
    assert not mentor.can_be_matched
    signed_at = mentor.agreement_signed_at
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"agreement_signed": "on", "conflicts_declared": "on", "induction_attended": "on"},
        )
    assert response.status_code == 302
    with tenant_scope(organisation):
        mentor.refresh_from_db()
    assert mentor.status == MentorProfile.Status.ACTIVE
    assert mentor.can_be_matched
    assert mentor.agreement_signed_at == signed_at  # ticking again keeps the first date
    assert "ready to be matched" in mail.outbox[-1].subject
    # Unticking a step takes the mentor back into induction.
    client.post(url, {"agreement_signed": "on", "conflicts_declared": "on"})
    with tenant_scope(organisation):
        mentor.refresh_from_db()
    assert mentor.status == MentorProfile.Status.INDUCTION and not mentor.can_be_matched


def test_induction_before_acceptance_is_refused(client, manager, applied):
    client.force_login(manager.user)
    response = client.post(
        reverse("mentoring:mentor-induction", args=[applied.organisation.slug, applied.pk]),
        {"agreement_signed": "on", "conflicts_declared": "on", "induction_attended": "on"},
    )
    assert response.status_code == 400
    assert "Accept the mentor before" in response.content.decode()
    with tenant_scope(applied.organisation):
        applied.refresh_from_db()
    assert applied.status == MentorProfile.Status.APPLIED and not applied.induction_complete


# --- The record: CV, rate, attendance -------------------------------------------------------


def test_staff_download_the_cv_as_an_attachment(client, organisation, manager, user):
    with tenant_scope(organisation):
        fields = application_data()
        fields.pop("online_ok")
        mentor = services.mentor_apply(organisation=organisation, user=user, **fields)
    client.force_login(manager.user)
    response = client.get(detail_url(mentor) + "?cv=1")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


def test_manager_sets_the_rate_and_the_mentor_only_reads_it(client, organisation, manager):
    mentor = MentorProfileFactory(organisation=organisation)
    client.force_login(manager.user)
    response = client.post(
        detail_url(mentor), {"rate_per_session": "175.50", "capacity_per_month": 6}
    )
    assert response.status_code == 302
    with tenant_scope(organisation):
        mentor.refresh_from_db()
    assert mentor.rate_per_session == Decimal("175.50") and mentor.capacity_per_month == 6
    response = client.post(detail_url(mentor), {"rate_per_session": "-1", "capacity_per_month": 6})
    assert response.status_code == 400
    # The mentor's own form has no rate: a posted rate is ignored.
    client.force_login(mentor.user)
    data = profile_data(rate_per_session="999")
    client.post(reverse("mentoring:my-profile", args=[organisation.slug]), data)
    with tenant_scope(organisation):
        mentor.refresh_from_db()
    assert mentor.rate_per_session == Decimal("175.50")
    page = client.get(reverse("mentoring:my-profile", args=[organisation.slug])).content.decode()
    assert "£175.50" in page


def _session(match, status, *, days, late=False, cancelled_by=None):
    start = timezone.now() + timedelta(days=days)
    return MentoringSession.objects.create(
        organisation=match.organisation,
        match=match,
        mentor=match.mentor,
        company=match.company,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        status=status,
        late_cancellation=late,
        cancelled_by=cancelled_by,
        place="Venture Centre",
    )


def test_detail_shows_no_show_and_late_cancellation_rates(client, organisation, manager):
    match = MentorMatchFactory(enrolment__cohort__organisation=organisation)
    mentor = match.mentor
    S = MentoringSession.Status
    with tenant_scope(organisation):
        for day, status in enumerate([S.HELD, S.HELD, S.HELD, S.MENTOR_NO_SHOW, S.MENTEE_NO_SHOW]):
            _session(match, status, days=-(day + 1))
        _session(match, S.CANCELLED, days=-10, late=True, cancelled_by=mentor.user)
        _session(match, S.CANCELLED, days=-11, late=False, cancelled_by=mentor.user)
        _session(match, S.CANCELLED, days=-12, late=True, cancelled_by=UserFactory())
        _session(match, S.BOOKED, days=3)
        from mentoring.selectors_mentors import mentor_attendance

        record = mentor_attendance(mentor=mentor)
    assert record.booked == 9 and record.past == 5 and record.held == 3
    assert record.mentor_no_show_rate == 20.0
    assert record.mentee_no_show_rate == 20.0
    assert record.late_cancellations_by_mentor == 1
    assert record.cancellations_by_mentor == 2
    assert record.late_cancellation_rate == round(100 / 9, 1)
    client.force_login(manager.user)
    page = client.get(detail_url(mentor)).content.decode()
    assert "20.0% of recorded" in page
    assert f"{round(100 / 9, 1)}% of booked" in page
    assert match.company.name in page  # the active match


# --- Permissions ----------------------------------------------------------------------------


def test_advisers_read_but_cannot_decide(client, organisation, make_member, applied):
    adviser = make_member(organisation, Role.GROWTH_ADVISER)
    client.force_login(adviser.user)
    page = client.get(detail_url(applied))
    assert page.status_code == 200
    assert 'name="decision"' not in page.content.decode()
    assert 'name="rate_per_session"' not in page.content.decode()
    assert client.get(reverse("mentoring:mentor-list", args=[organisation.slug])).status_code == 200
    slug = organisation.slug
    assert (
        client.post(
            reverse("mentoring:mentor-decide", args=[slug, applied.pk]), {"decision": "accept"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("mentoring:mentor-induction", args=[slug, applied.pk]),
            {"agreement_signed": "on"},
        ).status_code
        == 403
    )
    assert (
        client.post(
            detail_url(applied), {"rate_per_session": "1", "capacity_per_month": 1}
        ).status_code
        == 403
    )
    with tenant_scope(organisation):
        applied.refresh_from_db()
    assert applied.status == MentorProfile.Status.APPLIED and applied.rate_per_session != 1


def test_funder_is_refused(client, organisation, make_member, applied):
    funder = make_member(organisation, Role.FUNDER)
    client.force_login(funder.user)
    assert client.get(reverse("mentoring:mentor-list", args=[organisation.slug])).status_code == 403
    assert client.get(detail_url(applied)).status_code == 403
    assert client.get(reverse("mentoring:my-profile", args=[organisation.slug])).status_code == 403
    assert (
        client.get(reverse("mentoring:availability", args=[organisation.slug])).status_code == 403
    )


def test_a_mentor_cannot_reach_another_mentors_record(client, organisation):
    me = MentorProfileFactory(organisation=organisation)
    other = MentorProfileFactory(organisation=organisation)
    client.force_login(me.user)
    assert client.get(detail_url(other)).status_code == 403
    assert client.get(detail_url(me)).status_code == 403
    assert client.get(reverse("mentoring:mentor-list", args=[organisation.slug])).status_code == 403
    # Their own profile page is theirs only.
    page = client.get(reverse("mentoring:my-profile", args=[organisation.slug]))
    assert page.context["mentor"] == me


def test_a_mentor_member_without_a_profile_gets_404(client, organisation, make_member):
    member = make_member(organisation, Role.MENTOR)
    client.force_login(member.user)
    assert client.get(reverse("mentoring:my-profile", args=[organisation.slug])).status_code == 404
    assert (
        client.get(reverse("mentoring:availability", args=[organisation.slug])).status_code == 404
    )


def test_other_organisations_mentor_is_404(client, organisation, other_organisation, manager):
    theirs = MentorProfileFactory(organisation=other_organisation)
    client.force_login(manager.user)
    url = reverse("mentoring:mentor-detail", args=[organisation.slug, theirs.pk])
    assert client.get(url).status_code == 404
    url = reverse("mentoring:mentor-decide", args=[organisation.slug, theirs.pk])
    assert client.post(url, {"decision": "deactivate"}).status_code == 404


# --- The list -------------------------------------------------------------------------------


def test_list_filters(client, organisation, manager):
    finance = MentorProfileFactory(
        organisation=organisation, expertise=["finance"], sectors=["tech"], region="london"
    )
    access = MentorProfileFactory(
        organisation=organisation,
        expertise=["access_to_finance"],
        sectors=["food"],
        region="west_midlands",
        online_ok=False,
    )
    applicant = MentorProfileFactory(
        organisation=organisation, applied=True, expertise=["legal"], region="wales"
    )
    MentorProfileFactory()  # another organisation's
    client.force_login(manager.user)
    url = reverse("mentoring:mentor-list", args=[organisation.slug])

    def listed(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return {row["mentor"].pk for row in response.context["rows"]}

    assert listed() == {finance.pk, access.pk, applicant.pk}
    assert listed(expertise="finance") == {finance.pk}
    assert listed(expertise="access_to_finance") == {access.pk}
    assert listed(sector="food") == {access.pk}
    assert listed(region="london") == {finance.pk}
    assert listed(online="no") == {access.pk}
    assert listed(status="applied") == {applicant.pk}
    assert listed(q=access.user.last_name[:4]) >= {access.pk}
    assert listed(status="nonsense") == {finance.pk, access.pk, applicant.pk}  # ignored
    assert "No mentor matches" in client.get(url, {"expertise": "people"}).content.decode()


def test_list_shows_load_this_month_and_sorts_by_it(client, organisation, manager):
    busy = MentorMatchFactory(enrolment__cohort__organisation=organisation)
    idle = MentorProfileFactory(organisation=organisation)
    S = MentoringSession.Status
    now = timezone.now()
    with tenant_scope(organisation):
        for hours, status in [(1, S.BOOKED), (2, S.HELD), (3, S.CANCELLED)]:
            start = now.replace(day=1, hour=0, minute=0) + timedelta(hours=24 + hours)
            MentoringSession.objects.create(
                organisation=organisation,
                match=busy,
                mentor=busy.mentor,
                company=busy.company,
                starts_at=start,
                ends_at=start + timedelta(minutes=30),
                status=status,
                place="Office",
            )
    client.force_login(manager.user)
    response = client.get(
        reverse("mentoring:mentor-list", args=[organisation.slug]), {"sort": "load"}
    )
    rows = response.context["rows"]
    assert [r["mentor"].pk for r in rows] == [busy.mentor.pk, idle.pk]
    assert rows[0]["mentor"].sessions_this_month == 2
    assert rows[0]["mentor"].active_match_count == 1
    assert rows[1]["mentor"].sessions_this_month == 0
    assert "2 of 4" in response.content.decode()
    response = client.get(
        reverse("mentoring:mentor-list", args=[organisation.slug]), {"sort": "free"}
    )
    assert [r["mentor"].pk for r in response.context["rows"]] == [idle.pk, busy.mentor.pk]


def _list_queries(client, organisation):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("mentoring:mentor-list", args=[organisation.slug]))
    assert response.status_code == 200
    return len(queries)


def test_list_queries_do_not_grow_with_mentors(client, organisation, manager):
    client.force_login(manager.user)

    def add(n):
        for _ in range(n):
            match = MentorMatchFactory(enrolment__cohort__organisation=organisation)
            start = timezone.now() + timedelta(minutes=5)
            with tenant_scope(organisation):
                MentoringSession.objects.create(
                    organisation=organisation,
                    match=match,
                    mentor=match.mentor,
                    company=match.company,
                    starts_at=start,
                    ends_at=start + timedelta(hours=1),
                    place="Office",
                )

    add(10)
    _list_queries(client, organisation)  # the first visit also writes the session
    few = _list_queries(client, organisation)
    add(50)
    many = _list_queries(client, organisation)
    assert many == few


# --- The mentor's own profile ---------------------------------------------------------------


def profile_data(**overrides):
    data = {
        "background": "Ran operations at a 200-person manufacturer.",
        "bio": "I help founders build calm, repeatable operations.",
        "expertise": ["operations", "people"],
        "sectors": ["manufacturing"],
        "languages": "English, Polish",
        "region": "east_midlands",
        "online_ok": "on",
        "capacity_per_month": "5",
        "time_zone": "Europe/Warsaw",
    }
    for i, value in enumerate([5, 5, 4, 4]):
        data[f"q_thinking_{i}"] = str(value)
    for i, value in enumerate([1, 2, 1, 2]):
        data[f"q_interaction_{i}"] = str(value)
    data.update(overrides)
    return data


def test_mentor_edits_profile_and_questionnaire_places_them(client, organisation):
    mentor = MentorProfileFactory(organisation=organisation)
    client.force_login(mentor.user)
    url = reverse("mentoring:my-profile", args=[organisation.slug])
    response = client.post(url, profile_data())
    assert response.status_code == 302
    with tenant_scope(organisation):
        mentor.refresh_from_db()
    assert mentor.expertise == ["operations", "people"]
    assert mentor.sectors == ["manufacturing"]
    assert mentor.languages == "English, Polish"
    assert mentor.region == "east_midlands"
    assert mentor.capacity_per_month == 5
    assert mentor.time_zone == "Europe/Warsaw"
    assert mentor.style_answers == {"thinking": [5, 5, 4, 4], "interaction": [1, 2, 1, 2]}
    assert mentor.thinking_style == 1.5
    assert mentor.interaction_style == -1.5
    page = client.get(url).content.decode()
    # The preview shows how companies see the mentor.
    assert "I help founders build calm" in page
    assert "Strongly analytical thinking" in page
    assert "Strongly facilitative in meetings" in page
    # The questionnaire shows the saved answers.
    assert 'name="q_thinking_0" id="id_q_thinking_0_4" value="5" checked' in page


def test_profile_errors_keep_what_was_typed(client, organisation):
    mentor = MentorProfileFactory(organisation=organisation)
    client.force_login(mentor.user)
    url = reverse("mentoring:my-profile", args=[organisation.slug])
    data = profile_data(expertise=[], capacity_per_month="99", time_zone="Mars/Olympus")
    del data["q_interaction_3"]
    response = client.post(url, data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"expertise", "capacity_per_month", "time_zone", "q_interaction_3"}
    assert "I help founders build calm" in response.content.decode()
    with tenant_scope(organisation):
        mentor.refresh_from_db()
    assert mentor.expertise == ["finance", "sales_marketing"]


def test_mentor_declares_conflicts_with_companies_the_organisation_knows(client, organisation):
    mentor = MentorProfileFactory(organisation=organisation)
    known = EnrolmentFactory(
        cohort__organisation=organisation, company__name="Acme Widgets"
    ).company
    applicant = ApplicationFactory(
        cohort__organisation=organisation, submitted=True, company__name="Acme Gears"
    ).company
    stranger = EnrolmentFactory(company__name="Acme Elsewhere").company  # another organisation's
    client.force_login(mentor.user)
    url = reverse("mentoring:my-profile", args=[organisation.slug])
    page = client.get(url, {"q": "acme"})
    assert {c.pk for c in page.context["results"]} == {known.pk, applicant.pk}
    assert "Acme Elsewhere" not in page.content.decode()
    response = client.post(url, {"action": "conflict-add", "company": known.pk})
    assert response.status_code == 302
    response = client.post(url, {"action": "conflict-add", "company": stranger.pk})
    assert response.status_code == 400
    response = client.post(url, {"action": "conflict-add", "company": "2" * 30})
    assert response.status_code == 400
    with tenant_scope(organisation):
        assert list(mentor.conflicts.all()) == [known]
    # Declared companies leave the search results; they can be removed again.
    page = client.get(url, {"q": "acme"})
    assert {c.pk for c in page.context["results"]} == {applicant.pk}
    client.post(url, {"action": "conflict-remove", "company": known.pk})
    with tenant_scope(organisation):
        assert not mentor.conflicts.exists()
