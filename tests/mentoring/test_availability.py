"""A mentor's availability: weekly hours in their time zone, one-off slots stored as
instants, removing them, and the preview of bookable times (across a clock change)."""

import datetime as dt
from datetime import UTC, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mentoring import services_mentors as services
from mentoring.models import AvailabilitySlot, MentoringSession, WeeklyAvailability
from mentoring.selectors_mentors import bookable_preview
from portal.roles import Role
from portal.tenancy import tenant_scope
from tests.factories import MentorMatchFactory, MentorProfileFactory, WeeklyAvailabilityFactory

pytestmark = pytest.mark.django_db

# Wednesday 25 March 2026, 10:00 in London (GMT). The clocks go forward on Sunday 29 March.
BEFORE_DST = dt.datetime(2026, 3, 25, 10, 0, tzinfo=UTC)
THURSDAY = 3


@pytest.fixture
def mentor(organisation):
    return MentorProfileFactory(organisation=organisation, time_zone="Europe/London")


def url(mentor, name="mentoring:availability", **kwargs):
    return reverse(name, kwargs={"org_slug": mentor.organisation.slug, **kwargs})


def weekly(day, start, end):
    return {
        "form": "weekly",
        "weekly-weekday": day,
        "weekly-start_time": start,
        "weekly-end_time": end,
    }


def slot(day, start, end):
    return {"form": "slot", "slot-day": day, "slot-start_time": start, "slot-end_time": end}


# --- Weekly hours ---------------------------------------------------------------------------


def test_mentor_adds_weekly_hours(client, mentor):
    client.force_login(mentor.user)
    response = client.post(url(mentor), weekly(0, "09:00", "12:00"))
    assert response.status_code == 302
    with tenant_scope(mentor.organisation):
        hours = WeeklyAvailability.objects.get(mentor=mentor)
    assert (hours.weekday, hours.start_time, hours.end_time) == (0, dt.time(9), dt.time(12))
    page = client.get(url(mentor)).content.decode()
    assert "Mondays, 09:00–12:00" in page


def test_weekly_hours_must_end_after_they_start(client, mentor):
    client.force_login(mentor.user)
    response = client.post(url(mentor), weekly(0, "12:00", "09:00"))
    assert response.status_code == 400
    assert response.context["weekly_form"].errors["end_time"] == [
        "The hours must end after they start."
    ]
    response = client.post(url(mentor), weekly(0, "09:00", "09:00"))
    assert response.status_code == 400
    response = client.post(url(mentor), weekly(9, "09:00", "10:00"))
    assert "weekday" in response.context["weekly_form"].errors
    with tenant_scope(mentor.organisation):
        assert not WeeklyAvailability.objects.filter(mentor=mentor).exists()
        # The service holds the same rule.
        with pytest.raises(ValidationError):
            services.weekly_add(
                mentor=mentor, weekday=1, start_time=dt.time(10), end_time=dt.time(9)
            )


def test_weekly_hours_may_not_overlap(client, mentor):
    client.force_login(mentor.user)
    assert client.post(url(mentor), weekly(0, "09:00", "12:00")).status_code == 302
    response = client.post(url(mentor), weekly(0, "11:00", "13:00"))
    assert response.status_code == 400
    assert "overlap Monday 09:00–12:00" in response.context["weekly_form"].errors["start_time"][0]
    response = client.post(url(mentor), weekly(0, "08:00", "14:00"))
    assert response.status_code == 400
    # Back to back, or another day, is fine.
    assert client.post(url(mentor), weekly(0, "12:00", "13:00")).status_code == 302
    assert client.post(url(mentor), weekly(1, "09:00", "12:00")).status_code == 302
    with tenant_scope(mentor.organisation):
        assert WeeklyAvailability.objects.filter(mentor=mentor).count() == 3


def test_another_mentors_hours_do_not_count_as_overlap(mentor, organisation):
    other = MentorProfileFactory(organisation=organisation)
    WeeklyAvailabilityFactory(mentor=other, weekday=0)
    with tenant_scope(organisation):
        services.weekly_add(mentor=mentor, weekday=0, start_time=dt.time(9), end_time=dt.time(17))


# --- One-off slots --------------------------------------------------------------------------


