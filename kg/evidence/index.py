"""What the evidence routes read besides the claims, derived from the claim graph.

The hierarchy (:mod:`kg.evidence.rollup`) and which studies report which
(``gba:reports``, transitively) are read on first use after each update of the claim
graph (two small queries: a few milliseconds at 1M triples); the index of propositions
(IRI → the entity pairs whose claims are about it) is computed once and then follows
each update claim by claim, and the path steps memoized per entity are kept for every
entity the update did not touch, so no request after a write scans every claim.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from gbkg.kg.analytics import ClaimGraph
from gbkg.kg.evidence.proposition import read
from gbkg.kg.evidence.rollup import Hierarchy
from gbkg.kg.projection import ClaimRecord
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


class PropositionIndex:
    """Proposition IRI → the (subject, object) pairs of the active claims about it (a core
    proposition, without qualifiers, gathers its qualified ones' too), with how many
    claims each pair holds. Built once (a pass over every claim: 2.9 s at 1M triples)
    and then kept in step with each update of the claim graph (:meth:`follow`)."""

    def __init__(self, graph: ClaimGraph) -> None:
        self.graph = graph
        self._pairs: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
        self._count(graph.records(), 1)

    def _count(self, records: Iterable[ClaimRecord], step: int) -> None:
        for record in records:
            reading = read(record, self.graph.vocabulary)
            pair = (record.subject, record.object)
            for iri in {reading.proposition, reading.core}:
                pairs = self._pairs[iri]
                pairs[pair] += step
                if pairs[pair] <= 0:
                    del pairs[pair]
                if not pairs:
                    del self._pairs[iri]

    def follow(self, dropped: list[ClaimRecord], added: list[ClaimRecord]) -> bool:
        """Take the claims an update dropped out and put the new ones in."""
        self._count(dropped, -1)
        self._count(added, 1)
        return True

    def get(self, iri: str) -> set[tuple[str, str]]:
        return set(self._pairs.get(iri, ()))


#: Memos of what one entity's claims give (its path steps, the entities they reach): an
#: update makes only the entries of the entities at the ends of its claims stale.
MOVES, REACHES = "moves", "reaches"
PER_ENTITY = (MOVES, REACHES)


@dataclass
class EvidenceIndex:
    hierarchy: Hierarchy
    reports: dict[str, frozenset[str]]
    graph: ClaimGraph
    #: Memos (path steps, standings, entity answers): key → value. After an update only
    #: the per-entity memos of untouched entities are kept (:meth:`follow`).
    steps: dict[object, object] = field(default_factory=dict)
    #: Whether the hierarchy and the reports must be read again before the next use.
    stale: bool = False

    def follow(self, dropped: list[ClaimRecord], added: list[ClaimRecord]) -> bool:
        """Keep what the update left true: the per-entity memos of entities that none of
        its claims touch. The hierarchy and the reports (a write may describe an entity's
        broader one, or a study's reports) are read again on next use."""
        touched = {end for r in (*dropped, *added) for end in (r.subject, r.object)}
        for key in list(self.steps):
            memo = self.steps[key]
            if key in PER_ENTITY and isinstance(memo, dict):
                for node in touched:
                    memo.pop(node, None)
            else:
                del self.steps[key]
        self.stale = True
        return True

    def refresh(self) -> None:
        """Read the hierarchy and the reports again; if either changed, no memo holds."""
        hierarchy, reports = Hierarchy.from_store(self.graph.store), _reports(self.graph.store)
        if hierarchy.links != self.hierarchy.links or reports != self.reports:
            self.steps.clear()
        self.hierarchy, self.reports, self.stale = hierarchy, reports, False

    def propositions(self) -> PropositionIndex:
        """The graph's proposition index: kept across updates (it follows them)."""
        with self.graph._lock:
            found = self.graph.derived.get("propositions")
            if not isinstance(found, PropositionIndex):
                found = self.graph.derived["propositions"] = PropositionIndex(self.graph)
            return found


def evidence_index(graph: ClaimGraph) -> EvidenceIndex:
    """The graph's evidence index: built on first use, then kept in step with updates
    (:meth:`EvidenceIndex.follow`; the hierarchy and reports read again after each)."""
    with graph._lock:
        index = graph.derived.get("evidence")
        if not isinstance(index, EvidenceIndex):
            index = EvidenceIndex(Hierarchy.from_store(graph.store), _reports(graph.store), graph)
            graph.derived["evidence"] = index
        elif index.stale:
            index.refresh()
        return index
