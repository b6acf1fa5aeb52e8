"""SHACL validation of claims, wrapped once: pySHACL in, a typed report out.

The shapes (``ontology/shapes.ttl``) check a claim as ``docs/rdf-model.md`` writes it.
The data graph pySHACL sees is the *union* of the claim's named graphs, the ontology
(so ``sh:class gba:Relation`` and the no-effect values resolve) and the labels and
types of the entities the claim touches — no inference is run. pySHACL reads it from
an in-memory Oxigraph store, which runs the SPARQL-based constraints natively.

Each result becomes a :class:`Violation` that names the JSON field of the claim
record to fix (``statistics.p_value``), found from the result's path and the role of
its focus node: the focus of a statistics rule is the node the claim links with
``gba:statistics``, and so on — both read from the layout table
(:func:`kg.record.layout.field_for`).

>>> from gbkg.kg.record.writer import claim_quads
>>> from gbkg.kg.model import ClaimIn
>>> claim = ClaimIn.model_validate({
...     "subject": "gbkg:probiotic", "predicate": "gba:improves", "object": "MONDO:0002050",
...     "finding": "effect", "statement": "Probiotics improve depressive symptoms.",
...     "quote": "Probiotics were linked to modest improvements",
...     "source": {"title": "A report", "type": "news-article"},
...     "evidence": {"study_design": "meta-analysis"}, "statistics": {"p_value": 1.5},
... })
>>> validator = Validator()
>>> quads = claim_quads(claim)
>>> report = validator.validate_claim(quads, entity_graph=validator.entity_graph_for(quads))
>>> [(v.field, v.message) for v in report.errors]
[('statistics.p_value', 'statistics.p_value must be between 0 and 1')]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import pyoxigraph as ox
import pyshacl
from pyshacl.errors import ReportableRuntimeError
from pyshacl.graph_abstraction import OxigraphDataGraph
from rdflib import RDF, RDFS, Dataset, Graph, URIRef
from rdflib.exceptions import ParserError
from rdflib.namespace import PROV, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from gbkg.kg.errors import InputError, KGError
from gbkg.kg.namespaces import GBA
from gbkg.kg.record import layout
from gbkg.kg.resources import ontology_file
from gbkg.kg.terms import from_ox, to_ox
from gbkg.kg.violations import Severity, ValidationReport, Violation

SHAPES_FILE = "shapes.ttl"
#: On a node shape, the property its node-level results are reported on (shapes.ttl).
REPORT_PATH = URIRef("https://w3id.org/gbkg/shapes#reportPath")
ONTOLOGY_FILE = "gba.ttl"
ENTITIES_FILE = "entities.ttl"


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
    if next(graph.objects(focus, RDFS.label), None) is not None or _is_entity(graph, focus):
        return layout.ENTITY.name
    return None


def _is_entity(graph: Graph, node: Node) -> bool:
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


# Loading -------------------------------------------------------------------------


@cache
def _packaged_graph(name: str) -> Graph:
    """A Turtle file shipped in ``ontology/``, parsed once per process (read-only use)."""
    graph = Graph()
    try:
        graph.parse(data=ontology_file(name).read_text(encoding="utf-8"), format="turtle")
    except (SyntaxError, ValueError, ParserError) as error:  # BadSyntax is a SyntaxError
        raise KGError(f"cannot read the packaged {name}: {error}", file=name) from error
    return graph


def shapes_graph() -> Graph:
    """The SHACL shapes (``ontology/shapes.ttl``)."""
    return _packaged_graph(SHAPES_FILE)


def ontology_graph() -> Graph:
    """The ontology (``ontology/gba.ttl``)."""
    return _packaged_graph(ONTOLOGY_FILE)


def entities_graph() -> Graph:
    """The known entities (``ontology/entities.ttl``)."""
    return _packaged_graph(ENTITIES_FILE)


# Validating ----------------------------------------------------------------------


#: What can be validated: rdflib graphs and datasets, Oxigraph stores, lists of
#: Oxigraph quads (as ``Backend.quads()`` returns them). All graphs are read as one.
Data = Graph | ox.Store | Sequence[ox.Quad]


def _triples(data: Graph | Dataset) -> Iterable[tuple[Node, Node, Node]]:
    if isinstance(data, Dataset):
        for s, p, o, _ in data.quads((None, None, None, None)):
            yield s, p, o
    else:
        yield from data.triples((None, None, None))


def _quads(data: Data) -> Iterable[ox.Quad]:
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
            store.bulk_extend(_quads(part))
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
    """The parts as one rdflib graph (the fallback of :func:`_run`)."""
    graph = _RdflibGraph()
    for part in parts:
        if isinstance(part, Graph):
            for triple in _triples(part):
                graph.add(triple)
        else:
            for quad in part:
                graph.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    return graph


def _run(parts: Sequence[Data], shapes: Graph) -> ValidationReport:
    """pySHACL on the union of ``parts`` (none of them is modified)."""
    store = _union(*parts)
    try:
        results = _pyshacl(store, shapes)
        lookup = _neighbourhood(store, _focus_nodes(results))
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


def validate_graph(data: Data, *, reference: Data) -> ValidationReport:
    """Validate ``data`` (all its graphs, as one) with ``reference`` merged in.

    ``reference`` is the ontology and the entity triples the rules read; neither
    argument is modified.
    """
    return _run([data, reference], shapes_graph())


#: What the shapes read from the ontology: typing (``sh:class gba:Relation``, the
#: effect measures), the class hierarchy (entity and source classes) and the
#: no-effect values. Labels, definitions and alignments are not read.
ONTOLOGY_CORE_PREDICATES = (RDF.type, RDFS.subClassOf, GBA.noEffectValue)


def ontology_core(ontology: Graph) -> Graph:
    """The triples of ``ontology`` the shapes read (:data:`ONTOLOGY_CORE_PREDICATES`),
    plus every triple about an entity the ontology itself would declare.

    A third of the ontology: merging it into each claim's data graph costs less, and
    the results are the same as with the whole ontology (``tests/test_shapes.py``).
    """
    core = Graph()
    for prop in ONTOLOGY_CORE_PREDICATES:
        for triple in ontology.triples((None, prop, None)):
            core.add(triple)
    for node in {s for s, _, _ in core.triples((None, RDF.type, None))}:
        if _is_entity(core, node):
            for triple in ontology.triples((node, None, None)):
                core.add(triple)
    return core


#: Claims validated in one pySHACL run (:meth:`Validator.validate_claims`).
BATCH_CLAIMS = 250


@dataclass(frozen=True)
class ClaimData:
    """A claim to validate: its IRI, its quads, and what the rules read beyond them
    (the labels and types of the entities it touches, the records of its sources)."""

    iri: str
    quads: Sequence[ox.Quad]
    reference: Sequence[ox.Quad] = ()


def _names(item: ClaimData, nodes: set[str]) -> bool:
    """Whether the claim's quads name one of ``nodes`` (a focus of no claim's own)."""
    if "" in nodes:
        return True
    return any(
        (isinstance(t, ox.NamedNode) and t.value in nodes)
        for q in item.quads
        for t in (q.subject, q.object)
    )


class Validator:
    """Validates claims against the shapes; the shapes and the ontology are parsed once.

    ``shapes``, ``ontology`` and ``entities`` default to the packaged files.
    """

    def __init__(
        self,
        *,
        shapes: Graph | None = None,
        ontology: Graph | None = None,
        entities: Graph | None = None,
    ) -> None:
        self.shapes = shapes if shapes is not None else shapes_graph()
        self.ontology = ontology if ontology is not None else ontology_graph()
        self.entities = entities if entities is not None else entities_graph()
        self.ontology_core = ontology_core(self.ontology)
        #: The same, as the quads every run of a claim merges in (converted once).
        self.core_quads = list(_quads(self.ontology_core))
        # pySHACL adds two system triples to the shapes graph at each run; one run
        # now means later (possibly concurrent) runs only re-add what is there.
        _run([], self.shapes)

    def entity_graph_for(self, claim: Graph | Sequence[ox.Quad]) -> Graph:
        """Labels and types, from the packaged entities file, of the entities the claim
        touches (the store does the same from its own entities graph)."""
        graph = Graph()
        touched = (
            touched_entities(claim)
            if isinstance(claim, Graph)
            else {URIRef(iri) for iri in touched_iris(claim)}
        )
        for entity in touched:
            for prop in (RDF.type, RDFS.label):
                for value in self.entities.objects(entity, prop):
                    graph.add((entity, prop, value))
        return graph

    def validate_claim(
        self, claim_dataset: Data, *, entity_graph: Data | None = None
    ) -> ValidationReport:
        """One claim, incrementally: its own graphs, the ontology (the part the shapes
        read, :func:`ontology_core`), and ``entity_graph``.

        ``entity_graph`` holds the labels and types of the entities the claim touches
        (see :func:`touched_entities`), as the store knows them; the cost does not
        depend on the size of the store.
        """
        parts: list[Data] = [claim_dataset, self.core_quads]
        if entity_graph is not None:
            parts.append(entity_graph)
        return _run(parts, self.shapes)

    def validate_claims(
        self, items: Sequence[ClaimData], *, chunk: int = BATCH_CLAIMS
    ) -> list[ValidationReport]:
        """Many claims, one report each, in one pySHACL run per ``chunk`` of them.

        A run's fixed cost (~10 ms) dominates a small claim's validation, so the claims
        are validated together: the union of their quads, their references and the
        ontology. Each result belongs to the claim whose node it is on (the claim or a
        part, ``<claim>#statistics``); a result on a node several claims name (a
        source, an entity) may come from another claim's description of it, so each
        claim that names it is validated again alone. The cost is linear in the
        number of claims; the reports are those of :meth:`validate_claim` on each.
        """
        reports: list[ValidationReport] = []
        for start in range(0, len(items), chunk):
            reports += self._validate_chunk(items[start : start + chunk])
        return reports

    def _alone(self, item: ClaimData) -> ValidationReport:
        return _run([item.quads, self.core_quads, item.reference], self.shapes)

    def _validate_chunk(self, items: Sequence[ClaimData]) -> list[ValidationReport]:
        if len(items) == 1:
            return [self._alone(items[0])]
        owners = {item.iri: index for index, item in enumerate(items)}
        reference = list(dict.fromkeys(q for item in items for q in item.reference))
        report = _run([*(item.quads for item in items), self.core_quads, reference], self.shapes)
        own: list[list[Violation]] = [[] for _ in items]
        shared: set[str] = set()
        for violation in report.violations:
            focus = violation.focus or ""
            owner = owners.get(focus.split("#", 1)[0])
            if owner is None:
                shared.add(focus)
            else:
                own[owner].append(violation)
        alone = {i for i, item in enumerate(items) if shared and _names(item, shared)}
        return [
            self._alone(item) if i in alone else ValidationReport.of(own[i])
            for i, item in enumerate(items)
        ]

    def validate_all(self, dataset: Data) -> ValidationReport:
        """Everything in ``dataset`` (e.g. the whole store), with the ontology and the
        known entities merged in."""
        return _run([dataset, self.ontology, self.entities], self.shapes)


#: The context's properties whose value may name an entity.
_QUALIFIERS = tuple(f.prop for f in layout.FIELDS if f.kind is layout.Kind.QUALIFIER)


def touched_entities(claim_dataset: Graph | Dataset) -> set[URIRef]:
    """The entities a claim touches: its subject and object, the IRIs of its context,
    and the entities it describes (labelled IRIs other than curators)."""
    graph = claim_dataset
    touched: set[URIRef] = set()
    for claim in set(_subjects(graph, RDF.type, GBA.Claim)):
        for prop in (RDF.subject, RDF.object):
            touched.update(o for o in _objects(graph, claim, prop) if isinstance(o, URIRef))
        for context in _objects(graph, claim, GBA.context):
            for prop in _QUALIFIERS:
                touched.update(o for o in _objects(graph, context, prop) if isinstance(o, URIRef))
    agents = set(_subjects(graph, RDF.type, PROV.Agent))
    claims = set(_subjects(graph, RDF.type, GBA.Claim))
    for node in _subjects(graph, RDFS.label, None):
        if isinstance(node, URIRef) and node not in agents and node not in claims:
            touched.add(node)
    return touched


_ENTITY_LINKS = frozenset({str(RDF.subject), str(RDF.object), *(str(p) for p in _QUALIFIERS)})
_LABEL = str(RDFS.label)


def touched_iris(quads: Iterable[ox.Quad]) -> set[str]:
    """:func:`touched_entities` of a claim's quads (its curators' graph left out)."""
    quads = list(quads)
    agents = {q.subject for q in quads if q.graph_name.value.endswith("/curators")}  # type: ignore[union-attr]
    claims = {q.subject for q in quads if q.predicate.value == str(RDF.type)
              and q.object.value == str(GBA.Claim)}  # type: ignore[union-attr]  # fmt: skip
    touched: set[str] = set()
    for q in quads:
        if q.predicate.value in _ENTITY_LINKS and isinstance(q.object, ox.NamedNode):
            touched.add(q.object.value)
        elif (
            q.predicate.value == _LABEL
            and isinstance(q.subject, ox.NamedNode)
            and q.subject not in agents
            and q.subject not in claims
        ):
            touched.add(q.subject.value)
    return touched


def _subjects(data: Graph | Dataset, p: Node, o: Node | None) -> Iterable[Node]:
    if isinstance(data, Dataset):
        return (s for s, _, _, _ in data.quads((None, p, o, None)))
    return data.subjects(p, o)


def _objects(data: Graph | Dataset, s: Node, p: Node) -> Iterable[Node]:
    if isinstance(data, Dataset):
        return (o for _, _, o, _ in data.quads((s, p, None, None)))
    return data.objects(s, p)
