"""Median latency of ``POST /claims`` on the curated store and on a large store.

Each POST is a new claim (JSON), validated (SHACL, incremental) and stored. The
baseline, run in the same process on the same store, is raw pyoxigraph inserting
the same claim's quads (``Store.extend``): the ratio is what parsing, validation
and the HTTP layer cost on top of the bare write.

    python -m bench.post_latency --triples 100000 1000000 --posts 50
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from bench.synthetic import build_store, entity_quads, synthetic_claim
from gbkg.api.app import create_app
from gbkg.kg.record.writer import claim_quads
from gbkg.kg.settings import Settings

TOKEN = "bench-token"


def measure(triples: int, posts: int, workdir: Path) -> dict[str, float]:
    path = workdir / f"store-{triples}"
    store = build_store(str(path), triples, seed=11) if triples else build_store(str(path), 0)
    store.extend(entity_quads(200))
    size = store.triple_count()
    settings = Settings(store=str(path), curator_tokens=f"bench:{TOKEN}")  # type: ignore[arg-type]
    app = create_app(settings, store=store)
    rng = random.Random(99)
    post_ms: list[float] = []
    raw_ms: list[float] = []
    with TestClient(app) as client:
        for k in range(posts):
            claim = synthetic_claim(10_000_000 + k, rng, 200)
            body = claim.model_dump(mode="json", exclude_none=True, exclude={"curator", "created"})
            started = time.perf_counter()
            response = client.post(
                "/claims", json=body, headers={"Authorization": f"Bearer {TOKEN}"}
            )
            post_ms.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 201, response.text
            # baseline: the same kind of claim's quads, inserted raw
            other = synthetic_claim(20_000_000 + k, rng, 200)
            quads = claim_quads(other)
            started = time.perf_counter()
            store.extend(quads)
            raw_ms.append((time.perf_counter() - started) * 1000)
    store.close()
    return {
        "triples": size,
        "post_median_ms": statistics.median(post_ms),
        "post_p90_ms": sorted(post_ms)[int(0.9 * len(post_ms))],
        "raw_extend_median_ms": statistics.median(raw_ms),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--triples", type=int, nargs="+", default=[100_000])
    parser.add_argument("--posts", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for size in (0, *args.triples):
            r = measure(size, args.posts, Path(tmp))
            ratio = r["post_median_ms"] / r["raw_extend_median_ms"]
            print(
                f"store of {r['triples']:>9,} quads: "
                f"POST /claims median {r['post_median_ms']:.1f} ms (p90 {r['post_p90_ms']:.1f}); "
                f"raw pyoxigraph extend {r['raw_extend_median_ms']:.2f} ms; ratio {ratio:.0f}x"
            )


if __name__ == "__main__":
    main()
