"""The subscription store: what it promises to keep, across restarts and a kill -9, on SQLite
and on PostgreSQL (tests/pg.py starts a throwaway server; without one the PostgreSQL half skips,
or fails under BRIEFBOT_REQUIRE_POSTGRES=1)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from bot import db as db_module
from bot import subscriptions
from bot.errors import StoreError
from bot.subscriptions import SCHEMA_VERSION, ChatDigest, Delivery, Store
from tests.pg import PostgresCluster, postgres_cluster

ROOT = Path(__file__).resolve().parent.parent
DEFAULTS = {"default_time": "08:00", "default_tz": "UTC"}


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a test's store lives: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'bot.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = Store.open(store_url, name="replica-a")
    yield s
    s.close()


@pytest.fixture
def other(store: Store, store_url: str) -> Iterator[Store]:
    """A second replica on the same store (on SQLite, a second process would be the same)."""
    s = Store.open(store_url, name="replica-b")
    yield s
    s.close()


def rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    """Read the store behind Store's back."""
    path = db_module.sqlite_path(url)
    if path is not None:
        conn = sqlite3.connect(path)
        try:
            with conn:
                return conn.execute(sql).fetchall()
        finally:
            conn.close()
    with psycopg.connect(url) as pg:
        cursor = pg.execute(sql)  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description else []


def test_open_creates_the_folder_and_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "folder" / "bot.sqlite3"
    Store.open(path).close()
    assert path.exists()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_subscribe_is_idempotent_and_keeps_order(store: Store) -> None:
    assert store.subscribe(1, "ukraine-war") is True
    assert store.subscribe(1, "ukraine-war") is False
    assert store.subscribe(1, "brexit") is True
    assert store.subscriptions(1) == ["ukraine-war", "brexit"]
    assert store.subscriptions(2) == []


def test_unsubscribe_reports_whether_anything_changed(store: Store) -> None:
    store.subscribe(1, "brexit")
    assert store.unsubscribe(1, "brexit") is True
    assert store.unsubscribe(1, "brexit") is False
    assert store.subscriptions(1) == []


def test_unsubscribing_forgets_what_was_seen_so_a_comeback_starts_from_the_summary(
    store: Store,
) -> None:
    store.subscribe(1, "brexit")
    store.mark_seen(1, {"brexit": ["aa", "bb"]})
    store.unsubscribe(1, "brexit")
    assert store.seen(1) == {}


def test_everything_survives_close_and_reopen(store_url: str) -> None:
    path = store_url
    s = Store.open(path)
    s.touch_user(7, user_id=7, is_group=False)
    s.subscribe(7, "brexit")
    s.set_digest_time(7, "07:30", "Europe/Berlin")
    s.mark_seen(7, {"brexit": ["f1", "f2"]})
    slot = int(time.time()) + 3600  # the chat's next digest
    assert s.enqueue_slot("07:30", "Europe/Berlin", slot, **DEFAULTS) == 1
    s.record_question(7, "who won?", answered=False, topic=None)
    s.close()

    s = Store.open(path)
    assert s.subscriptions(7) == ["brexit"]
    assert s.digest_settings(7) == ChatDigest(
        chat_id=7,
        is_group=False,
        time="07:30",
        timezone="Europe/Berlin",
        off=False,
        paused=False,
        last_slot=slot,
    )
    assert s.seen(7) == {"brexit": frozenset({"f1", "f2"})}
    assert s.pending_deliveries() == 1
    assert s.enqueue_slot("07:30", "Europe/Berlin", slot, **DEFAULTS) == 0
    assert s.stats().declined == 1
    s.close()


def test_a_blocked_chat_is_paused_until_it_talks_again_and_keeps_its_topics(
    store: Store,
) -> None:
    slot = int(time.time()) + 60  # the next digest
    store.touch_user(9, user_id=9, is_group=False)
    store.subscribe(9, "brexit")
    store.pause(9)
    settings = store.digest_settings(9)
    assert settings is not None and settings.paused
    assert store.digest_times() == []
    assert store.enqueue_slot(None, None, slot, **DEFAULTS) == 0
    assert store.subscriptions(9) == ["brexit"]

    store.touch_user(9, user_id=9, is_group=False)
    settings = store.digest_settings(9)
    assert settings is not None and not settings.paused
    assert store.digest_times() == [(None, None)]
    assert store.enqueue_slot(None, None, slot, **DEFAULTS) == 1


