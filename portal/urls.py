"""The portal's front doors (DESIGN.md, tenancy):

- public pages: `/`, `/o/<org-slug>/` and the directory of open calls;
- the SME's own pages under `/my/`;
- accounts under `/accounts/` (allauth), the Django admin under `/admin/` (superusers);
- staff pages under `/<org-slug>/`, resolved and scoped by portal.middleware.TenantMiddleware.

Each app mounts its staff pages by adding its `urls` module to STAFF_URLCONFS.
"""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from portal import views

# The Django admin is for superusers only, behind the same login page and rate limits.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser
admin.site.site_header = "Scaleup Portal administration"

STAFF_URLCONFS = [
    "portal.urls_staff",
    "programmes.urls",
    "cohorts.urls",
    "activities.urls",
    "mentoring.urls",
    "impact.urls",
    "privacy.urls_staff",
]

handler400 = "portal.views.error_400"
handler403 = "portal.views.error_403"
handler404 = "portal.views.error_404"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("o/<slug:org_slug>/", include("portal.urls_public")),
    path("calls/", include("cohorts.urls_public")),
    path("my/", include("cohorts.urls_my")),
    path("my/", include("mentoring.urls_my")),
    path("my/", include("activities.urls_my")),
    path("calendar/", include("activities.urls_feed")),
    path("o/<slug:org_slug>/mentors/", include("mentoring.urls_public")),
    path("my/", include("impact.urls_my")),
    path("s/", include("impact.urls_public")),
    path("privacy/", include("privacy.urls")),
    path("", views.home, name="home"),
]

# Staff pages last: `<org-slug>/` would otherwise shadow the paths above (and slugs that
# clash with them are refused, see RESERVED_SLUGS).
urlpatterns += [path("<slug:org_slug>/", include(module)) for module in STAFF_URLCONFS]
