"""The long crash run: many SIGKILLs of ``gbkg serve`` under concurrent writers, many
``gbkg load`` runs killed mid-file; prints lost, partial, duplicate and torn counts.

    python -m bench.crash_long --kills 12 --writers 4 --claims 600 --load-kills 8

The checks and the run are ``bench/crash.py``'s (the CI test runs a short form).
Exit status 1 when anything was lost, partial, duplicated or torn.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from bench.crash import Plan, run


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crash_long")
    parser.add_argument("--kills", type=int, default=12, help="SIGKILLs of the server")
    parser.add_argument("--writers", type=int, default=4, help="writer processes")
    parser.add_argument("--claims", type=int, default=600, help="claims per writer")
    parser.add_argument("--load-kills", type=int, default=8, help="gbkg load runs killed")
    parser.add_argument("--load-claims", type=int, default=300, help="claims per loaded file")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    plan = Plan(
        kills=args.kills,
        writers=args.writers,
        claims_per_writer=args.claims,
        load_kills=args.load_kills,
        load_claims=args.load_claims,
        deadline_s=3600,
    )
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="gbkg-crash-"))
    started = time.monotonic()
    verdict, log = run(plan, workdir)
    print("\n".join(log))
    print(verdict.summary())
    for problem in (verdict.lost + verdict.partial + verdict.duplicates + verdict.loads_torn)[:20]:
        print("  ", problem)
    print(f"{time.monotonic() - started:.0f} s, in {workdir}")
    return 0 if verdict.ok else 1


if __name__ == "__main__":
    sys.exit(main())
