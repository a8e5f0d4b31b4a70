"""The Redis leg of CI: a real Celery worker takes tasks from Redis."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from portal.celery import app
from portal.tasks import ping


@pytest.fixture
def worker():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield proc
    proc.terminate()
    proc.wait(timeout=30)


def test_task_round_trip_through_redis_and_a_worker(worker):
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        result = ping.apply_async()
        assert result.get(timeout=60) == "pong"
    finally:
        app.conf.task_always_eager = eager
