"""Fixtures shared by the whole suite."""

import os

import pytest
from django.conf import settings
from django.core.cache import cache

from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

# Tests that need PostgreSQL (real row locks, concurrent transactions) or Redis (a real
# Celery worker) live in files named *_postgres.py / *_redis.py; they are collected in the
# CI leg that has those services, and CI runs that leg on every change.
collect_ignore_glob = []
if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
    collect_ignore_glob.append("*_postgres.py")
if not os.environ.get("REDIS_URL"):
    collect_ignore_glob.append("*_redis.py")
# Real Celery workers that share the test database need both.
if "*_postgres.py" in collect_ignore_glob or "*_redis.py" in collect_ignore_glob:
    collect_ignore_glob.append("*_workers_redis.py")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and cached pages must not leak from one test into the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _celery_join_flag():
    """Celery runs an eager task inside denied_join_result(), which sets and restores one
    process-wide flag; eager tasks in several threads at once (the contention tests) can
    restore it in the wrong order and leave it set, after which every result.get() in a
    later test raises "Never call result.get() within a task!". Each test starts clear."""
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)
    yield
    _set_task_join_will_block(False)


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Capital Trade & Invest", slug="capital-trade")


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(name="Pennine Growth Hub", slug="pennine-growth")


@pytest.fixture
def make_member(db):
    """make_member(organisation, role) -> Membership with a verified user."""

    def make(organisation, role, **user_fields):
        return MembershipFactory(
            organisation=organisation, role=role, user=UserFactory(**user_fields)
        )

    return make


@pytest.fixture
def user(db):
    return UserFactory()
