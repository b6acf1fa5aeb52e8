"""The second store backend: an external triplestore over the SPARQL 1.1 Protocol.

:class:`RemoteStore` implements :class:`~kg.store.Backend` with query and update
requests only (plus Oxigraph's Graph Store endpoint for whole datasets), so any
number of stateless ``gbkg serve`` processes can share one triplestore
(``GBKG_STORE=http://…``). What differs from the embedded store, and why:

- **Bound values.** The protocol has no ``substitutions``; they become a ``VALUES``
  block written from pyoxigraph-serialized terms (:mod:`kg.query_binding`).
- **Atomic writes.** Each write is *one update operation* (``INSERT DATA``, or one
  ``DELETE … INSERT … WHERE``), because Virtuoso commits each operation of a
  request on its own (measured: a failing third operation left the first two
  written); Oxigraph commits a whole request at once. Bulk writes are cut into
  operations of :data:`CHUNK_QUADS` quads (Virtuoso's parser gives up near 5,000
  triples in one ``INSERT DATA``); on Oxigraph, bulk writes go to the Graph Store
  endpoint in one request (one transaction).
- **A claim is stored once** even when several processes write it at once: a
  conditional insert plus the read-back and repair of :mod:`kg.claim_log`.
  The condition is a ``COUNT`` subquery, because Virtuoso 7.2 ignores
  ``FILTER NOT EXISTS`` over a pattern without variables (measured; see
  ``tests/backends/test_dialects.py``).
- **Only gbkg's graphs.** Virtuoso keeps its own graphs (``virtrdf#`` and others)
  in the same store, and the change log lives in graphs of its own: store-wide
  reads (:meth:`RemoteStore.quads`, counts, export) leave both out. Queries through
  ``/sparql`` on the union default graph still see them (documented in
  ``docs/deploy.md``). Every quad lives in a named graph (gbkg writes nothing to the
  default graph; Virtuoso has none).
- **Limits.** Query time limits and result caps are passed to the server
  (:mod:`kg.sparql_protocol_client`); rows past ``row_limit`` are never read.
"""

from __future__ import annotations

import hashlib
import io
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from gbkg.kg.claim_log import (
    AT,
    CHANGES,
    CLAIM,
    KIND,
    MAX_ROUNDS,
    ORIGIN,
    PUBINFO,
    ChangeEvent,
    ChangeFeed,
    ChangeKind,
    event_from_row,
    is_log_graph,
    same_statements,
    winner,
)
from gbkg.kg.errors import StoreError
from gbkg.kg.query_binding import bind_values
from gbkg.kg.sparql_analysis import classify
from gbkg.kg.sparql_formats import ResultFormat, write_solutions
from gbkg.kg.sparql_protocol_client import N_QUADS, Dialect, Endpoint, ProtocolClient
from gbkg.kg.store import GraphName, QueryAnswer, claim_count

#: Quads per update operation (Virtuoso's SPARQL parser runs out near 5,000 triples).
CHUNK_QUADS = 1000
#: Graphs a fresh Virtuoso 7.2 holds for itself.
VIRTUOSO_GRAPHS = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
)
GBA_CLAIM = ox.NamedNode("https://w3id.org/gbkg/ontology#Claim")
GBA_RETRACTS = ox.NamedNode("https://w3id.org/gbkg/ontology#retracts")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
#: Retractions' IRIs (:func:`kg.record.layout.retraction_iri`), spelled out as in kg.store.
RETRACTION_NS = "https://w3id.org/gbkg/retraction/"

Stopper = Callable[[], None]


