"""What a write may touch: a claim owns its own graphs and refers to everything else as recorded.

A claim is written into four graphs of its own (``<claim>#head``, ``#assertion``,
``#provenance``, ``#pubinfo``) and into two shared ones: the sources graph, where each
source is described once for all the claims that cite it, and the curators graph.
Everything else it names — entities, sources, other claims, curators, graph names,
ontology terms — is described by someone else, and one curator's write must not
change what the store says of it. :func:`check_write` is that rule, in one place,
for every write path (``POST /claims``, ``POST /claims/validate``, ``gbkg load``):

- **An IRI names one kind of thing** (:class:`Kind`): a claim, a named graph, a source,
  a curator, an ontology term, a term of a standard vocabulary, an entity. Its kind
  comes from its namespace (:data:`NAMESPACES`) and from what the store already says
  of it (:meth:`Recorded.kinds`); a write never gives an IRI a second kind.
- **Sources.** ``source`` and ``primary_source`` name sources. A claim may create a
  source (nothing is recorded of it yet) or refer to a recorded one: each field it
  gives must be recorded with that value, and a field the recorded source lacks
  cannot be added — a source is described once, when first recorded. The one link a
  claim adds to a recorded source is ``gba:reports`` to the claim's primary source:
  that is the claim's own statement of where its finding comes from.
- **Entities.** ``entities`` describes new entities, typed with an entity class of the
  ontology. An entity the store already describes is not redescribed: its
  description is left out of the write (:attr:`WriteCheck.new_entities`).
- **Subject, object, context.** A claim relates entities (context values may also be
  text), never claims, sources, curators, graphs or ontology terms.
- **Server fields** (curator, created, status, retraction) are set by
  :class:`~kg.curation.ClaimService` from the token and the clock, never read from
  the body.

A batch (``gbkg load``) is checked item by item against the store *and* what the items
before it describe (:meth:`Recorded.add`): a file may introduce an entity or a source
in one claim and use it in the next, and two items that describe one new source
differently are refused as a claim that contradicts the store is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pyoxigraph as ox
from rdflib import RDFS, Graph, URIRef
from rdflib.namespace import PROV

from gbkg.kg.ids import PREFIX_MAP, compress, expand, try_expand
from gbkg.kg.model import ClaimIn, NewEntity
from gbkg.kg.namespaces import (
    BASE,
    CLAIM,
    CURATOR,
    CURATORS_GRAPH,
    ENTITIES_GRAPH,
    ENTITY,
    GBA,
    GRAPH,
    OBO,
    ONTOLOGY_GRAPH,
    SOURCE,
    SOURCES_GRAPH,
)
from gbkg.kg.near_miss import hint
from gbkg.kg.record import layout
from gbkg.kg.record.terms import Term, TermError, from_term
from gbkg.kg.record.writer import source_description
from gbkg.kg.store import Backend
from gbkg.kg.violations import Violation


class Kind(StrEnum):
    """What an IRI names. Listed from the most to the least specific: when an IRI is
    several things, a message names the first."""

    CLAIM = "a claim (or one of its graphs or parts)"
    GRAPH = "a named graph of the store"
    CURATOR = "a curator"
    ONTOLOGY = "a term of the ontology (a class, relation or property)"
    VOCABULARY = "a term of a standard vocabulary"
    PROJECT = "an IRI reserved by the project (https://w3id.org/gbkg/)"
    SOURCE = "a source"
    ENTITY = "an entity"
    ELSEWHERE = "described in a graph that is not a claim's, a source's or an entity's"


#: Namespaces and the one kind of thing each names, most specific first.
NAMESPACES: tuple[tuple[str, Kind], ...] = (
    (str(CLAIM), Kind.CLAIM),
    (str(SOURCE), Kind.SOURCE),
    (PREFIX_MAP["doi"], Kind.SOURCE),
    (str(CURATOR), Kind.CURATOR),
    (str(GRAPH), Kind.GRAPH),
    (str(GBA), Kind.ONTOLOGY),
    (str(ENTITY), Kind.ENTITY),
    (BASE, Kind.PROJECT),
    (str(OBO), Kind.ENTITY),
    (PREFIX_MAP["HGNC"], Kind.ENTITY),
    (PREFIX_MAP["MESH"], Kind.ENTITY),
    *(
        (PREFIX_MAP[prefix], Kind.VOCABULARY)
        for prefix in ("rdf", "rdfs", "owl", "xsd", "skos", "dct", "prov", "oa", "np", "sh")
    ),
    (PREFIX_MAP["biolink"], Kind.VOCABULARY),
)

#: The shared graphs and what their subjects are.
SHARED_GRAPHS: dict[str, Kind] = {
    str(ONTOLOGY_GRAPH): Kind.ONTOLOGY,
    str(ENTITIES_GRAPH): Kind.ENTITY,
    str(SOURCES_GRAPH): Kind.SOURCE,
    str(CURATORS_GRAPH): Kind.CURATOR,
}


class Rule(StrEnum):
    """The rules of this module, as a violation's ``constraint`` names them
    (``integrity:source-conflict``)."""

    SOURCE_IRI = "source-iri"
    SOURCE_CONFLICT = "source-conflict"
    SOURCE_ADDITION = "source-addition"
    SOURCE_REPORTS_ITSELF = "source-reports-itself"
    ENTITY_IRI = "entity-iri"
    ENTITY_TYPE = "entity-type"
    NOT_AN_ENTITY = "not-an-entity"
    REPORTS_CYCLE = "reports-cycle"
    QUOTE_OFFSETS = "quote-offsets"
    QUOTE_NOT_IN_TEXT = "quote-not-in-text"
    SUPERSEDES_UNKNOWN = "supersedes-unknown"
    SUPERSEDES_RETRACTED = "supersedes-retracted"


def namespace_kind(iri: str) -> Kind | None:
    """The kind its namespace gives an IRI, if any."""
    for namespace, kind in NAMESPACES:
        if iri.startswith(namespace):
            return kind
    return None


def entity_classes(ontology: Graph) -> frozenset[URIRef]:
    """``gba:Entity`` and its subclasses: the types a new entity may have."""
    found = ontology.transitive_subjects(RDFS.subClassOf, GBA.Entity)
    return frozenset(c for c in found if isinstance(c, URIRef))


class Recorded:
    """The store as a write sees it: what is stored, plus what the items before it in
    the same batch describe (a batch is written in one transaction, at its end).

    Every look-up is by subject or by (predicate, object), an index look-up in the
    store and in the batch's pending quads: a check costs the same at any store size.
    """

    def __init__(self, store: Backend) -> None:
        self.store = store
        self._pending = ox.Store()
        #: IRI -> the batch item that first described it (for messages).
        self._origin: dict[str, int] = {}
        # What the store says, read once per IRI: the checks of one write ask the same
        # questions about a source or an entity several times.
        self._stored: dict[str, list[ox.Quad]] = {}
        self._graphs: dict[str, bool] = {}
        self._cited: dict[str, bool] = {}

    def stored_about(self, iri: str) -> list[ox.Quad]:
        """Every stored quad whose subject is ``iri`` (read once)."""
        if iri not in self._stored:
            self._stored[iri] = self.store.quads_about(ox.NamedNode(iri))
        return self._stored[iri]

    def add(self, quads: Iterable[ox.Quad], *, item: int) -> None:
        """What batch item ``item`` will write: the items after it are checked against it."""
        quads = list(quads)
        self._pending.extend(quads)
        for quad in quads:
            if isinstance(quad.subject, ox.NamedNode):
                self._origin.setdefault(quad.subject.value, item)

    def about(self, iri: str) -> list[ox.Quad]:
        """Every quad whose subject is ``iri``, stored or pending."""
        node = ox.NamedNode(iri)
        return [*self.stored_about(iri), *self._pending.quads_for_pattern(node, None, None, None)]

    def kinds(self, iri: str) -> set[Kind]:
        """What ``iri`` names: by its namespace, as a graph name, by the graphs that
        describe it, and as the source of a claim."""
        found: set[Kind] = set()
        if (kind := namespace_kind(iri)) is not None:
            found.add(kind)
        node = ox.NamedNode(iri)
        if iri not in self._graphs:
            self._graphs[iri] = self.store.contains_graph(node)
        if self._graphs[iri] or self._pending.contains_named_graph(node):
            found.add(Kind.GRAPH)
        described = self.about(iri)
        found.update(_described_as(quad, iri) for quad in described)
        if not described and self._cited_as_source(node):
            found.add(Kind.SOURCE)
        return found

    def entity_description(self, iri: str) -> list[ox.Quad]:
        """What is said of ``iri`` as an entity: in the entities graph, or in a claim's
        assertion (never its description as a claim, a source or a curator)."""
        return [q for q in self.about(iri) if _described_as(q, iri) is Kind.ENTITY]

    def known_entity(self, iri: str) -> bool:
        """Whether an entity is described already (it has a label as an entity)."""
        label = ox.NamedNode(str(RDFS.label))
        return any(q.predicate == label for q in self.entity_description(iri))

    def source_record(self, iri: str) -> list[ox.Quad]:
        """What the sources graph records of ``iri``'s own fields (not its links)."""
        graph = ox.NamedNode(str(SOURCES_GRAPH))
        reports = ox.NamedNode(str(GBA.reports))
        return [q for q in self.about(iri) if q.graph_name == graph and q.predicate != reports]

    def described_by(self, iri: str) -> int | None:
        """The batch item that described ``iri``, when the store itself does not."""
        if self.stored_about(iri):
            return None
        return self._origin.get(iri)

    def _cited_as_source(self, node: ox.NamedNode) -> bool:
        links = [ox.NamedNode(str(link)) for link in (PROV.wasDerivedFrom, GBA.primarySource)]
        if node.value not in self._cited:
            self._cited[node.value] = any(self.store.subjects_with(p, node) for p in links)
        if self._cited[node.value]:
            return True
        return any(next(self._pending.quads_for_pattern(None, p, node, None), None) for p in links)


