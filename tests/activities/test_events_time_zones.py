"""Time zones: an event held in New York by an organisation in London is stored as an
instant, shown in New York time labelled with the zone, with London time beside it, and
written in UTC in calendar files. 20 March 2030 falls in the weeks when the United States
has moved its clocks and the United Kingdom has not: four hours apart, not five."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from activities import certificates
from activities import events as services
from portal.models import OutgoingEmail
from portal.roles import Role
from portal.tenancy import scopes_disabled
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    EventFactory,
    OrganisationFactory,
    RegistrationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

STARTS = datetime(2030, 3, 20, 14, 0, tzinfo=UTC)  # 10:00 in New York, 14:00 in London


@pytest.fixture
def london():
    return OrganisationFactory(slug="london-hub", time_zone="Europe/London")


@pytest.fixture
def event(london):
    return EventFactory(
        programme__organisation=london,
        public=True,
        title="NYC investor breakfast",
        time_zone="America/New_York",
        starts_at=STARTS,
        ends_at=STARTS.replace(hour=16),
    )


def test_staff_pages_show_event_time_labelled_and_organisation_time_beside(
    client, london, make_member, event
):
    client.force_login(make_member(london, Role.PROGRAMME_MANAGER).user)
    for url in (
        reverse("activities:event-detail", kwargs={"org_slug": london.slug, "pk": event.pk}),
        reverse("activities:event-list", kwargs={"org_slug": london.slug}),
    ):
        page = client.get(url).content.decode()
        assert "10:00–12:00" in page
        assert '<abbr class="text-body-secondary small" title="America/New_York">EDT</abbr>' in page
        assert 'Wed 20 Mar, 14:00 <abbr title="Europe/London">GMT</abbr>' in page


def test_same_zone_shows_no_second_time(client, london, make_member):
    here = EventFactory(
        programme__organisation=london,
        time_zone="Europe/London",
        starts_at=STARTS,
        ends_at=STARTS.replace(hour=15),
    )
    client.force_login(make_member(london, Role.PROGRAMME_MANAGER).user)
    url = reverse("activities:event-detail", kwargs={"org_slug": london.slug, "pk": here.pk})
    page = client.get(url).content.decode()
    assert "14:00–15:00" in page and '<abbr title="Europe/London">' not in page


def test_sme_page_email_and_ics(client, event):
    company = CompanyFactory()
    user = CompanyMemberFactory(company=company, user=UserFactory()).user
    client.force_login(user)
    page = client.get(reverse("my-activities:event-detail", args=[event.pk])).content.decode()
    assert "10:00–12:00" in page and '14:00 <abbr title="Europe/London">GMT</abbr>' in page
    with scopes_disabled():
        services.registration_register(event=event, company=company, user=user)
        (mail,) = OutgoingEmail.objects.filter(subject__startswith="Your place")
    assert "Wed 20 Mar 2030, 10:00–12:00 (America/New_York)" in mail.body
    (vevent,) = Calendar.from_ical(mail.attachments[0]["content"]).walk("VEVENT")
    assert vevent.decoded("dtstart") == STARTS
    assert "DTSTART:20300320T140000Z" in mail.attachments[0]["content"]


def test_attendance_day_is_the_events_day_in_its_own_zone(event):
    """At 02:00 UTC on the 20th it is still the 19th in New York: too early to mark."""
    with scopes_disabled():
        registration = RegistrationFactory(event=event)
        with (
            time_machine.travel(datetime(2030, 3, 20, 2, 0, tzinfo=UTC), tick=False),
            pytest.raises(ValidationError, match="on the day"),
        ):
            services.attendance_mark(registration=registration, attendance="attended")
        with time_machine.travel(datetime(2030, 3, 20, 5, 0, tzinfo=UTC), tick=False):
            services.attendance_mark(registration=registration, attendance="attended")


def test_certificate_gives_the_events_own_time_whatever_zone_is_active(event):
    """The certificate is rendered on a /my/ page or in a task, where London (or any other
    zone) may be active; it still says 10:00–12:00 for a New York morning."""
    with scopes_disabled():
        registration = RegistrationFactory(event=event, attended=True)
        context = certificates.certificate_context(registration, person="Ada Lovelace")
    with timezone.override("Europe/London"):
        html = render_to_string("activities/events/certificate.html", context)
    assert "Wednesday 20 March 2030, 10:00–12:00 EDT (America/New_York)" in html
    assert "14:00" not in html
