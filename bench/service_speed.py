"""The service's read path against the previous release, raw pyoxigraph and ``oxigraph serve``.

One command for the read tables of ``docs/benchmarks.md`` at one store size::

    python -m bench.service_speed --triples 1000000 --before /tmp/gbkg-before
    python -m bench.service_speed --store /tmp/gbkg-1m --before /tmp/gbkg-before --json out.json

- ``--store`` a store built by ``bench/synthetic.py`` (or ``--triples N`` to build one);
  it is copied once per server, so each has its own.
- ``--before`` a checkout of the previous release (``git worktree add DIR COMMIT``),
  run with this virtualenv and ``PYTHONPATH=DIR``: both versions serve copies of the
  same store, started and measured in turn, so they see the same machine load.
- ``oxigraph serve-read-only --union-default-graph`` (PyPI ``oxigraph``, the engine's
  own HTTP server) on a third copy answers the same SPARQL queries; the raw figure is
  ``pyoxigraph.Store.query`` plus ``QuerySolutions.serialize`` (SPARQL results JSON)
  in this process, on that copy opened read-only: what no endpoint can beat.

This process is the client (a separate process from every server): sequential
requests for latencies, then ``--concurrency`` threads on keep-alive connections for
requests per second. Systems are interleaved round by round; each ratio is the median
of the per-round ratios. Start-up is timed from the process start to the first
answer of ``/paths``, and the server's resident memory read from ``/proc`` then.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox

from bench.query_speed import PREFIXES
from bench.query_speed import QUERIES as QUERY_SPEED

HUB = "gbkg:synthetic-0"
SEARCH = "synthetic entity 12"
PATHS = {"source": "gbkg:synthetic-1", "target": "gbkg:synthetic-2", "max_hops": "3"}
QUERIES = {
    "entity join": QUERY_SPEED["entity join"],  # the same query as bench.query_speed
    "hub claims (LIMIT 500)": PREFIXES
    + """SELECT ?claim ?object ?statement WHERE {
  ?claim rdf:subject <https://w3id.org/gbkg/entity/synthetic-0> ;
         rdf:object ?object ; gba:statement ?statement .
} LIMIT 500""",
    "count by finding": PREFIXES
    + """SELECT ?finding (COUNT(?claim) AS ?n) WHERE { ?claim gba:finding ?finding }
