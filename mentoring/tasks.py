"""Celery tasks of mentoring: thin wrappers; the work claims rows under locks, so two
workers never send a reminder or a digest twice."""

from celery import shared_task

from portal.tenancy import scopes_disabled


@shared_task
def send_session_reminders() -> int:
    from mentoring import sessions

    # A periodic sweep over every organisation's sessions: crossing tenants is the point.
    with scopes_disabled():
        return sessions.reminders_dispatch()


@shared_task
def send_adviser_digests() -> int:
    """Monday's digest of companies overdue for contact, once per adviser per week."""
    from mentoring import contacts

    with scopes_disabled():
        return contacts.digests_send()
