"""``/entities``: look-up by name, and one entity with its claims and evidence summary."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from gbkg.api.deps import ClaimGraphDep, StoreDep, SuggesterDep
from gbkg.api.evidence_out import EntityEvidenceOut, entity_evidence_out, standing
from gbkg.api.linking import (
    ClaimSummary,
    EntityRef,
    SourceOut,
    claim_summary,
    problem_responses,
)
from gbkg.api.negotiation import RDF_MEDIA_TYPES, negotiate_rdf, rdf_response
from gbkg.kg import entities
from gbkg.kg.analytics import ClaimGraph
from gbkg.kg.evidence.weigh import entity_evidence
from gbkg.kg.ids import compress
from gbkg.kg.projection import ClaimRecord

router = APIRouter(prefix="/entities", tags=["entities"])


class EntityHitOut(EntityRef):
    types: list[str] = Field(examples=[["gba:MicrobialTaxon"]])
    matched: str = Field(description="the label or synonym that matched", examples=["L. casei"])
    match: str = Field(description="`label` or `synonym`", examples=["synonym"])
    rank: int = Field(
        description="0 exact label, 1 exact synonym, 2 label prefix, 3 synonym prefix, "
        "4 label word prefix, 5 synonym word prefix, 6 in the label, 7 in a synonym",
        examples=[1],
    )


class EntitySearchOut(BaseModel):
    q: str
    data: list[EntityHitOut]
    count: int = Field(description="number of entities returned (at most `limit`)")


class TypeOut(BaseModel):
    id: str = Field(examples=["gba:MicrobialTaxon"])
    label: str | None = Field(default=None, examples=["microbial taxon"])


class XrefOut(BaseModel):
    id: str = Field(examples=["NCBIGene:3569"])
    iri: str
    match: str = Field(description="exact, close, broad, narrow or related (SKOS mapping)")


class ClaimPageOut(BaseModel):
    count: int = Field(description="active claims in this role, before `limit`")
    data: list[ClaimSummary]
    href: str = Field(description="the same claims through GET /claims, in full")


class EntityClaimsOut(BaseModel):
    as_subject: ClaimPageOut
    as_object: ClaimPageOut


class SourceCountOut(SourceOut):
    claims: int


class EvidenceProfileOut(BaseModel):
    claims: int = Field(description="active claims with this entity as subject or object")
    by_finding: dict[str, int] = Field(examples=[{"effect": 6, "null": 2, "assertion": 8}])
    by_study_design: dict[str, int] = Field(examples=[{"meta-analysis": 4, "rct": 1}])
    by_relation: dict[str, int] = Field(examples=[{"gba:improves": 6}])
    sources: list[SourceCountOut] = Field(
        description="sources and primary sources, most cited first"
    )
    propositions: list[EntityEvidenceOut] = Field(
        default_factory=list,
        description="for each entity this one is linked with (the most claims first, at "
        "most `limit`): the relation weighed, its consensus and certainty over evidence "
        "lines (narrower entities rolled up unless exact=true), as GET /evidence gives them",
    )
    partners: int = Field(
        default=0, description="how many entities this one is linked with by a claim"
    )


class EntityOut(EntityRef):
    synonyms: list[str] = Field(examples=[["probiotics", "probiotic supplement"]])
    types: list[TypeOut]
    xrefs: list[XrefOut] = Field(description="cross-references (SKOS mappings)")
    description: str | None = None
    claims: EntityClaimsOut
    evidence: EvidenceProfileOut


SEARCH_EXAMPLE = {
    "q": "Lactobacillus casei",
    "count": 1,
    "data": [
        {
            "id": "NCBITaxon:1582",
            "iri": "http://purl.obolibrary.org/obo/NCBITaxon_1582",
            "label": "Lacticaseibacillus casei",
            "types": ["gba:MicrobialTaxon"],
            "matched": "Lactobacillus casei",
            "match": "synonym",
            "rank": 1,
        }
    ],
}


@router.get(
    "",
    summary="Look entities up by label or synonym",
    description=(
        "Case-insensitive look-up of `q` in entity labels and synonyms (`skos:altLabel`). "
        "Each entity appears once, ranked by its best match: exact label, exact synonym, "
        "label prefix, synonym prefix, word prefix in the label then in a synonym, then "
        "anywhere in the label then in a synonym; shorter labels first within a rank. "
        "`Lactobacillus casei` finds *Lacticaseibacillus casei* (its former name)."
    ),
    response_model=EntitySearchOut,
    responses={
        200: {"content": {"application/json": {"example": SEARCH_EXAMPLE}}},
        **problem_responses(400, 422),
    },
)
def search_entities(
    store: StoreDep,
    suggester: SuggesterDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            description="text to look up",
            examples=["Lactobacillus casei"],
        ),
    ],
    limit: Annotated[int, Query(ge=1, le=100, description="most entities returned")] = 20,
) -> EntitySearchOut:
    hits = entities.search(store, q, limit=limit, names=suggester.reference()[0])
    return EntitySearchOut(
        q=q,
        count=len(hits),
        data=[
            EntityHitOut(
                id=h.id,
                iri=h.iri,
                label=h.label,
                types=[compress(t) for t in h.types],
                matched=h.matched,
                match=h.kind,
                rank=h.rank,
            )
            for h in hits
        ],
    )


ENTITY_EXAMPLE = {
    "id": "gbkg:probiotic",
    "iri": "https://w3id.org/gbkg/entity/probiotic",
    "label": "probiotic",
    "synonyms": ["probiotic supplement", "probiotics"],
    "types": [{"id": "gba:Probiotic", "label": "probiotic"}],
    "xrefs": [],
    "claims": {
        "as_subject": {"count": 11, "data": [], "href": "/claims?subject=gbkg%3Aprobiotic"},
        "as_object": {"count": 5, "data": [], "href": "/claims?object=gbkg%3Aprobiotic"},
    },
    "evidence": {
        "claims": 16,
        "by_finding": {"effect": 6, "null": 2, "assertion": 8},
        "by_study_design": {"meta-analysis": 4},
        "by_relation": {"gba:improves": 6},
        "sources": [
            {"id": "source:dedc13e5a47e7f7bb74a98ed", "title": "News report", "claims": 16}
        ],
    },
}


@router.get(
    "/{curie:path}",
    summary="One entity: identifiers, cross-references, claims and an evidence summary",
    description=(
        "The entity named by a CURIE (`gbkg:probiotic`, `MONDO:0002050`) or IRI: its label, "
        "synonyms, types and cross-references; its active claims as subject and as object "
        "(at most `limit` each, ordered by IRI, with their total counts); and the evidence "
        "about it counted by finding, study design, relation and source. "
        "With `Accept: application/ld+json` (or Turtle, N-Triples, RDF/XML, TriG, N-Quads) "
        "the entity's own statements come as RDF; JSON-LD refers to its context by "
        "`https://w3id.org/gbkg/context.jsonld` (served at `/context.jsonld`)."
    ),
    response_model=EntityOut,
    responses={
        200: {
            "content": {
                "application/json": {"example": ENTITY_EXAMPLE},
                **{t: {} for t in RDF_MEDIA_TYPES},
            }
        },
        **problem_responses(400, 404, 406),
    },
)
def get_entity(
    curie: str,
    request: Request,
    store: StoreDep,
    graph: ClaimGraphDep,
    limit: Annotated[int, Query(ge=0, le=500, description="most claims listed per role")] = 50,
    exact: Annotated[
        bool, Query(description="evidence without the roll-up of narrower entities")
    ] = False,
) -> Any:
    fmt = negotiate_rdf(request, json=True)
    detail = entities.get(store, curie, graph)
    if fmt is not None:
        return rdf_response(detail.statements, fmt)
    profile = detail.evidence
    weighed, partners = entity_evidence(graph, detail.iri, exact=exact, limit=limit)
    return EntityOut(
        id=detail.id,
        iri=detail.iri,
        label=detail.label,
        synonyms=detail.synonyms,
        types=[TypeOut(id=t.id, label=t.label) for t in detail.types],
        xrefs=[XrefOut(id=x.id, iri=x.iri, match=x.match) for x in detail.xrefs],
        description=detail.description,
        claims=EntityClaimsOut(
            as_subject=_page(detail.as_subject, graph, limit, "subject", detail.id),
            as_object=_page(detail.as_object, graph, limit, "object", detail.id),
        ),
        evidence=EvidenceProfileOut(
            claims=profile.claims,
            by_finding=profile.by_finding,
            by_study_design=profile.by_study_design,
            by_relation=profile.by_relation,
            sources=[
                SourceCountOut(id=compress(iri), title=title, claims=n)
                for iri, title, n in profile.sources
            ],
            propositions=entity_evidence_out(graph, weighed),
            partners=partners,
        ),
    )


def _page(
    records: list[ClaimRecord], graph: ClaimGraph, limit: int, role: str, curie: str
) -> ClaimPageOut:
    shown = records[:limit]
    labels = {iri: graph.label(iri) for r in shown for iri in (r.subject, r.object)}
    return ClaimPageOut(
        count=len(records),
        data=[
            claim_summary(
                r,
                labels,
                graph.vocabulary.label(r.predicate),
                model=ClaimSummary,
                **standing(graph, r.iri),
            )
            for r in shown
        ],
        href=f"/claims?{role}={quote(curie, safe='')}",
    )
