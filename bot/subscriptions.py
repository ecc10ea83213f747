"""The subscription store: who uses the bot, what they follow, when and what they were sent.

Two backends behind the same methods (`storage.url` in config.yaml, or BRIEFBOT_STORAGE_URL):

    sqlite:///data/briefbot.sqlite3   the default: one file in WAL mode, one process
    postgresql://user@host:5432/db    one database shared by any number of replicas

Every change is its own transaction, committed before the method returns: a restart or a
`kill -9` loses nothing that a method reported as done. bot.db holds the connections, the
dialect differences and, for PostgreSQL, reconnecting: a transaction cut off by a lost
connection is run again, so every method here is written to be safe to run twice (a retried
`claim_update` recognises its own row by a token; enqueuing, starting and finishing a delivery
change nothing the second time).

SQLite durability: `synchronous=NORMAL`. In WAL mode a commit is in the operating system's hands
when it returns, so a killed process loses nothing; only a power cut or a kernel crash can roll
back the last few commits (never corrupt the file). FULL would fsync on every commit, and the bot
writes one row per question answered; the worst a power cut can do here is repeat one digest.

Tables (the SQL lives in `_MIGRATIONS` and `_SQL` below and nowhere else):

    chats          one row per chat: first/last seen, digest time and zone (NULL = the config
                   default), digest off, paused (the chat blocked the bot), the last digest slot
                   queued (UTC epoch seconds), and `digest_since`: when the chat started getting
                   digests at its current time, so a new subscriber is not sent a slot that
                   passed before it subscribed
    subscriptions  (chat, topic), numbered per chat in the order subscribed
    seen           (chat, topic) -> the snapshot of the brief's sentence fingerprints when the
                   chat last got a digest of that topic: the next digest's "new" is measured
                   against it
    snapshots      (topic, id) -> fingerprints; id is a hash of them, so every chat that saw the
                   same version of a brief shares one row
    questions      every question asked, answered or declined, for /stats (all replicas')
    updates        Telegram update ids already taken by a replica: a webhook retry is answered
                   once
    deliveries     one row per (chat, slot) digest to send: queued, then leased by a replica
                   (owner, lease_until), sending, done with an outcome
    pacing         the next instant the bot as a whole may send (one row): replicas share the
                   Telegram rate limit
    settings       key -> value; the briefs version every replica should serve

Digests, across replicas: one replica (the leader, holding a PostgreSQL advisory lock) scans
the schedule and queues a slot's deliveries (`enqueue_slot`, once per chat and slot); every
replica claims queued rows with `SELECT ... FOR UPDATE SKIP LOCKED` under a lease, marks a row
`sending` only while its lease holds, and `done` when Telegram answered. A replica that dies
mid-send leaves a `sending` row whose lease runs out: it is sent again (at least once for that
one message, since nobody knows whether Telegram got it); every other row is sent exactly once.
On SQLite all of this still holds, with one process always the leader.

The schema version is SQLite's `user_version` or PostgreSQL's `schema_version` table; `open`
applies the missing migration steps in order and refuses a store written by a newer Briefbot.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from bot.db import (
    Closeable,
    Database,
    OnlyOn,
    PostgresDatabase,
    SQLiteDatabase,
    Statement,
    Tx,
    is_postgres,
    redact,
    sqlite_path,
)
from bot.errors import StoreError

# Parsed snapshots kept in memory (a few per topic are live at any time).
SNAPSHOT_CACHE = 256
# Questions are kept for /stats; a pasted novel should not bloat the file.
MAX_QUESTION_CHARS = 500

# Step i brings the schema from version i to i + 1.
_MIGRATIONS: tuple[tuple[Statement, ...], ...] = (
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
    # Replicas: updates taken once, a queue of deliveries, one shared pace, shared settings.
    # Subscriptions get a per-chat number (PostgreSQL has no rowid to keep their order).
    (
        """CREATE TABLE updates (
            update_id   INTEGER PRIMARY KEY,
            received    INTEGER NOT NULL,
            claim       TEXT NOT NULL
        )""",
        "CREATE INDEX updates_received ON updates(received)",
        """CREATE TABLE deliveries (
            id          INTEGER PRIMARY KEY,
            chat_id     INTEGER NOT NULL,
            slot        INTEGER NOT NULL,
            created     INTEGER NOT NULL,
            owner       TEXT,
            lease_until REAL,
            attempts    INTEGER NOT NULL DEFAULT 0,
            state       TEXT NOT NULL DEFAULT 'queued',
            outcome     TEXT,
            finished    INTEGER,
            UNIQUE (chat_id, slot)
        )""",
        "CREATE INDEX deliveries_open ON deliveries(id) WHERE state <> 'done'",
        "CREATE INDEX deliveries_created ON deliveries(created)",
        "CREATE TABLE pacing (name TEXT PRIMARY KEY, next_at REAL NOT NULL)",
        "INSERT INTO pacing (name, next_at) VALUES ('telegram', 0)",
        "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "ALTER TABLE subscriptions ADD COLUMN seq INTEGER",
        OnlyOn("sqlite", "UPDATE subscriptions SET seq = rowid"),
        "ALTER TABLE chats ADD COLUMN digest_since INTEGER",
    ),
)
SCHEMA_VERSION = len(_MIGRATIONS)


class _SQL:
    """Every statement the store runs, in one place (qmark placeholders)."""

    # (chat_id, user_id, is_group, now): digest_since starts at the chat's first contact.
    ensure_chat = (
        "INSERT INTO chats (chat_id, user_id, is_group, first_seen, last_seen, digest_since) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (chat_id) DO NOTHING"
    )
    # A chat that blocked the bot and comes back starts afresh: no digest for a slot it missed.
    touch = (
        "INSERT INTO chats (chat_id, user_id, is_group, first_seen, last_seen, digest_since) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (chat_id) DO UPDATE SET "
        "user_id = COALESCE(excluded.user_id, chats.user_id), is_group = excluded.is_group, "
        "last_seen = excluded.last_seen, paused = 0, digest_since = CASE WHEN chats.paused = 1 "
        "THEN excluded.last_seen ELSE chats.digest_since END"
    )
    subscription_count = "SELECT COUNT(*) FROM subscriptions WHERE chat_id = ?"
    # (chat, topic, created, chat): numbered after the chat's others, to keep their order.
    subscribe = (
        "INSERT INTO subscriptions (chat_id, topic, created, seq) "
        "SELECT ?, ?, ?, COALESCE(MAX(seq), 0) + 1 FROM subscriptions WHERE chat_id = ? "
        "ON CONFLICT (chat_id, topic) DO NOTHING"
    )
    digest_since = "UPDATE chats SET digest_since = ? WHERE chat_id = ?"
    unsubscribe = "DELETE FROM subscriptions WHERE chat_id = ? AND topic = ?"
    forget_seen = "DELETE FROM seen WHERE chat_id = ? AND topic = ?"
    subscriptions = "SELECT topic FROM subscriptions WHERE chat_id = ? ORDER BY seq, topic"
    record_question = (
        "INSERT INTO questions (chat_id, question, answered, topic, asked_at) "
        "VALUES (?, ?, ?, ?, ?)"
    )
    # (time, tz, now, time, tz, chat): a new time starts afresh (SET sees the old values).
    set_digest_time = (
        "UPDATE chats SET digest_since = CASE WHEN digest_off = 1 OR digest_time IS NULL "
        "OR digest_tz IS NULL OR digest_time <> ? OR digest_tz <> ? THEN ? ELSE digest_since END, "
        "digest_time = ?, digest_tz = ?, digest_off = 0 WHERE chat_id = ?"
    )
    # (off, now, off, chat): turning digests back on starts afresh.
    set_digest_off = (
        "UPDATE chats SET digest_since = CASE WHEN digest_off = 1 AND ? = 0 THEN ? "
        "ELSE digest_since END, digest_off = ? WHERE chat_id = ?"
    )
    pause = "UPDATE chats SET paused = 1 WHERE chat_id = ?"
    chat = (
        "SELECT chat_id, is_group, digest_time, digest_tz, digest_off, paused, last_slot "
        "FROM chats WHERE chat_id = ?"
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
        "GROUP BY q ORDER BY n DESC, MAX(asked_at) DESC, q LIMIT ?"
    )

    # -- replicas -------------------------------------------------------------------------
    claim_update = (
        "INSERT INTO updates (update_id, received, claim) VALUES (?, ?, ?) "
        "ON CONFLICT (update_id) DO NOTHING"
    )
    update_claim = "SELECT claim FROM updates WHERE update_id = ?"
    prune_updates = "DELETE FROM updates WHERE received < ?"
    digest_times = (
        "SELECT DISTINCT digest_time, digest_tz FROM chats WHERE digest_off = 0 AND paused = 0 "
        "AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.chat_id = chats.chat_id)"
    )
    # The chats due a slot: (default time, time, default zone, zone, slot, slot).
    _due = (
        "FROM chats WHERE COALESCE(digest_time, ?) = ? AND COALESCE(digest_tz, ?) = ? "
        "AND digest_off = 0 AND paused = 0 AND (last_slot IS NULL OR last_slot < ?) "
        "AND (digest_since IS NULL OR digest_since <= ?) "
        "AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.chat_id = chats.chat_id)"
    )
    # (slot, now, *due): SQLite needs the WHERE before ON CONFLICT, which _due has.
    enqueue = (
        "INSERT INTO deliveries (chat_id, slot, created) SELECT chat_id, ?, ? "
        + _due
        + " ON CONFLICT (chat_id, slot) DO NOTHING"
    )
    # (slot, *due)
    advance = "UPDATE chats SET last_slot = ? WHERE chat_id IN (SELECT chat_id " + _due + ")"
    # Formatted with the backend's clock and row locking: (owner, lease, limit).
    claim_deliveries = (
        "UPDATE deliveries SET owner = ?, lease_until = {now} + ?, attempts = attempts + 1 "
        "WHERE id IN (SELECT id FROM deliveries WHERE state <> 'done' "
        "AND (lease_until IS NULL OR lease_until < {now}) ORDER BY id LIMIT ?{skip_locked}) "
        "RETURNING id, chat_id, slot, attempts, state"
    )
    # Only while the lease holds: a replica whose lease ran out may have lost the row.
    start_delivery = (
        "UPDATE deliveries SET state = 'sending' WHERE id = ? AND owner = ? "
        "AND state <> 'done' AND lease_until >= {now}"
    )
    # Whoever finishes, the row is done: a replica that took it over must not send it again.
    finish_delivery = (
        "UPDATE deliveries SET state = 'done', owner = ?, outcome = ?, finished = ?, "
        "lease_until = NULL WHERE id = ? AND state <> 'done'"
    )
    pending_deliveries = "SELECT COUNT(*) FROM deliveries WHERE state <> 'done'"
    prune_deliveries = "DELETE FROM deliveries WHERE state = 'done' AND created < ?"
    # The send instant is the later of "one interval after the last one" and now.
    reserve_send = (
        "UPDATE pacing SET next_at = CASE WHEN next_at + ? > {now} THEN next_at + ? ELSE {now} "
        "END WHERE name = 'telegram' RETURNING next_at - {now}"
    )
    add_pacing = (
        "INSERT INTO pacing (name, next_at) VALUES ('telegram', 0) ON CONFLICT (name) DO NOTHING"
    )
    set_setting = (
        "INSERT INTO settings (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    )
    setting = "SELECT value FROM settings WHERE key = ?"


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
    last_slot: int | None  # UTC epoch seconds of the last scheduled digest queued


@dataclass(frozen=True, kw_only=True)
class Delivery:
    """One queued digest: `chat_id`'s digest for `slot` (UTC epoch seconds).

    `attempts` counts claims, this one included; `state` is "sending" when an earlier claimer
    may have sent it before its lease ran out (the one case where a digest can go out twice).
    """

    id: int
    chat_id: int
    slot: int
    attempts: int
    state: str


# pg_try_advisory_lock key of the digest scheduler's leader ("leader" in ASCII).
LEADER_LOCK = 0x6C6561646572
BRIEFS_CHANNEL = "briefbot_briefs"
BRIEFS_VERSION = "briefs_version"


class Store:
    """The subscription store. Methods are synchronous and each commits before returning."""

    def __init__(self, db: Database, *, name: str = "briefbot") -> None:
        self._db = db
        self.name = name
        self._snapshots: dict[tuple[str, str], frozenset[str]] = {}
        fill = {"now": db.now_sql, "skip_locked": db.skip_locked}
        self._claim_deliveries = _SQL.claim_deliveries.format(**fill)
        self._start_delivery = _SQL.start_delivery.format(**fill)
        self._reserve_send = _SQL.reserve_send.format(**fill)

    @classmethod
    def open(cls, url: str | Path, *, name: str = "briefbot") -> Store:
        """Open the store at `url` (a Path means SQLite) and migrate it to the current schema.

        `name` tells replicas apart: it is the owner of the deliveries this process claims and
        PostgreSQL's application_name for its connections.
        """
        db: Database
        path = sqlite_path(url)
        if path is not None:
            db = SQLiteDatabase(path)
        elif is_postgres(url):
            db = PostgresDatabase(str(url), name=name)
        else:
            raise StoreError(
                f"{redact(str(url))}: not a storage URL; use sqlite:///path/to/file.sqlite3 "
                "or postgresql://user@host:5432/database"
            )
        try:
            db.migrate(_MIGRATIONS)
        except BaseException:
            db.close()
            raise
        return cls(db, name=name)

    @property
    def backend(self) -> Literal["sqlite", "postgresql"]:
        return self._db.backend

    @property
    def shared(self) -> bool:
        """True when other processes may use the same store (PostgreSQL)."""
        return self._db.shared

    @property
    def path(self) -> Path | None:
        """The SQLite file; None on PostgreSQL."""
        return self._db.path if isinstance(self._db, SQLiteDatabase) else None

    def close(self) -> None:
        self._db.close()

    # -- people and subscriptions -------------------------------------------------------------

    def touch_user(self, chat_id: int, *, user_id: int | None, is_group: bool) -> None:
        """Note that the chat talked to the bot; a chat that had blocked it is un-paused."""
        now = _now()
        self._db.execute(_SQL.touch, (chat_id, user_id, int(is_group), now, now, now))

    def subscribe(self, chat_id: int, topic: str) -> bool:
        """Follow `topic`; False if the chat already did."""
        now = _now()

        def body(tx: Tx) -> bool:
            tx.execute(_SQL.ensure_chat, (chat_id, None, 0, now, now, now))
            (before,), *_ = tx.fetch(_SQL.subscription_count, (chat_id,))
            added = tx.execute(_SQL.subscribe, (chat_id, topic, now, chat_id)) == 1
            if added and before == 0:
                # A new subscriber gets the next digest, not one whose time already passed.
                tx.execute(_SQL.digest_since, (now, chat_id))
            return added

        return self._db.transaction(body)

    def unsubscribe(self, chat_id: int, topic: str) -> bool:
        """Stop following `topic`; False if the chat did not follow it."""

        def body(tx: Tx) -> bool:
            removed = tx.execute(_SQL.unsubscribe, (chat_id, topic)) == 1
            # A later re-subscription starts again from the topic's summary.
            tx.execute(_SQL.forget_seen, (chat_id, topic))
            return removed

        return self._db.transaction(body)

    def subscriptions(self, chat_id: int) -> list[str]:
        """The chat's topics, in the order it subscribed."""
        return [str(row[0]) for row in self._db.query(_SQL.subscriptions, (chat_id,))]

    def record_question(
        self, chat_id: int, question: str, *, answered: bool, topic: str | None
    ) -> None:
        row = (chat_id, question.strip()[:MAX_QUESTION_CHARS], int(answered), topic, _now())
        self._db.execute(_SQL.record_question, row)

    def stats(self, *, top: int = 10) -> Stats:
        (users, groups, paused), *_ = self._db.query(_SQL.count_users)
        (answered, declined), *_ = self._db.query(_SQL.answered)
        return Stats(
            users=int(users),
            groups=int(groups),
            paused=int(paused),
            subscriptions={str(t): int(n) for t, n in self._db.query(_SQL.per_topic)},
            answered=int(answered),
            declined=int(declined),
            top_declined=tuple(
                (str(q), int(n)) for q, n in self._db.query(_SQL.top_declined, (top,))
            ),
        )

    # -- digests -------------------------------------------------------------------------------

    def set_digest_time(self, chat_id: int, time_hhmm: str, timezone: str) -> None:
        """Daily digest at `time_hhmm` ("08:00") in IANA `timezone`; turns digests back on."""
        now = _now()

        def body(tx: Tx) -> None:
            tx.execute(_SQL.ensure_chat, (chat_id, None, 0, now, now, now))
            tx.execute(
                _SQL.set_digest_time, (time_hhmm, timezone, now, time_hhmm, timezone, chat_id)
            )

        self._db.transaction(body)

    def set_digest_off(self, chat_id: int, off: bool = True) -> None:
        now = _now()

        def body(tx: Tx) -> None:
            tx.execute(_SQL.ensure_chat, (chat_id, None, 0, now, now, now))
            tx.execute(_SQL.set_digest_off, (int(off), now, int(off), chat_id))

        self._db.transaction(body)

    def pause(self, chat_id: int) -> None:
        """The chat blocked the bot: no more digests until it talks to the bot again."""
        self._db.execute(_SQL.pause, (chat_id,))

    def digest_settings(self, chat_id: int) -> ChatDigest | None:
        rows = self._db.query(_SQL.chat, (chat_id,))
        return _chat_digest(rows[0]) if rows else None

    def seen(self, chat_id: int) -> dict[str, frozenset[str]]:
        """topic -> fingerprints of the sentences the chat's last digest of it covered."""
        return {
            str(topic): self._snapshot(str(topic), str(snapshot))
            for topic, snapshot in self._db.query(_SQL.seen, (chat_id,))
        }

    def _snapshot(self, topic: str, snapshot: str) -> frozenset[str]:
        # A fan-out reads the same few snapshots for every chat: parse each once.
        key = (topic, snapshot)
        found = self._snapshots.get(key)
        if found is None:
            rows = self._db.query(_SQL.snapshot, key)
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
        # One order for every writer: two replicas adding the same new snapshots cannot
        # deadlock on each other's rows.
        rows.sort()

        def body(tx: Tx) -> None:
            tx.executemany(_SQL.add_snapshot, rows)
            tx.executemany(
                _SQL.mark_seen, [(chat_id, topic, snapshot, now) for topic, snapshot, _ in rows]
            )

        self._db.transaction(body)

    # -- replicas: updates, the digest queue, pacing, leadership, briefs ------------------------

    def claim_update(self, update_id: int) -> bool:
        """True the first time any replica sees this Telegram update id: answer it then only."""
        # A retried transaction (the connection dropped during COMMIT) finds its own row.
        token = uuid.uuid4().hex
        if self._db.execute(_SQL.claim_update, (update_id, _now(), token)) == 1:
            return True
        rows = self._db.query(_SQL.update_claim, (update_id,))
        return bool(rows) and rows[0][0] == token

    def prune_updates(self, older_than: int) -> int:
        """Forget update ids received more than `older_than` seconds ago; how many."""
        cutoff = _now() - older_than
        return self._db.execute(_SQL.prune_updates, (cutoff,))

    def digest_times(self) -> list[tuple[str | None, str | None]]:
        """The distinct (time, zone) of chats that get digests; None is the config default."""
        rows = {(_text(t), _text(z)) for t, z in self._db.query(_SQL.digest_times)}
        return sorted(rows, key=lambda r: (r[0] or "", r[1] or ""))

    def enqueue_slot(
        self,
        time: str | None,
        tz: str | None,
        slot: int,
        *,
        default_time: str,
        default_tz: str,
    ) -> int:
        """Queue the digest for `slot` (UTC epoch seconds) of every chat due at (time, tz).

        Due: digests on, not paused, subscribed, no slot as late queued before, and digests at
        this time since before `slot`. None (and a chat's NULL) means the defaults. Once per chat
        and slot, however often it is called and by however many replicas. Returns rows queued.
        """
        time, tz = time or default_time, tz or default_tz
        due = (default_time, time, default_tz, tz, slot, slot)

        def body(tx: Tx) -> int:
            queued = tx.execute(_SQL.enqueue, (slot, _now(), *due))
            tx.execute(_SQL.advance, (slot, *due))
            return queued

        return self._db.transaction(body)

    def claim_deliveries(self, owner: str, *, limit: int, lease_seconds: float) -> list[Delivery]:
        """Lease up to `limit` unfinished deliveries no one else holds, oldest first.

        Concurrent claimers (other threads, other replicas) never get the same row while the
        lease holds; a row whose lease ran out is claimable again.
        """
        rows = self._db.query(self._claim_deliveries, (owner, lease_seconds, limit))
        return sorted(
            (
                Delivery(id=int(i), chat_id=int(c), slot=int(sl), attempts=int(a), state=str(st))
                for i, c, sl, a, st in rows
            ),
            key=lambda d: d.id,
        )

    def start_delivery(self, delivery_id: int, owner: str) -> bool:
        """Mark the delivery as being sent, if `owner` still holds its lease; send only if True."""
        return self._db.execute(self._start_delivery, (delivery_id, owner)) == 1

    def finish_delivery(self, delivery_id: int, owner: str, outcome: str) -> bool:
        """The delivery is done (sent, or given up with `outcome` saying why); False if it
        already was."""
        row = (owner, outcome, _now(), delivery_id)
        return self._db.execute(_SQL.finish_delivery, row) == 1

    def pending_deliveries(self) -> int:
        (n,), *_ = self._db.query(_SQL.pending_deliveries)
        return int(n)

    def prune_deliveries(self, older_than: int) -> int:
        """Delete finished deliveries queued more than `older_than` seconds ago; how many."""
        cutoff = _now() - older_than
        return self._db.execute(_SQL.prune_deliveries, (cutoff,))

    def reserve_send(self, interval: float) -> float:
        """Reserve the next send for the bot as a whole, `interval` seconds after the last
        reservation; the seconds to wait before sending (0 when none is pending)."""

        rows = self._db.query(self._reserve_send, (interval, interval))
        if not rows:  # the row was deleted by hand
            self._db.execute(_SQL.add_pacing)
            rows = self._db.query(self._reserve_send, (interval, interval))
        return max(0.0, float(rows[0][0]))

    def try_lead(self) -> bool:
        """Become (or stay) the one replica that schedules digests; True while leading.

        PostgreSQL: a session advisory lock on a connection of its own, freed by the server
        when this process dies. SQLite: always True.
        """
        return self._db.try_lock(LEADER_LOCK)

    def is_leading(self) -> bool:
        """Still the leader (the lock's connection is alive)."""
        return self._db.holds_lock()

    def resign(self) -> None:
        self._db.release_lock()

    def publish_briefs(self, version: str) -> None:
        """Record the briefs version every replica should serve, and tell the listeners."""

        def body(tx: Tx) -> None:
            tx.execute(_SQL.set_setting, (BRIEFS_VERSION, version))
            self._db.notify(tx, BRIEFS_CHANNEL, version)

        self._db.transaction(body)

    def briefs_version(self) -> str | None:
        rows = self._db.query(_SQL.setting, (BRIEFS_VERSION,))
        return str(rows[0][0]) if rows else None

    def listen_briefs(self, callback: Callable[[str], None]) -> Closeable:
        """Call `callback(version)` from a background thread on every publish_briefs, by any
        replica, and after each (re)connect with the stored version. SQLite: never."""

        def on_connect() -> None:
            version = self.briefs_version()
            if version is not None:
                callback(version)

        return self._db.listen(BRIEFS_CHANNEL, callback, on_connect)


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


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _now() -> int:
    return int(time.time())
