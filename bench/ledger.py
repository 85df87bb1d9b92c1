"""Benchmark: approved-assignment earnings per second through the ledger, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/groundwork_bench_ledger \\
        .venv/bin/python bench/ledger.py --answers 1000 --threads 8

Use a scratch database: it is migrated, and the ledger is append-only (nothing is
deleted afterwards). Builds one funded public project with `--answers` submitted answers
(by ten workers, through the queue services), then posts half of the earnings
one after another and the other half from `--threads` threads (all on one project, so
they contend for its escrow row, the worst case), and times the reconciliation report.
"""

import argparse
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")
os.environ.setdefault("ENV_FILE", "/dev/null")


def emit(text: str) -> None:
    sys.stdout.write(f"{text}\n")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--answers", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django_scopes import scopes_disabled

    from apps.payouts import services
    from apps.payouts.selectors import reconciliation_report
    from tests.factories import MembershipFactory
    from tests.payouts.helpers import public_project, submitted
    from tests.workforces.helpers import public_worker

    call_command("migrate", verbosity=0)
    emit(f"database: {connection.vendor}")
    with scopes_disabled():
        owner = MembershipFactory()
        started = time.perf_counter()
        project = public_project(
            owner, items=args.answers, price="0.05", name=f"bench-{owner.organization_id}"
        )
        # Ten workers (creating a user hashes a password: slow on purpose), many answers each.
        workers = [public_worker() for _ in range(10)]
        assignments = [submitted(project, workers[n % 10]) for n in range(args.answers)]
        emit(f"setup: {args.answers} submitted answers in {time.perf_counter() - started:.1f} s")

        half = args.answers // 2
        started = time.perf_counter()
        for assignment in assignments[:half]:
            services.assignment_earning_post(assignment=assignment, idempotency_key="bench")
        elapsed = time.perf_counter() - started
        emit(f"sequential: {half} earnings in {elapsed:.2f} s = {half / elapsed:.0f}/s")

        rest = assignments[half:]
        chunks = [rest[n :: args.threads] for n in range(args.threads)]

        def post(chunk):
            with scopes_disabled():
                for assignment in chunk:
                    services.assignment_earning_post(assignment=assignment, idempotency_key="bench")
                    services.assignment_earning_post(assignment=assignment, idempotency_key="retry")
            connection.close()

        threads = [threading.Thread(target=post, args=(chunk,)) for chunk in chunks]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        emit(
            f"{args.threads} threads: {len(rest)} earnings (+{len(rest)} retries, paid once) "
            f"in {elapsed:.2f} s = {len(rest) / elapsed:.0f}/s"
        )

        started = time.perf_counter()
        report = reconciliation_report()
        emit(
            f"reconciliation: {report['entries']} entries, {report['accounts']} accounts in "
            f"{time.perf_counter() - started:.2f} s, balanced={report['is_balanced']}"
        )


if __name__ == "__main__":
    main()