def test_chats_subscribed_with_digests_on_are_queued_at_their_own_time(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = int(time.time())
    store.touch_user(1, user_id=1, is_group=False)  # no subscriptions
    for chat in (2, 3, 4):
        subscribe_before(store, monkeypatch, chat, now - 86_400)
    store.set_digest_off(3)
    store.set_digest_time(4, "21:00", "Asia/Tokyo")

    def queued(time_hhmm: str | None, tz: str | None, slot: int) -> list[int]:
        store.enqueue_slot(time_hhmm, tz, slot, **DEFAULTS)
        return [d.chat_id for d in store.claim_deliveries("a", limit=9, lease_seconds=30)]

    assert queued(None, None, now + 60) == [2]
    assert queued("21:00", "Asia/Tokyo", now + 60) == [4]
    store.set_digest_time(3, "06:00", "UTC")  # setting a time turns digests back on
    settings = store.digest_settings(3)
    assert settings is not None and (settings.off, settings.time) == (False, "06:00")
    assert store.digest_times() == [(None, None), ("06:00", "UTC"), ("21:00", "Asia/Tokyo")]
    assert queued("06:00", "UTC", now + 120) == [3]


def test_stats_count_users_topics_and_the_most_asked_declined_questions(store: Store) -> None:
    store.touch_user(1, user_id=1, is_group=False)
    store.touch_user(-100, user_id=1, is_group=True)
    store.subscribe(1, "brexit")
    store.subscribe(-100, "brexit")
    store.subscribe(1, "ukraine-war")
    store.record_question(1, "What about Brexit?", answered=True, topic="brexit")
    for q in ("Who won the cup?", "who won the cup? ", "weather tomorrow"):
        store.record_question(1, q, answered=False, topic=None)
    stats = store.stats()
    assert (stats.users, stats.groups, stats.paused) == (2, 1, 0)
    assert stats.subscriptions == {"brexit": 2, "ukraine-war": 1}
    assert (stats.answered, stats.declined) == (1, 3)
    assert stats.top_declined == (("who won the cup?", 2), ("weather tomorrow", 1))


def test_an_empty_store_has_zero_stats(store: Store) -> None:
    stats = store.stats()
    assert (stats.users, stats.answered, stats.declined, stats.subscriptions) == (0, 0, 0, {})


def test_a_version_1_file_is_migrated_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE chats (chat_id INTEGER PRIMARY KEY, user_id INTEGER,
            is_group INTEGER NOT NULL DEFAULT 0, first_seen INTEGER NOT NULL,
            last_seen INTEGER NOT NULL);
        CREATE TABLE subscriptions (chat_id INTEGER NOT NULL REFERENCES chats(chat_id),
            topic TEXT NOT NULL, created INTEGER NOT NULL, PRIMARY KEY (chat_id, topic));
        CREATE INDEX subscriptions_topic ON subscriptions(topic);
        CREATE TABLE questions (id INTEGER PRIMARY KEY, chat_id INTEGER NOT NULL,
            question TEXT NOT NULL, answered INTEGER NOT NULL, topic TEXT,
            asked_at INTEGER NOT NULL);
        CREATE INDEX questions_answered ON questions(answered);
        INSERT INTO chats VALUES (3, 3, 0, 1, 1);
        INSERT INTO subscriptions VALUES (3, 'brexit', 1);
        PRAGMA user_version = 1;
        """
    )
    conn.close()
    s = Store.open(path)
    assert s.subscriptions(3) == ["brexit"]
    # Digests on at the default time, none queued yet: due at the next slot.
    assert s.digest_settings(3) == ChatDigest(
        chat_id=3,
        is_group=False,
        time=None,
        timezone=None,
        off=False,
        paused=False,
        last_slot=None,
    )
    assert s.enqueue_slot(None, None, 1_800_000_000, **DEFAULTS) == 1
    s.close()


def test_a_file_from_a_newer_briefbot_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match=r"new\.sqlite3: schema version .* newer Briefbot"):
        Store.open(path)


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StoreError, match=r"notes\.sqlite3: not a Briefbot store"):
        Store.open(path)


_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from bot.subscriptions import Store

    store = Store.open(Path(sys.argv[1]))
    i = 0
    while True:
        store.subscribe(i, f"topic-{i % 7}")
        store.mark_seen(i, {f"topic-{i % 7}": [f"fp{i}"]})
        # Queues chat i's digest: the chats before it already have this slot.
        store.enqueue_slot(None, None, 2_000_000_000, default_time="08:00", default_tz="UTC")
        store.record_question(i, f"question {i}", answered=bool(i % 2), topic=None)
        i += 1
        if i == 200:
            print("ready", flush=True)
    """
)


