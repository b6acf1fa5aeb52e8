"""The claim graph: active claims projected into a networkx multigraph, and mechanism paths.

:class:`ClaimGraph` holds one node per entity (label and types as node data) and one
edge per **active** claim, from its subject to its object, keyed by the claim IRI
and carrying the claim's :class:`~kg.projection.ClaimRecord` (relation, finding,
hedging, study design, participants, context, source). Retracted claims are not in
it. It is built from the store (:meth:`ClaimGraph.from_store`) and kept in step
with writes by :meth:`ClaimGraph.update`, which a
:class:`~kg.curation.ClaimService` listener calls with the IRIs each write changed.

Mechanism paths (:meth:`ClaimGraph.paths`)
------------------------------------------

A path is a chain of entities ``source → … → target`` in which every hop is
backed by at least one claim. Which claims may form a hop:

- **Direction.** A claim is traversed from its subject to its object. It may also
  be traversed backwards when the ontology says the same thing can be read the
  other way: a relation declared ``owl:SymmetricProperty`` (``communicates with``:
  the gut-brain axis is bidirectional) keeps its relation; a relation with an
  ``owl:inverseOf`` (``part of`` / ``has part``) is read as its inverse. Such a
  step is marked ``reversed``. Other relations (``increases``, ``improves`` ...)
  are never read backwards: "A increases B" says nothing of what B does to A.
- **Findings.** ``effect`` and ``assertion`` claims form steps. ``null`` claims
  never do: a tested and non-significant link is not a mechanism (it is still
  counted by :mod:`kg.evidence`).
- **Relations.** Relations that describe rather than connect are left out:
  ``studied for`` (no effect claimed), ``has attribute``, ``has prevalence`` and
  ``effect depends on`` (effect modifiers). See :data:`NON_MECHANISTIC`.

The score of a path is the product of its steps' weights, so it lies in (0, 1],
falls with every extra hop, and a single weak step weakens the whole chain. A
step's weight is the weight of its best claim (others backing the same hop and
relation are counted in ``support``); a claim's weight is::

    finding weight × study-design weight × (0.6 if hedged else 1)

with finding weights effect 1.0, assertion 0.5, and study-design weights
meta-analysis 1.0, systematic review 0.9, RCT 0.85, cohort 0.7, case-control 0.6,
review 0.6, cross-sectional 0.55, animal 0.5, in-vitro 0.4, expert opinion 0.4,
unknown 0.5 (:data:`FINDING_WEIGHTS`, :data:`DESIGN_WEIGHTS`). Paths are ranked by
score, then fewer hops, then more supporting claims, then labels.

Only simple paths (no entity twice) up to ``max_hops`` are considered; the search
is restricted to entities that lie on some path of that length (a breadth-first
search from each end), and stops after :data:`MAX_CANDIDATES` complete paths
(``truncated`` then says so).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import networkx as nx

from gbkg.kg import snapshot as snapshots
from gbkg.kg.errors import NotFoundError, ParameterError
from gbkg.kg.ids import compress
from gbkg.kg.model import Finding, StudyDesign
from gbkg.kg.namespaces import GBA
from gbkg.kg.projection import (
    ClaimRecord,
    EntityName,
    Vocabulary,
    claim_record,
    claim_records,
    entity_classes,
    entity_iri,
    read_entities,
    read_entity,
)
from gbkg.kg.snapshot import Snapshot
from gbkg.kg.store import Backend, OxigraphStore

log = logging.getLogger("gbkg.analytics")

FINDING_WEIGHTS: dict[Finding, float] = {Finding.EFFECT: 1.0, Finding.ASSERTION: 0.5}
DESIGN_WEIGHTS: dict[StudyDesign | None, float] = {
    StudyDesign.META_ANALYSIS: 1.0,
    StudyDesign.SYSTEMATIC_REVIEW: 0.9,
    StudyDesign.RCT: 0.85,
    StudyDesign.COHORT: 0.7,
    StudyDesign.CASE_CONTROL: 0.6,
    StudyDesign.REVIEW: 0.6,
    StudyDesign.CROSS_SECTIONAL: 0.55,
    StudyDesign.ANIMAL: 0.5,
    StudyDesign.IN_VITRO: 0.4,
    StudyDesign.EXPERT_OPINION: 0.4,
    None: 0.5,
}
HEDGED_FACTOR = 0.6
#: Relations that describe an entity or a study rather than link cause to effect.
NON_MECHANISTIC = frozenset(
    str(r) for r in (GBA.studiedFor, GBA.hasAttribute, GBA.hasPrevalence, GBA.effectDependsOn)
)
MAX_HOPS = 6
MAX_CANDIDATES = 5000


def claim_weight(record: ClaimRecord) -> float:
    """How much one claim supports a step of a mechanism path (0 for a null finding)."""
    weight = FINDING_WEIGHTS.get(record.finding, 0.0) * DESIGN_WEIGHTS[record.study_design]
    return weight * (HEDGED_FACTOR if record.hedged else 1.0)


@dataclass(frozen=True)
class Step:
    """One hop of a path, backed by ``claim`` (the best of ``support`` claims)."""

    source: str
    target: str
    source_label: str
    target_label: str
    relation: str
    relation_label: str
    finding: Finding
    claim: str
    statement: str | None
    hedged: bool
    study_design: StudyDesign | None
    weight: float
    support: int
    #: The claim is stated target → source; the step reads it backwards.
    reversed: bool = False
    claims: tuple[str, ...] = ()


@dataclass(frozen=True)
class Path:
    steps: tuple[Step, ...]
    score: float

    @property
    def hops(self) -> int:
        return len(self.steps)

    @property
    def support(self) -> int:
        return sum(s.support for s in self.steps)


@dataclass
class PathSearch:
    """The ranked paths and whether the candidate cap cut the search short."""

    paths: list[Path]
    truncated: bool = False
    candidates: int = 0

    def __iter__(self) -> Iterator[Path]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int) -> Path:
        return self.paths[index]


@dataclass(frozen=True)
class _Move:
    """A traversable reading of one claim: from ``source`` to ``target`` via ``relation``."""

    source: str
    target: str
    relation: str
    record: ClaimRecord
    reversed: bool
    weight: float


@dataclass
class ClaimGraph:
    """Active claims as a networkx ``MultiDiGraph`` (entities → nodes, claims → edges)."""

    vocabulary: Vocabulary
    entities: dict[str, EntityName] = field(default_factory=dict)
    graph: nx.MultiDiGraph = field(default_factory=nx.MultiDiGraph)
    store: Backend | None = None
    #: ``gba:Entity`` and its subclasses: what makes a node an entity.
    entity_classes: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        self._lock = threading.RLock()
        self._edges: dict[str, tuple[str, str]] = {}

    # Building ---------------------------------------------------------------------

    @classmethod
    def from_store(cls, store: Backend) -> ClaimGraph:
        """Project every active claim of ``store``."""
        return cls.from_snapshot(
            Snapshot(
                relations=list(Vocabulary.from_store(store).relations.values()),
                entities=read_entities(store),
                entity_classes=entity_classes(store),
                records=claim_records(store),
            ),
            store,
        )

    @classmethod
    def from_snapshot(cls, snapshot: Snapshot, store: Backend | None) -> ClaimGraph:
        """The graph of what :meth:`from_store` read (kept by :mod:`kg.snapshot`)."""
        graph = cls(
            Vocabulary(snapshot.relations),
            snapshot.entities,
            store=store,
            entity_classes=snapshot.entity_classes,
        )
        graph._add_all(snapshot.records)
        return graph

    def snapshot(self) -> Snapshot:
        """What the graph is built from: :meth:`from_snapshot` makes it again."""
        with self._lock:
            return Snapshot(
                relations=list(self.vocabulary.relations.values()),
                entities=dict(self.entities),
                entity_classes=self.entity_classes,
                records=[data["record"] for _, _, data in self.graph.edges(data=True)],
            )

    def _node(self, iri: str) -> None:
        if iri not in self.graph:
            name = self.entities.get(iri) or EntityName(iri)
            self.graph.add_node(iri, label=name.display, types=sorted(name.types))

    def _add(self, record: ClaimRecord) -> None:
        if not record.active:
            return
        self._node(record.subject)
        self._node(record.object)
        self.graph.add_edge(record.subject, record.object, key=record.iri, **_edge_data(record))
        self._edges[record.iri] = (record.subject, record.object)

    def _add_all(self, records: Iterable[ClaimRecord]) -> None:
        """:meth:`_add` for many records at once (networkx's bulk adds: the start-up)."""
        edges = [(r.subject, r.object, r.iri, _edge_data(r)) for r in records if r.active]
        for subject, obj, iri, _ in edges:
            self._node(subject)
            self._node(obj)
            self._edges[iri] = (subject, obj)
        self.graph.add_edges_from(edges)

    def _drop(self, iri: str) -> None:
        ends = self._edges.pop(iri, None)
        if ends is None:
            return
        self.graph.remove_edge(*ends, key=iri)
        for node in set(ends):
            if self.graph.degree(node) == 0:
                self.graph.remove_node(node)

    def update(self, iris: Iterable[str]) -> None:
        """Re-read the claims ``iris`` from the store: add new ones, drop retracted ones.

        Entities the claims describe (or that became known since) are re-read too.
        A :class:`~kg.curation.ClaimService` listener.
        """
        if self.store is None:
            raise RuntimeError("this claim graph was not built from a store; it cannot update")
        with self._lock:
            for iri in iris:
                self._drop(iri)
                record = claim_record(self.store, iri)
                if record is None:
                    continue
                for end in (record.subject, record.object):
                    name = read_entity(self.store, end, self.entity_classes)
                    if name is not None:
                        self.entities[end] = name
                        if end in self.graph:
                            self.graph.nodes[end].update(
                                label=name.display, types=sorted(name.types)
                            )
                self._add(record)

    # Reading ----------------------------------------------------------------------

    def __contains__(self, iri: object) -> bool:
        return iri in self.entities or iri in self.graph

    def label(self, iri: str) -> str:
        name = self.entities.get(iri)
        return name.display if name is not None else compress(iri)

    def records(self) -> list[ClaimRecord]:
        with self._lock:
            return [data["record"] for _, _, data in self.graph.edges(data=True)]

    def records_about(self, iri: str) -> list[ClaimRecord]:
        """Active claims whose subject or object is ``iri``, ordered by IRI: read from the
        graph in memory, so an entity's page costs what its claims cost, not their reads."""
        with self._lock:
            if iri not in self.graph:
                return []
            edges = [*self.graph.out_edges(iri, data=True), *self.graph.in_edges(iri, data=True)]
            found = {data["record"].iri: data["record"] for _, _, data in edges}
        return sorted(found.values(), key=lambda r: r.iri)

    def records_between(self, a: str, b: str) -> list[ClaimRecord]:
        """Active claims whose subject and object are ``a`` and ``b`` in either order."""
        with self._lock:
            found = [d["record"] for d in self.graph.get_edge_data(a, b, default={}).values()]
            if a != b:
                found += [d["record"] for d in self.graph.get_edge_data(b, a, default={}).values()]
            return found

    # Paths ------------------------------------------------------------------------

    def _moves_from(self, node: str) -> Iterator[_Move]:
        """Every traversable reading of a claim that leaves ``node``."""
        for _, _, data in self.graph.out_edges(node, data=True):
            move = self._move(data["record"], backwards=False)
            if move is not None:
                yield move
        for source, _, data in self.graph.in_edges(node, data=True):
            move = self._move(data["record"], backwards=True)
            if move is not None and source != node:
                yield move

    def _moves_into(self, node: str) -> Iterator[_Move]:
        """Every traversable reading of a claim that arrives at ``node``."""
        for _, target, data in self.graph.out_edges(node, data=True):
            move = self._move(data["record"], backwards=True)
            if move is not None and target != node:
                yield move
        for _, _, data in self.graph.in_edges(node, data=True):
            move = self._move(data["record"], backwards=False)
            if move is not None:
                yield move

    def _move(self, record: ClaimRecord, *, backwards: bool) -> _Move | None:
        weight = claim_weight(record)
        if weight <= 0 or record.predicate in NON_MECHANISTIC:
            return None
        if not backwards:
            return _Move(record.subject, record.object, record.predicate, record, False, weight)
        reverse = self.vocabulary.reverse(record.predicate)
        if reverse is None:
            return None
        return _Move(record.object, record.subject, reverse, record, True, weight)

    def _distances(self, start: str, max_hops: int, *, forward: bool) -> dict[str, int]:
        """Hops from ``start`` (or to it, when not ``forward``) along traversable claims."""
        seen = {start: 0}
        frontier = [start]
        for depth in range(1, max_hops + 1):
            nxt = []
            for node in frontier:
                moves = self._moves_from(node) if forward else self._moves_into(node)
                for move in moves:
                    other = move.target if forward else move.source
                    if other not in seen:
                        seen[other] = depth
                        nxt.append(other)
            frontier = nxt
        return seen

    def paths(self, source: str, target: str, *, max_hops: int = 4, limit: int = 10) -> PathSearch:
        """Mechanism paths from ``source`` to ``target`` (CURIEs or IRIs), best first.

        How steps are chosen and paths scored: see the module documentation.
        """
        if not 1 <= max_hops <= MAX_HOPS:
            raise ParameterError(
                f"max_hops must be between 1 and {MAX_HOPS}", parameter="max_hops", value=max_hops
            )
        start = entity_iri(source, parameter="source")
        end = entity_iri(target, parameter="target")
        for name, iri in (("source", start), ("target", end)):
            if iri not in self:
                raise NotFoundError(
                    f"{name}: no entity {compress(iri)} in the graph", parameter=name,
                    value=compress(iri),
                )  # fmt: skip
        if start == end:
            raise ParameterError("source and target are the same entity", parameter="target")
        with self._lock:
            if start not in self.graph or end not in self.graph:
                return PathSearch([])
            return self._search(start, end, max_hops, limit)

    def _search(self, start: str, end: str, max_hops: int, limit: int) -> PathSearch:
        to_end = self._distances(end, max_hops, forward=False)
        if start not in to_end:
            return PathSearch([])
        found: list[Path] = []
        truncated = False
        trail = [start]
        on_trail = {start}
        steps: list[Step] = []

        def hops_from(node: str) -> dict[str, Step]:
            best: dict[tuple[str, str], list[_Move]] = defaultdict(list)
            for move in self._moves_from(node):
                best[(move.target, move.relation)].append(move)
            chosen: dict[str, Step] = {}
            for (nxt, _), moves in best.items():
                step = self._step(moves)
                current = chosen.get(nxt)
                if current is None or (step.weight, step.support) > (
                    current.weight,
                    current.support,
                ):
                    chosen[nxt] = step
            return chosen

        def walk(node: str) -> None:
            nonlocal truncated
            if truncated:
                return
            left = max_hops - len(steps)
            for nxt, step in sorted(hops_from(node).items()):
                if nxt in on_trail or to_end.get(nxt, max_hops + 1) > left - 1:
                    continue
                steps.append(step)
                if nxt == end:
                    score = math.prod(s.weight for s in steps)
                    found.append(Path(tuple(steps), score))
                    if len(found) >= MAX_CANDIDATES:
                        truncated = True
                else:
                    trail.append(nxt)
                    on_trail.add(nxt)
                    walk(nxt)
                    on_trail.discard(trail.pop())
                steps.pop()
                if truncated:
                    return

        walk(start)
        found.sort(key=_rank)
        return PathSearch(found[:limit], truncated=truncated, candidates=len(found))

    def _step(self, moves: list[_Move]) -> Step:
        ranked = sorted(moves, key=lambda m: (-m.weight, m.reversed, m.record.iri))
        best = ranked[0]
        record = best.record
        return Step(
            source=best.source,
            target=best.target,
            source_label=self.label(best.source),
            target_label=self.label(best.target),
            relation=best.relation,
            relation_label=self.vocabulary.label(best.relation),
            finding=record.finding,
            claim=record.iri,
            statement=record.statement,
            hedged=record.hedged,
            study_design=record.study_design,
            weight=best.weight,
            support=len(ranked),
            reversed=best.reversed,
            claims=tuple(m.record.iri for m in ranked),
        )


def _edge_data(record: ClaimRecord) -> dict[str, object]:
    """What an edge of the claim graph carries besides its key (the claim IRI)."""
    return {
        "claim": record.iri,
        "predicate": record.predicate,
        "finding": record.finding,
        "hedged": record.hedged,
        "study_design": record.study_design,
        "n_participants": record.n_participants,
        "context": dict(record.context),
        "record": record,
    }


def _rank(path: Path) -> tuple[float, int, int, list[tuple[str, str]]]:
    """Best score first, then fewer hops, more supporting claims, labels."""
    labels = [(s.source_label, s.relation_label) for s in path.steps]
    return (-path.score, path.hops, -path.support, labels)


class ClaimGraphCache:
    """A store's claim graph, built on first use and kept in step with writes.

    Register :meth:`update` as a :class:`~kg.curation.ClaimService` listener. A
    write that lands while the graph is being built waits for the build, then
    updates it; a write before the first use needs nothing (the build reads it).

    On an embedded store on disk the graph is built from the snapshot saved beside
    the store (:mod:`kg.snapshot`) when no write happened since, and saved there
    when built from the store and by :meth:`save` (the server calls it when it stops).
    """

    def __init__(self, store: Backend) -> None:
        self.store = store
        self._graph: ClaimGraph | None = None
        self._lock = threading.Lock()
        self.build_seconds: float | None = None
        #: Where the graph came from: ``store`` or ``snapshot`` (once built).
        self.source: str | None = None

    def _snapshot_store(self) -> OxigraphStore | None:
        store = self.store
        return store if isinstance(store, OxigraphStore) and store.path is not None else None

    def get(self) -> ClaimGraph:
        with self._lock:
            if self._graph is None:
                started = time.perf_counter()
                # Read before the store is: a write during the build renews it, and
                # the snapshot saved with it is then never read.
                store = self._snapshot_store()
                token = store.write_token if store is not None else None
                self._graph = self._from_snapshot(token)
                if self._graph is not None:
                    self.source = "snapshot"
                else:
                    self._graph = ClaimGraph.from_store(self.store)
                    self.source = "store"
                    self._save(token)
                self.build_seconds = time.perf_counter() - started
            return self._graph

    def _from_snapshot(self, token: str | None) -> ClaimGraph | None:
        store = self._snapshot_store()
        if store is None or store.path is None:
            return None
        found = snapshots.load(store.path, token)
        return ClaimGraph.from_snapshot(found, store) if found is not None else None

    def save(self) -> None:
        """Save the graph beside the store (if built, and on an embedded store on disk).

        Call it when no write is under way (the server calls it once it has stopped
        serving): the graph must hold every write made before the token is read."""
        store = self._snapshot_store()
        with self._lock:
            self._save(store.write_token if store is not None else None)

    def _save(self, token: str | None) -> None:
        store = self._snapshot_store()
        if self._graph is None or store is None or store.path is None or store.read_only:
            return
        if token is None:
            return
        try:
            snapshots.save(store.path, token, self._graph.snapshot())
        except OSError:  # a derived view: a start-up that reads the store instead
            log.exception("could not save the claim graph's snapshot")

    def update(self, iris: list[str]) -> None:
        """Bring the graph in step with the claims ``iris``.

        The write that calls this has already been stored: should the update fail,
        the graph is dropped and rebuilt on next use rather than failing the write.
        """
        with self._lock:
            if self._graph is None:
                return
            try:
                self._graph.update(iris)
            except Exception:  # a derived view must never fail the write it follows
                log.exception("claim graph update failed; it will be rebuilt on next use")
                self._graph = None

    @property
    def built(self) -> bool:
        return self._graph is not None
