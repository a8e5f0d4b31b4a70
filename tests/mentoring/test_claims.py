"""Mentors' monthly fee claims: amounts, paid mentee no-shows, one claim per session,
approval and query, the finance export, and the programme's cost of mentoring."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled

from mentoring import claims
from mentoring import selectors_sessions as selectors
from mentoring.models import FeeClaim, MentoringSession, MentoringSettings
from portal.models import OutgoingEmail
from portal.roles import Role
from portal.tenancy import tenant_scope
from tests.mentoring.test_booking import NEXT_MONDAY_9, make_match
from tests.mentoring.test_sessions import _booked_and_recorded

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore:MentorProfileFactory._after_postgeneration"),
]

APRIL = datetime(2026, 4, 2, 10, 0, tzinfo=UTC)
MARCH = date(2026, 3, 1)


def _build(mentor, month=MARCH, now=APRIL):
    with tenant_scope(mentor.organisation):
        return claims.claim_build(mentor=mentor, month=month, now=now)


def _month_of_sessions(organisation, *, pay_mentee_no_show):
    match, founder = make_match(
        organisation, rate=Decimal("120.00"), pay_mentee_no_show=pay_mentee_no_show, capacity=10
    )
    _booked_and_recorded(
        match, founder, ["held", "held", "mentee_no_show", "mentor_no_show", "late", "booked"]
    )
    return match


def test_a_claim_counts_held_sessions_and_paid_mentee_no_shows(organisation):
    match = _month_of_sessions(organisation, pay_mentee_no_show=True)
    claim = _build(match.mentor)
    assert (claim.session_count, claim.amount) == (3, Decimal("360.00"))
    assert claim.status == FeeClaim.Status.DRAFT


def test_a_claim_leaves_out_mentee_no_shows_when_the_programme_does_not_pay(organisation):
    match = _month_of_sessions(organisation, pay_mentee_no_show=False)
    claim = _build(match.mentor)
    assert (claim.session_count, claim.amount) == (2, Decimal("240.00"))


def test_each_session_is_claimed_at_its_own_fee(organisation):
    match, founder = make_match(organisation, rate=Decimal("100.00"))
    _booked_and_recorded(match, founder, ["held"])
    match.mentor.rate_per_session = Decimal("200.00")
    match.mentor.save()
    _booked_and_recorded(match, founder, ["held"], start=NEXT_MONDAY_9 + timedelta(hours=3))
    assert _build(match.mentor).amount == Decimal("300.00")


def test_a_session_is_in_one_claim_only(organisation):
    match = _month_of_sessions(organisation, pay_mentee_no_show=True)
    claim = _build(match.mentor)
    again = _build(match.mentor)
    assert again.pk == claim.pk and again.session_count == 3
    with scopes_disabled():
        assert FeeClaim.objects.count() == 1
        # A session already linked to another claim is never pulled into this one.
        other = FeeClaim.objects.create(
            organisation=organisation, mentor=match.mentor, month=date(2026, 2, 1)
        )
        moved = MentoringSession.objects.filter(claim=claim).first()
        MentoringSession.objects.filter(pk=moved.pk).update(claim=other)
    # Refreshing keeps the other claim's session out.
    with scopes_disabled():
        FeeClaim.objects.filter(pk=claim.pk).update(status=FeeClaim.Status.DRAFT)
    refreshed = _build(match.mentor)
    assert refreshed.session_count == 2
    with scopes_disabled():
        assert MentoringSession.objects.get(pk=moved.pk).claim_id == other.pk


def test_a_current_or_empty_month_cannot_be_claimed(organisation):
    match = _month_of_sessions(organisation, pay_mentee_no_show=True)
    with pytest.raises(ValidationError, match="once it has ended"):
        _build(match.mentor, now=datetime(2026, 3, 30, tzinfo=UTC))
    with pytest.raises(ValidationError, match="no held sessions"):
        _build(match.mentor, month=date(2026, 2, 1))


def test_submit_then_approve_and_the_mentor_hears(organisation, make_member):
    match = _month_of_sessions(organisation, pay_mentee_no_show=True)
    manager = make_member(organisation, Role.PROGRAMME_MANAGER).user
    claim = _build(match.mentor)
    with tenant_scope(organisation):
        with pytest.raises(ValidationError, match="Only a submitted claim"):
            claims.claim_decide(claim=claim, by=manager, approve=True)
        submitted = claims.claim_submit(claim=claim, mentor=match.mentor, now=APRIL)
        assert submitted.status == FeeClaim.Status.SUBMITTED
        with pytest.raises(ValidationError, match="no longer change"):
            claims.claim_build(mentor=match.mentor, month=MARCH, now=APRIL)
        approved = claims.claim_decide(claim=claim, by=manager, approve=True)
    assert approved.status == FeeClaim.Status.APPROVED
    assert approved.decided_by == manager
    (email,) = OutgoingEmail.objects.filter(to=match.mentor.user.email, subject__contains="claim")
    assert "approved" in email.subject and "£360.00" in email.body


def test_a_query_needs_a_note_and_reopens_the_claim(organisation, make_member):
    match = _month_of_sessions(organisation, pay_mentee_no_show=True)
    manager = make_member(organisation, Role.PROGRAMME_MANAGER).user
    claim = _build(match.mentor)
    with tenant_scope(organisation):
        claims.claim_submit(claim=claim, mentor=match.mentor, now=APRIL)
        with pytest.raises(ValidationError) as exc:
            claims.claim_decide(claim=claim, by=manager, approve=False, note=" ")
        assert "note" in exc.value.message_dict
        queried = claims.claim_decide(
            claim=claim, by=manager, approve=False, note="The 23 March no-show: was it?"
        )
        assert queried.status == FeeClaim.Status.QUERIED
        # The mentor may correct and rebuild a queried claim, then submit again.
        assert claims.claim_build(mentor=match.mentor, month=MARCH, now=APRIL).pk == claim.pk
        assert claims.claim_submit(claim=claim, mentor=match.mentor, now=APRIL).status == (
            FeeClaim.Status.SUBMITTED
        )
    (email,) = OutgoingEmail.objects.filter(subject__contains="queried")
    assert "The 23 March no-show: was it?" in email.body


# --- Pages ---------------------------------------------------------------------------------


def _url(organisation, name, **kwargs):
    return reverse(name, kwargs={"org_slug": organisation.slug, **kwargs})


def test_the_mentor_builds_and_submits_a_claim_and_the_manager_approves(
    client, organisation, make_member
):
    match = _month_of_sessions(organisation, pay_mentee_no_show=True)
    client.force_login(match.mentor.user)
    with time_machine.travel(APRIL, tick=False):
        page = client.get(_url(organisation, "mentoring:claim-list"))
        assert "3</strong> paid sessions of past months are not in a claim" in (
            page.content.decode()
        )
        response = client.post(_url(organisation, "mentoring:claim-list"), {"month": "2026-03-01"})
        assert response.status_code == 302
        with scopes_disabled():
            claim = FeeClaim.objects.get()
        detail = _url(organisation, "mentoring:claim", pk=claim.pk)
        assert "£360.00" in client.get(detail).content.decode()
        assert client.post(detail, {"action": "submit"}).status_code == 302
        bad = client.post(_url(organisation, "mentoring:claim-list"), {"month": "1999-01-01"})
        assert bad.status_code == 400
    manager = make_member(organisation, Role.PROGRAMME_MANAGER).user
    client.force_login(manager)
    assert client.post(detail, {"decision": "query", "note": ""}).status_code == 400
    assert client.post(detail, {"decision": "approve"}).status_code == 302
    with scopes_disabled():
        claim.refresh_from_db()
    assert claim.status == FeeClaim.Status.APPROVED
    listing = client.get(_url(organisation, "mentoring:claim-list"), {"status": "approved"})
    assert str(match.mentor) in listing.content.decode()


def test_another_mentors_claim_is_404(client, organisation):
    match = _month_of_sessions(organisation, pay_mentee_no_show=True)
    claim = _build(match.mentor)
    other, _ = make_match(organisation)
    client.force_login(other.mentor.user)
    url = _url(organisation, "mentoring:claim", pk=claim.pk)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "submit"}).status_code == 404


def test_the_csv_export_for_finance(client, organisation, make_member):
    match = _month_of_sessions(organisation, pay_mentee_no_show=True)
    manager = make_member(organisation, Role.PROGRAMME_MANAGER, first_name="Janette")
    claim = _build(match.mentor)
    with tenant_scope(organisation):
        claims.claim_submit(claim=claim, mentor=match.mentor, now=APRIL)
        claims.claim_decide(claim=claim, by=manager.user, approve=True)
    client.force_login(manager.user)
    response = client.get(_url(organisation, "mentoring:claims-export"), {"status": "approved"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'attachment; filename="fee-claims-capital-trade-' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:6] == ["Mentor", "E-mail", "Month", "Sessions", "Amount (GBP)", "Status"]
    assert rows[1][2:6] == ["2026-03", "3", "360.00", "Approved"]
    assert rows[1][7].startswith("Janette")
    empty = client.get(_url(organisation, "mentoring:claims-export"), {"status": "draft"})
    assert len(list(csv.reader(io.StringIO(empty.content.decode())))) == 1
    # Mentors cannot export.
    client.force_login(match.mentor.user)
    assert client.get(_url(organisation, "mentoring:claims-export")).status_code == 403


def test_programme_settings_and_cost_of_mentoring_per_company(client, organisation, make_member):
    first = _month_of_sessions(organisation, pay_mentee_no_show=True)  # 3 paid × £120
    with scopes_disabled():
        programme = first.enrolment.cohort.programme
        from tests.factories import EnrolmentFactory, MentorMatchFactory

        second = MentorMatchFactory(
            enrolment=EnrolmentFactory(cohort=first.enrolment.cohort),
            mentor=first.mentor,
            company_agreed_at=APRIL,
        )
    from tests.factories import CompanyMemberFactory

    founder = CompanyMemberFactory(company=second.company).user
    _booked_and_recorded(second, founder, ["held"], start=NEXT_MONDAY_9 + timedelta(days=7))
    with tenant_scope(organisation):
        cost = selectors.mentoring_cost(programme=programme)
    assert cost == {
        "total": Decimal("480.00"),
        "sessions": 4,
        "companies": 2,
        "per_company": Decimal("240.00"),
    }
    manager = make_member(organisation, Role.PROGRAMME_MANAGER).user
    client.force_login(manager)
    url = _url(organisation, "mentoring:programme-settings", pk=programme.pk)
    page = client.get(url).content.decode()
    assert "£240" in page and "cost of mentoring per company" in page
    detail = client.get(_url(organisation, "programmes:programme-detail", pk=programme.pk))
    assert url in detail.content.decode()
    response = client.post(
        url, {"sessions_per_company": "8", "session_minutes": "90", "pay_mentee_no_show": ""}
    )
    assert response.status_code == 302
    with scopes_disabled():
        row = MentoringSettings.objects.get(programme=programme)
    assert (row.sessions_per_company, row.session_minutes, row.pay_mentee_no_show) == (
        8,
        90,
        False,
    )
    with tenant_scope(organisation):
        assert selectors.mentoring_cost(programme=programme)["total"] == Decimal("360.00")
    assert client.post(url, {"session_minutes": "5"}).status_code == 400
