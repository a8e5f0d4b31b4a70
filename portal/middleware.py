"""Tenant resolution for staff pages under /<org-slug>/."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils import timezone

from portal.models import Membership
from portal.tenancy import tenant_scope

STAFF_ROUTE_PREFIX = "<slug:org_slug>/"


def is_staff_route(route: str) -> bool:
    return route.startswith(STAFF_ROUTE_PREFIX)


class TenantMiddleware:
    """On a staff URL: require a signed-in member of that organisation, attach
    `request.organisation` and `request.membership`, switch to the organisation's time zone
    and run the view inside the organisation's scope.

    Anyone else gets 404 whether or not the organisation exists, so slugs cannot be probed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organisation = None
        request.membership = None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        if not is_staff_route(match.route):
            return self.get_response(request)

        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        membership = (
            Membership.objects.select_related("organisation")
            .filter(user=request.user, organisation__slug=match.kwargs["org_slug"])
            .first()
        )
        if membership is None:
            raise Http404("No such organisation.")
        organisation = membership.organisation
        if organisation.require_mfa and not _has_totp(request.user):
            messages.warning(
                request,
                f"{organisation.name} requires two-factor authentication. "
                "Set up an authenticator app to continue.",
            )
            return redirect("mfa_activate_totp")

        request.organisation = organisation
        request.membership = membership
        if request.session.get("last_org") != organisation.slug:
            request.session["last_org"] = organisation.slug
        timezone.activate(organisation.time_zone)
        try:
            with tenant_scope(organisation):
                return self.get_response(request)
        finally:
            timezone.deactivate()


def _has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
