"""The connection layer under the subscription store: one set of statements, two engines.

    Database                the interface `Store` uses: transactions, queries, migrations
     +-- SQLiteDatabase     one file, one connection, `BEGIN IMMEDIATE`; one process
     +-- PostgresDatabase   a small pool of connections that reconnects; shared by replicas,
                            so it adds what only a server offers: a session advisory lock for
                            leadership, and LISTEN/NOTIFY

Statements are written once in the dialect both engines accept (`?` placeholders, `ON CONFLICT`,
`RETURNING`); PostgreSQL gets `%s` placeholders, and its DDL gets BIGINT for INTEGER (Telegram ids
pass 2^31), identity columns for `id INTEGER PRIMARY KEY` and DOUBLE PRECISION for REAL. The few
places where the engines differ are attributes (`now_sql`, `skip_locked`) or `OnlyOn` steps.

Reconnecting (PostgreSQL): a transaction that fails because the connection is lost (a server
restart, a dropped socket) is run again on a new connection, with back-off, for up to
`RECONNECT_SECONDS`, and only then becomes a StoreError. A failure during COMMIT is ambiguous (the
server may have committed), so every transaction the store runs must be safe to run twice: the
store's methods are written that way (see bot.subscriptions).

The schema version is SQLite's `PRAGMA user_version` (files written before PostgreSQL support keep
theirs) and a one-row `schema_version` table on PostgreSQL, migrated under a transaction-scoped
advisory lock so replicas starting together migrate once.
"""

from __future__ import annotations

import functools
import logging
import re
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar
from urllib.parse import urlsplit, urlunsplit

from bot.errors import StoreError

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

Backend = Literal["sqlite", "postgresql"]
T = TypeVar("T")

# How long a lost PostgreSQL connection is retried before a store call fails.
RECONNECT_SECONDS = 30.0
# Idle PostgreSQL connections kept for reuse; more are opened while threads need them.
POOL_IDLE = 4
CONNECT_TIMEOUT = 5
# pg_advisory_xact_lock key for migrations ("briefbot" in ASCII, as a bigint).
MIGRATION_LOCK = 0x6272696566626F74


@dataclass(frozen=True)
class OnlyOn:
    """A migration statement for one engine only (e.g. SQLite's rowid)."""

    backend: Backend
    sql: str


Statement = str | OnlyOn


class Tx(Protocol):
    """The statements of one transaction."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; the number of rows it changed."""

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...


class Closeable(Protocol):
    def close(self) -> None: ...


class _Nothing:
    def close(self) -> None:
        pass


def sqlite_path(url: str | Path) -> Path | None:
    """The file of a `sqlite:///path` URL (or a plain Path); None for any other URL."""
    if isinstance(url, Path):
        return url
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///"))
    return None


def is_postgres(url: str | Path) -> bool:
    return isinstance(url, str) and url.startswith(("postgresql://", "postgres://"))


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname or ''}"
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


class Database(ABC):
    """What the store needs from an engine; see the module docstring."""

    backend: Backend
    # True when other processes may use the same data (so leadership and pacing matter).
    shared: bool
    # The database's clock in UTC epoch seconds, as SQL: replicas compare leases and pace
    # sends by one clock, the server's.
    now_sql: str
    # Appended to a SELECT that claims rows: other claimers skip them instead of waiting.
    skip_locked: str
    where: str  # the file or the redacted URL, for messages

    @abstractmethod
    def transaction(self, body: Callable[[Tx], T]) -> T:
        """Run `body` in one transaction and commit; a lost connection runs it again."""

    # One statement is atomic on its own: no BEGIN/COMMIT round trips (three become one on
    # PostgreSQL, which is most of the cost of claiming an update).

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement (a SELECT, or a change with RETURNING); its rows."""
        return self.transaction(lambda tx: tx.fetch(sql, params))

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; the number of rows it changed."""
        return self.transaction(lambda tx: tx.execute(sql, params))

    @abstractmethod
    def migrate(self, steps: Sequence[Sequence[Statement]]) -> None:
        """Apply the steps after the stored version (step i brings version i to i + 1)."""

    @abstractmethod
    def close(self) -> None: ...

    # What a shared server adds; one process alone always leads and hears nothing.

    def try_lock(self, key: int) -> bool:
        """Take (or confirm) the session lock `key`; True while this process holds it."""
        return True

    def holds_lock(self) -> bool:
        return True

    def release_lock(self) -> None:
        return None  # nothing held

    def notify(self, tx: Tx, channel: str, payload: str) -> None:
        """Tell listeners `payload` when `tx` commits."""
        return None  # no other process to tell

    def listen(
        self, channel: str, callback: Callable[[str], None], on_connect: Callable[[], None]
    ) -> Closeable:
        return _Nothing()

    def _too_new(self, version: int, known: int) -> StoreError:
        return StoreError(
            f"{self.where}: schema version {version} was written by a newer Briefbot "
            f"(this one knows up to {known}); upgrade Briefbot or use another storage.url"
        )


