"""The hostile-input harness: a real ``gbkg serve`` on loopback, and what every case asserts.

Every hostile case sends its request(s) to a real server process (the command a
user runs, ``gbkg serve``, bound to 127.0.0.1) and then checks, with
:meth:`HostileServer.assert_refused` and :meth:`HostileServer.assert_intact`:

- the status it expects, with an ``application/problem+json`` body whose
  ``status`` matches and whose ``detail`` is not empty;
- the store is unchanged: the same number of quads and the same hash of the
  export (N-Quads, lines sorted, so the hash does not depend on order);
- the server process is alive and answers ``GET /health`` (waiting at most
  :data:`ALIVE_WITHIN_S`: a server wedged by the input never answers; how fast a
  busy server answers is measured in ``bench/``, not asserted on a shared CI box).

Traffic goes to 127.0.0.1 only. Loops over cases are bounded in count, and every
request has a timeout.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sparql_helpers import Server

#: The longest wait for /health: a bound on waiting, not a speed asserted.
ALIVE_WITHIN_S = 15.0
PROBLEM_JSON = "application/problem+json"
CURATOR_TOKEN = "hostile-token-alice"
OTHER_TOKEN = "hostile-token-bob"


class RequestCount:
    """Requests sent by every :class:`HostileServer` client of the session (counted by
    an httpx event hook; the suite's summary line reports it)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, request: httpx.Request) -> None:
        self.count += 1


HARNESS_REQUESTS = RequestCount()
#: Requests the fuzzers sent (``test_fuzz.py`` adds its tallies).
FUZZ_REQUESTS = RequestCount()


@dataclass(frozen=True)
class StoreSnapshot:
    """What "unchanged" means: the quad count and a hash of the sorted N-Quads export."""

    quads: int
    digest: str


class HostileServer:
    """A ``gbkg serve`` process on a temporary store, with the curated claims loaded."""

    def __init__(self, root: Path, **env: str) -> None:
        settings = {
            "GBKG_LOAD_CURATED": "true",
            "GBKG_CURATOR_TOKENS": f"alice:{CURATOR_TOKEN},bob:{OTHER_TOKEN}",
            "GBKG_QUERY_TIMEOUT_S": "2",
            **env,
        }
        self.server = Server(root / "store", root / "server.log", **settings)
        self.url = self.server.url
        self.port = self.server.port
        self.client = httpx.Client(
            base_url=self.url, timeout=30.0, event_hooks={"request": [HARNESS_REQUESTS]}
        )

    def start(self) -> HostileServer:
        self.server.wait_ready(timeout=60)
        return self

    def stop(self) -> None:
        self.client.close()
        self.server.stop()

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {CURATOR_TOKEN}"}

    @property
    def pid(self) -> int:
        return self.server.process.pid

    # What every case checks ----------------------------------------------------------

    def snapshot(self) -> StoreSnapshot:
        response = self.client.get("/export", params={"format": "nquads"}, timeout=60.0)
        assert response.status_code == 200, response.text[:500]
        lines = sorted(line for line in response.content.split(b"\n") if line.strip())
        digest = hashlib.sha256(b"\n".join(lines)).hexdigest()
        return StoreSnapshot(quads=len(lines), digest=digest)

    def assert_alive(self) -> None:
        """The process runs and answers /health (waiting at most :data:`ALIVE_WITHIN_S`)."""
        assert self.server.process.poll() is None, (
            f"the server died (exit {self.server.process.returncode}): " + self.log_tail()
        )
        try:
            response = httpx.get(self.url + "/health", timeout=ALIVE_WITHIN_S)
        except httpx.TimeoutException:
            raise AssertionError(
                f"/health did not answer within {ALIVE_WITHIN_S} s: " + self.log_tail()
            ) from None
        assert response.status_code == 200, response.text[:500]

    def assert_intact(self, before: StoreSnapshot) -> None:
        """Alive, and the store is exactly as it was."""
        self.assert_alive()
        after = self.snapshot()
        assert after == before, f"the store changed: {before} -> {after}"

    @staticmethod
    def assert_refused(response: httpx.Response, status: int | tuple[int, ...]) -> dict[str, Any]:
        """``response`` has the expected status and a problem+json body; returns the body."""
        expected = status if isinstance(status, tuple) else (status,)
        assert response.status_code in expected, (response.status_code, response.text[:500])
        content_type = response.headers.get("content-type", "")
        assert content_type.startswith(PROBLEM_JSON), (content_type, response.text[:300])
        body: dict[str, Any] = response.json()
        assert body["status"] == response.status_code, body
        assert body.get("detail"), body
        return body

    def log_tail(self, size: int = 3000) -> str:
        return self.server.log_path.read_text(errors="replace")[-size:]


def hostile_server(root: Path, **env: str) -> Iterator[HostileServer]:
    """Start a :class:`HostileServer`, yield it, stop it (for fixtures)."""
    server = HostileServer(root, **env)
    try:
        yield server.start()
    finally:
        server.stop()


def rss_mb(pid: int) -> float:
    """The resident memory of a process, in MB (Linux ``/proc``)."""
    with open(f"/proc/{pid}/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6
