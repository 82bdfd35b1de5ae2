"""A throw-away PostgreSQL cluster: for the test suite (PACER_TEST_DB=postgres) and for
`make bench` (`python -m pacer.bench.pgcluster -- COMMAND`). Durability is relaxed (fsync
off): both measure Pacer, not the disk.

The cluster lives in a temporary folder, listens on 127.0.0.1 on a free port (and on a unix
socket inside that folder), trusts every local connection and is removed when the run ends.
PostgreSQL refuses to run as root, so as root every server command runs as the `postgres`
user through `runuser`.
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


class PostgresUnavailable(RuntimeError):
    """The binaries or the user PostgreSQL needs are not on this machine."""


def find_bindir() -> Path:
    """The folder holding initdb and pg_ctl: from PATH, else the newest /usr/lib/postgresql."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return Path(os.path.realpath(initdb)).parent
    candidates = [Path(p) for p in glob.glob(SEARCH_GLOB) if (Path(p) / "pg_ctl").exists()]
    candidates = [p for p in candidates if (p / "initdb").exists()]
    if not candidates:
        raise PostgresUnavailable(
            "PostgreSQL binaries (initdb, pg_ctl) are not found on PATH or in "
            f"{SEARCH_GLOB}. Install PostgreSQL (Debian: apt-get install postgresql) "
            "or run the tests on SQLite (unset PACER_TEST_DB)."
        )
    return max(candidates, key=lambda p: _version_key(p.parent.name))


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", name)) or (0,)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresCluster:
    """initdb + pg_ctl start in a temporary folder; `stop()` shuts it down and deletes it."""

    def __init__(self, bindir: Path | None = None, user: str = "postgres") -> None:
        self.bindir = bindir or find_bindir()
        self.superuser = user
        self.as_root = os.geteuid() == 0
        self.folder: Path | None = None
        self.port: int | None = None
        self.running = False

    @property
    def data_dir(self) -> Path:
        assert self.folder is not None
        return self.folder / "data"

    @property
    def log_file(self) -> Path:
        assert self.folder is not None
        return self.folder / "server.log"

    def create_database(self, name: str = "pacer") -> str:
        """Create a database in the running cluster; its URL."""
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.superuser, name)
        return self.url(name)

    def url(self, database: str = "pacer") -> str:
        return f"postgres://{self.superuser}@127.0.0.1:{self.port}/{database}"

    def start(self, attempts: int = 3) -> str:
        """Create and start the cluster; returns a DATABASE_URL for it."""
        self.folder = Path(tempfile.mkdtemp(prefix="pacer-pg-"))
        try:
            if self.as_root:
                try:
                    account = pwd.getpwnam("postgres")
                except KeyError:
                    raise PostgresUnavailable(
                        "Running as root, but there is no `postgres` user to run PostgreSQL "
                        "as. Install PostgreSQL (Debian: apt-get install postgresql)."
                    ) from None
                os.chown(self.folder, account.pw_uid, account.pw_gid)
            self._run(
                "initdb",
                f"--pgdata={self.data_dir}",
                f"--username={self.superuser}",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            )
            for attempt in range(attempts):
                self.port = free_port()
                try:
                    self._start_server()
                    break
                except subprocess.CalledProcessError:
                    if attempt == attempts - 1:
                        raise
        except BaseException:
            self.stop()
            raise
        return self.url()

    def _start_server(self) -> None:
        options = " ".join([*SERVER_OPTIONS, f"-p {self.port}", f"-k {self.folder}"])
        self._run(
            "pg_ctl",
            "start",
            f"--pgdata={self.data_dir}",
            f"--log={self.log_file}",
            "--wait",
            "--timeout=60",
            f"--options={options}",
        )
        self.running = True

    def stop(self) -> None:
        """Stop the server (if it runs) and delete the folder. Safe to call twice."""
        if self.running:
            self.running = False
            # A failed stop still ends in deleting the folder below.
            with contextlib.suppress(subprocess.CalledProcessError):
                self._run(
                    "pg_ctl", "stop", f"--pgdata={self.data_dir}", "--mode=immediate", "--wait"
                )
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bindir / program), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(
            command,
            cwd=self.folder,  # the postgres user may not be allowed into our working folder
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            log = self.log_file.read_text(errors="replace") if self.log_file.exists() else ""
            raise subprocess.CalledProcessError(
                result.returncode,
                command,
                output=result.stdout,
                stderr=f"{result.stderr}\n{log}".strip(),
            )
