"""p50 of ``GET /evidence`` and ``GET /paths`` at several store sizes, this version
against a previous one (``main`` by default), in one run.

    python -m bench.evidence_speed --triples 100000 1000000 [--baseline main]

The previous version's tree is exported with ``git archive`` into a temporary
directory. For each size one store is built (the reference data, the curated claims
and synthetic claims, :mod:`bench.synthetic`); then each version answers the same
questions on that same store, in its own process (:mod:`bench.evidence_worker`),
alternately ``--rounds`` times (A B A B ...), and the median of each version's p50s
is reported with the ratio new / old. Questions: the curated pair (probiotic /
depressive disorder) and synthetic pairs that do have claims between them.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

from bench.synthetic import build_store, synthetic_claim, triples_per_claim

REPO = Path(__file__).resolve().parent.parent
METRICS = (
    "evidence_curated_p50_ms",
    "evidence_synthetic_p50_ms",
    "paths_curated_p50_ms",
    "paths_synthetic_p50_ms",
)


def export(ref: str, into: Path) -> Path:
    """The tree of ``ref`` (a commit or branch of this repository) under ``into``."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", ref],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="tar")
    return into


def synthetic_pairs(triples: int, seed: int, count: int) -> list[list[str]]:
    """Pairs (subject, object) of synthetic claims in the store ``build_store`` makes."""
    n_claims = max(1, round(triples / triples_per_claim()))
    n_entities = max(50, n_claims // 5)
    rng = random.Random(seed)
    claims = [synthetic_claim(i, rng, n_entities) for i in range(min(n_claims, 5000))]
    picked = random.Random(3).sample(claims, min(count, len(claims)))
    return [[c.subject, c.object] for c in picked]  # type: ignore[misc]


def run_worker(tree: Path, store: str, pairs: Path, repeats: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "evidence_worker.py"), store, str(pairs),
         str(repeats)],
        check=True, capture_output=True, text=True, env=env, cwd=tree,
    )  # fmt: skip
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    assert str(tree) in str(result["code"]), f"ran {result['code']}, not the tree {tree}"
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--triples", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--baseline", default="main")
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old = export(args.baseline, Path(tmp) / "baseline")
        new = export("HEAD", Path(tmp) / "current") if os.environ.get("BENCH_HEAD_ONLY") else REPO
        for triples in args.triples:
            path = str(Path(tmp) / f"store-{triples}")
            store = build_store(path, triples, seed=7)
            size = store.triple_count()
            store.close()
            pairs = Path(tmp) / "pairs.json"
            pairs.write_text(
                json.dumps(
                    {
                        "curated": [["gbkg:probiotic", "MONDO:0002050"]],
                        "synthetic": synthetic_pairs(triples, 7, args.repeats),
                    }
                )
            )
            runs: dict[str, list[dict[str, float]]] = {"old": [], "new": []}
            for _ in range(args.rounds):
                runs["old"].append(run_worker(old, path, pairs, args.repeats))
                runs["new"].append(run_worker(new, path, pairs, args.repeats))
            print(f"triples={size}", flush=True)
            for metric in METRICS:
                o = statistics.median(r[metric] for r in runs["old"])
                n = statistics.median(r[metric] for r in runs["new"])
                print(f"  {metric}: old {o:.1f}  new {n:.1f}  ratio {n / o:.2f}", flush=True)
            o = statistics.median(r["first_request_ms"] for r in runs["old"])
            n = statistics.median(r["first_request_ms"] for r in runs["new"])
            print(f"  first request (graph build): old {o:.0f}  new {n:.0f}", flush=True)


if __name__ == "__main__":
    main()
