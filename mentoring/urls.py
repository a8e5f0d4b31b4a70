"""Staff and mentor pages of mentoring, under /<org-slug>/mentoring/ (namespace
`mentoring`)."""

from django.urls import path

from mentoring import views_matching as matching
from mentoring import views_mentors as mentors
from mentoring import views_sessions as sessions

app_name = "mentoring"

urlpatterns = [
    # Mentors: recruitment, profiles, induction, availability (views_mentors)
    path("mentoring/mentors/", mentors.mentor_list, name="mentor-list"),
    path("mentoring/mentors/<int:pk>/", mentors.mentor_detail, name="mentor-detail"),
    path("mentoring/mentors/<int:pk>/decide/", mentors.mentor_decide, name="mentor-decide"),
    path(
        "mentoring/mentors/<int:pk>/induction/", mentors.mentor_induction, name="mentor-induction"
    ),
    path("mentoring/profile/", mentors.my_profile, name="my-profile"),
    path("mentoring/availability/", mentors.availability, name="availability"),
    path(
        "mentoring/availability/weekly/<int:pk>/delete/",
        mentors.weekly_delete,
        name="weekly-delete",
    ),
    path("mentoring/availability/slots/<int:pk>/delete/", mentors.slot_delete, name="slot-delete"),
    # Needs, matching and adviser contact (views_matching)
    path("mentoring/companies/", matching.company_list, name="company-list"),
    path("mentoring/overdue/", matching.overdue, name="overdue"),
    path("mentoring/enrolments/<int:pk>/", matching.enrolment_detail, name="enrolment"),
    path("mentoring/enrolments/<int:pk>/diagnose/", matching.diagnose, name="diagnose"),
    path("mentoring/enrolments/<int:pk>/match/", matching.match_candidates, name="match"),
    path(
        "mentoring/enrolments/<int:pk>/propose/<int:mentor_pk>/",
        matching.propose,
        name="propose",
    ),
    path("mentoring/enrolments/<int:pk>/contact/", matching.log_contact, name="log-contact"),
    path("mentoring/matches/", matching.my_matches, name="my-matches"),
    path("mentoring/matches/<int:pk>/respond/", matching.respond, name="match-respond"),
    path("mentoring/matches/<int:pk>/end/", matching.end_match, name="match-end"),
    # Sessions, no-shows and fee claims (views_sessions)
    path("mentoring/sessions/", sessions.session_list, name="session-list"),
    path("mentoring/sessions/<int:pk>/", sessions.session_detail, name="session"),
    path("mentoring/sessions/<int:pk>/cancel/", sessions.session_cancel, name="session-cancel"),
    path("mentoring/sessions/<int:pk>/invite.ics", sessions.session_ics, name="session-ics"),
    path("mentoring/attendance/", sessions.attendance, name="attendance"),
    path("mentoring/claims/", sessions.claim_list, name="claim-list"),
    path("mentoring/claims/<int:pk>/", sessions.claim_detail, name="claim"),
    path("mentoring/claims/export.csv", sessions.claims_export, name="claims-export"),
    path(
        "mentoring/programmes/<int:pk>/cost/",
        sessions.programme_cost,
        name="programme-cost",
    ),
    path(
        "mentoring/programmes/<int:pk>/settings/",
        sessions.programme_settings,
        name="programme-settings",
    ),
]