# -- SQLite ------------------------------------------------------------------------------------


class _SQLiteTx:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self._conn.execute(sql, tuple(params)).rowcount

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._conn.executemany(sql, (tuple(r) for r in rows))

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._conn.execute(sql, tuple(params)).fetchall()


class SQLiteDatabase(Database):
    """One SQLite file in WAL mode: reads never wait on the writer."""

    backend: Backend = "sqlite"
    shared = False
    now_sql = "((julianday('now') - 2440587.5) * 86400.0)"
    skip_locked = ""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = str(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=10.0
            )
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(
                f"{path}: cannot open the store ({exc}); check storage.url in config.yaml"
            ) from None
        try:
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise StoreError(f"{path}: the file system does not support SQLite's WAL mode")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise self._not_a_store(exc) from None
        except StoreError:
            conn.close()
            raise
        self._conn = conn
        # PTB runs handlers on one event loop, but workers and tests use threads.
        self._lock = threading.Lock()

    def _not_a_store(self, exc: Exception) -> StoreError:
        return StoreError(
            f"{self.path}: not a Briefbot store ({exc}); move it away or fix storage.url"
        )

    def transaction(self, body: Callable[[Tx], T]) -> T:
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    result = body(_SQLiteTx(self._conn))
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
                self._conn.execute("COMMIT")
                return result
            except sqlite3.Error as exc:
                raise StoreError(f"{self.path}: {exc}") from exc

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._conn.execute(sql, tuple(params)).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"{self.path}: {exc}") from exc

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        with self._lock:
            try:
                return self._conn.execute(sql, tuple(params)).rowcount
            except sqlite3.Error as exc:
                raise StoreError(f"{self.path}: {exc}") from exc

    def migrate(self, steps: Sequence[Sequence[Statement]]) -> None:
        with self._lock:
            try:
                version = self._conn.execute("PRAGMA user_version").fetchone()[0]
                if version > len(steps):
                    raise self._too_new(version, len(steps))
                for step in range(version, len(steps)):
                    self._conn.execute("BEGIN IMMEDIATE")
                    try:
                        for statement in _for(self.backend, steps[step]):
                            self._conn.execute(statement)
                        # PRAGMA takes no parameters; `step` is an int from our own range.
                        self._conn.execute(f"PRAGMA user_version = {step + 1}")
                    except BaseException:
                        self._conn.execute("ROLLBACK")
                        raise
                    self._conn.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                raise self._not_a_store(exc) from None

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _for(backend: Backend, statements: Sequence[Statement]) -> list[str]:
    return [
        s if isinstance(s, str) else s.sql
        for s in statements
        if isinstance(s, str) or s.backend == backend
    ]


# -- PostgreSQL --------------------------------------------------------------------------------