def _described_as(quad: ox.Quad, iri: str) -> Kind:
    """What a quad about ``iri`` makes it, from the graph it is in."""
    graph = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
    shared = SHARED_GRAPHS.get(graph)
    if shared is not None:
        return shared
    if graph.startswith(str(CLAIM)):
        if iri.startswith(str(CLAIM)):
            return Kind.CLAIM
        if graph.endswith("#assertion"):
            return Kind.ENTITY
    return Kind.ELSEWHERE


def _first(kinds: Iterable[Kind]) -> Kind:
    order = list(Kind)
    return min(kinds, key=order.index)


def _violation(
    field: str, rule: Rule, message: str, value: str | None, *, focus: str | None = None
) -> Violation:
    return Violation.of(field, message, constraint=f"integrity:{rule}", value=value, focus=focus)


def _field_text(field: layout.Field, term: Term) -> str:
    """A recorded value as the claim record spells it (``gba:NewsArticle`` is
    ``news-article``; a term outside the field's vocabulary, its CURIE)."""
    try:
        return str(from_term(field.kind, term, field.terms))
    except TermError:
        return compress(term.value) if isinstance(term, ox.NamedNode) else str(term.value)


@dataclass(frozen=True)
class WriteCheck:
    """What :func:`check_write` found: the violations, and the entities of the claim
    to write (new ones, well formed; known ones are not redescribed)."""

    violations: list[Violation]
    new_entities: list[NewEntity]


