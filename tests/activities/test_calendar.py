"""The per-user calendar feed: the /my/calendar/ page with its secret address (created on
first visit, regenerated after a confirmation) and /calendar/<token>.ics, which gathers the
user's events, selected trade missions and peer-group meetings across organisations and
nothing of anyone else's."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from icalendar import Calendar

from activities.models import CalendarFeed
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    EventFactory,
    MissionDelegateFactory,
    OrganisationFactory,
    PeerGroupMeetingFactory,
    PeerGroupMemberFactory,
    RegistrationFactory,
    TradeMissionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def founder():
    company = CompanyFactory(name="Kite Labs Ltd")
    return CompanyMemberFactory(company=company, user=UserFactory()).user


def _feed(client, user):
    token = CalendarFeed.objects.get(user=user).token
    return client.get(reverse("calendar:feed", kwargs={"token": token}))


def test_calendar_page_creates_the_feed_once_and_shows_its_address(client, founder):
    client.force_login(founder)
    first = client.get(reverse("my-activities:calendar")).content.decode()
    feed = CalendarFeed.objects.get(user=founder)
    assert f"/calendar/{feed.token}.ics" in first
    client.get(reverse("my-activities:calendar"))
    assert CalendarFeed.objects.filter(user=founder).count() == 1


def test_regenerating_asks_first_and_kills_the_old_address(client, founder):
    client.force_login(founder)
    client.get(reverse("my-activities:calendar"))
    old = CalendarFeed.objects.get(user=founder).token
    url = reverse("my-activities:calendar-regenerate")
    assert "Make a new calendar address?" in client.get(url).content.decode()
    assert CalendarFeed.objects.get(user=founder).token == old
    assert client.post(url).status_code == 302
    new = CalendarFeed.objects.get(user=founder).token
    assert new != old
    client.logout()
    assert client.get(reverse("calendar:feed", kwargs={"token": old})).status_code == 404
    assert client.get(reverse("calendar:feed", kwargs={"token": new})).status_code == 200


def test_unknown_token_is_404(client):
    assert client.get(reverse("calendar:feed", kwargs={"token": "nope"})).status_code == 404


def test_feed_gathers_the_users_things_across_organisations(client, founder):
    company = founder.company_memberships.get().company
    org_a = OrganisationFactory(slug="hub-a")
    org_b = OrganisationFactory(slug="hub-b")
    registered = EventFactory(programme__organisation=org_a, public=True, title="Pricing")
    RegistrationFactory(event=registered, company=company)
    elsewhere = EventFactory(programme__organisation=org_b, public=True, title="Export day")
    RegistrationFactory(event=elsewhere, company=company)
    waiting = EventFactory(programme__organisation=org_a, public=True, title="Waiting list")
    RegistrationFactory(event=waiting, company=company, waitlisted=True)
    cancelled = EventFactory(
        programme__organisation=org_a, public=True, title="Called off", status="cancelled"
    )
    RegistrationFactory(event=cancelled, company=company)
    someone_else = EventFactory(programme__organisation=org_a, public=True, title="Not mine")
    RegistrationFactory(event=someone_else)
    mission = TradeMissionFactory(
        programme__organisation=org_b,
        title="Toronto",
        departs_on=date(2030, 5, 4),
        returns_on=date(2030, 5, 9),
    )
    MissionDelegateFactory(mission=mission, company=company, selected=True)
    applied_only = TradeMissionFactory(programme__organisation=org_b, title="Dubai")
    MissionDelegateFactory(mission=applied_only, company=company)
    member = PeerGroupMemberFactory(group__cohort__programme__organisation=org_a, company=company)
    meeting = PeerGroupMeetingFactory(group=member.group, topics="Hiring")
    PeerGroupMeetingFactory(group__cohort__programme__organisation=org_a)  # not our group

    client.force_login(founder)
    client.get(reverse("my-activities:calendar"))
    client.logout()  # calendar apps do not sign in
    response = _feed(client, founder)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {
        "Pricing",
        "Export day",
        "Trade mission: Toronto",
        f"Peer group: {member.group.name}",
    }
    assert events["Pricing"].decoded("dtstart") == registered.starts_at.replace(microsecond=0)
    trip = events["Trade mission: Toronto"]
    assert trip.decoded("dtstart") == date(2030, 5, 4)
    assert trip.decoded("dtend") == date(2030, 5, 10)  # exclusive: the day after return
    group = events[f"Peer group: {member.group.name}"]
    assert group.decoded("dtstart") == meeting.starts_at.replace(microsecond=0)
    assert group.decoded("dtend") - group.decoded("dtstart") == timedelta(hours=2)
    # UIDs are stable, so a calendar app updates an entry instead of duplicating it.
    again = Calendar.from_ical(_feed(client, founder).content)
    assert {str(e["uid"]) for e in again.walk("VEVENT")} == {
        str(e["uid"]) for e in calendar.walk("VEVENT")
    }
