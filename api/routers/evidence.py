"""``GET /evidence``: what the claims say about two entities, counted, with a consensus."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from gbkg.api.deps import ClaimGraphDep
from gbkg.api.linking import (
    ClaimSummary,
    EntityRef,
    RelationRef,
    claim_summary,
    entity_ref,
    problem_responses,
)
from gbkg.kg.analytics import ClaimGraph
from gbkg.kg.evidence import EvidenceSummary, evidence

router = APIRouter(tags=["evidence"])

CONSENSUS_RULE = (
    "insufficient: no supporting, opposing or null claim; "
    "contested: claims of two or more of the kinds supporting / opposing / null share one "
    "context; "
    "supported: at least one supporting claim and no contested context (null or opposing "
    "claims in other contexts are heterogeneity, not contradiction); "
    "no-effect: only null claims."
)


class EvidenceCounts(BaseModel):
    supporting: int = Field(description="effect claims with the weighed relation")
    opposing: int = Field(description="effect claims with its opposite (gba:opposite)")
    null: int = Field(
        description="null claims (tested, not significant) on the relation, its "
        "opposite or a broader relation"
    )
    assertion: int = Field(description="claims stated without a test: listed, not counted")
    other: int = Field(
        description="claims about another relation, or in the other direction "
        "with a relation that cannot be turned around: listed, not counted"
    )


class HeterogeneityOut(BaseModel):
    field: str = Field(examples=["co_intervention"])
    values: list[str | None] = Field(
        description="the values among the counted claims; null: not stated",
        examples=[["CHEBI:35469", "gbkg:ssri", None]],
    )


class StratumOut(BaseModel):
    context: dict[str, str] = Field(description="the shared context; {} for unqualified claims")
    supporting: int
    opposing: int
    null: int
    verdict: str = Field(description="supported, opposed, no-effect or contested")


class WeighedClaimOut(ClaimSummary):
    role: str = Field(description="supporting, opposing, null, assertion or other")
    turned: bool = Field(
        description="the claim is stated the other way round and read through a symmetric or "
        "inverse relation"
    )


class WeighedRelation(RelationRef):
    direction: str = Field(
        description="forward: subject R object; reverse: object R subject", examples=["forward"]
    )


class EvidenceOut(BaseModel):
    subject: EntityRef
    object: EntityRef
    relation: WeighedRelation | None = Field(
        description="the relation the claims are weighed against (null when no claim links them)"
    )
    consensus: str = Field(examples=["supported"])
    rule: str = Field(description="how the consensus is decided", examples=[CONSENSUS_RULE])
    counts: EvidenceCounts
    heterogeneity: list[HeterogeneityOut] = Field(
        description="context fields whose values differ among the counted claims"
    )
    context_dependent: bool = Field(
        description="the contexts reach different verdicts (e.g. an effect with a "
        "co-intervention, none without)"
    )
    strata: list[StratumOut]
    claims: list[WeighedClaimOut]


EXAMPLE = {
    "subject": {
        "id": "gbkg:probiotic",
        "iri": "https://w3id.org/gbkg/entity/probiotic",
        "label": "probiotic",
    },
    "object": {
        "id": "MONDO:0002050",
        "iri": "http://purl.obolibrary.org/obo/MONDO_0002050",
        "label": "depressive disorder",
    },
    "relation": {"id": "gba:improves", "label": "improves", "direction": "forward"},
    "consensus": "supported",
    "rule": CONSENSUS_RULE,
    "counts": {"supporting": 6, "opposing": 0, "null": 0, "assertion": 0, "other": 0},
    "heterogeneity": [{"field": "co_intervention", "values": ["CHEBI:35469", "gbkg:ssri", None]}],
    "context_dependent": False,
    "strata": [{"context": {}, "supporting": 1, "opposing": 0, "null": 0, "verdict": "supported"}],
    "claims": [],
}


@router.get(
    "/evidence",
    summary="Supporting, null and opposing claims about two entities, and a consensus",
    description=(
        "All claims linking `subject` and `object`, in either direction and through opposite "
        "relations (increases / decreases, improves / worsens, ...). They are weighed against "
        "the relation with the most supporting claims (`relation`, with the direction it "
        "reads in): **supporting** = effect claims with it, **opposing** = effect claims with "
        "its opposite, **null** = null claims on it, its opposite or a broader relation; "
        "assertions and other relations are listed but not counted. Claims in different "
        "contexts (population, co-intervention, condition, strain, dose) are not "
        "contradictions: the differing fields are listed under `heterogeneity`.\n\n"
        f"**Consensus.** {CONSENSUS_RULE}\n\n"
        "Retracted claims are left out unless `include_retracted=true`."
    ),
    response_model=EvidenceOut,
    responses={
        200: {"content": {"application/json": {"example": EXAMPLE}}},
        **problem_responses(400, 404, 422),
    },
)
def get_evidence(
    graph: ClaimGraphDep,
    subject: Annotated[str, Query(description="CURIE or IRI", examples=["gbkg:probiotic"])],
    object: Annotated[str, Query(description="CURIE or IRI", examples=["MONDO:0002050"])],
    include_retracted: Annotated[bool, Query(description="count retracted claims too")] = False,
) -> EvidenceOut:
    summary = evidence(graph, subject, object, include_retracted=include_retracted)
    return evidence_out(summary, graph)


def evidence_out(summary: EvidenceSummary, graph: ClaimGraph) -> EvidenceOut:
    labels = {
        summary.subject.iri: summary.subject.display,
        summary.object.iri: summary.object.display,
    }
    relation = summary.relation
    counts = summary.counts
    return EvidenceOut(
        subject=entity_ref(summary.subject.iri, summary.subject.label),
        object=entity_ref(summary.object.iri, summary.object.label),
        relation=(
            WeighedRelation(id=relation.id, label=relation.label, direction=summary.direction.value)
            if relation is not None
            else None
        ),
        consensus=summary.consensus.value,
        rule=CONSENSUS_RULE,
        counts=EvidenceCounts(**{k: counts[k] for k in EvidenceCounts.model_fields}),
        heterogeneity=[
            HeterogeneityOut(field=h.field, values=list(h.values)) for h in summary.heterogeneity
        ],
        context_dependent=summary.context_dependent,
        strata=[
            StratumOut(
                context=dict(s.context),
                supporting=s.supporting,
                opposing=s.opposing,
                null=s.null,
                verdict=s.verdict,
            )
            for s in summary.strata
        ],
        claims=[
            claim_summary(
                c.record,
                labels,
                graph.vocabulary.label(c.record.predicate),
                model=WeighedClaimOut,
                role=c.role.value,
                turned=c.turned,
            )
            for c in summary.claims
        ],
    )
