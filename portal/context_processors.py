from portal.navigation import staff_items_for


def navigation(request):
    """What the base template needs: the current organisation, the user's organisations for
    the switcher, and the staff menu for the current role."""
    user = getattr(request, "user", None)
    organisation = getattr(request, "organisation", None)
    # `branding` colours the page; public pages of an organisation set it in their context.
    if user is None or not user.is_authenticated:
        return {"current_organisation": organisation, "branding": organisation}
    membership = getattr(request, "membership", None)
    return {
        "current_organisation": organisation,
        "branding": organisation,
        "current_membership": membership,
        "my_memberships": lambda: list(
            user.memberships.select_related("organisation").order_by("organisation__name")
        ),
        "staff_nav": staff_items_for(membership),
    }