@time_machine.travel(BEFORE_DST, tick=False)
def test_slot_is_read_in_the_mentors_time_zone_and_stored_as_instants(client, organisation):
    mentor = MentorProfileFactory(organisation=organisation, time_zone="America/New_York")
    client.force_login(mentor.user)
    response = client.post(url(mentor), slot("2026-04-10", "14:00", "16:00"))
    assert response.status_code == 302
    with tenant_scope(organisation):
        saved = AvailabilitySlot.objects.get(mentor=mentor)
    # New York is on daylight time (UTC-4) in April.
    assert saved.starts_at == dt.datetime(2026, 4, 10, 18, 0, tzinfo=UTC)
    assert saved.ends_at == dt.datetime(2026, 4, 10, 20, 0, tzinfo=UTC)
    # Listed back in the mentor's own time.
    assert "Fri 10 Apr 2026, 14:00–16:00" in client.get(url(mentor)).content.decode()


@time_machine.travel(BEFORE_DST, tick=False)
def test_slot_must_be_in_the_future_end_after_start_and_not_overlap(client, mentor):
    client.force_login(mentor.user)
    response = client.post(url(mentor), slot("2026-03-25", "09:00", "10:00"))  # an hour ago
    assert response.status_code == 400
    assert response.context["slot_form"].errors["day"] == ["Choose a time in the future."]
    response = client.post(url(mentor), slot("2026-03-27", "15:00", "14:00"))
    assert response.context["slot_form"].errors["end_time"]
    response = client.post(url(mentor), slot("not a date", "", ""))
    assert set(response.context["slot_form"].errors) == {"day", "start_time", "end_time"}
    assert client.post(url(mentor), slot("2026-03-27", "14:00", "16:00")).status_code == 302
    response = client.post(url(mentor), slot("2026-03-27", "15:30", "17:00"))
    assert response.status_code == 400
    assert (
        "overlaps the one you already offer"
        in response.context["slot_form"].errors["start_time"][0]
    )
    # Typed values are kept on the page.
    assert 'value="15:30"' in response.content.decode()
    with tenant_scope(mentor.organisation):
        assert AvailabilitySlot.objects.filter(mentor=mentor).count() == 1


def test_post_without_a_form_name_is_refused(client, mentor):
    client.force_login(mentor.user)
    assert client.post(url(mentor), {"form": "other"}).status_code == 400


# --- Removing -------------------------------------------------------------------------------


def test_mentor_removes_weekly_hours_after_confirming(client, mentor):
    hours = WeeklyAvailabilityFactory(mentor=mentor, weekday=2)
    client.force_login(mentor.user)
    delete = url(mentor, "mentoring:weekly-delete", pk=hours.pk)
    page = client.get(delete)
    assert page.status_code == 200
    assert "Wednesdays 09:00–17:00" in page.content.decode()
    with tenant_scope(mentor.organisation):
        assert WeeklyAvailability.objects.filter(pk=hours.pk).exists()
    response = client.post(delete)
    assert response.status_code == 302 and response["Location"] == url(mentor)
    with tenant_scope(mentor.organisation):
        assert not WeeklyAvailability.objects.filter(pk=hours.pk).exists()


@time_machine.travel(BEFORE_DST, tick=False)
def test_mentor_removes_a_slot_after_confirming(client, mentor):
    with tenant_scope(mentor.organisation):
        one_off = services.slot_add(
            mentor=mentor, day=dt.date(2026, 3, 27), start_time=dt.time(14), end_time=dt.time(15)
        )
    client.force_login(mentor.user)
    delete = url(mentor, "mentoring:slot-delete", pk=one_off.pk)
    assert "Friday 27 March 2026, 14:00–15:00" in client.get(delete).content.decode()
    assert client.post(delete).status_code == 302
    with tenant_scope(mentor.organisation):
        assert not AvailabilitySlot.objects.filter(pk=one_off.pk).exists()


@time_machine.travel(BEFORE_DST, tick=False)
def test_a_mentor_cannot_remove_another_mentors_availability(client, mentor, organisation):
    other = MentorProfileFactory(organisation=organisation)
    hours = WeeklyAvailabilityFactory(mentor=other)
    with tenant_scope(organisation):
        theirs = services.slot_add(
            mentor=other, day=dt.date(2026, 3, 27), start_time=dt.time(14), end_time=dt.time(15)
        )
    client.force_login(mentor.user)
    for delete in (
        url(mentor, "mentoring:weekly-delete", pk=hours.pk),
        url(mentor, "mentoring:slot-delete", pk=theirs.pk),
    ):
        assert client.get(delete).status_code == 404
        assert client.post(delete).status_code == 404
    with tenant_scope(organisation):
        assert WeeklyAvailability.objects.filter(pk=hours.pk).exists()
        assert AvailabilitySlot.objects.filter(pk=theirs.pk).exists()


