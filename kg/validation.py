"""Validating claims with the SHACL shapes: one claim incrementally, many in batches, or all.

The shapes (``ontology/shapes.ttl``) check a claim as ``docs/rdf-model.md`` writes it.
The data graph pySHACL sees is the *union* of the claim's named graphs, the ontology
(so ``sh:class gba:Relation`` and the no-effect values resolve) and the labels and
types of the entities the claim touches — no inference is run. Running pySHACL and
naming each result's field is :mod:`kg.shacl`'s.

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

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.exceptions import ParserError
from rdflib.namespace import PROV

from gbkg.kg.errors import KGError
from gbkg.kg.namespaces import GBA
from gbkg.kg.record import layout
from gbkg.kg.resources import ontology_file
from gbkg.kg.shacl import Data, is_entity, quads_of, run_shapes
from gbkg.kg.violations import Severity, ValidationReport, Violation

__all__ = [
    "BATCH_CLAIMS",
    "ClaimData",
    "Severity",
    "ValidationReport",
    "Validator",
    "Violation",
    "entities_graph",
    "ontology_core",
    "ontology_graph",
    "shapes_graph",
    "touched_iris",
]

SHAPES_FILE = "shapes.ttl"
ONTOLOGY_FILE = "gba.ttl"
ENTITIES_FILE = "entities.ttl"


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
        if is_entity(core, node):
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
        self.core_quads = list(quads_of(self.ontology_core))
        # pySHACL adds two system triples to the shapes graph at each run; one run
        # now means later (possibly concurrent) runs only re-add what is there.
        run_shapes([], self.shapes)

    def entity_graph_for(self, claim: Graph | Sequence[ox.Quad]) -> Graph:
        """Labels and types, from the packaged entities file, of the entities the claim
        touches (the store does the same from its own entities graph)."""
        graph = Graph()
        for entity in map(URIRef, touched_iris(quads_of(claim))):
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
        (see :func:`touched_iris`), as the store knows them; the cost does not
        depend on the size of the store.
        """
        parts: list[Data] = [claim_dataset, self.core_quads]
        if entity_graph is not None:
            parts.append(entity_graph)
        return run_shapes(parts, self.shapes)

    def validate_claims(
        self,
        items: Sequence[ClaimData],
        *,
        chunk: int = BATCH_CLAIMS,
        progress: Callable[[int], object] | None = None,
    ) -> list[ValidationReport]:
        """Many claims, one report each, in one pySHACL run per ``chunk`` of them.

        A run's fixed cost (~10 ms) dominates a small claim's validation, so the claims
        are validated together: the union of their quads, their references and the
        ontology. Each result belongs to the claim whose node it is on (the claim or a
        part, ``<claim>#statistics``); a result on a node several claims name (a
        source, an entity) may come from another claim's description of it, so each
        claim that names it is validated again alone. The cost is linear in the
        number of claims; the reports are those of :meth:`validate_claim` on each.
        ``progress(n)`` is called as each chunk of ``n`` claims has been validated.
        """
        reports: list[ValidationReport] = []
        for start in range(0, len(items), chunk):
            part = items[start : start + chunk]
            reports += self._validate_chunk(part)
            if progress is not None:
                progress(len(part))
        return reports

    def _alone(self, item: ClaimData) -> ValidationReport:
        return run_shapes([item.quads, self.core_quads, item.reference], self.shapes)

    def _validate_chunk(self, items: Sequence[ClaimData]) -> list[ValidationReport]:
        if len(items) == 1:
            return [self._alone(items[0])]
        owners = {item.iri: index for index, item in enumerate(items)}
        reference = list(dict.fromkeys(q for item in items for q in item.reference))
        parts = [*(item.quads for item in items), self.core_quads, reference]
        report = run_shapes(parts, self.shapes)
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
        return run_shapes([dataset, self.ontology, self.entities], self.shapes)


#: The context's properties whose value may name an entity.
_QUALIFIERS = tuple(f.prop for f in layout.FIELDS if f.kind is layout.Kind.QUALIFIER)


_ENTITY_LINKS = frozenset({str(RDF.subject), str(RDF.object), *(str(p) for p in _QUALIFIERS)})
_LABEL = str(RDFS.label)


def touched_iris(quads: Iterable[ox.Quad]) -> set[str]:
    """The entities a claim touches: its subject and object, the IRIs of its context, and
    the entities it describes (labelled IRIs other than curators and claims)."""
    quads = list(quads)
    typed: dict[str, set[object]] = {str(PROV.Agent): set(), str(GBA.Claim): set()}
    for q in quads:
        kind = q.object.value if isinstance(q.object, ox.NamedNode) else ""
        if q.predicate.value == str(RDF.type) and kind in typed:
            typed[kind].add(q.subject)
    agents, claims = typed[str(PROV.Agent)], typed[str(GBA.Claim)]
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
