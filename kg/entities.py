"""Entities: look-up by name, and one entity with its identifiers, claims and evidence.

An entity is anything typed with a subclass of ``gba:Entity``, whether described in
the entities graph (``ontology/entities.ttl``) or inside a claim's assertion graph
(a new strain sent with its claim).

Look-up (:func:`search`) matches the text against labels and synonyms
(``skos:altLabel``), case-insensitively, and ranks each entity by its best match:

====  =====================================================
rank  match
====  =====================================================
0     the label, exactly
1     a synonym, exactly
2     the start of the label
3     the start of a synonym
4     the start of a word of the label
5     the start of a word of a synonym
6     elsewhere in the label
7     elsewhere in a synonym
====  =====================================================

then shorter labels first, then alphabetically. ``Lactobacillus casei`` thus finds
*Lacticaseibacillus casei* by its synonym, and ``serotonin`` puts serotonin before
"selective serotonin reuptake inhibitor".
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import RDF, RDFS, SKOS

from gbkg.kg.analytics import ClaimGraph
from gbkg.kg.errors import NotFoundError, ParameterError
from gbkg.kg.ids import compress
from gbkg.kg.model import Finding
from gbkg.kg.projection import ClaimRecord, entity_classes, entity_iri, read_entity
from gbkg.kg.resources import internal_query
from gbkg.kg.store import Backend
from gbkg.kg.suggest.linking import EntityIndex, Name

MAX_QUERY_LENGTH = 200
XREF_PROPERTIES = {
    str(SKOS.exactMatch): "exact",
    str(SKOS.closeMatch): "close",
    str(SKOS.broadMatch): "broad",
    str(SKOS.narrowMatch): "narrow",
    str(SKOS.relatedMatch): "related",
}
DESCRIPTION_PROPERTIES = (str(SKOS.definition), str(RDFS.comment))


@dataclass(frozen=True)
class EntityHit:
    """One search result: the entity, the text that matched and how well."""

    iri: str
    label: str
    types: tuple[str, ...]
    matched: str
    kind: str  #: ``label`` or ``synonym``
    rank: int

    @property
    def id(self) -> str:
        return compress(self.iri)


def _rank(text: str, q: str, kind: str) -> int:
    lowered = text.lower()
    synonym = 1 if kind == "synonym" else 0
    if lowered == q:
        return 0 + synonym
    if lowered.startswith(q):
        return 2 + synonym
    if re.search(r"(?:^|[\s\-(/,])" + re.escape(q), lowered):
        return 4 + synonym
    return 6 + synonym


def search(
    store: Backend, q: str, *, limit: int = 20, names: EntityIndex | None = None
) -> list[EntityHit]:
    """Entities whose label or a synonym contains ``q`` (case-insensitive), best first.

    With ``names`` (the entity names in memory, :class:`~kg.suggest.linking.EntityIndex`,
    which the service keeps per store generation) nothing is read from the store; else
    the labels are scanned by a query."""
    text = " ".join(q.split())
    if not text:
        raise ParameterError("q: give some text to look up", parameter="q", value=q)
    if len(text) > MAX_QUERY_LENGTH:
        raise ParameterError(
            f"q: at most {MAX_QUERY_LENGTH} characters", parameter="q", value=text[:40] + "…"
        )
    if limit < 1:
        raise ParameterError("limit must be at least 1", parameter="limit", value=limit)
    lowered = text.lower()
    if names is not None:
        return _search_index(names, lowered, limit)
    result = store.query(internal_query("entity-search"), substitutions={"q": ox.Literal(text)})
    assert isinstance(result, ox.QuerySolutions)
    best: dict[str, tuple[int, str, str]] = {}
    for row in result:
        if not isinstance(row["entity"], ox.NamedNode):
            continue
        iri, matched, kind = row["entity"].value, row["text"].value, row["kind"].value
        candidate = (_rank(matched, lowered, kind), matched, kind)
        if iri not in best or candidate < best[iri]:
            best[iri] = candidate
    # Labelled things that are not entities (classes, relations, curators) match too;
    # they are told apart by their types, read for the best candidates only.
    classes = entity_classes(store)
    hits: list[EntityHit] = []
    for iri, (rank, matched, kind) in sorted(best.items(), key=lambda kv: (kv[1], kv[0])):
        if len(hits) >= limit and rank > hits[-1].rank:
            break
        name = read_entity(store, iri, classes)
        if name is not None:
            label = name.label or compress(iri)
            hits.append(EntityHit(iri, label, tuple(sorted(name.types)), matched, kind, rank))
    hits.sort(key=lambda h: (h.rank, len(h.label), h.label.lower(), h.iri))
    return hits[:limit]


#: The names of the last index searched, lower-cased once: (index, rows).
_flat: tuple[EntityIndex, list[tuple[str, Name]]] | None = None


def _flattened(index: EntityIndex) -> list[tuple[str, Name]]:
    global _flat
    found = _flat
    if found is None or found[0] is not index:
        found = (index, [(n.text.lower(), n) for names in index.names.values() for n in names])
        _flat = found
    return found[1]


def _search_index(index: EntityIndex, lowered: str, limit: int) -> list[EntityHit]:
    """:func:`search` over the names in memory: the same matches, ranks and order."""
    best: dict[str, tuple[int, str, str]] = {}
    for text, name in _flattened(index):
        if lowered in text:
            candidate = (_rank(name.text, lowered, name.kind), name.text, name.kind)
            if name.iri not in best or candidate < best[name.iri]:
                best[name.iri] = candidate
    hits = []
    for iri, (rank, matched, kind) in best.items():
        entity = index.entities[iri]
        hits.append(EntityHit(iri, entity.label, tuple(sorted(entity.types)), matched, kind, rank))
    hits.sort(key=lambda h: (h.rank, len(h.label), h.label.lower(), h.iri))
    return hits[:limit]


# One entity ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Xref:
    iri: str
    match: str  #: exact, close, broad, narrow, related

    @property
    def id(self) -> str:
        return compress(self.iri)


@dataclass(frozen=True)
class TypeRef:
    iri: str
    label: str | None

    @property
    def id(self) -> str:
        return compress(self.iri)


@dataclass
class EvidenceProfile:
    """The active claims about an entity, counted."""

    claims: int = 0
    by_finding: dict[str, int] = field(default_factory=dict)
    by_study_design: dict[str, int] = field(default_factory=dict)
    by_relation: dict[str, int] = field(default_factory=dict)
    #: (source IRI, title, number of claims), most cited first.
    sources: list[tuple[str, str | None, int]] = field(default_factory=list)


@dataclass
class EntityDetail:
    iri: str
    label: str | None
    synonyms: list[str]
    types: list[TypeRef]
    xrefs: list[Xref]
    description: str | None
    as_subject: list[ClaimRecord]
    as_object: list[ClaimRecord]
    evidence: EvidenceProfile
    #: Every statement the store makes about the entity, as triples of the default
    #: graph (for RDF representations).
    statements: list[ox.Quad]

    @property
    def id(self) -> str:
        return compress(self.iri)


def get(
    store: Backend, identifier: str, claims: ClaimGraph, *, parameter: str = "curie"
) -> EntityDetail:
    """The entity ``identifier`` (CURIE or IRI): names, identifiers, claims and evidence.

    Claims are the active ones, as subject and as object, ordered by IRI, from the claim
    graph in memory (``claims``): no claim is read from the store, whatever their
    number. Raises :class:`~kg.errors.CurieError` for a malformed identifier and
    :class:`~kg.errors.NotFoundError` when the store knows nothing of the entity.
    """
    iri = entity_iri(identifier, parameter=parameter)
    quads = store.quads_about(ox.NamedNode(iri))
    records = claims.records_about(iri)
    described = [q for q in quads if not _is_claim_part(q)]
    if not described and not records:
        raise NotFoundError(
            f"{parameter}: no entity {compress(iri)} in the graph",
            parameter=parameter,
            value=compress(iri),
        )
    statements: list[ox.Quad] = []
    label: str | None = None
    synonyms: set[str] = set()
    type_iris: set[str] = set()
    xrefs: set[Xref] = set()
    description: str | None = None
    for quad in described:
        p, o = quad.predicate.value, quad.object
        if isinstance(o, ox.Triple):  # RDF-star terms are not part of an entity's description
            continue
        statements.append(ox.Quad(quad.subject, quad.predicate, o))
        if p == str(RDFS.label) and isinstance(o, ox.Literal):
            label = label or o.value
        elif p == str(SKOS.altLabel) and isinstance(o, ox.Literal):
            synonyms.add(o.value)
        elif p == str(RDF.type) and isinstance(o, ox.NamedNode):
            type_iris.add(o.value)
        elif p in XREF_PROPERTIES and isinstance(o, ox.NamedNode):
            xrefs.add(Xref(o.value, XREF_PROPERTIES[p]))
        elif p in DESCRIPTION_PROPERTIES and isinstance(o, ox.Literal) and description is None:
            description = o.value
    return EntityDetail(
        iri=iri,
        label=label,
        synonyms=sorted(synonyms, key=str.lower),
        types=[TypeRef(t, _label(store, t)) for t in sorted(type_iris)],
        xrefs=sorted(xrefs, key=lambda x: (x.match != "exact", x.iri)),
        description=description,
        as_subject=[r for r in records if r.subject == iri],
        as_object=[r for r in records if r.object == iri and r.subject != iri],
        evidence=profile(records),
        statements=list(dict.fromkeys(statements)),
    )


def profile(records: list[ClaimRecord]) -> EvidenceProfile:
    """Counts of claims by finding, study design, relation and source."""
    by_finding = Counter(r.finding.value for r in records)
    by_design = Counter(r.study_design.value if r.study_design else "unknown" for r in records)
    by_relation = Counter(compress(r.predicate) for r in records)
    sources: Counter[str] = Counter()
    titles: dict[str, str | None] = {}
    for record in records:
        for source in (record.source, record.primary_source):
            if source is not None:
                sources[source.iri] += 1
                titles[source.iri] = titles.get(source.iri) or source.title
    return EvidenceProfile(
        claims=len(records),
        by_finding={f.value: by_finding[f.value] for f in Finding if by_finding[f.value]},
        by_study_design=dict(by_design.most_common()),
        by_relation=dict(by_relation.most_common()),
        sources=[
            (iri, titles[iri], n)
            for iri, n in sorted(sources.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
    )


def _is_claim_part(quad: ox.Quad) -> bool:
    """Quads about the entity in a claim's provenance or pubinfo graph (none expected)."""
    graph = quad.graph_name
    return isinstance(graph, ox.NamedNode) and graph.value.endswith(("#provenance", "#pubinfo"))


def _label(store: Backend, iri: str) -> str | None:
    for quad in store.quads_about(ox.NamedNode(iri)):
        if quad.predicate.value == str(RDFS.label) and isinstance(quad.object, ox.Literal):
            return quad.object.value
    return None
