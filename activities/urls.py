"""Staff pages of programme activities, under /<org-slug>/ (namespace `activities`)."""

from django.urls import path

from activities import (
    views_challenges,
    views_consortia,
    views_events,
    views_groups,
    views_missions,
)

app_name = "activities"

urlpatterns = [
    # Workshops and events
    path("events/", views_events.event_list, name="event-list"),
    path("events/new/", views_events.event_create, name="event-create"),
    path("events/<int:pk>/", views_events.event_detail, name="event-detail"),
    path("events/<int:pk>/edit/", views_events.event_edit, name="event-edit"),
    path("events/<int:pk>/cancel/", views_events.event_cancel, name="event-cancel"),
    path("events/<int:pk>/attendance/", views_events.event_attendance, name="event-attendance"),
    path(
        "events/<int:pk>/attendance/<int:reg_pk>/",
        views_events.event_mark,
        name="event-mark",
    ),
    path("events/<int:pk>/feedback/", views_events.event_feedback, name="event-feedback"),
    path("events/<int:pk>/invite.ics", views_events.event_ics, name="event-ics"),
    # Trade missions
    path("missions/", views_missions.mission_list, name="mission-list"),
    path("missions/new/", views_missions.mission_create, name="mission-create"),
    path("missions/<int:pk>/", views_missions.mission_detail, name="mission-detail"),
    path("missions/<int:pk>/edit/", views_missions.mission_edit, name="mission-edit"),
    path(
        "missions/<int:pk>/delegates/", views_missions.mission_delegates, name="mission-delegates"
    ),
    path(
        "missions/<int:pk>/delegates/add/",
        views_missions.mission_delegate_add,
        name="mission-delegate-add",
    ),
    path(
        "missions/<int:pk>/itinerary/new/",
        views_missions.itinerary_add,
        name="mission-itinerary-add",
    ),
    path(
        "missions/<int:pk>/itinerary/<int:item_pk>/delete/",
        views_missions.itinerary_delete,
        name="mission-itinerary-delete",
    ),
    path("missions/<int:pk>/meetings/new/", views_missions.meeting_add, name="mission-meeting-add"),
    # Peer groups
    path("peer-groups/", views_groups.group_list, name="group-list"),
    path("cohorts/<int:cohort_pk>/peer-groups/", views_groups.cohort_groups, name="cohort-groups"),
    path(
        "cohorts/<int:cohort_pk>/peer-groups/form/",
        views_groups.groups_form,
        name="groups-form",
    ),
    path(
        "cohorts/<int:cohort_pk>/competitors/",
        views_groups.cohort_competitors,
        name="cohort-competitors",
    ),
    path("peer-groups/<int:pk>/", views_groups.group_detail, name="group-detail"),
    path("peer-groups/<int:pk>/move/", views_groups.group_move, name="group-move"),
    path(
        "cohorts/<int:cohort_pk>/peer-groups/add/",
        views_groups.group_add,
        name="cohort-groups-add",
    ),
    path(
        "peer-groups/<int:pk>/meetings/new/",
        views_groups.group_meeting_add,
        name="group-meeting-add",
    ),
    # Export consortia
    path("consortia/", views_consortia.consortium_list, name="consortium-list"),
    path("consortia/new/", views_consortia.consortium_create, name="consortium-create"),
    path("consortia/suggest/", views_consortia.consortium_suggest, name="consortium-suggest"),
    path("consortia/<int:pk>/", views_consortia.consortium_detail, name="consortium-detail"),
    path("consortia/<int:pk>/edit/", views_consortia.consortium_edit, name="consortium-edit"),
    path("consortia/<int:pk>/plan/", views_consortia.consortium_plan, name="consortium-plan"),
    path(
        "consortia/<int:pk>/milestones/new/",
        views_consortia.milestone_add,
        name="consortium-milestone-add",
    ),
    path(
        "consortia/<int:pk>/milestones/<int:milestone_pk>/done/",
        views_consortia.milestone_done,
        name="consortium-milestone-done",
    ),
    # Innovation challenges
    path("challenges/", views_challenges.challenge_list, name="challenge-list"),
    path("challenges/new/", views_challenges.challenge_create, name="challenge-create"),
    path("challenges/<int:pk>/", views_challenges.challenge_detail, name="challenge-detail"),
    path("challenges/<int:pk>/edit/", views_challenges.challenge_edit, name="challenge-edit"),
    path(
        "challenges/<int:pk>/proposals/<int:proposal_pk>/",
        views_challenges.proposal_decide,
        name="challenge-proposal-decide",
    ),
    path(
        "challenges/<int:pk>/proposals/<int:proposal_pk>/result/",
        views_challenges.proposal_result,
        name="challenge-proposal-result",
    ),
]
