"""After a session: the mentor's record and agreed actions, the company's confirmation and
rating, attendance rates and the no-show warning, the session lists and who may see what."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled

from mentoring import selectors_sessions as selectors
from mentoring import sessions
from mentoring.models import MentoringSession, SessionAction
from portal.models import OutgoingEmail
from portal.roles import Role
from portal.tenancy import tenant_scope
from tests.factories import CompanyMemberFactory, MembershipFactory, MentorProfileFactory
from tests.mentoring.test_booking import NEXT_MONDAY_9, NOW, book, make_match

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:MentorProfileFactory._after_postgeneration"),
]

AFTER = NEXT_MONDAY_9 + timedelta(hours=2)


def _record(session, mentor, status="held", now=AFTER, **kwargs):
    with tenant_scope(session.organisation):
        return sessions.session_record_outcome(
            session=session, mentor=mentor, status=status, now=now, **kwargs
        )


def _session_url(org, session, name="mentoring:session"):
    return reverse(name, kwargs={"org_slug": org.slug, "pk": session.pk})


# --- The mentor's record -------------------------------------------------------------------


def test_the_mentor_records_the_outcome_notes_and_actions_after_the_start(organisation):
    match, founder = make_match(organisation)
    session = book(match, founder, NEXT_MONDAY_9)
    actions = [
        {"text": "Draft a cash-flow forecast", "owner": "company", "due_on": date(2026, 4, 1)},
        {"text": "Introduce a bank contact", "owner": "mentor", "due_on": None},
        {"text": "  ", "owner": "company", "due_on": None},  # an empty row is skipped
    ]
    recorded = _record(session, match.mentor, notes="Went through pricing.", actions=actions)
    assert recorded.status == MentoringSession.Status.HELD
    assert recorded.recorded_at == AFTER
    with scopes_disabled():
        saved = list(
            SessionAction.objects.filter(session=session)
            .order_by("pk")
            .values_list("text", "owner")
        )
    assert saved == [
        ("Draft a cash-flow forecast", "company"),
        ("Introduce a bank contact", "mentor"),
    ]
    # Recording again is a correction: the actions are replaced.
    _record(session, match.mentor, status="mentee_no_show")
    with scopes_disabled():
        assert not SessionAction.objects.filter(session=session).exists()


def test_the_outcome_cannot_be_recorded_before_the_start_or_by_another_mentor(organisation):
    match, founder = make_match(organisation)
    session = book(match, founder, NEXT_MONDAY_9)
    with pytest.raises(ValidationError, match="has not started"):
        _record(session, match.mentor, now=NEXT_MONDAY_9 - timedelta(minutes=1))
    other = MentorProfileFactory(organisation=organisation)
    with pytest.raises(ValidationError, match="Only the session's mentor"):
        _record(session, other)
    with pytest.raises(ValidationError, match="Choose what happened"):
        _record(session, match.mentor, status="booked")
    with pytest.raises(ValidationError, match="at most 5"):
        _record(session, match.mentor, actions=[{"text": f"a{i}"} for i in range(6)])


def test_the_mentor_records_through_the_session_page(client, organisation):
    match, founder = make_match(organisation)
    session = book(match, founder, NEXT_MONDAY_9)
    client.force_login(match.mentor.user)
    url = _session_url(organisation, session)
    form = {
        "status": "held",
        "notes": "Pricing and hiring.",
        "actions-TOTAL_FORMS": "5",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "5",
        "actions-0-text": "Send the pricing sheet",
        "actions-0-owner": "company",
        "actions-0-due_on": "2026-04-01",
        **{f"actions-{i}-owner": "company" for i in range(1, 5)},
    }
    with time_machine.travel(NEXT_MONDAY_9 - timedelta(hours=1), tick=False):
        page = client.get(url)
        assert page.status_code == 200
        assert "once the session has started" in page.content.decode()
        assert client.post(url, form).status_code == 403
    with time_machine.travel(AFTER, tick=False):
        assert client.get(url).status_code == 200
        response = client.post(url, form)
        assert response.status_code == 302
        bad = client.post(url, {**form, "status": "lost"})
        assert bad.status_code == 400
    with scopes_disabled():
        session.refresh_from_db()
        assert session.status == "held"
        assert session.notes == "Pricing and hiring."
        assert session.actions.get().due_on == date(2026, 4, 1)


def test_staff_read_the_record_but_cannot_write_it(client, organisation, make_member):
    match, founder = make_match(organisation)
    session = book(match, founder, NEXT_MONDAY_9)
    _record(session, match.mentor, notes="Confidential notes")
    manager = make_member(organisation, Role.PROGRAMME_MANAGER).user
    client.force_login(manager)
    url = _session_url(organisation, session)
    with time_machine.travel(AFTER + timedelta(hours=1), tick=False):
        page = client.get(url)
        assert page.status_code == 200
        assert "Confidential notes" in page.content.decode()
        assert client.post(url, {"status": "mentor_no_show"}).status_code == 403


def test_another_mentors_session_is_404_for_a_mentor(client, organisation):
    match, founder = make_match(organisation)
    session = book(match, founder, NEXT_MONDAY_9)
    other = MentorProfileFactory(organisation=organisation)
    client.force_login(other.user)
    for name in ("mentoring:session", "mentoring:session-cancel", "mentoring:session-ics"):
        assert client.get(_session_url(organisation, session, name)).status_code == 404
    assert client.post(_session_url(organisation, session), {"status": "held"}).status_code == 404


# --- The company's side --------------------------------------------------------------------


def test_the_company_confirms_and_rates_once(organisation):
    match, founder = make_match(organisation)
    session = book(match, founder, NEXT_MONDAY_9)
    with tenant_scope(organisation):
        with pytest.raises(ValidationError, match="once it has taken place"):
            sessions.session_confirm(session=session, user=founder, rating=5, now=NOW)
        with pytest.raises(ValidationError, match="from 1 to 5"):
            sessions.session_confirm(session=session, user=founder, rating=6, now=AFTER)
        stranger = CompanyMemberFactory().user
        with pytest.raises(ValidationError, match="Only someone of the company"):
            sessions.session_confirm(session=session, user=stranger, rating=4, now=AFTER)
        confirmed = sessions.session_confirm(
            session=session, user=founder, rating=4, feedback="Useful", now=AFTER
        )
        assert (confirmed.company_rating, confirmed.company_feedback) == (4, "Useful")
        with pytest.raises(ValidationError, match="already confirmed"):
            sessions.session_confirm(session=session, user=founder, rating=1, now=AFTER)


def test_the_company_confirms_on_its_session_page(client, organisation):
    match, founder = make_match(organisation)
    session = book(match, founder, NEXT_MONDAY_9)
    _record(session, match.mentor, actions=[{"text": "Call the bank", "owner": "company"}])
    client.force_login(founder)
    url = reverse("my-mentoring:session", kwargs={"pk": session.pk})
    with time_machine.travel(AFTER, tick=False):
        page = client.get(url)
        assert page.status_code == 200
        assert "Call the bank" in page.content.decode()
        assert client.post(url, {"rating": "9"}).status_code == 400
        assert client.post(url, {"rating": "5", "feedback": "Great"}).status_code == 302
        again = client.post(url, {"rating": "1"}, follow=True)
        assert "cannot be confirmed" in again.content.decode()
    with scopes_disabled():
        session.refresh_from_db()
    assert session.company_rating == 5


def test_the_overview_lists_mentors_sessions_and_pending_confirmations(client, organisation):
    match, founder = make_match(organisation, budget=3)
    done = book(match, founder, NEXT_MONDAY_9)
    book(match, founder, NEXT_MONDAY_9 + timedelta(days=7))
    client.force_login(founder)
    with time_machine.travel(AFTER, tick=False):
        page = client.get(reverse("my-mentoring:overview"))
    text = page.content.decode()
    assert page.status_code == 200
    assert str(match.mentor) in text
    assert "2 of 3 sessions used" in text
    assert "Confirm and rate" in text
    assert reverse("my-mentoring:session", kwargs={"pk": done.pk}) in text


def test_another_companys_session_is_404_on_my_pages(client, organisation):
    match, founder = make_match(organisation)
    session = book(match, founder, NEXT_MONDAY_9)
    stranger = CompanyMemberFactory().user
    client.force_login(stranger)
    for name in ("my-mentoring:session", "my-mentoring:session-cancel", "my-mentoring:session-ics"):
        url = reverse(name, kwargs={"pk": session.pk})
        assert client.get(url).status_code == 404
        assert client.post(url, {"reason": "x", "rating": "5"}).status_code == 404
    with scopes_disabled():
        assert MentoringSession.objects.get(pk=session.pk).status == "booked"


def test_the_company_cancels_with_a_reason_and_the_mentor_hears(client, organisation):
    match, founder = make_match(organisation)
    session = book(match, founder, NEXT_MONDAY_9)
    client.force_login(founder)
    url = reverse("my-mentoring:session-cancel", kwargs={"pk": session.pk})
    with time_machine.travel(NEXT_MONDAY_9 - timedelta(hours=5), tick=False):
        page = client.get(url)
        assert "late cancellation" in page.content.decode()
        assert client.post(url, {"reason": ""}).status_code == 400
        assert client.post(url, {"reason": "Our investor meeting moved"}).status_code == 302
        assert client.post(url, {"reason": "again"}).status_code == 400
    with scopes_disabled():
        session.refresh_from_db()
    assert session.late_cancellation is True
    (email,) = OutgoingEmail.objects.filter(subject__startswith="Mentor session cancelled")
    assert email.to == match.mentor.user.email
    assert "Our investor meeting moved" in email.body
    assert "METHOD:CANCEL" in email.attachments[0]["content"]


def test_the_mentor_cancels_and_the_company_hears(client, organisation):
    match, founder = make_match(organisation)
    session = book(match, founder, NEXT_MONDAY_9)
    client.force_login(match.mentor.user)
    url = _session_url(organisation, session, "mentoring:session-cancel")
    with time_machine.travel(NOW, tick=False):
        assert client.post(url, {"reason": "Family matter"}).status_code == 302
    (email,) = OutgoingEmail.objects.filter(subject__startswith="Mentor session cancelled")
    assert email.to == founder.email


# --- Lists and attendance ------------------------------------------------------------------


def test_mentor_and_staff_session_lists(client, organisation, make_member):
    match, founder = make_match(organisation)
    other_match, other_founder = make_match(organisation)
    mine = book(match, founder, NEXT_MONDAY_9)
    book(other_match, other_founder, NEXT_MONDAY_9)
    client.force_login(match.mentor.user)
    url = reverse("mentoring:session-list", kwargs={"org_slug": organisation.slug})
    with time_machine.travel(AFTER, tick=False):
        page = client.get(url).content.decode()
        assert "To record" in page and match.company.name in page
        assert other_match.company.name not in page
        adviser = make_member(organisation, Role.GROWTH_ADVISER).user
        client.force_login(adviser)
        page = client.get(url).content.decode()
        assert match.company.name in page and other_match.company.name in page
        filtered = client.get(url, {"mentor": match.mentor.pk, "month": "2026-03"})
        assert other_match.company.name not in filtered.content.decode().split("<tbody>")[1]
        assert _session_url(organisation, mine) in filtered.content.decode()
        assert (
            client.get(url, {"month": "garbage", "mentor": "99999999999999999999"}).status_code
            == 200
        )


def _booked_and_recorded(match, founder, outcomes, start=NEXT_MONDAY_9):
    result = []
    for i, outcome in enumerate(outcomes):
        session = book(match, founder, start + timedelta(hours=i))
        if outcome == "late":
            with tenant_scope(match.organisation):
                sessions.session_cancel_and_notify(
                    session=session,
                    by=founder,
                    reason="x",
                    by_mentor=False,
                    now=start - timedelta(hours=2),
                )
        elif outcome != "booked":
            _record(session, match.mentor, status=outcome, now=start + timedelta(days=1))
        result.append(session)
    return result


def test_attendance_rates_and_the_warning_after_more_than_two_no_shows(
    client, organisation, make_member
):
    flaky, flaky_founder = make_match(organisation, capacity=20, budget=20)
    _booked_and_recorded(
        flaky,
        flaky_founder,
        ["mentee_no_show", "mentee_no_show", "held", "late"],
    )
    # The third no-show is with another mentor: the warning counts across mentors.
    # The adviser re-matches the company: the first match ends, a second mentor takes over.
    with scopes_disabled():
        enrolment = flaky.enrolment
        type(flaky).objects.filter(pk=flaky.pk).update(status="ended")
    second_mentor = MentorProfileFactory(organisation=organisation)
    from tests.factories import MentorMatchFactory, WeeklyAvailabilityFactory

    WeeklyAvailabilityFactory(mentor=second_mentor, weekday=0)
    with scopes_disabled():
        flaky_second = MentorMatchFactory(
            enrolment=enrolment, mentor=second_mentor, company_agreed_at=NOW, status="active"
        )
    steady, steady_founder = make_match(organisation)
    _booked_and_recorded(steady, steady_founder, ["held", "held"])
    with tenant_scope(organisation):
        rows = {r["name"]: r for r in selectors.attendance_by_company(organisation=organisation)}
    flaky_row = rows[flaky.company.name]
    assert (flaky_row["mentee_no_shows"], flaky_row["late_cancellations"]) == (2, 1)
    assert flaky_row["no_show_rate"] == pytest.approx(200 / 3)
    assert flaky_row["late_rate"] == pytest.approx(25.0)
    assert rows[steady.company.name]["no_show_rate"] == 0
    with tenant_scope(organisation):
        assert selectors.companies_over_no_show_line(organisation=organisation) == 0
    _booked_and_recorded(flaky_second, flaky_founder, ["mentee_no_show"])
    with tenant_scope(organisation):
        assert selectors.companies_over_no_show_line(organisation=organisation) == 1
        mentors = {
            r["mentor_id"]: r for r in selectors.attendance_by_mentor(organisation=organisation)
        }
    assert mentors[flaky.mentor.pk]["sessions"] == 4
    assert mentors[second_mentor.pk]["mentee_no_shows"] == 1

    client.force_login(make_member(organisation, Role.GROWTH_ADVISER).user)
    url = reverse("mentoring:attendance", kwargs={"org_slug": organisation.slug})
    page = client.get(url).content.decode()
    assert "3 no-shows" in page
    assert "1 company has more than 2 mentee no-shows" in page
    for sort in ("name", "-late_rate", "no_show_rate", "bogus"):
        assert client.get(url, {"sort": sort}).status_code == 200
    assert client.get(url, {"view": "mentors", "sort": "-mentor_no_show_rate"}).status_code == 200


def test_attendance_is_for_staff_only(client, organisation):
    mentor = MentorProfileFactory(organisation=organisation)
    client.force_login(mentor.user)
    url = reverse("mentoring:attendance", kwargs={"org_slug": organisation.slug})
    assert client.get(url).status_code == 403


def test_attendance_query_count_does_not_grow(client, organisation, django_assert_max_num_queries):
    match, founder = make_match(organisation, capacity=30, budget=30)
    _booked_and_recorded(match, founder, ["held", "mentee_no_show"])
    staff = MembershipFactory(organisation=organisation, role=Role.ADMIN).user
    client.force_login(staff)
    url = reverse("mentoring:attendance", kwargs={"org_slug": organisation.slug})
    with django_assert_max_num_queries(12):
        client.get(url)
    for _ in range(5):
        other, other_founder = make_match(organisation)
        _booked_and_recorded(other, other_founder, ["held", "late"])
    with django_assert_max_num_queries(12):
        client.get(url)
    with django_assert_max_num_queries(14):
        client.get(reverse("mentoring:session-list", kwargs={"org_slug": organisation.slug}))


def test_the_session_uid_is_stable(organisation):
    match, founder = make_match(organisation)
    session = book(match, founder, NEXT_MONDAY_9)
    with tenant_scope(organisation):
        first = sessions.session_ics(session)
        second = sessions.session_ics(session, cancelled=True)
    uid = sessions.session_uid(session)
    assert f"UID:{uid}" in first and f"UID:{uid}" in second
    assert datetime(2026, 3, 23, 9, tzinfo=UTC) == session.starts_at
