"""The subscription store: who uses the bot, what they follow, when and what they were sent.

One SQLite file (`storage.path` in config.yaml) in WAL mode, so the bot's reads never wait on a
write. Every change is its own transaction, committed before the method returns: a restart or a
`kill -9` loses nothing that a method reported as done.

Durability: `synchronous=NORMAL`. In WAL mode a commit is in the operating system's hands when
it returns, so a killed process loses nothing; only a power cut or a kernel crash can roll back
the last few commits (never corrupt the file). FULL would fsync on every commit, and the bot
writes one row per question answered; the worst a power cut can do here is repeat one digest.

Tables (the SQL lives in `_MIGRATIONS` and `_SQL` below and nowhere else, so that another backend,
PostgreSQL for several replicas, is one more statement set behind the same `Store` methods):

    chats          one row per chat: first/last seen, digest time and zone (NULL = the config
                   default), digest off, paused (the chat blocked the bot), the last digest slot
                   claimed (UTC epoch seconds) so a restart never sends that digest again
    subscriptions  (chat, topic)
    seen           (chat, topic) -> the snapshot of the brief's sentence fingerprints when the
                   chat last got a digest of that topic: the next digest's "new" is measured
                   against it
    snapshots      (topic, id) -> fingerprints; id is a hash of them, so every chat that saw the
                   same version of a brief shares one row
    questions      every question asked, answered or declined, for /stats

The schema version is SQLite's `user_version`; `open` applies the missing migration steps in
order, inside one transaction each, and refuses a file written by a newer Briefbot.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.errors import StoreError

# Parsed snapshots kept in memory (a few per topic are live at any time).
SNAPSHOT_CACHE = 256
# Questions are kept for /stats; a pasted novel should not bloat the file.
MAX_QUESTION_CHARS = 500

# Step i brings the schema from version i to i + 1.
_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE chats (
            chat_id     INTEGER PRIMARY KEY,
            user_id     INTEGER,
            is_group    INTEGER NOT NULL DEFAULT 0,
            first_seen  INTEGER NOT NULL,
            last_seen   INTEGER NOT NULL
        )""",
        """CREATE TABLE subscriptions (
            chat_id     INTEGER NOT NULL REFERENCES chats(chat_id),
            topic       TEXT NOT NULL,
            created     INTEGER NOT NULL,
            PRIMARY KEY (chat_id, topic)
        )""",
        "CREATE INDEX subscriptions_topic ON subscriptions(topic)",
        """CREATE TABLE questions (
            id          INTEGER PRIMARY KEY,
            chat_id     INTEGER NOT NULL,
            question    TEXT NOT NULL,
            answered    INTEGER NOT NULL,
            topic       TEXT,
            asked_at    INTEGER NOT NULL
        )""",
        "CREATE INDEX questions_answered ON questions(answered)",
    ),
    # Digests: per-chat schedule and state, and the ledger of what each chat has seen.
    (
        "ALTER TABLE chats ADD COLUMN digest_time TEXT",
        "ALTER TABLE chats ADD COLUMN digest_tz TEXT",
        "ALTER TABLE chats ADD COLUMN digest_off INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE chats ADD COLUMN paused INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE chats ADD COLUMN last_slot INTEGER",
        """CREATE TABLE seen (
            chat_id      INTEGER NOT NULL,
            topic        TEXT NOT NULL,
            fingerprints TEXT NOT NULL,
            updated      INTEGER NOT NULL,
            PRIMARY KEY (chat_id, topic)
        )""",
    ),
    # What a chat has seen points to a shared snapshot of the topic's fingerprints: chats that
    # got the same brief version share one row instead of 10,000 copies of a few kilobytes.
    # Rows of version 2 become one snapshot each ("v2:<chat>"), correct if not shared.
    (
        """CREATE TABLE snapshots (
            topic        TEXT NOT NULL,
            id           TEXT NOT NULL,
            fingerprints TEXT NOT NULL,
            PRIMARY KEY (topic, id)
        )""",
        "INSERT INTO snapshots (topic, id, fingerprints) "
        "SELECT topic, 'v2:' || chat_id, fingerprints FROM seen",
        """CREATE TABLE seen_v3 (
            chat_id      INTEGER NOT NULL,
            topic        TEXT NOT NULL,
            snapshot     TEXT NOT NULL,
            updated      INTEGER NOT NULL,
            PRIMARY KEY (chat_id, topic)
        )""",
        "INSERT INTO seen_v3 (chat_id, topic, snapshot, updated) "
        "SELECT chat_id, topic, 'v2:' || chat_id, updated FROM seen",
        "DROP TABLE seen",
        "ALTER TABLE seen_v3 RENAME TO seen",
    ),
)
SCHEMA_VERSION = len(_MIGRATIONS)


