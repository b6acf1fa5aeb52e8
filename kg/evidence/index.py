"""What the evidence routes read besides the claims, derived once per claim-graph version.

The hierarchy (:mod:`kg.evidence.rollup`), which studies report which (``gba:reports``,
transitively), and an index of propositions (IRI → the entity pairs whose claims are
about it) are read or computed on first use and kept on the claim graph until its next
update, so a request scans neither the store nor every claim.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from gbkg.kg.analytics import ClaimGraph
from gbkg.kg.evidence.proposition import read
from gbkg.kg.evidence.rollup import Hierarchy
from gbkg.kg.resources import internal_query
from gbkg.kg.store import Backend


def _reports(store: Backend | None) -> dict[str, frozenset[str]]:
    """Study → every study it reports, transitively (news → meta-analysis → trial)."""
    if store is None:
        return {}
    result = store.query(internal_query("evidence-studies"))
    assert isinstance(result, ox.QuerySolutions)
    direct: dict[str, set[str]] = defaultdict(set)
    for row in result:
        direct[row["study"].value].add(row["reported"].value)
    closed: dict[str, frozenset[str]] = {}
    for study in direct:
        seen: set[str] = set()
        frontier = list(direct[study])
        while frontier:
            nxt = frontier.pop()
            if nxt not in seen and nxt != study:
                seen.add(nxt)
                frontier.extend(direct.get(nxt, ()))
        closed[study] = frozenset(seen)
    return closed


@dataclass
class EvidenceIndex:
    hierarchy: Hierarchy
    reports: dict[str, frozenset[str]]
    graph: ClaimGraph
    _propositions: dict[str, set[tuple[str, str]]] | None = None
    #: Memo of step verdicts for path ranking: key → value (cleared with the index).
    steps: dict[object, object] = field(default_factory=dict)

    def propositions(self) -> dict[str, set[tuple[str, str]]]:
        """Proposition IRI → the (subject, object) pairs of the active claims about it
        (a core proposition, without qualifiers, gathers its qualified ones' too)."""
        if self._propositions is None:
            found: dict[str, set[tuple[str, str]]] = defaultdict(set)
            for record in self.graph.records():
                reading = read(record, self.graph.vocabulary)
                found[reading.proposition].add((record.subject, record.object))
                found[reading.core].add((record.subject, record.object))
            self._propositions = dict(found)
        return self._propositions


def evidence_index(graph: ClaimGraph) -> EvidenceIndex:
    """The graph's evidence index, built on first use after each update."""
    with graph._lock:
        index = graph.derived.get("evidence")
        if not isinstance(index, EvidenceIndex):
            index = EvidenceIndex(Hierarchy.from_store(graph.store), _reports(graph.store), graph)
            graph.derived["evidence"] = index
        return index
