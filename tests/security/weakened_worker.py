"""A query worker with one guard taken away, to prove that the others hold (tests only).

Run as ``python weakened_worker.py MODE <the worker's arguments>``; a
:class:`~gbkg.kg.query_pool.WorkerPool` built with ``command=weakened(MODE)``
starts it in place of ``python -m gbkg.kg.query_worker``. Modes:

- ``no-precheck``: the SERVICE / FROM check (rdflib) sees nothing, as if the two
  parsers disagreed on a query: only the sandbox stands between Oxigraph and the
  network;
- ``unknown-machine``: the platform reports an architecture the sandbox has no
  filter for: the worker must refuse to start.
"""

from __future__ import annotations

import platform
import sys
from pathlib import Path

from gbkg.kg import query_worker, sparql
from gbkg.kg.sparql_analysis import QueryInspection

MODES = ("no-precheck", "unknown-machine")


def weakened(mode: str) -> list[str]:
    """The command that starts a worker without the guard ``mode`` names."""
    assert mode in MODES, mode
    return [sys.executable, str(Path(__file__).resolve()), mode]


def _no_inspection(text: str, *, base_iri: str | None = None) -> QueryInspection:
    return QueryInspection()


if __name__ == "__main__":
    mode = sys.argv.pop(1)
    if mode == "no-precheck":
        sparql.inspect_query = _no_inspection  # type: ignore[assignment]
    elif mode == "unknown-machine":
        platform.machine = lambda: "riscv64"
    sys.exit(query_worker.main(sys.argv[1:]))
