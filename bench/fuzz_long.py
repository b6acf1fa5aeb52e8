"""The long fuzz run: the OpenAPI surface and ``/sparql`` of a real ``gbkg serve``, for
``--minutes``; prints cases tried, process deaths, and statuses and 5xx by route.

    python -m bench.fuzz_long --minutes 20 --seed 1

Batches alternate, each with its own seed (``--seed``, then the next...): generated
SPARQL (:mod:`bench.sparql_grammar`) by GET and both POST encodings; the named
queries with hostile parameters; every
operation of the OpenAPI document (schemathesis, valid and invalid data) without
a token; the same with a curator token. A server that dies is counted and started
again on the same store. SERVICE, FROM and BASE aim at a loopback listener that
must receive nothing. Exit status 1 on a death, a 5xx other than a documented 503,
an error that is not problem+json, or a connection to the listener.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from bench.fuzz import Tally, Target, fuzz_api, fuzz_named_queries, fuzz_sparql, load_schema
from bench.query_isolation import Service
from tests.sparql_helpers import loopback_listener

TOKEN = "fuzz-token"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fuzz_long")
    parser.add_argument("--minutes", type=float, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sparql-batch", type=int, default=300, help="queries per batch")
    parser.add_argument("--api-batch", type=int, default=25, help="cases per operation and mode")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="gbkg-fuzz-"))
    workdir.mkdir(parents=True, exist_ok=True)
    env = {
        "GBKG_LOAD_CURATED": "true",
        "GBKG_CURATOR_TOKENS": f"fuzzer:{TOKEN}",
        "GBKG_QUERY_TIMEOUT_S": "2",
    }
    started = time.monotonic()
    until = started + args.minutes * 60
    tally = Tally()
    batches = 0
    with loopback_listener() as trap:
        service = Service(workdir / "store", workdir / "server.log", **env)
        target = Target(service.url, alive=lambda: service.process.poll() is None)

        def restart() -> None:
            nonlocal service
            service.stop()
            log = workdir / f"server-{tally.deaths}.log"  # the dead server's log is kept
            service = Service(workdir / "store", log, **env)
            target.url = service.url

        target.restart = restart
        schema = load_schema(service.url)
        try:
            while time.monotonic() < until:
                batch_seed = args.seed + batches
                fuzz_sparql(target, trap.base, tally, examples=args.sparql_batch,
                            batch_seed=batch_seed, until=until)  # fmt: skip
                fuzz_named_queries(target, trap.base, tally, examples=args.sparql_batch // 3,
                                   batch_seed=batch_seed, until=until)  # fmt: skip
                fuzz_api(target, schema, tally, examples=args.api_batch,
                         batch_seed=batch_seed, until=until)  # fmt: skip
                fuzz_api(target, schema, tally, examples=args.api_batch,
                         batch_seed=batch_seed, until=until,
                         headers={"Authorization": f"Bearer {TOKEN}"})  # fmt: skip
                batches += 1
                print(f"batch {batches}: {tally.total} cases, {tally.deaths} deaths, "
                      f"{len(tally.server_errors)} 5xx, {time.monotonic() - started:.0f} s",
                      flush=True)  # fmt: skip
        finally:
            service.stop()
        time.sleep(0.2)
        connections = list(trap.connections)
    print(tally.report())
    print(f"connections to the loopback listener: {len(connections)}")
    print(f"{batches} batches, {time.monotonic() - started:.0f} s, seed {args.seed}, in {workdir}")
    bad = tally.deaths or tally.server_errors or tally.not_problems or connections
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
