"""Cache keys carry the tenant. Whatever the portal puts in the shared cache while both
organisations' staff use every page: a value holding one tenant's data is stored under a
key naming that tenant, so it can never be served to the other. Keys that name no tenant
hold no tenant's data (today: allauth's rate-limit counters, the health check).

Also: process-wide memoisation (functools.cache / lru_cache) in the apps holds nothing
tenant-specific; the list of such caches is pinned here so a new one gets reviewed."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.http import FileResponse

from portal.models import Membership
from portal.roles import Role
from portal.tenancy import scopes_disabled
from tests.factories import OrganisationFactory
from tests.tenant_data import populate_tenant
from tests.urlwalk import default_value, staff_routes

pytestmark = pytest.mark.django_db

APPS = ["portal", "programmes", "cohorts", "mentoring", "impact"]
# Reviewed process-wide caches: (module, function) -> why it is tenant-free.
REVIEWED_MEMOISED = {
    ("portal/models.py", "time_zone_names"): "the IANA zone list, the same for everyone",
}


@pytest.fixture
def cache_writes(monkeypatch):
    """Every (key, value) written to the default cache, whatever its backend."""
    backend = type(caches["default"])
    writes = []

    def spy(name):
        original = getattr(backend, name)

        def wrapper(self, key, value=None, *args, **kwargs):
            writes.append((str(key), repr(value)))
            return original(self, key, value, *args, **kwargs)

        return wrapper

    for name in ("set", "add", "get_or_set", "incr"):
        monkeypatch.setattr(backend, name, spy(name))

    original_many = backend.set_many

    def set_many(self, data, *args, **kwargs):
        writes.extend((str(k), repr(v)) for k, v in data.items())
        return original_many(self, data, *args, **kwargs)

    monkeypatch.setattr(backend, "set_many", set_many)
    return writes


def _close_file(response):
    """A FileResponse holds its file open until read to the end. (response.close() would
    also do it, but it signals request_finished, which closes the test's database
    connection on PostgreSQL.)"""
    if isinstance(response, FileResponse):
        for closer in response._resource_closers:
            closer()


def _walk(client, organisation, ids):
    for route in staff_routes():
        values = {name: default_value(conv) for conv, name in route.params}
        values["org_slug"] = organisation.slug
        int_params = [name for conv, name in route.params if conv == "int"]
        urls = (
            [route.build({**values, **dict.fromkeys(int_params, pk)}) for pk in ids]
            if int_params
            else [route.build(values)]
        )
        for url in urls:
            _close_file(client.get(url))


def test_cached_tenant_data_is_keyed_by_its_tenant(client, cache_writes, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    tenants = []
    for slug, marker in (("alpha-cache", "alphacachemark"), ("beta-cache", "betacachemark")):
        organisation = OrganisationFactory(slug=slug)
        ids = populate_tenant(organisation, marker)
        with scopes_disabled():
            admin = Membership.objects.get(organisation=organisation, role=Role.ADMIN).user
        tenants.append((organisation, marker, ids, admin))
    for organisation, _, ids, admin in tenants:
        client.force_login(admin)
        _walk(client, organisation, ids[:8])
        client.logout()
    # Sign-in attempts and the health check write the tenant-free keys too.
    client.post("/accounts/login/", {"login": "nobody@example.org", "password": "wrong"})
    client.get("/healthz")

    leaks = []
    for key, value in cache_writes:
        for organisation, marker, _, _ in tenants:
            if marker in value and not (
                organisation.slug in key or f"org={organisation.pk}" in key
            ):
                leaks.append((key, marker))
    assert not leaks, leaks
    assert cache_writes, "the walk wrote nothing to the cache: is the spy attached?"


def _memoised_functions():
    found = set()
    root = Path(settings.BASE_DIR)
    for app in APPS:
        for path in (root / app).rglob("*.py"):
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for decorator in node.decorator_list:
                    target = decorator.func if isinstance(decorator, ast.Call) else decorator
                    name = ast.unparse(target)
                    if name.split(".")[-1] in ("cache", "lru_cache", "cached"):
                        found.add((str(path.relative_to(root)), node.name))
    return found


def test_process_wide_caches_are_reviewed_and_tenant_free():
    assert _memoised_functions() == set(REVIEWED_MEMOISED)