def check_write(
    claim: ClaimIn, recorded: Recorded, *, entity_classes: frozenset[URIRef]
) -> WriteCheck:
    """Everything ``claim`` would write about what it does not own (see the module's
    docstring); ``claim`` as sent, so that ``entities.N`` is the N-th entity sent."""
    new_entities: list[NewEntity] = []
    entity_violations = list(_entity_violations(claim, recorded, entity_classes, new_entities))
    return WriteCheck(
        violations=[
            *_source_violations(claim, recorded),
            *entity_violations,
            *_reference_violations(claim, recorded),
            *quote_violations(claim, recorded),
            *_reports_cycles(claim, recorded),
        ],
        new_entities=new_entities,
    )


def _own_sources(claim: ClaimIn) -> dict[str, str]:
    """The claim's source IRIs -> the field that gives each."""
    found: dict[str, str] = {}
    for field in ("primary_source", "source"):
        source = getattr(claim, field)
        if source is not None:
            found[source.minted_id()] = field
    return found


def _source_violations(claim: ClaimIn, recorded: Recorded) -> Iterator[Violation]:
    described = {str(expand(e.id)) for e in claim.entities}
    for field in ("source", "primary_source"):
        source = getattr(claim, field)
        if source is None:
            continue
        iri = source.minted_id()
        curie = compress(iri)
        kinds = recorded.kinds(iri) - {Kind.SOURCE}
        if iri in described:
            kinds.add(Kind.ENTITY)
        if kinds:
            yield _violation(
                f"{field}.id",
                Rule.SOURCE_IRI,
                f"{field}.id: {curie} is {_first(kinds)}, so it cannot be a source. Leave "
                f"{field}.id out to mint the source's id from its DOI, URL or fields, or give "
                "the source's own identifier (its DOI or URL)",
                curie,
                focus=iri,
            )
            continue
        reported_by = claim.source.minted_id() if claim.source is not None else None
        if field == "primary_source" and iri == reported_by:
            yield _violation(
                "primary_source.id",
                Rule.SOURCE_REPORTS_ITSELF,
                f"primary_source.id: {curie} is this claim's source; the primary source is "
                "the study the source reports, never the source itself. Leave "
                "primary_source out when the source is the study",
                curie,
                focus=iri,
            )
            continue
        yield from _against_record(field, iri, source_description(source), recorded)


