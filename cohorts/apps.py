from django.apps import AppConfig


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = "Cohorts, companies and applications"

    def ready(self):
        from portal.navigation import NavItem, register
        from portal.roles import MANAGERS, REVIEWERS, STAFF

        register(NavItem("Cohorts", "cohorts:cohort-list", MANAGERS, "people-fill", 20))
        register(NavItem("Reviews", "cohorts:my-reviews", REVIEWERS, "clipboard-check", 30))
        register(NavItem("Companies", "cohorts:company-list", STAFF, "building", 40))
        register(NavItem("Referrals", "cohorts:referral-list", STAFF, "share", 45))
