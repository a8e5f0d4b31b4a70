"""The audit trail: changes made through the portal are recorded with who, when, before and
after, and from where; an organisation's admins browse and filter their own entries only;
record pages show their own history; downloads are logged."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from cohorts.models import ApplicationFile, ApplicationStatus, QuestionKind
from portal.audit import AuditEntry
from portal.models import Membership
from portal.roles import Role
from portal.tenancy import tenant_scope
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    CompanyFactory,
    CompanyMemberFactory,
    ProgrammeFactory,
    QuestionFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(organisation, make_member):
    return make_member(organisation, Role.PROGRAMME_MANAGER, email="manager@example.org").user


@pytest.fixture
def admin(organisation, make_member):
    return make_member(organisation, Role.ADMIN, email="admin@example.org").user


@pytest.fixture
def application(organisation):
    with tenant_scope(organisation):
        programme = ProgrammeFactory(organisation=organisation, name="Go Global")
        cohort = CohortFactory(programme=programme, number=2)
        return ApplicationFactory(
            cohort=cohort, company=CompanyFactory(name="Acme Robotics Ltd"), submitted=True
        )


def _decide(client, organisation, application, decision="accepted", **extra):
    url = reverse(
        "cohorts:application-decide", kwargs={"org_slug": organisation.slug, "pk": application.pk}
    )
    # Followed, so the flash message is shown now and not on the next page of the test.
    return client.post(url, {"decision": decision, "reason": "strong plan"}, follow=True, **extra)


def _audit_url(organisation, **params):
    url = reverse("portal:audit", kwargs={"org_slug": organisation.slug})
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def _decisions(application):
    return AuditEntry.objects.get_for_object(application).filter(
        action=AuditEntry.Action.UPDATE, changes__has_key="status"
    )


# --- What is recorded -----------------------------------------------------------------------


def test_a_decision_records_who_when_before_after_and_from_where(
    client, organisation, manager, application
):
    client.force_login(manager)
    before = timezone.now()
    response = _decide(client, organisation, application, REMOTE_ADDR="203.0.113.7")
    assert response.redirect_chain[0][1] == 302

    entry = _decisions(application).get()
    assert entry.actor == manager
    assert entry.actor_email == "manager@example.org"
    assert entry.remote_addr == "203.0.113.7"
    assert entry.timestamp >= before
    assert entry.changes["status"] == ["submitted", "accepted"]
    assert entry.organisation == organisation
    assert entry.company_id == application.company_id
    # Shown in the users' words.
    assert ("status", "Submitted", "Accepted") in entry.change_rows


def test_role_changes_are_recorded(client, organisation, admin, make_member):
    colleague = make_member(organisation, Role.REVIEWER)
    client.force_login(admin)
    url = reverse("portal:member-role", kwargs={"org_slug": organisation.slug, "pk": colleague.pk})
    client.post(url, {"role": Role.PROGRAMME_MANAGER})

    entry = AuditEntry.objects.get_for_object(colleague).get(action=AuditEntry.Action.UPDATE)
    assert entry.changes["role"] == ["reviewer", "manager"]
    assert entry.actor == admin
    assert entry.organisation == organisation


def test_changes_outside_a_request_are_recorded_without_an_actor(organisation, application):
    with tenant_scope(organisation):
        application.status = ApplicationStatus.REJECTED
        application.save()
    entry = _decisions(application).get()
    assert entry.actor is None
    assert entry.organisation == organisation


def test_forwarded_address_is_trusted_only_from_configured_proxies(
    client, settings, organisation, manager, application
):
    client.force_login(manager)
    settings.AUDIT_TRUSTED_PROXIES = 0
    _decide(client, organisation, application, "waitlisted", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert _decisions(application).latest("timestamp").remote_addr == "127.0.0.1"

    settings.AUDIT_TRUSTED_PROXIES = 1
    _decide(
        client,
        organisation,
        application,
        "accepted",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4",  # spoofed, then what our proxy saw
    )
    assert _decisions(application).latest("timestamp").remote_addr == "198.51.100.4"


# --- The audit page ---------------------------------------------------------------------------


def test_admin_sees_the_change_with_the_managers_email(
    client, organisation, manager, admin, application
):
    client.force_login(manager)
    _decide(client, organisation, application, REMOTE_ADDR="203.0.113.7")
    client.force_login(admin)
    page = client.get(_audit_url(organisation)).content.decode()
    assert "manager@example.org" in page
    assert "Acme Robotics Ltd" in page
    assert "203.0.113.7" in page
    assert "Accepted" in page


@pytest.mark.parametrize(
    "role", [Role.PROGRAMME_MANAGER, Role.GROWTH_ADVISER, Role.REVIEWER, Role.MENTOR, Role.FUNDER]
)
def test_only_admins_browse_the_audit_trail(client, organisation, make_member, role):
    client.force_login(make_member(organisation, role).user)
    assert client.get(_audit_url(organisation)).status_code == 403


def test_an_organisation_never_sees_another_organisations_entries(
    client, organisation, other_organisation, admin, make_member
):
    with tenant_scope(other_organisation):
        theirs = ApplicationFactory(
            cohort=CohortFactory(programme__organisation=other_organisation),
            company=CompanyFactory(name="Zzsecret Holdings"),
            submitted=True,
        )
    their_manager = make_member(other_organisation, Role.PROGRAMME_MANAGER, email="them@b.org")
    their_admin = make_member(other_organisation, Role.ADMIN).user
    client.force_login(their_manager.user)
    _decide(client, other_organisation, theirs)
    assert AuditEntry.objects.filter(organisation=other_organisation).exists()

    client.force_login(admin)
    page = client.get(_audit_url(organisation)).content.decode()
    assert "Zzsecret" not in page
    assert "them@b.org" not in page
    # Not by asking for the record either.
    kind = AuditEntry.objects.get_for_object(theirs).first().content_type_id
    page = client.get(_audit_url(organisation, kind=kind, object=theirs.pk)).content.decode()
    assert "Zzsecret" not in page
    # While their own admin does see it.
    client.force_login(their_admin)
    assert "Zzsecret" in client.get(_audit_url(other_organisation)).content.decode()


def test_filters_by_user_kind_action_object_and_dates(
    client, organisation, manager, admin, make_member, application
):
    adviser = make_member(organisation, Role.GROWTH_ADVISER, email="adviser@example.org")
    with tenant_scope(organisation):
        other = ApplicationFactory(
            cohort=application.cohort, company=CompanyFactory(name="Bolt Ltd"), submitted=True
        )
    client.force_login(manager)
    with time_machine.travel(timezone.now() - timedelta(days=10), tick=False):
        _decide(client, organisation, other, "rejected")
    _decide(client, organisation, application)
    client.force_login(admin)
    url = reverse("portal:member-role", kwargs={"org_slug": organisation.slug, "pk": adviser.pk})
    client.post(url, {"role": Role.PROGRAMME_MANAGER})

    def shown(**params):
        page = client.get(_audit_url(organisation, **params))
        assert page.status_code == 200
        return {e.pk for e in page.context["page"].object_list}

    application_kind = AuditEntry.objects.get_for_object(application).first().content_type_id
    membership_kind = AuditEntry.objects.get_for_object(adviser).first().content_type_id
    acme, bolt = _decisions(application).get(), _decisions(other).get()
    role_change = AuditEntry.objects.get_for_object(adviser).get(action=AuditEntry.Action.UPDATE)

    by_manager = shown(actor="manager@")
    assert {acme.pk, bolt.pk} <= by_manager and role_change.pk not in by_manager
    assert shown(actor="admin@example.org") == {role_change.pk}
    assert role_change.pk in shown(kind=membership_kind)
    assert acme.pk not in shown(kind=membership_kind)
    assert shown(kind=application_kind, object=application.pk, action=AuditEntry.Action.UPDATE) == {
        acme.pk
    }
    today = timezone.localdate()
    recent = shown(date_from=(today - timedelta(days=1)).isoformat())
    assert acme.pk in recent and bolt.pk not in recent
    old = shown(date_to=(today - timedelta(days=5)).isoformat())
    assert bolt.pk in old and acme.pk not in old
    assert shown(action=AuditEntry.Action.DELETE) == set()


def test_a_reversed_date_range_is_refused_next_to_the_field(client, organisation, admin):
    client.force_login(admin)
    response = client.get(_audit_url(organisation, date_from="2027-05-02", date_to="2027-05-01"))
    assert response.status_code == 400
    assert "The end date is before the start date." in response.content.decode()


def test_newest_first_and_paginated(client, organisation, admin):
    with tenant_scope(organisation):
        cohort = CohortFactory(programme__organisation=organisation)
        for n in range(60):
            ApplicationFactory(cohort=cohort, company=CompanyFactory(name=f"Company {n:02}"))
    client.force_login(admin)
    page = client.get(_audit_url(organisation, action=AuditEntry.Action.CREATE))
    entries = list(page.context["page"].object_list)
    assert len(entries) == 50
    stamps = [(e.timestamp, e.pk) for e in entries]
    assert stamps == sorted(stamps, reverse=True)
    assert page.context["page"].paginator.count >= 61
    second = client.get(_audit_url(organisation, action=AuditEntry.Action.CREATE, page=2))
    assert second.status_code == 200
    assert not {e.pk for e in entries} & {e.pk for e in second.context["page"].object_list}


def _bulk_entries(organisation, actor, n, start):
    """n entries of several kinds: field changes with choices, dates and related records
    (one of them a number, which auditlog alone would look up), role changes, downloads."""
    from django.contrib.contenttypes.models import ContentType

    from cohorts.models import Application
    from mentoring.models import MentoringSession

    kinds = [
        (Application, AuditEntry.Action.UPDATE, {"status": ["submitted", "accepted"]}),
        (Application, AuditEntry.Action.UPDATE, {"cohort": ["2024", "2025"]}),
        (
            MentoringSession,
            AuditEntry.Action.UPDATE,
            {"starts_at": ["2026-03-01 09:00:00+00:00", "2026-03-02 10:30:00+00:00"]},
        ),
        (Membership, AuditEntry.Action.UPDATE, {"role": ["reviewer", "manager"]}),
        (ApplicationFile, AuditEntry.Action.ACCESS, None),
    ]
    types = ContentType.objects.get_for_models(*(model for model, _, _ in kinds))
    AuditEntry.objects.bulk_create(
        AuditEntry(
            organisation=organisation,
            content_type=types[model],
            object_pk=str(start + i),
            object_id=start + i,
            object_repr=f"Record {start + i}",
            action=action,
            changes=changes,
            changes_text="",
            actor=actor,
            actor_email=actor.email,
            remote_addr="203.0.113.7",
            additional_data={"download": "plan.pdf"} if changes is None else None,
        )
        for i, (model, action, changes) in ((i, kinds[(start + i) % len(kinds)]) for i in range(n))
    )


def test_audit_page_runs_as_many_queries_with_500_entries_as_with_10(client, organisation, admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(admin)
    AuditEntry.objects.all().delete()
    _bulk_entries(organisation, admin, 10, 0)
    url = _audit_url(organisation)

    def queries():
        client.get(url)  # warm up: session, content-type cache
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries), response

    small, response = queries()
    assert response.context["page"].paginator.count == 10
    _bulk_entries(organisation, admin, 490, 10)
    large, response = queries()
    assert response.context["page"].paginator.count == 500
    assert len(response.context["page"].object_list) == 50
    assert large == small


def test_audit_dates_are_in_the_organisations_time_zone_and_usual_format(
    client, organisation, admin
):
    organisation.time_zone = "Pacific/Auckland"
    organisation.save()
    client.force_login(admin)
    AuditEntry.objects.all().delete()
    _bulk_entries(organisation, admin, 3, 0)  # the third is the session's new start
    AuditEntry.objects.update(timestamp=datetime(2026, 6, 30, 23, 30, tzinfo=UTC))
    page = client.get(_audit_url(organisation)).content.decode()
    # 23:30 UTC on 30 June is 11:30 the next morning in Auckland (NZST, +12).
    assert "1 Jul 2026, 11:30" in page
    assert "30 Jun 2026" not in page
    # The session moved from 09:00 UTC on 1 March to 10:30 UTC on 2 March (NZDT, +13).
    assert "1 Mar 2026, 22:00" in page
    assert "2 Mar 2026, 23:30" in page


# --- A record's own history ---------------------------------------------------------------------


def test_application_page_shows_its_own_history(client, organisation, manager, application):
    client.force_login(manager)
    _decide(client, organisation, application)
    page = client.get(application.get_absolute_url()).content.decode()
    assert "Audit trail" in page
    assert "by manager@example.org" in page


def test_company_record_shows_this_organisations_history_of_the_company_only(
    client, organisation, other_organisation, manager, make_member, application
):
    company = application.company
    with tenant_scope(other_organisation):
        theirs = ApplicationFactory(
            cohort=CohortFactory(programme__organisation=other_organisation, name="Zzhidden"),
            company=company,
            submitted=True,
        )
    client.force_login(make_member(other_organisation, Role.PROGRAMME_MANAGER).user)
    _decide(client, other_organisation, theirs, "rejected", REMOTE_ADDR="192.0.2.99")
    client.force_login(manager)
    _decide(client, organisation, application)
    url = reverse(
        "cohorts:company-detail", kwargs={"org_slug": organisation.slug, "pk": company.pk}
    )
    page = client.get(url).content.decode()
    assert "by manager@example.org" in page
    assert "Not selected" not in page  # the other organisation's decision
    assert "Zzhidden" not in page


def test_history_is_for_staff_not_reviewers(client, organisation, make_member, application):
    reviewer = make_member(organisation, Role.REVIEWER).user
    with tenant_scope(organisation):
        ReviewFactory(application=application, reviewer=reviewer)
    client.force_login(reviewer)
    page = client.get(application.get_absolute_url())
    assert page.status_code == 200
    assert "bi-clock-history" not in page.content.decode()


# --- Downloads ------------------------------------------------------------------------------


def _stored_file(organisation, application, name):
    """An uploaded PDF answer of the application."""
    with tenant_scope(organisation):
        question = QuestionFactory(cohort=application.cohort, kind=QuestionKind.FILE)
        stored = ApplicationFile(
            organisation=organisation,
            application=application,
            question=question,
            original_name=name,
            content_type="application/pdf",
            size=9,
        )
        stored.file.save(name, ContentFile(b"%PDF-1.7\n"), save=True)
    return stored


def test_downloading_an_uploaded_file_is_logged_against_it(
    client, organisation, manager, application
):
    stored = _stored_file(organisation, application, "plan.pdf")
    client.force_login(manager)
    url = reverse(
        "cohorts:application-file",
        kwargs={"org_slug": organisation.slug, "pk": application.pk, "file_pk": stored.pk},
    )
    response = client.get(url, REMOTE_ADDR="203.0.113.8")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    for close in response._resource_closers:  # the file, without request_finished again
        close()

    entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCESS)
    assert entry.content_type.model_class() is ApplicationFile
    assert entry.object_id == stored.pk
    assert entry.actor == manager
    assert entry.organisation == organisation
    assert entry.remote_addr == "203.0.113.8"
    assert entry.download_name == "plan.pdf"


def test_the_sme_downloading_its_own_file_is_logged_in_that_organisation(
    client, organisation, application
):
    owner = CompanyMemberFactory(company=application.company).user
    stored = _stored_file(organisation, application, "deck.pdf")
    client.force_login(owner)
    url = reverse("my:application-file", kwargs={"pk": application.pk, "file_pk": stored.pk})
    response = client.get(url)
    assert response.status_code == 200
    b"".join(response.streaming_content)
    for close in response._resource_closers:  # the file, without request_finished again
        close()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCESS)
    assert (entry.actor, entry.organisation, entry.download_name) == (
        owner,
        organisation,
        "deck.pdf",
    )


def test_cohort_exports_are_logged(client, organisation, manager, admin, application):
    client.force_login(manager)
    for fmt in ("csv", "xlsx"):
        url = reverse(
            "cohorts:export",
            kwargs={
                "org_slug": organisation.slug,
                "pk": application.cohort_id,
                "what": "applications",
                "fmt": fmt,
            },
        )
        assert client.get(url).status_code == 200
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS).order_by("pk")
    assert [e.download_name.rsplit(".", 1)[1] for e in entries] == ["csv", "xlsx"]
    assert all(e.actor == manager and e.organisation == organisation for e in entries)
    assert all("applications" in e.download_name for e in entries)

    client.force_login(admin)
    page = client.get(_audit_url(organisation, action=AuditEntry.Action.ACCESS)).content.decode()
    assert "Downloaded" in page
    assert entries[0].download_name in page


def test_impact_exports_are_logged(client, organisation, manager, application):
    client.force_login(manager)
    url = reverse(
        "impact:responses-export",
        kwargs={"org_slug": organisation.slug, "pk": application.cohort.programme_id, "fmt": "csv"},
    )
    assert client.get(url).status_code == 200
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCESS)
    assert entry.actor == manager and entry.organisation == organisation
    assert entry.download_name.endswith(".csv")


def test_failed_downloads_and_pages_are_not_logged_as_downloads(
    client, organisation, manager, application
):
    client.force_login(manager)
    client.get(application.get_absolute_url())
    missing = reverse(
        "cohorts:application-file",
        kwargs={"org_slug": organisation.slug, "pk": application.pk, "file_pk": 999999},
    )
    assert client.get(missing).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS).exists()
