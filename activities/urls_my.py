"""The SME's activity pages under /my/ (namespace `my-activities`)."""

from django.urls import path

from activities import (
    views_my_challenges,
    views_my_events,
    views_my_groups,
    views_my_missions,
)

app_name = "my-activities"

urlpatterns = [
    # Workshops and events
    path("events/", views_my_events.event_list, name="event-list"),
    path("events/<int:pk>/", views_my_events.event_detail, name="event-detail"),
    path("events/<int:pk>/register/", views_my_events.event_register, name="event-register"),
    path("events/<int:pk>/cancel/", views_my_events.event_cancel, name="event-cancel"),
    path("events/<int:pk>/decline/", views_my_events.event_decline, name="event-decline"),
    path("events/<int:pk>/feedback/", views_my_events.event_feedback, name="event-feedback"),
    path(
        "events/<int:pk>/certificate.pdf",
        views_my_events.event_certificate,
        name="event-certificate",
    ),
    path("events/<int:pk>/invite.ics", views_my_events.event_ics, name="event-ics"),
    path("calendar/", views_my_events.calendar, name="calendar"),
    path(
        "calendar/regenerate/",
        views_my_events.calendar_regenerate,
        name="calendar-regenerate",
    ),
    # Trade missions
    path("missions/", views_my_missions.mission_list, name="mission-list"),
    path("missions/<int:pk>/", views_my_missions.mission_detail, name="mission-detail"),
    path("missions/<int:pk>/apply/", views_my_missions.mission_apply, name="mission-apply"),
    path(
        "missions/<int:pk>/withdraw/", views_my_missions.mission_withdraw, name="mission-withdraw"
    ),
    path(
        "missions/<int:pk>/meetings/new/",
        views_my_missions.meeting_add,
        name="mission-meeting-add",
    ),
    # Peer groups, competitors, consortia
    path("groups/<int:pk>/", views_my_groups.group_detail, name="group-detail"),
    path(
        "cohorts/<int:cohort_pk>/competitors/",
        views_my_groups.competitors,
        name="competitors",
    ),
    path("consortia/<int:pk>/", views_my_groups.consortium_detail, name="consortium-detail"),
    path("consortia/<int:pk>/plan/", views_my_groups.consortium_plan, name="consortium-plan"),
    # Innovation challenges
    path("challenges/", views_my_challenges.challenge_list, name="challenge-list"),
    path("challenges/<int:pk>/", views_my_challenges.challenge_detail, name="challenge-detail"),
]
