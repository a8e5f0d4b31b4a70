"""After booking: the calendar invitation, the e-mails to both sides, reminders, the mentor's
record of what happened (with agreed actions) and the company's confirmation and rating.

Booking and cancelling themselves are in mentoring.booking; these services are called
around them."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from urllib.parse import urlparse

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from cohorts.models import CompanyMember
from mentoring import booking
from mentoring.models import MentoringSession, MentorProfile, SessionAction, SessionReminder
from portal.services import email_enqueue

MAX_ACTIONS = 5

# What the mentor may record once the session has started.
OUTCOMES = (
    MentoringSession.Status.HELD,
    MentoringSession.Status.MENTEE_NO_SHOW,
    MentoringSession.Status.MENTOR_NO_SHOW,
)


# --- The calendar invitation ---------------------------------------------------------------


def _organiser_email(session: MentoringSession) -> str:
    contact = session.organisation.contact_email
    return contact or parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "noreply@localhost"


def session_uid(session: MentoringSession) -> str:
    """Stable for the life of a session, so an update or a cancellation replaces the same
    calendar entry instead of adding another."""
    host = urlparse(settings.SITE_URL).hostname or "localhost"
    return f"mentoring-session-{session.pk}@{host}"


def session_ics(session: MentoringSession, *, cancelled: bool = False) -> str:
    """An iCalendar invitation (METHOD:REQUEST), or its withdrawal (METHOD:CANCEL). Times
    are written in UTC so every calendar shows the same instant."""
    calendar = Calendar()
    calendar.add("prodid", "-//Scaleup Portal//Mentoring//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", session.starts_at.astimezone(UTC))
    event.add("dtend", session.ends_at.astimezone(UTC))
    event.add("summary", f"Mentor session: {session.mentor} and {session.company.name}")
    description = [f"Mentoring session of {session.organisation.name}."]
    if session.online_link:
        event.add("url", session.online_link)
        event.add("location", session.online_link)
        description.append(f"Join online: {session.online_link}")
    else:
        event.add("location", session.place)
        description.append(f"Place: {session.place}")
    event.add("description", "\n".join(description))
    organiser = vCalAddress(f"mailto:{_organiser_email(session)}")
    organiser.params["cn"] = vText(session.organisation.name)
    event.add("organizer", organiser)
    for email, name in _attendees(session):
        attendee = vCalAddress(f"mailto:{email}")
        attendee.params["cn"] = vText(name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=0)
    event.add("sequence", 1 if cancelled else 0)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical().decode()


def _company_people(session: MentoringSession) -> list[tuple[str, str]]:
    members = CompanyMember.objects.filter(company_id=session.company_id).select_related("user")
    return [(m.user.email, m.user.display_name) for m in members.order_by("pk")]


def _attendees(session: MentoringSession) -> list[tuple[str, str]]:
    mentor = session.mentor.user
    return [(mentor.email, mentor.display_name), *_company_people(session)]


def _invitation(session: MentoringSession, *, cancelled: bool = False) -> dict:
    return {
        "name": "session.ics",
        "content": session_ics(session, cancelled=cancelled),
        "type": "text/calendar; method=" + ("CANCEL" if cancelled else "REQUEST"),
    }


def _send(
    session,
    *,
    to_company: bool,
    to_mentor: bool,
    subject: str,
    template: str,
    attachments: list[dict] | None = None,
    **extra,
):
    """E-mail one or both sides. Each side's message links to its own page of the session."""
    context = {"session": session, "when": _when(session), **extra}
    if to_mentor:
        email_enqueue(
            to=session.mentor.user.email,
            subject=subject,
            template=template,
            context={
                **context,
                "for_mentor": True,
                "session_url": reverse(
                    "mentoring:session",
                    kwargs={"org_slug": session.organisation.slug, "pk": session.pk},
                ),
            },
            organisation=session.organisation,
            attachments=attachments,
        )
    if to_company:
        for email, _name in _company_people(session):
            email_enqueue(
                to=email,
                subject=subject,
                template=template,
                context={
                    **context,
                    "for_mentor": False,
                    "session_url": reverse("my-mentoring:session", kwargs={"pk": session.pk}),
                },
                organisation=session.organisation,
                attachments=attachments,
            )


def session_book_and_invite(**kwargs) -> MentoringSession:
    """Book (mentoring.booking.session_book, same arguments) and send both sides the
    invitation, in one transaction: no booking without its e-mails, nor the reverse."""
    with transaction.atomic():
        session = booking.session_book(**kwargs)
        booking_notify(session=session)
    return session


def session_cancel_and_notify(
    *, session: MentoringSession, by, reason: str, by_mentor: bool | None, now=None
) -> MentoringSession:
    """Cancel (mentoring.booking.session_cancel) and tell the other side; `by_mentor` None
    means programme staff cancelled, and both sides hear."""
    with transaction.atomic():
        side = (
            MentoringSession.Side.STAFF
            if by_mentor is None
            else MentoringSession.Side.MENTOR
            if by_mentor
            else MentoringSession.Side.COMPANY
        )
        cancelled = booking.session_cancel(
            session=session, by=by, reason=reason, side=side, now=now
        )
        cancellation_notify(session=cancelled, by_mentor=by_mentor)
    return cancelled


def booking_notify(*, session: MentoringSession) -> None:
    """Both sides get the booking with a calendar invitation."""
    _send(
        session,
        to_company=True,
        to_mentor=True,
        subject=f"Mentor session booked: {_when(session)}",
        template="emails/session_booked",
        attachments=[_invitation(session)],
    )


