"""``GET /evidence`` and ``GET /propositions/{id}``: evidence lines, consensus, certainty."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from gbkg.api.deps import ClaimGraphDep
from gbkg.api.evidence_out import (
    EvidenceOut,
    PropositionDetailOut,
    evidence_body,
    proposition_detail,
)
from gbkg.api.linking import problem_responses
from gbkg.kg.evidence import RULE, evidence
from gbkg.kg.evidence.weigh import proposition

router = APIRouter(tags=["evidence"])


@router.get(
    "/evidence",
    summary="Evidence lines about two entities, a consensus and a certainty",
    description=(
        "Every claim linking `subject` and `object` (and, unless `exact=true`, their narrower "
        "entities: condition subclasses, strains and species, product members, marker "
        "classes), read as propositions and counted in **evidence lines**: one per "
        "proposition and independent study, whatever number of sentences report it. Each "
        "line has its direction (supports, no-effect, disputes, undetermined), study, design, "
        "effect and CI, context, how it was reached, and its claims. Assertions are listed, "
        "not counted.\n\n"
        f"**Rule.** {RULE}\n\n"
        "Retracted and superseded claims leave the lines unless `include_retracted=true`. "
        "See docs/evidence.md for worked examples."
    ),
    response_model=EvidenceOut,
    responses=problem_responses(400, 404, 422),
)
def get_evidence(
    graph: ClaimGraphDep,
    subject: Annotated[str, Query(description="CURIE or IRI", examples=["gbkg:probiotic"])],
    object: Annotated[str, Query(description="CURIE or IRI", examples=["MONDO:0002050"])],
    exact: Annotated[
        bool, Query(description="only claims about these two entities: no roll-up")
    ] = False,
    include_retracted: Annotated[bool, Query(description="count retracted claims too")] = False,
) -> EvidenceOut:
    summary = evidence(graph, subject, object, exact=exact, include_retracted=include_retracted)
    return evidence_body(graph, summary)


@router.get(
    "/propositions/{id:path}",
    summary="One proposition: its verdict, its evidence lines and every claim about it",
    description=(
        "A proposition is what is claimed (subject, relation, object and the qualifiers that "
        "change its meaning), content-addressed: `https://w3id.org/gbkg/proposition/<hash>`; "
        "pass the IRI or the hash. The verdict is over its own active claims (no roll-up); "
        "`claims` lists every claim about it, retracted ones too. Claims in listings carry "
        "their `proposition`."
    ),
    response_model=PropositionDetailOut,
    responses=problem_responses(404, 422),
)
def get_proposition(
    graph: ClaimGraphDep,
    id: Annotated[str, Path(description="the proposition's IRI or hash")],
) -> PropositionDetailOut:
    return proposition_detail(graph, proposition(graph, id))
