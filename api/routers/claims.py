"""``/claims``: read, add (curators), validate, retract."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from starlette.convertors import Convertor, register_url_convertor

from gbkg.api.auth import CuratorDep
from gbkg.api.body import claim_body, in_worker, read_model
from gbkg.api.deps import ClaimGraphDep, ClaimsDep, SettingsDep
from gbkg.api.errors import PROBLEM_JSON
from gbkg.api.evidence_out import standing
from gbkg.api.negotiation import RDF_MEDIA_TYPES, negotiate_rdf, rdf_response
from gbkg.kg.curation import claim_iri
from gbkg.kg.errors import ValidationFailed
from gbkg.kg.formats import claim_media_types
from gbkg.kg.model import Claim, ClaimIn, Finding
from gbkg.kg.violations import Violation

router = APIRouter(prefix="/claims", tags=["claims"])


class ClaimIdConvertor(Convertor[str]):
    """A claim id in a path: the hash, ``claim:{hash}``, or the claim's full IRI, whose
    ``%2F`` the server has decoded to slashes. Any character matches (a newline too), so
    that a malformed id reaches :func:`kg.curation.claim_iri` and gets its 400."""

    regex = "(?s:.+)"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("claim_id", ClaimIdConvertor())


class ListedClaim(Claim):
    """A claim in a listing, with where it stands in the evidence (active claims)."""

    proposition: str | None = Field(default=None, description="the proposition it is about")
    line: str | None = Field(default=None, description="the evidence line it is an item of")
    consensus: str | None = Field(default=None, description="its proposition's consensus")
    certainty: str | None = Field(default=None, description="its proposition's certainty")


class ClaimList(BaseModel):
    data: list[ListedClaim]
    count: int = Field(description="claims matching the filters, before limit/offset")


class ViolationOut(BaseModel):
    field: str | None = Field(description="the claim field at fault, e.g. statistics.p_value")
    path: str | None = Field(description="the RDF property the rule is about")
    constraint: str = Field(description="the SHACL constraint (or form check) that failed")
    message: str = Field(description="what to fix, in words")
    severity: str = Field(description="violation, warning or info")
    value: str | None = Field(description="the offending value, when there is one")


class ValidationOut(BaseModel):
    conforms: bool
    violations: list[ViolationOut]


class RetractionIn(BaseModel):
    reason: str = Field(min_length=1, examples=["Duplicate of a claim with the correct quote."])


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {
        "description": "Malformed JSON or RDF, or a JSON-LD context other than the service's",
        "content": {PROBLEM_JSON: {}},
    },
    401: {"description": "No or wrong curator token", "content": {PROBLEM_JSON: {}}},
    408: {"description": "The body did not arrive in time", "content": {PROBLEM_JSON: {}}},
    413: {
        "description": "Body past GBKG_MAX_BODY_BYTES, or RDF past GBKG_MAX_CLAIM_TRIPLES",
        "content": {PROBLEM_JSON: {}},
    },
    415: {"description": "Unsupported media type", "content": {PROBLEM_JSON: {}}},
    422: {
        "description": "The claim breaks SHACL rules; `violations` lists them",
        "content": {PROBLEM_JSON: {}},
    },
}
CLAIM_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            # The claim record; its server fields, if sent, are ignored.
            "application/json": {"schema": {"$ref": "#/components/schemas/Claim"}},
            **{
                media_type: {"schema": {"type": "object" if "json" in media_type else "string"}}
                for media_type in claim_media_types()[1:]
            },
        },
    }
}


def _claim_json(
    claim: Claim,
    *,
    status_code: int = 200,
    warnings: Sequence[Violation] = (),
    **headers: str,
) -> Response:
    """The claim as JSON, written from the model as it is (not validated again); with
    ``warnings`` (advisory results of its checks, e.g. hedge words in an unhedged quote)
    when there are any."""
    body = claim.model_dump_json(exclude_none=True)
    if warnings:
        found = json.dumps([v.as_json() for v in warnings], ensure_ascii=False)
        body = body[:-1] + f',"warnings":{found}}}'
    return Response(
        body,
        status_code=status_code,
        media_type="application/json",
        headers=headers,
    )


@router.get(
    "",
    summary="List claims, filtered",
    response_model=ClaimList,
    response_model_exclude_none=True,
)
def list_claims(
    claims: ClaimsDep,
    graph: ClaimGraphDep,
    entity: Annotated[str | None, Query(description="CURIE or IRI, as subject or object")] = None,
    subject: Annotated[str | None, Query(description="CURIE or IRI")] = None,
    object: Annotated[str | None, Query(description="CURIE or IRI")] = None,
    predicate: Annotated[str | None, Query(description="a relation, e.g. gba:improves")] = None,
    finding: Annotated[Finding | None, Query()] = None,
    source: Annotated[str | None, Query(description="source IRI or CURIE")] = None,
    include_retracted: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ClaimList:
    page = claims.find(
        entity=entity,
        subject=subject,
        object=object,
        predicate=predicate,
        finding=finding,
        source=source,
        include_retracted=include_retracted,
        limit=limit,
        offset=offset,
    )
    listed = [
        ListedClaim.model_validate(
            {**c.model_dump(exclude_none=True), **(standing(graph, c.id) if c.id else {})}
        )
        for c in page.claims
    ]
    return ClaimList(data=listed, count=page.count)


@router.post(
    "",
    summary="Add a claim (curators)",
    description=(
        "The claim as JSON (the claim record), or one claim as Turtle, JSON-LD, TriG, "
        "N-Triples or N-Quads (read as `gbkg load` reads files; a triple that maps to no "
        "field of the record is a 422 naming it). The server's fields (id, labels, curator, "
        "created, status, retraction) are set by the server; values sent are ignored. "
        "201 with `Location` when it is new; 200 with the same id when the identical claim "
        "is already stored. Validated against the SHACL shapes (the claim's own graphs, the "
        "ontology, and the entities it touches); on failure nothing is stored. With "
        "`supersedes: <claim id>` the old claim is retracted in the same transaction "
        "(status `superseded`, reason `superseded by <new id>`); a 422 names `supersedes` "
        "when that claim is not stored or is already retracted."
    ),
    status_code=201,
    response_model=Claim,
    response_model_exclude_none=True,
    responses={200: {"description": "The identical claim was already stored"}, **ERRORS},
    openapi_extra=CLAIM_BODY,
)
async def add_claim(
    request: Request,
    claims: ClaimsDep,
    curator: CuratorDep,
    settings: SettingsDep,
) -> Response:
    claim = await _claim_or_all_errors(request, claims, settings)
    stored, created, report = await run_in_threadpool(
        claims.add_reported, claim, curator=curator
    )
    location = str(request.url_for("get_claim", claim_id=_local(stored.iri)))
    return _claim_json(
        stored, status_code=201 if created else 200, warnings=report.warnings, Location=location
    )


async def _claim_or_all_errors(
    request: Request, claims: ClaimsDep, settings: SettingsDep
) -> ClaimIn:
    """The body's claim; a malformed one is a 422 listing its form errors together with
    what the rules find in the rest of it (one round, not two)."""
    try:
        return await claim_body(request, settings)
    except ValidationFailed as error:
        raise await in_worker(request, claims.form_and_shape_errors, error) from None


@router.post(
    "/validate",
    summary="Check a claim without storing it",
    response_model=ValidationOut,
    responses={k: v for k, v in ERRORS.items() if k != 401},
    openapi_extra=CLAIM_BODY,
)
async def validate_claim(
    request: Request, claims: ClaimsDep, settings: SettingsDep
) -> ValidationOut:
    try:
        claim = await _claim_or_all_errors(request, claims, settings)
    except ValidationFailed as error:
        return ValidationOut(
            conforms=False,
            violations=[ViolationOut.model_validate(v.as_json()) for v in error.violations],
        )
    report = await in_worker(request, claims.validate, claim)
    return ValidationOut(
        conforms=report.conforms,
        violations=[ViolationOut.model_validate(v.as_json()) for v in report.violations],
    )


@router.get(
    "/{claim_id:claim_id}",
    summary="One claim: JSON, or its named graphs as Turtle, JSON-LD, TriG, N-Quads",
    response_model=Claim,
    response_model_exclude_none=True,
    responses={
        200: {"content": {t: {} for t in RDF_MEDIA_TYPES}},
        404: {"description": "No such claim", "content": {PROBLEM_JSON: {}}},
        406: {"description": "No acceptable representation", "content": {PROBLEM_JSON: {}}},
    },
)
def get_claim(claim_id: str, request: Request, claims: ClaimsDep) -> Any:
    iri = claim_iri(claim_id)
    fmt = negotiate_rdf(request, json=True)
    if fmt is None:
        return _claim_json(claims.get(iri))
    return rdf_response(claims.quads_of(iri), fmt)


@router.post(
    "/{claim_id:claim_id}/retract",
    summary=(
        "Retract a claim (curators): a retraction record (who, when, why) in its own graph; "
        "the claim stays as it was, its status derived as retracted"
    ),
    response_model=Claim,
    response_model_exclude_none=True,
    responses={
        **{k: ERRORS[k] for k in (400, 401, 408, 413)},
        404: {"description": "No such claim", "content": {PROBLEM_JSON: {}}},
        409: {
            "description": "Already retracted or superseded (a claim is retracted once)",
            "content": {PROBLEM_JSON: {}},
        },
        415: ERRORS[415],
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": RetractionIn.model_json_schema()}},
        }
    },
)
async def retract_claim(
    claim_id: str,
    request: Request,
    claims: ClaimsDep,
    curator: CuratorDep,
    settings: SettingsDep,
) -> Response:
    # The body is read here, after the token check (a Body() parameter would be read first).
    retraction = await read_model(request, RetractionIn, settings)
    retracted = await run_in_threadpool(
        claims.retract, claim_iri(claim_id), reason=retraction.reason, curator=curator
    )
    return _claim_json(retracted)


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]
