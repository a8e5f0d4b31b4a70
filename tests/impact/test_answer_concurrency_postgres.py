"""Fifty concurrent submissions of one survey link store exactly one response
(PostgreSQL: real row locks; collected in the PostgreSQL leg of CI)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from impact import services
from impact.models import SurveyResponse
from portal.tenancy import scopes_disabled, tenant_scope
from tests.factories import SurveyInvitationFactory
from tests.impact.test_answer_page import ANSWERS


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_submissions_store_one_response():
    invitation = SurveyInvitationFactory(sent=True)
    barrier = threading.Barrier(50)
    outcomes = []

    def submit():
        try:
            barrier.wait()
            with tenant_scope(invitation.organisation):
                services.response_save(invitation=invitation, data=ANSWERS, submit=True)
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(set(outcomes)) == ["ok", "refused"] and outcomes.count("ok") == 1, outcomes
    with scopes_disabled():
        assert SurveyResponse.objects.filter(submitted_at__isnull=False).count() == 1
