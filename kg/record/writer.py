"""A claim as RDF quads, written from the layout table (:mod:`kg.record.layout`).

:func:`claim_quads` gives the quads of one claim: its four named graphs, the
description of its sources in the sources graph and of its curators in the curators
graph. They are pyoxigraph quads: the write path validates this very list and writes
it (:class:`~kg.curation.ClaimService`), without converting it.

>>> from gbkg.kg.model import ClaimIn
>>> claim = ClaimIn.model_validate({
...     "subject": "gbkg:probiotic", "predicate": "gba:improves", "object": "MONDO:0002050",
...     "finding": "effect", "statement": "Probiotics improve depressive symptoms.",
...     "quote": "Probiotics were linked to modest improvements",
...     "source": {"title": "A report", "type": "news-article"},
... })
>>> sorted({q.graph_name.value.rsplit("#", 1)[-1] for q in claim_quads(claim)})
['assertion', 'head', 'https://w3id.org/gbkg/graph/sources', 'provenance']
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, URIRef

from gbkg.kg.ids import digest, expand
from gbkg.kg.model import ClaimIn, Retraction, Source
from gbkg.kg.namespaces import SOURCE as SOURCE_NS
from gbkg.kg.record.layout import (
    CURATOR,
    DERIVED_LINKS,
    ENTITY,
    FIELDS,
    HEAD_LINKS,
    ITEMS,
    NANOPUBLICATION,
    NODES,
    OWN_GRAPHS,
    REFERENCES,
    RETRACTION_RECORD,
    RETRACTS,
    SOURCE,
    Field,
    GraphRole,
    Kind,
    Record,
    field,
    node,
    retraction_iri,
)
from gbkg.kg.record.terms import Term, curator_iri, to_term

_TYPE = ox.NamedNode(str(RDF.type))
Triple = tuple[ox.NamedNode, ox.NamedNode, Term]


def _named(iri: URIRef | str) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


def value_at(record: Any, path: str) -> Any:
    """The value at a dotted ``path`` of a model (``None`` when a step is absent)."""
    value = record
    for step in path.split("."):
        value = getattr(value, step, None)
        if value is None:
            return None
    return value


def field_terms(field: Field, value: Any) -> list[Term]:
    """The terms that record ``value`` (one, or one per item of a ``many`` field; for a
    field of one ``match``, the ids of the items with that match)."""
    if value is None:
        return []
    values = value if field.many else [value]
    if field.match is not None:
        values = [v.id for v in values if v.match == field.match]
    return [to_term(field.kind, v, field.terms) for v in values]


def part_iri(owner: str, f: Field, item: Any) -> ox.NamedNode:
    """The node of one item of a :attr:`~kg.record.layout.Kind.RECORD` field (a study's
    arm): minted from its owner's IRI, the field and its content, so the same
    description is the same node, and two studies never share one."""
    content = json.dumps(item.model_dump(mode="json", exclude_none=True), sort_keys=True)
    return ox.NamedNode(str(SOURCE_NS[digest(f"{owner} {f.path} {content}", 24)]))


def record_values(record: Record, item: Any, owner: str = "") -> list[tuple[Field, Term]]:
    """``(field, term)`` for each field ``item`` gives, by the sub-table ``record``:
    what the record's node (``owner``) says of it (its id is the node, not a value)."""
    found: list[tuple[Field, Term]] = []
    for f in record.fields:
        value = value_at(item, f.path)
        if f.kind is Kind.RECORD:
            found += [(f, part_iri(owner, f, sub)) for sub in value or ()]
        else:
            found += [(f, term) for term in field_terms(f, value)]
    return found


def record_triples(record: Record, node: ox.NamedNode, item: Any) -> list[Triple]:
    """What ``node`` says as a ``record`` of ``item``, with the nodes of its sub-records."""
    triples: list[Triple] = []
    if record.cls is not None:
        triples.append((node, _TYPE, _named(record.cls)))
    for f, term in record_values(record, item, node.value):
        triples.append((node, _named(f.prop), term))
        if f.kind is Kind.RECORD:
            assert f.record is not None and isinstance(term, ox.NamedNode)
            sub = next(s for s in value_at(item, f.path) if part_iri(node.value, f, s) == term)
            triples += record_triples(f.record, term, sub)
    return triples


