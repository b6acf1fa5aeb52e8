"""Each store backend on the same synthetic data: bulk load, POST /claims, claims-about.

For the embedded store, ``oxigraph serve`` (started here on loopback) and Virtuoso
(``GBKG_TEST_VIRTUOSO_URL`` etc., as ``.ci/start-virtuoso`` prints them): the time to
bulk-load ~``--triples`` synthetic triples through ``Backend.extend`` (embedded:
Oxigraph transactions; oxigraph serve: one Graph Store Protocol POST of N-Quads;
Virtuoso: ``INSERT DATA`` operations of 1,000 quads over HTTP), then the median of
``POST /claims`` and of the ``claims-about`` named query through ``/sparql``
(in-process app, real store).

    python -m bench.remote_backends --triples 1000000 --runs 20
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from bench.synthetic import claim_quads, synthetic_claim, triples_per_claim
from gbkg.api.app import create_app
from gbkg.kg.bootstrap import ensure_loaded
from gbkg.kg.queries import QueryCatalog
from gbkg.kg.store import Backend, OxigraphStore
from tests.backends.servers import OxigraphServer, TriplestoreServer, virtuoso_server, wipe

TOKEN = "bench-token"


def measure(name: str, store: Backend, settings_for: object, triples: int, runs: int) -> None:
    ensure_loaded(store)
    n_claims = max(1, round(triples / triples_per_claim()))
    quads = claim_quads(n_claims, seed=5)
    started = time.perf_counter()
    store.extend(quads)
    load_s = time.perf_counter() - started
    entity = next(q.object for q in quads if q.predicate.value.endswith("#subject"))
    text = QueryCatalog().get("claims-about").text
    query = text.replace("WHERE {", f"WHERE {{ VALUES ?entity {{ {entity} }}", 1)
    settings = settings_for(curator_tokens=f"bench:{TOKEN}")  # type: ignore[operator]
    app = create_app(settings, store=store)
    rng = random.Random(3)
    post_ms, query_ms = [], []
    with TestClient(app) as client:
        for k in range(runs):
            claim = synthetic_claim(30_000_000 + k, rng, 200)
            body = claim.model_dump(mode="json", exclude_none=True, exclude={"curator", "created"})
            t = time.perf_counter()
            r = client.post("/claims", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
            post_ms.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 201, r.text
            t = time.perf_counter()
            r = client.post("/sparql", data={"query": query})
            query_ms.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200, r.text
    rows = len(r.json()["results"]["bindings"])
    print(
        f"{name:16} {len(quads):>9,} quads loaded in {load_s:6.1f} s; "
        f"POST /claims median {statistics.median(post_ms):6.1f} ms; "
        f"claims-about via /sparql median {statistics.median(query_ms):6.1f} ms ({rows} rows)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    from gbkg.kg.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "embedded"
        embedded = OxigraphStore(path)
        measure("embedded", embedded,
                lambda **kw: Settings(store=str(path), **kw), args.triples, args.runs)  # fmt: skip
        embedded.close()
        server = OxigraphServer(Path(tmp))
        remotes: list[TriplestoreServer] = [server.server]
        virtuoso = virtuoso_server()
        if virtuoso is not None:
            remotes.append(virtuoso)
        try:
            for remote in remotes:
                store = remote.open()
                wipe(store)
                measure(f"{remote.kind} (remote)", store, remote.settings, args.triples, args.runs)
                wipe(store)
                store.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main()
