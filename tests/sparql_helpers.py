"""Helpers of the ``/sparql`` tests: apps on temporary stores, a loopback listener, a server.

Nothing here touches the network: the listener and the server are bound to
127.0.0.1, and every wait has a timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
from fastapi import FastAPI
from shared_folder import shared_dir

from gbkg.api.app import create_app
from gbkg.kg.query_pool import Task, WorkerPool
from gbkg.kg.settings import Settings
from gbkg.kg.sparql import QueryJob, QueryOutput
from gbkg.kg.store import OxigraphStore

REPO = Path(__file__).resolve().parent.parent


def protocol_dir() -> Path:
    return shared_dir() / "conformance" / "sparql-protocol"


def load_cases() -> dict[str, Any] | None:
    path = protocol_dir() / "cases.json"
    if not path.is_file():
        return None
    cases: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return cases


W3C_DATA = "http://kasei.us/2009/09/sparql/data/"


def w3c_quads() -> list[ox.Quad]:
    """The W3C protocol data files, each in the named graph the tests expect."""
    quads = []
    for n in (1, 2, 3):
        graph = ox.NamedNode(f"{W3C_DATA}data{n}.rdf")
        path = protocol_dir() / f"data{n}.nt"
        if path.is_file():
            data = path.read_bytes()
        else:  # the same one triple each file holds
            data = (
                f"<{graph.value}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                "<http://xmlns.com/foaf/0.1/Document> .\n"
            ).encode()
        quads += [
            ox.Quad(t.subject, t.predicate, t.object, graph)
            for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)
        ]
    return quads


NUMBERS_GRAPH = ox.NamedNode("http://example.org/numbers")
VALUE = ox.NamedNode("http://example.org/value")


def numbers(n: int) -> list[ox.Quad]:
    """``n`` resources with an integer value each: cross products of them are slow."""
    return [
        ox.Quad(ox.NamedNode(f"http://example.org/n{i}"), VALUE, ox.Literal(i), NUMBERS_GRAPH)
        for i in range(n)
    ]


def build_app(
    path: Path, quads: list[ox.Quad] | None = None, **settings: Any
) -> tuple[FastAPI, OxigraphStore]:
    """An app on a fresh on-disk store at ``path`` holding ``quads`` (plus the ontology
    when ``quads`` is empty). The caller closes the store."""
    store = OxigraphStore(path)
    if quads:
        store.extend(quads)
    settings.setdefault("load_curated", False)
    app = create_app(Settings(store=str(path), **settings), store=store)
    return app, store


def quad_set(store: OxigraphStore) -> set[ox.Quad]:
    return set(store.quads())


class LoopbackListener:
    """A TCP listener on 127.0.0.1 that records every connection made to it."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.socket.settimeout(0.05)
        self.port: int = self.socket.getsockname()[1]
        self.connections: list[tuple[str, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, address = self.socket.accept()
            except (TimeoutError, OSError):
                continue
            self.connections.append(address)
            connection.close()

    def seen_so_far(self, within_s: float = 10.0) -> list[tuple[str, int]]:
        """The connections made to the listener before this call, known for certain.

        A connection completed before the call is already in the kernel's accept
        queue; this makes one more (a marker) and waits until the listener has
        accepted it: the queue is first in, first out, so everything before the
        marker has been recorded by then. The marker itself is not kept.
        """
        with socket.create_connection(("127.0.0.1", self.port), timeout=within_s) as marker:
            address = marker.getsockname()
            if not eventually(lambda: address in self.connections, within_s):
                raise AssertionError(f"the listener did not accept a connection in {within_s} s")
        before = self.connections[: self.connections.index(address)]
        self.connections.remove(address)
        return before

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.socket.close()


def trap_failure(trap: LoopbackListener) -> str | None:
    """What to report when a listener that must receive nothing was reached, or None."""
    if not trap.connections:
        return None
    return (
        f"the network trap ({trap.base}) received {len(trap.connections)} connection(s): "
        "something the suite sent made the service open a connection"
    )


@contextlib.contextmanager
def loopback_listener() -> Iterator[LoopbackListener]:
    listener = LoopbackListener()
    try:
        yield listener
    finally:
        listener.close()


def eventually(condition: Callable[[], bool], within_s: float = 5.0) -> bool:
    """Whether ``condition()`` becomes true within ``within_s`` (polled, not timed)."""
    end = time.monotonic() + within_s
    while not condition():
        if time.monotonic() >= end:
            return False
        time.sleep(0.01)
    return True


def pid_gone(pid: int, within_s: float = 5.0) -> bool:
    """Whether process ``pid`` is gone (exited and reaped) within ``within_s``."""
    return eventually(lambda: not Path(f"/proc/{pid}").exists(), within_s)


def worker_pids(parent: int) -> set[int]:
    """The query worker processes (``gbkg.kg.query_worker``) whose parent is ``parent``."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == parent and b"gbkg.kg.query_worker" in command:
            found.add(int(entry.name))
    return found


def run_on_pool(pool: WorkerPool, job: QueryJob, timeout_s: float = 10.0) -> QueryOutput:
    """``job`` straight to a worker of ``pool``: no admission, none of the server's checks."""
    assert eventually(lambda: pool.idle > 0)  # the last task's worker is back

    async def go() -> QueryOutput:
        loop = asyncio.get_running_loop()
        task = Task(job, time.monotonic() + timeout_s, loop, loop.create_future())
        pool.dispatch(task)
        return await task.future

    return asyncio.run(go())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """``gbkg serve`` (the command a user runs) in a subprocess on a loopback port."""

    def __init__(self, store_path: Path, log_path: Path, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environment = {
            **os.environ,
            "GBKG_STORE": str(store_path),
            "GBKG_LOAD_CURATED": "false",
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        self.log = log_path.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "gbkg.cli", "serve",
                "--host", "127.0.0.1", "--port", str(self.port),
            ],
            cwd=REPO,
            env=environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.log_path = log_path

    def wait_ready(self, timeout: float = 30.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the server exited with {self.process.returncode}: "
                    + self.log_path.read_text(errors="replace")[-2000:]
                )
            try:
                if httpx.get(self.url + "/health", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the server did not answer /health within {timeout} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()