def source_description(source: Source) -> list[tuple[Field, Term]]:
    """What the sources graph records of ``source`` (:data:`~kg.record.layout.SOURCE`)."""
    return record_values(SOURCE, source, source.iri)


def retraction_quads(claim: str, retraction: Retraction) -> list[ox.Quad]:
    """The retraction of ``claim``: its own record in its own named graph
    (:func:`~kg.record.layout.retraction_iri`), and its curator in the curators graph.

    >>> from datetime import datetime, UTC
    >>> quads = retraction_quads("https://w3id.org/gbkg/claim/0123",
    ...     Retraction(reason="a duplicate", by="ann", at=datetime(2026, 1, 1, tzinfo=UTC)))
    >>> sorted({q.predicate.value.rsplit("#", 1)[-1] for q in quads})[:4]
    ['generatedAtTime', 'label', 'reason', 'retracts']
    """
    node = ox.NamedNode(retraction_iri(claim))
    graph = node
    quads = [ox.Quad(node, _named(RETRACTS), ox.NamedNode(claim), graph)]
    triples = record_triples(RETRACTION_RECORD, node, retraction)
    if retraction.superseded_by is not None:
        f = field("retraction.superseded_by")
        by = to_term(f.kind, retraction.superseded_by)
        triples.append((ox.NamedNode(claim), _named(f.prop), by))
    quads += [ox.Quad(s, p, o, graph) for s, p, o in triples]
    if retraction.by is not None:
        quads += curator_quads(retraction.by)
    return quads


def curator_quads(name: str) -> list[ox.Quad]:
    """A curator's description in the curators graph."""
    agent = curator_iri(name)
    graph = ox.NamedNode(GraphRole.CURATORS.graph_name(""))
    assert CURATOR.cls is not None
    quads = [ox.Quad(agent, _TYPE, _named(CURATOR.cls), graph)]
    quads += [ox.Quad(agent, _named(f.prop), to_term(f.kind, name), graph) for f in CURATOR.fields]
    return quads


def claim_quads(claim: ClaimIn) -> list[ox.Quad]:
    """Every quad ``claim`` writes (its IRI is the claim's content hash, :attr:`ClaimIn.iri`).

    A ``ClaimIn`` has no server fields: its publication info is empty. Quads about a
    source or a curator are in the shared graphs; a store holds each of them once.
    """
    iri = claim.iri
    c = ox.NamedNode(iri)
    graphs = {role: ox.NamedNode(role.graph_name(iri)) for role in GraphRole}
    quads: list[ox.Quad] = [ox.Quad(c, _TYPE, _named(NANOPUBLICATION), graphs[GraphRole.HEAD])]
    quads += [
        ox.Quad(c, _named(link), graphs[role], graphs[GraphRole.HEAD])
        for role, link in HEAD_LINKS.items()
    ]

    def add(s: ox.NamedNode, p: URIRef, o: Term, role: GraphRole) -> None:
        quads.append(ox.Quad(s, _named(p), o, graphs[role]))

    nodes: dict[str, ox.NamedNode] = {}
    for n in NODES:
        if n.fragment is not None and all(value_at(claim, o) is None for o in n.owners):
            continue
        part = c if n.fragment is None else ox.NamedNode(f"{iri}#{n.fragment}")
        nodes[n.name] = part
        if n.link is not None:
            add(c, n.link, part, n.graph)
        add(part, RDF.type, _named(n.cls), n.graph)
        for owner, cls in n.classes_when:
            if value_at(claim, owner) is not None:
                add(part, RDF.type, _named(cls), n.graph)
    for items in ITEMS:
        parent = nodes.get(items.node)
        for index, item in enumerate(value_at(claim, items.path) or ()):
            assert parent is not None and items.record.cls is not None
            member = ox.NamedNode(f"{iri}#{items.fragment}-{index}")
            add(parent, items.link, member, items.record.graph)
            add(member, RDF.type, _named(items.record.cls), items.record.graph)
            for f, term in record_values(items.record, item):
                add(member, f.prop, term, items.record.graph)
    curators: list[str] = []
    for f in FIELDS:
        subject = nodes.get(f.node)
        value = value_at(claim, f.path)
        if subject is None or value is None or f.graph is GraphRole.RETRACTION:
            continue
        for term in field_terms(f, value):
            add(subject, f.prop, term, f.graph or node(f.node).graph)
        if f.kind is Kind.CURATOR:
            curators.append(str(value))
    for ref in REFERENCES:
        source = getattr(claim, ref.path)
        if source is None:
            continue
        s = ox.NamedNode(source.minted_id())
        nodes[ref.path] = s
        add(c, ref.link, s, ref.graph)
        quads += [
            ox.Quad(*triple, graphs[ref.record.graph])
            for triple in record_triples(ref.record, s, source)
        ]
    for derived in DERIVED_LINKS:
        if derived.subject in nodes and derived.object in nodes:
            add(nodes[derived.subject], derived.prop, nodes[derived.object], derived.graph)
    for entity in claim.entities:
        e = ox.NamedNode(str(expand(entity.id)))
        for f, term in record_values(ENTITY, entity):
            add(e, f.prop, term, ENTITY.graph)
    for name in dict.fromkeys(curators):
        quads += curator_quads(name)
    retraction = getattr(claim, "retraction", None)
    if retraction is not None:
        quads += retraction_quads(iri, retraction)
    return list(dict.fromkeys(quads))