class RemoteStore:
    """A SPARQL 1.1 Protocol triplestore behind the :class:`~kg.store.Backend` interface."""

    def __init__(
        self,
        endpoint: Endpoint,
        *,
        timeout_s: float = 10.0,
        write_timeout_s: float = 300.0,
        poll_s: float = 2.0,
    ) -> None:
        self.endpoint = endpoint
        self.name = f"sparql:{endpoint.dialect}"
        self.timeout_s = timeout_s
        self.write_timeout_s = write_timeout_s
        self.poll_s = poll_s
        self.client = ProtocolClient(endpoint, timeout_s=timeout_s)
        #: Orders this process's own read-check-write sequences; other processes
        #: are kept apart by the conditional writes and the change log.
        self.write_lock: AbstractContextManager[Any, Any] = threading.RLock()
        #: Marks this process's change events, so its feed skips its own writes.
        self.origin = f"urn:uuid:{uuid.uuid4()}"
        #: No local files: queries go to the server, never to local worker processes.
        self.path: Path | None = None
        self.hidden_graphs = VIRTUOSO_GRAPHS if endpoint.dialect is Dialect.VIRTUOSO else ()
        self._feeds: list[ChangeFeed] = []

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint.query_url!r}, {self.endpoint.dialect})"

    # Queries -------------------------------------------------------------------------

    @property
    def generation(self) -> int:
        """Always 0: no local reader opens a remote store's files, so none needs to reopen."""
        return 0

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
        default_graph: Sequence[GraphName] | None = None,
        named_graphs: Sequence[ox.NamedNode | ox.BlankNode] | None = None,
        union_default_graph: bool = True,
        base_iri: str | None = None,
        row_limit: int | None = None,
        timeout_s: float | None = None,
    ) -> QueryAnswer:
        """Evaluate on the server; the answer as pyoxigraph result objects.

        The seam the ``/sparql`` runner calls: ``row_limit`` rows at most are read
        (the rest is never transferred past the server's send buffer), and
        ``timeout_s`` is the server-side limit. Its default: ``GBKG_QUERY_TIMEOUT_S``
        for a query with a ``row_limit`` (a user's: the runner of ``/sparql`` and
        ``/queries`` always passes one), else the write timeout (gbkg's own reads,
        such as the claim graph's build over every claim, which the embedded store
        never cuts short either).
        """
        if timeout_s is None and row_limit is None:
            timeout_s = self.write_timeout_s
        text = bind_values(sparql, substitutions)
        if base_iri is not None:
            text = f"BASE {ox.NamedNode(base_iri)}\n{text}"
        options: dict[str, Any] = {
            "union_default_graph": union_default_graph,
            "default_graph": _graph_names(default_graph),
            "named_graphs": _graph_names(named_graphs),
            "timeout_s": timeout_s,
            "max_rows": row_limit,
        }
        if classify(sparql).form.returns_graph:
            triples = self.client.triples(text, **options)
            if row_limit is not None:
                triples = triples[:row_limit]
            return _as_query_triples(triples)
        if row_limit is None:
            return self.client.solutions(text, **options)
        return self._solutions_up_to(text, row_limit, options)

    def _solutions_up_to(
        self, text: str, row_limit: int, options: dict[str, Any]
    ) -> ox.QuerySolutions | ox.QueryBoolean:
        with self.client.query(text, **options) as answer:
            reader = io.BufferedReader(_ResponseReader(answer.response.iter_raw()))
            parsed = self.client.parse_results(reader, options["timeout_s"])
            if isinstance(parsed, ox.QueryBoolean):
                return parsed
            variables = [v.value for v in parsed.variables]
            rows = []
            try:
                for solution in parsed:
                    rows.append(tuple(solution[i] for i in range(len(variables))))
                    if len(rows) >= row_limit:
                        break
            except SyntaxError as error:
                raise self.client._broken(reader.peek(), options["timeout_s"], error) from error
        body = write_solutions(variables, rows, ResultFormat.JSON)
        return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)

    def _select(self, text: str, **bound: ox.NamedNode | ox.Literal) -> ox.QuerySolutions:
        """An internal SELECT over every graph, uncapped (a capped answer is an error)."""
        with self.client.query(bind_values(text, bound), timeout_s=self.write_timeout_s) as answer:
            if answer.capped:
                raise StoreError(
                    f"the triplestore capped an internal read ({self.endpoint.dialect} "
                    "ResultSetMaxRows); raise it above the store's quad count (docs/deploy.md)"
                )
            body = answer.response.read()
        result = self.client.parse_results(body, self.write_timeout_s)
        assert isinstance(result, ox.QuerySolutions)
        return result

    def _ask(self, text: str) -> bool:
        result = self.client.solutions(text, timeout_s=self.write_timeout_s)
        return bool(result)

    # Reads ---------------------------------------------------------------------------

    def _visible(self, graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> bool:
        if not isinstance(graph, ox.NamedNode):
            return True
        return not is_log_graph(graph.value) and graph.value not in self.hidden_graphs

    def _visible_filter(self, variable: str = "?g") -> str:
        hidden = " ".join(str(ox.NamedNode(g)) for g in self.hidden_graphs)
        parts = [f"!STRSTARTS(STR({variable}), {ox.Literal(CHANGES)})"]
        if hidden:
            parts.append(f"{variable} NOT IN ({', '.join(hidden.split())})")
        return f"FILTER({' && '.join(parts)})"

    def quads(self, graph: GraphName | None = None) -> Iterator[ox.Quad]:
        """As they arrive: the Graph Store Protocol's N-Quads are parsed while they stream
        (the response stays open while the caller iterates)."""
        if isinstance(graph, ox.NamedNode | ox.BlankNode):
            rows = self._select("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }", g=graph)  # type: ignore[arg-type]
            yield from (ox.Quad(r["s"], r["p"], r["o"], graph) for r in rows)
            return
        if isinstance(graph, ox.DefaultGraph):
            return
        if self.endpoint.store_url is not None:
            with self.client.get_dataset() as response:
                reader = io.BufferedReader(_ResponseReader(response.iter_raw()))
                found = ox.parse(reader, format=ox.RdfFormat.N_QUADS)
                yield from (q for q in found if self._visible(q.graph_name))
            return
        rows = self._select("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
        yield from (ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows if self._visible(r["g"]))

    def quads_about(self, subject: ox.NamedNode) -> list[ox.Quad]:
        rows = self._select("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }", s=subject)
        return [ox.Quad(subject, r["p"], r["o"], r["g"]) for r in rows if self._visible(r["g"])]

    def subjects_with(
        self, predicate: ox.NamedNode, object: ox.NamedNode | ox.Literal
    ) -> set[ox.NamedNode | ox.BlankNode]:
        rows = self._select(
            "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }", p=predicate, o=object
        )
        return {r["s"] for r in rows}

    def contains_graph(self, graph: ox.NamedNode) -> bool:
        return self._ask(f"ASK {{ GRAPH {graph} {{ ?s ?p ?o }} }}")

    def claim_page(
        self, *, offset: int, limit: int, include_retracted: bool
    ) -> tuple[list[str], int]:
        """In IRI order, paged by the server (``ORDER BY``, ``LIMIT``, ``OFFSET``); the
        numbers are validated integers, written by ``int``."""
        active = (
            ""
            if include_retracted
            else f"FILTER NOT EXISTS {{ GRAPH ?r {{ ?retraction {GBA_RETRACTS} ?c }} }}"
        )
        where = f"WHERE {{ GRAPH ?g {{ ?c {RDF_TYPE} {GBA_CLAIM} }} {active} }}"
        rows = self._select(
            f"SELECT DISTINCT ?c {where} ORDER BY ?c LIMIT {int(limit)} OFFSET {int(offset)}"
        )
        page = [row["c"].value for row in rows]
        for row in self._select(f"SELECT (COUNT(DISTINCT ?c) AS ?n) {where}"):
            return page, int(row["n"].value)
        return page, 0

    def claim_total(self) -> int:
        """A count on the server, at each call (other processes write too)."""
        return claim_count(self)

    def triple_count(self) -> int:
        rows = self._select(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } " + self._visible_filter() + " }"
        )
        for row in rows:
            return int(row["n"].value)
        return 0

    def is_empty(self) -> bool:
        return not self._ask("ASK { GRAPH ?g { ?s ?p ?o } " + self._visible_filter() + " }")

    # Writes --------------------------------------------------------------------------

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads: one Graph Store request on Oxigraph (one transaction), else
        ``INSERT DATA`` operations of :data:`CHUNK_QUADS` quads (each atomic).

        Claims among the quads are logged (kind ``load``) so other processes' claim
        graphs follow.
        """
        quads = list(quads)
        _check_named(quads)
        events = [ChangeEvent.new(iri, ChangeKind.LOAD, self.origin) for iri in _claims_in(quads)]
        quads += [q for e in events for q in e.quads()]
        if self.endpoint.store_url is not None:
            data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
            assert data is not None
            self.client.post_dataset(data, media_type=N_QUADS)
            return
        for start in range(0, len(quads), CHUNK_QUADS):
            chunk = quads[start : start + CHUNK_QUADS]
            self.client.update(f"INSERT DATA {{ {_data(chunk)} }}", timeout_s=self.write_timeout_s)

    def load(self, data: bytes | IO[bytes], *, format: ox.RdfFormat) -> None:
        """Parse here (a parse error sends nothing), then :meth:`extend`."""
        try:
            quads = list(ox.parse(data, format=format))
        except SyntaxError as error:
            raise StoreError(f"the data does not parse: {error}") from error
        self.extend(quads)

    def apply(self, *, remove: Iterable[ox.Quad], add: Iterable[ox.Quad]) -> None:
        """Remove and add in one update operation (``DELETE … INSERT … WHERE {}``)."""
        remove, add = list(remove), list(add)
        _check_named(add)
        self.client.update(
            f"DELETE {{ {_data(remove)} }} INSERT {{ {_data(add)} }} WHERE {{}}",
            timeout_s=self.write_timeout_s,
        )

    def store_claims(
        self,
        claims: Mapping[str, Sequence[ox.Quad]],
        *,
        retractions: Mapping[str, Sequence[ox.Quad]] | None = None,
    ) -> set[str]:
        """Store each claim unless it is stored already; the IRIs this call stored.

        One conditional insert per claim (the claim and its change event), then the
        read-back and repair of :mod:`kg.claim_log`; then each retraction
        (:meth:`store_retraction`): on a remote store a batch is not one transaction.
        """
        stored = self._store_new_claims(claims)
        for iri, quads in (retractions or {}).items():
            self.store_retraction(iri, quads)
        return stored

    def is_retracted(self, iri: str) -> bool:
        return self._ask(f"ASK {{ GRAPH ?g {{ ?r {GBA_RETRACTS} {ox.NamedNode(iri)} }} }}")

    def retracted(self, iris: Iterable[str]) -> set[str]:
        """One query per 200 claims (``VALUES``)."""
        wanted = list(dict.fromkeys(iris))
        found: set[str] = set()
        for start in range(0, len(wanted), 200):
            values = " ".join(str(ox.NamedNode(i)) for i in wanted[start : start + 200])
            rows = self._select(
                f"SELECT DISTINCT ?c WHERE {{ VALUES ?c {{ {values} }} "
                f"GRAPH ?g {{ ?r {GBA_RETRACTS} ?c }} }}"
            )
            found |= {row["c"].value for row in rows}
        return found

    def store_retraction(
        self,
        iri: str,
        retraction: Sequence[ox.Quad],
        *,
        claims: Mapping[str, Sequence[ox.Quad]] | None = None,
    ) -> bool:
        """The retraction (and a superseding claim) in one conditional update operation,
        unless the claim is retracted; then the read-back and repair of both (two
        processes retracting at once: the earliest retraction is kept, :mod:`kg.claim_log`)."""
        graph = _retraction_graph(retraction)
        _check_named(retraction)
        event = ChangeEvent.new(
            iri, ChangeKind.RETRACT, self.origin, [q for q in retraction if q.graph_name == graph]
        )
        body = [*retraction, *event.quads()]
        for claim, quads in (claims or {}).items():
            _check_named(quads)
            pubinfo = ox.NamedNode(claim + "#pubinfo")
            created = ChangeEvent.new(
                claim, ChangeKind.CREATE, self.origin, [q for q in quads if q.graph_name == pubinfo]
            )
            body += [*quads, *created.quads()]
        guard = _count_is_zero(f"GRAPH ?r {{ ?retraction {GBA_RETRACTS} {ox.NamedNode(iri)} }}")
        self.client.update(
            f"INSERT {{ {_data(body)} }} WHERE {{ {guard} }}", timeout_s=self.write_timeout_s
        )
        won = self.settle([iri], kind=ChangeKind.RETRACT)
        if claims:
            self.settle(list(claims))
        return won.get(iri) == event.id

    def _store_new_claims(self, claims: Mapping[str, Sequence[ox.Quad]]) -> set[str]:
        stored: set[str] = set()
        pending = dict(claims)
        for attempt in range(MAX_ROUNDS):
            stored |= self._store_claims_once(pending)
            absent = self._absent(list(pending))
            if not absent:
                return stored
            # Virtuoso reads uncommitted rows: another writer's claim can be seen
            # by the condition, then be gone (rolled back) or not yet readable.
            time.sleep(0.05 * (attempt + 1))
            pending = {iri: claims[iri] for iri in absent}
        raise StoreError(
            f"{len(pending)} claim(s) could not be stored while other writers wrote them; "
            "retry the request"
        )

    def _store_claims_once(self, claims: Mapping[str, Sequence[ox.Quad]]) -> set[str]:
        events: dict[str, ChangeEvent] = {}
        operations: list[tuple[int, str]] = []
        for iri, quads in claims.items():
            quads = list(quads)
            _check_named(quads)
            pubinfo = ox.NamedNode(iri + "#pubinfo")
            event = ChangeEvent.new(
                iri, ChangeKind.CREATE, self.origin, [q for q in quads if q.graph_name == pubinfo]
            )
            events[iri] = event
            claim = ox.NamedNode(iri)
            guard = _count_is_zero(f"GRAPH {ox.NamedNode(iri + '#assertion')} "
                                   f"{{ {claim} {RDF_TYPE} {GBA_CLAIM} }}")  # fmt: skip
            body = _data([*quads, *event.quads()])
            operations.append((len(quads), f"INSERT {{ {body} }} WHERE {{ {guard} }}"))
        self._send_batched(operations)
        won = self.settle(list(claims))
        return {iri for iri, event in events.items() if won.get(iri) == event.id}

    def settle(
        self, iris: Sequence[str], *, kind: ChangeKind = ChangeKind.CREATE
    ) -> dict[str, str]:
        """Make the graph each claim's events of ``kind`` decide (its publication info for
        a creation, its retraction's graph for a retraction) its winning event's; claim →
        winning event id.

        Reads the events and the graphs of ``iris``, replaces every graph
        that differs from its winner's (one operation each), and reads again, until
        all agree or :data:`MAX_ROUNDS` rounds have passed (then a
        :class:`~kg.errors.StoreError`: the write happened, its attribution is not
        settled yet; a retry settles it).
        """
        pending = list(dict.fromkeys(iris))
        winners: dict[str, str] = {}
        for _ in range(MAX_ROUNDS):
            events = self._events_of(pending)
            stored = self._graphs_of(pending, kind)
            repairs = []
            for iri in pending:
                best = winner(events.get(iri, []), kind)
                if best is None:
                    continue
                winners[iri] = best.id
                if not same_statements(stored.get(iri, []), best.pubinfo):
                    repairs.append((iri, best))
            if not repairs:
                return winners
            for iri, best in repairs:
                graph = _decided_graph(iri, kind)
                self.client.update(
                    f"DELETE {{ GRAPH {graph} {{ ?s ?p ?o }} }} "
                    f"INSERT {{ {_data(best.pubinfo)} }} "
                    f"WHERE {{ OPTIONAL {{ GRAPH {graph} {{ ?s ?p ?o }} }} }}",
                    timeout_s=self.write_timeout_s,
                )
            pending = [iri for iri, _ in repairs]
        raise StoreError(
            f"the publication info of {len(pending)} claim(s) did not settle after "
            f"{MAX_ROUNDS} rounds of concurrent writes; retry the request"
        )

    def _absent(self, iris: Sequence[str]) -> list[str]:
        """The claims of ``iris`` whose assertion graph cannot be read."""
        found: set[str] = set()
        for start in range(0, len(iris), 200):
            names = " ".join(str(ox.NamedNode(i + "#assertion")) for i in iris[start : start + 200])
            rows = self._select(
                f"SELECT DISTINCT ?g WHERE {{ VALUES ?g {{ {names} }} GRAPH ?g {{ ?s ?p ?o }} }}"
            )
            found |= {row["g"].value.removesuffix("#assertion") for row in rows}
        return [iri for iri in iris if iri not in found]

    def _events_of(self, iris: Sequence[str]) -> dict[str, list[ChangeEvent]]:
        found: dict[str, list[ChangeEvent]] = defaultdict(list)
        for start in range(0, len(iris), 200):
            values = " ".join(str(ox.NamedNode(i)) for i in iris[start : start + 200])
            rows = self._select(
                "SELECT ?e ?claim ?kind ?at ?origin ?pubinfo WHERE { "
                f"VALUES ?claim {{ {values} }} GRAPH ?g {{ ?e {CLAIM} ?claim ; {KIND} ?kind ; "
                f"{AT} ?at ; {ORIGIN} ?origin . OPTIONAL {{ ?e {PUBINFO} ?pubinfo }} }} }}"
            )
            for row in rows:
                event = event_from_row(*(_text(row[v]) for v in (  # type: ignore[arg-type]
                    "e", "claim", "kind", "at", "origin", "pubinfo")))  # fmt: skip
                found[event.claim].append(event)
        return found

    def _graphs_of(self, iris: Sequence[str], kind: ChangeKind) -> dict[str, list[ox.Quad]]:
        """Claim → the quads of the graph its events of ``kind`` decide."""
        found: dict[str, list[ox.Quad]] = defaultdict(list)
        for start in range(0, len(iris), 200):
            by_graph = {_decided_graph(i, kind): i for i in iris[start : start + 200]}
            names = " ".join(str(g) for g in by_graph)
            rows = self._select(
                f"SELECT ?g ?s ?p ?o WHERE {{ VALUES ?g {{ {names} }} GRAPH ?g {{ ?s ?p ?o }} }}"
            )
            for row in rows:
                graph = row["g"]
                assert isinstance(graph, ox.NamedNode)
                found[by_graph[graph]].append(ox.Quad(row["s"], row["p"], row["o"], graph))
        return found

    def _send_batched(self, operations: Sequence[tuple[int, str]]) -> None:
        """Operations joined with ``;`` into requests of about :data:`CHUNK_QUADS` quads."""
        batch: list[str] = []
        size = 0
        for count, operation in operations:
            if batch and size + count > CHUNK_QUADS:
                self.client.update(" ;\n".join(batch), timeout_s=self.write_timeout_s)
                batch, size = [], 0
            batch.append(operation)
            size += count
        if batch:
            self.client.update(" ;\n".join(batch), timeout_s=self.write_timeout_s)

    # Following other processes -------------------------------------------------------

    def poll_changes(self, graphs: Sequence[str]) -> list[ChangeEvent]:
        """The events in the minute graphs ``graphs`` (without their publication info)."""
        values = " ".join(str(ox.NamedNode(g)) for g in graphs)
        rows = self._select(
            f"SELECT ?e ?claim ?kind ?at ?origin WHERE {{ VALUES ?g {{ {values} }} "
            f"GRAPH ?g {{ ?e {CLAIM} ?claim ; {KIND} ?kind ; {AT} ?at ; {ORIGIN} ?origin }} }}"
        )
        events = []
        for row in rows:
            e, claim, kind, at, origin = (
                _text(row[v]) or "" for v in ("e", "claim", "kind", "at", "origin")
            )
            events.append(event_from_row(e, claim, kind, at, origin, None))
        return events

    def watch(self, on_change: Callable[[list[str]], None]) -> Stopper:
        """Call ``on_change`` with the claims other processes write, every ``poll_s``."""
        feed = ChangeFeed(self.poll_changes, on_change, origin=self.origin, interval_s=self.poll_s)
        feed.start()
        self._feeds.append(feed)
        return feed.stop

    # Lifecycle -----------------------------------------------------------------------

    def flush(self) -> None:
        """Nothing to do: every write was acknowledged by the server."""

    def close(self) -> None:
        for feed in self._feeds:
            feed.stop()
        self._feeds.clear()
        self.client.close()

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _ResponseReader(io.RawIOBase):
    """A file object over an httpx byte stream, for pyoxigraph's streaming parsers."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = chunk
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _graph_names(graphs: Sequence[GraphName] | None) -> list[str] | None:
    if graphs is None:
        return None
    return [g.value for g in graphs if isinstance(g, ox.NamedNode)]


