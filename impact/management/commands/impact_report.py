"""Write a programme's impact report (the same as the web page and the issued reports):

python manage.py impact_report --programme SLUG [--organisation ORG_SLUG] [--cohort N]
    --format pdf|csv|html -o FILE
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portal.models import Organisation
from portal.tenancy import scopes_disabled, tenant_scope


class Command(BaseCommand):
    help = "Write a programme's impact report as PDF, CSV or HTML."

    def add_arguments(self, parser):
        parser.add_argument("--programme", required=True, help="The programme's slug.")
        parser.add_argument(
            "--organisation",
            help="The organisation's slug; needed when two organisations use the same "
            "programme slug.",
        )
        parser.add_argument("--cohort", type=int, help="Only this cohort number.")
        parser.add_argument("--format", choices=["pdf", "csv", "html"], default="pdf")
        parser.add_argument("-o", "--output", required=True, help="The file to write.")

    def handle(self, *args, **options):
        from impact import reports

        organisation = self._organisation(options["programme"], options.get("organisation"))
        zone = timezone.get_default_timezone()
        try:
            import zoneinfo

            zone = zoneinfo.ZoneInfo(organisation.time_zone)
        except (ValueError, KeyError):
            pass
        with tenant_scope(organisation), timezone.override(zone):
            programme = organisation.programmes.filter(slug=options["programme"]).first()
            if programme is None:
                raise CommandError(
                    f"{organisation.name} has no programme “{options['programme']}”."
                )
            filters, cohort = {}, None
            if options.get("cohort") is not None:
                cohort = programme.cohorts.filter(number=options["cohort"]).first()
                if cohort is None:
                    numbers = ", ".join(
                        str(n)
                        for n in programme.cohorts.order_by("number").values_list(
                            "number", flat=True
                        )
                    )
                    raise CommandError(
                        f"{programme.name} has no cohort {options['cohort']}"
                        + (f" (its cohorts: {numbers})." if numbers else ".")
                    )
                filters["cohort"] = cohort.pk
            fmt = options["format"]
            context = reports.report_context(
                reports.scope_for(programme, filters),
                programme=programme,
                cohort=cohort,
                with_charts=fmt != "csv",
            )
            content = reports.render_file(context, fmt)
        path = Path(options["output"])
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"Cannot write {path}: {exc.strerror}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote the {fmt.upper()} impact report of {programme.name} to {path} "
                f"({len(content):,} bytes)."
            )
        )

    def _organisation(self, programme_slug: str, organisation_slug: str | None) -> Organisation:
        if organisation_slug:
            organisation = Organisation.objects.filter(slug=organisation_slug).first()
            if organisation is None:
                raise CommandError(f"No organisation has the slug “{organisation_slug}”.")
            return organisation
        # Which organisations have a programme with this slug: a lookup across tenants, to
        # find the one to scope to.
        with scopes_disabled():
            from programmes.models import Programme

            ids = sorted(
                set(
                    Programme.objects.filter(slug=programme_slug).values_list(
                        "organisation_id", flat=True
                    )
                )
            )
        if not ids:
            raise CommandError(f"No programme has the slug “{programme_slug}”.")
        if len(ids) > 1:
            slugs = ", ".join(
                Organisation.objects.filter(pk__in=ids)
                .order_by("slug")
                .values_list("slug", flat=True)
            )
            raise CommandError(
                f"Several organisations have a programme “{programme_slug}” ({slugs}); "
                "name one with --organisation."
            )
        return Organisation.objects.get(pk=ids[0])
