"""Staff pages of the portal app, mounted under /<org-slug>/ (namespace `portal`)."""

from django.urls import path

from portal import views, views_audit

app_name = "portal"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("members/", views.members, name="members"),
    path("members/<int:pk>/role/", views.member_role, name="member-role"),
    path("members/<int:pk>/remove/", views.member_remove, name="member-remove"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation-revoke"),
    path("invitations/<int:pk>/resend/", views.invitation_resend, name="invitation-resend"),
    path("settings/", views.organisation_settings, name="settings"),
    path("audit/", views_audit.audit_log, name="audit"),
]