def _against_record(
    field: str, iri: str, given: list[tuple[layout.Field, Term]], recorded: Recorded
) -> Iterator[Violation]:
    """Each field given for a recorded source must be recorded with the same value."""
    record = recorded.source_record(iri)
    if not record:
        return  # a new source: this claim describes it
    curie = compress(iri)
    item = recorded.described_by(iri)
    where = "is recorded" if item is None else f"is described by item {item} of this batch"
    values: dict[str, set[Term]] = {}
    for quad in record:
        values.setdefault(quad.predicate.value, set()).add(quad.object)  # type: ignore[arg-type]
    for source_field, value in given:
        name = source_field.path
        if source_field.prop == GBA.reports:
            continue  # a link, not a field: a claim may say its source reports a study
        shown = _field_text(source_field, value)
        have = values.get(str(source_field.prop))
        if not have:
            yield _violation(
                f"{field}.{name}",
                Rule.SOURCE_ADDITION,
                f"{field}.{name}: {curie} {where} without any {name}, and a claim "
                "cannot add one: a source is described once, when it is first recorded. "
                f"Leave {field}.{name} out ({field}.id alone refers to the source), or give "
                "another id, DOI or URL if this is a different source",
                shown,
                focus=iri,
            )
        elif value not in have and shown not in {_field_text(source_field, v) for v in have}:
            known = ", ".join(sorted(repr(_field_text(source_field, v)) for v in have))
            yield _violation(
                f"{field}.{name}",
                Rule.SOURCE_CONFLICT,
                f"{field}.{name}: {curie} {where} with {name} {known}, not "
                f"{shown!r}. A claim refers to a recorded source as it is recorded: give "
                f"{field}.{name} as recorded or leave it out ({field}.id alone refers to the "
                "source); a different source needs its own id, DOI or URL",
                shown,
                focus=iri,
            )


#: How many sources a walk of a ``reports`` chain visits at most (a chain is a few long).
MAX_CHAIN = 1000


def _reports_cycles(claim: ClaimIn, recorded: Recorded) -> Iterator[Violation]:
    """A source that would report itself through a chain of ``reports`` (news →
    meta-analysis → … → the news again): the links this claim writes, and the recorded
    ones (index look-ups, at most :data:`MAX_CHAIN` sources per walk)."""
    reports = ox.NamedNode(str(GBA.reports))
    given: dict[str, set[str]] = {}
    for field in ("source", "primary_source"):
        source = getattr(claim, field)
        if source is not None:
            given.setdefault(source.minted_id(), set()).update(
                str(expand(r)) for r in source.reports
            )
    if claim.source is not None and claim.primary_source is not None:
        given.setdefault(claim.source.minted_id(), set()).add(claim.primary_source.minted_id())

    def after(node: str) -> set[str]:
        stored = {q.object.value for q in recorded.about(node)
                  if q.predicate == reports and isinstance(q.object, ox.NamedNode)}  # fmt: skip
        return given.get(node, set()) | stored

    for field in ("source", "primary_source"):
        source = getattr(claim, field)
        if source is None:
            continue
        start = source.minted_id()
        seen: set[str] = set()
        pending = sorted(after(start))
        while pending and len(seen) < MAX_CHAIN:
            node = pending.pop()
            if node == start:
                curie = compress(start)
                yield _violation(
                    f"{field}.reports", Rule.REPORTS_CYCLE,
                    f"{field}.reports: {curie} would report itself through a chain of reports "
                    "(a source reports the studies it cites, never one that cites it back); "
                    "check the reports links", curie, focus=start,
                )  # fmt: skip
                break
            if node not in seen:
                seen.add(node)
                pending.extend(sorted(after(node) - seen))


