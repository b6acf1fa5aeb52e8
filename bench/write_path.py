"""``POST /claims`` before and after the write path without round trips, in one run.

Two real servers (``gbkg serve``) on two copies of one store of ~100k triples: this
checkout's code, and the code of the commit the work started from (a pinned worktree
with its own virtualenv, ``--before``). Fresh synthetic claims (``bench/synthetic.py``)
are posted alternately to each, so both see the same machine load; the report gives
the median (p50) and p90 latency of each.

Then one claim is added in-process with each version's ``ClaimService`` on a store
that counts what it is asked (``--counts``): store reads, hashes of the claim's IRI,
and conversions between rdflib and pyoxigraph.

    git worktree add /tmp/gbkg-before f206df2
    (cd /tmp/gbkg-before && python3 -m venv .venv && .venv/bin/pip install -e .)
    python -m bench.write_path --before /tmp/gbkg-before --triples 100000 --posts 100
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.synthetic import build_store, entity_quads, synthetic_claim

TOKEN = "bench-token"
N_ENTITIES = 200

#: Run with each version's Python: one claim added through a store that counts.
COUNTING = r"""
import collections, json, sys
import gbkg.kg.store as store_module
from gbkg.kg.curation import ClaimService
try:
    from gbkg.kg.record.form import parse_claim
except ImportError:
    from gbkg.kg.curation import parse_claim

counts = collections.Counter()

class Counting(store_module.OxigraphStore):
    def quads(self, *a, **k):
        counts["store read: quads(graph)"] += 1
        return super().quads(*a, **k)
    def quads_about(self, *a, **k):
        counts["store read: quads_about"] += 1
        return super().quads_about(*a, **k)
    def subjects_with(self, *a, **k):
        counts["store read: subjects_with"] += 1
        return super().subjects_with(*a, **k)
    def contains_graph(self, *a, **k):
        counts["store read: contains_graph"] += 1
        return super().contains_graph(*a, **k)

def counted(name, function):
    def wrapper(*a, **k):
        counts[name] += 1
        return function(*a, **k)
    return wrapper

for module in [m for n, m in sys.modules.items() if n.startswith("gbkg.")]:
    for attr, name in (("digest", "sha256 of the claim or a source"),
                       ("quads_dataset", "pyoxigraph -> rdflib (a whole claim)"),
                       ("dataset_quads", "rdflib -> pyoxigraph (a whole claim)"),
                       ("to_ox", "rdflib -> pyoxigraph (one term)"),
                       ("from_ox", "pyoxigraph -> rdflib (one term)")):
        if hasattr(module, attr) and callable(getattr(module, attr)):
            setattr(module, attr, counted(name, getattr(module, attr)))

store = Counting(sys.argv[1])
service = ClaimService(store)
warm, claim = json.loads(sys.stdin.read())
service.add(parse_claim(warm), curator="bench")
counts.clear()
service.add(parse_claim(claim), curator="bench")
print(json.dumps(dict(sorted(counts.items()))))
store.close()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``gbkg serve`` of one version on its own copy of the store."""

    def __init__(self, name: str, gbkg: str, store: Path) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "GBKG_CURATOR_TOKENS": f"bench:{TOKEN}", "GBKG_LOAD_CURATED": "1"}
        self.log = open(store.parent / f"{name}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [gbkg, "--store", str(store), "serve", "--port", str(self.port)],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.5)
        self.stop()
        sys.exit(f"{name}: the server did not start (see {self.log.name})")

    def post(self, client: httpx.Client, body: dict[str, object]) -> float:
        started = time.perf_counter()
        response = client.post(
            self.url + "/claims", json=body, headers={"Authorization": f"Bearer {TOKEN}"}
        )
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 201:
            sys.exit(f"{self.name}: {response.status_code} {response.text[:500]}")
        return elapsed

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def claim_body(i: int, rng: random.Random) -> dict[str, object]:
    return synthetic_claim(i, rng, N_ENTITIES).model_dump(
        mode="json", exclude_none=True, exclude={"curator", "created", "status"}
    )


def counts(python: str, store: Path, cwd: Path) -> dict[str, int]:
    rng = random.Random(1234)
    bodies = [claim_body(50_000_000 + k, rng) for k in range(2)]
    done = subprocess.run(
        [python, "-c", COUNTING, str(store)],
        input=json.dumps(bodies),
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"counting failed: {done.stderr[-3000:]}")
    result: dict[str, int] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", type=Path, required=True, help="checkout of the old code")
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=100, help="posts to each server")
    args = parser.parse_args()
    after_bin = Path(sys.executable).parent
    before_bin = args.before / ".venv" / "bin"
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        store = build_store(str(base), args.triples, seed=11)
        store.extend(entity_quads(N_ENTITIES))
        size = store.triple_count()
        store.close()
        copies = {name: Path(tmp) / name for name in ("before", "after", "count-b", "count-a")}
        for path in copies.values():
            shutil.copytree(base, path)
        print(f"store: {size:,} quads")
        print("store reads and conversions for one POST /claims (in-process ClaimService.add):")
        for name, python, copy, cwd in (
            ("before", before_bin / "python", copies["count-b"], args.before),
            ("after", after_bin / "python", copies["count-a"], Path.cwd()),
        ):
            print(f"  {name}: {json.dumps(counts(str(python), copy, cwd))}")
        servers = [
            Server("before", str(before_bin / "gbkg"), copies["before"]),
            Server("after", str(after_bin / "gbkg"), copies["after"]),
        ]
        rng = random.Random(99)
        timings: dict[str, list[float]] = {s.name: [] for s in servers}
        try:
            with httpx.Client(timeout=60) as client:
                for server in servers:  # warm-up
                    server.post(client, claim_body(9_000_000, random.Random(server.port)))
                for k in range(args.posts):
                    body = claim_body(10_000_000 + k, rng)
                    order = servers if k % 2 == 0 else servers[::-1]
                    for server in order:
                        timings[server.name].append(server.post(client, body))
        finally:
            for server in servers:
                server.stop()
        for name, values in timings.items():
            values.sort()
            print(
                f"POST /claims {name:>6}: p50 {statistics.median(values):6.1f} ms, "
                f"p90 {values[int(0.9 * len(values))]:6.1f} ms ({len(values)} posts)"
            )


if __name__ == "__main__":
    main()
