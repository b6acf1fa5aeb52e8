"""What isolating queries in worker processes costs, and what it buys.

Against real ``gbkg serve`` processes on loopback, on a store of the curated
claims, in one run:

1. **latency**: the median (and p90) of a small ``/sparql`` query (5 rows),
   sent one at a time, alternating between a server with
   ``GBKG_QUERY_ISOLATION=false`` (threads of the server, the old design) and one
   with worker processes (the default), each on its own copy of the store;
   printed in ms and as a ratio;
2. **runaway query, before**: in-process, a cartesian ``COUNT`` gets its 503 at
   the time limit but its thread runs on: the CPU the server burns in the 3 s
   after the 503, and how an ``ORDER BY`` grower's memory keeps growing;
3. **deadline to stop, after**: with workers, the time from the deadline to the
   worker process being gone (reaped, memory released), from the server's log,
   and the 503's own time;
4. **memory bombs, after**: the CONCAT doubling bomb and the ORDER BY grower under
   the default ``GBKG_QUERY_MEMORY_MB``: the status, the time to it, the peak
   resident memory of the worker and the server's own memory before and after.

    python -m bench.query_isolation --requests 300
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

SMALL_QUERY = (
    "PREFIX gba: <https://w3id.org/gbkg/ontology#>\n"
    "SELECT ?claim ?statement WHERE { ?claim a gba:Claim ; gba:statement ?statement } LIMIT 5"
)
CARTESIAN_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ORDER_BY_GROWER = "SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f . ?g a ?h } ORDER BY ?c ?f ?h LIMIT 1"
CONCAT_BOMB = (
    'SELECT ?x26 WHERE { BIND("0123456789abcdef0123456789abcdef" AS ?x0) '
    + " ".join(f"BIND(CONCAT(?x{i},?x{i}) AS ?x{i + 1})" for i in range(26))
    + " }"
)
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE / 1e6
    except OSError:
        return 0.0


def cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


class Service:
    """``gbkg serve`` on a free loopback port, with the given settings."""

    def __init__(self, store: Path, log: Path, **env: str) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        self.log = log.open("wb")
        environment = {**os.environ, "GBKG_STORE": str(store), "PYTHONUNBUFFERED": "1", **env}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gbkg.cli", "serve", "--port", str(self.port)],
            env=environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.client = httpx.Client(base_url=self.url, timeout=120)
        end = time.monotonic() + 120
        while time.monotonic() < end:
            with contextlib.suppress(httpx.HTTPError):
                if self.client.get("/health").status_code == 200:
                    return
            if self.process.poll() is not None:
                raise RuntimeError(log.read_text(errors="replace")[-2000:])
            time.sleep(0.1)
        raise RuntimeError("the server did not start")

    @property
    def pid(self) -> int:
        return self.process.pid

    def query(self, text: str) -> httpx.Response:
        return self.client.post(
            "/sparql", content=text.encode(), headers={"Content-Type": "application/sparql-query"}
        )

    def stop(self) -> None:
        self.client.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
        self.log.close()


@contextlib.contextmanager
def service(store: Path, log: Path, **env: str) -> Iterator[Service]:
    running = Service(store, log, **env)
    try:
        yield running
    finally:
        running.stop()


def latency(servers: list[Service], requests: int) -> list[tuple[float, float]]:
    """p50 and p90 in ms for each server, requests alternating between them (so that
    noise on the machine falls on both alike)."""
    for server in servers:
        for _ in range(20):
            assert server.query(SMALL_QUERY).status_code == 200
    times: list[list[float]] = [[] for _ in servers]
    for _ in range(requests):
        for server, samples in zip(servers, times, strict=True):
            started = time.perf_counter()
            response = server.query(SMALL_QUERY)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text
    return [
        (statistics.median(samples), sorted(samples)[int(0.9 * len(samples))]) for samples in times
    ]


class Peak:
    """The peak resident memory of a process and its children, sampled every 10 ms."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.server = 0.0
        self.worker = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.server = max(self.server, rss_mb(self.pid))
            for child in children(self.pid):
                self.worker = max(self.worker, rss_mb(child))
            time.sleep(0.01)

    def __enter__(self) -> Peak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def runaway_before(store: Path, workdir: Path) -> None:
    print("\nrunaway queries in-process (GBKG_QUERY_ISOLATION=false, time limit 2 s):")
    env = {"GBKG_QUERY_ISOLATION": "false", "GBKG_QUERY_TIMEOUT_S": "2"}
    with service(store, workdir / "before-runaway.log", **env) as server:
        started = time.perf_counter()
        status = server.query(CARTESIAN_COUNT).status_code
        answered = time.perf_counter() - started
        cpu = cpu_s(server.pid)
        time.sleep(3)
        burnt = cpu_s(server.pid) - cpu
        print(
            f"  cartesian COUNT: {status} after {answered:.2f} s; the server then used "
            f"{burnt:.2f} s of CPU in 3 s (its thread runs on)"
        )
    with service(store, workdir / "before-grower.log", **env) as server:
        status = server.query(ORDER_BY_GROWER).status_code
        rss = rss_mb(server.pid)
        time.sleep(3)
        grown = rss_mb(server.pid) - rss
        print(
            f"  ORDER BY grower: {status}; the server's memory then grew {grown:.0f} MB in 3 s "
            f"({grown / 3:.0f} MB/s)"
        )


