"""Each store backend on the same synthetic data: bulk load, start-up, and the requests.

For the embedded store, ``oxigraph serve`` (started here on loopback) and Virtuoso
(``GBKG_TEST_VIRTUOSO_URL`` etc., as ``.ci/start-virtuoso`` prints them), on the same
~``--triples`` synthetic triples (plus the ontology and the curated claims):

- **load**: the time to bulk-load them through ``Backend.extend`` (embedded: Oxigraph
  transactions; oxigraph serve: one Graph Store Protocol POST of N-Quads; Virtuoso:
  ``INSERT DATA`` operations of 1,000 quads over HTTP), once per backend;
- **startup**: ``create_app`` on the loaded store until the first ``GET /paths``
  answers (the claim graph is read from the store), once per round, in an app
  started and stopped for it;
- the median, per round, of ``POST /claims`` (a new claim, validated), the
  ``claims-about`` named query through ``/sparql``, ``GET /evidence`` and
  ``GET /paths`` (in-process app, real store, real server), on one app per backend
  that stays up (its query workers started before the first round).

The machine is shared, so the backends are **interleaved**: every round measures each
backend in turn (the order rotating), and the result is the median over rounds of
each remote backend's ratio to the embedded store in the same round, beside the plain
medians. The load average is printed before and after.

    python -m bench.remote_backends --triples 100000 --rounds 7

``--staleness N`` measures instead how stale one process's claim graph is: two
``gbkg serve`` processes on each remote store (the default ``GBKG_CHANGE_POLL_S``
unless ``--poll-s``), a claim posted to the first ``N`` times at random moments, and
the time from its ``201`` until the second process's ``/paths`` (answered from its
claim graph alone) finds it (read every 20 ms).

    python -m bench.remote_backends --staleness 12

``--clients N`` compares the two ways the issue offered to talk to the server, on
``oxigraph serve`` holding the curated claims, ``N`` times each, interleaved: this
project's httpx client (:class:`kg.sparql_protocol_client.ProtocolClient`) and rdflib's
``SPARQLUpdateStore``, for the ``claims-about`` query read into rows and for one
claim's ``INSERT DATA``.

    python -m bench.remote_backends --clients 30
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from bench.synthetic import claim_quads, synthetic_claim, triples_per_claim
from gbkg.api.app import create_app
from gbkg.kg.bootstrap import ensure_loaded
from gbkg.kg.queries import QueryCatalog
from gbkg.kg.settings import Settings
from gbkg.kg.store import Backend, OxigraphStore

# The test helpers import each other as top-level modules (pytest puts tests/ on the
# path); so does this benchmark, which starts its servers with them.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from tests.backends.servers import OxigraphServer, virtuoso_server, wipe

TOKEN = "bench-token"
REQUESTS = ("POST /claims", "/sparql claims-about", "/evidence", "/paths")


@dataclass
class System:
    name: str
    store: Backend
    settings: Callable[..., Settings]
    load_s: float = 0.0
    #: rows of the claims-about answer (the same on every backend, or the times mislead)
    rows: int = 0
    client: TestClient | None = None
    #: measurement -> one median per round (ms)
    rounds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def start(system: System, paths: dict[str, str]) -> tuple[TestClient, float]:
    """A new app on the system's store, running; and the seconds until its first
    ``GET /paths`` answered (the claim graph read from the store)."""
    started = time.perf_counter()
    # A generous query limit: the machine is shared, and a 503 would end the run.
    settings = system.settings(curator_tokens=f"bench:{TOKEN}", query_timeout_s=120)
    app = create_app(settings, store=system.store)
    client = TestClient(app)
    client.__enter__()
    response = client.get("/paths", params=paths)
    assert response.status_code == 200, response.text
    return client, time.perf_counter() - started


def timed(call: Callable[[], Any], check: Callable[[Any], bool]) -> float:
    t = time.perf_counter()
    response = call()
    elapsed = (time.perf_counter() - t) * 1000
    assert check(response), response.text
    return elapsed


def run_round(
    system: System, bodies: list[dict[str, Any]], query: str, pair: dict[str, str]
) -> None:
    client = system.client
    assert client is not None
    times: dict[str, list[float]] = defaultdict(list)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    ok = lambda r: r.status_code in (200, 201)  # noqa: E731
    for body in bodies:
        times["POST /claims"].append(
            timed(lambda b=body: client.post("/claims", json=b, headers=auth), ok)
        )
        times["/sparql claims-about"].append(
            timed(lambda: client.post("/sparql", data={"query": query}), ok)
        )
        times["/evidence"].append(
            timed(
                lambda: client.get("/evidence", params={"subject": pair["source"],
                                                        "object": pair["target"]}),
                ok,
            )
        )  # fmt: skip
        times["/paths"].append(timed(lambda: client.get("/paths", params=pair), ok))
    for key, values in times.items():
        system.rounds[key].append(statistics.median(values))
    answer = client.post("/sparql", data={"query": query}).json()
    system.rows = len(answer["results"]["bindings"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--per-round", type=int, default=5, help="requests of each kind")
    parser.add_argument("--staleness", type=int, default=0, help="writes (see above)")
    parser.add_argument("--poll-s", type=float, default=None, help="GBKG_CHANGE_POLL_S")
    parser.add_argument("--clients", type=int, default=0, help="runs (see above)")
    args = parser.parse_args()
    if args.clients:
        clients(args.clients)
        return
    if args.staleness:
        staleness(args.staleness, args.poll_s)
        return

    print(f"load average at start: {load_average()}", flush=True)
    n_claims = max(1, round(args.triples / triples_per_claim()))
    n_entities = max(50, n_claims // 5)  # as claim_quads makes them
    quads = claim_quads(n_claims, seed=5, n_entities=n_entities)
    first = next(q for q in quads if q.predicate.value.endswith("#subject"))
    entity = first.object
    pair = {
        "source": next(q for q in quads if q.predicate.value.endswith("#subject")).object.value,
        "target": next(q for q in quads if q.predicate.value.endswith("#object")).object.value,
    }
    text = QueryCatalog().get("claims-about").text
    query = text.replace("WHERE {", f"WHERE {{ VALUES ?entity {{ {entity} }}", 1)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "embedded"
        systems: list[System] = [
            System("embedded", OxigraphStore(path),
                   lambda **kw: Settings(store=str(path), load_curated=True, **kw)),
        ]  # fmt: skip
        # --timeout-s is server-wide: it must let the claim graph's build read every
        # claim (docs/deploy.md); the tests' 3 s does not at 1M triples.
        server = OxigraphServer(Path(tmp), timeout_s=600)
        remotes = [server.server]
        virtuoso = virtuoso_server()
        if virtuoso is not None:
            remotes.append(virtuoso)
        for remote in remotes:
            store = remote.open()
            wipe(store, timeout_s=1800)
            systems.append(
                System(f"{remote.kind} server", store,
                       lambda r=remote, **kw: r.settings(load_curated=True, **kw)),
            )  # fmt: skip
        try:
            for system in systems:
                ensure_loaded(system.store)
                before = load_average()
                started = time.perf_counter()
                system.store.extend(quads)
                system.load_s = time.perf_counter() - started
                print(
                    f"{system.name:16} loaded {len(quads):,} quads in {system.load_s:7.1f} s "
                    f"(load average {before} -> {load_average()})",
                    flush=True,
                )
            rng = random.Random(3)
            for k in range(args.rounds):
                bodies = [
                    synthetic_claim(30_000_000 + k * 100 + i, rng, n_entities).model_dump(
                        mode="json", exclude_none=True, exclude={"curator", "created"}
                    )
                    for i in range(args.per_round)
                ]
                order = systems[k % len(systems) :] + systems[: k % len(systems)]
                for system in order:
                    # a second app beside the one measured below, stopped at once
                    fresh, seconds = start(system, pair)
                    fresh.__exit__(None, None, None)
                    system.rounds["startup"].append(seconds * 1000)
                    if system.client is None:
                        system.client, _ = start(system, pair)
                        client = system.client
                        client.post("/sparql", data={"query": query})  # query workers up
                    run_round(system, bodies, query, pair)
                print(f"round {k + 1}/{args.rounds} (load average {load_average()})", flush=True)
            report(systems, len(quads))
        finally:
            for system in systems:
                if system.client is not None:
                    system.client.__exit__(None, None, None)
                if system.name.startswith("virtuoso"):  # oxigraph's goes with its directory
                    wipe(system.store, timeout_s=1800)  # type: ignore[arg-type]
                system.store.close()
            server.stop()
    print(f"load average at end: {load_average()}", flush=True)


def staleness(trials: int, poll_s: float | None) -> None:
    import httpx

    from tests.conftest import CURATOR_TOKEN
    from tests.linking_support import claim_data
    from tests.sparql_helpers import Server

    auth = {"Authorization": f"Bearer {CURATOR_TOKEN}"}
    rng = random.Random(11)

    def found(server: Server, taxon: str) -> bool:
        """Whether ``server``'s claim graph has a path from ``taxon``: /paths answers
        from the claim graph alone (reads such as /claims, /evidence see a write at once)."""
        response = httpx.get(
            server.url + "/paths",
            params={"source": taxon, "target": "MONDO:0002050", "max_hops": 1},
            timeout=30,
        )
        return response.status_code == 200 and response.json()["count"] > 0

    with tempfile.TemporaryDirectory() as tmp:
        server = OxigraphServer(Path(tmp))
        remotes = [server.server]
        virtuoso = virtuoso_server()
        if virtuoso is not None:
            remotes.append(virtuoso)
        try:
            for remote in remotes:
                store = remote.open()
                wipe(store)
                ensure_loaded(store, curated=True)
                store.close()
                env = {**remote.env, "GBKG_CURATOR_TOKENS": f"alice:{CURATOR_TOKEN}"}
                if poll_s is not None:
                    env["GBKG_CHANGE_POLL_S"] = str(poll_s)
                a, b = (
                    Server(remote.url, Path(tmp) / f"{remote.kind}-{i}.log", **env)  # type: ignore[arg-type]
                    for i in range(2)
                )
                try:
                    a.wait_ready(60)
                    b.wait_ready(60)
                    seen = []
                    for k in range(trials):
                        # a new taxon (test data, described in the claim) per write
                        taxon = f"NCBITaxon:29{rng.randrange(10**8):08d}"
                        entity = {
                            "id": taxon,
                            "label": f"bench taxon {k}",
                            "type": "gba:MicrobialTaxon",
                        }
                        assert not found(b, taxon)
                        time.sleep(rng.uniform(0, 2.5))
                        body = claim_data(taxon, "gba:improves", "MONDO:0002050", entities=[entity])
                        r = httpx.post(a.url + "/claims", json=body, headers=auth, timeout=60)
                        assert r.status_code == 201, r.text
                        written = time.perf_counter()
                        while not found(b, taxon):
                            if time.perf_counter() - written > 60:
                                raise RuntimeError("process B never saw the write")
                            time.sleep(0.02)
                        seen.append(time.perf_counter() - written)
                    print(
                        f"{remote.kind:9} poll {poll_s or 'default'} s: write through A seen in "
                        f"B's /paths after median {statistics.median(seen):.2f} s, "
                        f"max {max(seen):.2f} s over {trials} writes "
                        f"(load average {load_average()})",
                        flush=True,
                    )
                finally:
                    a.stop()
                    b.stop()
                    wiper = remote.open()
                    wipe(wiper)
                    wiper.close()
        finally:
            server.stop()


def clients(runs: int) -> None:
    import rdflib
    from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore

    from gbkg.kg.record.writer import claim_quads
    from gbkg.kg.remote_store import _data
    from tests.linking_support import make_claim

    with tempfile.TemporaryDirectory() as tmp:
        server = OxigraphServer(Path(tmp))
        try:
            store = server.server.open()
            ensure_loaded(store, curated=True)
            endpoint = store.endpoint
            rdf = SPARQLUpdateStore(
                endpoint.query_url,
                endpoint.update_url,
                returnFormat="json",
                params={"union-default-graph": ""},  # as ProtocolClient asks oxigraph serve
            )
            dataset = rdflib.Dataset(store=rdf, default_union=True)
            text = (
                QueryCatalog()
                .get("claims-about")
                .text.replace(
                    "WHERE {",
                    "WHERE { VALUES ?entity { <https://w3id.org/gbkg/entity/probiotic> }",
                    1,
                )
            )
            times: dict[str, list[float]] = defaultdict(list)
            rows = {}
            for k in range(runs):
                order = ("httpx", "rdflib") if k % 2 else ("rdflib", "httpx")
                for name in order:
                    t = time.perf_counter()
                    if name == "httpx":
                        found = [tuple(r) for r in store.client.solutions(text)]  # type: ignore[union-attr]
                    else:
                        found = [tuple(r) for r in dataset.query(text)]
                    times[f"{name} claims-about"].append((time.perf_counter() - t) * 1000)
                    rows[name] = len(found)
                for name in order:
                    note = f"{name} {k}"
                    claim = make_claim("gbkg:probiotic", "gba:improves", "MONDO:0002050", note=note)
                    insert = f"INSERT DATA {{ {_data(claim_quads(claim))} }}"
                    t = time.perf_counter()
                    if name == "httpx":
                        store.client.update(insert)
                    else:
                        rdf.update(insert)
                    times[f"{name} INSERT DATA"].append((time.perf_counter() - t) * 1000)
            for what in ("claims-about", "INSERT DATA"):
                ours, theirs = times[f"httpx {what}"], times[f"rdflib {what}"]
                ratio = statistics.median(b / a for a, b in zip(ours, theirs, strict=True))
                print(
                    f"{what:13} httpx median {statistics.median(ours):6.1f} ms, rdflib "
                    f"SPARQLUpdateStore {statistics.median(theirs):6.1f} ms (×{ratio:.2f}); "
                    f"rows {rows} (load average {load_average()})",
                    flush=True,
                )
            store.close()
        finally:
            server.stop()


def report(systems: list[System], n_quads: int) -> None:
    base = systems[0]
    keys = ["startup", *REQUESTS]
    print(f"\n{n_quads:,} synthetic quads; medians (ms) and median per-round ratio to embedded")
    print("claims-about rows: " + ", ".join(f"{s.name} {s.rows}" for s in systems))
    print(f"| backend | load (s) | {' | '.join(keys)} |")
    print(f"|---|---:|{'---:|' * len(keys)}")
    for system in systems:
        cells = []
        for key in keys:
            median = statistics.median(system.rounds[key])
            if system is base:
                cells.append(f"{median:,.1f}")
            else:
                ratios = [a / b for a, b in zip(system.rounds[key], base.rounds[key], strict=True)]
                cells.append(f"{median:,.1f} (×{statistics.median(ratios):.2f})")
        print(f"| {system.name} | {system.load_s:,.1f} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
