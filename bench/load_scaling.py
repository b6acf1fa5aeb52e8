"""``gbkg load`` of N synthetic JSON claims: does the time grow linearly with N?

Each run makes a fresh store (the ontology, the known entities and the synthetic
entities the claims name), writes N claims (``bench/synthetic.py``: the real model,
each claim passes the shapes) to one JSON file, and times ``gbkg load FILE`` in its
own process (start-up included; the curator is given, so every claim is new). The
loader validates the claims in batches (one pySHACL run per 250 claims) and stores
the file in one transaction.

    python -m bench.load_scaling --claims 1000 10000
    python -m bench.load_scaling --claims 1000 --gbkg /tmp/gbkg-before/.venv/bin/gbkg
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.synthetic import entity_quads, synthetic_claim
from gbkg.kg.bootstrap import ensure_loaded
from gbkg.kg.store import OxigraphStore

N_ENTITIES = 500


def claims_file(n: int, path: Path) -> None:
    rng = random.Random(3)
    claims = [
        synthetic_claim(i, rng, N_ENTITIES).model_dump(
            mode="json", exclude_none=True, exclude={"curator", "created", "status"}
        )
        for i in range(n)
    ]
    path.write_text(json.dumps(claims), encoding="utf-8")


def fresh_store(path: Path) -> None:
    store = OxigraphStore(path)
    ensure_loaded(store, curated=False)
    store.extend(entity_quads(N_ENTITIES))
    store.close()


def load(gbkg: str, store: Path, file: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [gbkg, "--store", str(store), "load", "--curator", "bench", str(file)],
        capture_output=True,
        text=True,
        timeout=7200,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"gbkg load failed: {done.stderr[-2000:]}")
    print(f"    {done.stdout.strip()}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--gbkg", default=shutil.which("gbkg") or "gbkg", help="the CLI to time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = []
        for n in args.claims:
            file = Path(tmp) / f"claims-{n}.json"
            claims_file(n, file)
            store = Path(tmp) / f"store-{n}"
            fresh_store(store)
            seconds = load(args.gbkg, store, file)
            results.append((n, seconds))
            print(f"{n:>7,} claims: {seconds:7.1f} s  ({seconds / n * 1000:.1f} ms a claim)")
        if len(results) > 1:
            (n0, s0), (n1, s1) = results[0], results[-1]
            print(f"time ratio {s1 / s0:.1f} for a claim ratio of {n1 / n0:.0f}")


if __name__ == "__main__":
    main()
