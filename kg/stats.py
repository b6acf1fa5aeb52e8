"""Counts that describe a store (``gbkg stats``)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pyoxigraph as ox

from gbkg.kg.ids import compress
from gbkg.kg.resources import internal_query
from gbkg.kg.store import Backend


def store_stats(store: Backend) -> dict[str, Any]:
    """Triples, claims by finding / status / predicate, sources, entities, curators."""
    by_finding: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    by_predicate: Counter[str] = Counter()
    claims = 0
    result = store.query(internal_query("stats-claims"))
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        n = int(row["n"].value)
        claims += n
        by_finding[_local(row["finding"])] += n
        by_status[_local(row["status"]) if row["status"] is not None else "unknown"] += n
        by_predicate[compress(row["predicate"].value)] += n
    things = store.query(internal_query("stats-things"))
    assert isinstance(things, ox.QuerySolutions)
    row = next(iter(things))
    return {
        "backend": store.name,
        "triples": store.triple_count(),
        "claims": claims,
        "sources": int(row["sources"].value),
        "entities": int(row["entities"].value),
        "curators": int(row["curators"].value),
        "by finding": dict(sorted(by_finding.items())),
        "by status": dict(sorted(by_status.items())),
        "by predicate": dict(by_predicate.most_common()),
    }


def _local(term: ox.NamedNode | None) -> str:
    if term is None:
        return "unknown"
    return term.value.rsplit("#", 1)[-1].removesuffix("Finding").lower()
