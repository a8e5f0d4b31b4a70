"""The per-user calendar feed: one .ics a calendar app subscribes to with a secret URL. It
gathers, across every organisation the user's companies deal with, the events they hold a
place at, the trade missions they were selected for (all-day, departure to return) and the
meetings of their peer groups. Read with scopes disabled: the fence is the filter on the
user's own companies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from activities import events as event_services
from activities.models import (
    CalendarFeed,
    Event,
    MissionDelegate,
    PeerGroupMeeting,
    PeerGroupMember,
    Registration,
    TradeMission,
)
from cohorts.models import Company

# How far back the feed reaches: calendars keep what they have already seen.
HISTORY = timedelta(days=365)
# A peer-group meeting records only its start; calendars show it for this long.
GROUP_MEETING_LENGTH = timedelta(hours=2)


def feed_for_user(user) -> CalendarFeed:
    """The user's feed, created on first use."""
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    return feed


def feed_regenerate(*, user) -> CalendarFeed:
    """A new secret URL; the old one stops working at once."""
    feed = feed_for_user(user)
    feed.regenerate()
    return feed


def _company_ids(user) -> list[int]:
    return list(Company.objects.filter(memberships__user=user).values_list("pk", flat=True))


def feed_events(company_ids, since: datetime):
    held = Registration.objects.with_scopes_disabled().filter(
        event_id=OuterRef("pk"),
        company_id__in=company_ids,
        status=Registration.Status.REGISTERED,
    )
    return (
        Event.objects.with_scopes_disabled()
        .filter(Exists(held), status=Event.Status.SCHEDULED, ends_at__gte=since)
        .select_related("organisation")
        .order_by("starts_at", "pk")
    )


def feed_missions(company_ids, since: datetime):
    selected = MissionDelegate.objects.with_scopes_disabled().filter(
        mission_id=OuterRef("pk"),
        company_id__in=company_ids,
        status=MissionDelegate.Status.SELECTED,
    )
    return (
        TradeMission.objects.with_scopes_disabled()
        .filter(Exists(selected), returns_on__gte=since.date())
        .select_related("organisation")
        .order_by("departs_on", "pk")
    )


def feed_group_meetings(company_ids, since: datetime):
    member = PeerGroupMember.objects.with_scopes_disabled().filter(
        group_id=OuterRef("group_id"), company_id__in=company_ids
    )
    return (
        PeerGroupMeeting.objects.with_scopes_disabled()
        .filter(Exists(member), starts_at__gte=since)
        .select_related("group", "organisation")
        .order_by("starts_at", "pk")
    )


def _stamp(component, uid: str, summary: str) -> None:
    component.add("uid", uid)
    component.add("dtstamp", timezone.now().astimezone(UTC))
    component.add("summary", summary)


def feed_ics(feed: CalendarFeed, *, now: datetime | None = None) -> str:
    now = now or timezone.now()
    since = now - HISTORY
    company_ids = _company_ids(feed.user)
    host = event_services._host()
    calendar = Calendar()
    calendar.add("prodid", "-//Scaleup Portal//My calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Scaleup Portal")
    for event in feed_events(company_ids, since):
        calendar.add_component(event_services.event_component(event))
    for mission in feed_missions(company_ids, since):
        component = CalendarEvent()
        _stamp(
            component,
            f"activities-mission-{mission.pk}@{host}",
            f"Trade mission: {mission.title}",
        )
        # All-day, and DTEND is exclusive: the day after the return.
        component.add("dtstart", mission.departs_on)
        component.add("dtend", mission.returns_on + timedelta(days=1))
        component.add("location", f"{mission.destination_city}, {mission.destination_country}")
        component.add("description", f"Trade mission of {mission.organisation.name}.")
        calendar.add_component(component)
    for meeting in feed_group_meetings(company_ids, since):
        component = CalendarEvent()
        _stamp(
            component,
            f"activities-group-meeting-{meeting.pk}@{host}",
            f"Peer group: {meeting.group.name}",
        )
        component.add("dtstart", meeting.starts_at.astimezone(UTC))
        component.add("dtend", (meeting.starts_at + GROUP_MEETING_LENGTH).astimezone(UTC))
        if meeting.location:
            component.add("location", meeting.location)
        description = f"Peer group meeting ({meeting.organisation.name})."
        if meeting.topics:
            description += f"\n{meeting.topics}"
        component.add("description", description)
        calendar.add_component(component)
    return calendar.to_ical().decode()
