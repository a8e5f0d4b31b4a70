"""Staff and SME pages of workshops and events: roles, tenant fences, the event form in the
event's zone, the lists, detail, cancel, attendance (htmx), feedback, certificate, .ics."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from activities.models import Event, EventFeedback, EventReminder, Registration
from portal.models import OutgoingEmail
from portal.roles import Role
from portal.tenancy import scopes_disabled
from tests.factories import (
    CohortFactory,
    CompanyFactory,
    CompanyMemberFactory,
    EnrolmentFactory,
    EventFactory,
    ProgrammeFactory,
    RegistrationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _url(name, organisation, **kwargs):
    return reverse(f"activities:{name}", kwargs={"org_slug": organisation.slug, **kwargs})


@pytest.fixture
def manager(organisation, make_member):
    return make_member(organisation, Role.PROGRAMME_MANAGER).user


@pytest.fixture
def event(organisation):
    return EventFactory(programme__organisation=organisation, title="Pricing for growth")


# --- Roles and tenancy -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "list_status", "create_status"),
    [
        (Role.ADMIN, 200, 200),
        (Role.PROGRAMME_MANAGER, 200, 200),
        (Role.GROWTH_ADVISER, 200, 403),
        (Role.MENTOR, 403, 403),
        (Role.FUNDER, 403, 403),
        (Role.REVIEWER, 403, 403),
    ],
)
def test_roles(client, organisation, make_member, event, role, list_status, create_status):
    client.force_login(make_member(organisation, role).user)
    assert client.get(_url("event-list", organisation)).status_code == list_status
    assert client.get(_url("event-detail", organisation, pk=event.pk)).status_code == list_status
    assert client.get(_url("event-attendance", organisation, pk=event.pk)).status_code == (
        list_status
    )
    assert client.get(_url("event-create", organisation)).status_code == create_status
    assert client.get(_url("event-edit", organisation, pk=event.pk)).status_code == create_status
    assert client.get(_url("event-cancel", organisation, pk=event.pk)).status_code == (
        create_status
    )


def test_another_organisations_event_is_404(client, organisation, other_organisation, manager):
    theirs = EventFactory(programme__organisation=other_organisation)
    registration = RegistrationFactory(event=theirs)
    client.force_login(manager)
    for name in (
        "event-detail",
        "event-edit",
        "event-cancel",
        "event-attendance",
        "event-ics",
        "event-feedback",
    ):
        assert client.get(_url(name, organisation, pk=theirs.pk)).status_code == 404, name
    mark = _url("event-mark", organisation, pk=theirs.pk, reg_pk=registration.pk)
    assert client.post(mark, {"attendance": "attended"}).status_code == 404


# --- Create, edit, list -----------------------------------------------------------------------


def _form(programme, **overrides):
    data = {
        "programme": programme.pk,
        "kind": "masterclass",
        "title": "Export pricing masterclass",
        "description": "",
        "time_zone": "America/New_York",
        "day": "2030-07-04",
        "start_time": "09:30",
        "end_day": "",
        "end_time": "12:00",
        "audience": "programme",
        "cohort": "",
        "capacity": "12",
        "facilitator": "Dana Cole",
        "venue": "",
        "online_url": "https://meet.example.org/export",
    }
    return {**data, **overrides}


def test_create_takes_local_times_in_the_events_zone(client, organisation, manager):
    programme = ProgrammeFactory(organisation=organisation)
    client.force_login(manager)
    response = client.post(_url("event-create", organisation), _form(programme))
    assert response.status_code == 302
    with scopes_disabled():
        event = Event.objects.get(title="Export pricing masterclass")
        # 09:30 in New York in July (EDT, UTC-4) is 13:30 UTC.
        assert event.starts_at == datetime(2030, 7, 4, 13, 30, tzinfo=UTC)
        assert event.ends_at == datetime(2030, 7, 4, 16, 0, tzinfo=UTC)
        assert event.organisation == organisation
        assert EventReminder.objects.filter(event=event, cancelled=False).count() == 2
    # The edit form shows the same local times back.
    page = client.get(_url("event-edit", organisation, pk=event.pk)).content.decode()
    assert 'value="09:30"' in page and 'value="2030-07-04"' in page


def test_create_refuses_bad_input_with_messages_and_saves_nothing(client, organisation, manager):
    programme = ProgrammeFactory(organisation=organisation)
    other_cohort = CohortFactory(programme__organisation=organisation)
    client.force_login(manager)
    cases = [
        ({"end_time": "09:00"}, "must end after it starts"),
        # 02:30 does not exist in New York on 10 March 2030 (clocks go forward).
        ({"day": "2030-03-10", "start_time": "02:30", "end_time": "04:00"}, "does not exist"),
        ({"audience": "cohort"}, "Choose the cohort"),
        ({"audience": "cohort", "cohort": other_cohort.pk}, "another programme"),
        ({"online_url": ""}, "Give a venue, an online link, or both"),
        ({"capacity": "0"}, "greater than or equal to 1"),
    ]
    for overrides, message in cases:
        response = client.post(_url("event-create", organisation), _form(programme, **overrides))
        assert response.status_code == 400, overrides
        assert message in response.content.decode(), overrides
    with scopes_disabled():
        assert not Event.objects.exists()


def test_form_offers_only_this_organisations_programmes(
    client, organisation, other_organisation, manager
):
    theirs = ProgrammeFactory(organisation=other_organisation)
    client.force_login(manager)
    response = client.post(_url("event-create", organisation), _form(theirs))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_list_filters_upcoming_past_programme_and_kind(client, organisation, manager):
    programme = ProgrammeFactory(organisation=organisation, name="Scale")
    other = ProgrammeFactory(organisation=organisation, name="Export")
    now = timezone.now()
    soon = EventFactory(programme=programme, title="Soon", starts_at=now + timedelta(days=1))
    later = EventFactory(programme=programme, title="Later", starts_at=now + timedelta(days=9))
    EventFactory(programme=other, title="Other programme", kind="conference")
    EventFactory(
        programme=programme,
        title="Long ago",
        starts_at=now - timedelta(days=30),
        ends_at=now - timedelta(days=30) + timedelta(hours=2),
    )
    RegistrationFactory(event=soon)
    client.force_login(manager)
    url = _url("event-list", organisation)
    page = client.get(url).content.decode()
    assert page.index("Soon") < page.index("Later")
    assert "Long ago" not in page
    assert "1 / 20" in page
    assert "Long ago" in client.get(url, {"when": "past"}).content.decode()
    filtered = client.get(url, {"programme": programme.pk}).content.decode()
    assert "Other programme" not in filtered and later.title in filtered
    by_kind = client.get(url, {"kind": "conference"}).content.decode()
    assert "Other programme" in by_kind and "Soon" not in by_kind


# --- Detail and cancel -------------------------------------------------------------------------


def test_detail_shows_places_waitlist_in_order_declined_and_unanswered(
    client, organisation, manager
):
    cohort = CohortFactory(programme__organisation=organisation, running=True)
    event = EventFactory(programme=cohort.programme, audience="cohort", cohort=cohort, capacity=1)
    names = ["Alder Ltd", "Birch Ltd", "Cedar Ltd", "Damson Ltd", "Elm Ltd"]
    companies = [CompanyFactory(name=n) for n in names]
    for company in companies:
        EnrolmentFactory(cohort=cohort, company=company)
    now = timezone.now()
    RegistrationFactory(event=event, company=companies[0])
    RegistrationFactory(
        event=event,
        company=companies[2],
        status="waitlisted",
        waitlisted_at=now - timedelta(hours=1),
    )
    RegistrationFactory(
        event=event,
        company=companies[1],
        status="waitlisted",
        waitlisted_at=now - timedelta(hours=2),
    )
    RegistrationFactory(event=event, company=companies[3], status="declined")
    client.force_login(manager)
    page = client.get(_url("event-detail", organisation, pk=event.pk)).content.decode()
    waitlist = page[page.index('id="waitlist-heading"') :]
    assert waitlist.index("Birch Ltd") < waitlist.index("Cedar Ltd")
    unanswered = page[page.index('id="unanswered-heading"') :]
    assert "Elm Ltd" in unanswered and "Alder Ltd" not in unanswered


def test_cancel_asks_first_then_mails_holders(client, organisation, manager, event):
    registration = RegistrationFactory(event=event)
    person = CompanyMemberFactory(company=registration.company).user
    with scopes_disabled():
        Registration.objects.filter(pk=registration.pk).update(user=person)
    client.force_login(manager)
    url = _url("event-cancel", organisation, pk=event.pk)
    page = client.get(url)
    assert "Cancel Pricing for growth?" in page.content.decode()
    with scopes_disabled():
        assert Event.objects.get(pk=event.pk).status == "scheduled"
    assert client.post(url).status_code == 302
    with scopes_disabled():
        assert Event.objects.get(pk=event.pk).status == "cancelled"
        (mail,) = OutgoingEmail.objects.filter(subject__startswith="Cancelled:")
    assert mail.to == person.email
    assert "METHOD:CANCEL" in mail.attachments[0]["content"]
    # A cancelled event cannot be cancelled again or edited.
    assert client.post(url).status_code == 400
    assert client.get(_url("event-edit", organisation, pk=event.pk)).status_code == 302


def test_staff_ics_download(client, organisation, manager, event):
    client.force_login(manager)
    response = client.get(_url("event-ics", organisation, pk=event.pk))
    assert response["Content-Type"].startswith("text/calendar")
    (vevent,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert vevent.decoded("dtstart") == event.starts_at.replace(microsecond=0)
    assert str(vevent["summary"]) == "Pricing for growth"


# --- Attendance and feedback -------------------------------------------------------------------


@pytest.fixture
def today(organisation):
    now = timezone.now()
    return EventFactory(
        programme__organisation=organisation,
        starts_at=now - timedelta(minutes=30),
        ends_at=now + timedelta(hours=1),
    )


def test_attendance_page_marks_with_htmx_and_without(client, organisation, make_member, today):
    adviser = make_member(organisation, Role.GROWTH_ADVISER).user
    first = RegistrationFactory(event=today, company=CompanyFactory(name="Quill Ltd"))
    second = RegistrationFactory(event=today)
    RegistrationFactory(event=today, waitlisted=True, company=CompanyFactory(name="Waiting Ltd"))
    client.force_login(adviser)
    page = client.get(_url("event-attendance", organisation, pk=today.pk)).content.decode()
    assert "Quill Ltd" in page and "Waiting Ltd" not in page
    mark = _url("event-mark", organisation, pk=today.pk, reg_pk=first.pk)
    response = client.post(mark, {"attendance": "attended"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    fragment = response.content.decode()
    assert f'id="registration-{first.pk}"' in fragment and "<html" not in fragment
    assert 'hx-swap-oob="true"' in fragment and "<strong>1</strong> attended" in fragment
    response = client.post(
        _url("event-mark", organisation, pk=today.pk, reg_pk=second.pk), {"attendance": "no_show"}
    )
    assert response.status_code == 302
    bad = client.post(mark, {"attendance": "maybe"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400
    with scopes_disabled():
        assert Registration.objects.get(pk=first.pk).attendance == "attended"
        assert Registration.objects.get(pk=second.pk).attendance == "no_show"


def test_feedback_summary(client, organisation, manager, today):
    for rating, recommend in ((5, True), (4, True), (2, False)):
        registration = RegistrationFactory(event=today, attended=True)
        with scopes_disabled():
            EventFeedback.objects.create(
                organisation=organisation,
                registration=registration,
                rating=rating,
                would_recommend=recommend,
                most_useful=f"Answer {rating}",
            )
    RegistrationFactory(event=today, attended=True)
    client.force_login(manager)
    page = client.get(_url("event-feedback", organisation, pk=today.pk)).content.decode()
    assert "3.7" in page
    assert "3 <span" in page and "of 4 attendees" in page
    assert "Answer 2" in page


# --- SME pages ------------------------------------------------------------------------------


@pytest.fixture
def sme(organisation):
    cohort = CohortFactory(programme__organisation=organisation, running=True)
    company = CompanyFactory(name="Kite Labs Ltd")
    user = CompanyMemberFactory(company=company, user=UserFactory()).user
    EnrolmentFactory(cohort=cohort, company=company)
    return {"cohort": cohort, "company": company, "user": user}


def test_sme_sees_only_events_open_to_its_company(client, organisation, sme):
    cohort = sme["cohort"]
    mine = EventFactory(
        programme=cohort.programme, audience="cohort", cohort=cohort, title="Our cohort workshop"
    )
    public = EventFactory(programme__organisation=organisation, public=True, title="Open day")
    other_cohort = CohortFactory(programme__organisation=organisation)
    hidden = EventFactory(
        programme=other_cohort.programme,
        audience="cohort",
        cohort=other_cohort,
        title="Someone else's",
    )
    client.force_login(sme["user"])
    page = client.get(reverse("my-activities:event-list")).content.decode()
    assert "Our cohort workshop" in page and "Open day" in page
    assert "Someone else" not in page
    assert client.get(reverse("my-activities:event-detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("my-activities:event-detail", args=[public.pk])).status_code == 200
    for name in ("event-detail", "event-ics", "event-feedback", "event-certificate"):
        url = reverse(f"my-activities:{name}", args=[hidden.pk])
        assert client.get(url).status_code == 404, name
    assert (
        client.post(
            reverse("my-activities:event-register", args=[hidden.pk]),
            {"company": sme["company"].pk},
        ).status_code
        == 404
    )


def test_sme_registers_cancels_and_declines(client, organisation, sme):
    cohort = sme["cohort"]
    event = EventFactory(programme=cohort.programme, audience="cohort", cohort=cohort)
    client.force_login(sme["user"])
    company = sme["company"].pk
    detail = reverse("my-activities:event-detail", args=[event.pk])
    assert "Not attending" in client.get(detail).content.decode()
    response = client.post(
        reverse("my-activities:event-register", args=[event.pk]), {"company": company}, follow=True
    )
    assert "has a place" in response.content.decode()
    with scopes_disabled():
        registration = Registration.objects.get(event=event)
        assert registration.user == sme["user"]
        assert OutgoingEmail.objects.filter(
            to=sme["user"].email, subject__startswith="Your place"
        ).exists()
    response = client.post(
        reverse("my-activities:event-cancel", args=[event.pk]), {"company": company}, follow=True
    )
    assert "is cancelled" in response.content.decode()
    response = client.post(
        reverse("my-activities:event-decline", args=[event.pk]), {"company": company}, follow=True
    )
    assert "not attending" in response.content.decode()
    with scopes_disabled():
        assert Registration.objects.get(event=event).status == "declined"


def test_sme_cannot_answer_for_another_company(client, organisation, sme):
    event = EventFactory(programme__organisation=organisation, public=True)
    stranger = CompanyFactory()
    client.force_login(sme["user"])
    response = client.post(
        reverse("my-activities:event-register", args=[event.pk]),
        {"company": stranger.pk},
        follow=True,
    )
    assert "Choose one of your companies" in response.content.decode()
    with scopes_disabled():
        assert not Registration.objects.exists()


def test_sme_feedback_once_and_certificate_for_attendees_only(client, organisation, sme):
    now = timezone.now()
    event = EventFactory(
        programme=sme["cohort"].programme,
        title="Investor readiness",
        starts_at=now - timedelta(days=1, hours=2),
        ends_at=now - timedelta(days=1),
    )
    registration = RegistrationFactory(event=event, company=sme["company"], user=sme["user"])
    client.force_login(sme["user"])
    certificate = reverse("my-activities:event-certificate", args=[event.pk])
    feedback = reverse("my-activities:event-feedback", args=[event.pk])
    refused = client.get(certificate)
    assert refused.status_code == 403
    assert "Attendance has not been recorded yet" in refused.content.decode()
    assert client.post(feedback, {"rating": "5", "would_recommend": "True"}).status_code == 302
    with scopes_disabled():
        assert not EventFeedback.objects.exists()
        Registration.objects.filter(pk=registration.pk).update(attendance="attended")
    listing = client.get(reverse("my-activities:event-list")).content.decode()
    assert "Give feedback" in listing and "Certificate" in listing
    response = client.post(
        feedback, {"rating": "4", "would_recommend": "True", "most_useful": "The cap table bit"}
    )
    assert response.status_code == 302
    again = client.post(feedback, {"rating": "1", "would_recommend": "False"}, follow=True)
    assert "already given feedback" in again.content.decode()
    with scopes_disabled():
        (given,) = EventFeedback.objects.all()
        assert (given.rating, given.most_useful) == (4, "The cap table bit")
    pdf = client.get(certificate)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "certificate-investor-readiness" in pdf["Content-Disposition"]


def test_sme_with_no_company_is_asked_to_add_one(client, user):
    client.force_login(user)
    page = client.get(reverse("my-activities:event-list")).content.decode()
    assert "Add my company" in page


def test_sme_pages_need_sign_in(client, event):
    response = client.get(reverse("my-activities:event-list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
