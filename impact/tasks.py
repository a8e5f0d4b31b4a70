"""Celery tasks of impact: thin wrappers around services. The periodic dispatcher is safe
to run on several workers at once: it claims rows under a lock (impact/services.py)."""

from celery import shared_task

from portal.celery import TenantTask
from portal.tenancy import scopes_disabled


@shared_task
def dispatch_surveys() -> dict:
    """Send due invitations, reminders and expiries across every organisation."""
    from impact import services

    # A periodic sweep over every organisation's invitations: crossing tenants is the point.
    with scopes_disabled():
        return services.surveys_dispatch()


@shared_task
def plan_surveys() -> int:
    """Create the invitations whose anchor is now known, for every organisation."""
    from impact import services

    with scopes_disabled():
        return services.surveys_plan_all()


@shared_task(
    base=TenantTask, bind=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5
)
def render_report(self, report_id: int, *, organisation_id: int) -> None:
    from impact import reports

    reports.report_render(report_id=report_id)
