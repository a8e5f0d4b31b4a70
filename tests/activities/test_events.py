"""Services of workshops and events: registration up to capacity with a waitlist promoted on
cancellation, "not attending", reminders sent once, attendance, feedback and certificates."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from icalendar import Calendar

from activities import certificates, selectors_events
from activities import events as services
from activities.models import Event, EventReminder, Registration
from activities.selectors import my_upcoming_events
from activities.tasks import send_event_reminders
from portal.models import OutgoingEmail
from portal.tenancy import scopes_disabled
from tests.factories import (
    CohortFactory,
    CompanyFactory,
    CompanyMemberFactory,
    EnrolmentFactory,
    EventFactory,
    RegistrationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Status = Registration.Status


@pytest.fixture(autouse=True)
def _no_scope():
    with scopes_disabled():
        yield


def _company(email=None):
    company = CompanyFactory()
    user = CompanyMemberFactory(
        company=company, user=UserFactory(**({"email": email} if email else {}))
    ).user
    return company, user


def _mails(subject_start):
    return list(OutgoingEmail.objects.filter(subject__startswith=subject_start).order_by("pk"))


def _ics(mail):
    (attachment,) = mail.attachments
    return Calendar.from_ical(attachment["content"])


# --- Registration, waitlist, promotion -----------------------------------------------------


def test_places_then_waitlist_in_order_and_cancel_promotes_first_waiting():
    event = EventFactory(public=True, capacity=2)
    (a, ua), (b, ub), (c, uc), (d, ud) = (_company() for _ in range(4))
    assert (
        services.registration_register(event=event, company=a, user=ua).status == Status.REGISTERED
    )
    assert (
        services.registration_register(event=event, company=b, user=ub).status == Status.REGISTERED
    )
    rc = services.registration_register(event=event, company=c, user=uc)
    rd = services.registration_register(event=event, company=d, user=ud)
    assert (rc.status, rd.status) == (Status.WAITLISTED, Status.WAITLISTED)
    assert services.waitlist_position(rc) == 1
    assert services.waitlist_position(rd) == 2
    assert len(_mails("Your place")) == 2
    (waitlisted_mail, _) = _mails("On the waitlist")
    assert "number 1" in waitlisted_mail.body

    first = Registration.objects.get(event=event, company=a)
    cancelled, promoted = services.registration_cancel(registration=first)

    assert cancelled.status == Status.CANCELLED
    assert [r.company for r in promoted] == [c]
    rc.refresh_from_db()
    rd.refresh_from_db()
    assert rc.status == Status.REGISTERED and rc.promoted_at is not None
    assert rd.status == Status.WAITLISTED
    assert services.waitlist_position(rd) == 1
    (promoted_mail,) = _mails("You have a place")
    assert promoted_mail.to == uc.email
    invitation = _ics(promoted_mail)
    assert invitation["method"] == "REQUEST"
    (vevent,) = invitation.walk("VEVENT")
    assert str(vevent["uid"]) == services.event_uid(event)


def test_cancelling_a_waitlist_entry_promotes_nobody():
    event = EventFactory(public=True, capacity=1)
    (a, ua), (b, ub) = _company(), _company()
    services.registration_register(event=event, company=a, user=ua)
    waiting = services.registration_register(event=event, company=b, user=ub)
    _, promoted = services.registration_cancel(registration=waiting)
    assert promoted == []
    assert Registration.objects.get(event=event, company=a).status == Status.REGISTERED


def test_registering_twice_is_refused_and_re_registering_after_cancel_is_allowed():
    event = EventFactory(public=True, capacity=5)
    company, user = _company()
    registration = services.registration_register(event=event, company=company, user=user)
    with pytest.raises(ValidationError, match="already has a place"):
        services.registration_register(event=event, company=company, user=user)
    services.registration_cancel(registration=registration)
    again = services.registration_register(event=event, company=company, user=user)
    assert again.pk == registration.pk
    assert again.status == Status.REGISTERED
    services.registration_cancel(registration=again)
    with pytest.raises(ValidationError, match="no place"):
        services.registration_cancel(registration=again)


def test_registration_closes_when_the_event_starts_and_refuses_a_cancelled_event():
    started = EventFactory(
        public=True,
        starts_at=timezone.now() - timedelta(minutes=5),
        ends_at=timezone.now() + timedelta(hours=1),
    )
    company, user = _company()
    with pytest.raises(ValidationError, match="closed when the event started"):
        services.registration_register(event=started, company=company, user=user)
    cancelled = EventFactory(public=True, status=Event.Status.CANCELLED)
    with pytest.raises(ValidationError, match="cancelled"):
        services.registration_register(event=cancelled, company=company, user=user)
    assert not Registration.objects.exists()


def test_audience_cohort_and_programme():
    cohort = CohortFactory(running=True)
    other_cohort = CohortFactory(programme=cohort.programme, running=True)
    elsewhere = CohortFactory(running=True)
    inside, user = _company()
    sibling, sibling_user = _company()
    outside, outside_user = _company()
    EnrolmentFactory(cohort=cohort, company=inside)
    EnrolmentFactory(cohort=other_cohort, company=sibling)
    EnrolmentFactory(cohort=elsewhere, company=outside)
    withdrawn, withdrawn_user = _company()
    EnrolmentFactory(cohort=cohort, company=withdrawn, status="withdrawn")

    for_cohort = EventFactory(programme=cohort.programme, audience="cohort", cohort=cohort)
    for_programme = EventFactory(programme=cohort.programme, audience="programme")

    assert set(services.invited_companies(for_cohort)) == {inside}
    assert set(services.invited_companies(for_programme)) == {inside, sibling}
    services.registration_register(event=for_cohort, company=inside, user=user)
    services.registration_register(event=for_programme, company=sibling, user=sibling_user)
    for event, company, person in (
        (for_cohort, sibling, sibling_user),
        (for_cohort, withdrawn, withdrawn_user),
        (for_programme, outside, outside_user),
    ):
        with pytest.raises(ValidationError, match="not invited"):
            services.registration_register(event=event, company=company, user=person)


def test_one_invitation_rule_for_the_event_the_sme_events_page_and_the_dashboard():
    """Who is invited is decided once (activities.events.AUDIENCE_LINKS): the event's
    invitee list, registration, the SME's events page and the dashboard all agree."""
    cohort = CohortFactory(running=True)
    sibling_cohort = CohortFactory(programme=cohort.programme, running=True)
    elsewhere = CohortFactory(running=True)
    events = {
        "cohort": EventFactory(programme=cohort.programme, audience="cohort", cohort=cohort),
        "programme": EventFactory(programme=cohort.programme, audience="programme"),
        "sibling": EventFactory(
            programme=cohort.programme, audience="cohort", cohort=sibling_cohort
        ),
        "elsewhere": EventFactory(programme=elsewhere.programme, audience="programme"),
    }
    inside, sibling, withdrawn, outsider = (_company() for _ in range(4))
    EnrolmentFactory(cohort=cohort, company=inside[0])
    EnrolmentFactory(cohort=sibling_cohort, company=sibling[0])
    EnrolmentFactory(cohort=cohort, company=withdrawn[0], status="withdrawn")
    EnrolmentFactory(cohort=elsewhere, company=outsider[0], status="withdrawn")
    expected = {
        inside[0].pk: {"cohort", "programme"},
        sibling[0].pk: {"programme", "sibling"},
        withdrawn[0].pk: set(),
        outsider[0].pk: set(),
    }
    for company, user in (inside, sibling, withdrawn, outsider):
        by_pk = {e.pk: name for name, e in events.items()}
        invitees = {n for n, e in events.items() if company in services.invited_companies(e)}
        attend = {n for n, e in events.items() if services.may_attend(e, company)}
        filtered = {
            by_pk[pk]
            for pk in Event.objects.filter(services.invited_events_q([company.pk])).values_list(
                "pk", flat=True
            )
        }
        page = {
            by_pk[e.pk] for e in selectors_events.events_for_companies(company_ids=[company.pk])
        }
        dashboard = {by_pk[e.pk] for e in my_upcoming_events(user=user)}
        assert invitees == attend == filtered == page == dashboard == expected[company.pk]


