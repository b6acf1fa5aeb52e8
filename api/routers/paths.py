"""``GET /paths``: chains of propositions between two entities, ranked by their evidence."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from gbkg.api.deps import ClaimGraphDep
from gbkg.api.evidence_out import PathsOut, paths_body
from gbkg.api.linking import problem_responses
from gbkg.kg.evidence.paths import MAX_HOPS, SCORING, ranked_paths

router = APIRouter(tags=["evidence"])


@router.get(
    "/paths",
    summary="Paths between two entities, ranked by the evidence of each step",
    description=(
        "Chains of propositions leading from `source` to `target` in at most `max_hops` steps "
        "(simple paths), through the active claims (kept in step with writes). A step is a "
        "proposition between two entities, weighed by its consensus and certainty over its "
        "evidence lines, not by its best claim: contested and no-effect steps rank below "
        "supported ones and are shown as such; assertion-only steps (mechanisms stated "
        "without a test) are marked. Qualifier changes along a path (population, product "
        "kind) are reported and rank it lower. Each path is explained in words. Unless "
        "`exact=true`, paths may start or end at narrower entities (strains, subclasses), "
        "marked `via`. Descriptive relations (studied for, has attribute, has prevalence, "
        f"effect depends on) never form a step.\n\n**Score.** {SCORING}"
    ),
    response_model=PathsOut,
    response_model_by_alias=True,
    responses=problem_responses(400, 404, 422),
)
def get_paths(
    graph: ClaimGraphDep,
    source: Annotated[str, Query(description="CURIE or IRI", examples=["gbkg:probiotic"])],
    target: Annotated[str, Query(description="CURIE or IRI", examples=["MONDO:0002050"])],
    max_hops: Annotated[int, Query(ge=1, le=MAX_HOPS, description="longest path, in steps")] = 4,
    limit: Annotated[int, Query(ge=1, le=100, description="most paths returned")] = 10,
    exact: Annotated[bool, Query(description="no roll-up to narrower entities")] = False,
) -> PathsOut:
    found = ranked_paths(graph, source, target, max_hops=max_hops, limit=limit, exact=exact)
    return paths_body(graph, found, source, target, max_hops=max_hops, exact=exact)