class _SQL:
    """Every statement the store runs, in one place (qmark placeholders)."""

    ensure_chat = (
        "INSERT INTO chats (chat_id, user_id, is_group, first_seen, last_seen) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id) DO NOTHING"
    )
    touch = (
        "INSERT INTO chats (chat_id, user_id, is_group, first_seen, last_seen) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET "
        "user_id = COALESCE(excluded.user_id, chats.user_id), is_group = excluded.is_group, "
        "last_seen = excluded.last_seen, paused = 0"
    )
    subscribe = (
        "INSERT INTO subscriptions (chat_id, topic, created) VALUES (?, ?, ?) "
        "ON CONFLICT (chat_id, topic) DO NOTHING"
    )
    unsubscribe = "DELETE FROM subscriptions WHERE chat_id = ? AND topic = ?"
    forget_seen = "DELETE FROM seen WHERE chat_id = ? AND topic = ?"
    subscriptions = "SELECT topic FROM subscriptions WHERE chat_id = ? ORDER BY created, rowid"
    record_question = (
        "INSERT INTO questions (chat_id, question, answered, topic, asked_at) "
        "VALUES (?, ?, ?, ?, ?)"
    )
    set_digest_time = (
        "UPDATE chats SET digest_time = ?, digest_tz = ?, digest_off = 0 WHERE chat_id = ?"
    )
    set_digest_off = "UPDATE chats SET digest_off = ? WHERE chat_id = ?"
    pause = "UPDATE chats SET paused = 1 WHERE chat_id = ?"
    chat = (
        "SELECT chat_id, is_group, digest_time, digest_tz, digest_off, paused, last_slot "
        "FROM chats WHERE chat_id = ?"
    )
    digest_chats = (
        "SELECT chat_id, is_group, digest_time, digest_tz, digest_off, paused, last_slot "
        "FROM chats WHERE digest_off = 0 "
        "AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.chat_id = chats.chat_id) "
        "ORDER BY chat_id"
    )
    # The compare-and-set that makes a scheduled digest at-most-once, across restarts and,
    # later, across replicas sharing one database.
    claim_slot = (
        "UPDATE chats SET last_slot = ? WHERE chat_id = ? AND (last_slot IS NULL OR last_slot < ?)"
    )
    seen = "SELECT topic, snapshot FROM seen WHERE chat_id = ?"
    snapshot = "SELECT fingerprints FROM snapshots WHERE topic = ? AND id = ?"
    add_snapshot = (
        "INSERT INTO snapshots (topic, id, fingerprints) VALUES (?, ?, ?) "
        "ON CONFLICT (topic, id) DO NOTHING"
    )
    mark_seen = (
        "INSERT INTO seen (chat_id, topic, snapshot, updated) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (chat_id, topic) DO UPDATE SET "
        "snapshot = excluded.snapshot, updated = excluded.updated"
    )
    count_users = "SELECT COUNT(*), COALESCE(SUM(is_group), 0), COALESCE(SUM(paused), 0) FROM chats"
    per_topic = (
        "SELECT topic, COUNT(*) AS n FROM subscriptions GROUP BY topic ORDER BY n DESC, topic"
    )
    answered = "SELECT COALESCE(SUM(answered), 0), COALESCE(SUM(1 - answered), 0) FROM questions"
    top_declined = (
        "SELECT LOWER(TRIM(question)) AS q, COUNT(*) AS n FROM questions WHERE answered = 0 "
        "GROUP BY q ORDER BY n DESC, MAX(asked_at) DESC LIMIT ?"
    )


