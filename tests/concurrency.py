"""Contention helpers for the PostgreSQL tests: real transactions in threads."""

import threading

from django.core.exceptions import ValidationError
from django.db import connection


def run_together(functions):
    """Run each function in its own thread and DB connection, all released at once by a
    barrier. Returns ("ok", result), ("refused", messages) or ("error", repr) per function."""
    barrier = threading.Barrier(len(functions))
    outcomes = [None] * len(functions)

    def worker(index, function):
        try:
            barrier.wait()
            outcomes[index] = ("ok", function())
        except ValidationError as exc:
            outcomes[index] = ("refused", exc.messages)
        except Exception as exc:  # noqa: BLE001 - reported by the caller's assertion
            outcomes[index] = ("error", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes
