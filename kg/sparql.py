"""Evaluate one read-only SPARQL query against a store: checks, dataset, rows, bytes.

The same functions run in the query worker processes (:mod:`kg.query_worker`)
and, for the CLI and in-memory stores, in the calling process:

- :func:`plan_query` checks the query (:mod:`kg.sparql_analysis`: updates and
  ``SERVICE`` refused, ``FROM`` graphs must exist in the store) and picks the
  dataset;
- :func:`collect` evaluates it with Oxigraph and keeps at most ``max_results``
  rows or triples (``truncated`` says whether more were available), checking an
  optional deadline between rows;
- :func:`serialize` writes a :class:`QueryResult` in a
  :class:`~kg.sparql_formats.ResultFormat` or :class:`~kg.sparql_formats.GraphFormat`;
- :func:`answer` does all three for a :class:`QueryJob` (what a request asks).

Who runs them, with which limits and isolation, is :mod:`kg.query_runner`'s
business.

The dataset. Without a protocol dataset or a ``FROM`` clause the default graph is
the union of every graph of the store (each claim lives in its own named graphs)
and every named graph is available to ``GRAPH``. The protocol's
``default-graph-uri`` / ``named-graph-uri`` replace that dataset (and override
the query's ``FROM``, as SPARQL 1.1 Protocol 2.1.4 requires); a graph they name
that the store lacks is simply empty. A ``FROM`` / ``FROM NAMED`` clause must name
graphs of the store: Oxigraph never fetches them, and naming a remote document
would otherwise silently give an empty answer.

This module imports neither rdflib (only :func:`kg.sparql_analysis.inspect_query`
does, lazily, for queries that mention ``SERVICE`` or ``FROM``) nor the store
module at run time, so a query worker starts fast.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox

from gbkg.kg.errors import (
    ForbiddenQueryError,
    ParameterError,
    QueryError,
    QueryLimitError,
    QueryTimeoutError,
    StoreError,
)
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

if TYPE_CHECKING:
    from gbkg.kg.store import QueryAnswer as OxigraphAnswer

#: The stack of a thread that evaluates queries, in MB. Oxigraph's parser and
#: evaluator recurse once per nesting level, up to ~9 KB of stack per level and
#: ~1.9 KB per byte of query text (``{`` nesting, the worst measured); a query of
#: ``GBKG_QUERY_MAX_BYTES`` (128 KB) needs at most ~250 MB. Address space is
#: reserved, memory is used only as deep as a query goes.
EVALUATION_STACK_MB = 512

#: Words of RocksDB's status messages: a RuntimeError carrying one is the store's.
STORAGE_WORDS = ("IO error", "Corruption", "No such file")

#: A value bound to a variable of a named query.
Binding = ox.NamedNode | ox.Literal


class QueryableStore(Protocol):
    """What evaluating a query needs of a store (:class:`kg.store.OxigraphStore` has it)."""

    def query(
        self,
        sparql: str,
        *,
        substitutions: Mapping[str, Binding] | None = None,
        default_graph: list[ox.NamedNode] | None = None,
        named_graphs: list[ox.NamedNode] | None = None,
        union_default_graph: bool = True,
        base_iri: str | None = None,
        row_limit: int | None = None,
    ) -> OxigraphAnswer: ...

    def contains_graph(self, graph: ox.NamedNode) -> bool: ...


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


def _from_graph(iri: str) -> ox.NamedNode:
    """A ``FROM`` IRI as rdflib read it; rdflib accepts some that Oxigraph does not
    (C1 control characters), which are the query's fault, not the store's."""
    try:
        return ox.NamedNode(iri)
    except ValueError as error:
        raise QueryError(f"FROM / FROM NAMED: {iri!r} is not a valid IRI ({error})") from error


def timeout_error(timeout_s: float) -> QueryTimeoutError:
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
    store: QueryableStore,
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
        default_graph = [_from_graph(g) for g in inspection.from_graphs]
        named_graphs = [_from_graph(g) for g in inspection.from_named]
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
    store: QueryableStore,
    plan: QueryPlan,
    *,
    max_results: int = 10_000,
    deadline: float | None = None,
    timeout_s: float | None = None,
    substitutions: Mapping[str, Binding] | None = None,
) -> QueryResult:
    """Evaluate ``plan`` and collect at most ``max_results`` rows or triples.

    ``substitutions`` bind projected variables to terms (named queries' parameters).

    ``deadline`` (a :func:`time.monotonic` time) is checked between rows:
    :class:`~kg.errors.QueryTimeoutError` past it. Oxigraph's result iterator lives
    only in this function's frame, so it is dropped by the thread that made it
    (Oxigraph requires that) even when the caller's frames outlive the call.
    """
    result = QueryResult(form=plan.form, prefixes=plan.prefixes)
    try:
        answer = store.query(
            plan.text,
            substitutions=substitutions,
            default_graph=plan.default_graph,
            named_graphs=plan.named_graphs,
            union_default_graph=plan.union_default_graph,
            base_iri=plan.base_iri,
            row_limit=max_results + 1,
        )
        if isinstance(answer, ox.QueryBoolean):
            result.form = QueryForm.ASK
            result.boolean = bool(answer)
        elif isinstance(answer, ox.QuerySolutions):
            result.form = QueryForm.SELECT
            result.variables = [v.value for v in answer.variables]
            width = len(result.variables)
            for solution in answer:
                if deadline is not None and time.monotonic() > deadline:
                    raise timeout_error(timeout_s or 0)
                if len(result.rows) == max_results:
                    result.truncated = True
                    break
                result.rows.append(tuple(solution[i] for i in range(width)))
        else:
            if result.form not in (QueryForm.CONSTRUCT, QueryForm.DESCRIBE):
                result.form = QueryForm.CONSTRUCT
            for triple in answer:
                if deadline is not None and time.monotonic() > deadline:
                    raise timeout_error(timeout_s or 0)
                if len(result.triples) == max_results:
                    result.truncated = True
                    break
                result.triples.append(triple)
    except OSError as error:
        raise StoreError(f"the store could not answer: {error}") from error
    except RuntimeError as error:
        # pyoxigraph raises RuntimeError for storage errors other than I/O and for
        # errors of the evaluation itself; RocksDB's status words tell them apart.
        if any(word in str(error) for word in STORAGE_WORDS):
            raise StoreError(f"the store could not answer: {error}") from error
        raise QueryError(f"the query could not be evaluated: {error}") from error
    return result


def evaluate(
    store: QueryableStore,
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


@dataclass(frozen=True)
class QueryJob:
    """What one request asks: a query, the format of its answer, its dataset and bindings.

    ``substitutions`` bind projected variables to terms (named queries' parameters).
    """

    text: str
    format: OutputFormat
    dataset: ProtocolDataset = field(default_factory=ProtocolDataset)
    base_iri: str | None = None
    substitutions: Mapping[str, Binding] = field(default_factory=dict)


def answer(
    store: QueryableStore,
    job: QueryJob,
    *,
    max_results: int,
    max_bytes: int | None = None,
    deadline: float | None = None,
    timeout_s: float | None = None,
) -> QueryOutput:
    """Check, evaluate and serialize ``job``: the whole work of one query.

    An answer longer than ``max_bytes`` once serialized is refused
    (:class:`~kg.errors.QueryLimitError`): a few rows of huge values must not
    reach the server as a body of hundreds of megabytes.
    """
    plan = plan_query(store, job.text, dataset=job.dataset, base_iri=job.base_iri)
    result = collect(
        store,
        plan,
        max_results=max_results,
        deadline=deadline,
        timeout_s=timeout_s,
        substitutions=job.substitutions,
    )
    body = serialize(result, job.format)
    if max_bytes is not None and len(body) > max_bytes:
        raise QueryLimitError(
            f"the answer is {len(body) / 1e6:,.1f} MB; the limit is {max_bytes / 1e6:,.1f} MB "
            "(GBKG_QUERY_MAX_ANSWER_MB): select fewer or shorter values",
            size=len(body),
            limit=max_bytes,
        )
    return QueryOutput(body, job.format, result.form, len(result), result.truncated)

