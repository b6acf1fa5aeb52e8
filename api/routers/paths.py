"""``GET /paths``: mechanism paths between two entities through the claim graph."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from gbkg.api.deps import ClaimGraphDep
from gbkg.api.linking import EntityRef, RelationRef, entity_ref, problem_responses
from gbkg.kg.analytics import MAX_HOPS, ClaimGraph, Path, PathSearch
from gbkg.kg.ids import expand

router = APIRouter(tags=["evidence"])

SCORING = (
    "score = product over steps of the step weight; step weight = weight of its best claim = "
    "finding (effect 1.0, assertion 0.5; null findings never form a step) x study design "
    "(meta-analysis 1.0, systematic-review 0.9, rct 0.85, cohort 0.7, case-control 0.6, "
    "review 0.6, cross-sectional 0.55, animal 0.5, in-vitro 0.4, expert-opinion 0.4, "
    "unknown 0.5) x 0.6 if hedged. Ranked by score, then fewer hops, then more supporting "
    "claims."
)


class StepOut(BaseModel):
    source: EntityRef
    relation: RelationRef
    target: EntityRef
    finding: str = Field(description="effect or assertion", examples=["effect"])
    claim: str = Field(description="the best claim backing this step (its IRI)")
    statement: str | None = None
    hedged: bool
    study_design: str | None = None
    weight: float = Field(description="the best claim's weight, in (0, 1]")
    support: int = Field(description="claims backing this step with this relation")
    claims: list[str] = Field(description="all of them, best first")
    reversed: bool = Field(
        description="the claim is stated target → source and read backwards through a "
        "symmetric relation or an inverse (owl:inverseOf)"
    )


class PathOut(BaseModel):
    score: float = Field(description="product of the step weights, in (0, 1]", examples=[1.0])
    hops: int
    steps: list[StepOut]


class PathsOut(BaseModel):
    source: EntityRef
    target: EntityRef
    max_hops: int
    scoring: str = Field(examples=[SCORING])
    count: int = Field(description="paths returned (at most `limit`)")
    candidates: int = Field(description="paths found before `limit` was applied")
    truncated: bool = Field(description="the search stopped at its cap of candidate paths")
    paths: list[PathOut]


EXAMPLE = {
    "source": {
        "id": "gbkg:yogurt",
        "iri": "https://w3id.org/gbkg/entity/yogurt",
        "label": "yogurt",
    },
    "target": {
        "id": "MONDO:0002050",
        "iri": "http://purl.obolibrary.org/obo/MONDO_0002050",
        "label": "depressive disorder",
    },
    "max_hops": 4,
    "scoring": SCORING,
    "count": 1,
    "candidates": 1,
    "truncated": False,
    "paths": [{"score": 0.2, "hops": 2, "steps": []}],
}


@router.get(
    "/paths",
    summary="Mechanism paths between two entities, best-supported first",
    description=(
        "Chains of claims leading from `source` to `target` in at most `max_hops` steps "
        "(simple paths: no entity twice), through the projection of active claims (kept in "
        "step with writes). A claim is followed from subject to object; a claim with a "
        "symmetric relation (communicates with) or an inverse (part of / has part) may also be "
        "followed backwards. Null findings never form a step (tested, not significant), nor do "
        "descriptive relations (studied for, has attribute, has prevalence, effect depends on). "
        f"\n\n**Score.** {SCORING}"
    ),
    response_model=PathsOut,
    responses={
        200: {"content": {"application/json": {"example": EXAMPLE}}},
        **problem_responses(400, 404, 422),
    },
)
def get_paths(
    graph: ClaimGraphDep,
    source: Annotated[str, Query(description="CURIE or IRI", examples=["gbkg:probiotic"])],
    target: Annotated[str, Query(description="CURIE or IRI", examples=["MONDO:0002050"])],
    max_hops: Annotated[int, Query(ge=1, le=MAX_HOPS, description="longest path, in steps")] = 4,
    limit: Annotated[int, Query(ge=1, le=100, description="most paths returned")] = 10,
) -> PathsOut:
    found = graph.paths(source, target, max_hops=max_hops, limit=limit)
    return paths_body(graph, found, source, target, max_hops=max_hops)


def paths_body(
    graph: ClaimGraph, found: PathSearch, source: str, target: str, *, max_hops: int
) -> PathsOut:
    """The answer of ``GET /paths`` (also ``gbkg paths --format json``)."""
    start, end = (graph.entities.get(p) for p in (_iri(source), _iri(target)))
    return PathsOut(
        source=entity_ref(_iri(source), start.label if start else None),
        target=entity_ref(_iri(target), end.label if end else None),
        max_hops=max_hops,
        scoring=SCORING,
        count=len(found),
        candidates=found.candidates,
        truncated=found.truncated,
        paths=[_path(p, graph) for p in found],
    )


def _iri(value: str) -> str:
    return str(expand(value))


def _path(path: Path, graph: ClaimGraph) -> PathOut:
    return PathOut(
        score=round(path.score, 6),
        hops=path.hops,
        steps=[
            StepOut(
                source=entity_ref(s.source, s.source_label),
                relation=RelationRef(
                    id=graph.vocabulary.get(s.relation).id, label=s.relation_label
                ),
                target=entity_ref(s.target, s.target_label),
                finding=s.finding.value,
                claim=s.claim,
                statement=s.statement,
                hedged=s.hedged,
                study_design=s.study_design.value if s.study_design else None,
                weight=round(s.weight, 6),
                support=s.support,
                claims=list(s.claims),
                reversed=s.reversed,
            )
            for s in path.steps
        ],
    )
