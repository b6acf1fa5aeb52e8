"""The store: an embedded Oxigraph database on disk behind one small interface.

:class:`OxigraphStore` is the embedded backend. A backend that speaks the SPARQL 1.1
Protocol to an external triplestore implements the same :class:`Backend` protocol
(query, atomic writes, counts), so the rest of the code never knows which it has.

Every write is one transaction: :meth:`OxigraphStore.extend` and
:meth:`OxigraphStore.load` use Oxigraph's transactional ``extend``/``load``;
:meth:`OxigraphStore.apply` (removals and additions together) is one SPARQL
``DELETE DATA``/``INSERT DATA`` update whose terms are serialized by Oxigraph
itself from validated term objects, never spliced from input text.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO, Any, Protocol

import pyoxigraph as ox

from gbkg.kg.errors import StoreError, StoreLockedError
from gbkg.kg.sparql_errors import query_syntax_error

#: The ontology namespace, spelled out: kg.namespaces imports rdflib, which the query
#: workers (which import this module) do without.
_GBA = "https://w3id.org/gbkg/ontology#"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_CLAIM = ox.NamedNode(_GBA + "Claim")
#: A retraction names the claim it retracts: the one triple a claim's status is derived from.
RETRACTS = ox.NamedNode(_GBA + "retracts")

#: What the store answers a query with (Oxigraph's lazy result objects); the collected
#: answer of the query endpoint is :class:`kg.sparql.QueryResult`.
QueryAnswer = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


class Backend(Protocol):
    """What every store backend offers."""

    name: str
    #: Orders this process's read-check-write sequences (the store's own
    #: transactions are atomic regardless).
    write_lock: AbstractContextManager[Any, Any]
    #: Path of the on-disk store, ``None`` in memory (other processes may open it read-only).
    path: Path | None

    @property
    def generation(self) -> int:
        """How many writes this object made: a reader that opened the store at an
        older generation must reopen it to see them."""

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
    ) -> QueryAnswer: ...

    def extend(self, quads: Iterable[ox.Quad]) -> None: ...

    def apply(self, *, remove: Iterable[ox.Quad], add: Iterable[ox.Quad]) -> None: ...

    def load(self, data: bytes | IO[bytes], *, format: ox.RdfFormat) -> None: ...

    def store_claims(
        self,
        claims: Mapping[str, Sequence[ox.Quad]],
        *,
        retractions: Mapping[str, Sequence[ox.Quad]] | None = None,
    ) -> set[str]:
        """Store each claim (IRI → its quads) unless stored; the IRIs this call stored.
        ``retractions`` (claim IRI → its retraction's quads: a batch's supersessions)
        are stored with them unless the claim is retracted already."""
        ...

    def is_retracted(self, iri: str) -> bool:
        """Whether a retraction names the claim ``iri``."""
        ...

    def retracted(self, iris: Iterable[str]) -> set[str]:
        """The claims of ``iris`` a retraction names (a listing's filter, in one go)."""
        ...

    def store_retraction(
        self,
        iri: str,
        retraction: Sequence[ox.Quad],
        *,
        claims: Mapping[str, Sequence[ox.Quad]] | None = None,
    ) -> bool:
        """Store the retraction of the claim ``iri`` (a record in a graph of its own, the
        graph of its ``gba:retracts`` quad) unless the claim is retracted already, and
        ``claims`` (a superseding claim) with it, in one transaction; whether this call's
        retraction is the one kept. The claim's own graphs are not touched."""
        ...

    def watch(self, on_change: Callable[[list[str]], None]) -> Callable[[], None]:
        """Follow claims other processes write (a remote store); returns the stopper."""
        ...

    def quads(self, graph: GraphName | None = None) -> Iterator[ox.Quad]:
        """The quads of ``graph`` (default: every graph), as the store yields them: a
        caller that reads the whole store (the exporter) holds one quad at a time."""
        ...

    def quads_about(self, subject: ox.NamedNode) -> list[ox.Quad]: ...

    def subjects_with(
        self, predicate: ox.NamedNode, object: ox.NamedNode | ox.Literal
    ) -> set[ox.NamedNode | ox.BlankNode]: ...

    def contains_graph(self, graph: ox.NamedNode) -> bool: ...

    def claim_page(
        self, *, offset: int, limit: int, include_retracted: bool
    ) -> tuple[list[str], int]:
        """A page of the stored claims (the retracted ones only if asked), in the store's
        order, stable between writes; and how many there are in all.

        ``GET /claims`` without a filter: the store pages, so no request builds or
        sorts the list of every claim."""
        ...

    def triple_count(self) -> int:
        """Quads in the store (every graph)."""
        ...

    def claim_total(self) -> int:
        """Claims in the store, retracted ones too (what :func:`claim_count` counts)."""
        ...

    def is_empty(self) -> bool: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...


class OxigraphStore:
    """Oxigraph on disk (RocksDB), or in memory when ``path`` is ``None``.

    >>> store = OxigraphStore(None)
    >>> store.is_empty()
    True
    """

    name = "oxigraph"

    def __init__(self, path: str | Path | None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        if self.path is None:
            self._store = ox.Store()
        elif read_only:
            self._store = _open_read_only(self.path)
        else:
            self.path.mkdir(parents=True, exist_ok=True)
            try:
                self._store = ox.Store(str(self.path))
            except OSError as error:
                if _LOCK_FILE in str(error):
                    raise StoreLockedError(
                        f"the store at {self.path} is in use by another process (a running "
                        "`gbkg serve`?): an on-disk store has one writer at a time",
                        path=str(self.path),
                    ) from error
                raise StoreError(f"cannot open the store at {self.path}: {error}") from error
        self.read_only = read_only
        # [quads, claims], kept up to date by this process's writes (the store's one
        # writer); None until first asked, and after a write whose effect is not
        # worked out (a load of a whole file): then counted again on the next ask.
        self._counts: list[int] | None = None
        self._counts_lock = threading.Lock()
        self._generation = 0
        self._generation_lock = threading.Lock()
        self._token_renewed = False
        # Oxigraph transactions are atomic on their own; this lock only keeps the
        # read-modify-write sequences of this process (check, then write) in order.
        self.write_lock: AbstractContextManager[Any, Any] = threading.RLock()

    def __repr__(self) -> str:
        return f"OxigraphStore({str(self.path) if self.path else 'memory'!r})"

    @property
    def generation(self) -> int:
        """Bumped when each write returns (read-only openers of the same directory,
        the query workers, reopen when it moved)."""
        return self._generation

    @property
    def write_token(self) -> str | None:
        """A text that changes before the first write after each reading of it: a view
        derived from the store (the claim graph's snapshot) and saved with the token
        read *before* the view was taken is current while the token is the same.
        ``None`` in memory (or read-only, before a write of this class marked the store).

        It lives in :data:`WRITE_TOKEN_FILE` inside the store's directory (RocksDB
        leaves files it does not name alone). Writes by other programs (``oxigraph
        load`` on the directory) do not renew it: remove the file after such a write.
        """
        if self.path is None:
            return None
        # Whoever reads the token may save something with it: the next write renews it.
        self._token_renewed = False
        try:
            return (self.path / WRITE_TOKEN_FILE).read_text(encoding="utf-8").strip() or None
        except OSError:
            if self.read_only:
                return None
        self._renew_token()  # a store no write of this class has marked yet
        return self.write_token

    def _renew_token(self) -> None:
        """Before the first write since the token was read: a new one, written atomically."""
        if self._token_renewed or self.path is None:
            return
        tmp = self.path / (WRITE_TOKEN_FILE + ".tmp")
        tmp.write_text(uuid.uuid4().hex, encoding="utf-8")
        os.replace(tmp, self.path / WRITE_TOKEN_FILE)
        self._token_renewed = True

    def _wrote(self) -> None:
        with self._generation_lock:
            self._generation += 1

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
    ) -> QueryAnswer:
        """Evaluate a query; values are bound as terms through ``substitutions``.

        With no ``default_graph``, the default graph is the union of all graphs
        (each claim lives in its own named graphs). ``base_iri`` resolves the
        query's relative IRIs (the SPARQL endpoint passes its own URL).
        ``row_limit`` is a hint for remote stores; Oxigraph's answers are lazy.
        """
        subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(k): v for k, v in (substitutions or {}).items()
        }
        try:
            if default_graph is not None:
                return self._store.query(
                    sparql,
                    base_iri=base_iri,
                    substitutions=subs,
                    default_graph=list(default_graph),
                    named_graphs=list(named_graphs) if named_graphs is not None else None,
                )
            return self._store.query(
                sparql,
                base_iri=base_iri,
                substitutions=subs,
                use_default_graph_as_union=union_default_graph,
                named_graphs=list(named_graphs) if named_graphs is not None else None,
            )
        except SyntaxError as error:
            raise query_syntax_error(error, sparql) from None
        except OSError as error:
            raise StoreError(f"the store could not answer: {error}") from error

    def extend(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one transaction."""
        self._check_writable()
        with self.write_lock:
            quads = list(quads)
            delta = self._delta(add=quads)
            try:
                self._store.extend(quads)
            except OSError as error:
                delta = None
                raise StoreError(f"the write failed and was rolled back: {error}") from error
            finally:
                self._count_write(delta)
                self._wrote()

    def bulk_load(
        self, source: IO[bytes] | Iterable[ox.Quad], *, format: ox.RdfFormat | None = None
    ) -> None:
        """Oxigraph's bulk loader: RDF (``format``) or quads streamed to disk, at the
        engine's speed, and **not** in one transaction: a failure part way leaves the
        quads before it stored. For data that needs no checks (``gbkg load --trusted``,
        the benchmarks' synthetic stores), into a store no one else reads meanwhile.
        """
        self._check_writable()
        try:
            if format is None:
                self._store.bulk_extend(source)  # type: ignore[arg-type]
            else:
                self._store.bulk_load(source, format=format)  # type: ignore[arg-type]
        except SyntaxError as error:
            raise StoreError(f"the data does not parse: {error}") from error
        except OSError as error:
            raise StoreError(f"the bulk load failed: {error}") from error
        finally:
            self._count_write(None)
            self._wrote()

    def apply(self, *, remove: Iterable[ox.Quad], add: Iterable[ox.Quad]) -> None:
        """Remove and add quads in one transaction."""
        self._check_writable()
        remove, add = list(remove), list(add)
        remove_text = " ".join(_quad_text(q) for q in remove)
        add_text = " ".join(_quad_text(q) for q in add)
        update = f"DELETE DATA {{ {remove_text} }} ;\nINSERT DATA {{ {add_text} }}"
        with self.write_lock:
            delta = (
                self._delta(add=_as_updated(add_text), remove=_as_updated(remove_text))
                if self._counts is not None
                else None
            )
            try:
                self._store.update(update)
            except (OSError, SyntaxError) as error:
                delta = None
                raise StoreError(f"the write failed and was rolled back: {error}") from error
            finally:
                self._count_write(delta)
                self._wrote()

    def load(self, data: bytes | IO[bytes], *, format: ox.RdfFormat) -> None:
        """Parse and add RDF in one transaction; a parse error leaves the store as it was."""
        self._check_writable()
        try:
            self._store.load(data, format=format)
        except SyntaxError as error:
            raise StoreError(f"the data does not parse: {error}") from error
        except OSError as error:
            raise StoreError(f"the load failed and was rolled back: {error}") from error
        finally:
            self._count_write(None)
            self._wrote()

    def store_claims(
        self,
        claims: Mapping[str, Sequence[ox.Quad]],
        *,
        retractions: Mapping[str, Sequence[ox.Quad]] | None = None,
    ) -> set[str]:
        """The claims not stored yet, and the retractions of claims not retracted yet,
        in one transaction (one writer process: the caller's ``write_lock`` orders the
        check and the write)."""
        with self.write_lock:
            new = {
                iri: quads
                for iri, quads in claims.items()
                if not self.contains_graph(ox.NamedNode(iri + "#assertion"))
            }
            retracting = [
                q
                for iri, quads in (retractions or {}).items()
                if not self.is_retracted(iri)
                for q in quads
            ]
            self.extend([*(q for quads in new.values() for q in quads), *retracting])
        return set(new)

    def store_retraction(
        self,
        iri: str,
        retraction: Sequence[ox.Quad],
        *,
        claims: Mapping[str, Sequence[ox.Quad]] | None = None,
    ) -> bool:
        with self.write_lock:
            if self.is_retracted(iri):
                return False
            new = {
                claim: quads
                for claim, quads in (claims or {}).items()
                if not self.contains_graph(ox.NamedNode(claim + "#assertion"))
            }
            self.extend([*retraction, *(q for quads in new.values() for q in quads)])
        return True

    def is_retracted(self, iri: str) -> bool:
        """Whether a retraction names the claim ``iri`` (an index look-up)."""
        found = self._store.quads_for_pattern(None, RETRACTS, ox.NamedNode(iri), None)
        return next(iter(found), None) is not None

    def retracted(self, iris: Iterable[str]) -> set[str]:
        """One index look-up per claim."""
        return {iri for iri in iris if self.is_retracted(iri)}

    def watch(self, on_change: Callable[[list[str]], None]) -> Callable[[], None]:
        """Nothing to follow: an on-disk store has one writer process, this one."""
        return lambda: None

    def quads(self, graph: GraphName | None = None) -> Iterator[ox.Quad]:
        """Lazily, in the store's index order (by graph, then subject); a consistent
        snapshot of the store when the iteration starts."""
        return iter(self._store.quads_for_pattern(None, None, None, graph))

    def quads_about(self, subject: ox.NamedNode) -> list[ox.Quad]:
        """Every quad whose subject is ``subject``, in any graph."""
        return list(self._store.quads_for_pattern(subject, None, None, None))

    def subjects_with(
        self, predicate: ox.NamedNode, object: ox.NamedNode | ox.Literal
    ) -> set[ox.NamedNode | ox.BlankNode]:
        """Subjects of ``predicate object`` in any graph (an index look-up)."""
        return {q.subject for q in self._store.quads_for_pattern(None, predicate, object, None)}  # type: ignore[misc]

    def contains_graph(self, graph: ox.NamedNode) -> bool:
        return bool(self._store.contains_named_graph(graph))

    def claim_page(
        self, *, offset: int, limit: int, include_retracted: bool
    ) -> tuple[list[str], int]:
        """In the order of Oxigraph's index of ``?claim rdf:type gba:Claim`` (by the hash
        of the claim IRI): the page reads ``offset + limit`` index entries, not every
        claim. The count is kept for the store's generation (this process is the store's
        one writer)."""
        retracted = (
            set()
            if include_retracted
            else {q.object for q in self._store.quads_for_pattern(None, RETRACTS, None)}
        )
        page: list[str] = []
        skipped = 0
        for quad in self._store.quads_for_pattern(None, _RDF_TYPE, _CLAIM):
            if quad.subject in retracted or not isinstance(quad.subject, ox.NamedNode):
                continue
            if skipped < offset:
                skipped += 1
                continue
            if len(page) == limit:
                break
            page.append(quad.subject.value)
        return page, self.claim_total() - len(retracted)

    def triple_count(self) -> int:
        """Counted once (a scan of the store, ~0.2 s a million quads), then kept by
        each write: ``GET /health`` reads a number.

        >>> store = OxigraphStore(None)
        >>> store.extend([ox.Quad(ox.NamedNode("http://e/s"), _RDF_TYPE, _CLAIM)] * 2)
        >>> store.triple_count(), store.claim_total()
        (1, 1)
        """
        return self._counted()[0]

    def claim_total(self) -> int:
        """Counted once (:func:`claim_count`), then kept by each write."""
        return self._counted()[1]

    def _counted(self) -> tuple[int, int]:
        with self._counts_lock:
            if self._counts is None:
                self._counts = [len(self._store), claim_count(self)]
            return self._counts[0], self._counts[1]

    #: A write of more quads than this is counted again rather than checked quad by quad.
    COUNTED_WRITE = 100_000

    def _delta(
        self, *, add: Sequence[ox.Quad], remove: Sequence[ox.Quad] = ()
    ) -> tuple[int, int] | None:
        """What a write will change in the counts, worked out before it (under the
        write lock): the quads it adds that are not stored, the stored ones it removes,
        and the claims typed for the first time. ``None``: count again afterwards."""
        if self._counts is None or len(add) + len(remove) > self.COUNTED_WRITE:
            return None
        store = self._store
        removed = {q for q in remove if q in store}
        added = {q for q in add if q not in store or q in removed}
        quads = len(added) - len(removed)
        claims = 0
        typed = {q.subject for q in added if q.predicate == _RDF_TYPE and q.object == _CLAIM}
        untyped = {q.subject for q in removed if q.predicate == _RDF_TYPE and q.object == _CLAIM}
        for subject in typed | untyped:
            before = any(True for _ in store.quads_for_pattern(subject, _RDF_TYPE, _CLAIM))
            after = subject in typed or any(
                q not in removed for q in store.quads_for_pattern(subject, _RDF_TYPE, _CLAIM)
            )
            claims += int(after) - int(before)
        return quads, claims

    def _count_write(self, delta: tuple[int, int] | None) -> None:
        with self._counts_lock:
            if delta is None:
                self._counts = None
            elif self._counts is not None:
                self._counts[0] += delta[0]
                self._counts[1] += delta[1]

    def is_empty(self) -> bool:
        return next(iter(self._store.quads_for_pattern(None, None, None)), None) is None

    def flush(self) -> None:
        if not self.read_only:
            self._store.flush()

    def close(self) -> None:
        """Flush and release the on-disk lock."""
        if hasattr(self, "_store"):
            self.flush()
            del self._store

    def __enter__(self) -> OxigraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError("the store is open read-only")
        self._renew_token()


#: The file of :attr:`OxigraphStore.write_token`, inside the store's directory.
WRITE_TOKEN_FILE = "gbkg-write-token"

#: RocksDB names its lock file when another process, or another open of this one,
#: holds the store ("While lock file: .../LOCK: Resource temporarily unavailable",
#: "lock hold by current process ... /LOCK: No locks available").
_LOCK_FILE = "/LOCK"
#: Rounds of a read-only open, and the pause between them.
READ_ONLY_OPENS = 3
READ_ONLY_PAUSE_S = 0.01


def _open_read_only(path: Path) -> ox.Store:
    """``pyoxigraph.Store.read_only``, retried: the one place every read-only opener
    (the query workers, the CLI beside a running server) goes through.

    Opening beside a writer races with its compactions: the writer may delete a file
    or replace its MANIFEST between the moment the reader lists the files and the
    moment it opens them ("Corruption: IO error: No such file ...", an ``OSError`` or
    a ``RuntimeError``). A second open reads the new listing.
    """
    for attempt in range(READ_ONLY_OPENS):
        try:
            return ox.Store.read_only(str(path))
        except (OSError, RuntimeError) as error:
            if attempt + 1 == READ_ONLY_OPENS:
                raise StoreError(f"cannot open the store at {path} to read: {error}") from error
            time.sleep(READ_ONLY_PAUSE_S)
    raise AssertionError("unreachable")


def _as_updated(data: str) -> list[ox.Quad]:
    """The quads a SPARQL ``INSERT DATA`` of ``data`` stores: the update canonicalizes
    some literals (``+00:00`` → ``Z`` in a dateTime), which a count must follow."""
    scratch = ox.Store()
    scratch.update(f"INSERT DATA {{ {data} }}")
    return list(scratch)


def _quad_text(quad: ox.Quad) -> str:
    """One quad as SPARQL data text, each term serialized by Oxigraph (N-Quads syntax)."""
    triple = f"{quad.subject} {quad.predicate} {quad.object} ."
    if isinstance(quad.graph_name, ox.DefaultGraph):
        return triple
    return f"GRAPH {quad.graph_name} {{ {triple} }}"


# Oxigraph binds a substitution only to a projected variable, so the bound
# variable is projected (and grouped on) here.
CLAIM_COUNT_QUERY = (
    "SELECT ?claimClass (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a ?claimClass } GROUP BY ?claimClass"
)


def claim_count(store: Backend) -> int:

    result = store.query(
        CLAIM_COUNT_QUERY, substitutions={"claimClass": ox.NamedNode(_GBA + "Claim")}
    )
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        value = row["n"]
        return int(value.value) if value is not None else 0
    return 0
