"""Briefbot as operators run it for issue 5, on one machine: PostgreSQL, nginx in front of N
`briefbot run --port` replicas in webhook mode, and the fake Bot API in its own process.

    FakeBotApi      tests/tg/fakebotapi.py as a process, steered over its /_fake/ endpoints:
                    it POSTs updates to nginx (standing for the public https URL the replicas
                    register with setWebhook) and records every request the replicas make
    Nginx           a generated nginx.conf in a temporary folder (upstream of the replica ports,
                    listen on 127.0.0.1:<free port>), `nginx -p DIR -c nginx.conf -g 'daemon off;'`
    Replica         one `briefbot run --config C --port P` with BRIEFBOT_STORAGE_URL,
                    BRIEFBOT_REPLICA, TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET set
    Cluster         all of it started in order, with readiness waits, `kill -9` of one replica,
                    the current leader (from pg_locks) and direct SQL for the test's setup

Used by tests/e2e/test_replicas.py and bench/replicas.py; nothing here imports the bot, so it
measures the processes as they run in production.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijklmn"  # tests/tg/fakebotapi.TOKEN
SECRET = "e2e-webhook-secret"
PUBLIC_URL = "https://briefbot.example/hook"  # what the replicas register; nginx stands for it
URL_PATH = "hook"
NGINX_ENV = "BRIEFBOT_REQUIRE_NGINX"

T = TypeVar("T")


def wait_for(condition: Callable[[], T | None], timeout: float, what: str, every: float = 0.1) -> T:
    """The first truthy value of `condition()`, polled until `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def accepts(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def find_nginx() -> Path | None:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).is_file()), None
    )
    return Path(found) if found else None


def max_in_window(times: Iterable[float], window: float = 1.0) -> int:
    """The most events in any `window`-second interval [t, t + window) (a sliding window)."""
    ordered = sorted(times)
    best, lo = 0, 0
    for hi, t in enumerate(ordered):
        while ordered[lo] <= t - window:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) process `pid` has used, 0.0 where /proc is unavailable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- The fake Bot API ----------------------------------------------------------------------------


class FakeBotApi:
    """tests/tg/fakebotapi.py in its own process (Telegram is on another machine)."""

    def __init__(self, *, latency: float = 0.0) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.tg.fakebotapi", "0", "--latency", str(latency)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline())
        self.base_url = f"http://127.0.0.1:{self.port}/bot"
        self.control = f"http://127.0.0.1:{self.port}/_fake"
        self.http = httpx.Client(timeout=30)

    def _get(self, action: str, **query: Any) -> Any:
        response = self.http.get(f"{self.control}/{action}", params=query)
        response.raise_for_status()
        return response.json()["result"]

    def _post(self, action: str, data: Any) -> Any:
        response = self.http.post(f"{self.control}/{action}", json=data)
        response.raise_for_status()
        return response.json()["result"]

    def deliver_to(self, url: str) -> None:
        """POST webhook updates to `url` (the proxy) rather than the URL the bot registered."""
        self._post("webhook", {"target": url})

    def registered(self) -> dict[str, Any] | None:
        """What the last setWebhook call registered, or None."""
        result: dict[str, Any] | None = self._get("webhook")["registered"]
        return result

    def schedule(
        self,
        updates: list[dict[str, Any]],
        *,
        rate: float | None = None,
        repeat: Sequence[int] = (),
    ) -> None:
        self._post("schedule", {"updates": updates, "rate": rate, "repeat": list(repeat)})

    def calls(self, offset: int = 0, *, texts: bool = False) -> list[list[Any]]:
        """[method, chat_id, ok, monotonic time the fake received it(, text)] for every request
        from the `offset`th on."""
        query: dict[str, Any] = {"offset": offset, **({"texts": 1} if texts else {})}
        result: list[list[Any]] = self._get("calls", **query)["calls"]
        return result

    def pushed(self) -> dict[str, float]:
        """chat id -> when its update was handed to the fake to deliver."""
        result: dict[str, float] = self._get("calls", offset=10**12)["pushed"]
        return result

    def posts(self, offset: int = 0) -> list[list[Any]]:
        """[update_id, chat_id, attempt, repeat, status, at, took] for every webhook POST."""
        result: list[list[Any]] = self._get("posts", offset=offset)
        return result

    def clear(self) -> None:
        self._post("clear", {})

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.proc.pid)

    def stop(self) -> None:
        self.http.close()
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


class CallLog:
    """The fake's calls read incrementally (a fan-out makes tens of thousands), with the text
    of each message when `texts`: [method, chat_id, ok, monotonic time(, text)]."""

    def __init__(self, fake: FakeBotApi, *, texts: bool = True) -> None:
        self.fake = fake
        self.texts = texts
        self.calls: list[list[Any]] = []

    def refresh(self) -> list[list[Any]]:
        self.calls += self.fake.calls(offset=len(self.calls), texts=self.texts)
        return self.calls

    def sent(self, chats: set[int] | None = None) -> list[list[Any]]:
        """Accepted sendMessage calls (to `chats` when given), after a refresh."""
        return [
            c
            for c in self.refresh()
            if c[0] == "sendMessage" and c[2] and (chats is None or c[1] in chats)
        ]

    def replies(self, chats: set[int]) -> dict[int, Counter[str]]:
        """chat -> how often each text was sent to it. A reply or digest in several parts has
        several texts once each; an update answered twice or a digest sent twice repeats them."""
        assert self.texts, "a CallLog(texts=False) has no texts"
        out: dict[int, Counter[str]] = {}
        for call in self.sent(chats):
            out.setdefault(call[1], Counter())[call[4]] += 1
        return out


# --- nginx ---------------------------------------------------------------------------------------


NGINX_CONF = """\
# Generated by tests/e2e/cluster.py: Briefbot replicas behind one proxy, everything in {root}.
{user}worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {root}/client_body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    upstream briefbot {{
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        location /{path} {{
            proxy_pass http://briefbot;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            # A replica that is down (refused) is skipped; a POST already sent is not repeated
            # by nginx (Telegram repeats it, and the replicas answer each update_id once).
            proxy_next_upstream error timeout http_502 http_503;
            proxy_connect_timeout 2s;
        }}
    }}
}}
"""


class Nginx:
    """nginx in the foreground, its conf, pid, logs and temp files in `root`."""

    def __init__(self, root: Path, upstream_ports: Sequence[int], *, path: str = URL_PATH) -> None:
        binary = find_nginx()
        if binary is None:
            raise FileNotFoundError("nginx is not installed (Debian: apt-get install nginx-light)")
        self.binary = binary
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/{path}"
        root.mkdir(parents=True, exist_ok=True)
        servers = "\n".join(
            f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;" for p in upstream_ports
        )
        # As root the workers would drop to 'nobody' and could not use the temp folders here.
        user = "user root;\n" if os.geteuid() == 0 else ""
        self.conf = root / "nginx.conf"
        self.conf.write_text(
            NGINX_CONF.format(root=root, user=user, servers=servers, port=self.port, path=path),
            encoding="utf-8",
        )
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 10) -> None:
        self.proc = subprocess.Popen(
            [
                str(self.binary),
                "-p",
                str(self.root),
                "-e",
                str(self.root / "error.log"),
                "-c",
                str(self.conf),
                "-g",
                "daemon off;",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def up() -> bool:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited ({self.proc.returncode}): {self.errors()}")
            return accepts(self.port)

        wait_for(up, timeout, "nginx to listen")

    def errors(self) -> str:
        log = self.root / "error.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful: finish the requests in progress
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


# --- Replicas ------------------------------------------------------------------------------------


def briefbot_command() -> list[str]:
    """The installed `briefbot` script next to this Python, else `python -m bot`."""
    script = Path(sys.executable).parent / "briefbot"
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot"]


@dataclass
class Replica:
    name: str
    port: int
    log: Path
    proc: subprocess.Popen[bytes] | None = None
    killed: bool = False

    def start(self, config: Path, env: dict[str, str]) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [*briefbot_command(), "run", "--config", str(config), "--port", str(self.port)],
                cwd=config.parent,
                env={**env, "BRIEFBOT_REPLICA": self.name},
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def ready(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise RuntimeError(f"{self.name} exited ({self.proc.returncode}):\n{self.tail()}")
        return accepts(self.port)

    def kill(self) -> None:
        """kill -9: no shutdown code runs; PostgreSQL frees its locks when the sockets close."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self.killed = True

    def stop(self, timeout: float = 20) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
            return None

    def tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


def replica_config(folder: Path, *, seeds: Path, base_url: str, rate_limit: float | None) -> Path:
    """The config.yaml every replica shares (storage comes from BRIEFBOT_STORAGE_URL)."""
    config = {
        "seeds": str(seeds),
        "briefs": str(folder / "briefs"),
        "admins": [7],
        "telegram": {
            "mode": "webhook",
            "base_url": base_url,
            "webhook": {
                "listen": "127.0.0.1",
                "url": PUBLIC_URL,
                "url_path": URL_PATH,
            },
            "rate_limit": (
                {"enabled": True, "overall_per_second": rate_limit}
                if rate_limit
                else {"enabled": False}
            ),
        },
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


@dataclass
class Cluster:
    """The whole stack for one storage URL; `start()` brings it up, `stop()` takes it down.

    The briefs are built from `seeds` once, before the replicas start (as the README says: each
    `briefbot run` builds stale briefs first, and three at once would race on one folder).
    """

    root: Path
    storage_url: str
    seeds: Path = ROOT / "seeds"
    replicas: int = 3
    rate_limit: float | None = 300.0
    fake_latency: float = 0.0
    extra_env: dict[str, str] = field(default_factory=dict)
    fake: FakeBotApi | None = None
    nginx: Nginx | None = None
    members: list[Replica] = field(default_factory=list)

    def start(self, timeout: float = 60) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.fake = FakeBotApi(latency=self.fake_latency)
        self.config = replica_config(
            self.root, seeds=self.seeds, base_url=self.fake.base_url, rate_limit=self.rate_limit
        )
        self.env = {
            **os.environ,
            **self.extra_env,
            "PYTHONPATH": str(ROOT),
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "BRIEFBOT_STORAGE_URL": self.storage_url,
        }
        subprocess.run(
            [*briefbot_command(), "build", "--config", str(self.config), "--quiet"],
            cwd=self.root,
            env=self.env,
            check=True,
            capture_output=True,
            timeout=timeout,
        )
        self.members = [
            Replica(f"replica-{i + 1}", free_port(), self.root / f"replica-{i + 1}.log")
            for i in range(self.replicas)
        ]
        for replica in self.members:
            replica.start(self.config, self.env)
        self.nginx = Nginx(self.root / "nginx", [r.port for r in self.members])
        self.nginx.start()
        self.fake.deliver_to(self.nginx.url)
        for replica in self.members:
            wait_for(replica.ready, timeout, f"{replica.name} to listen on {replica.port}")
        wait_for(self.fake.registered, timeout, "a replica to call setWebhook")

    @property
    def api(self) -> FakeBotApi:
        """The fake Bot API of a started cluster."""
        assert self.fake is not None, "the cluster is not started"
        return self.fake

    @property
    def briefs(self) -> Path:
        return self.root / "briefs"

    def topics(self) -> list[str]:
        """The slugs of the built briefs, in index order."""
        index = yaml.safe_load((self.briefs / "index.yaml").read_text(encoding="utf-8"))
        return [str(t["slug"]) for t in index["topics"]]

    def restart_replica(self, replica: Replica, timeout: float = 60) -> None:
        """Start a stopped or killed replica again, on its port."""
        replica.killed = False
        replica.start(self.config, self.env)
        wait_for(replica.ready, timeout, f"{replica.name} to listen again")

    def alive(self) -> list[Replica]:
        return [r for r in self.members if r.alive()]

    def by_name(self, name: str) -> Replica:
        return next(r for r in self.members if r.name == name)

    def leader(self) -> Replica | None:
        """The replica holding the scheduler's advisory lock, if any (from pg_locks)."""
        holders = {str(row[0]) for row in self.sql(LEADER_SQL)}
        # The store names each connection after its replica, with a suffix for its role
        # ("replica-2:lead").
        found = [
            r
            for r in self.members
            if r.alive() and any(h == r.name or h.startswith(f"{r.name}:") for h in holders)
        ]
        return found[0] if len(found) == 1 else None

    def sql(self, statement: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run one statement on the replicas' database (autocommit); rows when it returns any."""
        import psycopg

        with psycopg.connect(self.storage_url, autocommit=True) as conn:
            cursor = conn.execute(statement, params)
            return list(cursor.fetchall()) if cursor.description else []

    def logs(self) -> str:
        return "\n".join(f"--- {r.name}\n{r.tail()}" for r in self.members)

    def stop(self) -> dict[str, int | None]:
        """Stop every replica (SIGINT, as Ctrl-C), nginx and the fake; exit codes by name."""
        codes: dict[str, int | None] = {}
        for replica in self.members:
            if not replica.killed:
                codes[replica.name] = replica.stop()
        if self.nginx is not None:
            self.nginx.stop()
        if self.fake is not None:
            self.fake.stop()
        return codes


# Granted advisory locks held by a session other than this one: the leader's lock (the
# migration lock is held only while a replica migrates, before it listens).
LEADER_SQL = """
SELECT a.application_name
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database()
  AND l.pid <> pg_backend_pid()
"""


@contextlib.contextmanager
def running(cluster: Cluster) -> Iterator[Cluster]:
    try:
        cluster.start()
        yield cluster
    except BaseException:
        print(cluster.logs(), file=sys.stderr)
        raise
    finally:
        cluster.stop()


# --- Subscribers ---------------------------------------------------------------------------------


def due_now(now: dt.datetime | None = None) -> str:
    """A digest time (HH:MM, UTC) whose slot has just passed: due at the scheduler's next tick."""
    now = now or dt.datetime.now(dt.UTC)
    return now.strftime("%H:%M")


def add_subscribers(
    cluster: Cluster, chat_ids: Sequence[int], topic: str, *, digest_time: str, zone: str = "UTC"
) -> None:
    """Insert chats subscribed to `topic` with their digest at `digest_time`, straight into
    PostgreSQL (COPY): 10,000 /subscribe commands would test the handlers, not the fan-out."""
    import psycopg

    now = int(time.time())
    with psycopg.connect(cluster.storage_url) as conn, conn.cursor() as cursor:
        with cursor.copy(
            "COPY chats (chat_id, user_id, is_group, first_seen, last_seen, digest_time, "
            "digest_tz) FROM STDIN"
        ) as copy:
            for chat_id in chat_ids:
                copy.write_row((chat_id, chat_id, 0, now, now, digest_time, zone))
        with cursor.copy("COPY subscriptions (chat_id, topic, created, seq) FROM STDIN") as copy:
            for chat_id in chat_ids:
                copy.write_row((chat_id, topic, now, 1))  # seq: the chat's first subscription


def mixed_updates(first_chat: int, n: int, topic: str) -> list[dict[str, Any]]:
    """Questions, commands and button presses, each from its own chat (first_chat, ...), each
    answered with exactly one message: so every answer is matched to its update."""
    from tests.tg.fakebotapi import callback_data_update, message_data

    texts = [
        "How many civilians remain in Kursk?",
        "india russia s-400",
        "/topics",
        "/start",
        "/help",
        f"/brief {topic}",
        "who won the football world cup",
    ]
    updates = [message_data(texts[i % len(texts)], chat_id=first_chat + i) for i in range(n)]
    # A button press is answered (answerCallbackQuery) and sends the brief: one message.
    for i in range(0, n, 10):
        updates[i] = callback_data_update(f"b:{topic}", chat_id=first_chat + i)
    return updates
