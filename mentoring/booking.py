"""Availability and booking: which start times a mentor offers, and booking one of them so
that a slot is never booked twice — a row lock on the mentor serialises bookers, and the
database's unique constraint on (mentor, start) for live sessions is the last fence."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from mentoring.models import (
    AvailabilitySlot,
    MentoringSession,
    MentoringSettings,
    MentorMatch,
    MentorProfile,
    SessionReminder,
    WeeklyAvailability,
)
from mentoring.periods import month_bounds

TAKEN_MESSAGE = "That time has just been taken. Please choose another."
# Sessions are booked at most this far ahead (the booking page shows four weeks).
BOOKING_HORIZON = timedelta(days=120)


def session_minutes(match: MentorMatch) -> int:
    settings_row = MentoringSettings.objects.filter(
        programme_id=match.enrolment.cohort.programme_id
    ).first()
    return settings_row.session_minutes if settings_row else 60


def _windows(mentor: MentorProfile, start: date, end: date) -> list[tuple[datetime, datetime]]:
    """The mentor's availability between two dates as aware (start, end) pairs. Weekly hours
    are read in the mentor's time zone, so a clock change keeps the local hours."""
    tz = zoneinfo.ZoneInfo(mentor.time_zone)
    windows = []
    weekly = list(WeeklyAvailability.objects.filter(mentor=mentor))
    day = start
    while day <= end:
        for hours in weekly:
            if hours.weekday == day.weekday():
                windows.append(
                    (
                        datetime.combine(day, hours.start_time, tzinfo=tz),
                        datetime.combine(day, hours.end_time, tzinfo=tz),
                    )
                )
        day += timedelta(days=1)
    first = datetime.combine(start, time.min, tzinfo=tz)
    last = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    windows += [
        (slot.starts_at, slot.ends_at)
        for slot in AvailabilitySlot.objects.filter(
            mentor=mentor, ends_at__gt=first, starts_at__lt=last
        )
    ]
    return windows


def available_starts(
    mentor: MentorProfile, *, minutes: int, start: date, end: date, now: datetime | None = None
) -> list[datetime]:
    """Start times a session of `minutes` fits in, in the future, not already booked."""
    now = now or timezone.now()
    taken = set(
        MentoringSession.objects.filter(
            mentor=mentor,
            starts_at__gte=datetime.combine(start, time.min, tzinfo=timezone.get_current_timezone())
            - timedelta(days=1),
        )
        .exclude(status=MentoringSession.Status.CANCELLED)
        .values_list("starts_at", "ends_at")
    )
    length = timedelta(minutes=minutes)
    starts = set()
    for window_start, window_end in _windows(mentor, start, end):
        cursor = window_start
        while cursor + length <= window_end:
            clash = any(cursor < t_end and t_start < cursor + length for t_start, t_end in taken)
            if cursor > now and not clash:
                starts.add(cursor.astimezone(zoneinfo.ZoneInfo("UTC")))
            cursor += length
    return sorted(starts)


def _within_availability(mentor: MentorProfile, starts_at: datetime, ends_at: datetime) -> bool:
    tz = zoneinfo.ZoneInfo(mentor.time_zone)
    day = starts_at.astimezone(tz).date()
    return any(
        w_start <= starts_at and ends_at <= w_end
        for w_start, w_end in _windows(mentor, day - timedelta(days=1), day + timedelta(days=1))
    )


