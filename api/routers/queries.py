"""``/queries``: the named SPARQL queries of ``queries/*.rq``, listed and run."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from gbkg.api.deps import CatalogDep, ClaimGraphDep, QueryRunnerDep
from gbkg.api.errors import PROBLEM_JSON
from gbkg.api.negotiation import query_result_format
from gbkg.api.query_jobs import run_job
from gbkg.kg.evidence.named import EVIDENCE_QUERIES, EvidenceQuery
from gbkg.kg.queries import NamedQuery
from gbkg.kg.sparql import QueryJob
from gbkg.kg.sparql_analysis import classify
from gbkg.kg.sparql_formats import ResultFormat, write_solutions

router = APIRouter(prefix="/queries", tags=["queries"])


class ParameterOut(BaseModel):
    name: str
    type: str = Field(description="iri (a CURIE or IRI), string, integer, decimal or boolean")
    required: bool


class NamedQueryOut(BaseModel):
    name: str
    summary: str
    params: list[ParameterOut]
    columns: list[str]
    sparql: str = Field(description="the query text, header included")
    run: str = Field(description="the URL that runs it")


def _describe(query: NamedQuery | EvidenceQuery, request: Request) -> NamedQueryOut:
    return NamedQueryOut(
        name=query.name,
        summary=query.summary,
        params=[
            ParameterOut(name=p.name, type=str(p.type), required=p.required) for p in query.params
        ],
        columns=list(query.columns),
        sparql=query.text,
        run=str(request.url_for("run_named_query", name=query.name)),
    )


@router.get(
    "",
    summary="The named queries, with their parameters and result columns",
    response_model=list[NamedQueryOut],
)
def list_queries(catalog: CatalogDep, request: Request) -> list[NamedQueryOut]:
    queries: list[NamedQuery | EvidenceQuery] = [*catalog.list(), *EVIDENCE_QUERIES.values()]
    return [_describe(q, request) for q in sorted(queries, key=lambda q: q.name)]


@router.get(
    "/{name}",
    summary="Run a named query; its parameters are query-string parameters, bound as RDF terms",
    description=(
        "Every query-string parameter must be one of the query's declared parameters; each is "
        "converted to its declared type and bound as an RDF term (never spliced into the "
        "query text). Results are negotiated like `/sparql`: SPARQL results JSON by default, "
        "XML, CSV or TSV by `Accept`. Example: `/queries/claims-about?entity=CHEBI:28790`. "
        "`evidence-lines` and `propositions-by-certainty` are answered from the evidence "
        "rule (docs/evidence.md) rather than SPARQL, in the same formats."
    ),
    response_class=Response,
    responses={
        200: {"content": {f.value: {} for f in ResultFormat}},
        400: {
            "description": "Unknown, missing or malformed parameter",
            "content": {PROBLEM_JSON: {}},
        },
        404: {"description": "No such query", "content": {PROBLEM_JSON: {}}},
        406: {"description": "No acceptable format", "content": {PROBLEM_JSON: {}}},
        429: {
            "description": "Too many queries waiting (from this client, or in all); see "
            "`Retry-After`",
            "content": {PROBLEM_JSON: {}},
        },
        503: {
            "description": "The query went past a limit (time, memory, answer size)",
            "content": {PROBLEM_JSON: {}},
        },
    },
    name="run_named_query",
)
async def run_named_query(
    name: str,
    request: Request,
    catalog: CatalogDep,
    runner: QueryRunnerDep,
    graph: ClaimGraphDep,
) -> Response:
    if name in EVIDENCE_QUERIES:
        computed = EVIDENCE_QUERIES[name]
        rows = computed.run(graph, dict(request.query_params))
        chosen = query_result_format(
            request.headers.get("accept"),
            classify("SELECT * WHERE {}").form,
            accept_charset=request.headers.get("accept-charset"),
        )
        assert isinstance(chosen, ResultFormat)
        return Response(write_solutions(computed.columns, rows, chosen), media_type=chosen.value)
    query = catalog.get(name)
    bound = query.bind(dict(request.query_params))
    fmt = query_result_format(
        request.headers.get("accept"),
        classify(query.text).form,
        accept_charset=request.headers.get("accept-charset"),
    )
    return await run_job(request, runner, QueryJob(query.text, fmt, substitutions=bound))
