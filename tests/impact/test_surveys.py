"""Follow-up surveys: planning, the exactly-once dispatcher (invitations, reminders,
expiry), answers, baselines, and the staff pages that run them."""

import datetime
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from cohorts.models import Enrolment
from impact import services
from impact.models import Baseline, CustomQuestion, SurveyInvitation, SurveyResponse
from portal.models import OutgoingEmail
from portal.roles import Role
from portal.tenancy import scopes_disabled, tenant_scope
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    CompanyMemberFactory,
    EnrolmentFactory,
    ProgrammeFactory,
    SurveyInvitationFactory,
    SurveyScheduleFactory,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
Status = SurveyInvitation.Status


def _enrol(cohort, **kwargs):
    member = CompanyMemberFactory()
    return EnrolmentFactory(cohort=cohort, company=member.company, **kwargs), member


@pytest.fixture
def programme(organisation):
    return ProgrammeFactory(organisation=organisation)


@pytest.fixture
def cohort(programme):
    return CohortFactory(
        programme=programme,
        completed=True,
        start_date=datetime.date(2025, 9, 1),
        end_date=datetime.date(2026, 1, 31),
    )


# --- Dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 1, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2024, 1, 31), 1, datetime.date(2024, 2, 29)),
        (datetime.date(2026, 1, 15), 12, datetime.date(2027, 1, 15)),
        (datetime.date(2026, 11, 30), 3, datetime.date(2027, 2, 28)),
        (datetime.date(2026, 5, 31), 0, datetime.date(2026, 5, 31)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_month_end(day, months, expected):
    assert services.add_months(day, months) == expected


# --- Planning --------------------------------------------------------------------------------


def test_planning_creates_one_invitation_per_enrolled_company_at_the_right_time(
    organisation, programme, cohort
):
    (enrolment, founder) = _enrol(cohort)
    CompanyMemberFactory(company=enrolment.company)  # a colleague joined later
    _enrol(cohort, status=Enrolment.Status.WITHDRAWN)
    ApplicationFactory(cohort=cohort, rejected=True)
    CohortFactory(programme=programme, running=False)  # an open call: nobody enrolled yet
    six = SurveyScheduleFactory(programme=programme, offset_months=6)
    one = SurveyScheduleFactory(programme=programme, offset_months=1)
    now = datetime.datetime(2026, 2, 1, tzinfo=LONDON)
    with tenant_scope(organisation):
        assert services.surveys_plan(programme=programme, now=now) == 2
        assert services.surveys_plan(programme=programme, now=now) == 0  # idempotent
        invitations = {i.schedule_id: i for i in SurveyInvitation.objects.all()}
    assert set(invitations) == {six.pk, one.pk}
    # 09:00 in London on the anchor date plus the months (summer time in July).
    assert invitations[six.pk].due_at == datetime.datetime(2026, 7, 31, 9, 0, tzinfo=LONDON)
    assert invitations[one.pk].due_at == datetime.datetime(2026, 2, 28, 9, 0, tzinfo=LONDON)
    assert invitations[six.pk].email == founder.user.email
    assert invitations[six.pk].company == enrolment.company
    assert not invitations[six.pk].is_comparison
    assert invitations[six.pk].status == Status.SCHEDULED


def test_planning_includes_the_comparison_group_when_the_round_asks(
    organisation, programme, cohort
):
    _enrol(cohort)
    rejected = ApplicationFactory(cohort=cohort, rejected=True)
    CompanyMemberFactory(company=rejected.company)
    ApplicationFactory(cohort=cohort, waitlisted=True)
    SurveyScheduleFactory(programme=programme, offset_months=6, include_comparison_group=True)
    now = datetime.datetime(2026, 2, 1, tzinfo=LONDON)
    with tenant_scope(organisation):
        assert services.surveys_plan(programme=programme, now=now) == 2
        comparison = SurveyInvitation.objects.get(is_comparison=True)
    assert comparison.company == rejected.company


def test_planning_skips_rounds_long_past_inactive_rounds_and_follows_date_changes(
    organisation, programme, cohort
):
    _enrol(cohort)
    SurveyScheduleFactory(programme=programme, offset_months=1)
    SurveyScheduleFactory(programme=programme, offset_months=3, active=False)
    with tenant_scope(organisation):
        # Two years on, a one-month round of this cohort is history, not a survey to send.
        later = datetime.datetime(2028, 2, 1, tzinfo=LONDON)
        assert services.surveys_plan(programme=programme, now=later) == 0
        now = datetime.datetime(2026, 2, 1, tzinfo=LONDON)
        assert services.surveys_plan(programme=programme, now=now) == 1
        cohort.end_date = datetime.date(2026, 3, 31)
        cohort.save()
        assert services.surveys_plan(programme=programme, now=now) == 0
        invitation = SurveyInvitation.objects.get()
    assert invitation.due_at == datetime.datetime(2026, 4, 30, 9, 0, tzinfo=LONDON)


def test_plan_all_covers_every_organisation(programme, cohort, other_organisation):
    _enrol(cohort)
    SurveyScheduleFactory(programme=programme)
    other_cohort = CohortFactory(
        programme=ProgrammeFactory(organisation=other_organisation), completed=True
    )
    _enrol(other_cohort)
    SurveyScheduleFactory(programme=other_cohort.programme)
    assert services.surveys_plan_all(now=datetime.datetime(2026, 2, 1, tzinfo=LONDON)) == 2


# --- Dispatching -----------------------------------------------------------------------------


def _emails(**filters):
    return OutgoingEmail.objects.filter(**filters)


def test_due_invitations_are_sent_once_and_others_wait(organisation, programme, cohort):
    now = datetime.datetime(2026, 8, 1, 10, 0, tzinfo=LONDON)
    schedule = SurveyScheduleFactory(programme=programme)
    due = [
        SurveyInvitationFactory(schedule=schedule, cohort=cohort, due_at=now - timedelta(hours=h))
        for h in (1, 2, 3)
    ]
    waiting = SurveyInvitationFactory(schedule=schedule, cohort=cohort, due_at=now + timedelta(1))

    first = services.surveys_dispatch(now=now)
    second = services.surveys_dispatch(now=now)

    assert first == {"sent": 3, "reminded": 0, "expired": 0}
    assert second == {"sent": 0, "reminded": 0, "expired": 0}
    for invitation in due:
        assert _emails(to=invitation.email).count() == 1
    with scopes_disabled():
        for invitation in due:
            invitation.refresh_from_db()
            assert invitation.status == Status.SENT
            assert invitation.sent_at == now
            assert invitation.expires_at == now + timedelta(days=28)
        waiting.refresh_from_db()
    assert waiting.status == Status.SCHEDULED and waiting.sent_at is None
    assert not _emails(to=waiting.email).exists()


def test_the_invitation_email_says_who_asks_and_carries_the_link(organisation, programme, cohort):
    invitation = SurveyInvitationFactory(schedule__programme=programme, cohort=cohort)
    services.surveys_dispatch()
    email = _emails(to=invitation.email).get()
    link = "http://testserver" + reverse("surveys:answer", kwargs={"token": invitation.token})
    assert link in email.body
    assert organisation.name in email.body  # not “&amp;”: plain text
    assert programme.name in email.body and invitation.company.name in email.subject
    assert "minutes" in email.body and "works until" in email.body
    assert email.organisation == organisation
    assert email.reply_to == organisation.contact_email


def test_reminders_after_7_and_14_days_and_expiry_after_28(organisation, programme, cohort):
    start = datetime.datetime(2026, 8, 3, 9, 0, tzinfo=LONDON)
    invitation = SurveyInvitationFactory(schedule__programme=programme, cohort=cohort, due_at=start)
    answered = SurveyInvitationFactory(schedule=invitation.schedule, due_at=start)

    def reminders():
        return _emails(subject__startswith="Reminder", to=invitation.email).count()

    with time_machine.travel(start, tick=False):
        assert services.surveys_dispatch()["sent"] == 2
    with scopes_disabled():
        SurveyInvitation.objects.filter(pk=answered.pk).update(status=Status.ANSWERED)
    expectations = [(6, 0), (7, 1), (8, 1), (13, 1), (14, 2), (20, 2), (27, 2)]
    for days, expected in expectations:
        with time_machine.travel(start + timedelta(days=days, minutes=1), tick=False):
            services.surveys_dispatch()
        assert reminders() == expected, days
    with scopes_disabled():
        invitation.refresh_from_db()
        assert invitation.status == Status.SENT and invitation.reminders_sent == 2
    with time_machine.travel(start + timedelta(days=28), tick=False):
        assert services.surveys_dispatch() == {"sent": 0, "reminded": 0, "expired": 1}
    with scopes_disabled():
        invitation.refresh_from_db()
    assert invitation.status == Status.EXPIRED
    assert not _emails(subject__startswith="Reminder", to=answered.email).exists()
    reminder = _emails(subject__startswith="Reminder", to=invitation.email).first()
    assert invitation.token in reminder.body


def test_a_dispatcher_back_after_a_long_outage_sends_one_reminder_not_two(programme, cohort):
    start = datetime.datetime(2026, 8, 3, 9, 0, tzinfo=LONDON)
    invitation = SurveyInvitationFactory(schedule__programme=programme, cohort=cohort, due_at=start)
    services.surveys_dispatch(now=start)
    assert services.surveys_dispatch(now=start + timedelta(days=15))["reminded"] == 1
    assert services.surveys_dispatch(now=start + timedelta(days=15, hours=1))["reminded"] == 0
    assert services.surveys_dispatch(now=start + timedelta(days=16, hours=1))["reminded"] == 1
    assert _emails(subject__startswith="Reminder", to=invitation.email).count() == 2


def test_a_crash_half_way_loses_one_batch_and_the_rerun_duplicates_nothing(
    monkeypatch, programme, cohort
):
    now = datetime.datetime(2026, 8, 1, 10, 0, tzinfo=LONDON)
    schedule = SurveyScheduleFactory(programme=programme)
    invitations = [
        SurveyInvitationFactory(schedule=schedule, cohort=cohort, due_at=now - timedelta(hours=1))
        for _ in range(7)
    ]
    real_send = services._send_invitation
    calls = {"n": 0}

    def crashing_send(invitation):
        calls["n"] += 1
        if calls["n"] == 5:  # the second row of the second batch
            raise RuntimeError("worker killed")
        real_send(invitation)

    monkeypatch.setattr(services, "_send_invitation", crashing_send)
    with pytest.raises(RuntimeError):
        services.surveys_dispatch(now=now, batch_size=3)
    with scopes_disabled():
        statuses = [SurveyInvitation.objects.get(pk=i.pk).status for i in invitations]
    # The first batch committed; the failing batch rolled back, e-mail rows included.
    assert statuses == [Status.SENT] * 3 + [Status.SCHEDULED] * 4
    assert OutgoingEmail.objects.count() == 3

    monkeypatch.setattr(services, "_send_invitation", real_send)
    assert services.surveys_dispatch(now=now, batch_size=3)["sent"] == 4
    for invitation in invitations:
        assert _emails(to=invitation.email).count() == 1
    with scopes_disabled():
        assert set(SurveyInvitation.objects.values_list("status", flat=True)) == {Status.SENT}


def test_the_periodic_task_sweeps_every_organisation(programme, cohort, other_organisation):
    from impact.tasks import dispatch_surveys

    SurveyInvitationFactory(schedule__programme=programme, cohort=cohort)
    SurveyInvitationFactory(schedule__programme=ProgrammeFactory(organisation=other_organisation))
    assert dispatch_surveys.delay().get()["sent"] == 2


# --- Answers ---------------------------------------------------------------------------------

ANSWERS = {
    "jobs_created": "3",
    "new_deals": "yes",
    "deals_count": "2",
    "deals_value": "£12,500",
    "new_markets": "no",
    "markets_entered": "France",  # ignored: the company said no
    "further_funding": "no",
    "new_offices": "no",
    "profit": "-2000",
    "attribution": "partly",
}


def _sent(programme, cohort, **kwargs):
    return SurveyInvitationFactory(
        schedule__programme=programme, cohort=cohort, sent=True, **kwargs
    )


def test_a_draft_then_a_submission_records_typed_answers(organisation, programme, cohort):
    invitation = _sent(programme, cohort)
    with tenant_scope(organisation):
        CustomQuestion.objects.create(
            organisation=organisation,
            programme=programme,
            key="patents",
            label="Patents?",
            kind=CustomQuestion.Kind.NUMBER,
        )
        draft = services.response_save(
            invitation=invitation, data={"jobs_created": "3"}, submit=False
        )
        assert draft.submitted_at is None and draft.jobs_created == 3
        response = services.response_save(
            invitation=invitation, data={**ANSWERS, "q_patents": "4"}, submit=True
        )
        invitation.refresh_from_db()
    assert response.pk == draft.pk
    assert response.deals_value == Decimal("12500.00") and response.deals_count == 2
    assert response.new_markets is False and response.markets_entered == ""
    assert response.profit == Decimal("-2000.00") and response.attribution == "partly"
    assert response.custom_answers == {"patents": 4}
    assert response.round_months == 6 and response.programme == programme
    assert response.submitted_at is not None and response.responded_on is not None
    assert response.source == SurveyResponse.Source.WEB
    assert invitation.status == Status.ANSWERED and invitation.answered_at is not None


def test_answers_are_validated_field_by_field_and_nothing_is_saved(organisation, programme, cohort):
    invitation = _sent(programme, cohort)
    bad = {
        **ANSWERS,
        "jobs_created": "lots",
        "deals_count": "-1",
        "deals_value": "1e20",
        "attribution": "all of it",
    }
    with tenant_scope(organisation), pytest.raises(ValidationError) as caught:
        services.response_save(invitation=invitation, data=bad, submit=True)
    errors = caught.value.message_dict
    assert errors["jobs_created"] == ["Enter a whole number."]
    assert errors["deals_count"] == ["Enter 0 or more."]
    assert "at most" in errors["deals_value"][0]
    assert errors["attribution"] == ["Choose one of the options."]
    with tenant_scope(organisation), pytest.raises(ValidationError) as caught:
        services.response_save(invitation=invitation, data={}, submit=True)
    assert set(caught.value.message_dict) == set(services.REQUIRED_ON_SUBMIT)
    with scopes_disabled():
        assert not SurveyResponse.objects.exists()


def test_a_second_submission_and_an_expired_link_are_refused(organisation, programme, cohort):
    invitation = _sent(programme, cohort)
    expired = SurveyInvitationFactory(
        schedule=invitation.schedule,
        sent=True,
        expires_at=datetime.datetime(2020, 1, 1, tzinfo=LONDON),
    )
    with tenant_scope(organisation):
        services.response_save(invitation=invitation, data=ANSWERS, submit=True)
        with pytest.raises(ValidationError, match="already submitted"):
            services.response_save(invitation=invitation, data=ANSWERS, submit=True)
        with pytest.raises(ValidationError, match="already submitted"):
            services.response_save(invitation=invitation, data=ANSWERS, submit=False)
        with pytest.raises(ValidationError, match="closed"):
            services.response_save(invitation=expired, data=ANSWERS, submit=False)
        assert SurveyResponse.objects.count() == 1


def test_a_response_without_an_invitation_is_named_by_its_round(organisation, programme, cohort):
    enrolment, _ = _enrol(cohort)
    with tenant_scope(organisation):
        response = services.response_save(
            programme=programme,
            cohort=cohort,
            company=enrolment.company,
            round_months=12,
            data=ANSWERS,
            submit=True,
            source=SurveyResponse.Source.IMPORT,
        )
        with pytest.raises(ValidationError, match="already submitted"):
            services.response_save(
                programme=programme,
                cohort=cohort,
                company=enrolment.company,
                round_months=12,
                data=ANSWERS,
                submit=True,
            )
    assert response.invitation is None and response.round_months == 12


# --- Baselines, rounds, questions -----------------------------------------------------------


def test_baseline_save_records_and_corrects_the_starting_figures(organisation, cohort):
    enrolment, _ = _enrol(cohort)
    with tenant_scope(organisation):
        baseline = services.baseline_save(
            enrolment=enrolment,
            employees=12,
            turnover=Decimal("800000"),
            export_sales=Decimal("100000"),
            exporting_markets="France, Germany ;Spain",
            source=Baseline.Source.STAFF,
        )
        assert baseline.exporting_markets == "France; Germany; Spain"
        assert baseline.market_count == 3
        with pytest.raises(ValidationError) as caught:
            services.baseline_save(
                enrolment=enrolment,
                employees=-1,
                turnover=Decimal("10"),
                export_sales=Decimal("20"),
            )
        assert set(caught.value.message_dict) == {"employees", "export_sales"}
        services.baseline_save(enrolment=enrolment, employees=14)
        assert Baseline.objects.get().employees == 14
        assert Baseline.objects.get().source == Baseline.Source.COMPANY


def test_rounds_are_validated_and_fixed_once_invitations_went_out(organisation, programme):
    invitation = SurveyInvitationFactory(schedule__programme=programme, sent=True)
    schedule = invitation.schedule
    with tenant_scope(organisation):
        schedule.reminder_days = "7, x"
        with pytest.raises(ValidationError, match="whole numbers"):
            services.schedule_save(schedule=schedule)
        schedule.reminder_days = "7,30"
        with pytest.raises(ValidationError, match="before the link expires"):
            services.schedule_save(schedule=schedule)
        schedule.reminder_days = "14, 7"
        schedule.offset_months = 12
        with pytest.raises(ValidationError, match="timing"):
            services.schedule_save(schedule=schedule)
        schedule.offset_months = 6
        assert services.schedule_save(schedule=schedule).reminder_days == "7,14"
        with pytest.raises(ValidationError, match="cannot be deleted"):
            services.schedule_delete(schedule=schedule)
        twin = SurveyScheduleFactory.build(programme=programme, offset_months=6)
        with pytest.raises(ValidationError, match="already has a round"):
            services.schedule_save(schedule=twin)


# --- Staff pages -----------------------------------------------------------------------------


def _url(name, organisation, pk):
    return reverse(f"impact:{name}", kwargs={"org_slug": organisation.slug, "pk": pk})


@pytest.fixture
def manager(client, organisation, make_member):
    member = make_member(organisation, Role.PROGRAMME_MANAGER)
    client.force_login(member.user)
    return member.user


def test_a_manager_adds_a_round_plans_and_sees_the_invitations(
    client, manager, organisation, programme, cohort
):
    for _ in range(3):
        _enrol(cohort)
    page = client.get(_url("schedules", organisation, programme.pk))
    assert page.status_code == 200 and b"No survey rounds yet" in page.content
    response = client.post(
        _url("schedules", organisation, programme.pk),
        {
            "name": "6-month follow-up",
            "anchor": "cohort_end",
            "offset_months": "6",
            "reminder_days": "7,14",
            "expires_after_days": "28",
            "active": "on",
        },
    )
    assert response.status_code == 302
    with time_machine.travel(datetime.datetime(2026, 2, 1, tzinfo=LONDON)):
        response = client.post(_url("plan", organisation, programme.pk), follow=True)
    assert b"3 invitations planned" in response.content
    assert response.content.count(b"Enter by phone") == 3
    bad = client.post(
        _url("schedules", organisation, programme.pk),
        {
            "name": "Twin",
            "anchor": "cohort_end",
            "offset_months": "6",
            "reminder_days": "7",
            "expires_after_days": "28",
        },
    )
    assert bad.status_code == 400 and "already has a round" in bad.content.decode()


def test_the_invitations_table_filters_and_keeps_its_query_count(
    client, manager, organisation, programme, cohort, django_assert_max_num_queries
):
    schedule = SurveyScheduleFactory(programme=programme)
    other = SurveyScheduleFactory(programme=programme, offset_months=12)
    SurveyInvitationFactory(schedule=schedule, cohort=cohort, company__name="Acme Robotics")
    for _ in range(5):
        SurveyInvitationFactory(schedule=other, cohort=cohort, sent=True)
    url = _url("invitations", organisation, programme.pk)
    assert client.get(url, {"q": "acme"}).content.count(b"Enter by phone") == 1
    page = client.get(url, {"status": "sent", "schedule": other.pk, "sort": "company"})
    assert page.content.count(b"Enter by phone") == 5
    assert client.get(url, {"cohort": "not-a-number"}).status_code == 400
    with django_assert_max_num_queries(14):
        client.get(url)
    for _ in range(40):
        SurveyInvitationFactory(schedule=other, cohort=cohort, sent=True)
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200


def test_staff_enter_answers_taken_by_phone(client, organisation, programme, cohort, make_member):
    adviser = make_member(organisation, Role.PROGRAMME_MANAGER).user
    client.force_login(adviser)
    invitation = _sent(programme, cohort)
    url = _url("phone-entry", organisation, invitation.pk)
    assert client.get(url).status_code == 200
    assert client.post(url, {"jobs_created": "2", "save": "1"}).status_code == 302
    bad = client.post(url, {**ANSWERS, "jobs_created": "two", "submit": "1"})
    assert bad.status_code == 400 and "Enter a whole number." in bad.content.decode()
    assert client.post(url, {**ANSWERS, "submit": "1"}).status_code == 302
    with scopes_disabled():
        response = SurveyResponse.objects.get()
        invitation.refresh_from_db()
    assert response.source == SurveyResponse.Source.PHONE and response.entered_by == adviser
    assert response.is_submitted and invitation.status == Status.ANSWERED
    page = client.get(url)
    assert b"Submitted answers are final" in page.content and b"12,500" in page.content


def test_managers_add_and_remove_their_own_questions(client, manager, organisation, programme):
    url = _url("questions", organisation, programme.pk)
    data = {
        "label": "How many patents have you filed?",
        "key": "patents",
        "kind": "number",
        "position": "1",
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 400  # the same key twice
    with scopes_disabled():
        question = CustomQuestion.objects.get()
    delete = _url("question-delete", organisation, question.pk)
    assert b"Remove" in client.get(delete).content
    assert client.post(delete).status_code == 302
    with scopes_disabled():
        assert not CustomQuestion.objects.exists()


def test_staff_record_a_baseline(client, organisation, cohort, make_member):
    client.force_login(make_member(organisation, Role.PROGRAMME_MANAGER).user)
    enrolment, _ = _enrol(cohort)
    url = _url("baseline", organisation, enrolment.pk)
    page = client.get(url)
    assert page.status_code == 200
    assert f'value="{enrolment.company.employees}"' in page.content.decode()
    bad = client.post(url, {"employees": "many"})
    assert bad.status_code == 400
    response = client.post(url, {"employees": "9", "turnover": "£250,000", "export_sales": ""})
    assert response.status_code == 302
    with scopes_disabled():
        baseline = Baseline.objects.get()
    assert baseline.source == Baseline.Source.STAFF and baseline.turnover == Decimal("250000")


def test_a_round_with_sent_invitations_cannot_be_deleted_from_its_page(
    client, manager, organisation, programme
):
    sent = SurveyInvitationFactory(schedule__programme=programme, sent=True).schedule
    unsent = SurveyInvitationFactory(
        schedule=SurveyScheduleFactory(programme=programme, offset_months=12)
    ).schedule
    refused = client.post(_url("schedule-delete", organisation, sent.pk))
    assert refused.status_code == 400 and b"cannot be deleted" in refused.content
    assert client.post(_url("schedule-delete", organisation, unsent.pk)).status_code == 302
    edit = client.post(
        _url("schedule-edit", organisation, sent.pk),
        {
            "name": "Renamed",
            "anchor": "cohort_end",
            "offset_months": "6",
            "reminder_days": "5",
            "expires_after_days": "21",
            "active": "on",
        },
    )
    assert edit.status_code == 302
    with scopes_disabled():
        sent.refresh_from_db()
        assert sent.name == "Renamed" and sent.reminder_offsets == [5]
        assert not SurveyInvitation.objects.filter(schedule_id=unsent.pk).exists()


@pytest.mark.parametrize("role", [Role.FUNDER, Role.MENTOR, Role.REVIEWER])
def test_survey_pages_are_for_managers(client, organisation, programme, cohort, make_member, role):
    client.force_login(make_member(organisation, role).user)
    invitation = _sent(programme, cohort)
    question = CustomQuestion.objects.model(
        organisation=organisation, programme=programme, key="k", label="K", kind="text"
    )
    question.save()
    enrolment, _ = _enrol(cohort)
    urls = [
        _url("schedules", organisation, programme.pk),
        _url("schedule-edit", organisation, invitation.schedule_id),
        _url("schedule-delete", organisation, invitation.schedule_id),
        _url("plan", organisation, programme.pk),
        _url("invitations", organisation, programme.pk),
        _url("phone-entry", organisation, invitation.pk),
        _url("questions", organisation, programme.pk),
        _url("question-delete", organisation, question.pk),
        _url("baseline", organisation, enrolment.pk),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url).status_code == 403, url


def test_advisers_do_not_run_survey_rounds(client, organisation, programme, make_member):
    client.force_login(make_member(organisation, Role.GROWTH_ADVISER).user)
    assert client.get(_url("schedules", organisation, programme.pk)).status_code == 403
    assert client.get(_url("invitations", organisation, programme.pk)).status_code == 403


def test_pages_of_another_organisation_are_not_found(
    client, manager, organisation, other_organisation
):
    theirs = SurveyInvitationFactory(
        schedule__programme=ProgrammeFactory(organisation=other_organisation), sent=True
    )
    for name, pk in [
        ("schedules", theirs.schedule.programme_id),
        ("schedule-edit", theirs.schedule_id),
        ("invitations", theirs.schedule.programme_id),
        ("phone-entry", theirs.pk),
    ]:
        assert client.get(_url(name, organisation, pk)).status_code == 404, name
