"""The staff navigation: each app registers its entries (in AppConfig.ready) with the roles
that may see them, so every role's menu shows exactly what it may do."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]
    icon: str = "circle"
    order: int = 100


_staff_items: list[NavItem] = []


def register(item: NavItem) -> None:
    if item not in _staff_items:
        _staff_items.append(item)
        _staff_items.sort(key=lambda i: (i.order, i.label))


def staff_items_for(membership) -> list[dict]:
    if membership is None:
        return []
    slug = membership.organisation.slug
    return [
        {
            "label": item.label,
            "url": reverse(item.url_name, kwargs={"org_slug": slug}),
            "icon": item.icon,
            "url_name": item.url_name,
        }
        for item in _staff_items
        if membership.role in item.roles
    ]
