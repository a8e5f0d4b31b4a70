from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal: tenancy and accounts"

    def ready(self):
        from portal import audit, navigation
        from portal.roles import ALL_ROLES, Role

        navigation.register(
            navigation.NavItem("Dashboard", "portal:dashboard", ALL_ROLES, "house", 0)
        )
        navigation.register(
            navigation.NavItem("Members", "portal:members", frozenset({Role.ADMIN}), "people", 900)
        )
        navigation.register(
            navigation.NavItem(
                "Organisation settings", "portal:settings", frozenset({Role.ADMIN}), "gear", 910
            )
        )
        audit.register_audited_models()
        navigation.register(
            navigation.NavItem(
                "Audit trail", "portal:audit", frozenset({Role.ADMIN}), "journal-text", 920
            )
        )
