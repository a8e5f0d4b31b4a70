"""Settings for the test suite: production behaviour (mandatory e-mail verification, the
same middleware), made fast (MD5 hasher, in-process tasks). The database and Redis still
come from DATABASE_URL and REDIS_URL, so CI runs the same suite on SQLite and PostgreSQL."""

from portal.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Tasks run in-process so tests see their effects; tests/portal/test_celery_worker_redis.py
# turns this off to prove the same tasks through a real worker and Redis.
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
SITE_URL = "http://testserver"
