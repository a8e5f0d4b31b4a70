"""Production settings for the load run (bench/load/run.sh), with two differences:

- the 200 simulated users all come from 127.0.0.1, so the per-address limit on successful
  sign-ins (allauth's "login": 30/min/ip) is raised; the limits on failed sign-ins, which
  the security suite tests, are kept as they are;
- collected static files go to the run's own folder, not the checkout."""

import os

from portal.settings import *  # noqa: F403

ACCOUNT_RATE_LIMITS = {"login": "2000/m/ip"}
STATIC_ROOT = os.environ["LOAD_STATIC_ROOT"]
