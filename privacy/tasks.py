"""Celery tasks of data rights (erasure and retention): thin wrappers that call services.
The subject-access tasks live in privacy/tasks_export.py."""

from celery import shared_task

from portal.tenancy import scopes_disabled
from privacy import retention


@shared_task
def apply_retention() -> int:
    """The periodic retention sweep (CELERY_BEAT_SCHEDULE and run_periodic)."""
    # Crosses every organisation's programmes: that is the point of the sweep.
    with scopes_disabled():
        return retention.retention_sweep()
