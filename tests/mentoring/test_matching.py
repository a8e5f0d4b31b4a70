"""Needs diagnosis and matching through the pages: diagnose → ranked mentors with reasons →
propose → the mentor accepts (agreement required) → the SME sees its mentor; declines, ends
with the reason kept, re-matching that prefers the previous mentor, one live match per
enrolment, permissions and query counts."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mentoring.models import MentorMatch, MentorProfile, NeedsDiagnosis
from portal.models import Membership, OutgoingEmail, User
from portal.roles import Role
from portal.tenancy import scopes_disabled, tenant_scope
from tests.factories import (
    CompanyMemberFactory,
    EnrolmentFactory,
    MentorMatchFactory,
    MentorProfileFactory,
    NeedsDiagnosisFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.django_db,
    # tests/factories.py: MentorProfileFactory lacks skip_postgeneration_save (reported).
    pytest.mark.filterwarnings("ignore:MentorProfileFactory._after_postgeneration"),
]


@pytest.fixture
def adviser(organisation, make_member):
    return make_member(organisation, Role.GROWTH_ADVISER).user


@pytest.fixture
def enrolment(organisation):
    enrolment = EnrolmentFactory(cohort__programme__organisation=organisation)
    CompanyMemberFactory(company=enrolment.company, user=UserFactory(email="founder@sme.test"))
    return enrolment


def _url(name, organisation, *args):
    return reverse(f"mentoring:{name}", args=[organisation.slug, *args])


def _diagnosis_post(**overrides):
    data = {
        "need_1": "international_trade",
        "need_2": "finance",
        "need_3": "",
        "need_4": "",
        "need_5": "",
        "goal_text_1": "First export order to Germany",
        "goal_date_1": (timezone.localdate() + timedelta(days=120)).isoformat(),
        "notes": "Founder is ready to export.",
    }
    for i in range(1, 5):
        data[f"thinking_{i}"] = "4"
        data[f"interaction_{i}"] = "2"
    data.update(overrides)
    return data


def _mentor(organisation, name, **fields):
    user = UserFactory(first_name=name, last_name="Mentor")
    return MentorProfileFactory(organisation=organisation, user=user, **fields)


def _emails_to(address):
    return list(OutgoingEmail.objects.filter(to=address).order_by("pk"))


def test_diagnose_rank_propose_accept_and_the_sme_sees_the_mentor(
    client, organisation, adviser, enrolment
):
    trader = _mentor(
        organisation,
        "Trader",
        expertise=["international_trade", "finance"],
        sectors=["tech"],
        region="london",
    )
    _mentor(organisation, "Lawyer", expertise=["legal"], sectors=["food"], region="wales")
    client.force_login(adviser)

    # Diagnose: a new NeedsDiagnosis with goals and the founder's style; the SME is told.
    response = client.post(_url("diagnose", organisation, enrolment.pk), _diagnosis_post())
    assert response.status_code == 302
    with tenant_scope(organisation):
        diagnosis = NeedsDiagnosis.objects.get(enrolment=enrolment)
        assert diagnosis.needs == ["international_trade", "finance"]
        assert diagnosis.goals.get().text == "First export order to Germany"
        assert diagnosis.founder_thinking_style == 1.0
        assert diagnosis.founder_interaction_style == -1.0
        assert diagnosis.adviser == adviser
    [needs_mail] = _emails_to("founder@sme.test")
    assert f"/my/mentoring/diagnoses/{diagnosis.pk}/" in needs_mail.body

    # The match page ranks with reasons.
    page = client.get(_url("match", organisation, enrolment.pk))
    assert page.status_code == 200
    ranked = page.context["ranked"]
    assert [r.mentor.name for r in ranked][0] == "Trader Mentor"
    factors = [r["factor"] for r in ranked[0].reasons]
    assert factors[:5] == ["Expertise", "Sector", "Style", "Region", "Capacity and load"]
    assert b"Covers 2 of 2" in page.content

    # Propose: a proposed match with score, reasons and the diagnosis; the mentor is told.
    response = client.post(_url("propose", organisation, enrolment.pk, trader.pk))
    assert response.status_code == 302
    with tenant_scope(organisation):
        match = MentorMatch.objects.get(enrolment=enrolment)
    assert match.status == MentorMatch.Status.PROPOSED
    assert float(match.score) == ranked[0].score
    assert match.reasons == ranked[0].reasons
    assert match.diagnosis_id == diagnosis.pk and match.proposed_by == adviser
    assert _emails_to(trader.user.email)

    # The mentor must tick the agreement to accept.
    client.force_login(trader.user)
    listing = client.get(_url("my-matches", organisation))
    assert listing.status_code == 200 and b"Germany" in listing.content
    respond = _url("match-respond", organisation, match.pk)
    refused = client.post(respond, {"decision": "accept"})
    assert refused.status_code == 400
    assert "agreement" in refused.content.decode()
    match.refresh_from_db()
    assert match.status == MentorMatch.Status.PROPOSED
    assert client.post(respond, {"decision": "accept", "agree": "on"}).status_code == 302
    match.refresh_from_db()
    assert match.status == MentorMatch.Status.ACTIVE
    assert match.mentor_agreed_at and match.responded_at
    assert len(_emails_to("founder@sme.test")) == 2  # needs recorded, then the mentor
    assert any("accepted" in m.subject for m in _emails_to(adviser.email))

    # The SME sees its needs, goals and mentor, and can comment.
    founder = enrolment.company.memberships.get().user
    client.force_login(founder)
    mine = reverse("my-mentoring:diagnosis", args=[diagnosis.pk])
    page = client.get(mine)
    assert page.status_code == 200
    assert b"Trader Mentor" in page.content and b"First export order" in page.content
    assert client.post(mine, {"text": "We also need help hiring."}).status_code == 302
    with tenant_scope(organisation):
        assert diagnosis.comments.get().text == "We also need help hiring."
    assert client.post(mine, {"text": ""}).status_code == 400


def test_diagnose_refuses_duplicate_needs_and_keeps_input(client, organisation, adviser, enrolment):
    client.force_login(adviser)
    response = client.post(
        _url("diagnose", organisation, enrolment.pk),
        _diagnosis_post(need_2="international_trade", goal_text_1="Keep me"),
    )
    assert response.status_code == 400
    assert "already your 1st need" in response.content.decode()
    assert b"Keep me" in response.content
    with tenant_scope(organisation):
        assert not NeedsDiagnosis.objects.exists()


def test_rediagnosis_keeps_history(client, organisation, adviser, enrolment):
    client.force_login(adviser)
    client.post(_url("diagnose", organisation, enrolment.pk), _diagnosis_post())
    client.post(_url("diagnose", organisation, enrolment.pk), _diagnosis_post(need_1="people"))
    with tenant_scope(organisation):
        assert enrolment.diagnoses.count() == 2
    page = client.get(_url("enrolment", organisation, enrolment.pk))
    assert page.context["current"].needs[0] == "people"
    assert len(page.context["history"]) == 1


def test_decline_with_reason_and_not_proposed_again(client, organisation, adviser, enrolment):
    mentor = _mentor(organisation, "Busy")
    with tenant_scope(organisation):
        NeedsDiagnosisFactory(enrolment=enrolment, adviser=adviser)
    client.force_login(adviser)
    client.post(_url("propose", organisation, enrolment.pk, mentor.pk))
    with tenant_scope(organisation):
        match = MentorMatch.objects.get()
    client.force_login(mentor.user)
    respond = _url("match-respond", organisation, match.pk)
    assert client.post(respond, {"decision": "decline", "reason": ""}).status_code == 400
    assert client.post(respond, {"decision": "decline", "reason": "Full"}).status_code == 302
    match.refresh_from_db()
    assert match.status == MentorMatch.Status.DECLINED and match.decline_reason == "Full"
    assert any("declined" in m.subject for m in _emails_to(adviser.email))
    # Declined mentors are excluded from the ranking for this company.
    client.force_login(adviser)
    page = client.get(_url("match", organisation, enrolment.pk))
    assert [x.reason for x in page.context["excluded"]] == ["Declined this company before"]
    again = client.post(_url("propose", organisation, enrolment.pk, mentor.pk))
    assert again.status_code == 400
    assert "declined this company before" in again.content.decode()


def test_end_with_reason_kept_then_rematch_prefers_previous_mentor(
    client, organisation, adviser, enrolment
):
    old = _mentor(organisation, "Old", expertise=["people", "finance"])
    new = _mentor(organisation, "New", expertise=["people", "finance"])
    with tenant_scope(organisation):
        NeedsDiagnosisFactory(enrolment=enrolment, adviser=adviser, needs=["finance"])
    client.force_login(adviser)
    client.post(_url("propose", organisation, enrolment.pk, old.pk))
    with tenant_scope(organisation):
        match = MentorMatch.objects.get()
    client.force_login(old.user)
    client.post(_url("match-respond", organisation, match.pk), {"decision": "accept", "agree": "1"})

    client.force_login(adviser)
    end = _url("match-end", organisation, match.pk)
    assert client.get(end).status_code == 200
    assert client.post(end, {"reason": "", "note": ""}).status_code == 400  # reason required
    assert client.post(end, {"reason": "Needs changed", "note": "Now hiring"}).status_code == 302
    match.refresh_from_db()
    assert match.status == MentorMatch.Status.ENDED and match.ended_at
    assert match.end_reason == "Needs changed: Now hiring"
    record = client.get(_url("enrolment", organisation, enrolment.pk))
    assert b"Needs changed: Now hiring" in record.content

    # Needs change; both mentors fit the same; the previous one is preferred (+10).
    client.post(
        _url("diagnose", organisation, enrolment.pk),
        _diagnosis_post(need_1="people", need_2=""),
    )
    page = client.get(_url("match", organisation, enrolment.pk))
    ranked = page.context["ranked"]
    assert [r.mentor.id for r in ranked] == [old.pk, new.pk]
    assert ranked[0].reasons[-1]["factor"] == "Worked together before"
    assert ranked[0].score == ranked[1].score + 10
    assert b"Mentored them before" in page.content


def test_previous_mentor_who_parted_over_a_conflict_gets_no_bonus(organisation, enrolment):
    from mentoring import selectors_matching

    mentor = _mentor(organisation, "Conflicted")
    with tenant_scope(organisation):
        MentorMatchFactory(
            enrolment=enrolment,
            mentor=mentor,
            status=MentorMatch.Status.ENDED,
            end_reason="Conflict of interest: invested in a competitor",
        )
        assert not selectors_matching.previous_mentor_ids(
            organisation=organisation, company=enrolment.company
        )


def test_one_live_match_per_enrolment(client, organisation, adviser, enrolment):
    first = _mentor(organisation, "First")
    second = _mentor(organisation, "Second")
    with tenant_scope(organisation):
        NeedsDiagnosisFactory(enrolment=enrolment, adviser=adviser)
    client.force_login(adviser)
    assert client.post(_url("propose", organisation, enrolment.pk, first.pk)).status_code == 302
    refused = client.post(_url("propose", organisation, enrolment.pk, second.pk))
    assert refused.status_code == 400
    assert "End it before proposing another mentor" in refused.content.decode()
    with tenant_scope(organisation):
        assert MentorMatch.objects.count() == 1
        # The database says no as well, whatever the service checks.
        with pytest.raises(IntegrityError), transaction.atomic():
            MentorMatch.objects.create(
                organisation=organisation,
                enrolment=enrolment,
                company=enrolment.company,
                mentor=second,
            )


def test_propose_refused_for_excluded_mentor_and_without_diagnosis(
    client, organisation, adviser, enrolment
):
    conflicted = _mentor(organisation, "Conflicted")
    conflicted.conflicts.add(enrolment.company)
    client.force_login(adviser)
    no_needs = client.post(_url("propose", organisation, enrolment.pk, conflicted.pk))
    assert no_needs.status_code == 400 and "Diagnose" in no_needs.content.decode()
    with tenant_scope(organisation):
        NeedsDiagnosisFactory(enrolment=enrolment, adviser=adviser)
    refused = client.post(_url("propose", organisation, enrolment.pk, conflicted.pk))
    assert refused.status_code == 400
    assert "conflict of interest" in refused.content.decode()
    with tenant_scope(organisation):
        assert not MentorMatch.objects.exists()


def test_mentor_cannot_see_staff_pages_and_others_cannot_answer(
    client, organisation, adviser, enrolment
):
    mentor = _mentor(organisation, "Mine")
    other = _mentor(organisation, "Other")
    with tenant_scope(organisation):
        match = MentorMatchFactory(
            enrolment=enrolment, mentor=mentor, status=MentorMatch.Status.PROPOSED
        )
    client.force_login(mentor.user)
    assert client.get(_url("match", organisation, enrolment.pk)).status_code == 403
    assert client.get(_url("company-list", organisation)).status_code == 403
    client.force_login(other.user)
    answer = {"decision": "accept", "agree": "on"}
    assert client.post(_url("match-respond", organisation, match.pk), answer).status_code == 404
    client.force_login(adviser)
    assert client.get(_url("my-matches", organisation)).status_code == 403


def test_another_tenants_enrolment_is_404(client, organisation, other_organisation, adviser):
    theirs = EnrolmentFactory(cohort__programme__organisation=other_organisation)
    with scopes_disabled():
        NeedsDiagnosisFactory(enrolment=theirs)
    client.force_login(adviser)
    for name in ("enrolment", "diagnose", "match"):
        assert client.get(_url(name, organisation, theirs.pk)).status_code == 404
    assert client.post(_url("log-contact", organisation, theirs.pk), {}).status_code == 404


def test_another_companys_diagnosis_is_404_on_my_pages(client, organisation, enrolment):
    with tenant_scope(organisation):
        diagnosis = NeedsDiagnosisFactory(enrolment=enrolment)
    stranger = UserFactory()
    CompanyMemberFactory(user=stranger)  # a member of another company
    client.force_login(stranger)
    url = reverse("my-mentoring:diagnosis", args=[diagnosis.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"text": "hi"}).status_code == 404


def test_company_list_shows_state_and_filters(client, organisation, adviser, enrolment):
    mentor = _mentor(organisation, "Listed")
    other = EnrolmentFactory(cohort=enrolment.cohort)
    with tenant_scope(organisation):
        NeedsDiagnosisFactory(enrolment=enrolment, adviser=adviser)
        MentorMatchFactory(enrolment=enrolment, mentor=mentor)
    client.force_login(adviser)
    page = client.get(_url("company-list", organisation))
    assert page.status_code == 200
    assert b"Listed Mentor" in page.content
    assert {e.pk for e in page.context["page"]} == {enrolment.pk, other.pk}
    mine = client.get(_url("company-list", organisation), {"mine": "on"})
    assert [e.pk for e in mine.context["page"]] == [enrolment.pk]
    unmatched = client.get(_url("company-list", organisation), {"unmatched": "on"})
    assert [e.pk for e in unmatched.context["page"]] == [other.pk]


def _bulk_mentors(organisation, n, start):
    users = User.objects.bulk_create(
        User(email=f"bulk{start + i}@mentors.test", first_name="Bulk", last_name=str(start + i))
        for i in range(n)
    )
    Membership.objects.bulk_create(
        Membership(user=u, organisation=organisation, role=Role.MENTOR) for u in users
    )
    now = timezone.now()
    MentorProfile.objects.bulk_create(
        MentorProfile(
            organisation=organisation,
            user=u,
            status=MentorProfile.Status.ACTIVE,
            background="Bulk",
            expertise=["finance"] if i % 2 else ["people"],
            sectors=["tech"],
            region="london",
            agreement_signed_at=now,
            conflicts_declared_at=now,
            induction_attended_at=now,
        )
        for i, u in enumerate(users)
    )


def _queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_match_page_query_count_does_not_grow_with_mentors(
    client, organisation, adviser, enrolment
):
    with tenant_scope(organisation):
        NeedsDiagnosisFactory(enrolment=enrolment, adviser=adviser)
    client.force_login(adviser)
    _bulk_mentors(organisation, 20, 0)
    with tenant_scope(organisation):
        mentors = list(MentorProfile.objects.order_by("pk")[:3])
        mentors[0].conflicts.add(enrolment.company)
        MentorMatchFactory(mentor=mentors[1], enrolment__cohort=enrolment.cohort)
    url = _url("match", organisation, enrolment.pk)
    small, response = _queries(client, url)
    assert len(response.context["ranked"]) == 19
    _bulk_mentors(organisation, 180, 20)
    large, response = _queries(client, url)
    assert len(response.context["ranked"]) + len(response.context["excluded"]) == 200
    assert large == small


def test_company_list_query_count_is_bounded(client, organisation, adviser, enrolment):
    client.force_login(adviser)
    url = _url("company-list", organisation)
    for _ in range(3):
        e = EnrolmentFactory(cohort=enrolment.cohort)
        with tenant_scope(organisation):
            NeedsDiagnosisFactory(enrolment=e, adviser=adviser)
            MentorMatchFactory(enrolment=e)
    small, _ = _queries(client, url)
    for _ in range(10):
        e = EnrolmentFactory(cohort=enrolment.cohort)
        with tenant_scope(organisation):
            NeedsDiagnosisFactory(enrolment=e, adviser=adviser)
            MentorMatchFactory(enrolment=e)
    large, _ = _queries(client, url)
    assert large == small
