"""`manage.py import_outcomes --programme SLUG [--organisation ORG] FILE.csv`

Imports historic follow-up results, one row per company per survey round, with the columns
company, registration_number, cohort, round, responded_on, jobs_created, new_deals,
new_markets, further_funding, funding_amount, new_offices, turnover, profit. All or
nothing: a file with any bad row imports nothing and every bad row is listed (see
impact/importer.py for the rules).
"""

from django.core.management.base import BaseCommand, CommandError

from impact.importer import COLUMNS, ImportRejected, outcomes_import
from portal.models import Organisation
from portal.tenancy import scopes_disabled
from programmes.models import Programme


class Command(BaseCommand):
    help = (
        "Import historic survey results from a CSV file (one row per company per round). "
        f"Columns: {', '.join(COLUMNS)}. Nothing is imported if any row is bad."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV file (UTF-8 or Excel CSV).")
        parser.add_argument("--programme", required=True, help="The programme's slug.")
        parser.add_argument(
            "--organisation",
            help="The organisation's slug, when several organisations have a programme "
            "with this slug.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and say what would be created, without importing.",
        )

    def handle(self, *args, file, programme, organisation=None, dry_run=False, **options):
        target = self._programme(programme, organisation)
        try:
            with open(file, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}.") from exc
        try:
            result = outcomes_import(programme=target, data=data, dry_run=dry_run)
        except ImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            bad = len(exc.errors)
            raise CommandError(
                f"Nothing was imported: {bad} bad row{'s' if bad != 1 else ''} in {file}."
            ) from None
        self.stdout.write(self.style.SUCCESS(result.as_text(target.name)))
        if result.new_cohort_numbers:
            numbers = ", ".join(str(n) for n in result.new_cohort_numbers)
            self.stdout.write(
                f"New cohort{'s' if len(result.new_cohort_numbers) > 1 else ''} {numbers}: "
                "dates estimated from the survey rounds; check them on the cohort page."
            )

    def _programme(self, slug: str, organisation_slug: str | None) -> Programme:
        with scopes_disabled():
            programmes = Programme.objects.filter(slug=slug).select_related("organisation")
            if organisation_slug:
                if not Organisation.objects.filter(slug=organisation_slug).exists():
                    raise CommandError(f"No organisation with the slug {organisation_slug!r}.")
                programmes = programmes.filter(organisation__slug=organisation_slug)
            found = list(programmes.order_by("organisation__slug"))
        if not found:
            where = f" in {organisation_slug}" if organisation_slug else ""
            raise CommandError(f"No programme with the slug {slug!r}{where}.")
        if len(found) > 1:
            slugs = ", ".join(p.organisation.slug for p in found)
            raise CommandError(
                f"Several organisations have a programme {slug!r} ({slugs}): "
                "say which with --organisation."
            )
        return found[0]
