from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = "Mentoring"

    def ready(self):
        from portal.navigation import NavItem, register
        from portal.roles import MANAGERS, STAFF, Role

        mentor = frozenset({Role.MENTOR})
        register(NavItem("Mentors", "mentoring:mentor-list", STAFF, "person-badge", 35))
        register(NavItem("Mentoring", "mentoring:company-list", STAFF, "diagram-3", 36))
        register(
            NavItem("Sessions", "mentoring:session-list", STAFF | mentor, "calendar-event", 37)
        )
        register(NavItem("Fee claims", "mentoring:claim-list", MANAGERS | mentor, "receipt", 38))
        register(NavItem("My matches", "mentoring:my-matches", mentor, "people", 11))
        register(NavItem("My profile", "mentoring:my-profile", mentor, "person-lines-fill", 12))
        register(NavItem("Availability", "mentoring:availability", mentor, "calendar-week", 13))
