"""The portal's benchmarks: `make bench` (or `python bench/run.py`).

Every figure is measured beside its baseline in the same run, so the ratio holds on a noisy
machine; the table of ratios is printed and appended to bench/RESULTS.md with the date and
the machine. Needs PostgreSQL and Redis (BENCH_DATABASE_URL, BENCH_REDIS_URL) and wrk
(Debian package; `make bench` installs it). The data (100,000 companies, 1,000,000 survey
answers) is generated on the first run into its own database and kept for the next.

    python bench/run.py            # the full run (about 15 minutes, most of it data)
    python bench/run.py --quick    # 5,000 companies and short load runs, to try it out
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
sys.path.insert(0, str(ROOT))

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
# Production settings, served over plain HTTP on loopback.
os.environ.update(
    DJANGO_SETTINGS_MODULE="portal.settings",
    DATABASE_URL=DATABASE_URL,
    REDIS_URL=REDIS_URL,
    DEBUG="0",
    HTTPS="0",
    SECRET_KEY=os.environ.get("SECRET_KEY", "bench-" + "x" * 50),
    ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
    EMAIL_URL="dummymail://",
)
GUNICORN_WORKERS = os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 2))


# --- Plumbing -------------------------------------------------------------------------------


def ensure_database() -> None:
    import psycopg

    name = DATABASE_URL.rsplit("/", 1)[1]
    admin = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(app: str):
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            str(Path(sys.executable).parent / "gunicorn"),
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            GUNICORN_WORKERS,
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


def wrk(url: str, *, seconds: int, cookie: str = "", connections: int = 8) -> float:
    """Requests per second over `seconds`; fails loudly on any non-2xx answer."""
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    if "Non-2xx" in out:
        raise SystemExit(f"wrk saw error answers from {url}:\n{out}")
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    raise SystemExit(f"wrk printed no rate:\n{out}")


def fetch(url: str, cookie: str = "") -> tuple[int, float]:
    """One GET on a fresh connection: (status, seconds)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    started = time.perf_counter()
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    conn.request("GET", parts.path, headers={"Cookie": cookie} if cookie else {})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, time.perf_counter() - started