GROUP BY ?finding""",
}
JSON_RESULTS = "application/sparql-results+json"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    name: str
    command: list[str]
    env: dict[str, str]
    port: int
    sparql_path: str = "/sparql"
    #: Working directory: ``python -m`` puts it first on ``sys.path``, so the pinned
    #: checkout must be the one a "before" server starts in.
    cwd: str | None = None
    process: subprocess.Popen[bytes] | None = None
    started_s: float | None = None
    log: Path | None = None

    def start(self, ready_path: str, timeout_s: float = 600) -> float:
        """Start, wait until ``ready_path`` answers 200; seconds from the process start."""
        assert self.log is not None
        began = time.perf_counter()
        self.process = subprocess.Popen(
            self.command,
            env=self.env,
            cwd=self.cwd,
            stdout=open(self.log, "ab"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        while time.perf_counter() - began < timeout_s:
            if self.process.poll() is not None:
                sys.exit(f"{self.name} exited: see {self.log}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                conn.request("GET", ready_path)
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status == 200:
                    self.started_s = time.perf_counter() - began
                    return self.started_s
            time.sleep(0.02)
        sys.exit(f"{self.name} did not answer {ready_path} in {timeout_s} s")

    def rss_mb(self) -> float:
        """Resident memory of the server and its children (query workers), MB."""
        assert self.process is not None
        pids = [self.process.pid]
        with contextlib.suppress(OSError):  # workers are started by the server's threads
            for task in Path(f"/proc/{self.process.pid}/task").iterdir():
                pids += [int(p) for p in (task / "children").read_text().split()]
        total = 0
        for pid in pids:
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        return total / 1024

    def cpu_s(self) -> float:
        """CPU seconds the server process used so far (user + system): unlike the wall
        time, barely changed by other work on the machine."""
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def own_rss_mb(self) -> float:
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None


def gbkg_server(name: str, store: Path, port: int, log: Path, pythonpath: str | None) -> Server:
    env = dict(os.environ)
    env.update(
        GBKG_QUERY_CLIENT_LIMIT="8",  # one client (this process) sends 8 at once
        GBKG_QUERY_CLIENT_QUEUE="64",
        GBKG_QUERY_QUEUE="128",
        GBKG_MAX_RESULTS="100000",
    )
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    else:
        env.pop("PYTHONPATH", None)
    command = [
        sys.executable,
        "-m",
        "gbkg.cli",
        "--store",
        str(store),
        "serve",
        "--port",
        str(port),
    ]
    return Server(name, command, env, port, log=log, cwd=pythonpath)


def oxigraph_server(store: Path, port: int, log: Path) -> Server:
    binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    command = [binary, "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{port}"]
    command.append("--union-default-graph")
    return Server("oxigraph serve", command, dict(os.environ), port, "/query", log=log)


def get(conn: http.client.HTTPConnection, path: str, accept: str = "application/json") -> bytes:
    conn.request("GET", path, headers={"Accept": accept})
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {path[:80]}: {response.status} {body[:300]!r}")
    return body


def sparql_path(server: Server, query: str) -> str:
    return f"{server.sparql_path}?{urlencode({'query': query})}"


def latency_ms(server: Server, path: str, n: int, accept: str = "application/json") -> float:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    get(conn, path, accept)  # warm, and a connection kept alive
    times = []
    for _ in range(n):
        began = time.perf_counter()
        get(conn, path, accept)
        times.append((time.perf_counter() - began) * 1000)
    conn.close()
    return statistics.median(times)


def throughput(server: Server, path: str, threads: int, seconds: float, accept: str) -> float:
    """Requests per second with ``threads`` clients, each on its own keep-alive connection."""
    done = [0] * threads
    errors: list[str] = []
    stop = time.perf_counter() + seconds

    def client(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        try:
            while time.perf_counter() < stop:
                get(conn, path, accept)
                done[i] += 1
        except Exception as error:
            errors.append(str(error))
        finally:
            conn.close()

    began = time.perf_counter()
    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if errors:
        raise RuntimeError(f"{server.name}: {errors[0]}")
    return sum(done) / (time.perf_counter() - began)


def raw_ms(store: ox.Store, query: str, n: int) -> tuple[float, int]:
    """``Store.query`` and the results serialized as JSON by Oxigraph: median ms, rows."""

    def once() -> int:
        result = store.query(query, use_default_graph_as_union=True)
        assert isinstance(result, ox.QuerySolutions)
        body = result.serialize(format=ox.QueryResultsFormat.JSON)
        assert body is not None
        return len(json.loads(body)["results"]["bindings"])

    rows = once()
    times = []
    for _ in range(n):
        began = time.perf_counter()
        once()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), rows


@dataclass
class Table:
    rows: dict[str, dict[str, list[float]]] = field(default_factory=dict)

    def add(self, what: str, system: str, value: float) -> None:
        self.rows.setdefault(what, {}).setdefault(system, []).append(value)


def median_ratio(a: list[float], b: list[float]) -> float:
    return statistics.median(x / y for x, y in zip(a, b, strict=False))


def copy_store(source: Path, target: Path) -> None:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("LOCK"))


def run(args: argparse.Namespace, tmp: Path) -> dict[str, object]:
    servers: dict[str, Server] = {}
    try:
        return _run(args, tmp, servers)
    finally:  # a server that did not start in time, or any error: none is left running
        for server in servers.values():
            server.stop()


def _run(args: argparse.Namespace, tmp: Path, servers: dict[str, Server]) -> dict[str, object]:
    source = Path(args.store)
    names = ("this", "before", "oxigraph", *(("threads",) if args.threads else ()))
    stores = {name: tmp / name for name in names}
    for target in stores.values():
        copy_store(source, target)
    # The snapshot of the claim graph is not part of the measured store: the first
    # start of this code makes it (timed as the cold start).
    for leftover in stores["this"].glob("gbkg-claim-graph*"):
        leftover.unlink()
    ports = {name: free_port() for name in stores}
    servers["this"] = gbkg_server("this", stores["this"], ports["this"], tmp / "this.log", None)
    servers["oxigraph"] = oxigraph_server(stores["oxigraph"], ports["oxigraph"], tmp / "ox.log")
    if args.threads:  # what isolating queries in worker processes costs
        servers["threads"] = gbkg_server(
            "this, no isolation", stores["threads"], ports["threads"], tmp / "threads.log", None
        )
        servers["threads"].env["GBKG_QUERY_ISOLATION"] = "false"
    if args.before:
        servers["before"] = gbkg_server(
            "before", stores["before"], ports["before"], tmp / "before.log", args.before
        )
    gbkg = [n for n in ("this", "before") if n in servers]
    paths_query = "/paths?" + urlencode(PATHS)
    results: dict[str, object] = {"store": str(source), "load": os.getloadavg()}

    # Start-up, interleaved: this code (first start cold, then from its snapshot), before.
    startup = Table()
    for round_ in range(args.startups):
        for name in gbkg:
            server = servers[name]
            seconds = server.start(paths_query, args.ready_timeout)
            label = f"{name} (cold)" if name == "this" and round_ == 0 else name
            startup.add("start-up to first /paths (s)", label, seconds)
            startup.add("CPU of the server until then (s)", label, server.cpu_s())
            startup.add("RSS at first /paths, server (MB)", label, server.own_rss_mb())
            startup.add("RSS with query workers (MB)", label, server.rss_mb())
            server.stop()
    results["startup"] = startup.rows
    print(json.dumps(startup.rows, indent=1))
    if args.startup_only:
        return results

    for server in servers.values():
        ready = paths_query if server.name != "oxigraph serve" else sparql_path(server, "ASK {}")
        server.start(ready, args.ready_timeout)
    raw_store = ox.Store.read_only(str(stores["oxigraph"]))
    extra = ["threads"] if args.threads else []
    latency = Table()
    rates = Table()
    hub = f"/entities/{HUB}"
    search = "/entities?" + urlencode({"q": SEARCH})
    endpoints = {"/health": "/health", f"/entities/{HUB}": hub, "/entities?q=": search}
    endpoints["/paths (3 hops)"] = paths_query
    try:
        for _ in range(args.rounds):
            for name in gbkg:
                for what, path in endpoints.items():
                    latency.add(what, name, latency_ms(servers[name], path, args.requests))
            for what, query in QUERIES.items():
                raw, rows = raw_ms(raw_store, query, args.requests)
                latency.add(f"/sparql {what} [{rows} rows]", "raw pyoxigraph", raw)
                for name in [*gbkg, *extra, "oxigraph"]:
                    path = sparql_path(servers[name], query)
                    latency.add(
                        f"/sparql {what} [{rows} rows]",
                        name,
                        latency_ms(servers[name], path, args.requests, JSON_RESULTS),
                    )
            for name in [*gbkg, *extra, "oxigraph"]:
                query = QUERIES["entity join"]
                path = sparql_path(servers[name], query)
                rates.add(
                    f"/sparql entity join, {args.concurrency} clients (req/s)",
                    name,
                    throughput(servers[name], path, args.concurrency, args.seconds, JSON_RESULTS),
                )
                rates.add(
                    "/sparql entity join, 1 client (req/s)",
                    name,
                    throughput(servers[name], path, 1, args.seconds, JSON_RESULTS),
                )
            for name in gbkg:
                rates.add(
                    f"/entities/{HUB}, {args.concurrency} clients (req/s)",
                    name,
                    throughput(
                        servers[name], hub, args.concurrency, args.seconds, "application/json"
                    ),
                )
        results["rss_after_mb"] = {n: servers[n].rss_mb() for n in gbkg}
    finally:
        for server in servers.values():
            server.stop()
    results["latency_ms"] = latency.rows
    results["rates"] = rates.rows
    return results


def report(results: dict[str, object]) -> None:
    """The tables, with medians and median per-round ratios."""

    def show(title: str, rows: dict[str, dict[str, list[float]]], base: str, unit: str) -> None:
        systems = sorted({s for r in rows.values() for s in r}, key=ORDER.index)
        print(f"\n{title}")
        print("| what | " + " | ".join(systems) + f" | this / {base} | this / before |")
        print("|---" * (len(systems) + 3) + "|")
        for what, found in rows.items():
            cells = [
                f"{statistics.median(found[s]):.2f}{unit}" if s in found else "" for s in systems
            ]
            this = found.get("this") or found.get("this (cold)")
            ratio_base = f"{median_ratio(this, found[base]):.2f}x" if this and base in found else ""
            ratio_before = (
                f"{median_ratio(this, found['before']):.2f}x" if this and "before" in found else ""
            )
            print(f"| {what} | " + " | ".join(cells) + f" | {ratio_base} | {ratio_before} |")

    show("Start-up", results["startup"], "before", "")  # type: ignore[arg-type]
    if "latency_ms" not in results:
        return
    show("Latency, median (ms)", results["latency_ms"], "raw pyoxigraph", "")  # type: ignore[arg-type]
    show("Requests per second", results["rates"], "oxigraph", "")  # type: ignore[arg-type]
    print(f"\nRSS after the run (MB, with query workers): {results.get('rss_after_mb')}")
    print(f"load average at start: {results['load']}")


ORDER = ["raw pyoxigraph", "oxigraph", "this (cold)", "this", "threads", "before"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--store", help="a store made by bench/synthetic.py")
    where.add_argument("--triples", type=int, help="build a synthetic store of this size")
    parser.add_argument("--before", help="checkout of the previous release (PYTHONPATH)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=20, help="per latency figure")
    parser.add_argument("--startups", type=int, default=2, help="start-ups per version")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=3.0, help="per throughput figure")
    parser.add_argument(
        "--threads",
        action="store_true",
        help="also this code with GBKG_QUERY_ISOLATION=false (/sparql in threads)",
    )
    parser.add_argument("--startup-only", action="store_true", help="only the start-up table")
    parser.add_argument(
        "--ready-timeout", type=float, default=600, help="seconds a server has to start"
    )
    parser.add_argument("--json", help="write the raw results here")
    parser.add_argument("--tmp", help="where the store copies go (default: the system's)")
    args = parser.parse_args(argv)
    # SIGTERM ends the run through the `finally` that stops every server it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped (SIGTERM)"))
    with tempfile.TemporaryDirectory(dir=args.tmp) as name:
        tmp = Path(name)
        if args.triples:
            from bench.synthetic import build_store

            build_store(str(tmp / "built"), args.triples).close()
            args.store = str(tmp / "built")
        results = run(args, tmp)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    report(results)


if __name__ == "__main__":
    main()