def source_text(claim: ClaimIn, recorded: Recorded) -> str | None:
    """The full text of the claim's source: given with it, or stored with it already."""
    if claim.source is None:
        return None
    if claim.source.text is not None:
        return claim.source.text
    graph = ox.NamedNode(str(SOURCES_GRAPH))
    text = ox.NamedNode(str(GBA.fullText))
    for quad in recorded.about(claim.source.minted_id()):
        literal = quad.object
        if quad.graph_name == graph and quad.predicate == text and isinstance(literal, ox.Literal):
            return str(literal.value)
    return None


def quote_violations(claim: ClaimIn, recorded: Recorded) -> Iterator[Violation]:
    """The quote against the source's text, wherever the store holds it (or the claim
    gives it): its offsets cover exactly the quote (in code points, no-break spaces and
    typographic quotes as they are); without offsets, the quote (with its ``quote_prefix``
    and ``quote_suffix``) is in the text."""
    if claim.quote is None:
        return
    text = source_text(claim, recorded)
    if text is None:
        return
    quote = claim.quote
    found = text.find(quote)
    where = (f"; the quote is at start {found}, end {found + len(quote)}" if found >= 0
             else "; the quote is not in the text at all")  # fmt: skip
    position = claim.quote_position
    if position is not None:
        start, end = position.start, position.end
        if not 0 <= start <= end <= len(text):
            yield _violation(
                "quote_position", Rule.QUOTE_OFFSETS,
                f"quote_position: start {start}, end {end} are outside the source's text "
                f"({len(text)} code points){where}", f"{start}-{end}",
            )  # fmt: skip
        elif text[start:end] != quote:
            yield _violation(
                "quote_position", Rule.QUOTE_OFFSETS,
                f"quote_position: start {start}, end {end} cover {text[start:end]!r} in the "
                f"source's text, not the quote {quote!r} (offsets count code points){where}",
                f"{start}-{end}",
            )  # fmt: skip
        return
    context = (claim.quote_prefix or "") + quote + (claim.quote_suffix or "")
    if context not in text:
        shown = "the quote" if context == quote else "quote_prefix + quote + quote_suffix"
        yield _violation(
            "quote", Rule.QUOTE_NOT_IN_TEXT,
            f"quote: {shown} is not in the source's text, which the store holds; quote it "
            "verbatim (no-break spaces and typographic quotes as in the text)", quote,
        )  # fmt: skip


def _entity_violations(
    claim: ClaimIn, recorded: Recorded, classes: frozenset[URIRef], new: list[NewEntity]
) -> Iterator[Violation]:
    """The violations of ``claim.entities``; the entities to write are added to ``new``."""
    sources = _own_sources(claim)
    for index, entity in enumerate(claim.entities):
        field = f"entities.{index}"
        iri = str(expand(entity.id))
        kinds = recorded.kinds(iri) - {Kind.ENTITY}
        what = f"this claim's {sources[iri]}" if iri in sources else None
        if kinds or what:
            yield _violation(
                f"{field}.id",
                Rule.ENTITY_IRI,
                f"{field}.id: {entity.id} is {what or _first(kinds)}, not an entity: "
                "entities describes new entities only. Give the entity's own identifier "
                "(e.g. an NCBITaxon or CHEBI CURIE, or a new gbkg: one)",
                entity.id,
                focus=iri,
            )
        elif recorded.known_entity(iri):
            continue  # described already: left out of the write, not redescribed
        elif entity.type is None:
            yield _violation(
                f"{field}.type",
                Rule.ENTITY_TYPE,
                f"{field}.type is required for a new entity: an entity class of the ontology, "
                f"one of {_allowed(classes)}",
                None,
                focus=iri,
            )
        elif unknown := [t for t in entity.type if expand(t) not in classes]:
            allowed = sorted(compress(str(c)) for c in classes)
            for kind in unknown:
                yield _violation(
                    f"{field}.type",
                    Rule.ENTITY_TYPE,
                    f"{field}.type: {kind} is not an entity class of the ontology"
                    f"{hint(kind, allowed)}; a new entity is typed with one or more of "
                    f"{_allowed(classes)}",
                    kind,
                    focus=iri,
                )
        else:
            new.append(entity)


def _allowed(classes: frozenset[URIRef]) -> str:
    """The entity classes, as a message lists them."""
    return ", ".join(sorted(compress(str(c)) for c in classes))


