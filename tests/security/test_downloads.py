"""Every download the portal serves says so: a response that is not an HTML page (CSV,
PDF, calendar files, uploaded documents) carries `Content-Disposition: attachment`, so a
browser saves it rather than rendering it in the portal's origin (an uploaded HTML or SVG
file rendered inline could run script as the portal).

The pages are walked from the URL resolver (tests/urlwalk.py) with a tenant full of data
(tests/tenant_data.py), as its admin and as the company's own user, so a download added
later is covered without editing this file."""

from itertools import product

import pytest
from django.http import FileResponse, StreamingHttpResponse

from cohorts.models import ApplicationFile, CompanyMember
from mentoring.models import MentoringSession
from portal.models import Membership
from portal.roles import Role
from portal.tenancy import scopes_disabled
from tests.factories import CompanyMemberFactory, OrganisationFactory
from tests.tenant_data import populate_tenant
from tests.urlwalk import default_value, my_routes, staff_routes

pytestmark = pytest.mark.django_db

MARKER = "dlmarker"
# Downloads the walk must reach: if one of these stops being found, the walk lost coverage.
EXPECTED = {
    "cohorts:export",
    "cohorts:application-file",
    "mentoring:session-ics",
    "mentoring:claims-export",
    "impact:responses-export",
    "impact:umbrella-download",
    "my:application-file",
    "my-mentoring:session-ics",
}


# Values tried for free-text URL parts (export names and formats, e.g. `<what>.<fmt>`).
WORDS = ["x", "csv", "xlsx", "pdf", "ics", "roster", "applications"]


def _close_file(response):
    """A FileResponse holds its file open until read to the end. (response.close() would
    also do it, but it signals request_finished, which closes the test's database
    connection on PostgreSQL.)"""
    if isinstance(response, FileResponse):
        for closer in response._resource_closers:
            closer()


def _urls(route, slug, ids, hints):
    """The fillings of the route: each id in the int parameters (a parameter named in
    `hints`, like `file_pk`, takes the ids of its own kind) and each word in the str ones.
    Two or more free int parameters are filled with the same id, not every combination:
    the tenant's ids run to the hundreds, and their square per route is an hour of
    requests. A download under a nested URL names its inner parameter in `hints`."""
    values = {name: default_value(conv) for conv, name in route.params}
    if slug:
        values["org_slug"] = slug
    int_params = [name for conv, name in route.params if conv == "int"]
    str_params = [name for conv, name in route.params if conv == "str"]
    hinted = [name for name in int_params if name in hints]
    free = [name for name in int_params if name not in hints]
    urls = []
    for words in product(WORDS, repeat=len(str_params)):
        for numbers in product(*(hints[name] for name in hinted)):
            for number in ids if free else [None]:
                filled = {
                    **values,
                    **dict(zip(str_params, words, strict=True)),
                    **dict(zip(hinted, numbers, strict=True)),
                    **dict.fromkeys(free, number),
                }
                urls.append(route.build(filled))
    return urls


def _is_download(response) -> bool:
    if response.status_code != 200:
        return False
    if isinstance(response, FileResponse | StreamingHttpResponse):
        return True
    return not response.get("Content-Type", "").startswith("text/html")


def test_every_download_is_an_attachment(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    organisation = OrganisationFactory(slug="downloads-org")
    ids = populate_tenant(organisation, MARKER)
    with scopes_disabled():
        admin = Membership.objects.get(organisation=organisation, role=Role.ADMIN).user
        # The enrolled company with mentor sessions gets a user too, for its /my/ pages.
        for company_id in set(MentoringSession.objects.values_list("company_id", flat=True)):
            CompanyMemberFactory(company_id=company_id)
        hints = {"file_pk": list(ApplicationFile.objects.values_list("pk", flat=True))}
    company_users = {m.user for m in CompanyMember.objects.select_related("user")}

    found, missing = set(), []
    walks = [(admin, staff_routes(), organisation.slug)]
    walks += [(user, my_routes(), None) for user in company_users]
    for user, routes, slug in walks:
        client.force_login(user)
        for route in routes:
            for url in _urls(route, slug, ids, hints):
                response = client.get(url)
                _close_file(response)
                if not _is_download(response):
                    continue
                found.add(route.name)
                disposition = response.get("Content-Disposition", "")
                if not disposition.startswith("attachment"):
                    missing.append((route.name, url, response["Content-Type"], disposition))
    assert not missing, missing
    assert found >= EXPECTED, EXPECTED - found
