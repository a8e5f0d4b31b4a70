"""Run the periodic jobs of CELERY_BEAT_SCHEDULE without Celery beat.

`manage.py run_periodic` runs every job once (for cron users); `--loop` keeps running them
on their schedules, which is how `make run` keeps reminders and surveys on time with no
Redis. The jobs are the same tasks beat would send, executed in this process.
"""

import time

from celery.schedules import maybe_schedule
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from portal.celery import app


class Command(BaseCommand):
    help = "Run the periodic jobs once, or on their schedule with --loop."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep running on schedule.")
        parser.add_argument(
            "--tick", type=float, default=5.0, help="Seconds between schedule checks (--loop)."
        )

    def handle(self, *args, loop=False, tick=5.0, **options):
        app.loader.import_default_modules()
        entries = {
            name: (entry["task"], maybe_schedule(entry["schedule"]))
            for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        }
        last_run = {}
        while True:
            for name, (task_name, schedule) in entries.items():
                previous = last_run.get(name)
                if previous is not None and not schedule.is_due(previous).is_due:
                    continue
                last_run[name] = timezone.now()
                try:
                    result = app.tasks[task_name].apply(throw=True).get()
                except Exception as exc:  # noqa: BLE001 - one failing job must not stop the rest
                    self.stderr.write(f"{name}: failed: {exc!r}")
                    continue
                self.stdout.write(f"{name}: {result}")
            if not loop:
                return
            time.sleep(tick)
