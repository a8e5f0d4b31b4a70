from django.apps import AppConfig


class ImpactConfig(AppConfig):
    name = "impact"
    verbose_name = "Impact and funder reports"

    def ready(self):
        from impact.permissions import IMPACT_READERS
        from portal.navigation import NavItem, register

        register(NavItem("Impact", "impact:overview", IMPACT_READERS, "graph-up-arrow", 50))
