from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = "Programmes and activities"

    def ready(self):
        from portal.navigation import NavItem, register
        from portal.roles import MANAGERS

        register(NavItem("Programmes", "programmes:programme-list", MANAGERS, "collection", 10))
        register(NavItem("Funders", "programmes:funder-list", MANAGERS, "bank", 60))