@dataclass(frozen=True, kw_only=True)
class Stats:
    """What /stats shows an admin."""

    users: int  # chats that ever talked to the bot, groups included
    groups: int
    paused: int  # chats that blocked the bot
    subscriptions: dict[str, int]  # topic -> subscribers, most followed first
    answered: int
    declined: int
    top_declined: tuple[tuple[str, int], ...]  # (question lowercased, times asked), most first


@dataclass(frozen=True, kw_only=True)
class ChatDigest:
    """One chat's digest settings; `time`/`timezone` None means the config default."""

    chat_id: int
    is_group: bool
    time: str | None
    timezone: str | None
    off: bool
    paused: bool
    last_slot: int | None  # UTC epoch seconds of the last scheduled digest claimed


class Store:
    """The subscription store. Methods are synchronous and each commits before returning."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self._path = path
        # PTB runs handlers on one event loop, but jobs and tests may use threads.
        self._lock = threading.Lock()
        self._snapshots: dict[tuple[str, str], frozenset[str]] = {}

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open (creating the folder and file if needed) and migrate to the current schema."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=10.0
            )
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(
                f"{path}: cannot open the store ({exc}); check storage.path in config.yaml"
            ) from None
        try:
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise StoreError(f"{path}: the file system does not support SQLite's WAL mode")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            _migrate(conn, path)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(
                f"{path}: not a Briefbot store ({exc}); move it away or fix storage.path"
            ) from None
        except StoreError:
            conn.close()
            raise
        return cls(conn, path)

    @property
    def path(self) -> Path:
        return self._path

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise StoreError(f"{self._path}: {exc}") from exc

    def _query(self, sql: str, params: Iterable[object] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._conn.execute(sql, tuple(params)).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"{self._path}: {exc}") from exc

    # -- people and subscriptions -------------------------------------------------------------

    def touch_user(self, chat_id: int, *, user_id: int | None, is_group: bool) -> None:
        """Note that the chat talked to the bot; a chat that had blocked it is un-paused."""
        now = _now()
        with self._tx() as db:
            db.execute(_SQL.touch, (chat_id, user_id, int(is_group), now, now))

    def subscribe(self, chat_id: int, topic: str) -> bool:
        """Follow `topic`; False if the chat already did."""
        now = _now()
        with self._tx() as db:
            db.execute(_SQL.ensure_chat, (chat_id, None, 0, now, now))
            return db.execute(_SQL.subscribe, (chat_id, topic, now)).rowcount == 1

    def unsubscribe(self, chat_id: int, topic: str) -> bool:
        """Stop following `topic`; False if the chat did not follow it."""
        with self._tx() as db:
            removed = db.execute(_SQL.unsubscribe, (chat_id, topic)).rowcount == 1
            # A later re-subscription starts again from the topic's summary.
            db.execute(_SQL.forget_seen, (chat_id, topic))
            return removed

    def subscriptions(self, chat_id: int) -> list[str]:
        """The chat's topics, in the order it subscribed."""
        return [str(row[0]) for row in self._query(_SQL.subscriptions, (chat_id,))]

    def record_question(
        self, chat_id: int, question: str, *, answered: bool, topic: str | None
    ) -> None:
        with self._tx() as db:
            db.execute(
                _SQL.record_question,
                (chat_id, question.strip()[:MAX_QUESTION_CHARS], int(answered), topic, _now()),
            )

    def stats(self, *, top: int = 10) -> Stats:
        (users, groups, paused), *_ = self._query(_SQL.count_users)
        (answered, declined), *_ = self._query(_SQL.answered)
        return Stats(
            users=int(users),
            groups=int(groups),
            paused=int(paused),
            subscriptions={str(t): int(n) for t, n in self._query(_SQL.per_topic)},
            answered=int(answered),
            declined=int(declined),
            top_declined=tuple((str(q), int(n)) for q, n in self._query(_SQL.top_declined, (top,))),
        )

    # -- digests -------------------------------------------------------------------------------

    def set_digest_time(self, chat_id: int, time_hhmm: str, timezone: str) -> None:
        """Daily digest at `time_hhmm` ("08:00") in IANA `timezone`; turns digests back on."""
        now = _now()
        with self._tx() as db:
            db.execute(_SQL.ensure_chat, (chat_id, None, 0, now, now))
            db.execute(_SQL.set_digest_time, (time_hhmm, timezone, chat_id))

    def set_digest_off(self, chat_id: int, off: bool = True) -> None:
        now = _now()
        with self._tx() as db:
            db.execute(_SQL.ensure_chat, (chat_id, None, 0, now, now))
            db.execute(_SQL.set_digest_off, (int(off), chat_id))

    def pause(self, chat_id: int) -> None:
        """The chat blocked the bot: no more digests until it talks to the bot again."""
        with self._tx() as db:
            db.execute(_SQL.pause, (chat_id,))

    def digest_settings(self, chat_id: int) -> ChatDigest | None:
        rows = self._query(_SQL.chat, (chat_id,))
        return _chat_digest(rows[0]) if rows else None

    def digest_chats(self) -> list[ChatDigest]:
        """Chats with a digest job: subscribed, digests not off (paused ones included: their
        job skips them until they talk to the bot again, so no rescheduling is needed then)."""
        return [_chat_digest(row) for row in self._query(_SQL.digest_chats)]

    def claim_slot(self, chat_id: int, slot: int) -> bool:
        """Claim the digest scheduled at `slot` (UTC epoch seconds) for the chat, once.

        True the first time for a slot later than any claimed before; False afterwards, also
        after a restart. Claimed before sending: a digest is sent at most once per slot.
        """
        with self._tx() as db:
            return db.execute(_SQL.claim_slot, (slot, chat_id, slot)).rowcount == 1

    def seen(self, chat_id: int) -> dict[str, frozenset[str]]:
        """topic -> fingerprints of the sentences the chat's last digest of it covered."""
        return {
            str(topic): self._snapshot(str(topic), str(snapshot))
            for topic, snapshot in self._query(_SQL.seen, (chat_id,))
        }

    def _snapshot(self, topic: str, snapshot: str) -> frozenset[str]:
        # A fan-out reads the same few snapshots for every chat: parse each once.
        key = (topic, snapshot)
        found = self._snapshots.get(key)
        if found is None:
            rows = self._query(_SQL.snapshot, key)
            found = frozenset(str(rows[0][0]).split()) if rows else frozenset()
            if len(self._snapshots) >= SNAPSHOT_CACHE:
                self._snapshots.clear()
            self._snapshots[key] = found
        return found

    def mark_seen(self, chat_id: int, seen: Mapping[str, Iterable[str]]) -> None:
        """Record, for each topic, the fingerprints the digest just delivered covers."""
        now = _now()
        rows = []
        for topic, fps in seen.items():
            text = " ".join(sorted(fps))
            snapshot = hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()
            rows.append((topic, snapshot, text))
        with self._tx() as db:
            db.executemany(_SQL.add_snapshot, rows)
            db.executemany(
                _SQL.mark_seen, [(chat_id, topic, snapshot, now) for topic, snapshot, _ in rows]
            )


def _chat_digest(row: tuple[Any, ...]) -> ChatDigest:
    chat_id, is_group, time_hhmm, tz, off, paused, last_slot = row
    return ChatDigest(
        chat_id=int(chat_id),
        is_group=bool(is_group),
        time=None if time_hhmm is None else str(time_hhmm),
        timezone=None if tz is None else str(tz),
        off=bool(off),
        paused=bool(paused),
        last_slot=None if last_slot is None else int(last_slot),
    )


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: schema version {version} was written by a newer Briefbot "
            f"(this one knows up to {SCHEMA_VERSION}); upgrade Briefbot or use another storage.path"
        )
    for step in range(version, SCHEMA_VERSION):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _MIGRATIONS[step]:
                conn.execute(statement)
            # PRAGMA takes no parameters; `step` is an int from our own range.
            conn.execute(f"PRAGMA user_version = {step + 1}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def _now() -> int:
    return int(time.time())