def _as_query_triples(triples: Sequence[ox.Triple]) -> ox.QueryTriples:
    """Triples as the embedded store returns them (an in-memory store's CONSTRUCT)."""
    memory = ox.Store()
    memory.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    result = memory.query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert isinstance(result, ox.QueryTriples)
    return result


def _check_named(quads: Iterable[ox.Quad]) -> None:
    for quad in quads:
        if isinstance(quad.graph_name, ox.DefaultGraph):
            raise StoreError(
                "the SPARQL-protocol backend keeps every quad in a named graph "
                f"(Virtuoso has no default graph of its own); got {quad}"
            )


def _data(quads: Iterable[ox.Quad]) -> str:
    """Quads as SPARQL data, grouped by graph; every term serialized by pyoxigraph."""
    by_graph: dict[str, list[str]] = defaultdict(list)
    for q in quads:
        by_graph[str(q.graph_name)].append(f"{q.subject} {q.predicate} {q.object} .")
    return " ".join(f"GRAPH {g} {{ {' '.join(t)} }}" for g, t in by_graph.items())


def _count_is_zero(pattern: str) -> str:
    """A condition that holds when ``pattern`` has no match (works on Virtuoso too)."""
    return f"{{ SELECT (COUNT(*) AS ?found) WHERE {{ {pattern} }} }} FILTER(?found = 0)"