def test_a_kill_9_in_the_middle_of_writes_leaves_a_consistent_store(tmp_path: Path) -> None:
    path = tmp_path / "killed.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(0.2)  # let it get well into further writes before the kill
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL

    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    s = Store.open(path)
    stats = s.stats()
    users = stats.users
    assert users >= 200
    # Every committed step is whole: each chat i < users has its subscription and ledger rows.
    for i in (0, 1, users // 2, users - 2):
        assert s.subscriptions(i) == [f"topic-{i % 7}"]
        assert s.seen(i) == {f"topic-{i % 7}": frozenset({f"fp{i}"})}
        settings = s.digest_settings(i)
        assert settings is not None and settings.last_slot == 2_000_000_000
    assert stats.answered + stats.declined >= users - 1
    # A queued row and the slot it advances commit together: at most the last chat, killed
    # between its subscription and its slot, is still due, and then every chat has one row.
    assert s.enqueue_slot(None, None, 2_000_000_000, **DEFAULTS) <= 1
    assert s.pending_deliveries() == users
    s.close()


def test_chats_that_saw_the_same_brief_share_one_snapshot(store_url: str) -> None:
    s = Store.open(store_url)
    version_1 = [f"fp{i:03d}" for i in range(300)]
    for chat in range(1, 101):
        s.subscribe(chat, "brexit")
        s.mark_seen(chat, {"brexit": version_1})
    s.mark_seen(7, {"brexit": [*version_1, "fp-new"]})
    assert s.seen(7) == {"brexit": frozenset([*version_1, "fp-new"])}
    assert s.seen(8) == {"brexit": frozenset(version_1)}
    s.close()
    assert rows(store_url, "SELECT COUNT(*) FROM snapshots") == [(2,)]
    s = Store.open(store_url)
    assert s.seen(99) == {"brexit": frozenset(version_1)}
    s.close()


def test_a_version_2_ledger_is_migrated_to_snapshots(tmp_path: Path) -> None:
    path = tmp_path / "v2.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE chats (chat_id INTEGER PRIMARY KEY, user_id INTEGER,
            is_group INTEGER NOT NULL DEFAULT 0, first_seen INTEGER NOT NULL,
            last_seen INTEGER NOT NULL, digest_time TEXT, digest_tz TEXT,
            digest_off INTEGER NOT NULL DEFAULT 0, paused INTEGER NOT NULL DEFAULT 0,
            last_slot INTEGER);
        CREATE TABLE subscriptions (chat_id INTEGER NOT NULL REFERENCES chats(chat_id),
            topic TEXT NOT NULL, created INTEGER NOT NULL, PRIMARY KEY (chat_id, topic));
        CREATE INDEX subscriptions_topic ON subscriptions(topic);
        CREATE TABLE questions (id INTEGER PRIMARY KEY, chat_id INTEGER NOT NULL,
            question TEXT NOT NULL, answered INTEGER NOT NULL, topic TEXT,
            asked_at INTEGER NOT NULL);
        CREATE INDEX questions_answered ON questions(answered);
        CREATE TABLE seen (chat_id INTEGER NOT NULL, topic TEXT NOT NULL,
            fingerprints TEXT NOT NULL, updated INTEGER NOT NULL, PRIMARY KEY (chat_id, topic));
        INSERT INTO chats VALUES (3, 3, 0, 1, 1, '07:00', 'Europe/Paris', 0, 0, 500);
        INSERT INTO subscriptions VALUES (3, 'brexit', 1);
        INSERT INTO seen VALUES (3, 'brexit', 'aa bb cc', 1);
        PRAGMA user_version = 2;
        """
    )
    conn.close()
    s = Store.open(path)
    assert s.seen(3) == {"brexit": frozenset({"aa", "bb", "cc"})}
    settings = s.digest_settings(3)
    assert settings is not None and settings.last_slot == 500
    assert s.enqueue_slot("07:00", "Europe/Paris", 500, **DEFAULTS) == 0  # queued before
    assert s.enqueue_slot("07:00", "Europe/Paris", 86_900, **DEFAULTS) == 1  # the next day's
    s.mark_seen(3, {"brexit": ["aa", "bb", "cc", "dd"]})
    assert s.seen(3) == {"brexit": frozenset({"aa", "bb", "cc", "dd"})}
    s.close()


def test_the_backend_says_whether_other_processes_share_it(store: Store, store_url: str) -> None:
    if store_url.startswith("sqlite"):
        assert (store.backend, store.shared) == ("sqlite", False)
        assert store.path == db_module.sqlite_path(store_url)
    else:
        assert (store.backend, store.shared, store.path) == ("postgresql", True, None)


def test_a_url_that_is_neither_sqlite_nor_postgresql_is_refused_without_its_password() -> None:
    with pytest.raises(StoreError, match=r"mysql://me:\*\*\*@db/x: not a storage URL") as info:
        Store.open("mysql://me:hunter2@db/x")
    assert "hunter2" not in str(info.value)


# -- updates ------------------------------------------------------------------------------------


def test_an_update_is_claimed_once_across_replicas(store: Store, other: Store) -> None:
    assert store.claim_update(1001) is True
    assert other.claim_update(1001) is False
    assert store.claim_update(1001) is False
    assert other.claim_update(1002) is True


def test_pruned_update_ids_are_only_the_old_ones(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = int(time.time())
    monkeypatch.setattr(subscriptions, "_now", lambda: now - 7200)
    store.claim_update(1)
    monkeypatch.setattr(subscriptions, "_now", lambda: now)
    store.claim_update(2)
    assert store.prune_updates(older_than=3600) == 1
    assert store.claim_update(2) is False


# -- scheduling by scan -----------------------------------------------------------------------


def subscribe_before(store: Store, monkeypatch: pytest.MonkeyPatch, chat: int, at: int) -> None:
    """Subscribe `chat` as if at UTC epoch `at` (a subscriber of long standing)."""
    monkeypatch.setattr(subscriptions, "_now", lambda: at)
    store.subscribe(chat, "brexit")
    monkeypatch.undo()


def test_digest_times_are_the_distinct_times_of_chats_that_get_digests(store: Store) -> None:
    store.subscribe(1, "brexit")  # the default time
    store.subscribe(2, "brexit")
    store.set_digest_time(2, "21:00", "Asia/Tokyo")
    store.subscribe(3, "brexit")
    store.set_digest_time(3, "21:00", "Asia/Tokyo")
    store.subscribe(4, "brexit")
    store.set_digest_time(4, "06:00", "UTC")
    store.set_digest_off(4)
    store.touch_user(5, user_id=5, is_group=False)  # no subscriptions
    store.set_digest_time(5, "05:00", "UTC")
    assert store.digest_times() == [(None, None), ("21:00", "Asia/Tokyo")]


def test_a_slot_is_queued_once_per_chat_however_often_and_by_whom(
    store: Store, other: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    slot = 1_800_000_000
    for chat in (1, 2, 3):
        subscribe_before(store, monkeypatch, chat, slot - 86_400)
    store.set_digest_time(3, "21:00", "Asia/Tokyo")  # a different time: not due at 08:00 UTC
    assert store.enqueue_slot(None, None, slot, **DEFAULTS) == 2
    assert store.enqueue_slot(None, None, slot, **DEFAULTS) == 0
    assert other.enqueue_slot("08:00", "UTC", slot, **DEFAULTS) == 0  # the same chats, spelt out
    assert store.enqueue_slot(None, None, slot - 86_400, **DEFAULTS) == 0  # never an earlier one
    assert store.pending_deliveries() == 2
    assert [d.chat_id for d in store.claim_deliveries("a", limit=10, lease_seconds=30)] == [1, 2]
    settings = store.digest_settings(1)
    assert settings is not None and settings.last_slot == slot
    assert other.enqueue_slot(None, None, slot + 86_400, **DEFAULTS) == 2  # the next day


def test_a_chats_slot_is_queued_once_and_never_an_earlier_one(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    slot = 1_800_000_000
    subscribe_before(store, monkeypatch, 5, slot - 86_400)
    assert store.enqueue_slot(None, None, slot, **DEFAULTS) == 1
    assert store.enqueue_slot(None, None, slot, **DEFAULTS) == 0
    # Later than the subscription, so only the slot already queued rules it out.
    assert store.enqueue_slot(None, None, slot - 3600, **DEFAULTS) == 0
    assert store.enqueue_slot(None, None, slot + 86_400, **DEFAULTS) == 1
    claimed = store.claim_deliveries("a", limit=9, lease_seconds=30)
    assert [(d.chat_id, d.slot) for d in claimed] == [(5, slot), (5, slot + 86_400)]


def test_paused_off_and_unsubscribed_chats_are_not_queued(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    slot = 1_800_000_000
    for chat in (1, 2, 3, 4):
        subscribe_before(store, monkeypatch, chat, slot - 86_400)
    store.pause(2)
    store.set_digest_off(3)
    store.unsubscribe(4, "brexit")
    assert store.enqueue_slot(None, None, slot, **DEFAULTS) == 1


def test_a_new_subscriber_is_not_sent_a_slot_that_passed_before_it_subscribed(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = int(time.time())
    subscribe_before(store, monkeypatch, 1, now - 3600)
    store.subscribe(2, "brexit")  # just now
    past_slot, next_slot = now - 600, now + 600
    assert store.enqueue_slot(None, None, past_slot, **DEFAULTS) == 1  # chat 1's catch-up only
    assert store.enqueue_slot(None, None, next_slot, **DEFAULTS) == 2
    # A second topic later on changes nothing for a subscriber: still due, still once.
    store.subscribe(1, "ukraine-war")
    assert store.enqueue_slot(None, None, now + 700, **DEFAULTS) == 2


def test_a_new_digest_time_or_a_comeback_does_not_catch_up_on_a_passed_slot(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = int(time.time())
    for chat in (1, 2, 3, 4):
        subscribe_before(store, monkeypatch, chat, now - 86_400)
    store.set_digest_time(1, "09:00", "UTC")  # moved: the 08:00 that just passed is not owed
    monkeypatch.setattr(subscriptions, "_now", lambda: now - 86_400)
    store.set_digest_time(2, "08:00", "UTC")
    monkeypatch.undo()
    store.set_digest_time(2, "08:00", "UTC")  # set again, unchanged: still owed
    store.pause(3)
    store.touch_user(3, user_id=3, is_group=False)  # back after blocking the bot
    store.set_digest_off(4)
    store.set_digest_off(4, False)  # digests back on
    queued = store.enqueue_slot("08:00", "UTC", now - 60, **DEFAULTS)
    assert queued == 1
    assert [d.chat_id for d in store.claim_deliveries("a", limit=9, lease_seconds=30)] == [2]


# -- deliveries ----------------------------------------------------------------------------------


def queue(store: Store, monkeypatch: pytest.MonkeyPatch, chats: range) -> None:
    at = int(time.time()) - 86_400
    monkeypatch.setattr(subscriptions, "_now", lambda: at)
    for chat in chats:
        store.subscribe(chat, "brexit")
    monkeypatch.undo()
    store.enqueue_slot(None, None, at + 3600, **DEFAULTS)


def test_a_delivery_is_claimed_started_and_finished_once(
    store: Store, other: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue(store, monkeypatch, range(1, 4))
    claimed = store.claim_deliveries("a", limit=2, lease_seconds=30)
    assert [(d.chat_id, d.attempts, d.state) for d in claimed] == [
        (1, 1, "queued"),
        (2, 1, "queued"),
    ]
    assert [d.chat_id for d in other.claim_deliveries("b", limit=5, lease_seconds=30)] == [3]
    assert other.claim_deliveries("b", limit=5, lease_seconds=30) == []
    first = claimed[0]
    assert other.start_delivery(first.id, "b") is False  # not b's
    assert store.start_delivery(first.id, "a") is True
    assert store.finish_delivery(first.id, "a", "sent") is True
    assert store.finish_delivery(first.id, "a", "sent") is False
    assert store.start_delivery(first.id, "a") is False  # done is done
    assert store.pending_deliveries() == 2


def test_two_replicas_claiming_at_once_never_get_the_same_row(
    store: Store, other: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue(store, monkeypatch, range(1, 301))
    got: dict[str, list[int]] = {"a": [], "b": []}

    def work(s: Store, owner: str) -> None:
        while batch := s.claim_deliveries(owner, limit=7, lease_seconds=60):
            for d in batch:
                assert s.start_delivery(d.id, owner)
                got[owner].append(d.chat_id)
                time.sleep(0.002)  # sending takes a while: the other replica joins in
                s.finish_delivery(d.id, owner, "sent")

    threads = [threading.Thread(target=work, args=(s, o)) for s, o in ((store, "a"), (other, "b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    everything = got["a"] + got["b"]
    assert sorted(everything) == list(range(1, 301))  # each once, none lost
    assert got["a"] and got["b"]  # both helped
    assert store.pending_deliveries() == 0


def test_an_expired_lease_is_claimed_again_and_the_old_owner_may_not_send(
    store: Store, other: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue(store, monkeypatch, range(1, 2))
    (mine,) = store.claim_deliveries("a", limit=1, lease_seconds=0.6)
    assert store.start_delivery(mine.id, "a") is True  # then "a" hangs mid-request
    assert other.claim_deliveries("b", limit=1, lease_seconds=30) == []
    time.sleep(0.8)
    (theirs,) = other.claim_deliveries("b", limit=1, lease_seconds=30)
    # Possibly sent by "a" already: the one case that is sent again, and it says so.
    assert theirs == Delivery(id=mine.id, chat_id=1, slot=mine.slot, attempts=2, state="sending")
    assert store.start_delivery(mine.id, "a") is False
    assert other.start_delivery(theirs.id, "b") is True


def test_a_finish_by_the_replica_that_lost_its_lease_stops_the_resend(
    store: Store, other: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue(store, monkeypatch, range(1, 2))
    (mine,) = store.claim_deliveries("a", limit=1, lease_seconds=0.6)
    store.start_delivery(mine.id, "a")
    time.sleep(0.8)
    (theirs,) = other.claim_deliveries("b", limit=1, lease_seconds=30)
    store.finish_delivery(mine.id, "a", "sent")  # "a"'s slow request did get through
    assert other.start_delivery(theirs.id, "b") is False


def test_finished_deliveries_are_pruned_when_old(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue(store, monkeypatch, range(1, 4))
    (done, *_) = store.claim_deliveries("a", limit=3, lease_seconds=30)
    store.finish_delivery(done.id, "a", "sent")
    assert store.prune_deliveries(older_than=0) == 0  # queued "now": not yet old
    monkeypatch.setattr(subscriptions, "_now", lambda: int(time.time()) + 10)
    assert store.prune_deliveries(older_than=5) == 1  # only the finished one
    assert store.pending_deliveries() == 2


# -- pacing, leadership, briefs -------------------------------------------------------------------


def test_reserved_sends_are_spaced_by_the_interval_across_replicas(
    store: Store, other: Store
) -> None:
    interval = 0.05
    # Each send instant is the database's clock at the call plus the wait returned; this test
    # only knows that clock lay between its own readings before and after the call.
    earliest, latest = [], []
    for i in range(12):
        before = time.time()
        wait = (store if i % 2 else other).reserve_send(interval)
        earliest.append(before + wait)
        latest.append(time.time() + wait)
    slack = 0.002  # SQLite's clock counts whole milliseconds
    for i in range(11):
        assert latest[i + 1] - earliest[i] >= interval - slack
    # Back to back, each waits exactly one interval more than the one before.
    assert earliest[-1] - latest[0] <= 11 * interval + slack


def test_concurrent_reservations_from_two_replicas_lose_none(
    store: Store, other: Store, store_url: str
) -> None:
    interval = 0.01
    started = time.time()

    def reserve(s: Store) -> None:
        for _ in range(25):
            s.reserve_send(interval)

    threads = [
        threading.Thread(target=reserve, args=(s,)) for s in (store, other) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    elapsed = time.time() - started
    assert elapsed < 100 * interval  # all reserved well before the first is due
    # 200 reservations back to back: the next free instant is 199 intervals after the first
    # one's, which came between `started` and the end.
    ((next_at,),) = rows(store_url, "SELECT next_at FROM pacing")
    assert 199 * interval - 0.002 <= next_at - started <= 199 * interval + elapsed


def test_after_a_pause_a_send_need_not_wait(store: Store) -> None:
    store.reserve_send(0.05)
    time.sleep(0.1)
    assert store.reserve_send(0.05) == 0.0


def test_sqlite_has_one_process_so_it_always_leads_and_hears_nothing(tmp_path: Path) -> None:
    s = Store.open(tmp_path / "bot.sqlite3")
    heard: list[str] = []
    listener = s.listen_briefs(heard.append)
    assert s.try_lead() and s.is_leading()
    s.publish_briefs("v1")
    assert s.briefs_version() == "v1"
    listener.close()
    s.close()
    assert heard == []


postgres_only = pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)


def leader_pid(url: str) -> list[tuple[Any, ...]]:
    return rows(
        url,
        "SELECT a.application_name, a.pid FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.objid = "
        f"{subscriptions.LEADER_LOCK & 0xFFFFFFFF}",
    )


@postgres_only
def test_one_replica_leads_and_another_takes_over_when_its_connection_dies(
    store: Store, other: Store, store_url: str
) -> None:
    assert store.try_lead() is True
    assert other.try_lead() is False
    assert store.try_lead() is True  # asking again keeps it
    assert other.is_leading() is False
    (name, pid), *_ = leader_pid(store_url)
    assert name == "replica-a"
    # The leader's process dies: PostgreSQL ends its session and frees the lock.
    rows(store_url, f"SELECT pg_terminate_backend({int(pid)})")
    assert store.is_leading() is False
    assert other.try_lead() is True
    assert store.try_lead() is False
    other.resign()
    assert store.try_lead() is True


@postgres_only
def test_a_briefs_version_reaches_the_listeners_of_other_replicas(
    store: Store, other: Store
) -> None:
    heard: list[str] = []
    ready = threading.Event()
    listener = other.listen_briefs(lambda v: (heard.append(v), ready.set()))
    try:
        store.publish_briefs("v1")
        assert wait_for(lambda: "v1" in heard)
        assert other.briefs_version() == "v1"
    finally:
        listener.close()
    # A replica that starts listening later is told the current version at once.
    late: list[str] = []
    listener = store.listen_briefs(late.append)
    try:
        assert wait_for(lambda: late == ["v1"])
    finally:
        listener.close()


def wait_for(condition: Any, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return bool(condition())


@postgres_only
def test_the_store_reconnects_after_a_server_restart(
    store: Store, other: Store, pg_cluster: PostgresCluster
) -> None:
    store.subscribe(1, "brexit")
    assert store.try_lead()
    heard: list[str] = []
    listener = other.listen_briefs(heard.append)
    try:
        store.publish_briefs("v1")
        assert wait_for(lambda: "v1" in heard)
        before = len(heard)
        pg_cluster.restart()
        store.subscribe(1, "ukraine-war")  # no StoreError: the pool reconnects
        assert other.subscriptions(1) == ["brexit", "ukraine-war"]
        assert store.is_leading() is False  # the lock went with the old session
        assert other.try_lead() is True
        # The listener reconnects and reports the stored version, then hears new ones.
        assert wait_for(lambda: len(heard) > before and heard[-1] == "v1")
        store.publish_briefs("v2")
        assert wait_for(lambda: heard[-1] == "v2")
    finally:
        listener.close()


def test_a_call_fails_with_a_store_error_once_the_server_stays_away(
    pg_cluster: PostgresCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_module, "RECONNECT_SECONDS", 0.5)
    # A cluster of its own: this one is stopped for good.
    with postgres_cluster(pg_cluster.bindir) as cluster:
        s = Store.open(cluster.url, name="lonely")
        s.subscribe(1, "brexit")
        cluster.stop()
        started = time.monotonic()
        with pytest.raises(StoreError, match=r"127\.0\.0\.1.*unreachable for"):
            s.subscribe(1, "ukraine-war")
        assert time.monotonic() - started < 5
        cluster.start()
        assert s.subscriptions(1) == ["brexit"]
        s.close()


@postgres_only
def test_replicas_starting_together_migrate_once(store_url: str) -> None:
    opened: list[Store] = []
    errors: list[BaseException] = []

    def open_one(i: int) -> None:
        try:
            opened.append(Store.open(store_url, name=f"replica-{i}"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_one, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert rows(store_url, "SELECT version FROM schema_version") == [(SCHEMA_VERSION,)]
    opened[0].subscribe(1, "brexit")
    assert opened[2].subscriptions(1) == ["brexit"]
    for s in opened:
        s.close()


@postgres_only
def test_a_postgres_database_from_a_newer_briefbot_is_refused(store: Store, store_url: str) -> None:
    store.close()
    rows(store_url, f"UPDATE schema_version SET version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match=r"schema version .* newer Briefbot"):
        Store.open(store_url)
