"""Celery tasks of the portal app: thin wrappers that take primary keys and call services."""

from celery import shared_task

from portal import services
from portal.tenancy import scopes_disabled


@shared_task(
    autoretry_for=(ConnectionError,), retry_backoff=True, retry_backoff_max=600, max_retries=8
)
def send_outgoing_email(email_id: int) -> bool:
    return services.email_send(email_id=email_id)


@shared_task
def flush_outbox() -> int:
    return services.outbox_flush()


@shared_task
def expire_invitations() -> int:
    # A periodic sweep over every organisation's invitations: crossing tenants is the point.
    with scopes_disabled():
        return services.invitations_expire()


@shared_task
def ping() -> str:
    """Round trip used by the health check of the worker and by the CI worker test."""
    return "pong"
