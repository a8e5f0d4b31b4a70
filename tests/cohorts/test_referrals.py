"""Consent and sharing: each organisation sees only what was submitted to it; a referral to a
partner organisation shares the company profile only with the owner's consent, recorded and
withdrawable, and audited."""

import pytest
from django.urls import reverse

from cohorts.models import CompanyMember, Referral
from portal.audit import AuditEntry
from portal.models import Membership, OutgoingEmail
from portal.roles import Role
from portal.tenancy import scopes_disabled, tenant_scope
from tests.factories import (
    ApplicationFactory,
    CohortFactory,
    CompanyFactory,
    CompanyMemberFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    return CompanyFactory(name="Acme Robotics Ltd", help_wanted="Zzprofile: a route to Japan")


@pytest.fixture
def owner(company):
    return CompanyMemberFactory(company=company, user__email="founder@acme.example").user


@pytest.fixture
def partner(organisation, other_organisation):
    organisation.partners.add(other_organisation)
    return other_organisation


@pytest.fixture
def applied(organisation, company):
    with tenant_scope(organisation):
        return ApplicationFactory(
            cohort=CohortFactory(programme__organisation=organisation),
            company=company,
            submitted=True,
        )


@pytest.fixture
def adviser(organisation, make_member):
    return make_member(organisation, Role.GROWTH_ADVISER, email="adviser@a.example").user


@pytest.fixture
def partner_staff(partner, make_member):
    return make_member(partner, Role.GROWTH_ADVISER, email="staff@b.example").user


def _refer(client, organisation, company, partner, note="Ready to export to Japan"):
    url = reverse(
        "cohorts:referral-create", kwargs={"org_slug": organisation.slug, "pk": company.pk}
    )
    # Followed, so the flash message is shown now and not on the next page of the test.
    return client.post(url, {"partner": partner.pk, "note": note}, follow=True)


def _inbox(client, partner):
    return client.get(reverse("cohorts:referral-list", kwargs={"org_slug": partner.slug}))


def _received_url(partner, referral):
    return reverse(
        "cohorts:referral-received", kwargs={"org_slug": partner.slug, "pk": referral.pk}
    )


def _referral():
    with scopes_disabled():
        return Referral.objects.get()


# --- Each organisation sees only what was submitted to it --------------------------------------


def test_a_company_applying_to_two_organisations_is_seen_by_each_only_through_its_own(
    client, organisation, other_organisation, company, make_member
):
    with tenant_scope(organisation):
        ours = ApplicationFactory(
            cohort=CohortFactory(programme__organisation=organisation, name="Alpha intake"),
            company=company,
            submitted=True,
            answers={"1": "Zzalpha answer"},
        )
    with tenant_scope(other_organisation):
        theirs = ApplicationFactory(
            cohort=CohortFactory(programme__organisation=other_organisation, name="Beta intake"),
            company=company,
            submitted=True,
            answers={"1": "Zzbeta answer"},
        )
    client.force_login(make_member(organisation, Role.PROGRAMME_MANAGER).user)
    record = client.get(
        reverse("cohorts:company-detail", kwargs={"org_slug": organisation.slug, "pk": company.pk})
    ).content.decode()
    assert "Beta intake" not in record
    page = client.get(ours.get_absolute_url()).content.decode()
    assert "Zzbeta" not in page
    # The other organisation's application, asked for under our address: not found.
    url = reverse(
        "cohorts:application-detail", kwargs={"org_slug": organisation.slug, "pk": theirs.pk}
    )
    assert client.get(url).status_code == 404


# --- The referral flow ------------------------------------------------------------------------


def test_partner_sees_the_profile_only_after_consent_and_not_after_withdrawal(
    client, organisation, company, owner, partner, applied, adviser, partner_staff
):
    client.force_login(adviser)
    response = _refer(client, organisation, company, partner)
    assert response.redirect_chain[-1][0].endswith("/referrals/")
    referral = _referral()
    assert referral.status == Referral.Status.PENDING
    assert referral.referred_by == adviser

    # The owner is asked by e-mail, with a link to their own page.
    [message] = OutgoingEmail.objects.filter(to="founder@acme.example")
    assert partner.name in message.subject
    assert f"/my/referrals/{referral.pk}/" in message.body

    # The partner sees nothing yet.
    client.force_login(partner_staff)
    assert "Acme Robotics" not in _inbox(client, partner).content.decode()
    assert client.get(_received_url(partner, referral)).status_code == 404

    # The owner consents on /my/.
    client.force_login(owner)
    page = client.get(reverse("my:referral", kwargs={"pk": referral.pk})).content.decode()
    assert "Agree to share" in page and partner.name in page
    client.post(
        reverse("my:referral-answer", kwargs={"pk": referral.pk}),
        {"answer": "consent"},
        follow=True,
    )
    referral = _referral()
    assert referral.status == Referral.Status.CONSENTED
    assert referral.answered_by == owner and referral.answered_at is not None
    assert "help_wanted" in referral.shared_fields

    # Now the partner sees it, profile included.
    client.force_login(partner_staff)
    assert "Acme Robotics" in _inbox(client, partner).content.decode()
    shown = client.get(_received_url(partner, referral))
    assert shown.status_code == 200
    assert "Zzprofile: a route to Japan" in shown.content.decode()
    assert "Ready to export to Japan" in shown.content.decode()

    # The owner withdraws (confirm first): the partner loses it.
    client.force_login(owner)
    withdraw = reverse("my:referral-withdraw", kwargs={"pk": referral.pk})
    assert "Stop sharing" in client.get(withdraw).content.decode()
    client.post(withdraw, follow=True)
    referral = _referral()
    assert referral.status == Referral.Status.WITHDRAWN
    assert referral.withdrawn_by == owner and referral.withdrawn_at is not None
    client.force_login(partner_staff)
    assert client.get(_received_url(partner, referral)).status_code == 404
    assert "Acme Robotics" not in _inbox(client, partner).content.decode()


def test_the_referral_and_the_consent_are_audited(
    client, organisation, company, owner, partner, applied, adviser, partner_staff
):
    client.force_login(adviser)
    _refer(client, organisation, company, partner)
    referral = _referral()
    client.force_login(owner)
    client.post(reverse("my:referral-answer", kwargs={"pk": referral.pk}), {"answer": "consent"})
    client.force_login(partner_staff)
    client.get(_received_url(partner, referral))

    entries = AuditEntry.objects.get_for_object(referral).order_by("timestamp", "pk")
    created, consented, viewed = entries
    assert (created.action, created.actor, created.organisation) == (
        AuditEntry.Action.CREATE,
        adviser,
        organisation,
    )
    assert consented.changes["status"] == ["pending", "consented"]
    assert consented.actor == owner
    assert (viewed.action, viewed.actor, viewed.organisation) == (
        AuditEntry.Action.ACCESS,
        partner_staff,
        partner,
    )


def test_declining_shares_nothing(
    client, organisation, company, owner, partner, applied, adviser, partner_staff
):
    client.force_login(adviser)
    _refer(client, organisation, company, partner)
    referral = _referral()
    client.force_login(owner)
    client.post(reverse("my:referral-answer", kwargs={"pk": referral.pk}), {"answer": "decline"})
    assert _referral().status == Referral.Status.DECLINED
    assert _referral().shared_fields == []
    client.force_login(partner_staff)
    assert client.get(_received_url(partner, referral)).status_code == 404
    # An answered referral cannot be answered again.
    client.force_login(owner)
    client.post(reverse("my:referral-answer", kwargs={"pk": referral.pk}), {"answer": "consent"})
    assert _referral().status == Referral.Status.DECLINED


def test_only_an_owner_decides(client, organisation, company, owner, partner, applied, adviser):
    colleague = CompanyMemberFactory(company=company, role=CompanyMember.Role.COLLEAGUE).user
    client.force_login(adviser)
    _refer(client, organisation, company, partner)
    referral = _referral()
    client.force_login(colleague)
    client.post(reverse("my:referral-answer", kwargs={"pk": referral.pk}), {"answer": "consent"})
    assert _referral().status == Referral.Status.PENDING
    # A stranger does not even see it.
    client.force_login(UserFactory())
    for name in ("my:referral", "my:referral-withdraw"):
        assert client.get(reverse(name, kwargs={"pk": referral.pk})).status_code == 404
    assert (
        client.post(
            reverse("my:referral-answer", kwargs={"pk": referral.pk}), {"answer": "consent"}
        ).status_code
        == 404
    )


def test_only_partners_and_known_companies_can_be_referred(
    client, organisation, company, partner, applied, adviser
):
    stranger_org = OrganisationFactory(name="Not A Partner")
    client.force_login(adviser)
    response = _refer(client, organisation, company, stranger_org)
    assert response.status_code == 400
    unknown = CompanyFactory()
    assert _refer(client, organisation, unknown, partner).status_code == 404
    with scopes_disabled():
        assert not Referral.objects.exists()


def test_a_second_live_referral_to_the_same_partner_is_refused(
    client, organisation, company, partner, applied, adviser
):
    client.force_login(adviser)
    _refer(client, organisation, company, partner)
    response = _refer(client, organisation, company, partner)
    assert response.status_code == 400
    assert "already has a referral" in response.content.decode()


def test_a_third_organisation_never_sees_a_consented_referral(
    client, organisation, company, owner, partner, applied, adviser, make_member
):
    client.force_login(adviser)
    _refer(client, organisation, company, partner)
    referral = _referral()
    client.force_login(owner)
    client.post(reverse("my:referral-answer", kwargs={"pk": referral.pk}), {"answer": "consent"})
    third = OrganisationFactory(slug="third-hub")
    client.force_login(make_member(third, Role.ADMIN).user)
    assert client.get(_received_url(third, referral)).status_code == 404
    assert "Acme Robotics" not in _inbox(client, third).content.decode()
    # Nor does the referring organisation see it as "shared with us".
    client.force_login(adviser)
    assert client.get(_received_url(organisation, referral)).status_code == 404


def test_my_sharing_page_lists_the_companys_referrals(
    client, organisation, company, owner, partner, applied, adviser
):
    client.force_login(adviser)
    _refer(client, organisation, company, partner)
    client.force_login(owner)
    page = client.get(reverse("my:referrals")).content.decode()
    assert f"Acme Robotics Ltd → {partner.name}" in page
    assert "Waiting for the company" in page


# --- Telling the organisations, and taking a referral back ---------------------------------------


def _answer(client, owner, referral, answer):
    client.force_login(owner)
    client.post(reverse("my:referral-answer", kwargs={"pk": referral.pk}), {"answer": answer})


def test_the_referrer_and_the_partners_managers_hear_of_a_consent(
    client, organisation, company, owner, partner, applied, adviser, partner_staff, make_member
):
    partner_manager = make_member(partner, Role.PROGRAMME_MANAGER, email="boss@b.example").user
    client.force_login(adviser)
    _refer(client, organisation, company, partner)
    referral = _referral()
    _answer(client, owner, referral, "consent")

    [to_referrer] = OutgoingEmail.objects.filter(to=adviser.email)
    assert "agreed" in to_referrer.subject and partner.name in to_referrer.subject
    [to_partner] = OutgoingEmail.objects.filter(to=partner_manager.email)
    assert organisation.name in to_partner.subject and "Acme Robotics" in to_partner.subject
    assert f"/{partner.slug}/referrals/{referral.pk}/" in to_partner.body
    assert to_partner.organisation == partner
    # The partner's advisers read the inbox; the e-mail goes to those who run the programmes.
    assert not OutgoingEmail.objects.filter(to=partner_staff.email).exists()


def test_a_refusal_is_told_to_the_referrer_only(
    client, organisation, company, owner, partner, applied, adviser, make_member
):
    partner_manager = make_member(partner, Role.ADMIN, email="boss@b.example").user
    client.force_login(adviser)
    _refer(client, organisation, company, partner)
    _answer(client, owner, _referral(), "decline")

    [to_referrer] = OutgoingEmail.objects.filter(to=adviser.email)
    assert "declined" in to_referrer.subject
    assert "Nothing has been shared" in to_referrer.body
    # A refusal shares nothing with the partner, not even that the company was referred.
    assert not OutgoingEmail.objects.filter(to=partner_manager.email).exists()


def test_a_referrer_who_left_is_replaced_by_the_referring_managers(
    client, organisation, company, owner, partner, applied, adviser, make_member
):
    manager = make_member(organisation, Role.PROGRAMME_MANAGER, email="lead@a.example").user
    client.force_login(adviser)
    _refer(client, organisation, company, partner)
    Membership.objects.filter(user=adviser).delete()
    _answer(client, owner, _referral(), "consent")
    assert OutgoingEmail.objects.filter(to=manager.email, subject__contains="agreed").exists()
    assert not OutgoingEmail.objects.filter(to=adviser.email).exists()


def test_staff_cancel_a_pending_referral_after_confirming(
    client, organisation, company, owner, partner, applied, adviser, make_member
):
    client.force_login(adviser)
    _refer(client, organisation, company, partner)
    referral = _referral()
    url = reverse(
        "cohorts:referral-cancel", kwargs={"org_slug": organisation.slug, "pk": referral.pk}
    )
    listing = client.get(reverse("cohorts:referral-list", kwargs={"org_slug": organisation.slug}))
    assert url in listing.content.decode()

    # A reviewer may not; another organisation's staff do not even find it.
    client.force_login(make_member(organisation, Role.REVIEWER).user)
    assert client.post(url).status_code == 403
    client.force_login(make_member(partner, Role.ADMIN).user)
    assert (
        client.post(
            reverse("cohorts:referral-cancel", kwargs={"org_slug": partner.slug, "pk": referral.pk})
        ).status_code
        == 404
    )

    client.force_login(adviser)
    question = client.get(url)
    assert question.status_code == 200 and "Cancel the referral" in question.content.decode()
    assert _referral().status == Referral.Status.PENDING  # asking changes nothing
    assert client.post(url).status_code == 302
    assert _referral().status == Referral.Status.CANCELLED

    # The company can no longer agree, and a cancelled referral cannot be cancelled again.
    _answer(client, owner, referral, "consent")
    assert _referral().status == Referral.Status.CANCELLED
    page = client.get(reverse("my:referral", kwargs={"pk": referral.pk})).content.decode()
    assert "Agree to share" not in page
    client.force_login(adviser)
    again = client.post(url)
    assert again.status_code == 400
    assert "still waiting" in again.content.decode()