def best_of(fn, repeat: int) -> float:
    """The median of `repeat` timings of fn(), in seconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


# --- The figures ----------------------------------------------------------------------------


def signed_in_cookie(email: str) -> str:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(email=email))
    return f"sessionid={client.cookies['sessionid'].value}"


def figure_throughput(ids, cookie, seconds) -> list[dict]:
    dashboard = f"/{ids['slug']}/"
    board = f"/{ids['slug']}/cohorts/{ids['boards'][50]}/applications/"
    with gunicorn("bench.hello_wsgi:application") as base:
        wrk(base + "/", seconds=2)  # warm-up
        hello = wrk(base + "/", seconds=seconds)
    with gunicorn("portal.wsgi:application") as base:
        for path in (dashboard, board):
            status, _ = fetch(base + path, cookie)
            if status != 200:
                raise SystemExit(f"{path} answered {status} to the signed-in manager")
        wrk(base + dashboard, seconds=2, cookie=cookie)
        dash = wrk(base + dashboard, seconds=seconds, cookie=cookie)
        wrk(base + board, seconds=2, cookie=cookie)
        listing = wrk(base + board, seconds=seconds, cookie=cookie)
    return [
        {
            "figure": "req/s, signed-in staff dashboard (gunicorn, all middleware)",
            "baseline": f"bare WSGI hello-world, same gunicorn: {hello:,.0f} req/s",
            "value": f"{dash:,.0f} req/s",
            "ratio": dash / hello,
            "target": ">= 0.25",
            "ok": dash / hello >= 0.25,
        },
        {
            "figure": "req/s, application board with 50 rows",
            "baseline": f"the dashboard above: {dash:,.0f} req/s",
            "value": f"{listing:,.0f} req/s",
            "ratio": listing / dash,
            "target": ">= 0.33",
            "ok": listing / dash >= 0.33,
            "_peak": listing,
        },
    ]


def figure_queries(ids) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(email=ids["manager_email"]))
    counts = {}
    for size in (10, 1000):
        url = f"/{ids['slug']}/cohorts/{ids['boards'][size]}/applications/"
        client.get(url)  # warm caches (content types, sessions)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, response.status_code
        counts[size] = len(ctx.captured_queries)
    ratio = counts[1000] / counts[10]
    return {
        "figure": "queries, application board with 1,000 rows",
        "baseline": f"the same page with 10 rows: {counts[10]} queries",
        "value": f"{counts[1000]} queries",
        "ratio": ratio,
        "target": "1.0, and under 15 queries",
        "ok": ratio == 1.0 and counts[1000] < 15,
    }


HAND_SQL = """
WITH latest AS (
    SELECT DISTINCT ON (r.cohort_id, r.company_id) r.*
    FROM impact_surveyresponse r
    WHERE r.programme_id = %(programme)s AND r.submitted_at IS NOT NULL
      AND NOT r.is_comparison
      AND NOT EXISTS (
        SELECT 1 FROM cohorts_enrolment e
        WHERE e.cohort_id = r.cohort_id AND e.company_id = r.company_id
          AND e.status = 'withdrawn')
    ORDER BY r.cohort_id, r.company_id, r.round_months DESC, r.id DESC
), scoped AS (
    SELECT l.*, b.turnover AS b_turnover, b.export_sales AS b_export
    FROM latest l
    LEFT JOIN cohorts_enrolment e ON e.cohort_id = l.cohort_id AND e.company_id = l.company_id
    LEFT JOIN impact_baseline b ON b.enrolment_id = e.id
)
SELECT count(*),
  count(*) FILTER (WHERE jobs_created > 0), count(jobs_created),
  count(*) FILTER (WHERE new_deals), count(new_deals),
  count(*) FILTER (WHERE new_markets), count(new_markets),
  count(*) FILTER (WHERE further_funding), count(further_funding),
  count(*) FILTER (WHERE new_offices), count(new_offices),
  count(*) FILTER (WHERE export_sales > b_export),
  count(*) FILTER (WHERE export_sales IS NOT NULL AND b_export IS NOT NULL),
  sum(jobs_created), sum(deals_value), sum(funding_amount), sum(export_sales),
  sum(turnover) FILTER (WHERE b_turnover IS NOT NULL),
  sum(b_turnover) FILTER (WHERE turnover IS NOT NULL),
  percentile_cont(0.5) WITHIN GROUP (ORDER BY jobs_created),
  percentile_cont(0.5) WITHIN GROUP (ORDER BY deals_value),
  percentile_cont(0.5) WITHIN GROUP (ORDER BY funding_amount),
  (SELECT count(*) FROM (SELECT DISTINCT e.cohort_id, e.company_id
     FROM cohorts_enrolment e JOIN cohorts_cohort c ON c.id = e.cohort_id
     WHERE c.programme_id = %(programme)s AND e.status <> 'withdrawn') AS companies)
