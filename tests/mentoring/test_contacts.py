"""Adviser contact: logging a contact, the overdue list, and the weekly digest sent once per
adviser per week."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Enrolment
from mentoring import contacts
from mentoring.models import AdviserContact, AdviserDigest
from mentoring.tasks import send_adviser_digests
from portal.models import OutgoingEmail
from portal.roles import Role
from portal.tenancy import scopes_disabled, tenant_scope
from tests.factories import EnrolmentFactory, NeedsDiagnosisFactory

pytestmark = pytest.mark.django_db

# A Wednesday, midday in London.
WEDNESDAY = "2030-01-16 12:00:00+00:00"


@pytest.fixture
def adviser(organisation, make_member):
    return make_member(organisation, Role.GROWTH_ADVISER, email="ada@adviser.test").user


def _enrol(organisation, *, days_ago=0, cohort=None):
    kwargs = {"cohort": cohort} if cohort else {"cohort__programme__organisation": organisation}
    enrolment = EnrolmentFactory(**kwargs)
    Enrolment.objects.with_scopes_disabled().filter(pk=enrolment.pk).update(
        enrolled_at=timezone.now() - timedelta(days=days_ago)
    )
    return enrolment


def _contact(organisation, enrolment, adviser, *, happened_on, next_contact_on):
    with tenant_scope(organisation):
        return AdviserContact.objects.create(
            organisation=organisation,
            company=enrolment.company,
            adviser=adviser,
            kind=AdviserContact.Kind.CALL,
            happened_on=happened_on,
            next_contact_on=next_contact_on,
        )


def _url(name, organisation, *args):
    return reverse(f"mentoring:{name}", args=[organisation.slug, *args])


def test_log_contact(client, organisation, adviser):
    enrolment = _enrol(organisation)
    client.force_login(adviser)
    today = timezone.localdate()
    response = client.post(
        _url("log-contact", organisation, enrolment.pk),
        {
            "kind": "meeting",
            "happened_on": today.isoformat(),
            "note": "Talked about exports.",
            "next_contact_on": (today + timedelta(days=14)).isoformat(),
        },
    )
    assert response.status_code == 302
    with tenant_scope(organisation):
        contact = AdviserContact.objects.get()
    assert contact.adviser == adviser and contact.company == enrolment.company
    assert contact.next_contact_on == today + timedelta(days=14)
    page = client.get(_url("enrolment", organisation, enrolment.pk))
    assert b"Talked about exports." in page.content


def test_log_contact_refuses_bad_dates_and_keeps_input(client, organisation, adviser):
    enrolment = _enrol(organisation)
    client.force_login(adviser)
    today = timezone.localdate()
    response = client.post(
        _url("log-contact", organisation, enrolment.pk),
        {
            "kind": "call",
            "happened_on": (today + timedelta(days=2)).isoformat(),
            "note": "Keep this note",
            "next_contact_on": today.isoformat(),
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "cannot happen in the future" in body
    assert "must come after this one" in body
    assert "Keep this note" in body
    with tenant_scope(organisation):
        assert not AdviserContact.objects.exists()


def test_overdue_list(client, organisation, adviser, make_member):
    today = timezone.localdate()
    late = _enrol(organisation, days_ago=60)
    _contact(
        organisation,
        late,
        adviser,
        happened_on=today - timedelta(days=40),
        next_contact_on=today - timedelta(days=1),
    )
    fine = _enrol(organisation, days_ago=60, cohort=late.cohort)
    _contact(
        organisation,
        fine,
        adviser,
        happened_on=today - timedelta(days=3),
        next_contact_on=today + timedelta(days=20),
    )
    never = _enrol(organisation, days_ago=45, cohort=late.cohort)  # nobody picked it up
    _enrol(organisation, days_ago=5, cohort=late.cohort)  # new: not overdue yet
    colleague = make_member(organisation, Role.GROWTH_ADVISER).user
    theirs = _enrol(organisation, days_ago=60, cohort=late.cohort)
    _contact(
        organisation,
        theirs,
        colleague,
        happened_on=today - timedelta(days=40),
        next_contact_on=today - timedelta(days=10),
    )

    client.force_login(adviser)
    page = client.get(_url("overdue", organisation))
    assert page.status_code == 200
    assert {e.pk for e in page.context["page"]} == {late.pk, never.pk}
    # Advisers cannot widen to everyone's list; managers can.
    assert {
        e.pk for e in client.get(_url("overdue", organisation), {"all": "1"}).context["page"]
    } == {
        late.pk,
        never.pk,
    }
    manager = make_member(organisation, Role.PROGRAMME_MANAGER).user
    client.force_login(manager)
    everyone = client.get(_url("overdue", organisation), {"all": "1"})
    assert {e.pk for e in everyone.context["page"]} == {late.pk, never.pk, theirs.pk}
    # The company list's filter agrees.
    client.force_login(adviser)
    listed = client.get(_url("company-list", organisation), {"overdue": "on"})
    assert {e.pk for e in listed.context["page"]} == {late.pk, never.pk, theirs.pk}


def test_a_new_contact_clears_overdue(client, organisation, adviser):
    today = timezone.localdate()
    enrolment = _enrol(organisation, days_ago=60)
    _contact(
        organisation,
        enrolment,
        adviser,
        happened_on=today - timedelta(days=30),
        next_contact_on=today - timedelta(days=2),
    )
    _contact(
        organisation,
        enrolment,
        adviser,
        happened_on=today,
        next_contact_on=today + timedelta(days=28),
    )
    client.force_login(adviser)
    assert not client.get(_url("overdue", organisation)).context["page"].object_list


def _digests_to(address):
    return list(OutgoingEmail.objects.filter(to=address, subject__contains="due a contact"))


def test_digest_sent_once_per_adviser_per_week(organisation, adviser, make_member):
    with time_machine.travel(WEDNESDAY, tick=False):
        today = timezone.localdate()
        late = _enrol(organisation, days_ago=60)
        _contact(
            organisation,
            late,
            adviser,
            happened_on=today - timedelta(days=40),
            next_contact_on=today - timedelta(days=1),
        )
        colleague = make_member(organisation, Role.GROWTH_ADVISER, email="bo@adviser.test").user
        theirs = _enrol(organisation, days_ago=60, cohort=late.cohort)
        _contact(
            organisation,
            theirs,
            colleague,
            happened_on=today - timedelta(days=40),
            next_contact_on=today - timedelta(days=5),
        )
        assert contacts.digests_send() == 2
        assert contacts.digests_send() == 0  # the same week: nothing more
        assert send_adviser_digests.delay().get() == 0  # the Celery task, too

    [mail] = _digests_to("ada@adviser.test")
    assert late.company.name in mail.body and theirs.company.name not in mail.body
    assert f"/mentoring/enrolments/{late.pk}/" in mail.body
    [mail] = _digests_to("bo@adviser.test")
    assert theirs.company.name in mail.body
    with scopes_disabled():
        digest = AdviserDigest.objects.get(adviser=adviser)
    assert digest.week_starting == date(2030, 1, 14)  # that week's Monday
    assert digest.sent_at is not None

    # Later that week: still once. The next Monday: a new digest.
    with time_machine.travel("2030-01-19 09:00:00+00:00", tick=False):
        assert contacts.digests_send() == 0
    with time_machine.travel("2030-01-21 07:00:00+00:00", tick=False):
        assert contacts.digests_send() == 2
    assert len(_digests_to("ada@adviser.test")) == 2


def test_no_digest_when_nothing_is_overdue(organisation, adviser):
    with time_machine.travel(WEDNESDAY, tick=False):
        today = timezone.localdate()
        fine = _enrol(organisation, days_ago=60)
        _contact(
            organisation,
            fine,
            adviser,
            happened_on=today - timedelta(days=3),
            next_contact_on=today + timedelta(days=10),
        )
        _enrol(organisation, days_ago=3, cohort=fine.cohort)  # new, not yet due
        assert contacts.digests_send() == 0
    assert not _digests_to("ada@adviser.test")
    with scopes_disabled():
        assert not AdviserDigest.objects.exists()


def test_unassigned_overdue_companies_go_to_growth_advisers(organisation, adviser, make_member):
    make_member(organisation, Role.PROGRAMME_MANAGER, email="boss@hub.test")
    with time_machine.travel(WEDNESDAY, tick=False):
        never = _enrol(organisation, days_ago=45)
        with tenant_scope(organisation):
            # Diagnosed by nobody in particular: still unassigned.
            NeedsDiagnosisFactory(enrolment=_enrol(organisation, days_ago=2, cohort=never.cohort))
        assert contacts.digests_send() == 1
    [mail] = _digests_to("ada@adviser.test")
    assert never.company.name in mail.body and "no adviser has contacted" in mail.body
    assert not _digests_to("boss@hub.test")


def test_no_digest_about_a_company_withdrawn_from_the_organisations_data(organisation, adviser):
    """Privacy: once the organisation withdrew a company from its data, nobody is chased to
    contact it, though its enrolment stays for the figures."""
    with time_machine.travel(WEDNESDAY, tick=False):
        withdrawn = _enrol(organisation, days_ago=45)
        overdue = _enrol(organisation, days_ago=45, cohort=withdrawn.cohort)
        Enrolment.objects.with_scopes_disabled().filter(pk=withdrawn.pk).update(
            data_withdrawn_at=timezone.now()
        )
        assert contacts.digests_send() == 1
    [mail] = _digests_to("ada@adviser.test")
    assert overdue.company.name in mail.body
    assert withdrawn.company.name not in mail.body


def test_digest_week_follows_the_organisations_time_zone(organisation, adviser):
    organisation.time_zone = "Pacific/Auckland"
    organisation.save()
    # Sunday 11:00 UTC is already Monday in Auckland: a new week there.
    with time_machine.travel("2030-01-20 11:00:00+00:00", tick=False):
        assert contacts.week_starting(organisation=organisation, now=timezone.now()) == date(
            2030, 1, 21
        )