def test_not_attending_gives_up_a_place_and_promotes_then_may_register_again():
    cohort = CohortFactory(running=True)
    event = EventFactory(programme=cohort.programme, audience="cohort", cohort=cohort, capacity=1)
    (a, ua), (b, ub), (c, uc) = _company(), _company(), _company()
    for company in (a, b, c):
        EnrolmentFactory(cohort=cohort, company=company)
    services.registration_register(event=event, company=a, user=ua)
    services.registration_register(event=event, company=b, user=ub)
    assert list(services.unanswered_companies(event)) == [c]

    declined = services.registration_decline(event=event, company=a, user=ua)
    assert declined.status == Status.DECLINED
    assert Registration.objects.get(event=event, company=b).status == Status.REGISTERED
    services.registration_decline(event=event, company=c, user=uc)
    assert list(services.unanswered_companies(event)) == []
    with pytest.raises(ValidationError, match="already said"):
        services.registration_decline(event=event, company=c, user=uc)
    # Changing one's mind: the event is full, so the waitlist.
    assert services.registration_register(event=event, company=c, user=uc).status == (
        Status.WAITLISTED
    )


def test_capacity_raised_on_edit_promotes_the_waitlist():
    event = EventFactory(public=True, capacity=1)
    (a, ua), (b, ub) = _company(), _company()
    services.registration_register(event=event, company=a, user=ua)
    services.registration_register(event=event, company=b, user=ub)
    event.capacity = 2
    services.event_save(event=event)
    assert Registration.objects.get(event=event, company=b).status == Status.REGISTERED
    assert len(_mails("You have a place")) == 1


