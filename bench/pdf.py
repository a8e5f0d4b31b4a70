"""The funder-report PDF against plain paragraphs on its own: the `pdf` row of bench/run.py
without its 100,000-company database, for work on the report's rendering speed.

    python bench/pdf.py              # the ratio as bench/run.py measures it, and in CPU time
    python bench/pdf.py --profile    # where WeasyPrint spends the time (cProfile)

The report has the full run's shape (100 cohorts, 40 case notes, 28 pages) with 100
companies per cohort, built once (about 20 s) into its own PostgreSQL database,
BENCH_PDF_DATABASE_URL (SQLite's stand-ins for PostgreSQL's DISTINCT ON and medians take
minutes at this size). Wall-clock time is what bench/run.py reports; CPU time of the same calls
is printed beside it because it holds steady on a machine that is busy with other work.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# bench.run sets the production settings of the full run as it is imported; this script then
# points them at its own small database and leaves Redis out (rendering does not use it).
import bench.run as full_run  # noqa: E402
from bench.run import PARAGRAPH, PLAIN, _pages  # noqa: E402

DATABASE_URL = os.environ.get(
    "BENCH_PDF_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_pdf"
)
os.environ["DATABASE_URL"] = full_run.DATABASE_URL = DATABASE_URL
os.environ["REDIS_URL"] = ""


def timings(fn, repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of `repeat` calls of fn()."""
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="cProfile one render")
    parser.add_argument("--out", help="write the report's PDF here")
    args = parser.parse_args()
    full_run.ensure_database()

    import django

    django.setup()
    import weasyprint
    from django.core.management import call_command

    from bench import data
    from impact.reports import render_pdf, report_context, scope_for
    from portal.models import Organisation
    from portal.tenancy import tenant_scope
    from programmes.models import Programme

    call_command("migrate", verbosity=0)
    ids = data.build(companies=10_000, per_cohort=100)
    org = Organisation.objects.get(pk=ids["org"])
    with tenant_scope(org):
        programme = Programme.objects.get(pk=ids["programme"])
        context = report_context(scope_for(programme), programme=programme)
        pdf = render_pdf(context)
        if args.out:
            Path(args.out).write_bytes(pdf)
        pages = _pages(pdf)
        if args.profile:
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.runcall(render_pdf, context)
            stats = pstats.Stats(profile).strip_dirs()
            stats.sort_stats("cumulative").print_stats(40)
            stats.sort_stats("tottime").print_stats(25)
            return 0
        ours, ours_cpu = timings(lambda: render_pdf(context), args.repeat)
    # Plain paragraphs filling the same number of pages, as bench/run.py builds them.
    per_page = 12
    while True:
        html = PLAIN.format(PARAGRAPH * per_page * pages)
        if _pages(weasyprint.HTML(string=html).write_pdf()) >= pages:
            break
        per_page += 2
    plain, plain_cpu = timings(lambda: weasyprint.HTML(string=html).write_pdf(), args.repeat)
    wall = statistics.median(ours) / statistics.median(plain)
    cpu = statistics.median(ours_cpu) / statistics.median(plain_cpu)
    print(f"report of {pages} pages, {len(pdf):,} bytes")
    print(
        f"wall clock (median of {args.repeat}): report {statistics.median(ours):.2f} s, "
        f"plain {statistics.median(plain):.2f} s, ratio {wall:.2f}"
    )
    print(
        f"CPU time   (median of {args.repeat}): report {statistics.median(ours_cpu):.2f} s, "
        f"plain {statistics.median(plain_cpu):.2f} s, ratio {cpu:.2f}"
    )
    print("target (Issue 7): <= 1.5")
    return 0


if __name__ == "__main__":
    sys.exit(main())
