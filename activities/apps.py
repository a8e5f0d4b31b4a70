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
        from portal.roles import STAFF

        # Growth advisers see the lists and mark attendance; creating and deciding stay with
        # managers (the views' role_required says which).
        register(NavItem("Events", "activities:event-list", STAFF, "calendar-event", 22))
        register(NavItem("Trade missions", "activities:mission-list", STAFF, "airplane", 24))
        register(NavItem("Peer groups", "activities:group-list", STAFF, "people", 26))
        register(NavItem("Consortia", "activities:consortium-list", STAFF, "diagram-3", 27))
        register(NavItem("Challenges", "activities:challenge-list", STAFF, "lightbulb", 28))
