"""The end-to-end harness itself: what test_replicas.py's verdicts rest on."""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.e2e.cluster import NGINX_ENV, Nginx, find_nginx, free_port, max_in_window


def test_the_busiest_window_counts_events_less_than_a_second_apart() -> None:
    assert max_in_window([]) == 0
    assert max_in_window([5.0]) == 1
    # 0.0 .. 0.9: ten in one second; 1.0 starts the next one.
    assert max_in_window([i / 10 for i in range(11)]) == 10
    # A steady 4 per second, then with a burst of 5 between 2.1 and 2.5.
    steady = [i / 4 for i in range(12)]
    assert max_in_window(steady) == 4
    assert max_in_window([*steady, 2.1, 2.2, 2.3, 2.4, 2.5]) == 9
    assert max_in_window([3.0, 1.0, 2.0, 1.5], window=1.0) == 2  # order does not matter


@contextmanager
def upstream(name: str, seen: Counter[str]) -> Iterator[int]:
    """A web server that answers every POST with its name and counts them."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            seen[name] += 1
            body = name.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def test_nginx_spreads_posts_over_the_replicas_and_skips_one_that_is_down(
    tmp_path: Path,
) -> None:
    if find_nginx() is None:
        if os.environ.get(NGINX_ENV) == "1":
            pytest.fail(f"{NGINX_ENV}=1 but nginx is not installed", pytrace=False)
        pytest.skip("nginx is not installed")
    seen: Counter[str] = Counter()
    with upstream("a", seen) as a, upstream("b", seen) as b:
        nginx = Nginx(tmp_path / "nginx", [a, free_port(), b])  # the middle one is down
        nginx.start()
        try:
            with httpx.Client() as client:
                answers = [client.post(nginx.url, json={"update_id": i}) for i in range(30)]
        finally:
            nginx.stop()
    assert {r.status_code for r in answers} == {200}
    assert seen["a"] + seen["b"] == 30 and seen["a"] >= 10 and seen["b"] >= 10
    assert nginx.proc is not None and nginx.proc.returncode == 0
    assert "Connection refused" in nginx.errors()
