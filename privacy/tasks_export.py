"""Celery tasks of subject access: thin wrappers around privacy.subject_access.

Retries are driven by the database, not by Celery: an export that failed stays pending and
the periodic sweep hands it to a worker again until MAX_ATTEMPTS, then marks it failed so
the person can ask again (DESIGN.md, scheduling: state that must survive a crash lives in
the database)."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task
def build_export(export_id: int) -> bool:
    from privacy import subject_access

    try:
        return subject_access.export_build(export_id=export_id)
    except Exception as exc:
        subject_access.export_note_error(export_id=export_id, error=f"{type(exc).__name__}: {exc}")
        # Not re-raised: the request that enqueued this (eager mode) must not fail with it,
        # and the sweep retries the export.
        logger.exception("Building data export %s failed", export_id)
        return False


@shared_task
def sweep_exports() -> dict:
    """Expire exports past their date (files deleted), retry stale ones."""
    from privacy import subject_access

    return subject_access.exports_sweep()
