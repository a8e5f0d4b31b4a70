"""Enumerate the project's URL patterns, so that isolation tests cover every page without a
hand-written list: a new pattern is tested the day it is added."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Route:
    route: str  # e.g. "<slug:org_slug>/members/<int:pk>/role/"
    name: str  # namespaced URL name, for messages
    callback: object

    @property
    def params(self) -> list[tuple[str, str]]:
        return [(m["converter"] or "str", m["name"]) for m in _PARAM.finditer(self.route)]

    def build(self, values: dict[str, object]) -> str:
        def sub(match):
            return str(values[match["name"]])

        return "/" + _PARAM.sub(sub, self.route)


def all_routes() -> list[Route]:
    routes: list[Route] = []

    def walk(patterns, prefix: str, namespace: str):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}{p.namespace}:"
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                routes.append(Route(prefix + str(p.pattern), f"{namespace}{p.name}", p.callback))

    walk(get_resolver().url_patterns, "", "")
    return routes


def staff_routes() -> list[Route]:
    return [r for r in all_routes() if r.route.startswith("<slug:org_slug>/")]


def my_routes() -> list[Route]:
    return [r for r in all_routes() if r.route.startswith("my/")]


def default_value(converter: str):
    return {"int": 1, "slug": "x", "str": "x", "path": "x", "uuid": uuid.uuid4()}[converter]
