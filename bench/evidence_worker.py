"""One version's side of :mod:`bench.evidence_speed`: p50 of /evidence and /paths.

Run as a script with ``PYTHONPATH`` at a version's tree, so ``import gbkg`` is that
version's code; it uses only what every version has (``create_app``, ``Settings``,
the HTTP routes). Reads the pairs to ask from a JSON file; prints one JSON line.

    PYTHONPATH=/tmp/main python bench/evidence_worker.py STORE PAIRS.json REPEATS
"""

from __future__ import annotations

import json
import statistics
import sys
import time


def main() -> None:
    store, pairs_file, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
    from fastapi.testclient import TestClient

    import gbkg
    from gbkg.api.app import create_app
    from gbkg.kg.settings import Settings

    with open(pairs_file, encoding="utf-8") as f:
        pairs = json.load(f)
    out: dict[str, object] = {"code": gbkg.__file__}
    with TestClient(create_app(Settings(store=store, load_curated=False))) as client:
        started = time.perf_counter()
        client.get("/evidence", params={"subject": "gbkg:probiotic", "object": "MONDO:0002050"})
        out["first_request_ms"] = (time.perf_counter() - started) * 1000
        for route, a, b in (("/evidence", "subject", "object"), ("/paths", "source", "target")):
            for kind in ("curated", "synthetic"):
                chosen = pairs[kind]
                samples = []
                for i in range(repeats):
                    s, o = chosen[i % len(chosen)]
                    t = time.perf_counter()
                    response = client.get(route, params={a: s, b: o})
                    samples.append((time.perf_counter() - t) * 1000)
                    assert response.status_code == 200, response.text
                out[f"{route[1:]}_{kind}_p50_ms"] = statistics.median(samples)
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
