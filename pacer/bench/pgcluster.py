"""A throw-away PostgreSQL cluster for `make bench`, and a runner around a command.

`python -m pacer.bench.pgcluster -- COMMAND...` starts a cluster in a temporary folder (127.0.0.1,
a free port; as root the server runs as `postgres` through `runuser`), creates the database,
runs COMMAND with DATABASE_URL pointing at it, then stops and deletes the cluster.
The same steps as tests/pgcluster.py (which the test suite owns), kept separate so the bench
does not import the tests. Durability settings are relaxed (fsync off) as for the tests:
the bench measures Pacer, not the disk; docs/benchmarks.md says so beside the numbers.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

SEARCH_GLOB = "/usr/lib/postgresql/*/bin"
SERVER_OPTIONS = [
    "-c listen_addresses=127.0.0.1",
    "-c fsync=off",
    "-c synchronous_commit=off",
    "-c full_page_writes=off",
    "-c max_connections=100",
    "-c shared_buffers=512MB",
]


def find_bindir() -> Path:
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return Path(os.path.realpath(initdb)).parent
    found = [Path(p) for p in glob.glob(SEARCH_GLOB) if (Path(p) / "initdb").exists()]
    if not found:
        raise RuntimeError(f"PostgreSQL binaries not found on PATH or in {SEARCH_GLOB}")

    def version(p: Path) -> tuple[int, ...]:
        return tuple(int(x) for x in re.findall(r"\d+", p.parent.name)) or (0,)

    return max(found, key=version)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    def __init__(self) -> None:
        self.bindir = find_bindir()
        self.as_root = os.geteuid() == 0
        self.folder = Path(tempfile.mkdtemp(prefix="pacer-bench-pg-"))
        self.port = 0
        self.running = False

    def url(self, database: str = "pacer") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> str:
        if self.as_root:
            account = pwd.getpwnam("postgres")
            os.chown(self.folder, account.pw_uid, account.pw_gid)
        data = self.folder / "data"
        self.run("initdb", f"--pgdata={data}", "--username=postgres", "--auth=trust")
        self.port = free_port()
        options = " ".join([*SERVER_OPTIONS, f"-p {self.port}", f"-k {self.folder}"])
        log = self.folder / "server.log"
        self.run("pg_ctl", "start", f"--pgdata={data}", f"--log={log}", "--wait", f"-o {options}")
        self.running = True
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "pacer")
        return self.url()

    def stop(self) -> None:
        if self.running:
            self.running = False
            with contextlib.suppress(subprocess.CalledProcessError):
                data = self.folder / "data"
                self.run("pg_ctl", "stop", f"--pgdata={data}", "--mode=fast", "--wait")
        shutil.rmtree(self.folder, ignore_errors=True)

    def run(self, program: str, *args: str) -> None:
        command = [str(self.bindir / program), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(
            command, cwd=self.folder, stdin=subprocess.DEVNULL, capture_output=True, check=True
        )


def main(argv: list[str]) -> int:
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print("usage: python -m pacer.bench.pgcluster -- COMMAND...", file=sys.stderr)
        return 2
    cluster = Cluster()
    try:
        url = cluster.start()
        print(f"PostgreSQL cluster on port {cluster.port} ({cluster.bindir})", file=sys.stderr)
        return subprocess.run(argv, env={**os.environ, "DATABASE_URL": url}, check=False).returncode
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
