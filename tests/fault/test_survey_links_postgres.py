"""Survey links under attack, through the page as a browser reaches it (PostgreSQL leg:
PostgreSQL refuses a NUL byte in a query with an error where SQLite just finds nothing).

- Ten thousand random, altered and truncated tokens are refused (404) without an error page
  and change nothing.
- Fifty browsers submit the same link at the same moment (a double-clicking respondent, a
  forwarded mail, a retrying proxy): one response is stored, everyone else is told the
  answers are already in. tests/impact/test_answer_concurrency_postgres.py proves the same
  for the service; this goes through the middleware, the form and the view."""

import random
import string
import threading
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import Client

from impact.models import SurveyInvitation, SurveyResponse
from portal.models import OutgoingEmail
from portal.tenancy import scopes_disabled
from tests.factories import SurveyInvitationFactory
from tests.impact.test_answer_page import ANSWERS

SUBMITTERS = 50
TOKENS = 10_000
URL_SAFE = string.ascii_letters + string.digits + "-_"
HOSTILE = URL_SAFE + "./%~!$&'()*+,;=:@ é\x00\u202e\\<>\"'\n\t"


def _hostile_tokens(token: str, count: int, seed: int) -> list[str]:
    """Altered (one character changed, inserted, dropped or its case flipped), truncated,
    extended and wholly random tokens; the random ones include every odd byte a hand-edited
    or scanner-mangled URL may carry. Never the real token."""
    rng = random.Random(seed)
    seen = {token}
    out = []

    def altered():
        i = rng.randrange(len(token))
        kind = rng.randrange(4)
        if kind == 0:
            return token[:i] + rng.choice(URL_SAFE) + token[i + 1 :]
        if kind == 1:
            return token[:i] + rng.choice(URL_SAFE) + token[i:]
        if kind == 2:
            return token[:i] + token[i + 1 :]
        return token[:i] + token[i].swapcase() + token[i + 1 :]

    makers = [
        altered,
        lambda: token[: rng.randrange(1, len(token))],  # truncated (a wrapped mail line)
        lambda: token + "".join(rng.choices(HOSTILE, k=rng.randrange(1, 8))),  # tail junk
        lambda: "".join(rng.choices(URL_SAFE, k=len(token))),  # right shape, random
        lambda: "".join(rng.choices(HOSTILE, k=rng.randrange(1, 120))),  # anything
    ]
    while len(out) < count:
        candidate = rng.choice(makers)()
        if candidate and candidate not in seen:
            seen.add(candidate)
            out.append(candidate)
    return out


def _state(invitation):
    with scopes_disabled():
        row = SurveyInvitation.objects.get(pk=invitation.pk)
        return (
            row.status,
            row.sent_at,
            row.expires_at,
            row.answered_at,
            row.reminders_sent,
            SurveyResponse.objects.count(),
            OutgoingEmail.objects.count(),
        )


@pytest.mark.django_db
def test_ten_thousand_wrong_tokens_are_refused_and_never_an_error_page():
    invitation = SurveyInvitationFactory(sent=True)
    before = _state(invitation)
    client = Client(raise_request_exception=False)
    tokens = _hostile_tokens(invitation.token, TOKENS, seed=7)
    assert len(set(tokens)) == TOKENS
    statuses = {}
    for n, candidate in enumerate(tokens):
        url = f"/s/{quote(candidate, safe='')}/"
        # Every token is opened; every tenth is also submitted with a full set of answers.
        responses = [client.get(url)]
        if n % 10 == 0:
            responses.append(client.post(url, {**ANSWERS, "submit": "1"}))
        for response in responses:
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            assert response.status_code == 404, (candidate, response.status_code)
    assert statuses == {404: TOKENS + TOKENS // 10}
    assert _state(invitation) == before  # nothing answered, nothing stored, nothing sent


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_submissions_of_one_link_store_one_response():
    invitation = SurveyInvitationFactory(sent=True)
    url = invitation.get_answer_url()
    barrier = threading.Barrier(SUBMITTERS)
    results = [None] * SUBMITTERS

    def submit(index):
        client = Client()
        try:
            barrier.wait()
            data = {**ANSWERS, "jobs_created": str(index), "submit": "1"}
            response = client.post(url, data)
            results[index] = (response.status_code, response.content.decode())
        except Exception as exc:  # noqa: BLE001 - reported by the assertions below
            results[index] = ("error", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(SUBMITTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    statuses = [status for status, _ in results]
    assert statuses.count(302) == 1, statuses
    assert all(isinstance(status, int) and status < 500 for status in statuses), results
    for status, text in results:
        if status != 302:
            assert (
                "already" in text  # "already submitted" / "we already have your answers"
            ), text[:500]
    winner = statuses.index(302)
    with scopes_disabled():
        stored = SurveyResponse.objects.get()
        invitation.refresh_from_db()
    assert stored.jobs_created == winner and stored.is_submitted
    assert invitation.status == SurveyInvitation.Status.ANSWERED
