"""`python -m pacer.bench.pgcluster -- COMMAND...`: run COMMAND against a throw-away
PostgreSQL cluster (pacer.pgcluster) with DATABASE_URL pointing at a fresh database, then
stop and delete the cluster. `make bench` uses it.
"""

from __future__ import annotations

import os
import subprocess
import sys

from pacer.pgcluster import PostgresCluster, free_port

__all__ = ["free_port", "main"]


def main(argv: list[str]) -> int:
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print("usage: python -m pacer.bench.pgcluster -- COMMAND...", file=sys.stderr)
        return 2
    cluster = PostgresCluster()
    try:
        cluster.start()
        url = cluster.create_database("pacer")
        print(f"PostgreSQL cluster on port {cluster.port} ({cluster.bindir})", file=sys.stderr)
        return subprocess.run(argv, env={**os.environ, "DATABASE_URL": url}, check=False).returncode
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
