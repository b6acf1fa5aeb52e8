"""The claim graph: active claims projected into a networkx multigraph, and mechanism paths.

:class:`ClaimGraph` holds one node per entity (label and types as node data) and one
edge per **active** claim, from its subject to its object, keyed by the claim IRI
and carrying the claim's :class:`~kg.projection.ClaimRecord` (relation, finding,
hedging, study design, participants, context, source). Retracted claims are not in
it. It is built from the store (:meth:`ClaimGraph.from_store`) and kept in step
with writes by :meth:`ClaimGraph.update`, which a
:class:`~kg.curation.ClaimService` listener calls with the IRIs each write changed.

Paths through it are ranked by their evidence in :mod:`kg.evidence.paths`; the
relations that never form a step are :data:`NON_MECHANISTIC`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx

from gbkg.kg import snapshot as snapshots
from gbkg.kg.ids import compress
from gbkg.kg.namespaces import GBA
from gbkg.kg.projection import (
    ClaimRecord,
    EntityName,
    Vocabulary,
    claim_record,
    claim_records,
    entity_classes,
    read_entities,
    read_entity,
)
from gbkg.kg.snapshot import Snapshot
from gbkg.kg.store import Backend, OxigraphStore

log = logging.getLogger("gbkg.analytics")

#: Relations that describe rather than link cause to effect: never a step of a path.
NON_MECHANISTIC = frozenset(
    str(r) for r in (GBA.studiedFor, GBA.hasAttribute, GBA.hasPrevalence, GBA.effectDependsOn)
)


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
        #: Views derived from this graph (``kg.evidence``): dropped on every update,
        #: unless the view has ``follow(dropped, added)`` (the records an update took
        #: out and put in) and it answers that it kept itself in step.
        self.derived: dict[str, object] = {}

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
            dropped: list[ClaimRecord] = []
            added: list[ClaimRecord] = []
            for iri in iris:
                ends = self._edges.get(iri)
                if ends is not None:
                    dropped.append(self.graph.edges[(*ends, iri)]["record"])
                self._drop(iri)
                record = claim_record(self.store, iri)
                if record is None:
                    continue
                if record.active:
                    added.append(record)
                for end in (record.subject, record.object):
                    name = read_entity(self.store, end, self.entity_classes)
                    if name is not None:
                        self.entities[end] = name
                        if end in self.graph:
                            self.graph.nodes[end].update(
                                label=name.display, types=sorted(name.types)
                            )
                self._add(record)
            for key, view in list(self.derived.items()):
                follow = getattr(view, "follow", None)
                if follow is None or not follow(dropped, added):
                    del self.derived[key]

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
