"""``/sparql``: the SPARQL 1.1 Protocol, query operation only.

- ``GET /sparql?query=...``, ``POST`` ``application/x-www-form-urlencoded``
  (``query=...``) and ``POST`` ``application/sparql-query`` (the query as the body);
  ``default-graph-uri`` / ``named-graph-uri`` (repeatable) set the dataset; other
  parameters (SPARQLWrapper's ``format``, ``output``, ``results``) are ignored.
- ``GET /sparql`` without a query: the SPARQL 1.1 Service Description.
- Read-only: an ``update`` parameter or an ``application/sparql-update`` body is
  refused (400) before anything is parsed; so are update operations sent as a
  query, ``SERVICE``, and ``FROM`` graphs that are not in the store.
- The response format is negotiated among the formats of the query form
  (:func:`api.negotiation.query_result_format`); ``X-GBKG-Truncated: true`` marks an
  answer cut at
  ``GBKG_MAX_RESULTS`` rows or triples (the body itself stays standard).
- Every query, here and in ``/queries/{name}``, goes through
  :func:`api.query_jobs.run_job`:
  the :class:`~kg.query_runner.QueryRunner` (length and nesting checks, a fair
  queue per client, evaluation in a sandboxed worker process killed at the
  deadline). The client is the peer address; behind a reverse proxy, the
  address the proxy reports (``gbkg serve --forwarded-allow-ips``).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from gbkg.api.body import media_type, read_body
from gbkg.api.deps import QueryRunnerDep, SettingsDep
from gbkg.api.errors import PROBLEM_JSON, HTTPProblem
from gbkg.api.negotiation import query_result_format
from gbkg.api.query_jobs import LIMIT_HEADER, TRUNCATED_HEADER, run_job
from gbkg.api.service_description import service_description
from gbkg.kg.errors import ForbiddenQueryError, ParameterError, QueryError
from gbkg.kg.sparql import ProtocolDataset, QueryJob
from gbkg.kg.sparql_analysis import READ_ONLY_MESSAGE, classify
from gbkg.kg.sparql_formats import GraphFormat, ResultFormat

router = APIRouter(tags=["sparql"])

QUERY_MEDIA_TYPE = "application/sparql-query"
FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
UPDATE_MEDIA_TYPE = "application/sparql-update"

EXAMPLE_QUERY = (
    "PREFIX gba: <https://w3id.org/gbkg/ontology#>\n"
    "SELECT ?claim ?statement WHERE { ?claim a gba:Claim ; gba:statement ?statement } LIMIT 10"
)

_PROBLEM = {"content": {PROBLEM_JSON: {"schema": {"type": "object"}}}}
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": (
            "SELECT/ASK results (JSON, XML, CSV, TSV) or CONSTRUCT/DESCRIBE RDF (Turtle, "
            "N-Triples, RDF/XML, JSON-LD, N-Quads, TriG), chosen by Accept. "
            f"`{TRUNCATED_HEADER}: true` when the answer was cut at the result limit."
        ),
        "content": {fmt.value: {} for fmt in (*ResultFormat, *GraphFormat)},
        "headers": {
            TRUNCATED_HEADER: {
                "description": "`true` when more results exist than the limit allowed",
                "schema": {"type": "string"},
            },
            LIMIT_HEADER: {
                "description": "the result limit, sent with the truncation signal",
                "schema": {"type": "integer"},
            },
        },
    },
    400: {
        "description": "Syntax error; an update, SERVICE or unknown FROM refused; a query "
        "too long or nested too deeply; a query the engine crashed on",
        **_PROBLEM,
    },
    406: {"description": "No acceptable format for this query form", **_PROBLEM},
    413: {"description": "The request body is too large", **_PROBLEM},
    415: {
        "description": "POST body neither form-encoded nor application/sparql-query (UTF-8)",
        **_PROBLEM,
    },
    429: {
        "description": "Too many queries waiting (from this client, or in all); see `Retry-After`",
        **_PROBLEM,
    },
    503: {
        "description": "The query went past a limit: GBKG_QUERY_TIMEOUT_S, "
        "GBKG_QUERY_MEMORY_MB or GBKG_QUERY_MAX_ANSWER_MB",
        **_PROBLEM,
    },
}

QueryParam = Annotated[
    str | None,
    Query(
        description="The SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE); give it once. "
        "Without it, GET returns the service description.",
        examples=[EXAMPLE_QUERY],
    ),
]
DefaultGraphParam = Annotated[
    list[str] | None,
    Query(
        alias="default-graph-uri",
        description="A graph of the protocol dataset's default graph (repeatable); "
        "overrides FROM. Without any, the default graph is the union of all graphs.",
    ),
]
NamedGraphParam = Annotated[
    list[str] | None,
    Query(
        alias="named-graph-uri",
        description="A named graph of the protocol dataset (repeatable); overrides FROM NAMED.",
    ),
]


def _endpoint_url(request: Request) -> str:
    return str(request.url.replace(query="", fragment=""))


def _one_query(values: list[str]) -> str:
    if len(values) > 1:
        raise ParameterError(f"'query' was given {len(values)} times; send exactly one query")
    if not values or not values[0].strip():
        raise ParameterError("'query' is missing or empty")
    return values[0]


def _refuse_update(params: list[tuple[str, str]]) -> None:
    if any(key in ("update", "using-graph-uri", "using-named-graph-uri") for key, _ in params):
        raise ForbiddenQueryError(READ_ONLY_MESSAGE)


def _dataset(params: list[tuple[str, str]]) -> ProtocolDataset:
    return ProtocolDataset(
        default_graphs=tuple(v for k, v in params if k == "default-graph-uri"),
        named_graphs=tuple(v for k, v in params if k == "named-graph-uri"),
    )


async def _answer(
    request: Request, runner: QueryRunnerDep, text: str, params: list[tuple[str, str]]
) -> Response:
    form = classify(text).form
    fmt = query_result_format(
        request.headers.get("accept"),
        form,
        accept_charset=request.headers.get("accept-charset"),
    )
    job = QueryJob(text, fmt, _dataset(params), _endpoint_url(request))
    return await run_job(request, runner, job)


@router.get(
    "/sparql",
    summary="SPARQL query (GET), or the service description when no query is given",
    description=(
        "SPARQL 1.1 Protocol query via GET. The response format follows `Accept` among "
        "the formats of the query form (SELECT/ASK default `application/sparql-results+json`, "
        "CONSTRUCT/DESCRIBE default `text/turtle`). Without `query`, returns the SPARQL 1.1 "
        "Service Description (Turtle by default). Read-only: `update` is refused."
    ),
    responses=RESPONSES,
    response_class=Response,
)
async def sparql_get(
    request: Request,
    runner: QueryRunnerDep,
    query: QueryParam = None,
    default_graph_uri: DefaultGraphParam = None,
    named_graph_uri: NamedGraphParam = None,
) -> Response:
    params = list(request.query_params.multi_items())
    _refuse_update(params)
    queries = request.query_params.getlist("query")
    if not queries:
        fmt = query_result_format(
            request.headers.get("accept"),
            None,
            accept_charset=request.headers.get("accept-charset"),
        )
        assert isinstance(fmt, GraphFormat)
        body = service_description(_endpoint_url(request), fmt)
        return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})
    return await _answer(request, runner, _one_query(queries), params)


@router.post(
    "/sparql",
    summary="SPARQL query (POST, form-encoded or application/sparql-query)",
    description=(
        "SPARQL 1.1 Protocol query via POST: either `application/x-www-form-urlencoded` with "
        "`query=` (and optional `default-graph-uri` / `named-graph-uri`), or the query itself "
        "as an `application/sparql-query` body with the dataset parameters in the URL. "
        "UTF-8 only. Updates (`update=`, `application/sparql-update`) are refused."
    ),
    responses=RESPONSES,
    response_class=Response,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                FORM_MEDIA_TYPE: {
                    "schema": {
                        "type": "object",
                        "required": ["query"],
                        "properties": {
                            "query": {"type": "string", "example": EXAMPLE_QUERY},
                            "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                            "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                        },
                    }
                },
                QUERY_MEDIA_TYPE: {"schema": {"type": "string", "example": EXAMPLE_QUERY}},
            },
        }
    },
)
async def sparql_post(
    request: Request,
    settings: SettingsDep,
    runner: QueryRunnerDep,
    default_graph_uri: DefaultGraphParam = None,
    named_graph_uri: NamedGraphParam = None,
) -> Response:
    url_params = list(request.query_params.multi_items())
    _refuse_update(url_params)
    kind, content_params = media_type(request)
    charset = content_params.get("charset", "utf-8").lower()
    if kind == UPDATE_MEDIA_TYPE:
        raise ForbiddenQueryError(READ_ONLY_MESSAGE)
    if kind not in (FORM_MEDIA_TYPE, QUERY_MEDIA_TYPE):
        raise HTTPProblem(
            415,
            "Unsupported media type",
            f"POST the query as {FORM_MEDIA_TYPE} (query=...) or as {QUERY_MEDIA_TYPE} "
            f"(got {kind or 'no Content-Type'})",
        )
    if charset not in ("utf-8", "utf8"):
        raise HTTPProblem(
            415, "Unsupported media type", f"charset {charset} is not supported; send UTF-8"
        )
    body = await read_body(request, settings.max_body_bytes)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise QueryError(f"the body is not valid UTF-8 (byte {error.start})") from error
    if kind == QUERY_MEDIA_TYPE:
        if "query" in request.query_params:
            raise ParameterError(
                "the query is the application/sparql-query body; "
                "do not also send 'query' in the URL"
            )
        return await _answer(request, runner, _one_query([text]), url_params)
    try:
        form_params = parse_qsl(text, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as error:
        raise QueryError("the form is not valid UTF-8 once percent-decoded") from error
    _refuse_update(form_params)
    params = url_params + form_params
    query = _one_query([v for k, v in params if k == "query"])
    return await _answer(request, runner, query, params)