_DDL = (
    (
        re.compile(r"\bid\s+INTEGER\s+PRIMARY\s+KEY\b"),
        "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    ),
    (re.compile(r"\bINTEGER\b"), "BIGINT"),
    (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),
)


def postgres_ddl(sql: str) -> str:
    """SQLite DDL as PostgreSQL wants it (see the module docstring)."""
    for pattern, replacement in _DDL:
        sql = pattern.sub(replacement, sql)
    return sql


def _placeholders(sql: str) -> str:
    # psycopg reads % as the start of a placeholder; the statements hold no '?' in literals.
    return sql.replace("%", "%%").replace("?", "%s")


class _PostgresTx:
    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self._conn.execute(_placeholders(sql), tuple(params)).rowcount

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self._conn.cursor() as cur:
            cur.executemany(_placeholders(sql), [tuple(r) for r in rows])

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._conn.execute(_placeholders(sql), tuple(params)).fetchall()


def _lost(exc: BaseException, conn: psycopg.Connection[Any] | None) -> bool:
    """Whether `exc` means the connection (or the server) went away, so a retry may succeed."""
    import psycopg

    if isinstance(exc, psycopg.OperationalError):
        return True
    return isinstance(exc, psycopg.InterfaceError) and (conn is None or conn.closed)


class PostgresDatabase(Database):
    """A PostgreSQL database shared by any number of replicas; see the module docstring."""

    backend: Backend = "postgresql"
    shared = True
    # clock_timestamp(), not the statement's start: a statement that waited for a row lock
    # (two replicas reserving a send at once) must measure from when it got the row.
    now_sql = "CAST(extract(epoch FROM clock_timestamp()) AS DOUBLE PRECISION)"
    skip_locked = " FOR UPDATE SKIP LOCKED"

    def __init__(self, url: str, *, name: str) -> None:
        self.url = url
        self.name = name
        self.where = redact(url)
        self._idle: list[psycopg.Connection[Any]] = []
        self._pool_lock = threading.Lock()
        self._leader: psycopg.Connection[Any] | None = None
        self._leader_lock = threading.Lock()
        self._listeners: list[_Listener] = []
        self._closed = False
        # Fail fast on a wrong URL or a server that is not there: a replica that cannot reach
        # its database at start should say so, not retry for half a minute.
        try:
            self._release(self.connect())
        except Exception as exc:
            raise StoreError(
                f"{self.where}: cannot connect to PostgreSQL ({_first_line(exc)}); "
                "check storage.url or BRIEFBOT_STORAGE_URL"
            ) from None

    def connect(self) -> psycopg.Connection[Any]:
        """A new autocommit connection named after this replica (pg_stat_activity shows it)."""
        import psycopg

        return psycopg.connect(
            self.url,
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT,
            application_name=self.name[:63],
        )

    def _acquire(self) -> psycopg.Connection[Any]:
        with self._pool_lock:
            if self._idle:
                return self._idle.pop()
        return self.connect()

    def _release(self, conn: psycopg.Connection[Any]) -> None:
        import psycopg

        ok = not conn.closed and conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        with self._pool_lock:
            if ok and not self._closed and len(self._idle) < POOL_IDLE:
                self._idle.append(conn)
                return
        conn.close()

    def _drop_idle(self) -> None:
        # After one lost connection the idle ones are most likely dead too (a restart).
        with self._pool_lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def transaction(self, body: Callable[[Tx], T]) -> T:
        return self._retrying(lambda conn: self._in_transaction(conn, body))

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._retrying(lambda conn: _PostgresTx(conn).fetch(sql, params))

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self._retrying(lambda conn: _PostgresTx(conn).execute(sql, params))

    @staticmethod
    def _in_transaction(conn: psycopg.Connection[Any], body: Callable[[Tx], T]) -> T:
        with conn.transaction():
            return body(_PostgresTx(conn))

    def _retrying(self, work: Callable[[psycopg.Connection[Any]], T]) -> T:
        import psycopg

        deadline: float | None = None
        delay = 0.05
        while True:
            conn: psycopg.Connection[Any] | None = None
            try:
                conn = self._acquire()
                result = work(conn)
            except BaseException as exc:
                if not isinstance(exc, psycopg.Error | OSError):
                    if conn is not None:
                        self._release(conn)
                    raise
                if not (isinstance(exc, OSError) or _lost(exc, conn)):
                    if conn is not None:
                        self._release(conn)
                    raise StoreError(f"{self.where}: {_first_line(exc)}") from exc
                if conn is not None:
                    conn.close()
                self._drop_idle()
                now = time.monotonic()
                if deadline is None:
                    deadline = now + RECONNECT_SECONDS
                    log.warning("%s: connection lost (%s); reconnecting", self.where, exc)
                if now >= deadline:
                    raise StoreError(
                        f"{self.where}: PostgreSQL unreachable for {RECONNECT_SECONDS:.0f} s "
                        f"({_first_line(exc)})"
                    ) from exc
                time.sleep(min(delay, max(0.0, deadline - now)))
                delay = min(delay * 2, 1.0)
                continue
            self._release(conn)
            if deadline is not None:
                log.info("%s: reconnected", self.where)
            return result

    def migrate(self, steps: Sequence[Sequence[Statement]]) -> None:
        def body(tx: Tx) -> None:
            # Held until COMMIT: a replica starting at the same time waits, then finds the
            # schema current.
            tx.fetch("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))
            tx.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            rows = tx.fetch("SELECT version FROM schema_version")
            if not rows:
                tx.execute("INSERT INTO schema_version (version) VALUES (0)")
            version = int(rows[0][0]) if rows else 0
            if version > len(steps):
                raise self._too_new(version, len(steps))
            for step in range(version, len(steps)):
                for statement in _for(self.backend, steps[step]):
                    tx.execute(postgres_ddl(statement))
            tx.execute("UPDATE schema_version SET version = ?", (max(version, len(steps)),))

        self.transaction(body)

    def close(self) -> None:
        self._closed = True
        for listener in self._listeners:
            listener.close()
        self.release_lock()
        self._drop_idle()

    # -- leadership -----------------------------------------------------------------------

    def try_lock(self, key: int) -> bool:
        import psycopg

        with self._leader_lock:
            if self._leader is not None and self._alive(self._leader):
                return True
            self._close_leader()
            try:
                conn = self.connect()
                got = conn.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
            except psycopg.Error as exc:
                log.warning("%s: cannot try the leader lock (%s)", self.where, _first_line(exc))
                return False
            if got and got[0]:
                # The lock lives as long as this connection: if the process dies, PostgreSQL
                # frees it and another replica takes over on its next try.
                self._leader = conn
                return True
            conn.close()
            return False

    def holds_lock(self) -> bool:
        with self._leader_lock:
            if self._leader is None:
                return False
            if self._alive(self._leader):
                return True
            self._close_leader()
            return False

    def release_lock(self) -> None:
        with self._leader_lock:
            self._close_leader()

    def _close_leader(self) -> None:
        if self._leader is not None:
            self._leader.close()
            self._leader = None

    @staticmethod
    def _alive(conn: psycopg.Connection[Any]) -> bool:
        import psycopg

        if conn.closed:
            return False
        try:
            conn.execute("SELECT 1")
        except psycopg.Error:
            return False
        return True

    # -- LISTEN/NOTIFY ----------------------------------------------------------------------

    def notify(self, tx: Tx, channel: str, payload: str) -> None:
        tx.fetch("SELECT pg_notify(?, ?)", (channel, payload))

    def listen(
        self, channel: str, callback: Callable[[str], None], on_connect: Callable[[], None]
    ) -> Closeable:
        listener = _Listener(self, channel, callback, on_connect)
        self._listeners.append(listener)
        listener.start()
        return listener


class _Listener:
    """A daemon thread with its own connection doing LISTEN; reconnects until closed."""

    def __init__(
        self,
        db: PostgresDatabase,
        channel: str,
        callback: Callable[[str], None],
        on_connect: Callable[[], None],
    ) -> None:
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", channel):
            raise ValueError(f"not a channel name: {channel!r}")
        self._db = db
        self._channel = channel
        self._callback = callback
        self._on_connect = on_connect
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"listen-{channel}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        delay = 0.05
        while not self._stop.is_set():
            try:
                with self._db.connect() as conn:
                    conn.execute(f"LISTEN {self._channel}")
                    delay = 0.05
                    # Anything published while this replica was not listening.
                    self._safely(self._on_connect)
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=0.5):
                            self._safely(functools.partial(self._callback, note.payload))
            except Exception as exc:
                if self._stop.is_set():
                    return
                log.warning("%s: listener lost its connection (%s)", self._db.where, exc)
                self._stop.wait(delay)
                delay = min(delay * 2, 1.0)

    @staticmethod
    def _safely(call: Callable[[], None]) -> None:
        try:
            call()
        except Exception:
            log.exception("a LISTEN callback failed")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
