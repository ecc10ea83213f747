"""A throwaway PostgreSQL cluster for the tests, the end-to-end test and the benchmarks.

    with postgres_cluster() as cluster:
        url = cluster.create_database("replicas")   # postgresql://postgres@127.0.0.1:PORT/replicas
        cluster.restart()                           # pg_ctl restart -m fast, same port
    # stopped and deleted here

The cluster lives in a temporary folder, listens on 127.0.0.1 on a free port (its Unix socket in
the same folder, never /var/run), trusts every local connection and runs with fsync off: fast
and disposable, never a place for data. As root (CI containers) the server runs as the
`postgres` user, which PostgreSQL insists on.

Binaries come from `pg_config --bindir`, else the newest /usr/lib/postgresql/*/bin. When there
are none the pytest fixtures skip, unless BRIEFBOT_REQUIRE_POSTGRES=1 (set by .ci/run): then a
missing PostgreSQL fails the run instead of quietly testing one backend.

Fixtures (registered for every test by tests/conftest.py):
    pg_cluster      the session's cluster
    postgres_url    a fresh, empty database on it for one test
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REQUIRE_ENV = "BRIEFBOT_REQUIRE_POSTGRES"
SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    # Three replicas with their leader, listener and pool connections, and the tests' own.
    "max_connections": "300",
    "shared_buffers": "64MB",
    "log_min_messages": "warning",
}
_names = itertools.count(1)


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


def find_bindir() -> Path | None:
    """The folder holding `postgres`, `initdb` and `pg_ctl`, or None."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=10
            ).stdout.strip()
            candidates.append(Path(out))
        except (OSError, subprocess.SubprocessError):
            pass

    def version(p: Path) -> tuple[int, ...]:
        digits = p.parent.name.split(".")
        return tuple(int(d) for d in digits if d.isdigit())

    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    for bindir in candidates:
        if all((bindir / tool).is_file() for tool in ("postgres", "initdb", "pg_ctl")):
            return bindir
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresCluster:
    """One running cluster; see the module docstring."""

    def __init__(self, bindir: Path, root: Path, port: int) -> None:
        self.bindir = bindir
        self.root = root
        self.datadir = root / "data"
        self.socketdir = root / "socket"
        self.logfile = root / "postgres.log"
        self.port = port
        self.running = False

    @property
    def url(self) -> str:
        return self.url_for("postgres")

    def url_for(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create an empty database and return its URL."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url_for(name)

    def init(self) -> None:
        self.socketdir.mkdir(parents=True)
        _give_to_postgres(self.root)
        self._run(
            "initdb",
            "-D",
            str(self.datadir),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        settings = {
            **SERVER_SETTINGS,
            "port": str(self.port),
            "unix_socket_directories": f"'{self.socketdir}'",
        }
        # The settings go into the cluster's own file, so a restart keeps them.
        with (self.datadir / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n# tests/pg.py\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())

    def start(self) -> None:
        self._pg_ctl("start", "-l", str(self.logfile))
        self.running = True

    def restart(self) -> None:
        """Restart with `pg_ctl restart -m fast`: every client connection is cut, same port."""
        self._pg_ctl("restart", "-m", "fast", "-l", str(self.logfile))
        self.running = True

    def stop(self) -> None:
        if self.running:
            self._pg_ctl("stop", "-m", "fast")
            self.running = False

    def _pg_ctl(self, *args: str) -> None:
        self._run("pg_ctl", "-D", str(self.datadir), "-w", "-t", "60", *args)

    def _run(self, tool: str, *args: str) -> None:
        command = [*_as_postgres(), str(self.bindir / tool), *args]
        done = subprocess.run(
            command, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120
        )
        if done.returncode != 0:
            log = self.logfile.read_text(errors="replace")[-2000:] if self.logfile.exists() else ""
            raise RuntimeError(
                f"{tool} {' '.join(args)} failed ({done.returncode}):\n"
                f"{done.stdout}{done.stderr}{log}"
            )


@contextmanager
def postgres_cluster(bindir: Path | None = None) -> Iterator[PostgresCluster]:
    """Start a throwaway cluster; stop it and delete its folder on the way out."""
    bindir = bindir or find_bindir()
    if bindir is None:
        raise PostgresUnavailable(
            "no PostgreSQL server binaries (pg_config --bindir or /usr/lib/postgresql/*/bin); "
            "install the Debian package 'postgresql'"
        )
    root = Path(tempfile.mkdtemp(prefix="briefbot-pg-"))
    cluster = PostgresCluster(bindir, root, free_port())
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        try:
            cluster.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)


def _as_postgres() -> list[str]:
    # PostgreSQL refuses to run as root.
    if os.geteuid() != 0:
        return []
    return [shutil.which("runuser") or "/usr/sbin/runuser", "-u", "postgres", "--"]


def _give_to_postgres(root: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        for path in root.rglob("*"):
            shutil.chown(path, "postgres", "postgres")


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    """The session's PostgreSQL cluster (skips, or fails under BRIEFBOT_REQUIRE_POSTGRES=1)."""
    if find_bindir() is None:
        reason = "PostgreSQL is not installed (no pg_config --bindir, no /usr/lib/postgresql/*/bin)"
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{REQUIRE_ENV}=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    with postgres_cluster() as cluster:
        yield cluster


@pytest.fixture
def postgres_url(pg_cluster: PostgresCluster) -> str:
    """The URL of a new empty database, for one test."""
    return pg_cluster.create_database(f"test_{os.getpid()}_{next(_names)}")