FROM scoped
"""


def figure_aggregation(ids, repeat) -> dict:
    import psycopg

    from impact.selectors import Scope, outcome_metrics
    from portal.models import Organisation
    from portal.tenancy import tenant_scope

    scope = Scope(programmes=(ids["programme"],))
    org = Organisation.objects.get(pk=ids["org"])
    with tenant_scope(org):
        metrics = outcome_metrics(scope)
        ours = best_of(lambda: outcome_metrics(scope), repeat)
    with psycopg.connect(DATABASE_URL) as conn:
        row = conn.execute(HAND_SQL, {"programme": ids["programme"]}).fetchone()
        hand = best_of(
            lambda: conn.execute(HAND_SQL, {"programme": ids["programme"]}).fetchone(), repeat
        )
    # The two must agree, or the comparison means nothing.
    assert row[0] == metrics.respondents, (row[0], metrics.respondents)
    assert row[-1] == metrics.companies, (row[-1], metrics.companies)
    return {
        "figure": f"funder-report aggregation, {metrics.respondents:,} respondents (selectors)",
        "baseline": f"one hand-written SQL aggregate via psycopg: {hand * 1000:,.0f} ms",
        "value": f"{ours * 1000:,.0f} ms",
        "ratio": ours / hand,
        "target": "<= 1.2",
        "ok": ours / hand <= 1.2,
    }


PLAIN = """<html><head><style>@page {{ size: A4; margin: 2cm }} body {{ font: 11pt sans-serif }}
</style></head><body>{}</body></html>"""
PARAGRAPH = (
    "<p>Follow-up surveys ask each company what changed since it joined the programme: jobs "
    "created, deals signed, markets entered, funding raised and offices opened. The figures "
    "below count each company once and state their denominators.</p>"
)


def _pages(pdf: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def figure_pdf(ids, repeat) -> dict:
    import weasyprint

    from impact.reports import render_pdf, report_context, scope_for
    from portal.models import Organisation
    from portal.tenancy import tenant_scope
    from programmes.models import Programme

    org = Organisation.objects.get(pk=ids["org"])
    with tenant_scope(org):
        programme = Programme.objects.get(pk=ids["programme"])
        context = report_context(scope_for(programme), programme=programme)
        pdf = render_pdf(context)
        pages = _pages(pdf)
        ours = best_of(lambda: render_pdf(context), repeat)
    # Plain paragraphs filling the same number of pages.
    per_page = 12
    while True:
        html = PLAIN.format(PARAGRAPH * per_page * pages)
        plain_pages = _pages(weasyprint.HTML(string=html).write_pdf())
        if plain_pages >= pages:
            break
        per_page += 2
    plain = best_of(lambda: weasyprint.HTML(string=html).write_pdf(), repeat)
    return {
        "figure": f"WeasyPrint, funder report of {pages} pages with tables and charts",
        "baseline": f"{plain_pages} pages of plain paragraphs: {plain:.2f} s",
        "value": f"{ours:.2f} s",
        "ratio": ours / plain,
        "target": "<= 1.5",
        "ok": ours / plain <= 1.5,
    }


def figure_invitations(ids) -> dict:
    import redis

    from impact.models import SurveyInvitation
    from impact.services import surveys_plan
    from portal.models import Organisation
    from portal.tenancy import tenant_scope
    from programmes.models import Programme

    org = Organisation.objects.get(pk=ids["org"])
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    with tenant_scope(org):
        programme = Programme.objects.get(pk=ids["planning_programme"])
        SurveyInvitation.objects.filter(schedule__programme=programme).delete()
        # An invitation is a row with a due date: creating it is enqueueing it (DESIGN.md,
        # scheduling). The periodic dispatcher sends due rows; that is not part of this figure.
        started = time.perf_counter()
        created = surveys_plan(programme=programme)
        ours = time.perf_counter() - started
        invitations = list(
            SurveyInvitation.objects.filter(schedule__programme=programme).values(
                "pk", "email", "token"
            )
        )
    # The baseline: the same payloads pushed to Redis in one pipeline.
    payloads = [
        json.dumps({"id": i["pk"], "to": i["email"], "token": i["token"]}) for i in invitations
    ]
    client.delete("bench-baseline")
    started = time.perf_counter()
    pipe = client.pipeline(transaction=False)
    for payload in payloads:
        pipe.rpush("bench-baseline", payload)
    pipe.execute()
    baseline = time.perf_counter() - started
    client.flushdb()
    return {
        "figure": f"creating and enqueueing {created:,} survey invitations (due rows)",
        "baseline": f"pipelined push of the same payloads into Redis: {baseline:.2f} s",
        "value": f"{ours:.2f} s",
        "ratio": ours / baseline,
        "target": "<= 3",
        "ok": ours / baseline <= 3,
    }


def _render_pdfs_forever(ids, stop) -> None:
    """A report rendering in a second process for as long as the latency run lasts (as a
    Celery worker renders large reports beside the web workers)."""
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r}); import django; django.setup()\n"
        "from impact.reports import render_pdf, report_context, scope_for\n"
        "from portal.models import Organisation\n"
        "from portal.tenancy import tenant_scope\n"
        "from programmes.models import Programme\n"
        f"org = Organisation.objects.get(pk={ids['org']})\n"
        "with tenant_scope(org):\n"
        f"    p = Programme.objects.get(pk={ids['programme']})\n"
        "    while True:\n"
        "        render_pdf(report_context(scope_for(p), programme=p))\n"
    )
    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)  # noqa: S603
    stop.wait()
    process.kill()
    process.wait()


def figure_latency(ids, cookie, peak, seconds) -> dict:
    """Open-loop load at 70% of the board's peak rate while a PDF renders: latency is
    measured from each request's scheduled start, so a stall is not hidden."""
    rate = 0.7 * peak
    board = f"/{ids['slug']}/cohorts/{ids['boards'][50]}/applications/"
    latencies, errors = [], []
    lock = threading.Lock()
    with gunicorn("portal.wsgi:application") as base:
        fetch(base + board, cookie)
        stop = threading.Event()
        renderer = threading.Thread(target=_render_pdfs_forever, args=(ids, stop))
        renderer.start()
        time.sleep(3)  # the renderer is up and busy
        started = time.perf_counter()
        total = int(rate * seconds)
        interval = 1 / rate

        def worker(offset: int, step: int) -> None:
            for i in range(offset, total, step):
                due = started + i * interval
                delay = due - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                try:
                    status, _ = fetch(base + board, cookie)
                except OSError as exc:
                    status = str(exc)
                elapsed = time.perf_counter() - due
                with lock:
                    latencies.append(elapsed)
                    if status != 200:
                        errors.append(status)

        threads = [threading.Thread(target=worker, args=(k, 16)) for k in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        stop.set()
        renderer.join()
    if errors:
        raise SystemExit(f"the latency run saw errors: {errors[:5]}")
    latencies.sort()
    p50 = latencies[len(latencies) // 2]
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    return {
        "figure": f"p99/p50 latency of the board at 70% of peak ({rate:,.0f} req/s) "
        "while a PDF renders",
        "baseline": f"itself: p50 {p50 * 1000:,.0f} ms",
        "value": f"p99 {p99 * 1000:,.0f} ms",
        "ratio": p99 / p50,
        "target": "<= 3",
        "ok": p99 / p50 <= 3,
    }


# --- Main -----------------------------------------------------------------------------------


def machine() -> str:
    import django.db

    with django.db.connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    return (
        f"{os.cpu_count()} cores ({platform.processor() or platform.machine()}), "
        f"{round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30)} GiB, "
        f"PostgreSQL {pg}, Python {platform.python_version()}, gunicorn sync × {GUNICORN_WORKERS}"
    )


def table(rows: list[dict]) -> str:
    lines = [
        "| figure | baseline in the same run | measured | ratio | target | met |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {r['figure']} | {r['baseline']} | {r['value']} | {r['ratio']:.2f} | "
            f"{r['target']} | {'yes' if r['ok'] else '**no**'} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data, short runs")
    parser.add_argument("--no-record", action="store_true", help="do not append RESULTS.md")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: `make bench` installs it (Debian package wrk)")
    global DATABASE_URL
    if args.quick:
        DATABASE_URL = DATABASE_URL + "_quick"
        os.environ["DATABASE_URL"] = DATABASE_URL
    ensure_database()

    import django

    django.setup()
    from django.core.management import call_command

    from bench import data

    print("migrating and collecting static files …", flush=True)
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    print("data (kept between runs) …", flush=True)
    companies = 5_000 if args.quick else 100_000
    ids = data.build(companies=companies, per_cohort=250 if args.quick else 1000)
    # Fresh planner statistics after the bulk load, as autovacuum would gather them.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    seconds = 5 if args.quick else 15
    repeat = 3 if args.quick else 5
    cookie = signed_in_cookie(ids["manager_email"])
    rows = []
    steps = [
        ("throughput", lambda: rows.extend(figure_throughput(ids, cookie, seconds))),
        ("queries", lambda: rows.append(figure_queries(ids))),
        ("aggregation", lambda: rows.append(figure_aggregation(ids, repeat))),
        ("pdf", lambda: rows.append(figure_pdf(ids, repeat))),
        ("invitations", lambda: rows.append(figure_invitations(ids))),
        (
            "latency",
            lambda: rows.append(figure_latency(ids, cookie, rows[1]["_peak"], seconds * 2)),
        ),
    ]
    for name, step in steps:
        print(f"measuring {name} …", flush=True)
        step()
    heading = (
        f"## {datetime.date.today().isoformat()} — "
        f"{'quick run, ' if args.quick else ''}{companies:,} companies\n\n"
        f"Machine: {machine()}.\n"
    )
    report = heading + "\n" + table(rows) + "\n"
    print("\n" + report)
    if not args.no_record:
        with RESULTS.open("a") as out:
            out.write("\n" + report)
        print(f"recorded in {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
