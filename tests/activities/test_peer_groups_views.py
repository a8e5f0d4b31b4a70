"""The peer-group pages: staff forming, moving, meetings and competitors; the SME's group
and competitor pages; who may open what; and query counts at 10 and 500 rows."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities import peer_groups
from activities.models import (
    CompetitorDeclaration,
    PeerGroup,
    PeerGroupMeeting,
    PeerGroupMeetingAttendee,
    PeerGroupMember,
)
from cohorts.models import Company, Enrolment
from portal.roles import Role
from portal.tenancy import scopes_disabled
from tests.factories import (
    CohortFactory,
    CompanyFactory,
    CompanyMemberFactory,
    EnrolmentFactory,
    PeerGroupFactory,
    PeerGroupMeetingFactory,
    PeerGroupMemberFactory,
    ProgrammeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(organisation):
    return CohortFactory(programme=ProgrammeFactory(organisation=organisation), running=True)


@pytest.fixture
def manager_client(client, organisation, make_member):
    client.force_login(make_member(organisation, Role.PROGRAMME_MANAGER).user)
    return client


def url(name, organisation, **kwargs):
    return reverse(f"activities:{name}", kwargs={"org_slug": organisation.slug, **kwargs})


def _enrol(cohort, n, **fields):
    return [
        EnrolmentFactory(cohort=cohort, company=CompanyFactory(**fields)).company for _ in range(n)
    ]


def test_manager_previews_then_saves_groups(manager_client, organisation, cohort):
    companies = _enrol(cohort, 10)
    form_url = url("groups-form", organisation, cohort_pk=cohort.pk)
    preview = manager_client.get(form_url, {"size": 5})
    assert preview.status_code == 200
    assert "Proposed: 2 groups" in preview.content.decode()
    with scopes_disabled():
        assert not PeerGroup.objects.exists()  # a preview saves nothing
    confirm = preview.context["confirm"]
    response = manager_client.post(form_url, {"size": 5, "signature": confirm.initial["signature"]})
    assert response.status_code == 302
    with scopes_disabled():
        assert PeerGroup.objects.filter(cohort=cohort).count() == 2
        assert PeerGroupMember.objects.filter(cohort=cohort).count() == len(companies)
    page = manager_client.get(url("cohort-groups", organisation, cohort_pk=cohort.pk))
    assert companies[0].name in page.content.decode()


def test_replacing_groups_needs_the_box_ticked(manager_client, organisation, cohort):
    _enrol(cohort, 6)
    with scopes_disabled():
        old = PeerGroupFactory(cohort=cohort, name="Old circle")
    form_url = url("groups-form", organisation, cohort_pk=cohort.pk)
    preview = manager_client.get(form_url, {"size": 3})
    assert "Saving replaces them" in preview.content.decode()
    data = {"size": 3, "signature": preview.context["confirm"].initial["signature"]}
    refused = manager_client.post(form_url, data)
    assert refused.status_code == 400
    assert "tick the box to replace them" in refused.content.decode()
    with scopes_disabled():
        assert PeerGroup.objects.filter(pk=old.pk).exists()
    assert manager_client.post(form_url, {**data, "replace": "on"}).status_code == 302
    with scopes_disabled():
        assert not PeerGroup.objects.filter(pk=old.pk).exists()


def test_an_impossible_request_shows_the_reason(manager_client, organisation, cohort):
    _enrol(cohort, 2)
    response = manager_client.get(
        url("groups-form", organisation, cohort_pk=cohort.pk), {"size": 5}
    )
    assert "need at least 3 companies" in response.content.decode()


def test_manager_move_refused_with_reason_then_allowed(manager_client, organisation, cohort):
    with scopes_disabled():
        a = PeerGroupFactory(cohort=cohort, name="Circle 1")
        b = PeerGroupFactory(cohort=cohort, name="Circle 2")
        c = PeerGroupFactory(cohort=cohort, name="Circle 3")
        mover = PeerGroupMemberFactory(group=a, company__name="Mover Ltd")
        rival = PeerGroupMemberFactory(group=b, company__name="Rival Ltd")
        CompetitorDeclaration.objects.create(
            organisation=organisation,
            cohort=cohort,
            company=mover.company,
            competitor=rival.company,
        )
    move_url = url("group-move", organisation, pk=a.pk)
    response = manager_client.post(move_url, {"member": mover.pk, "to_group": b.pk}, follow=True)
    assert "it and Rival Ltd are competitors" in response.content.decode()
    manager_client.post(move_url, {"member": mover.pk, "to_group": c.pk})
    with scopes_disabled():
        assert PeerGroupMember.objects.get(pk=mover.pk).group_id == c.pk


def test_a_late_joiner_is_added_to_a_group_by_hand_but_never_with_a_competitor(
    client, manager_client, organisation, make_member, cohort
):
    with scopes_disabled():
        a = PeerGroupFactory(cohort=cohort, name="Circle 1")
        b = PeerGroupFactory(cohort=cohort, name="Circle 2")
        rival = PeerGroupMemberFactory(group=a, company__name="Rival Ltd")
        (late,) = _enrol(cohort, 1, name="Late Ltd")
        CompetitorDeclaration.objects.create(
            organisation=organisation, cohort=cohort, company=rival.company, competitor=late
        )
    groups_url = url("cohort-groups", organisation, cohort_pk=cohort.pk)
    page = manager_client.get(groups_url).content.decode()
    assert "Late Ltd" in page and "Add to group" in page
    add_url = url("cohort-groups-add", organisation, cohort_pk=cohort.pk)

    refused = manager_client.post(add_url, {"company": late.pk, "group": a.pk}, follow=True)
    assert "it and Rival Ltd are competitors" in refused.content.decode()
    manager_client.post(add_url, {"company": late.pk, "group": b.pk})
    with scopes_disabled():
        assert PeerGroupMember.objects.get(cohort=cohort, company=late).group_id == b.pk
    # Now in a group, it is no longer offered; a second add is refused.
    again = manager_client.post(add_url, {"company": late.pk, "group": a.pk}, follow=True)
    assert "Choose a company in no group" in again.content.decode()
    # Advisers see the groups but do not add companies.
    client.force_login(make_member(organisation, Role.GROWTH_ADVISER).user)
    assert client.post(add_url, {"company": late.pk, "group": a.pk}).status_code == 403


def test_group_add_service_refuses_companies_outside_the_cohort_or_already_grouped(cohort):
    with scopes_disabled():
        group = PeerGroupFactory(cohort=cohort)
        member = PeerGroupMemberFactory(group=group)
        stranger = CompanyFactory(name="Stranger Ltd")
        with pytest.raises(ValidationError, match="not taking part"):
            peer_groups.group_add(group=group, company=stranger)
        EnrolmentFactory(cohort=cohort, company=member.company)
        with pytest.raises(ValidationError, match="already in"):
            peer_groups.group_add(group=group, company=member.company)


def test_adviser_records_a_meeting_with_attendees(client, organisation, make_member, cohort):
    client.force_login(make_member(organisation, Role.GROWTH_ADVISER).user)
    with scopes_disabled():
        group = PeerGroupFactory(cohort=cohort)
        came, absent = (PeerGroupMemberFactory(group=group) for _ in range(2))
    when = (timezone.localtime() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url("group-meeting-add", organisation, pk=group.pk),
        {"starts_at": when, "location": "Hub", "topics": "Pricing", "attendees": [came.company_id]},
    )
    assert response.status_code == 302
    with scopes_disabled():
        meeting = PeerGroupMeeting.objects.get(group=group)
        assert list(meeting.attendees.values_list("company_id", flat=True)) == [came.company_id]
    page = client.get(url("group-detail", organisation, pk=group.pk)).content.decode()
    assert "Pricing" in page and "(1 of 2)" in page


def test_staff_record_competitors_for_a_company(manager_client, organisation, cohort):
    me, other, third = _enrol(cohort, 3)
    page_url = url("cohort-competitors", organisation, cohort_pk=cohort.pk)
    assert manager_client.get(page_url, {"company": me.pk}).status_code == 200
    response = manager_client.post(page_url, {"company": me.pk, "competitors": [other.pk]})
    assert response.status_code == 302
    with scopes_disabled():
        assert CompetitorDeclaration.objects.get(company=me).competitor == other
    listing = manager_client.get(page_url).content.decode()
    assert me.name in listing and other.name in listing


def test_sme_declares_competitors_among_their_cohort(client, cohort):
    me, rival, neighbour = _enrol(cohort, 3)
    outsider = CompanyFactory()
    user = CompanyMemberFactory(company=me).user
    client.force_login(user)
    page_url = reverse("my-activities:competitors", kwargs={"cohort_pk": cohort.pk})
    page = client.get(page_url)
    assert page.status_code == 200
    text = page.content.decode()
    assert rival.name in text and neighbour.name in text and outsider.name not in text
    assert client.post(page_url, {"company": me.pk, "competitors": [rival.pk]}).status_code == 302
    with scopes_disabled():
        assert list(CompetitorDeclaration.objects.values_list("company", "competitor")) == [
            (me.pk, rival.pk)
        ]
    # a company outside the cohort cannot be ticked
    refused = client.post(page_url, {"company": me.pk, "competitors": [outsider.pk]})
    assert refused.status_code == 400


def test_sme_of_another_cohort_gets_404_on_competitors(client, cohort):
    _enrol(cohort, 3)
    elsewhere = EnrolmentFactory().company
    client.force_login(CompanyMemberFactory(company=elsewhere).user)
    page_url = reverse("my-activities:competitors", kwargs={"cohort_pk": cohort.pk})
    assert client.get(page_url).status_code == 404


def test_member_sees_group_members_and_next_meeting(client, cohort):
    with scopes_disabled():
        group = PeerGroupFactory(cohort=cohort, name="Circle 7")
        mine = PeerGroupMemberFactory(group=group)
        PeerGroupMemberFactory(group=group, company__name="Fellow Member Ltd")
        PeerGroupMeetingFactory(
            group=group,
            starts_at=timezone.now() + timedelta(days=3),
            location="Station Hall",
        )
        PeerGroupMeetingFactory(group=group, starts_at=timezone.now() + timedelta(days=30))
    client.force_login(CompanyMemberFactory(company=mine.company).user)
    page = client.get(reverse("my-activities:group-detail", kwargs={"pk": group.pk}))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Fellow Member Ltd" in text and "Station Hall" in text
    assert page.context["next_meeting"].location == "Station Hall"


def test_a_company_outside_the_group_gets_404(client, cohort):
    with scopes_disabled():
        group = PeerGroupFactory(cohort=cohort)
        PeerGroupMemberFactory(group=group)
    client.force_login(CompanyMemberFactory().user)
    assert (
        client.get(reverse("my-activities:group-detail", kwargs={"pk": group.pk})).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("role", "view_status", "manage_status"),
    [
        (Role.ADMIN, 200, 200),
        (Role.PROGRAMME_MANAGER, 200, 200),
        (Role.GROWTH_ADVISER, 200, 403),
        (Role.MENTOR, 403, 403),
        (Role.REVIEWER, 403, 403),
        (Role.FUNDER, 403, 403),
    ],
)
def test_roles(client, organisation, make_member, cohort, role, view_status, manage_status):
    with scopes_disabled():
        group = PeerGroupFactory(cohort=cohort)
    client.force_login(make_member(organisation, role).user)
    for name, kwargs in [
        ("group-list", {}),
        ("cohort-groups", {"cohort_pk": cohort.pk}),
        ("group-detail", {"pk": group.pk}),
        ("group-meeting-add", {"pk": group.pk}),
    ]:
        assert client.get(url(name, organisation, **kwargs)).status_code == view_status, name
    for name, kwargs in [
        ("groups-form", {"cohort_pk": cohort.pk}),
        ("cohort-competitors", {"cohort_pk": cohort.pk}),
    ]:
        assert client.get(url(name, organisation, **kwargs)).status_code == manage_status, name


def test_another_organisations_group_is_404(manager_client, organisation, other_organisation):
    foreign_cohort = CohortFactory(programme__organisation=other_organisation)
    with scopes_disabled():
        group = PeerGroupFactory(cohort=foreign_cohort)
    assert manager_client.get(url("group-detail", organisation, pk=group.pk)).status_code == 404
    assert (
        manager_client.get(
            url("cohort-groups", organisation, cohort_pk=foreign_cohort.pk)
        ).status_code
        == 404
    )
    assert (
        manager_client.post(
            url("group-move", organisation, pk=group.pk), {"member": 1, "to_group": 1}
        ).status_code
        == 404
    )


# --- Query counts ---------------------------------------------------------------------------


def _queries(client, page_url):
    client.get(page_url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(page_url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow_groups(cohort, n, start):
    """n more companies in the cohort, in groups of five, each group with a past meeting
    attended by everyone and an upcoming one."""
    org = cohort.organisation
    companies = Company.objects.bulk_create(
        CompanyFactory.build(name=f"Bulk {start + i} Ltd", registration_number=f"B{start + i}")
        for i in range(n)
    )
    Enrolment.objects.bulk_create(
        Enrolment(organisation=org, cohort=cohort, company=c) for c in companies
    )
    groups = PeerGroup.objects.bulk_create(
        PeerGroup(organisation=org, cohort=cohort, name=f"Circle {start + i}")
        for i in range(0, n, 5)
    )
    PeerGroupMember.objects.bulk_create(
        PeerGroupMember(organisation=org, cohort=cohort, group=groups[i // 5], company=c)
        for i, c in enumerate(companies)
    )
    now = timezone.now()
    meetings = PeerGroupMeeting.objects.bulk_create(
        PeerGroupMeeting(organisation=org, group=g, starts_at=now + timedelta(days=d))
        for g in groups
        for d in (-7, 7)
    )
    members_of = {g.pk: companies[i * 5 : i * 5 + 5] for i, g in enumerate(groups)}
    PeerGroupMeetingAttendee.objects.bulk_create(
        PeerGroupMeetingAttendee(organisation=org, meeting=m, company=c)
        for m in meetings
        if m.starts_at < now
        for c in members_of[m.group_id]
    )


def test_cohort_groups_page_at_10_and_500_companies(manager_client, organisation, cohort):
    page_url = url("cohort-groups", organisation, cohort_pk=cohort.pk)
    _grow_groups(cohort, 10, 0)
    small = _queries(manager_client, page_url)
    _grow_groups(cohort, 490, 10)
    assert _queries(manager_client, page_url) == small


def test_group_detail_at_10_and_500_rows(manager_client, organisation, cohort):
    """One group with 10 (then 500) members and as many past meetings, each attended."""
    with scopes_disabled():
        group = PeerGroupFactory(cohort=cohort)
    page_url = url("group-detail", organisation, pk=group.pk)
    org = cohort.organisation
    now = timezone.now()

    def grow(n, start):
        companies = Company.objects.bulk_create(
            CompanyFactory.build(name=f"Row {start + i} Ltd", registration_number=f"R{start + i}")
            for i in range(n)
        )
        PeerGroupMember.objects.bulk_create(
            PeerGroupMember(organisation=org, cohort=cohort, group=group, company=c)
            for c in companies
        )
        meetings = PeerGroupMeeting.objects.bulk_create(
            PeerGroupMeeting(
                organisation=org, group=group, starts_at=now - timedelta(days=start + i + 1)
            )
            for i in range(n)
        )
        PeerGroupMeeting.objects.bulk_create(
            PeerGroupMeeting(
                organisation=org, group=group, starts_at=now + timedelta(days=start + i + 1)
            )
            for i in range(n)
        )
        PeerGroupMeetingAttendee.objects.bulk_create(
            PeerGroupMeetingAttendee(organisation=org, meeting=m, company=c)
            for m, c in zip(meetings, companies, strict=True)
        )

    grow(10, 0)
    small = _queries(manager_client, page_url)
    grow(490, 10)
    assert _queries(manager_client, page_url) == small


def test_my_group_page_at_10_and_500_rows(client, cohort):
    with scopes_disabled():
        group = PeerGroupFactory(cohort=cohort)
        mine = PeerGroupMemberFactory(group=group)
    client.force_login(CompanyMemberFactory(company=mine.company).user)
    page_url = reverse("my-activities:group-detail", kwargs={"pk": group.pk})
    org = cohort.organisation
    now = timezone.now()

    def grow(n, start):
        companies = Company.objects.bulk_create(
            CompanyFactory.build(name=f"Row {start + i} Ltd", registration_number=f"R{start + i}")
            for i in range(n)
        )
        PeerGroupMember.objects.bulk_create(
            PeerGroupMember(organisation=org, cohort=cohort, group=group, company=c)
            for c in companies
        )
        PeerGroupMeeting.objects.bulk_create(
            PeerGroupMeeting(organisation=org, group=group, starts_at=now + timedelta(days=d))
            for d in range(start - n, start + n)
            if d
        )

    grow(10, 1000)
    small = _queries(client, page_url)
    grow(490, 3000)
    assert _queries(client, page_url) == small