def test_cancelling_an_event_mails_holders_a_calendar_withdrawal_and_drops_reminders():
    event = EventFactory(public=True, capacity=1, starts_at=timezone.now() + timedelta(days=10))
    services.reminders_plan(event=event)
    (a, ua), (b, ub), (c, uc) = _company(), _company(), _company()
    services.registration_register(event=event, company=a, user=ua)
    services.registration_register(event=event, company=b, user=ub)
    declined = services.registration_register(event=event, company=c, user=uc)
    services.registration_cancel(registration=declined)

    services.event_cancel(event=event)

    mails = _mails("Cancelled:")
    assert sorted(m.to for m in mails) == sorted([ua.email, ub.email])
    invitation = _ics(mails[0])
    assert invitation["method"] == "CANCEL"
    (vevent,) = invitation.walk("VEVENT")
    assert vevent["status"] == "CANCELLED"
    assert str(vevent["uid"]) == services.event_uid(event)
    assert not EventReminder.objects.filter(event=event, cancelled=False).exists()
    with pytest.raises(ValidationError, match="already cancelled"):
        services.event_cancel(event=event)


def test_moving_an_event_sends_those_with_a_place_an_updated_invitation():
    event = EventFactory(public=True, capacity=1, starts_at=timezone.now() + timedelta(days=10))
    event.ends_at = event.starts_at + timedelta(hours=2)
    event.save()
    (a, ua), (b, ub) = _company(), _company()
    services.registration_register(event=event, company=a, user=ua)
    services.registration_register(event=event, company=b, user=ub)  # waitlisted
    (first,) = _mails("Your place")
    assert _ics(first).walk("VEVENT")[0]["sequence"] == 0

    event.title = "A new title only"
    services.event_save(event=event)
    assert _mails("Changed:") == []

    event.starts_at += timedelta(hours=1)
    event.ends_at += timedelta(hours=1)
    services.event_save(event=event)
    event.venue = "Another room"
    services.event_save(event=event)

    mails = _mails("Changed:")
    assert [m.to for m in mails] == [ua.email, ua.email]
    invitation = _ics(mails[-1])
    assert invitation["method"] == "REQUEST"
    (vevent,) = invitation.walk("VEVENT")
    assert str(vevent["uid"]) == services.event_uid(event)
    assert vevent["sequence"] == 2
    assert vevent["dtstart"].dt == event.starts_at.replace(microsecond=0)
    assert str(vevent["location"]) == "Another room"

    services.event_cancel(event=event)
    (cancelled,) = [m for m in _mails("Cancelled:") if m.to == ua.email]
    assert _ics(cancelled).walk("VEVENT")[0]["sequence"] == 3


# --- Reminders -----------------------------------------------------------------------------


START = datetime(2030, 3, 20, 14, 0, tzinfo=UTC)


def _event_with_invitees(prefix=""):
    cohort = CohortFactory(running=True)
    registered, registered_user = _company(f"{prefix}registered@example.org")
    silent, _ = _company(f"{prefix}silent@example.org")
    declined, declined_user = _company(f"{prefix}declined@example.org")
    for company in (registered, silent, declined):
        EnrolmentFactory(cohort=cohort, company=company)
    with time_machine.travel(START - timedelta(days=30), tick=False):
        event = services.event_save(
            event=EventFactory.build(
                programme=cohort.programme,
                audience="cohort",
                cohort=cohort,
                starts_at=START,
                ends_at=START + timedelta(hours=2),
            )
        )
        services.registration_register(event=event, company=registered, user=registered_user)
        services.registration_decline(event=event, company=declined, user=declined_user)
    return event


def test_reminders_are_planned_at_fixed_times_before_the_start():
    event = _event_with_invitees()
    reminders = {r.kind: r for r in EventReminder.objects.filter(event=event)}
    assert reminders["day_before"].due_at == START - timedelta(days=1)
    assert reminders["rsvp_chase"].due_at == START - timedelta(days=7)
    assert not any(r.cancelled for r in reminders.values())

    # Moving the event moves its reminders.
    with time_machine.travel(START - timedelta(days=20), tick=False):
        event.starts_at = START + timedelta(days=2)
        event.ends_at = event.starts_at + timedelta(hours=2)
        services.event_save(event=event)
    day_before = EventReminder.objects.get(event=event, kind="day_before")
    assert day_before.due_at == START + timedelta(days=1)


