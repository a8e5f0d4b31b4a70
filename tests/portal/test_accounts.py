"""Accounts: sign-up with e-mail verification, sign-in, rate limits, invitations,
organisation switching, required two-factor authentication, the Django admin."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled

from portal.models import Invitation, Membership, Organisation, User
from portal.roles import Role
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-Long-and-unusual-passphrase-42"


def _link(message, pattern):
    match = re.search(pattern, message.body)
    assert match, message.body
    return match.group(0).replace("http://testserver", "")


def _sign_up(client, email):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )


def _confirm_email(client, outbox):
    url = _link(outbox[-1], r"http://testserver/accounts/confirm-email/[^\s]+/")
    assert client.get(url).status_code == 200
    return client.post(url)


def test_sign_up_requires_verification_before_sign_in(client, mailoutbox):
    response = _sign_up(client, "founder@newco.example")
    assert response.status_code == 302
    user = User.objects.get(email="founder@newco.example")
    assert len(mailoutbox) == 1
    assert "confirm" in mailoutbox[0].subject.lower()

    client.logout()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert "confirm-email" in response["Location"]
    assert "_auth_user_id" not in client.session

    _confirm_email(client, mailoutbox)
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_sign_up_form_keeps_input_and_explains_errors(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "keep@me.example", "password1": "short", "password2": "different"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="keep@me.example"' in body
    assert not User.objects.filter(email="keep@me.example").exists()


def test_login_lands_member_on_organisation_dashboard(client, organisation, make_member):
    member = make_member(organisation, Role.PROGRAMME_MANAGER)
    response = client.post(
        reverse("account_login"), {"login": member.user.email, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/{organisation.slug}/"
    assert "Programme management" in response.content.decode()


def test_login_without_membership_lands_on_my_pages(client, user):
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/my/"


def test_failed_logins_are_throttled(client, user):
    def attempt(password):
        return client.post(reverse("account_login"), {"login": user.email, "password": password})

    first = attempt("wrong")
    assert "Too many failed login attempts" not in first.content.decode()
    for _ in range(6):
        attempt("wrong")
    # Even the right password is refused while the account is throttled.
    response = attempt(PASSWORD)
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_link(client, user, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/password/reset/key/" in mailoutbox[0].body


def test_admin_invites_and_invitee_signs_up_and_lands_in_organisation(
    client, organisation, make_member, django_capture_on_commit_callbacks, mailoutbox
):
    admin = make_member(organisation, Role.ADMIN)
    client.force_login(admin.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("portal:members", kwargs={"org_slug": organisation.slug}),
            {"email": "New.Adviser@Example.org", "role": Role.GROWTH_ADVISER},
        )
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    invite = mailoutbox[0]
    assert invite.to == ["new.adviser@example.org"]
    assert organisation.name in invite.subject
    accept_url = _link(invite, r"http://testserver/invitations/[^\s]+/")

    client.logout()
    # Anonymous: the invitation link asks them to sign in first, keeping the link as next.
    response = client.get(accept_url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")

    _sign_up(client, "new.adviser@example.org")
    _confirm_email(client, mailoutbox)
    client.logout()
    client.post(
        reverse("account_login"),
        {"login": "new.adviser@example.org", "password": NEW_PASSWORD},
    )
    response = client.get(accept_url)
    assert response.status_code == 200
    assert "Growth adviser".lower() in response.content.decode().lower()
    response = client.post(accept_url, follow=True)
    assert response.redirect_chain[-1][0] == f"/{organisation.slug}/"
    membership = Membership.objects.get(user__email="new.adviser@example.org")
    assert (membership.organisation, membership.role) == (organisation, Role.GROWTH_ADVISER)
    with scopes_disabled():
        assert Invitation.objects.get(email="new.adviser@example.org").status == "accepted"
    # A double click on accept leaves one membership.
    client.post(accept_url)
    assert Membership.objects.filter(user__email="new.adviser@example.org").count() == 1


def test_invitation_for_another_address_is_refused(client, organisation, make_member):
    admin = make_member(organisation, Role.ADMIN)
    client.force_login(admin.user)
    client.post(
        reverse("portal:members", kwargs={"org_slug": organisation.slug}),
        {"email": "invited@example.org", "role": Role.REVIEWER},
    )
    with scopes_disabled():
        invitation = Invitation.objects.get(email="invited@example.org")
    intruder = UserFactory(email="intruder@example.org")
    client.force_login(intruder)
    response = client.post(invitation.get_accept_url())
    assert response.status_code == 400
    assert "invited@example.org" in response.content.decode()
    assert not Membership.objects.filter(user=intruder).exists()


def test_expired_invitation_is_refused_with_a_clear_page(client, organisation, make_member):
    from django.core.management import call_command
    from django.utils import timezone

    admin = make_member(organisation, Role.ADMIN)
    client.force_login(admin.user)
    client.post(
        reverse("portal:members", kwargs={"org_slug": organisation.slug}),
        {"email": "late@example.org", "role": Role.REVIEWER},
    )
    with scopes_disabled():
        Invitation.objects.filter(email="late@example.org").update(
            expires_at=timezone.now() - timezone.timedelta(days=1)
        )
        call_command("run_periodic", stdout=None)
        invitation = Invitation.objects.get(email="late@example.org")
    assert invitation.status == Invitation.Status.EXPIRED
    late = UserFactory(email="late@example.org")
    client.force_login(late)
    response = client.post(invitation.get_accept_url())
    assert response.status_code == 400
    assert "no longer valid" in response.content.decode()
    assert not Membership.objects.filter(user=late).exists()


def test_invite_form_shows_errors_next_to_the_field_and_keeps_input(
    client, organisation, make_member
):
    admin = make_member(organisation, Role.ADMIN)
    client.force_login(admin.user)
    url = reverse("portal:members", kwargs={"org_slug": organisation.slug})
    response = client.post(url, {"email": "not-an-address", "role": Role.REVIEWER})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter a valid email address" in body
    assert 'value="not-an-address"' in body
    response = client.post(url, {"email": admin.user.email, "role": Role.REVIEWER})
    assert "already a member" in response.content.decode()


def test_user_switches_between_organisations(client, make_member):
    hub = OrganisationFactory(name="Pennine Growth Hub", slug="pennine")
    agency = OrganisationFactory(name="Capital Trade", slug="capital")
    membership = make_member(hub, Role.MENTOR)
    MembershipFactory(user=membership.user, organisation=agency, role=Role.REVIEWER)
    client.force_login(membership.user)

    body = client.get("/pennine/").content.decode()
    # The switcher offers both organisations, with the role in each.
    assert 'href="/capital/"' in body and 'href="/pennine/"' in body
    assert "Your mentoring" in body

    body = client.get("/capital/").content.decode()
    assert "Applications to review" in body
    # Home remembers the organisation last used.
    assert client.get("/")["Location"] == "/capital/"
    client.get("/pennine/")
    assert client.get("/")["Location"] == "/pennine/"


def test_organisation_requiring_mfa_sends_members_to_set_it_up(client, make_member):
    org = OrganisationFactory(require_mfa=True)
    member = make_member(org, Role.PROGRAMME_MANAGER)
    client.force_login(member.user)
    response = client.get(f"/{org.slug}/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")

    Authenticator.objects.create(
        user=member.user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    assert client.get(f"/{org.slug}/").status_code == 200


def test_admin_turns_on_required_mfa_in_settings(client, organisation, make_member):
    admin = make_member(organisation, Role.ADMIN)
    client.force_login(admin.user)
    response = client.post(
        reverse("portal:settings", kwargs={"org_slug": organisation.slug}),
        {
            "name": organisation.name,
            "accent_colour": "#123456",
            "contact_email": "team@example.org",
            "description": "We help.",
            "time_zone": "Europe/London",
            "require_mfa": "on",
        },
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.require_mfa and organisation.accent_colour == "#123456"


def test_settings_refuse_bad_colour_and_non_image_logo(client, organisation, make_member):
    from django.core.files.uploadedfile import SimpleUploadedFile

    admin = make_member(organisation, Role.ADMIN)
    client.force_login(admin.user)
    response = client.post(
        reverse("portal:settings", kwargs={"org_slug": organisation.slug}),
        {
            "name": "Renamed",
            "accent_colour": "red",
            "time_zone": "Europe/London",
            "logo": SimpleUploadedFile("logo.png", b"not an image", content_type="image/png"),
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "six hex digits" in body
    assert "valid image" in body
    organisation.refresh_from_db()
    assert organisation.name != "Renamed"


def test_reserved_slugs_are_refused():
    for slug in ("admin", "my", "accounts", "static", "o"):
        with pytest.raises(ValidationError):
            Organisation(name="Clash", slug=slug).full_clean()


def test_last_admin_cannot_be_demoted_or_removed(client, organisation, make_member):
    admin = make_member(organisation, Role.ADMIN)
    client.force_login(admin.user)
    client.post(
        reverse("portal:member-role", kwargs={"org_slug": organisation.slug, "pk": admin.pk}),
        {"role": Role.FUNDER},
    )
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN
    client.post(
        reverse("portal:member-remove", kwargs={"org_slug": organisation.slug, "pk": admin.pk})
    )
    assert Membership.objects.filter(pk=admin.pk).exists()


def test_admin_changes_a_role_and_removes_a_member_after_confirming(
    client, organisation, make_member
):
    admin = make_member(organisation, Role.ADMIN)
    other = make_member(organisation, Role.REVIEWER)
    client.force_login(admin.user)
    slug = organisation.slug
    client.post(
        reverse("portal:member-role", kwargs={"org_slug": slug, "pk": other.pk}),
        {"role": Role.FUNDER},
    )
    other.refresh_from_db()
    assert other.role == Role.FUNDER
    remove_url = reverse("portal:member-remove", kwargs={"org_slug": slug, "pk": other.pk})
    confirm = client.get(remove_url)
    assert confirm.status_code == 200 and "Remove access" in confirm.content.decode()
    assert Membership.objects.filter(pk=other.pk).exists()
    client.post(remove_url)
    assert not Membership.objects.filter(pk=other.pk).exists()


def test_django_admin_is_for_superusers_behind_the_portal_login(client, user):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    client.force_login(user)
    assert client.get("/admin/").status_code in (302, 403)
    staff_not_super = UserFactory(is_staff=True)
    client.force_login(staff_not_super)
    assert client.get("/admin/").status_code in (302, 403)
    root = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(root)
    assert client.get("/admin/").status_code == 200


def test_no_mail_is_sent_when_invitation_transaction_rolls_back(organisation, make_member):
    from django.db import transaction

    from portal import services
    from portal.tenancy import tenant_scope

    admin = make_member(organisation, Role.ADMIN)
    with pytest.raises(RuntimeError), tenant_scope(organisation), transaction.atomic():
        services.invitation_create(
            organisation=organisation,
            email="x@example.org",
            role=Role.MENTOR,
            invited_by=admin.user,
        )
        raise RuntimeError("rolled back")
    assert mail.outbox == []
