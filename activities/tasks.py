"""Celery tasks of activities: thin wrappers; the work claims rows under locks, so two
workers never send a reminder twice."""

from celery import shared_task

from portal.tenancy import scopes_disabled


@shared_task
def send_event_reminders() -> int:
    from activities import events

    # A periodic sweep over every organisation's events: crossing tenants is the point.
    with scopes_disabled():
        return events.reminders_dispatch()
