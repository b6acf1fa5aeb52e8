"""Timings of the claim graph and of /evidence, /paths, /entities at several store sizes.

    python -m bench.linking_timing --triples 0 100000 1000000

For each size: the build of the claim-graph projection (median of 3), one
``ClaimGraph.update`` of a new claim, and the median latency over HTTP (FastAPI
TestClient, same process) of ``GET /evidence`` for the curated pair
probiotic / depressive disorder and for random synthetic pairs, ``GET /paths``
(max_hops 4) and the entity routes.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from bench.synthetic import build_store, synthetic_claim
from gbkg.api.app import create_app
from gbkg.kg.analytics import ClaimGraph
from gbkg.kg.record.writer import claim_quads
from gbkg.kg.settings import Settings


def _median_ms(run: Callable[[], Any], times: int) -> float:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def measure(triples: int, workdir: Path, repeats: int) -> dict[str, float]:
    path = workdir / f"store-{triples}"
    store = build_store(str(path), triples, seed=11) if triples else build_store(str(path), 0)
    size = store.triple_count()
    builds = []
    graph = None
    for _ in range(3):
        started = time.perf_counter()
        graph = ClaimGraph.from_store(store)
        builds.append((time.perf_counter() - started) * 1000)
    assert graph is not None
    n_entities = max(50, max(1, triples // 60) // 5)
    rng = random.Random(5)
    claim = synthetic_claim(30_000_000, rng, n_entities).model_copy(update={"curator": None})
    # Stored raw (not through validation): only the graph's update is timed.
    store.extend(claim_quads(claim.model_copy(update={"curator": "bench"})))
    added = claim.iri
    started = time.perf_counter()
    graph.update([added])
    update_ms = (time.perf_counter() - started) * 1000

    app = create_app(Settings(store=str(path)), store=store)
    synthetic = [f"gbkg:synthetic-{i}" for i in range(n_entities)] if triples else []
    with TestClient(app) as client:
        started = time.perf_counter()
        client.get("/paths", params={"source": "gbkg:probiotic", "target": "MONDO:0002050"})
        first_ms = (time.perf_counter() - started) * 1000
        pair = {"subject": "gbkg:probiotic", "object": "MONDO:0002050"}
        retracted = {**pair, "include_retracted": "true"}
        result = {
            "triples": size,
            "claims": graph.graph.number_of_edges(),
            "build_ms": statistics.median(builds),
            "update_ms": update_ms,
            "first_request_with_build_ms": first_ms,
            "evidence_curated_ms": _median_ms(
                lambda: client.get("/evidence", params=pair), repeats
            ),
            "evidence_with_retracted_ms": _median_ms(
                lambda: client.get("/evidence", params=retracted), repeats
            ),
            "entity_ms": _median_ms(lambda: client.get("/entities/gbkg:probiotic"), repeats),
            "search_ms": _median_ms(
                lambda: client.get("/entities", params={"q": "lacto"}), repeats
            ),
            "paths_curated_ms": _median_ms(
                lambda: client.get(
                    "/paths", params={"source": "gbkg:probiotic", "target": "MONDO:0002050"}
                ),
                repeats,
            ),
        }
        if synthetic:
            pairs = [rng.sample(synthetic, 2) for _ in range(repeats)]
            it = iter(pairs)
            result["evidence_synthetic_ms"] = _median_ms(
                lambda: client.get(
                    "/evidence", params=dict(zip(("subject", "object"), next(it), strict=True))
                ),
                repeats,
            )
            it = iter(pairs)
            truncated = 0

            def paths() -> None:
                nonlocal truncated
                source, target = next(it)
                body = client.get("/paths", params={"source": source, "target": target}).json()
                truncated += body["truncated"]

            result["paths_synthetic_ms"] = _median_ms(paths, repeats)
            result["paths_truncated"] = truncated
    store.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--triples", type=int, nargs="+", default=[0, 100_000])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for triples in args.triples:
            result = measure(triples, Path(tmp), args.repeats)
            print(
                " ".join(
                    f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}"
                    for k, v in result.items()
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
