"""Sign-in under attack: brute force on the portal's sign-in page and on the Django admin's
login is throttled; a TOTP code works once; the session key changes at sign-in; a
signed-out session cookie no longer opens anything."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

THROTTLED = "Too many failed login attempts"


def _login(client, email, password, path=None):
    return client.post(path or reverse("account_login"), {"login": email, "password": password})


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_guessing_many_accounts_from_one_address_is_throttled_per_address(client):
    """The per-account limit (tests/portal/test_accounts.py) is not enough: an attacker
    tries one password on many accounts. allauth limits failed logins per IP too."""
    victims = [UserFactory() for _ in range(12)]
    texts = [_login(client, v.email, "Summer2026!").content.decode() for v in victims]
    assert THROTTLED not in texts[0]
    assert THROTTLED in texts[-1]
    # While the address is throttled even a right password from it is refused.
    fresh = UserFactory()
    assert THROTTLED in _login(client, fresh.email, PASSWORD).content.decode()
    assert not _signed_in(client)
    # Someone else, from another address, still signs in.
    other = Client(REMOTE_ADDR="192.0.2.77")
    _login(other, fresh.email, PASSWORD)
    assert _signed_in(other)


def test_the_django_admin_login_goes_through_the_throttled_sign_in(client):
    root = UserFactory(is_staff=True, is_superuser=True)
    # The admin's own login form does not check passwords: it sends to the portal's page.
    response = client.post("/admin/login/", {"username": root.email, "password": "wrong"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    for _ in range(12):
        client.post("/admin/login/", {"username": root.email, "password": PASSWORD})
    assert not _signed_in(client)
    # Guessing at the page it sends to is throttled, for the superuser as for anyone.
    for _ in range(6):
        _login(client, root.email, "wrong", path=response["Location"])
    throttled = _login(client, root.email, PASSWORD, path=response["Location"])
    assert THROTTLED in throttled.content.decode()
    assert not _signed_in(client)
    assert client.get("/admin/").status_code == 302


def _current_code(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def test_a_used_totp_code_is_refused_the_second_time(client):
    user = UserFactory()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    code = _current_code(secret)

    first = _login(client, user.email, PASSWORD)
    assert first["Location"] == reverse("mfa_authenticate") and not _signed_in(client)
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert _signed_in(client)

    thief = Client(REMOTE_ADDR="198.51.100.9")  # saw the code over the shoulder
    assert _login(thief, user.email, PASSWORD)["Location"] == reverse("mfa_authenticate")
    replay = thief.post(reverse("mfa_authenticate"), {"code": code})
    assert replay.status_code == 200 and "Incorrect code" in replay.content.decode()
    assert not _signed_in(thief)


def test_the_session_key_changes_at_sign_in(client):
    user = UserFactory()
    client.get(reverse("account_login"))
    session = client.session
    session["planted"] = "by an attacker who fixed this session id"
    session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    _login(client, user.email, PASSWORD)
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert _signed_in(client) and after != before
    # The fixed session id is of no use: it is not signed in.
    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = before
    assert attacker.get("/my/").status_code == 302


def test_a_signed_out_session_cookie_is_dead(client):
    user = UserFactory()
    _login(client, user.email, PASSWORD)
    assert client.get("/my/").status_code == 200
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(reverse("account_logout"))
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = stolen
    response = replay.get("/my/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
