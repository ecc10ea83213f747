"""The subscription store: what it promises to keep, across restarts and a kill -9."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bot.errors import StoreError
from bot.subscriptions import SCHEMA_VERSION, ChatDigest, Store
from tests.pg import PostgresCluster as PgCluster

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "data" / "bot.sqlite3")
    yield s  # type: ignore[misc]
    s.close()


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


def test_everything_survives_close_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    s = Store.open(path)
    s.touch_user(7, user_id=7, is_group=False)
    s.subscribe(7, "brexit")
    s.set_digest_time(7, "07:30", "Europe/Berlin")
    s.mark_seen(7, {"brexit": ["f1", "f2"]})
    assert s.claim_slot(7, 1_000)
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
        last_slot=1_000,
    )
    assert s.seen(7) == {"brexit": frozenset({"f1", "f2"})}
    assert s.claim_slot(7, 1_000) is False
    assert s.stats().declined == 1
    s.close()


def test_a_slot_is_claimed_once_and_never_an_earlier_one(store: Store) -> None:
    store.subscribe(5, "brexit")
    assert store.claim_slot(5, 100) is True
    assert store.claim_slot(5, 100) is False
    assert store.claim_slot(5, 50) is False
    assert store.claim_slot(5, 200) is True


def test_a_blocked_chat_is_paused_until_it_talks_again_and_keeps_its_topics(
    store: Store,
) -> None:
    store.touch_user(9, user_id=9, is_group=False)
    store.subscribe(9, "brexit")
    store.pause(9)
    settings = store.digest_settings(9)
    assert settings is not None and settings.paused
    assert [(c.chat_id, c.paused) for c in store.digest_chats()] == [(9, True)]
    assert store.subscriptions(9) == ["brexit"]

    store.touch_user(9, user_id=9, is_group=False)
    assert [(c.chat_id, c.paused) for c in store.digest_chats()] == [(9, False)]


def test_digest_chats_are_those_subscribed_with_digests_on(store: Store) -> None:
    store.touch_user(1, user_id=1, is_group=False)  # no subscriptions
    store.subscribe(2, "brexit")
    store.subscribe(3, "brexit")
    store.set_digest_off(3)
    store.subscribe(4, "brexit")
    store.set_digest_time(4, "21:00", "Asia/Tokyo")
    chats = store.digest_chats()
    assert [(c.chat_id, c.time, c.timezone) for c in chats] == [
        (2, None, None),
        (4, "21:00", "Asia/Tokyo"),
    ]
    store.set_digest_time(3, "06:00", "UTC")  # setting a time turns digests back on
    assert [c.chat_id for c in store.digest_chats()] == [2, 3, 4]


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
    assert [c.chat_id for c in s.digest_chats()] == [3]
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
        store.claim_slot(i, 1_000 + i)
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
        assert s.claim_slot(i, 1_000 + i) is False
    assert stats.answered + stats.declined >= users - 1
    s.close()


def test_chats_that_saw_the_same_brief_share_one_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    s = Store.open(path)
    version_1 = [f"fp{i:03d}" for i in range(300)]
    for chat in range(1, 101):
        s.subscribe(chat, "brexit")
        s.mark_seen(chat, {"brexit": version_1})
    s.mark_seen(7, {"brexit": [*version_1, "fp-new"]})
    assert s.seen(7) == {"brexit": frozenset([*version_1, "fp-new"])}
    assert s.seen(8) == {"brexit": frozenset(version_1)}
    s.close()
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM snapshots").fetchone()[0] == 2
    conn.close()
    s = Store.open(path)
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
    assert s.claim_slot(3, 500) is False
    s.mark_seen(3, {"brexit": ["aa", "bb", "cc", "dd"]})
    assert s.seen(3) == {"brexit": frozenset({"aa", "bb", "cc", "dd"})}
    s.close()


def test_each_postgres_test_gets_its_own_empty_database(
    pg_cluster: PgCluster, postgres_url: str
) -> None:
    import psycopg

    assert postgres_url.startswith(f"postgresql://postgres@127.0.0.1:{pg_cluster.port}/")
    with psycopg.connect(postgres_url) as conn:
        tables = conn.execute(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    assert tables == (0,)
