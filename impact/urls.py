"""Staff pages of impact, under /<org-slug>/impact/ (namespace `impact`)."""

from django.urls import path

from impact import views_dashboard as dash
from impact import views_surveys as surveys
from impact import views_umbrella as umbrella

app_name = "impact"

urlpatterns = [
    # Dashboards and reports (views_dashboard)
    path("impact/", dash.overview, name="overview"),
    path("impact/programmes/<int:pk>/", dash.programme_dashboard, name="programme"),
    path("impact/funders/<int:pk>/", dash.funder_dashboard, name="funder"),
    # Across partner organisations (views_umbrella)
    path("impact/umbrella/", umbrella.umbrella, name="umbrella"),
    path("impact/umbrella/report.<str:fmt>", umbrella.umbrella_download, name="umbrella-download"),
    path("impact/sharing/", umbrella.sharing_settings, name="sharing"),
    path("impact/sharing/<int:pk>/withdraw/", umbrella.sharing_withdraw, name="sharing-withdraw"),
    path("impact/programmes/<int:pk>/reports/", dash.reports, name="reports"),
    path("impact/reports/<int:pk>/", dash.report_status, name="report-status"),
    path("impact/reports/<int:pk>/download/", dash.report_download, name="report-download"),
    path(
        "impact/programmes/<int:pk>/responses.<str:fmt>",
        dash.responses_export,
        name="responses-export",
    ),
    path("impact/programmes/<int:pk>/case-notes/", dash.case_notes, name="case-notes"),
    path("impact/case-notes/<int:pk>/", dash.case_note_edit, name="case-note-edit"),
    path("impact/case-notes/<int:pk>/delete/", dash.case_note_delete, name="case-note-delete"),
    # Follow-up surveys (views_surveys)
    path("impact/programmes/<int:pk>/surveys/", surveys.schedules, name="schedules"),
    path("impact/schedules/<int:pk>/", surveys.schedule_edit, name="schedule-edit"),
    path("impact/schedules/<int:pk>/delete/", surveys.schedule_delete, name="schedule-delete"),
    path("impact/programmes/<int:pk>/plan/", surveys.plan, name="plan"),
    path("impact/programmes/<int:pk>/invitations/", surveys.invitations, name="invitations"),
    path("impact/invitations/<int:pk>/phone/", surveys.phone_entry, name="phone-entry"),
    path("impact/programmes/<int:pk>/questions/", surveys.custom_questions, name="questions"),
    path(
        "impact/questions/<int:pk>/delete/", surveys.custom_question_delete, name="question-delete"
    ),
    path("impact/enrolments/<int:pk>/baseline/", surveys.baseline_staff, name="baseline"),
]