#: The fields whose value names an entity (or, for a qualifier, may).
_ENTITY_FIELDS = tuple(
    f.path
    for f in layout.FIELDS
    if f.path in ("subject", "object") or f.kind is layout.Kind.QUALIFIER
)


def _references(claim: ClaimIn) -> Iterator[tuple[str, str]]:
    """(field, IRI) of every entity the claim names: subject, object, qualifier IRIs."""
    for path in _ENTITY_FIELDS:
        value: Any = claim
        for step in path.split("."):
            value = getattr(value, step, None)
        for item in value if isinstance(value, list) else [value]:
            iri = try_expand(item) if isinstance(item, str) else None
            if iri is not None:
                yield path, str(iri)


def _reference_violations(claim: ClaimIn, recorded: Recorded) -> Iterator[Violation]:
    sources = _own_sources(claim)
    for field, iri in _references(claim):
        kinds = recorded.kinds(iri) - {Kind.ENTITY}
        what = f"this claim's {sources[iri]}" if iri in sources else None
        if not (kinds or what):
            continue
        curie = compress(iri)
        role = field if field in ("subject", "object") else "value"
        yield _violation(
            field,
            Rule.NOT_AN_ENTITY,
            f"{field}: {curie} is {what or _first(kinds)}; a claim relates entities, so its "
            f"{role} must be an entity{' or text' if role == 'value' else ''}: a known "
            "identifier, or a new one described in entities",
            curie,
            focus=iri,
        )


def check_supersedes(
    claim: ClaimIn, recorded: Recorded, batch: Mapping[str, ClaimIn], taken: Mapping[str, int]
) -> tuple[list[Violation], str | None]:
    """What ``claim.supersedes`` asks: the violations, and the IRI of the claim to retract
    (``None`` when there is nothing to retract: no ``supersedes``, or the old claim is
    already retracted as superseded by this very claim, as an export records it).

    The superseded claim must be stored or be in the same batch (``batch``: IRI →
    claim), must not be retracted already, and must not be superseded by another item
    of the batch (``taken``: IRI → the item that supersedes it).
    """
    if claim.supersedes is None:
        return [], None
    old = str(expand(claim.supersedes))
    curie = compress(old)
    field = "supersedes"
    if not old.startswith(str(CLAIM)) or old == claim.iri:
        what = "this claim itself" if old == claim.iri else "not a claim id"
        return [_violation(field, Rule.SUPERSEDES_UNKNOWN,
                           f"supersedes: {curie} is {what}; give the id of the stored claim "
                           "this one corrects (claim:<hash>)", curie, focus=old)], None  # fmt: skip
    stored = recorded.store.contains_graph(ox.NamedNode(old + "#assertion"))
    earlier = batch.get(old)
    if not stored and earlier is None:
        return [_violation(field, Rule.SUPERSEDES_UNKNOWN,
                           f"supersedes: no claim {curie} is stored; give the id of the "
                           "claim this one corrects (GET /claims lists them)", curie,
                           focus=old)], None  # fmt: skip
    by: str | None = None
    retraction = getattr(earlier, "retraction", None)
    if retraction is not None:
        by = str(expand(retraction.superseded_by)) if retraction.superseded_by else ""
    elif stored and recorded.store.is_retracted(old):
        graph = ox.NamedNode(layout.retraction_iri(old))
        link = ox.NamedNode(str(GBA.supersededBy))
        by = next(
            (str(q.object.value) for q in recorded.store.quads(graph)  # type: ignore[union-attr]
             if q.predicate == link), "",
        )  # fmt: skip
    if by == claim.iri:
        return [], None  # retracted as superseded by this claim already (a re-load)
    if by is not None:
        state = f"superseded by {compress(by)}" if by else "retracted"
        return [_violation(field, Rule.SUPERSEDES_RETRACTED,
                           f"supersedes: {curie} is already {state}; a claim is retracted "
                           "once. Supersede the claim that stands (its status is active)",
                           curie, focus=old)], None  # fmt: skip
    if old in taken:
        return [_violation(field, Rule.SUPERSEDES_RETRACTED,
                           f"supersedes: {curie} is superseded by item {taken[old]} of this "
                           "batch already; a claim is superseded once", curie,
                           focus=old)], None  # fmt: skip
    return [], old


__all__ = [
    "NAMESPACES",
    "Kind",
    "Recorded",
    "Rule",
    "WriteCheck",
    "check_supersedes",
    "check_write",
    "entity_classes",
    "namespace_kind",
]
