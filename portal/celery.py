"""The Celery application. Without REDIS_URL tasks run eagerly in-process (settings)."""

import os

from celery import Celery, Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class TenantTask(Task):
    """Base for tasks that work inside one organisation: they take `organisation_id` as a
    keyword argument and run inside that organisation's scope, as a request would."""

    abstract = True

    def __call__(self, *args, **kwargs):
        from portal.models import Organisation
        from portal.tenancy import tenant_scope

        organisation = Organisation.objects.get(pk=kwargs["organisation_id"])
        with tenant_scope(organisation):
            return super().__call__(*args, **kwargs)
