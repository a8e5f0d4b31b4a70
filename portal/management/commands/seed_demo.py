"""`manage.py seed_demo`: build the demo data set and print its logins (`make run` does this).

The building happens in `portal.demo`; this command only guards against running on a
production database and prints the summary.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from portal.demo import build_demo


class Command(BaseCommand):
    help = (
        "Create or refresh the demo organisations, staff, SMEs and invitations. Safe to run "
        "again: it leaves exactly the same data."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (the demo accounts share a published password).",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts, including a superuser, whose password is "
                "published; it refuses to run with DEBUG off. Use --force on a demo server."
            )
        summary = build_demo()
        if connection.vendor == "postgresql":
            # Fresh tables have no planner statistics until autovacuum gets to them; without
            # them PostgreSQL picks nested loops for the impact figures (seconds, not ms).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(summary.as_text())
