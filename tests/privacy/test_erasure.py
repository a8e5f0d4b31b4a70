"""Erasure of a person: asked for at /privacy/erasure/, confirmed by an admin of each
organisation holding their data, then personal fields anonymised in place."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.urls import reverse

from cohorts.models import CompanyMember
from impact.models import SurveyInvitation
from mentoring.models import MentorProfile
from portal.models import Membership, OutgoingEmail, User
from portal.roles import Role
from portal.tenancy import scopes_disabled, tenant_scope
from privacy.anonymise import anonymise_user
from privacy.models import ErasureApproval, ErasureRequest
from privacy.selectors import organisations_holding_data
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    CohortFactory,
    CompanyMemberFactory,
    FunderFactory,
    MentorProfileFactory,
    OrganisationFactory,
    SurveyInvitationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _ask(client, user):
    client.force_login(user)
    return client.post(
        reverse("privacy:erasure-request"), {"password": PASSWORD, "understood": "on"}
    )


@pytest.fixture
def founder_and_mentor(organisation, other_organisation, make_member):
    """A founder whose company applied to one organisation and who mentors for another."""
    person = UserFactory(first_name="Jo", last_name="Zzbloggs", email="jo@zzbloggs.example")
    company = CompanyMemberFactory(user=person).company
    ApplicationFactory(
        cohort=CohortFactory(organisation=organisation), company=company, submitted=True
    )
    MentorProfileFactory(
        organisation=other_organisation, user=person, bio="Jo Zzbloggs, ex-CFO", cv="x.pdf"
    )
    Authenticator.objects.create(user=person, type=Authenticator.Type.TOTP, data={})
    admin_a = make_member(organisation, Role.ADMIN).user
    admin_b = make_member(other_organisation, Role.ADMIN).user
    return person, company, admin_a, admin_b


def _approval_of(person, organisation):
    with scopes_disabled():
        return ErasureApproval.objects.get(request__user=person, organisation=organisation)


def test_each_organisation_holding_data_confirms_before_the_person_is_erased(
    client, organisation, other_organisation, founder_and_mentor
):
    person, company, admin_a, admin_b = founder_and_mentor
    response = _ask(client, person)
    assert response.status_code == 302
    erasure = ErasureRequest.objects.get(user=person)
    assert erasure.status == ErasureRequest.Status.PENDING
    approval_a = _approval_of(person, organisation)
    approval_b = _approval_of(person, other_organisation)
    assert any("Application of" in item for item in approval_a.holdings)
    assert approval_b.holdings[0].startswith("Member with the role mentor")
    # Each organisation's admins are told.
    assert OutgoingEmail.objects.filter(to=admin_a.email, subject__contains="Erasure").exists()
    assert OutgoingEmail.objects.filter(to=admin_b.email, subject__contains="Erasure").exists()

    client.force_login(admin_a)
    detail = client.get(approval_a.get_absolute_url())
    assert detail.status_code == 200 and "jo@zzbloggs.example" in detail.content.decode()
    confirm_a = reverse(
        "privacy-staff:erasure-confirm", kwargs={"org_slug": organisation.slug, "pk": approval_a.pk}
    )
    assert client.post(confirm_a).status_code == 302
    person.refresh_from_db()
    assert person.is_active and person.email == "jo@zzbloggs.example"  # B has not confirmed

    client.force_login(admin_b)
    confirm_b = reverse(
        "privacy-staff:erasure-confirm",
        kwargs={"org_slug": other_organisation.slug, "pk": approval_b.pk},
    )
    assert client.post(confirm_b).status_code == 302

    erasure.refresh_from_db()
    assert erasure.status == ErasureRequest.Status.COMPLETED
    person.refresh_from_db()
    assert person.email == f"erased-{person.pk}@erased.invalid"
    assert (person.first_name, person.last_name) == ("Erased", f"person {person.pk}")
    assert not person.has_usable_password()
    assert not person.is_active
    assert not EmailAddress.objects.filter(user=person).exists()
    assert not Authenticator.objects.filter(user=person).exists()
    assert not Membership.objects.filter(user=person).exists()
    assert not CompanyMember.objects.filter(user=person).exists()
    with scopes_disabled():
        profile = MentorProfile.objects.get(user=person)
    assert (profile.bio, profile.background, profile.cv.name) == ("", "", "")
    assert profile.status == MentorProfile.Status.INACTIVE
    # The company and its application are the company's, not the person's: they stay.
    company.refresh_from_db()
    with scopes_disabled():
        assert company.applications.count() == 1
    # The person was told, at their old address, before it was overwritten.
    assert OutgoingEmail.objects.filter(
        to="jo@zzbloggs.example", subject="Your account has been erased"
    ).exists()


def test_an_erased_person_cannot_sign_in_and_their_sessions_end(client, user):
    client.force_login(user)
    assert client.get(reverse("privacy:overview")).status_code == 200
    email = user.email
    # Nobody holds data about this person: erased as soon as they confirm, and signed out.
    response = client.post(
        reverse("privacy:erasure-request"), {"password": PASSWORD, "understood": "on"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert ErasureRequest.objects.get(user=user).status == ErasureRequest.Status.COMPLETED

    assert not client.login(email=email, password=PASSWORD)
    page = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert page.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("privacy:overview")).status_code == 302


def test_sessions_on_other_devices_end_too(client, user):
    from django.test import Client

    other_device = Client()
    other_device.force_login(user)
    assert other_device.get(reverse("privacy:overview")).status_code == 200
    _ask(client, user)
    response = other_device.get(reverse("privacy:overview"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_refusal_ends_the_request_and_tells_the_person_why(
    client, organisation, other_organisation, founder_and_mentor
):
    person, _, admin_a, _ = founder_and_mentor
    _ask(client, person)
    approval_a = _approval_of(person, organisation)
    client.force_login(admin_a)
    refuse = reverse(
        "privacy-staff:erasure-refuse", kwargs={"org_slug": organisation.slug, "pk": approval_a.pk}
    )
    assert client.post(refuse, {"reason": ""}).status_code == 400
    assert client.post(refuse, {"reason": "Grant records kept until 2031."}).status_code == 302

    erasure = ErasureRequest.objects.get(user=person)
    assert erasure.status == ErasureRequest.Status.REFUSED
    assert _approval_of(person, other_organisation).status == ErasureApproval.Status.CLOSED
    person.refresh_from_db()
    assert person.is_active and person.email == "jo@zzbloggs.example"
    mail = OutgoingEmail.objects.get(to="jo@zzbloggs.example", subject__contains="could not")
    assert "Grant records kept until 2031." in mail.body
    # The person sees the refusal on their own page.
    client.force_login(person)
    assert (
        "Grant records kept until 2031." in client.get(reverse("privacy:overview")).content.decode()
    )


def test_an_admin_of_another_organisation_cannot_see_or_decide_its_approvals(
    client, organisation, other_organisation, founder_and_mentor, make_member
):
    person, _, _, admin_b = founder_and_mentor
    _ask(client, person)
    approval_a = _approval_of(person, organisation)
    client.force_login(admin_b)
    for name in ("erasure-detail", "erasure-confirm", "erasure-refuse"):
        url = reverse(
            f"privacy-staff:{name}",
            kwargs={"org_slug": other_organisation.slug, "pk": approval_a.pk},
        )
        assert client.post(url, {"reason": "x"}).status_code == 404, name
        # And under the other organisation's address, the tenant middleware refuses first.
        foreign = reverse(
            f"privacy-staff:{name}", kwargs={"org_slug": organisation.slug, "pk": approval_a.pk}
        )
        assert client.get(foreign).status_code == 404, name
    assert _approval_of(person, organisation).status == ErasureApproval.Status.PENDING
    listing = client.get(
        reverse("privacy-staff:erasure-list", kwargs={"org_slug": other_organisation.slug})
    )
    # B's list shows B's own approval only.
    assert [a.pk for a in listing.context["page"]] == [_approval_of(person, other_organisation).pk]
    # Managers are not admins: the erasure pages are refused with a reason.
    manager = make_member(organisation, Role.PROGRAMME_MANAGER).user
    client.force_login(manager)
    url = reverse("privacy-staff:erasure-list", kwargs={"org_slug": organisation.slug})
    assert client.get(url).status_code == 403


def test_a_wrong_password_or_the_last_admin_is_refused(client, organisation, make_member):
    admin = make_member(organisation, Role.ADMIN).user
    client.force_login(admin)
    url = reverse("privacy:erasure-request")
    wrong = client.post(url, {"password": "nope", "understood": "on"})
    assert wrong.status_code == 400
    assert "not your password" in wrong.content.decode()
    alone = client.post(url, {"password": PASSWORD, "understood": "on"})
    assert alone.status_code == 400
    assert "only admin" in alone.content.decode()
    assert not ErasureRequest.objects.exists()
    admin.refresh_from_db()
    assert admin.is_active


def test_a_pending_request_can_be_cancelled(client, founder_and_mentor):
    person = founder_and_mentor[0]
    _ask(client, person)
    erasure = ErasureRequest.objects.get(user=person)
    assert "Cancel the request" in client.get(reverse("privacy:overview")).content.decode()
    url = reverse("privacy:erasure-cancel", kwargs={"pk": erasure.pk})
    assert client.post(url).status_code == 302
    erasure.refresh_from_db()
    assert erasure.status == ErasureRequest.Status.CANCELLED
    # Another person cannot cancel someone else's request.
    other = UserFactory()
    second = _ask(client, person)
    assert second.status_code == 302
    pending = ErasureRequest.objects.get(user=person, status="pending")
    client.force_login(other)
    assert (
        client.post(reverse("privacy:erasure-cancel", kwargs={"pk": pending.pk})).status_code == 404
    )
    assert User.objects.get(pk=person.pk).is_active


def test_the_privacy_page_and_the_erasure_ask_the_same_organisations(
    client, organisation, other_organisation
):
    """One answer to "who holds this person's data": a funder's reader is held by the funder's
    organisation (and must be confirmed by it); a draft nobody has seen is not."""
    third = OrganisationFactory(name="Zz Third Org")
    person = UserFactory(email="reader@zz.example")
    FunderFactory(organisation=organisation).users.add(person)
    company = CompanyMemberFactory(user=person).company
    ApplicationFactory(cohort=CohortFactory(organisation=third), company=company)  # a draft
    ApplicationFactory(
        cohort=CohortFactory(organisation=other_organisation), company=company, submitted=True
    )

    holders = [h.organisation for h in organisations_holding_data(user=person)]
    assert holders == sorted([organisation, other_organisation], key=lambda o: o.name)
    client.force_login(person)
    overview = client.get(reverse("privacy:overview")).content.decode()
    assert "Reads the reports for the funder" in overview
    assert "Zz Third Org" not in overview

    assert _ask(client, person).status_code == 302
    with scopes_disabled():
        asked = set(
            ErasureApproval.objects.filter(request__user=person).values_list(
                "organisation", flat=True
            )
        )
    assert asked == {organisation.pk, other_organisation.pk}


def test_surveys_still_to_go_to_an_erased_address_are_stopped(organisation):
    person = UserFactory(email="gone@zz.example")
    scheduled = SurveyInvitationFactory(
        schedule__programme__organisation=organisation, email="Gone@zz.example"
    )
    answered = SurveyInvitationFactory(
        schedule=scheduled.schedule, email=person.email, status=SurveyInvitation.Status.ANSWERED
    )

    anonymise_user(user=person)

    with scopes_disabled():
        scheduled.refresh_from_db()
        answered.refresh_from_db()
    assert scheduled.status == SurveyInvitation.Status.EXPIRED
    assert answered.status == SurveyInvitation.Status.ANSWERED  # what happened stays
    assert scheduled.email == answered.email == f"erased-{person.pk}@erased.invalid"


def test_erasure_leaves_neither_name_nor_address_in_the_audit_trail(
    client, organisation, make_member
):
    from portal.audit import AuditEntry

    admin = make_member(organisation, Role.ADMIN).user
    person = make_member(organisation, Role.REVIEWER, email="jo.bloggs@example.org").user
    person.first_name, person.last_name = "Jo", "Zzbloggs"
    person.save()
    membership = Membership.objects.get(user=person)
    cohort = CohortFactory(organisation=organisation)
    client.force_login(person)  # entries the person made, and entries that point at them
    with tenant_scope(organisation):
        ApplicationFactory(cohort=cohort, created_by=person)
    client.force_login(admin)
    client.post(
        reverse("portal:member-role", kwargs={"org_slug": organisation.slug, "pk": membership.pk}),
        {"role": Role.PROGRAMME_MANAGER},
    )
    assert AuditEntry.objects.filter(object_repr__icontains="Jo Zzbloggs").exists()
    # The application records its author by name.
    assert any("Jo Zzbloggs" in str(e.changes) for e in AuditEntry.objects.all())

    anonymise_user(user=person)

    for entry in AuditEntry.objects.all():
        blob = f"{entry.actor_email} {entry.object_repr} {entry.changes} {entry.changes_text}"
        assert "Zzbloggs" not in blob and "jo.bloggs" not in blob


def test_erasure_leaves_a_namesakes_audit_entries_alone(client, organisation, make_member):
    """A full name is not unique: it is replaced only in entries about the erased person's
    own records and the rows that point at them, or made by them — not in the entries of
    another person of the same name, even one the erased person made."""
    from django.contrib.contenttypes.models import ContentType

    from cohorts.models import Application
    from portal.audit import AuditEntry

    same_name = {"first_name": "Jo", "last_name": "Zzbloggs"}
    person = make_member(organisation, Role.ADMIN, email="jo.one@example.org", **same_name).user
    namesake = make_member(
        organisation, Role.REVIEWER, email="jo.two@example.org", **same_name
    ).user
    cohort = CohortFactory(organisation=organisation)
    with tenant_scope(organisation):
        theirs = ApplicationFactory(cohort=cohort, created_by=person)
        namesakes = ApplicationFactory(cohort=cohort, created_by=namesake)
    client.force_login(person)  # the person, an admin, changes the namesake's role
    namesake_membership = Membership.objects.get(user=namesake)
    client.post(
        reverse(
            "portal:member-role",
            kwargs={"org_slug": organisation.slug, "pk": namesake_membership.pk},
        ),
        {"role": Role.PROGRAMME_MANAGER},
    )

    def entries_about(model, pk):
        return AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_pk=str(pk)
        )

    def text(entries):
        return " ".join(
            f"{e.actor_email} {e.object_repr} {e.changes} {e.changes_text}"
            for e in entries.all()  # read afresh each time
        )

    namesake_entries = entries_about(Membership, namesake_membership.pk) | entries_about(
        Application, namesakes.pk
    )
    made_by_person = namesake_entries.filter(actor=person)
    assert made_by_person.exists() and "Jo Zzbloggs" in text(made_by_person)
    assert "Jo Zzbloggs" in text(entries_about(Application, theirs.pk))
    before = text(namesake_entries)
    assert before.count("Jo Zzbloggs") >= 2

    anonymise_user(user=person)

    assert text(namesake_entries).count("Jo Zzbloggs") == before.count("Jo Zzbloggs")
    assert "jo.one@example.org" not in text(AuditEntry.objects.all())
    assert "Zzbloggs" not in text(entries_about(Application, theirs.pk))
    assert f"Erased person {person.pk}" in text(entries_about(Application, theirs.pk))