def cancellation_notify(*, session: MentoringSession, by_mentor: bool | None) -> None:
    """The other side hears of a cancellation (both sides when staff cancel), with the
    calendar withdrawal."""
    _send(
        session,
        to_company=by_mentor is not False,
        to_mentor=by_mentor is not True,
        subject=f"Mentor session cancelled: {_when(session)}",
        template="emails/session_cancelled",
        attachments=[_invitation(session, cancelled=True)],
        by_mentor=by_mentor,
    )


def _when(session: MentoringSession) -> str:
    local = timezone.localtime(session.starts_at, _zone(session))
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} ({_zone(session).key})"


def _zone(session: MentoringSession):
    return zoneinfo.ZoneInfo(session.organisation.time_zone)


# --- Reminders -----------------------------------------------------------------------------


def reminders_dispatch(*, now: datetime | None = None, limit: int = 500) -> int:
    """Send the reminders that are due, each once. Due rows are claimed under a row lock
    (skipping rows another worker holds) and marked sent in the same transaction, so two
    workers or a retry never send one twice. A reminder of a session that was cancelled,
    or whose session has started, is never sent. Crosses tenants (a periodic sweep): the
    caller disables scopes. Returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        due = list(
            SessionReminder.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                due_at__lte=now,
                sent_at__isnull=True,
                cancelled=False,
                session__status=MentoringSession.Status.BOOKED,
            )
            .select_related("session__mentor__user", "session__company", "session__organisation")
            .order_by("due_at")[:limit]
        )
        stale = []
        for reminder in due:
            session = reminder.session
            # Too late to be useful (the worker was down): the session has started, or the
            # hour-before reminder is due as well and says the same thing.
            if session.starts_at <= now or (
                reminder.kind == SessionReminder.Kind.DAY_BEFORE
                and session.starts_at - now <= timedelta(hours=1)
            ):
                stale.append(reminder.pk)
                continue
            _send(
                session,
                to_company=True,
                to_mentor=True,
                subject=f"Reminder: mentor session {_when(session)}",
                template="emails/session_reminder",
                reminder=reminder,
            )
            reminder.sent_at = now
            reminder.save(update_fields=["sent_at"])
            sent += 1
        if stale:
            SessionReminder.objects.filter(pk__in=stale).update(cancelled=True)
    return sent


# --- After the session ---------------------------------------------------------------------


def session_record_outcome(
    *,
    session: MentoringSession,
    mentor: MentorProfile,
    status: str,
    notes: str = "",
    actions: list[dict] | None = None,
    now: datetime | None = None,
) -> MentoringSession:
    """The mentor records whether the session took place, notes and agreed actions (text,
    owner, due date). Only the session's own mentor, only once it has started, and not
    once the session is in a submitted or approved fee claim. Recording again replaces the
    earlier record (a correction)."""
    now = now or timezone.now()
    if status not in OUTCOMES:
        raise ValidationError({"status": "Choose what happened."})
    actions = [a for a in (actions or []) if (a.get("text") or "").strip()]
    if len(actions) > MAX_ACTIONS:
        raise ValidationError(f"Record at most {MAX_ACTIONS} agreed actions.")
    if status != MentoringSession.Status.HELD and actions:
        raise ValidationError("Agreed actions belong to a session that was held.")
    with transaction.atomic():
        locked = (
            MentoringSession.objects.select_for_update(of=("self",))
            .select_related("claim")
            .get(pk=session.pk)
        )
        if locked.mentor_id != mentor.pk:
            raise ValidationError("Only the session's mentor can record what happened.")
        if locked.status == MentoringSession.Status.CANCELLED:
            raise ValidationError("This session was cancelled; there is nothing to record.")
        if locked.starts_at > now:
            raise ValidationError("The session has not started yet. Record what happened after it.")
        if locked.claim and locked.claim.status in (
            locked.claim.Status.SUBMITTED,
            locked.claim.Status.APPROVED,
        ):
            raise ValidationError(
                "This session is in a submitted fee claim; it can no longer be changed."
            )
        locked.status = status
        locked.notes = notes.strip()
        locked.recorded_at = now
        locked.save(update_fields=["status", "notes", "recorded_at"])
        SessionReminder.objects.filter(session=locked, sent_at__isnull=True).update(cancelled=True)
        SessionAction.objects.filter(session=locked).delete()
        rows = []
        for action in actions:
            row = SessionAction(
                organisation_id=locked.organisation_id,
                session=locked,
                text=action["text"].strip()[:300],
                owner=action.get("owner") or SessionAction.Owner.COMPANY,
                due_on=action.get("due_on"),
            )
            row.full_clean(exclude=["organisation", "session"])
            rows.append(row)
        SessionAction.objects.bulk_create(rows)
    return locked


def session_confirm(
    *,
    session: MentoringSession,
    user,
    rating: int,
    feedback: str = "",
    now: datetime | None = None,
) -> MentoringSession:
    """The company confirms the session took place and rates it 1–5, once."""
    now = now or timezone.now()
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": "Rate the session from 1 to 5."})
    with transaction.atomic():
        locked = MentoringSession.objects.select_for_update().get(pk=session.pk)
        if not CompanyMember.objects.filter(company_id=locked.company_id, user=user).exists():
            raise ValidationError("Only someone of the company can confirm the session.")
        if locked.company_confirmed_at is not None:
            raise ValidationError("You have already confirmed and rated this session.")
        if locked.status not in (MentoringSession.Status.BOOKED, MentoringSession.Status.HELD):
            raise ValidationError("Only a session that took place can be confirmed.")
        if locked.starts_at > now:
            raise ValidationError("You can confirm the session once it has taken place.")
        locked.company_confirmed_at = now
        locked.company_rating = rating
        locked.company_feedback = feedback.strip()
        locked.save(update_fields=["company_confirmed_at", "company_rating", "company_feedback"])
    return locked
