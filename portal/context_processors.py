from portal.navigation import staff_items_for


def navigation(request):
    """What the base template needs: the current organisation, the user's organisations for
    the switcher, and the staff menu for the current role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"current_organisation": getattr(request, "organisation", None)}
    membership = getattr(request, "membership", None)
    return {
        "current_organisation": getattr(request, "organisation", None),
        "current_membership": membership,
        "my_memberships": lambda: list(
            user.memberships.select_related("organisation").order_by("organisation__name")
        ),
        "staff_nav": staff_items_for(membership),
    }
