"""`pacer bench generate|run|load`: the benchmark suite (docs/benchmarks.md)."""

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pacer.bench.generate import DEFAULT_NAME, SCALES, AlreadyThere, generate
from pacer.bench.load import SHAPES
from pacer.bench.wrk import available as wrk_available


class Command(BaseCommand):
    help = "Benchmarks: generate a company-size organization, measure pages and operations."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        gen = sub.add_parser("generate", help="fill the database with the bench organization")
        gen.add_argument("--scale", choices=list(SCALES), default="small")
        gen.add_argument("--seed", type=int, default=1)
        gen.add_argument("--name", default=DEFAULT_NAME, help="the organization's name")
        gen.add_argument(
            "--today", type=date.fromisoformat, help="the day the data is built around"
        )
        gen.add_argument("--replace", action="store_true", help="delete a previous bench org")

        run = sub.add_parser("run", help="measure pages, API, writes, import/export, memory")
        run.add_argument("--scale", choices=list(SCALES), default="small")
        run.add_argument("--requests", type=int, default=30, help="timed requests per item")
        run.add_argument("--name", default=DEFAULT_NAME)
        run.add_argument("--output", type=Path, help="JSON file (default bench/results/...)")
        run.add_argument(
            "--import-objectives", type=int, help="objectives in the imported OKR file"
        )
        run.add_argument("--skip-import", action="store_true", help="no import/export timing")

        load = sub.add_parser("load", help="HTTP load against running servers (127.0.0.1)")
        load.add_argument("--port", type=int, action="append", required=True)
        load.add_argument("--seconds", type=float, default=60)
        load.add_argument("--threads", type=int, default=8)
        load.add_argument("--path", default="/api/v1/checkins")
        load.add_argument("--token", help="API token (default: create one for the bench admin)")
        load.add_argument("--name", default=DEFAULT_NAME)
        load.add_argument("--noop", action="store_true", help="GET /bench/noop instead")
        load.add_argument(
            "--shape",
            choices=SHAPES,
            default="spread",
            help="check-ins over up to 2,000 key results, or all on one objective's",
        )
        load.add_argument(
            "--client",
            choices=("wrk", "python"),
            default="wrk" if wrk_available() else "python",
            help="the load generator (wrk when installed; one port only)",
        )

        thr = sub.add_parser("throughput", help="gunicorn + load from a separate process")
        thr.add_argument("--servers", type=int, default=1, help="2 = the scale-out run")
        thr.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
        thr.add_argument("--seconds", type=float, default=60)
        thr.add_argument("--threads", type=int, default=8, help="load generator threads")
        thr.add_argument("--output", type=Path)
        thr.add_argument(
            "--shape",
            choices=(*SHAPES, "both"),
            default="both",
            help="the check-ins' load shape (both: spread, then hotspot; --servers 2: spread)",
        )
        thr.add_argument(
            "--client",
            choices=("wrk", "python"),
            default="wrk" if wrk_available() else "python",
            help="the load generator (wrk when installed, `apt-get install wrk`)",
        )

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, f"handle_{action}")(**options)

    def handle_generate(
        self, *, scale: str, seed: int, name: str, today: date | None, replace: bool, **_: Any
    ) -> None:
        try:
            report = generate(
                SCALES[scale],
                seed=seed,
                today=today,
                name=name,
                replace=replace,
                log=lambda line: self.stderr.write(line),
            )
        except AlreadyThere as error:
            raise CommandError(str(error)) from error
        self.stdout.write(report.summary())

    def handle_run(self, **options: Any) -> None:
        from pacer.bench.measure import run

        run(options, out=self.stdout)

    def handle_load(self, **options: Any) -> None:
        from pacer.bench.load import run_load_command

        run_load_command(options, out=self.stdout)

    def handle_throughput(self, **options: Any) -> None:
        from pacer.bench.throughput import run_throughput

        run_throughput(options, out=self.stdout)