def deadline_to_stop(store: Path, workdir: Path, rounds: int) -> None:
    print(f"\ndeadline to stop, worker processes (time limit 2 s, {rounds} cartesian COUNTs):")
    log = workdir / "after-runaway.log"
    answer_s = []
    with service(store, log, GBKG_QUERY_TIMEOUT_S="2") as server:
        assert server.query("ASK {}").status_code == 200
        for _ in range(rounds):
            started = time.perf_counter()
            status = server.query(CARTESIAN_COUNT).status_code
            answer_s.append(time.perf_counter() - started)
            assert status == 503, status
            cpu = cpu_s(server.pid)
        time.sleep(1)
        after = cpu_s(server.pid) - cpu
    gone = [
        float(m.group(1))
        for m in re.finditer(r"time limit \(status -9, gone ([0-9.]+) s after\)", log.read_text())
    ]
    print(
        f"  deadline -> worker process reaped: median {statistics.median(gone) * 1000:.1f} ms, "
        f"max {max(gone) * 1000:.1f} ms (server log, {len(gone)} kills)"
    )
    print(
        f"  503 after {statistics.median(answer_s):.3f} s (median; the limit is 2 s); "
        f"server CPU in the second after: {after:.2f} s"
    )


def bombs(store: Path, workdir: Path) -> None:
    print("\nmemory bombs, worker processes (GBKG_QUERY_MEMORY_MB default, time limit 60 s):")
    with service(store, workdir / "after-bombs.log", GBKG_QUERY_TIMEOUT_S="60") as server:
        assert server.query("ASK {}").status_code == 200
        for name, text in (("CONCAT doubling", CONCAT_BOMB), ("ORDER BY grower", ORDER_BY_GROWER)):
            before = rss_mb(server.pid)
            with Peak(server.pid) as peak:
                started = time.perf_counter()
                response = server.query(text)
                elapsed = time.perf_counter() - started
            detail = response.json().get("detail", "")[:60] if response.status_code != 200 else ""
            print(
                f"  {name}: {response.status_code} after {elapsed:.2f} s ({detail}); "
                f"worker peak RSS {peak.worker:.0f} MB; server RSS {before:.0f} -> "
                f"{rss_mb(server.pid):.0f} MB (peak {peak.server:.0f})"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        store = workdir / "store"
        with service(store, workdir / "setup.log"):
            pass  # loads the curated claims once
        copy = workdir / "store-copy"  # each server is its store's only writer
        shutil.copytree(store, copy)
        with (
            service(store, workdir / "threads.log", GBKG_QUERY_ISOLATION="false") as threads,
            service(copy, workdir / "workers.log") as workers,
        ):
            before, after = latency([threads, workers], args.requests)
        print(
            f"small /sparql query (5 rows), {args.requests} requests to each server, "
            "one at a time, alternating:"
        )
        print(f"  in-process threads: p50 {before[0]:.2f} ms, p90 {before[1]:.2f} ms")
        print(f"  worker processes:   p50 {after[0]:.2f} ms, p90 {after[1]:.2f} ms")
        print(f"  ratio (workers / threads, p50): {after[0] / before[0]:.2f}x")
        runaway_before(store, workdir)
        deadline_to_stop(store, workdir, args.rounds)
        bombs(store, workdir)


if __name__ == "__main__":
    main()
