"""Loading: ``gbkg load`` (validated) and ``gbkg load --trusted`` against raw ``bulk_load``.

One command for the load table of ``docs/benchmarks.md`` at one size::

    python -m bench.load_speed --triples 1000000 --before /tmp/gbkg-before

- **raw**: ``pyoxigraph.Store.bulk_load`` of the synthetic N-Quads file (written by
  ``bench/synthetic.py``, streamed) into a fresh directory, in a fresh process: the
  engine's own speed, the physical limit of any load.
- **trusted**: ``gbkg load --trusted`` of the same file, signed as ``gbkg export
  --signature`` signs (HMAC-SHA256), into a fresh store (start-up, signature check,
  bootstrap of the reference data included).
- **validated**: ``gbkg load`` of ``--claims`` synthetic JSON claims (each checked
  against the shapes, the store and the claims before it), this code and the previous
  release (``--before``, a checkout run with ``PYTHONPATH``), on fresh stores holding
  the entities the claims name; triples/s counts the quads the claims add.

Raw and trusted alternate round by round (and this and before), so both see the
same machine load; ratios are medians of per-round ratios.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.load_scaling import claims_file, fresh_store
from bench.synthetic import triples_per_claim, write_nquads
from gbkg.kg.signing import Signer, signature_path

KEY = "bench-signing-key"


def run(command: list[str], env: dict[str, str]) -> float:
    """Seconds ``command`` took; run in the pinned checkout when ``PYTHONPATH`` names one
    (``python -m`` puts the working directory first on ``sys.path``)."""
    started = time.perf_counter()
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, check=False, cwd=env.get("PYTHONPATH")
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(command[:6])} failed: {done.stderr[-2000:]}")
    return seconds


def sign(path: Path) -> None:
    signer = Signer(KEY.encode())
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            signer.update(chunk)
    signature_path(path).write_text(signer.line(), encoding="utf-8")


def env_for(pythonpath: str | None) -> dict[str, str]:
    env = dict(os.environ, GBKG_SIGNING_KEY=KEY)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    else:
        env.pop("PYTHONPATH", None)
    return env


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--claims", type=int, default=1000, help="claims of the validated load")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--before", help="checkout of the previous release (PYTHONPATH)")
    parser.add_argument("--tmp", help="where files and stores go (default: the system's)")
    args = parser.parse_args(argv)
    python = sys.executable
    with tempfile.TemporaryDirectory(dir=args.tmp) as name:
        tmp = Path(name)
        data = tmp / "synthetic.nq"
        started = time.perf_counter()
        write_nquads(data, args.triples)
        size_mb = data.stat().st_size / 1e6
        print(f"wrote {data.name} ({size_mb:.0f} MB) in {time.perf_counter() - started:.1f} s")
        sign(data)
        quads = sum(1 for _ in open(data, "rb"))  # noqa: SIM115 - one line a quad
        raw_s, trusted_s = [], []
        for r in range(args.rounds):
            raw_dir, trusted_dir = tmp / f"raw-{r}", tmp / f"trusted-{r}"
            raw_s.append(
                run(
                    [python, "-c", "import pyoxigraph as ox, sys; "
                     "s = ox.Store(sys.argv[1]); s.bulk_load(path=sys.argv[2]); s.flush()",
                     str(raw_dir), str(data)],
                    env_for(None),
                )
            )  # fmt: skip
            trusted_s.append(
                run(
                    [python, "-m", "gbkg.cli", "--store", str(trusted_dir), "load", "--trusted",
                     str(data)],
                    env_for(None),
                )
            )  # fmt: skip
            shutil.rmtree(raw_dir)
            shutil.rmtree(trusted_dir)
            print(f"round {r}: raw {raw_s[-1]:.1f} s, trusted {trusted_s[-1]:.1f} s")
        ratio = statistics.median(t / r for t, r in zip(trusted_s, raw_s, strict=True))
        print(
            f"\n| {quads:,} quads | raw bulk_load | gbkg load --trusted | trusted / raw |\n"
            f"|---|---|---|---|\n"
            f"| seconds | {statistics.median(raw_s):.1f} | {statistics.median(trusted_s):.1f} "
            f"| {ratio:.2f}x |\n"
            f"| quads/s | {quads / statistics.median(raw_s):,.0f} "
            f"| {quads / statistics.median(trusted_s):,.0f} | |"
        )

        claims = tmp / "claims.json"
        claims_file(args.claims, claims)
        per_claim = triples_per_claim()
        versions = {"this": None, **({"before": args.before} if args.before else {})}
        times: dict[str, list[float]] = {v: [] for v in versions}
        for r in range(args.rounds):
            for version, pythonpath in versions.items():
                store = tmp / f"validated-{version}-{r}"
                fresh_store(store)
                times[version].append(
                    run(
                        [python, "-m", "gbkg.cli", "--store", str(store), "load", "--curator",
                         "bench", str(claims)],
                        env_for(pythonpath),
                    )
                )  # fmt: skip
                shutil.rmtree(store)
                print(f"round {r}: validated {version} {times[version][-1]:.1f} s")
        print(f"\n| {args.claims:,} claims (~{args.claims * per_claim:,.0f} quads) | seconds "
              "| quads/s | this / before |\n|---|---|---|---|")  # fmt: skip
        for version, found in times.items():
            ratio_text = ""
            if version == "this" and "before" in times:
                pairs = zip(found, times["before"], strict=True)
                ratio_text = f"{statistics.median(a / b for a, b in pairs):.2f}x"
            seconds = statistics.median(found)
            rate = args.claims * per_claim / seconds
            print(f"| gbkg load, {version} | {seconds:.1f} | {rate:,.0f} | {ratio_text} |")


if __name__ == "__main__":
    main()