def _claims_in(quads: Iterable[ox.Quad]) -> list[str]:
    """Claims typed in their own assertion graph among ``quads``."""
    return sorted(
        q.subject.value
        for q in quads
        if q.predicate == RDF_TYPE
        and q.object == GBA_CLAIM
        and isinstance(q.subject, ox.NamedNode)
        and isinstance(q.graph_name, ox.NamedNode)
        and q.graph_name.value == q.subject.value + "#assertion"
    )


def _decided_graph(iri: str, kind: ChangeKind) -> ox.NamedNode:
    """The graph a claim's events of ``kind`` decide: its publication info, or its
    retraction's own graph."""
    if kind is ChangeKind.RETRACT:
        return ox.NamedNode(RETRACTION_NS + hashlib.sha256(iri.encode("utf-8")).hexdigest()[:32])
    return ox.NamedNode(iri + "#pubinfo")


def _retraction_graph(quads: Sequence[ox.Quad]) -> ox.NamedNode:
    for quad in quads:
        if quad.predicate == GBA_RETRACTS and isinstance(quad.graph_name, ox.NamedNode):
            return quad.graph_name
    raise ValueError("a retraction's quads name the claim they retract (gba:retracts)")


def _text(term: ox.NamedNode | ox.Literal | None) -> str | None:
    return None if term is None else term.value