def test_two_dispatchers_send_each_reminder_once_to_the_right_people():
    event = _event_with_invitees()
    with time_machine.travel(START - timedelta(days=8), tick=False):
        assert services.reminders_dispatch() == 0
    with time_machine.travel(START - timedelta(days=7) + timedelta(minutes=1), tick=False):
        assert send_event_reminders.delay().get() == 1
        assert send_event_reminders.delay().get() == 0
    (chase,) = _mails("Will you come?")
    assert chase.to == "silent@example.org"
    with time_machine.travel(START - timedelta(hours=23), tick=False):
        assert services.reminders_dispatch() == 1
        assert services.reminders_dispatch() == 0
    (reminder,) = _mails("Tomorrow:")
    assert reminder.to == "registered@example.org"
    rows = EventReminder.objects.filter(event=event)
    assert all(r.sent_at is not None and r.recipients == 1 for r in rows)


def test_a_reminder_of_a_cancelled_or_started_event_is_never_sent():
    event = _event_with_invitees()
    with time_machine.travel(START - timedelta(days=3), tick=False):
        services.event_cancel(event=event)
    with time_machine.travel(START - timedelta(hours=2), tick=False):
        assert services.reminders_dispatch() == 0
    late = _event_with_invitees("late-")
    EventReminder.objects.filter(event=late).update(cancelled=False)
    with time_machine.travel(START + timedelta(minutes=5), tick=False):
        assert services.reminders_dispatch() == 0
    assert not _mails("Tomorrow:") and not _mails("Will you come?")
    assert all(r.cancelled for r in EventReminder.objects.filter(event=late))


def test_reminders_already_due_when_planned_are_not_sent():
    event = EventFactory(public=True, starts_at=timezone.now() + timedelta(hours=10))
    services.reminders_plan(event=event)
    assert all(r.cancelled for r in EventReminder.objects.filter(event=event))
    assert services.reminders_dispatch() == 0


# --- Attendance, feedback, certificate ------------------------------------------------------


def _on_the_day():
    event = EventFactory(
        public=True,
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=1),
    )
    return event


def test_attendance_is_marked_on_the_day_for_registered_companies_only():
    tomorrow = EventFactory(public=True, starts_at=timezone.now() + timedelta(days=2))
    registration = RegistrationFactory(event=tomorrow)
    with pytest.raises(ValidationError, match="on the day"):
        services.attendance_mark(registration=registration, attendance="attended")
    event = _on_the_day()
    waiting = RegistrationFactory(event=event, waitlisted=True)
    with pytest.raises(ValidationError, match="with a place"):
        services.attendance_mark(registration=waiting, attendance="attended")
    registered = RegistrationFactory(event=event)
    services.attendance_mark(registration=registered, attendance="no_show")
    services.attendance_mark(registration=registered, attendance="attended")
    registered.refresh_from_db()
    assert registered.attendance == "attended" and registered.attendance_marked_at


def test_feedback_once_and_only_for_attendees():
    event = _on_the_day()
    no_show = RegistrationFactory(event=event, no_show=True)
    with pytest.raises(ValidationError, match="attended"):
        services.feedback_submit(registration=no_show, rating=4, would_recommend=True)
    attended = RegistrationFactory(event=event, attended=True)
    services.feedback_submit(registration=attended, rating=4, would_recommend=True, improve="More")
    with pytest.raises(ValidationError, match="already given feedback"):
        services.feedback_submit(registration=attended, rating=5, would_recommend=True)
    with pytest.raises(ValidationError):
        services.feedback_submit(
            registration=RegistrationFactory(event=event, attended=True),
            rating=9,
            would_recommend=False,
        )


def test_certificate_only_for_attendees():
    event = _on_the_day()
    event.organisation.accent_colour = "#aa3300"
    event.organisation.save()
    for registration, reason in (
        (RegistrationFactory(event=event, no_show=True), "did not attend"),
        (RegistrationFactory(event=event), "not been recorded"),
        (RegistrationFactory(event=event, waitlisted=True), "had a place"),
    ):
        with pytest.raises(ValidationError, match=reason):
            certificates.certificate_pdf(registration, person="Ada")
    attended = RegistrationFactory(event=event, attended=True)
    context = certificates.certificate_context(attended, person="Ada Lovelace")
    assert context["brand"] == "#aa3300"
    assert context["duration"] == "2 hours"
    pdf = certificates.certificate_pdf(attended, person="Ada Lovelace")
    assert pdf.startswith(b"%PDF")


def test_the_dispatcher_is_a_periodic_job_that_run_periodic_also_runs():
    from django.conf import settings

    from portal.celery import app

    app.loader.import_default_modules()
    (entry,) = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "activities.tasks.send_event_reminders"
    ]
    assert entry["task"] in app.tasks
