"""`manage.py seed_demo`: the demo data set `make run` shows a newcomer."""

import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_scopes import scopes_disabled

from cohorts.models import Company, CompanyMember
from portal.demo import DEMO_PASSWORD, ORGANISATIONS, SUPERUSER_EMAIL
from portal.models import Invitation, Membership, Organisation, User
from portal.roles import Role

DEMO_SLUGS = [spec["slug"] for spec in ORGANISATIONS]


@pytest.fixture(autouse=True)
def _debug(settings):
    # The command refuses to run with DEBUG off (pytest-django switches it off).
    settings.DEBUG = True


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot():
    with scopes_disabled():
        return {
            "users": User.objects.count(),
            "organisations": Organisation.objects.count(),
            "partnerships": Organisation.partners.through.objects.count(),
            "memberships": Membership.objects.count(),
            "invitations": Invitation.objects.count(),
            "pending invitations": Invitation.objects.filter(status="pending").count(),
            "companies": Company.objects.count(),
            "company members": CompanyMember.objects.count(),
            "email addresses": EmailAddress.objects.count(),
            "emails": set(User.objects.values_list("email", flat=True)),
            "memberships by role": set(
                Membership.objects.values_list("user__email", "organisation__slug", "role")
            ),
            "passwords": set(User.objects.values_list("email", "password")),
            "companies updated": set(Company.objects.values_list("name", "updated_at")),
        }


@pytest.mark.django_db
def test_seeding_twice_leaves_the_same_data():
    seed()
    first = snapshot()
    output = seed()
    assert snapshot() == first
    assert "0 rows created, 0 updated" in output
    assert first["organisations"] >= 3
    assert first["companies"] >= 12
    assert first["pending invitations"] >= 2


@pytest.mark.django_db
def test_every_role_has_a_member_in_every_demo_organisation():
    seed()
    for slug in DEMO_SLUGS:
        roles = set(
            Membership.objects.filter(organisation__slug=slug).values_list("role", flat=True)
        )
        assert roles == set(Role.values), slug


@pytest.mark.django_db
def test_someone_belongs_to_two_organisations_and_partners_are_mutual():
    seed()
    assert any(user.memberships.count() >= 2 for user in User.objects.all())
    hub = Organisation.objects.get(slug="pennine-growth")
    network = Organisation.objects.get(slug="ne-innovation")
    assert hub in network.partners.all()
    assert network in hub.partners.all()


@pytest.mark.django_db
def test_every_demo_address_is_verified_and_primary():
    seed()
    for user in User.objects.all():
        assert EmailAddress.objects.filter(
            user=user, email=user.email, verified=True, primary=True
        ).exists(), user.email


@pytest.mark.django_db
def test_founders_own_companies_and_one_has_a_colleague():
    seed()
    owners = CompanyMember.objects.filter(role=CompanyMember.Role.OWNER)
    assert owners.count() == Company.objects.count()
    assert CompanyMember.objects.filter(role=CompanyMember.Role.COLLEAGUE).exists()
    assert not Membership.objects.filter(user__company_memberships__isnull=False).exists()


@pytest.mark.django_db
def test_printed_password_signs_in_staff_founders_and_superuser(client):
    output = seed()
    assert DEMO_PASSWORD in output
    for email in ("admin@capital-trade.demo", "mentor@pennine-growth.demo", SUPERUSER_EMAIL):
        assert email in output
        assert client.login(email=email, password=DEMO_PASSWORD), email
        client.logout()
    founder = CompanyMember.objects.filter(role=CompanyMember.Role.OWNER).first().user
    assert founder.email in output
    assert client.login(email=founder.email, password=DEMO_PASSWORD)
    assert User.objects.get(email=SUPERUSER_EMAIL).is_superuser


@pytest.mark.django_db
def test_a_changed_demo_password_is_put_back():
    seed()
    user = User.objects.get(email="manager@ne-innovation.demo")
    user.set_password("something-else")
    user.save()
    seed()
    user.refresh_from_db()
    assert user.check_password(DEMO_PASSWORD)


@pytest.mark.django_db
def test_an_expired_demo_invitation_is_made_pending_again():
    seed()
    with scopes_disabled():
        count = Invitation.objects.count()
        Invitation.objects.update(status=Invitation.Status.EXPIRED)
    seed()
    with scopes_disabled():
        assert Invitation.objects.count() == count
        assert all(i.is_usable for i in Invitation.objects.all())


@pytest.mark.django_db
def test_refuses_to_run_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=io.StringIO())
    assert not User.objects.exists()
    call_command("seed_demo", "--force", stdout=io.StringIO())
    assert User.objects.filter(email=SUPERUSER_EMAIL).exists()


@pytest.mark.django_db
def test_a_demo_founder_signs_in_through_the_login_page_with_mandatory_verification(client):
    seed()
    response = client.post(
        reverse("account_login"),
        {"login": "amara.okafor@lumengrid.demo", "password": DEMO_PASSWORD},
    )
    assert response.status_code == 302
    assert "confirm-email" not in response["Location"]
    assert response.wsgi_request.user.email == "amara.okafor@lumengrid.demo"