def claims_quads(claims: Iterable[ClaimIn]) -> list[ox.Quad]:
    """The quads of several claims; a shared description (a source, a curator) once."""
    return list(dict.fromkeys(q for claim in claims for q in claim_quads(claim)))


def claims_trig(claims: Iterable[ClaimIn], *, header: str = "") -> str:
    """Claims as TriG that reads well and is the same from run to run (the curated files).

    One block per graph: each claim's four graphs in nanopublication order, in the
    order given, then the shared sources and curators graphs; each graph's triples
    as sorted Turtle (rdflib's serializer, which sorts; this is not a request path).
    """
    from rdflib import Graph

    from gbkg.kg.ids import bind_prefixes
    from gbkg.kg.terms import from_ox

    claims = list(claims)
    quads = claims_quads(claims)
    names = [role.graph_name(c.iri) for c in claims for role in OWN_GRAPHS]
    names += [GraphRole.SOURCES.graph_name(""), GraphRole.CURATORS.graph_name("")]
    names += [
        GraphRole.RETRACTION.graph_name(c.iri) for c in claims if getattr(c, "retraction", None)
    ]
    by_graph: dict[str, list[ox.Quad]] = {}
    for quad in quads:
        by_graph.setdefault(quad.graph_name.value, []).append(quad)  # type: ignore[union-attr]
    prefixes: set[str] = set()
    blocks = []
    for name in names:
        graph = bind_prefixes(Graph())
        for q in by_graph.get(name, []):
            graph.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
        if not len(graph):
            continue
        lines = graph.serialize(format="turtle").split("\n")
        prefixes.update(line for line in lines if line.startswith("@prefix"))
        body = "\n".join(_indented(line for line in lines if not line.startswith("@prefix")))
        blocks.append(f"<{name}> {{\n{body.strip(chr(10))}\n}}\n")
    return header + "\n".join(["\n".join(sorted(prefixes)) + "\n", *blocks])


def _indented(lines: Iterable[str]) -> Iterator[str]:
    """Turtle lines indented by four spaces, except the lines inside a long literal
    (``\"\"\"…\"\"\"``, a source's full text), which are its text and stay as they are."""
    inside = False
    for line in lines:
        yield line if inside or not line else "    " + line
        if line.count('"""') % 2:
            inside = not inside
