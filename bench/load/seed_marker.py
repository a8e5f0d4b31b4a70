"""Run by bench/load/run.sh through `manage.py shell`: a tenant none of the load users
belongs to, every object of it carrying LOAD_MARKER, which must never reach them."""

import os

from tests.factories import OrganisationFactory
from tests.tenant_data import populate_tenant

marker = os.environ.get("LOAD_MARKER", "zzloadleak")
populate_tenant(OrganisationFactory(name="Hidden Hub", slug="hidden-hub"), marker)
