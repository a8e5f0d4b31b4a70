"""Writes of workshops and events: saving and cancelling an event, registration up to
capacity with a waitlist promoted on cancellation, "not attending", reminders, attendance and
feedback.

Every change to who holds a place runs under a row lock on the Event, so two companies
asking for the last place at once get one place and one waitlist entry, on PostgreSQL too.
E-mails are enqueued in the same transaction (portal.services.email_enqueue), so a place is
never given without its e-mail, nor the reverse."""

from __future__ import annotations

import operator
import zoneinfo
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from functools import reduce
from urllib.parse import urlparse

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as CalendarEvent

from activities.models import Event, EventAudience, EventFeedback, EventReminder, Registration
from cohorts.models import Application, Company, CompanyMember, Enrolment
from portal.models import time_zone_names
from portal.services import email_enqueue

Status = Registration.Status
Attendance = Registration.Attendance

# When the reminders fall due, counted back from the start of the event.
DAY_BEFORE = timedelta(days=1)
RSVP_CHASE = timedelta(days=7)

# Fields of an event whose change moves its reminders.
SCHEDULE_FIELDS = ("starts_at", "ends_at", "time_zone")
# Fields whose change sends the companies with a place an updated calendar invitation.
INVITATION_FIELDS = (*SCHEDULE_FIELDS, "venue", "online_url")


# --- Who is invited ------------------------------------------------------------------------


# THE rule of who an event invites, read in both directions below (an event's invitees; the
# events a company is invited to): per audience, the event's field and the enrolment's field
# that must match. Only active enrolments are invited, and not those through which the
# organisation withdrew the company from its data (privacy); a public event lists no
# invitees (any SME may register).
AUDIENCE_LINKS = {
    EventAudience.COHORT: ("cohort_id", "cohort_id"),
    EventAudience.PROGRAMME: ("programme_id", "cohort__programme_id"),
}


def _active_enrolments():
    return Enrolment.objects.with_scopes_disabled().filter(
        status=Enrolment.Status.ACTIVE, data_withdrawn_at__isnull=True
    )


def invited_enrolments(event: Event):
    """The active enrolments an event is addressed to: those of its cohort, or of any cohort
    of its programme. A public event has no invitee list (any SME may register)."""
    link = AUDIENCE_LINKS.get(event.audience)
    if link is None:
        return Enrolment.objects.with_scopes_disabled().none()
    event_field, enrolment_field = link
    return _active_enrolments().filter(
        organisation_id=event.organisation_id, **{enrolment_field: getattr(event, event_field)}
    )


def invited_events_q(companies) -> Q:
    """A filter on Event: the events that invite one of `companies` (ids, or a queryset of
    ids) through an active enrolment. Public events are not included: nobody is invited to
    them, everybody may come."""
    enrolments = _active_enrolments().filter(company_id__in=companies)
    return reduce(
        operator.or_,
        (
            Q(audience=audience, **{f"{event_field}__in": enrolments.values(enrolment_field)})
            for audience, (event_field, enrolment_field) in AUDIENCE_LINKS.items()
        ),
    )


def invited_companies(event: Event):
    """The companies invited to an event (none listed for a public event)."""
    return Company.objects.filter(pk__in=invited_enrolments(event).values("company_id")).order_by(
        "name"
    )


def unanswered_companies(event: Event):
    """Invitees that have neither registered nor said they are not attending."""
    answered = Registration.objects.with_scopes_disabled().filter(
        event_id=event.pk, company_id=OuterRef("pk")
    )
    return invited_companies(event).exclude(Exists(answered))


def may_attend(event: Event, company: Company) -> bool:
    """Whether a company is in the event's audience."""
    if event.audience == EventAudience.PUBLIC:
        return True
    return invited_enrolments(event).filter(company_id=company.pk).exists()


# --- Times ---------------------------------------------------------------------------------


def event_zone(event: Event) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(event.time_zone)


