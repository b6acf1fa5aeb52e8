"""Run a read-only SPARQL query against the store, with a time limit and a result cap.

Used by ``/sparql``, and reusable by the CLI and other routes:

- :func:`evaluate` checks the query (:mod:`kg.sparql_analysis`: updates and
  ``SERVICE`` refused, ``FROM`` graphs must exist in the store), picks the
  dataset, evaluates it with Oxigraph and collects at most ``max_results`` rows
  or triples, checking the deadline between rows. ``truncated`` says whether more
  were available.
- :func:`serialize` writes a :class:`QueryResult` in a
  :class:`~kg.sparql_formats.ResultFormat` or :class:`~kg.sparql_formats.GraphFormat`.
- :class:`QueryRunner` does both off the event loop, at most ``workers`` queries
  at once, each within ``timeout_s``.

The dataset. Without a protocol dataset or a ``FROM`` clause the default graph is
the union of every graph of the store (each claim lives in its own named graphs)
and every named graph is available to ``GRAPH``. The protocol's
``default-graph-uri`` / ``named-graph-uri`` replace that dataset (and override
the query's ``FROM``, as SPARQL 1.1 Protocol 2.1.4 requires); a graph they name
that the store lacks is simply empty. A ``FROM`` / ``FROM NAMED`` clause must name
graphs of the store: Oxigraph never fetches them, and naming a remote document
would otherwise silently give an empty answer.

Time limit. Oxigraph releases the GIL while it evaluates but cannot be
cancelled. A query that runs past its deadline raises
:class:`~kg.errors.QueryTimeoutError`: at once in the awaiting coroutine, and
in the worker thread at the next row it produces. A thread stuck inside one
long step (sorting or grouping a huge intermediate result) is abandoned, still
holding its worker slot until Oxigraph returns, so runaway queries never take
more than ``workers`` threads; requests that do not query (``/health``) are not
affected. Worker threads are daemons so a stuck query never delays shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

import pyoxigraph as ox

from gbkg.kg.errors import ForbiddenQueryError, ParameterError, QueryTimeoutError, StoreError
from gbkg.kg.sparql_analysis import QueryForm, classify, inspect_query
from gbkg.kg.sparql_formats import (
    GraphFormat,
    OutputFormat,
    ResultFormat,
    Term,
    write_boolean,
    write_graph,
    write_solutions,
)
from gbkg.kg.store import Backend

T = TypeVar("T")


@dataclass(frozen=True)
class ProtocolDataset:
    """The RDF dataset of the protocol parameters ``default-graph-uri`` / ``named-graph-uri``."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()

    @property
    def given(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


@dataclass
class QueryResult:
    """The collected answer: ``rows`` for SELECT, ``boolean`` for ASK, ``triples`` otherwise."""

    form: QueryForm
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    triples: list[ox.Triple] = field(default_factory=list)
    boolean: bool | None = None
    truncated: bool = False
    prefixes: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        if self.form is QueryForm.ASK:
            return 1
        return len(self.rows) if self.form is QueryForm.SELECT else len(self.triples)


@dataclass(frozen=True)
class QueryOutput:
    """A serialized answer, ready to send."""

    body: bytes
    format: OutputFormat
    form: QueryForm
    count: int
    truncated: bool


def _named_node(iri: str, parameter: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(iri)
    except ValueError as error:
        raise ParameterError(f"{parameter}: {iri!r} is not an absolute IRI") from error


def _timeout_error(timeout_s: float) -> QueryTimeoutError:
    return QueryTimeoutError(
        f"the query ran longer than the {timeout_s:g} s limit (GBKG_QUERY_TIMEOUT_S); "
        "narrow it with more specific patterns or a LIMIT",
        timeout_s=timeout_s,
    )


@dataclass(frozen=True)
class QueryPlan:
    """A checked query and the dataset to evaluate it on."""

    text: str
    form: QueryForm
    prefixes: dict[str, str]
    default_graph: list[ox.NamedNode] | None
    named_graphs: list[ox.NamedNode] | None
    union_default_graph: bool
    base_iri: str | None


def plan_query(
    store: Backend,
    text: str,
    *,
    dataset: ProtocolDataset | None = None,
    base_iri: str | None = None,
) -> QueryPlan:
    """Check ``text`` and choose its dataset (nothing is evaluated).

    Raises :class:`~kg.errors.ForbiddenQueryError` (update, SERVICE, FROM of a
    graph the store lacks), :class:`~kg.errors.QueryError` and
    :class:`~kg.errors.ParameterError` (a protocol graph that is not an IRI).
    """
    classified = classify(text)
    inspection = inspect_query(text, base_iri=classified.base or base_iri)
    dataset = dataset or ProtocolDataset()
    default_graph: list[ox.NamedNode] | None = None
    named_graphs: list[ox.NamedNode] | None = None
    union = True
    if dataset.given:
        default_graph = [_named_node(g, "default-graph-uri") for g in dataset.default_graphs]
        named_graphs = [_named_node(g, "named-graph-uri") for g in dataset.named_graphs]
    elif inspection.has_dataset:
        default_graph = [ox.NamedNode(g) for g in inspection.from_graphs]
        named_graphs = [ox.NamedNode(g) for g in inspection.from_named]
        missing = [g.value for g in default_graph + named_graphs if not store.contains_graph(g)]
        if missing:
            raise ForbiddenQueryError(
                "FROM / FROM NAMED must name graphs of this store (the endpoint never fetches "
                "remote data); not in the store: " + ", ".join(f"<{g}>" for g in missing),
                graphs=missing,
            )
    elif not inspection.parsed:
        # rdflib could not read the FROM clause: let Oxigraph apply the query's own
        # dataset (it only ever selects graphs of the store).
        union = False
    return QueryPlan(
        text, classified.form, classified.prefixes, default_graph, named_graphs, union, base_iri
    )


def collect(
    store: Backend,
    plan: QueryPlan,
    *,
    max_results: int = 10_000,
    deadline: float | None = None,
    timeout_s: float | None = None,
    substitutions: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
) -> QueryResult:
    """Evaluate ``plan`` and collect at most ``max_results`` rows or triples.

    ``substitutions`` bind projected variables to terms (named queries' parameters).

    ``deadline`` (a :func:`time.monotonic` time) is checked between rows:
    :class:`~kg.errors.QueryTimeoutError` past it. Oxigraph's result iterator lives
    only in this function's frame, so it is dropped by the thread that made it
    (Oxigraph requires that) even when the caller's frames outlive the call.
    """
    answer = store.query(
        plan.text,
        substitutions=substitutions,
        default_graph=plan.default_graph,
        named_graphs=plan.named_graphs,
        union_default_graph=plan.union_default_graph,
        base_iri=plan.base_iri,
        row_limit=max_results + 1,
    )
    result = QueryResult(form=plan.form, prefixes=plan.prefixes)
    try:
        if isinstance(answer, ox.QueryBoolean):
            result.form = QueryForm.ASK
            result.boolean = bool(answer)
        elif isinstance(answer, ox.QuerySolutions):
            result.form = QueryForm.SELECT
            result.variables = [v.value for v in answer.variables]
            width = len(result.variables)
            for solution in answer:
                if deadline is not None and time.monotonic() > deadline:
                    raise _timeout_error(timeout_s or 0)
                if len(result.rows) == max_results:
                    result.truncated = True
                    break
                result.rows.append(tuple(solution[i] for i in range(width)))
        else:
            if result.form not in (QueryForm.CONSTRUCT, QueryForm.DESCRIBE):
                result.form = QueryForm.CONSTRUCT
            for triple in answer:
                if deadline is not None and time.monotonic() > deadline:
                    raise _timeout_error(timeout_s or 0)
                if len(result.triples) == max_results:
                    result.truncated = True
                    break
                result.triples.append(triple)
    except OSError as error:
        raise StoreError(f"the store could not answer: {error}") from error
    return result


def evaluate(
    store: Backend,
    text: str,
    *,
    dataset: ProtocolDataset | None = None,
    base_iri: str | None = None,
    max_results: int = 10_000,
    deadline: float | None = None,
    timeout_s: float | None = None,
) -> QueryResult:
    """:func:`plan_query` then :func:`collect`.

    The two stay separate calls: rdflib's parser (used by the plan) leaves
    reference cycles that keep its callers' frames alive until the garbage
    collector runs, possibly in another thread; no Oxigraph iterator may be in
    those frames.
    """
    plan = plan_query(store, text, dataset=dataset, base_iri=base_iri)
    return collect(store, plan, max_results=max_results, deadline=deadline, timeout_s=timeout_s)


def serialize(result: QueryResult, fmt: OutputFormat) -> bytes:
    """``result`` in ``fmt`` (a result format for SELECT/ASK, an RDF format otherwise)."""
    if result.form is QueryForm.ASK:
        assert isinstance(fmt, ResultFormat) and result.boolean is not None
        return write_boolean(result.boolean, fmt)
    if result.form is QueryForm.SELECT:
        assert isinstance(fmt, ResultFormat)
        return write_solutions(result.variables, result.rows, fmt)
    assert isinstance(fmt, GraphFormat)
    return write_graph(result.triples, fmt, prefixes=result.prefixes)


class QueryRunner:
    """Evaluates queries off the event loop: ``workers`` at once, each within ``timeout_s``."""

    def __init__(self, store: Backend, *, workers: int, timeout_s: float, max_results: int) -> None:
        self.store = store
        self.workers = workers
        self.timeout_s = timeout_s
        self.max_results = max_results
        self._slots = threading.BoundedSemaphore(workers)
        self._lock = threading.Lock()
        self._running = 0

    @property
    def running(self) -> int:
        """Worker threads still evaluating (including abandoned ones)."""
        with self._lock:
            return self._running

    def job(
        self,
        text: str,
        fmt: OutputFormat,
        *,
        dataset: ProtocolDataset | None = None,
        base_iri: str | None = None,
    ) -> Callable[[float], QueryOutput]:
        """The work of one request, to run in a worker with a deadline."""

        def work(deadline: float) -> QueryOutput:
            result = evaluate(
                self.store,
                text,
                dataset=dataset,
                base_iri=base_iri,
                max_results=self.max_results,
                deadline=deadline,
                timeout_s=self.timeout_s,
            )
            body = serialize(result, fmt)
            return QueryOutput(body, fmt, result.form, len(result), result.truncated)

        return work

    def run_sync(self, work: Callable[[float], T]) -> T:
        """Run in the calling thread (the CLI); the deadline is checked between rows."""
        return work(time.monotonic() + self.timeout_s)

    async def run(self, work: Callable[[float], T]) -> T:
        """Run ``work(deadline)`` in a worker thread; :class:`QueryTimeoutError` past the limit."""
        loop = asyncio.get_running_loop()
        deadline = time.monotonic() + self.timeout_s
        # A threading semaphore (not an asyncio one): the runner outlives event loops
        # (tests build one loop per request) and abandoned threads release it.
        while not self._slots.acquire(blocking=False):
            if time.monotonic() >= deadline:
                raise _timeout_error(self.timeout_s)
            await asyncio.sleep(0.01)
        future: asyncio.Future[T] = loop.create_future()

        def settle(value: T | None, error: BaseException | None) -> None:
            if future.done():
                return
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(value)  # type: ignore[arg-type]

        def target() -> None:
            value: T | None = None
            error: BaseException | None = None
            try:
                value = work(deadline)
            except BaseException as exc:
                # Oxigraph's result iterators may only be dropped by the thread that
                # made them: clear the frames the traceback keeps alive here.
                traceback.clear_frames(exc.__traceback__)
                error = exc
            finally:
                with self._lock:
                    self._running -= 1
                self._slots.release()
            # RuntimeError: the loop has closed, nobody waits for this answer.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(settle, value, error)

        with self._lock:
            self._running += 1
        try:
            threading.Thread(target=target, name="gbkg-query", daemon=True).start()
        except RuntimeError as error:
            with self._lock:
                self._running -= 1
            self._slots.release()
            raise StoreError(f"no worker thread for the query: {error}") from error
        try:
            return await asyncio.wait_for(future, timeout=max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            raise _timeout_error(self.timeout_s) from None

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no worker runs (tests, shutdown); whether it became idle in time."""
        end = time.monotonic() + timeout
        while self.running:
            if time.monotonic() >= end:
                return False
            time.sleep(0.01)
        return True


def run_query(
    store: Backend,
    text: str,
    fmt: OutputFormat,
    *,
    timeout_s: float,
    max_results: int,
    dataset: ProtocolDataset | None = None,
    base_iri: str | None = None,
) -> QueryOutput:
    """One query in the calling thread (for the CLI and scripts)."""
    runner = QueryRunner(store, workers=1, timeout_s=timeout_s, max_results=max_results)
    return runner.run_sync(runner.job(text, fmt, dataset=dataset, base_iri=base_iri))
