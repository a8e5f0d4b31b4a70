from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    """Programme activities: workshops and events, trade missions, peer groups, export
    consortia and innovation challenges. Its own app rather than part of programmes/ because
    every activity involves cohorts and companies, and dependencies run one way:
    portal <- programmes <- cohorts <- activities."""

    name = "activities"
    verbose_name = "Programme activities"

    def ready(self):
        from portal.navigation import NavItem, register
        from portal.roles import MANAGERS

        register(NavItem("Events", "activities:event-list", MANAGERS, "calendar-event", 22))
        register(NavItem("Trade missions", "activities:mission-list", MANAGERS, "airplane", 24))
        register(NavItem("Peer groups", "activities:group-list", MANAGERS, "people", 26))
        register(NavItem("Consortia", "activities:consortium-list", MANAGERS, "diagram-3", 27))
        register(NavItem("Challenges", "activities:challenge-list", MANAGERS, "lightbulb", 28))
