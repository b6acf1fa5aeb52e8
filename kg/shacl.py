"""pySHACL, wrapped once: data in, a typed report out (:class:`~kg.violations.ValidationReport`).

:func:`run_shapes` validates the union of some parts (rdflib graphs, Oxigraph stores,
lists of Oxigraph quads) with a shapes graph. pySHACL reads them from an in-memory
Oxigraph store, which runs the SPARQL-based constraints natively (2-3x faster than
rdflib's engine, which evaluates and re-parses each query in Python per focus node).

Each result becomes a :class:`~kg.violations.Violation` that names the JSON field of
the claim record to fix (``statistics.p_value``), found from the result's path and the
role of its focus node: the focus of a statistics rule is the node the claim links
with ``gba:statistics``, and so on — both read from the layout table
(:func:`kg.record.layout.field_for`). Callers never see pySHACL's raw tuple.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
import pyshacl
from pyshacl.errors import ReportableRuntimeError
from pyshacl.graph_abstraction import OxigraphDataGraph
from rdflib import RDF, RDFS, Dataset, Graph, URIRef
from rdflib.namespace import SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from gbkg.kg.errors import InputError, KGError
from gbkg.kg.namespaces import GBA
from gbkg.kg.record import layout
from gbkg.kg.terms import from_ox, to_ox
from gbkg.kg.violations import Severity, ValidationReport, Violation

#: On a node shape, the property its node-level results are reported on (shapes.ttl).
REPORT_PATH = URIRef("https://w3id.org/gbkg/shapes#reportPath")

_SEVERITIES = {
    SH.Violation: Severity.VIOLATION,
    SH.Warning: Severity.WARNING,
    SH.Info: Severity.INFO,
}


# Mapping a result to the JSON field ------------------------------------------------

#: How a claim links each of its parts and sources: the role of a focus node is found
#: from the property that points at it (from the layout table, :func:`layout.roles`).
ROLE_LINKS: tuple[tuple[URIRef, str], ...] = tuple(layout.roles())


def _role(graph: Graph, focus: Node) -> str | None:
    if (focus, RDF.type, GBA.Claim) in graph:
        return "claim"
    for link, role in ROLE_LINKS:
        if next(graph.subjects(link, focus), None) is not None:
            return role
    if next(graph.objects(focus, RDFS.label), None) is not None or is_entity(graph, focus):
        return layout.ENTITY.name
    return None


def is_entity(graph: Graph, node: Node) -> bool:
    for cls in graph.objects(node, RDF.type):
        if GBA.Entity in graph.transitive_objects(cls, RDFS.subClassOf):
            return True
    return False


def field_of(graph: Graph, focus: Node, path: Node | None) -> str | None:
    """The JSON field a result on ``focus`` along ``path`` is about."""
    role = _role(graph, focus)
    if role is None:
        return None
    if not isinstance(path, URIRef):  # no path, or a complex path (a blank node)
        return None if role == "claim" else role
    known = layout.field_for(role, path)
    if known is not None:
        return known
    local = _local_name(path)
    return local if role == "claim" else f"{role}.{local}"


def _local_name(iri: URIRef) -> str:
    text = str(iri)
    for sep in ("#", "/"):
        if sep in text:
            text = text.rsplit(sep, 1)[1]
    return text


# Running ----------------------------------------------------------------------


#: What can be validated: rdflib graphs and datasets, Oxigraph stores, lists of
#: Oxigraph quads (as ``Backend.quads()`` returns them). All graphs are read as one.
Data = Graph | ox.Store | Sequence[ox.Quad]


def _triples(data: Graph | Dataset) -> Iterable[tuple[Node, Node, Node]]:
    if isinstance(data, Dataset):
        for s, p, o, _ in data.quads((None, None, None, None)):
            yield s, p, o
    else:
        yield from data.triples((None, None, None))


def quads_of(data: Data) -> Iterable[ox.Quad]:
    if not isinstance(data, Graph):
        for quad in data:
            yield ox.Quad(quad.subject, quad.predicate, quad.object)
        return
    for s, p, o in _triples(data):
        yield ox.Quad(to_ox(s), to_ox(p), to_ox(o))  # type: ignore[arg-type]


def _union(*parts: Data) -> ox.Store:
    """One in-memory Oxigraph store holding every part, as triples of its default graph.

    Graph names are dropped on purpose: a source or an entity described in many
    claims' graphs is one set of triples here. (Oxigraph's union of named graphs
    keeps each copy, and a query through a shared node would see it once per claim:
    validation would grow with the square of the number of claims.)

    pySHACL validates an Oxigraph store as it does an rdflib graph, but runs the
    SPARQL-based constraints in Oxigraph: full validation is 2-3x faster than on
    an rdflib graph, whose SPARQL engine evaluates (and re-parses) each query in
    Python, once per focus node.
    """
    store = ox.Store()
    try:
        for part in parts:
            store.bulk_extend(quads_of(part))
    except (ValueError, TypeError) as error:  # a term Oxigraph refuses (e.g. a bad IRI)
        raise InputError(f"the data holds a term that is not valid RDF: {error}") from error
    return store


@lru_cache(maxsize=64)
def _prepared(text: str) -> Query:
    return prepareQuery(text)


class _RdflibGraph(Graph):
    """An rdflib graph whose SPARQL queries are parsed once per text (pySHACL sends each
    SPARQL-based constraint as text, once per focus node)."""

    def query(self, query_object: str | Query, *args: Any, **kwargs: Any) -> Any:
        if isinstance(query_object, str):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


def _union_graph(*parts: Data) -> Graph:
    """The parts as one rdflib graph (the fallback of :func:`run_shapes`)."""
    graph = _RdflibGraph()
    for part in parts:
        if isinstance(part, Graph):
            for triple in _triples(part):
                graph.add(triple)
        else:
            for quad in part:
                graph.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    return graph


def run_shapes(parts: Sequence[Data], shapes: Graph) -> ValidationReport:
    """pySHACL on the union of ``parts`` with ``shapes`` (none of them is modified)."""
    store = _union(*parts)
    try:
        results = _pyshacl(store, shapes)
        focus = _focus_nodes(results)
        # What names the fields of the results; nothing to name for a conforming claim.
        lookup = _neighbourhood(store, focus) if focus else Graph()
    except TypeError:
        # pySHACL's Oxigraph backend cannot look up a literal as a subject, which a
        # shape does when the data has text where a node belongs (gba:statistics "x").
        # rdflib can: such data is validated there, more slowly, with the same shapes.
        graph = _union_graph(*parts)
        results = _pyshacl(graph, shapes)
        lookup = graph
    found_results = list(results.objects(None, SH.result))
    # A shape with several constraints (maxCount, datatype, range) reports each one it
    # fails with the same message: the curator reads it once.
    results_found = sorted(
        (_violation(results, r, lookup, shapes) for r in found_results),
        key=lambda v: (
            v.severity != Severity.VIOLATION,
            v.field or "",
            v.message,
            v.focus or "",
            v.value or "",
            v.constraint,
        ),
    )
    unique: dict[tuple[str | None, ...], Violation] = {}
    for found in results_found:
        unique.setdefault(
            (found.severity, found.field, found.message, found.focus, found.value), found
        )
    violations = list(unique.values())
    conforms = not any(v.severity == Severity.VIOLATION for v in violations)
    return ValidationReport(conforms=conforms, violations=violations)


class _StoreGraph(OxigraphDataGraph):
    """pySHACL's view of an Oxigraph store, always true.

    pySHACL evaluates ``datagraph or shapes_graph`` for every result it builds, even
    inside sh:or and sh:not; on its Oxigraph graph that truth test is a COUNT of the
    whole store, which made full validation quadratic. A data graph made for a run
    is never empty, so its truth value needs no count.
    """

    def __bool__(self) -> bool:
        return True


def _pyshacl(data: ox.Store | Graph, shapes: Graph) -> Graph:
    """The one call to pySHACL: its report graph, or a :class:`KGError`."""
    try:
        _, results, _ = pyshacl.validate(
            _StoreGraph(data) if isinstance(data, ox.Store) else data,
            shacl_graph=shapes,
            inference="none",
            inplace=True,  # the data is a copy made for this run
            advanced=False,  # SHACL-SPARQL constraints need no SHACL-AF
            allow_warnings=True,
            allow_infos=True,
        )
    except ReportableRuntimeError as error:
        raise KGError(f"SHACL validation could not run: {error.message}") from error
    if not isinstance(results, Graph):
        raise KGError(f"SHACL validation could not run: {results}")
    return results


def _focus_nodes(results: Graph) -> set[Node]:
    return {f for r in results.objects(None, SH.result) for f in results.objects(r, SH.focusNode)}


def _neighbourhood(data: ox.Store, focus_nodes: set[Node]) -> Graph:
    """What :func:`field_of` reads about the focus nodes of the results: their types
    and labels, the links that point at them, and the class hierarchy."""
    graph = Graph()

    def add(quads: Iterable[ox.Quad]) -> None:
        for quad in quads:
            graph.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))

    add(data.quads_for_pattern(None, to_ox(RDFS.subClassOf), None, None))  # type: ignore[arg-type]
    for focus in focus_nodes:
        node = to_ox(focus)
        if not isinstance(node, ox.Literal):
            for prop in (RDF.type, RDFS.label):
                add(data.quads_for_pattern(node, to_ox(prop), None, None))  # type: ignore[arg-type]
        for link, _ in ROLE_LINKS:
            add(data.quads_for_pattern(None, to_ox(link), node, None))  # type: ignore[arg-type]
    return graph


def _violation(report: Graph, result: Node, data: Graph, shapes: Graph) -> Violation:
    def one(prop: URIRef) -> Node | None:
        return next(report.objects(result, prop), None)

    focus = one(SH.focusNode)
    path = one(SH.resultPath)
    if path is None:  # a node-level result: the shape may name its property
        path = shapes.value(one(SH.sourceShape), REPORT_PATH)
    component = one(SH.sourceConstraintComponent)
    constraint: str
    if component == SH.SPARQLConstraintComponent and isinstance(
        source := one(SH.sourceConstraint), URIRef
    ):
        constraint = str(source)
    else:
        constraint = _local_name(component) if isinstance(component, URIRef) else "unknown"
    messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
    value = one(SH.value)
    severity = one(SH.resultSeverity)
    return Violation(
        field=field_of(data, focus, path) if focus is not None else None,
        path=str(path) if isinstance(path, URIRef) else None,
        constraint=constraint,
        message=messages[0] if messages else f"{constraint} on {focus}",
        severity=_SEVERITIES.get(severity, Severity.VIOLATION)
        if isinstance(severity, URIRef)
        else Severity.VIOLATION,
        value=_text(value) if value != focus else None,  # a node-level result's value is its focus
        focus=str(focus) if focus is not None else None,
    )


def _text(value: Node | None) -> str | None:
    return None if value is None else str(value)