def test_staff_do_not_use_the_mentor_availability_pages(client, mentor, make_member):
    hours = WeeklyAvailabilityFactory(mentor=mentor)
    for role in (Role.PROGRAMME_MANAGER, Role.GROWTH_ADVISER, Role.FUNDER):
        client.force_login(make_member(mentor.organisation, role).user)
        assert client.get(url(mentor)).status_code == 403
        assert client.post(url(mentor, "mentoring:weekly-delete", pk=hours.pk)).status_code == 403
    with tenant_scope(mentor.organisation):
        assert WeeklyAvailability.objects.filter(pk=hours.pk).exists()


# --- The preview of bookable times ----------------------------------------------------------


@time_machine.travel(BEFORE_DST, tick=False)
def test_weekly_hours_keep_local_time_across_the_clock_change(client, mentor):
    WeeklyAvailabilityFactory(
        mentor=mentor, weekday=THURSDAY, start_time=dt.time(9), end_time=dt.time(10)
    )
    with tenant_scope(mentor.organisation):
        preview = bookable_preview(mentor=mentor)
    instants = [start.astimezone(UTC) for day in preview for start in day["starts"]]
    # Thursday 26 March (GMT) and Thursday 2 April (BST): 09:00 local both times.
    assert instants == [
        dt.datetime(2026, 3, 26, 9, 0, tzinfo=UTC),
        dt.datetime(2026, 4, 2, 8, 0, tzinfo=UTC),
    ]
    assert [d["day"] for d in preview] == [dt.date(2026, 3, 26), dt.date(2026, 4, 2)]
    assert all(start.hour == 9 for day in preview for start in day["starts"])
    client.force_login(mentor.user)
    page = client.get(url(mentor)).content.decode()
    assert "Thursday 26 March" in page and "Thursday 2 April" in page
    assert "08:00" not in page


@time_machine.travel(BEFORE_DST, tick=False)
def test_preview_covers_14_days_from_today_and_leaves_out_booked_and_past_times(client, mentor):
    # Every weekday 09:00–11:00: today's (Wednesday's) hours are already past at 10:00.
    for weekday in range(7):
        WeeklyAvailabilityFactory(
            mentor=mentor, weekday=weekday, start_time=dt.time(9), end_time=dt.time(11)
        )
    match = MentorMatchFactory(mentor=mentor, enrolment__cohort__organisation=mentor.organisation)
    booked = dt.datetime(2026, 3, 27, 10, 0, tzinfo=UTC)
    with tenant_scope(mentor.organisation):
        MentoringSession.objects.create(
            organisation=mentor.organisation,
            match=match,
            mentor=mentor,
            company=match.company,
            starts_at=booked,
            ends_at=booked + timedelta(hours=1),
            place="Venture Centre",
        )
        services.slot_add(
            mentor=mentor, day=dt.date(2026, 3, 28), start_time=dt.time(14), end_time=dt.time(16)
        )
        preview = bookable_preview(mentor=mentor)
    days = [d["day"] for d in preview]
    # Today (25 March) has nothing left; the last day is 7 April (today + 13).
    assert days[0] == dt.date(2026, 3, 26) and days[-1] == dt.date(2026, 4, 7)
    assert len(days) == 13
    by_day = {d["day"]: [s.strftime("%H:%M") for s in d["starts"]] for d in preview}
    assert by_day[dt.date(2026, 3, 27)] == ["09:00"]  # 10:00 is booked
    assert by_day[dt.date(2026, 3, 28)] == ["09:00", "10:00", "14:00", "15:00"]


@time_machine.travel(BEFORE_DST, tick=False)
def test_preview_empty_state(client, mentor):
    client.force_login(mentor.user)
    page = client.get(url(mentor)).content.decode()
    assert "Nothing bookable in the next 14 days" in page
    assert "No weekly hours yet" in page


@time_machine.travel(BEFORE_DST, tick=False)
def test_availability_page_queries_do_not_grow_with_hours_and_slots(client, mentor):
    client.force_login(mentor.user)

    def add(weekdays, slot_days):
        with tenant_scope(mentor.organisation):
            for weekday in weekdays:
                services.weekly_add(
                    mentor=mentor, weekday=weekday, start_time=dt.time(9), end_time=dt.time(10)
                )
            for day in slot_days:
                services.slot_add(
                    mentor=mentor,
                    day=dt.date(2026, 3, 26) + timedelta(days=day),
                    start_time=dt.time(18),
                    end_time=dt.time(19),
                )

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(mentor)).status_code == 200
        return len(queries)

    add([0], [0])
    count()  # the first visit also writes the session
    few = count()
    add(range(1, 7), range(1, 12))
    assert count() == few