def session_book(
    *,
    match: MentorMatch,
    starts_at: datetime,
    user,
    online_link: str = "",
    place: str = "",
    accept_agreement: bool = False,
    now: datetime | None = None,
) -> MentoringSession:
    """Book a session of an active match. Refused, with a message for the person booking:
    in the past, outside the mentor's availability, over the mentor's monthly capacity, over
    the company's session budget, without a match, or already taken."""
    now = now or timezone.now()
    if timezone.is_naive(starts_at):
        raise ValidationError({"starts_at": "Choose a time with its time zone."})
    if starts_at <= now:
        raise ValidationError({"starts_at": "That time is in the past. Choose a future time."})
    if starts_at > now + BOOKING_HORIZON:
        raise ValidationError({"starts_at": "That time is too far ahead. Choose one shown."})
    if not online_link and not place:
        raise ValidationError({"place": "Give an online meeting link or a place to meet."})
    with transaction.atomic():
        # The mentor row lock serialises everyone booking this mentor.
        mentor = MentorProfile.objects.select_for_update().get(pk=match.mentor_id)
        match = (
            MentorMatch.objects.select_for_update(of=("self",))
            .select_related("enrolment__cohort")
            .get(pk=match.pk)
        )
        if match.status != MentorMatch.Status.ACTIVE:
            raise ValidationError("There is no active mentor match to book a session with.")
        # 4. The mentor must still be on the list, and the company still taking part.
        if not mentor.can_be_matched:
            raise ValidationError(
                f"{mentor} is not taking bookings at the moment. Ask your growth adviser."
            )
        if match.enrolment.status != "active":
            raise ValidationError("Your company is no longer taking part in this programme.")
        if match.company_agreed_at is None:
            if not accept_agreement:
                raise ValidationError(
                    {
                        "accept_agreement": "Please accept the mentoring agreement (time, "
                        "respect, punctuality) before your first session."
                    }
                )
            match.company_agreed_at = now
            match.save(update_fields=["company_agreed_at"])
        minutes = session_minutes(match)
        ends_at = starts_at + timedelta(minutes=minutes)
        day = starts_at.astimezone(zoneinfo.ZoneInfo(mentor.time_zone)).date()
        offered = available_starts(
            mentor,
            minutes=minutes,
            start=day - timedelta(days=1),
            end=day + timedelta(days=1),
            now=now,
        )
        if starts_at not in offered:
            if _within_availability(mentor, starts_at, ends_at):
                raise ValidationError({"starts_at": TAKEN_MESSAGE})
            raise ValidationError(
                {"starts_at": "The mentor is not available then. Choose one of the times shown."}
            )
        first, following = month_bounds(starts_at, mentor.time_zone)
        live = MentoringSession.objects.exclude(status=MentoringSession.Status.CANCELLED)
        if (
            live.filter(mentor=mentor, starts_at__gte=first, starts_at__lt=following).count()
            >= mentor.capacity_per_month
        ):
            raise ValidationError(
                {"starts_at": f"{mentor} has no sessions left that month. Try the next month."}
            )
        settings_row = MentoringSettings.objects.filter(
            programme_id=match.enrolment.cohort.programme_id
        ).first()
        budget = settings_row.sessions_per_company if settings_row else None
        used = (
            live.filter(
                match__enrolment=match.enrolment,
            )
            .exclude(status=MentoringSession.Status.MENTOR_NO_SHOW)
            .count()
        )
        if budget is not None and used >= budget:
            raise ValidationError(
                f"Your company has used all {budget} mentor sessions of this programme."
            )
        if live.filter(mentor=mentor, starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
            raise ValidationError({"starts_at": TAKEN_MESSAGE})
        try:
            with transaction.atomic():
                session = MentoringSession.objects.create(
                    organisation_id=match.organisation_id,
                    match=match,
                    mentor=mentor,
                    company_id=match.company_id,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    online_link=online_link,
                    place=place,
                    booked_by=user,
                    fee=mentor.rate_per_session,
                )
        except IntegrityError as exc:
            raise ValidationError({"starts_at": TAKEN_MESSAGE}) from exc
        SessionReminder.objects.bulk_create(
            SessionReminder(
                organisation_id=session.organisation_id,
                session=session,
                kind=kind,
                due_at=starts_at - before,
            )
            for kind, before in (
                (SessionReminder.Kind.DAY_BEFORE, timedelta(hours=24)),
                (SessionReminder.Kind.HOUR_BEFORE, timedelta(hours=1)),
            )
            if starts_at - before > now
        )
    return session


def session_cancel(
    *, session: MentoringSession, by, reason: str, side: str, now=None
) -> MentoringSession:
    """Either side (or staff) cancels with a reason; less than 24 hours ahead counts as late
    against the side that cancelled. Staff cancelling is never late for anyone."""
    now = now or timezone.now()
    if not reason.strip():
        raise ValidationError({"reason": "Say why, so the other side knows."})
    with transaction.atomic():
        locked = MentoringSession.objects.select_for_update().get(pk=session.pk)
        if locked.status != MentoringSession.Status.BOOKED:
            raise ValidationError("Only a booked session can be cancelled.")
        if locked.starts_at <= now:
            raise ValidationError("The session has started; record what happened instead.")
        locked.status = MentoringSession.Status.CANCELLED
        locked.cancelled_by = by
        locked.cancelled_at = now
        locked.cancel_reason = reason.strip()[:300]
        locked.cancelled_side = side
        locked.late_cancellation = (
            side != MentoringSession.Side.STAFF and locked.starts_at - now < timedelta(hours=24)
        )
        locked.save()
        SessionReminder.objects.filter(session=locked, sent_at__isnull=True).update(cancelled=True)
    return locked
