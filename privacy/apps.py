from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Data rights: subject access exports, erasure (anonymisation in place), retention.
    Last in the dependency order because it reaches into every app's data:
    portal <- programmes <- cohorts <- mentoring, impact <- privacy."""

    name = "privacy"
    verbose_name = "Data rights"

    def ready(self):
        from portal.navigation import NavItem, register
        from portal.roles import MANAGERS, Role

        # Celery's autodiscovery imports <app>.tasks only; the subject-access tasks live in
        # their own module so that two helpers did not share one file.
        from privacy import tasks_export  # noqa: F401

        # Erasure requests for admins; retention and withdrawals for managers (R2).
        register(
            NavItem(
                "Erasure requests",
                "privacy-staff:erasure-list",
                frozenset({Role.ADMIN}),
                "person-x",
                90,
            )
        )
        register(
            NavItem("Data retention", "privacy-staff:retention", MANAGERS, "hourglass-split", 91)
        )
