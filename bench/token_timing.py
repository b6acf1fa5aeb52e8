"""Does the time of the token check tell anything about the token? (``api/auth.py``)

Calls :func:`gbkg.api.auth.current_curator` directly (no network: HTTP noise is
a thousand times larger than what is measured) with offered tokens that share
nothing, a long prefix, all but the last character, or the length of a known
token, and the valid token itself; the offered tokens are interleaved round by
round so that drift falls on all alike. Prints the median and p10/p90 in
microseconds per case.

    python -m bench.token_timing --rounds 20000
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time

from starlette.requests import Request

from gbkg.api.auth import current_curator
from gbkg.api.errors import HTTPProblem
from gbkg.kg.settings import Settings

KNOWN = "k3Jd9-vQ2mX8pL5tR7wY1zB4nC6hF0gS"


def request(token: str) -> Request:
    header = f"Bearer {token}".encode()
    return Request({"type": "http", "headers": [(b"authorization", header)]})


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.token_timing")
    parser.add_argument("--rounds", type=int, default=20_000)
    args = parser.parse_args()
    settings = Settings(curator_tokens=f"alice:{KNOWN},bob:other-token-{'x' * 20}")  # type: ignore[arg-type]
    cases = {
        "valid": KNOWN,
        "nothing in common, same length": "#" * len(KNOWN),
        "a 24-character prefix right": KNOWN[:24] + "#" * (len(KNOWN) - 24),
        "all but the last character": KNOWN[:-1] + "#",
        "short": "x",
        "long (4 KB)": "x" * 4096,
    }
    requests = {name: request(token) for name, token in cases.items()}
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.rounds):
        for name, req in requests.items():
            started = time.perf_counter_ns()
            with contextlib.suppress(HTTPProblem):
                current_curator(req, settings)
            times[name].append((time.perf_counter_ns() - started) / 1000)
    for name, values in times.items():
        deciles = statistics.quantiles(values, n=10)
        print(
            f"{name:32s} median {statistics.median(values):6.2f} us "
            f"(p10 {deciles[0]:6.2f}, p90 {deciles[-1]:6.2f})"
        )


if __name__ == "__main__":
    main()