def event_when(event: Event) -> str:
    """For e-mails: "Tue 3 Mar 2026, 14:00–16:00 (America/New_York)"."""
    zone = event_zone(event)
    start = timezone.localtime(event.starts_at, zone)
    end = timezone.localtime(event.ends_at, zone)
    end_text = (
        f"{end:%H:%M}" if end.date() == start.date() else f"{end:%a} {end.day} {end:%b %H:%M}"
    )
    return f"{start:%a} {start.day} {start:%b %Y, %H:%M}–{end_text} ({zone.key})"


def duration_text(event: Event) -> str:
    minutes = int((event.ends_at - event.starts_at).total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    if hours:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{rest} minutes"


# --- The calendar invitation ---------------------------------------------------------------


def _host() -> str:
    return urlparse(settings.SITE_URL).hostname or "localhost"


def event_uid(event: Event) -> str:
    """Stable for the life of an event, so an update or a cancellation replaces the same
    calendar entry instead of adding another."""
    return f"activities-event-{event.pk}@{_host()}"


def _organiser_email(event: Event) -> str:
    contact = event.organisation.contact_email
    return contact or parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "noreply@localhost"


def event_component(event: Event, *, cancelled: bool = False) -> CalendarEvent:
    """The VEVENT of an event, times in UTC, shared by the invitation and the feed."""
    component = CalendarEvent()
    component.add("uid", event_uid(event))
    component.add("dtstamp", timezone.now().astimezone(UTC))
    component.add("dtstart", event.starts_at.astimezone(UTC))
    component.add("dtend", event.ends_at.astimezone(UTC))
    component.add("summary", event.title)
    description = [f"{event.get_kind_display()} of {event.organisation.name}."]
    if event.facilitator:
        description.append(f"With {event.facilitator}.")
    if event.online_url:
        component.add("url", event.online_url)
        description.append(f"Join online: {event.online_url}")
    if event.venue:
        description.append(f"Venue: {event.venue}")
    component.add("location", event.venue or event.online_url)
    component.add("description", "\n".join(description))
    organiser = vCalAddress(f"mailto:{_organiser_email(event)}")
    organiser.params["cn"] = vText(event.organisation.name)
    component.add("organizer", organiser)
    component.add("sequence", event.sequence)
    component.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return component


def event_ics(event: Event, *, cancelled: bool | None = None) -> str:
    """An iCalendar invitation (METHOD:REQUEST), or its withdrawal (METHOD:CANCEL) for a
    cancelled event or a place given up."""
    if cancelled is None:
        cancelled = event.status == Event.Status.CANCELLED
    calendar = Calendar()
    calendar.add("prodid", "-//Scaleup Portal//Events//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    calendar.add_component(event_component(event, cancelled=cancelled))
    return calendar.to_ical().decode()


def _invitation(event: Event, *, cancelled: bool = False) -> dict:
    return {
        "name": "event.ics",
        "content": event_ics(event, cancelled=cancelled),
        "type": "text/calendar; method=" + ("CANCEL" if cancelled else "REQUEST"),
    }


# --- E-mail --------------------------------------------------------------------------------


def _company_emails(company_ids) -> dict[int, list[str]]:
    rows = (
        CompanyMember.objects.filter(company_id__in=list(company_ids))
        .select_related("user")
        .order_by("company_id", "pk")
    )
    emails: dict[int, list[str]] = {}
    for row in rows:
        emails.setdefault(row.company_id, []).append(row.user.email)
    return emails


def _registration_emails(registration: Registration) -> list[str]:
    """The person who registered; failing that (their account is gone), the company."""
    if registration.user_id and registration.user.is_active:
        return [registration.user.email]
    return _company_emails([registration.company_id]).get(registration.company_id, [])


def _mail(event: Event, *, to: list[str], subject: str, template: str, **context) -> int:
    context = {
        "event": event,
        "when": event_when(event),
        "event_url": reverse("my-activities:event-detail", kwargs={"pk": event.pk}),
        **context,
    }
    for address in to:
        email_enqueue(
            to=address,
            subject=subject,
            template=f"emails/activities/{template}",
            context=context,
            organisation=event.organisation,
            attachments=context.get("attachments"),
        )
    return len(to)


# --- Saving and cancelling an event ----------------------------------------------------------


def event_save(*, event: Event, organisation=None) -> Event:
    """Create or update an event: validated, its reminders (re)planned when it is new or its
    times changed, and a waitlist promoted if its capacity grew."""
    creating = event.pk is None
    if creating:
        event.organisation = organisation or event.programme.organisation
    event.full_clean(exclude=["organisation"])
    if event.time_zone not in time_zone_names():
        raise ValidationError({"time_zone": "Choose a time zone from the list."})
    with transaction.atomic():
        before = None
        if not creating:
            before = Event.objects.select_for_update().get(pk=event.pk)
            if before.status == Event.Status.CANCELLED:
                raise ValidationError("This event was cancelled; it can no longer be changed.")
            event.sequence = before.sequence
        moved = before is not None and _changed(before, event, INVITATION_FIELDS)
        if moved:
            event.sequence += 1
        event.save()
        if creating or _changed(before, event, SCHEDULE_FIELDS):
            reminders_plan(event=event)
        if moved:
            _send_updates(event)
        if before is not None:
            _promote(event)
    return event


def _changed(before: Event, after: Event, fields) -> bool:
    return any(getattr(before, f) != getattr(after, f) for f in fields)


def _send_updates(event: Event) -> int:
    """The time or place changed: every company with a place gets the invitation again, same
    UID and a higher SEQUENCE, so calendars move the entry instead of adding another."""
    registrations = (
        Registration.objects.filter(event=event, status=Status.REGISTERED)
        .select_related("user", "company")
        .order_by("pk")
    )
    attachment = [_invitation(event)]
    count = 0
    for registration in registrations:
        count += _mail(
            event,
            to=_registration_emails(registration),
            subject=f"Changed: {event.title}",
            template="event_updated",
            registration=registration,
            attachments=attachment,
        )
    return count


def reminders_plan(*, event: Event, now: datetime | None = None) -> list[EventReminder]:
    """The day-before reminder and the chase of invitees who have not answered, due at fixed
    times before the start. Replanning (the event moved) sends them again for the new date.
    A reminder whose time has already passed when it is planned is not sent: the
    registration e-mail said the same thing moments ago."""
    now = now or timezone.now()
    rows = []
    for kind, before in (
        (EventReminder.Kind.DAY_BEFORE, DAY_BEFORE),
        (EventReminder.Kind.RSVP_CHASE, RSVP_CHASE),
    ):
        due_at = event.starts_at - before
        skip = due_at <= now or (
            kind == EventReminder.Kind.RSVP_CHASE and event.audience == EventAudience.PUBLIC
        )
        reminder, _ = EventReminder.objects.update_or_create(
            event=event,
            kind=kind,
            defaults={
                "organisation_id": event.organisation_id,
                "due_at": due_at,
                "sent_at": None,
                "recipients": 0,
                "cancelled": skip,
            },
        )
        rows.append(reminder)
    return rows


def event_cancel(*, event: Event) -> Event:
    """Cancel an event: every company holding a place or a waitlist entry gets the calendar
    withdrawal; reminders are dropped. An event that has started cannot be cancelled."""
    with transaction.atomic():
        locked = Event.objects.select_for_update().select_related("organisation").get(pk=event.pk)
        if locked.status == Event.Status.CANCELLED:
            raise ValidationError("This event is already cancelled.")
        if locked.starts_at <= timezone.now():
            raise ValidationError("This event has started; it can no longer be cancelled.")
        locked.status = Event.Status.CANCELLED
        locked.sequence += 1
        locked.save(update_fields=["status", "sequence"])
        EventReminder.objects.filter(event=locked, sent_at__isnull=True).update(cancelled=True)
        holders = (
            Registration.objects.filter(
                event=locked, status__in=[Status.REGISTERED, Status.WAITLISTED]
            )
            .select_related("user", "company")
            .order_by("pk")
        )
        attachment = [_invitation(locked, cancelled=True)]
        for registration in holders:
            _mail(
                locked,
                to=_registration_emails(registration),
                subject=f"Cancelled: {locked.title}",
                template="event_cancelled",
                registration=registration,
                attachments=attachment,
            )
    event.status = locked.status
    event.sequence = locked.sequence
    return locked


# --- Registration --------------------------------------------------------------------------


def _lock(event: Event) -> Event:
    return Event.objects.select_for_update().select_related("organisation").get(pk=event.pk)


def _check_open(event: Event, now: datetime) -> None:
    if event.status == Event.Status.CANCELLED:
        raise ValidationError("This event was cancelled.")
    if event.starts_at <= now:
        raise ValidationError("Registration closed when the event started.")


def _lock_for_answer(
    event: Event, company: Company, now: datetime
) -> tuple[Event, Registration | None]:
    """Lock the event, check it still takes answers and invites the company; returns the
    locked event and the company's registration (None if it has never answered)."""
    locked = _lock(event)
    _check_open(locked, now)
    if not may_attend(locked, company):
        raise ValidationError(f"{company.name} is not invited to this event.")
    return locked, Registration.objects.filter(event=locked, company=company).first()


def _registered_count(event: Event) -> int:
    return Registration.objects.filter(event=event, status=Status.REGISTERED).count()


def registration_register(
    *, event: Event, company: Company, user, now: datetime | None = None
) -> Registration:
    """Ask for a place: a place while places are left, otherwise the end of the waitlist.
    A company that cancelled or said "not attending" may register again."""
    now = now or timezone.now()
    with transaction.atomic():
        locked, registration = _lock_for_answer(event, company, now)
        if registration is not None and registration.status == Status.REGISTERED:
            raise ValidationError(f"{company.name} already has a place.")
        if registration is not None and registration.status == Status.WAITLISTED:
            raise ValidationError(f"{company.name} is already on the waitlist.")
        if registration is None:
            registration = Registration(
                organisation_id=locked.organisation_id, event=locked, company=company
            )
        registration.user = user
        registration.cancelled_at = None
        registration.promoted_at = None
        registration.attendance = Attendance.UNKNOWN
        if _registered_count(locked) < locked.capacity:
            registration.status = Status.REGISTERED
            registration.waitlisted_at = None
        else:
            registration.status = Status.WAITLISTED
            registration.waitlisted_at = now
        registration.save()
        if registration.status == Status.REGISTERED:
            _mail(
                locked,
                to=[user.email],
                subject=f"Your place: {locked.title}",
                template="event_registered",
                registration=registration,
                attachments=[_invitation(locked)],
            )
        else:
            _mail(
                locked,
                to=[user.email],
                subject=f"On the waitlist: {locked.title}",
                template="event_waitlisted",
                registration=registration,
                position=waitlist_position(registration),
            )
    return registration


def waitlist_position(registration: Registration) -> int:
    """1 for the first company in line."""
    ahead = Registration.objects.filter(
        Q(waitlisted_at__lt=registration.waitlisted_at)
        | Q(waitlisted_at=registration.waitlisted_at, pk__lt=registration.pk),
        event_id=registration.event_id,
        status=Status.WAITLISTED,
    )
    return ahead.count() + 1


def _promote(event: Event, now: datetime | None = None) -> list[Registration]:
    """Give free places to the waitlist, first come first served, and tell each company it
    has a place. The caller holds the Event's lock."""
    now = now or timezone.now()
    if event.status == Event.Status.CANCELLED or event.starts_at <= now:
        return []
    free = event.capacity - _registered_count(event)
    if free <= 0:
        return []
    promoted = list(
        Registration.objects.filter(event=event, status=Status.WAITLISTED)
        .select_related("user", "company")
        .order_by("waitlisted_at", "pk")[:free]
    )
    for registration in promoted:
        registration.status = Status.REGISTERED
        registration.promoted_at = now
        registration.save(update_fields=["status", "promoted_at", "updated_at"])
        _mail(
            event,
            to=_registration_emails(registration),
            subject=f"You have a place: {event.title}",
            template="event_promoted",
            registration=registration,
            attachments=[_invitation(event)],
        )
    return promoted


def _release(
    *, registration: Registration, new_status: str, now: datetime | None
) -> tuple[Registration, list[Registration]]:
    now = now or timezone.now()
    with transaction.atomic():
        locked_event = _lock(registration.event)
        _check_open(locked_event, now)
        locked = Registration.objects.select_related("user", "company").get(pk=registration.pk)
        if locked.status not in (Status.REGISTERED, Status.WAITLISTED):
            raise ValidationError("There is no place or waitlist entry to give up.")
        held_place = locked.status == Status.REGISTERED
        locked.status = new_status
        locked.cancelled_at = now
        locked.waitlisted_at = None
        locked.save(update_fields=["status", "cancelled_at", "waitlisted_at", "updated_at"])
        promoted = _promote(locked_event, now) if held_place else []
    return locked, promoted


def registration_cancel(
    *, registration: Registration, now: datetime | None = None
) -> tuple[Registration, list[Registration]]:
    """Give up a place or a waitlist entry. A place freed goes to the first company on the
    waitlist, in the same transaction, and that company is e-mailed. Returns the
    registration and the registrations promoted."""
    return _release(registration=registration, new_status=Status.CANCELLED, now=now)


def registration_decline(
    *, event: Event, company: Company, user, now: datetime | None = None
) -> Registration:
    """An invitee answers "not attending". If it held a place or a waitlist entry, that is
    given up (and the waitlist promoted)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked_event, registration = _lock_for_answer(event, company, now)
        if registration is not None and registration.status == Status.DECLINED:
            raise ValidationError(f"You have already said {company.name} is not attending.")
        if registration is not None and registration.status in (
            Status.REGISTERED,
            Status.WAITLISTED,
        ):
            registration, _ = _release(
                registration=registration, new_status=Status.DECLINED, now=now
            )
        else:
            if registration is None:
                registration = Registration(
                    organisation_id=locked_event.organisation_id,
                    event=locked_event,
                    company=company,
                )
            registration.status = Status.DECLINED
            registration.cancelled_at = now
            registration.waitlisted_at = None
            registration.save()
        registration.user = user
        registration.save(update_fields=["user", "updated_at"])
    return registration


# --- On the day and after ----------------------------------------------------------------------


def attendance_mark(
    *, registration: Registration, attendance: str, now: datetime | None = None
) -> Registration:
    """Staff mark a registered company attended or no-show, from the day of the event (in
    the event's zone). Marking again corrects the mark."""
    now = now or timezone.now()
    if attendance not in (Attendance.ATTENDED, Attendance.NO_SHOW):
        raise ValidationError({"attendance": "Mark attended or no-show."})
    event = registration.event
    if event.status == Event.Status.CANCELLED:
        raise ValidationError("This event was cancelled.")
    zone = event_zone(event)
    if timezone.localdate(now, zone) < timezone.localdate(event.starts_at, zone):
        raise ValidationError("Attendance is marked on the day of the event.")
    with transaction.atomic():
        # Locked, so a cancellation or a feedback form arriving at the same moment is seen.
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        if locked.status != Status.REGISTERED:
            raise ValidationError("Only companies with a place can be marked.")
        if (
            attendance == Attendance.NO_SHOW
            and EventFeedback.objects.filter(registration=locked).exists()
        ):
            raise ValidationError("This company has already given feedback as an attendee.")
        locked.attendance = attendance
        locked.attendance_marked_at = now
        locked.save(update_fields=["attendance", "attendance_marked_at", "updated_at"])
    registration.status = locked.status
    registration.attendance = locked.attendance
    registration.attendance_marked_at = locked.attendance_marked_at
    return registration


def feedback_submit(
    *,
    registration: Registration,
    rating: int,
    most_useful: str = "",
    improve: str = "",
    would_recommend: bool,
) -> EventFeedback:
    """An attendee's short feedback, once per registration."""
    with transaction.atomic():
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        if locked.status != Status.REGISTERED or locked.attendance != Attendance.ATTENDED:
            raise ValidationError("Feedback is for companies that attended the event.")
        if EventFeedback.objects.filter(registration=registration).exists():
            raise ValidationError("You have already given feedback on this event. Thank you!")
        feedback = EventFeedback(
            organisation_id=registration.organisation_id,
            registration=registration,
            rating=rating,
            most_useful=most_useful.strip(),
            improve=improve.strip(),
            would_recommend=would_recommend,
        )
        feedback.full_clean(exclude=["organisation", "registration"])
        feedback.save()
    return feedback


# --- Reminders -------------------------------------------------------------------------------


def reminders_dispatch(*, now: datetime | None = None, limit: int = 200) -> int:
    """Send the reminders that are due, each once. Due rows are claimed under a row lock
    (skipping rows another worker holds), the mails are enqueued and the row marked sent in
    the same transaction, so two workers or a retry never send one twice. A reminder of a
    cancelled event, or of one that has started, is dropped. Crosses tenants (a periodic
    sweep): the caller disables scopes. Returns how many reminders were sent."""
    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        due = list(
            EventReminder.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(due_at__lte=now, sent_at__isnull=True, cancelled=False)
            .select_related("event__organisation")
            .order_by("due_at")[:limit]
        )
        stale = []
        for reminder in due:
            event = reminder.event
            if event.status == Event.Status.CANCELLED or event.starts_at <= now:
                stale.append(reminder.pk)
                continue
            if reminder.kind == EventReminder.Kind.DAY_BEFORE:
                recipients = _remind_registered(event)
            else:
                recipients = _chase_unanswered(event)
            reminder.sent_at = now
            reminder.recipients = recipients
            reminder.save(update_fields=["sent_at", "recipients"])
            sent += 1
        if stale:
            EventReminder.objects.filter(pk__in=stale).update(cancelled=True)
    return sent


def _withdrawn_after_registering(event: Event) -> Q:
    """Registrations whose company the event's organisation withdrew from its data (privacy
    marks its applications and enrolments) after the place was booked: the organisation
    no longer writes to it about that place. A place booked after the withdrawal is a new
    dealing, and is reminded."""
    since = {
        "organisation_id": event.organisation_id,
        "company_id": OuterRef("company_id"),
        "data_withdrawn_at__gte": OuterRef("created_at"),
    }
    return Q(Exists(Enrolment.objects.with_scopes_disabled().filter(**since))) | Q(
        Exists(Application.objects.with_scopes_disabled().filter(**since))
    )


def _remind_registered(event: Event) -> int:
    registrations = (
        Registration.objects.filter(event=event, status=Status.REGISTERED)
        .exclude(_withdrawn_after_registering(event))
        .select_related("user", "company")
        .order_by("pk")
    )
    count = 0
    for registration in registrations:
        count += _mail(
            event,
            to=_registration_emails(registration),
            subject=f"Tomorrow: {event.title}",
            template="event_reminder",
            registration=registration,
        )
    return count


def _chase_unanswered(event: Event) -> int:
    companies = list(unanswered_companies(event))
    emails = _company_emails(c.pk for c in companies)
    count = 0
    for company in companies:
        count += _mail(
            event,
            to=emails.get(company.pk, []),
            subject=f"Will you come? {event.title}",
            template="event_rsvp_chase",
            company=company,
        )
    return count
