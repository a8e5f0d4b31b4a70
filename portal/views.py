"""Views of the portal app: home, dashboards, members and invitations, organisation
settings, the public organisation page and the health check. Views translate between HTTP
and services; the rules live in services.py and permissions.py."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from portal import selectors, services
from portal.fields import add_service_errors
from portal.forms import InvitationForm, MembershipRoleForm, OrganisationSettingsForm
from portal.models import Invitation, Organisation
from portal.permissions import role_required
from portal.roles import ALL_ROLES, Role
from portal.tenancy import scopes_disabled, tenant_scope


def home(request):
    """Signed-in staff land on their last organisation, SME users on /my/, everyone else
    on the public front page."""
    if request.user.is_authenticated:
        memberships = selectors.organisations_of_user(user=request.user)
        if memberships:
            last = request.session.get("last_org")
            chosen = next((m for m in memberships if m.organisation.slug == last), memberships[0])
            return redirect(chosen.organisation.get_absolute_url())
        return redirect("my:dashboard")
    return render(
        request, "portal/home.html", {"organisations": Organisation.objects.order_by("name")}
    )


@role_required(*ALL_ROLES)
def dashboard(request, org_slug):
    organisation = request.organisation
    counts = selectors.membership_counts_by_role(organisation=organisation)
    context = {
        "team": [(label, counts.get(value, 0)) for value, label in Role.choices],
        "team_size": sum(counts.values()),
        "pending_invitations": selectors.pending_invitations(organisation=organisation).count(),
    }
    template = f"portal/dashboards/{request.membership.role}.html"
    return render(request, template, context)


@role_required(Role.ADMIN)
def members(request, org_slug):
    organisation = request.organisation
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.email} as {invitation.get_role_display()}.",
            )
            return redirect("portal:members", org_slug=organisation.slug)
    page = Paginator(selectors.organisation_members(organisation=organisation), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "portal/members.html",
        {
            "form": form,
            "page": page,
            "invitations": selectors.pending_invitations(organisation=organisation),
            "role_choices": Role.choices,
        },
        status=400 if form.errors else 200,
    )


@role_required(Role.ADMIN)
@require_POST
def member_role(request, org_slug, pk):
    membership = get_object_or_404(request.organisation.memberships, pk=pk)
    form = MembershipRoleForm(request.POST)
    if form.is_valid():
        try:
            services.membership_change_role(
                actor=request.membership, membership=membership, role=form.cleaned_data["role"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, f"{membership.user} is now {membership.get_role_display().lower()}."
            )
    else:
        messages.error(request, "Choose one of the listed roles.")
    return redirect("portal:members", org_slug=org_slug)


@role_required(Role.ADMIN)
def member_remove(request, org_slug, pk):
    membership = get_object_or_404(request.organisation.memberships.select_related("user"), pk=pk)
    if request.method == "POST":
        try:
            services.membership_remove(actor=request.membership, membership=membership)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{membership.user} no longer has access.")
            if membership.pk == request.membership.pk:
                return redirect("home")
        return redirect("portal:members", org_slug=org_slug)
    return render(request, "portal/member_remove.html", {"target": membership})


@role_required(Role.ADMIN)
@require_POST
def invitation_revoke(request, org_slug, pk):
    invitation = get_object_or_404(request.organisation.invitations, pk=pk)
    services.invitation_revoke(invitation=invitation)
    messages.success(request, f"The invitation to {invitation.email} was withdrawn.")
    return redirect("portal:members", org_slug=org_slug)


@role_required(Role.ADMIN)
@require_POST
def invitation_resend(request, org_slug, pk):
    invitation = get_object_or_404(
        request.organisation.invitations, pk=pk, status=Invitation.Status.PENDING
    )
    new = services.invitation_create(
        organisation=request.organisation,
        email=invitation.email,
        role=invitation.role,
        invited_by=request.user,
    )
    messages.success(request, f"A fresh invitation was sent to {new.email}.")
    return redirect("portal:members", org_slug=org_slug)


@role_required(Role.ADMIN)
def organisation_settings(request, org_slug):
    organisation = request.organisation
    form = OrganisationSettingsForm(
        request.POST or None, request.FILES or None, instance=organisation
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Organisation settings saved.")
        return redirect("portal:settings", org_slug=organisation.slug)
    return render(
        request, "portal/settings.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def invitation_accept(request, token):
    """The link in an invitation e-mail. Anonymous visitors are sent to sign in or sign up
    first (login_required keeps this URL as `next`)."""
    # Looked up by its secret token before any organisation is known: crossing tenants is
    # inherent here, and the token is the credential.
    with scopes_disabled():
        invitation = (
            Invitation.objects.select_related("organisation", "invited_by")
            .filter(token=token)
            .first()
        )
    if invitation is None:
        raise Http404("No such invitation.")
    error = None
    if request.method == "POST":
        try:
            with tenant_scope(invitation.organisation):
                membership = services.invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                f"Welcome to {membership.organisation.name}. "
                f"You joined as {membership.get_role_display().lower()}.",
            )
            return redirect(membership.organisation.get_absolute_url())
    return render(
        request,
        "portal/invitation_accept.html",
        {"invitation": invitation, "error": error},
        status=400 if error else 200,
    )


@require_GET
def organisation_logo(request, org_slug):
    """Logos are public branding; uploaded files in general are not served from /media/."""
    organisation = get_object_or_404(Organisation.objects.exclude(logo=""), slug=org_slug)
    response = FileResponse(organisation.logo.open("rb"))
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
@never_cache
def healthz(request):
    """Liveness and readiness for the load balancer and docker-compose."""
    checks = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - report, do not crash
        checks["database"] = f"error: {type(exc).__name__}"
        healthy = False
    if settings.REDIS_URL:
        try:
            cache.set("healthz", "ok", 5)
            checks["redis"] = "ok" if cache.get("healthz") == "ok" else "error: no round trip"
        except Exception as exc:  # noqa: BLE001
            checks["redis"] = f"error: {type(exc).__name__}"
        healthy = healthy and checks["redis"] == "ok"
    else:
        checks["redis"] = "not configured (tasks run in-process)"
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


def error_400(request, exception=None):
    return render(request, "400.html", status=400)


def error_403(request, exception=None):
    reason = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"reason": reason}, status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)
