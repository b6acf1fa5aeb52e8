"""The query page (``/sparql`` for a browser): an editor, the named queries with their
parameters as fields, results as a table with links, paging, downloads, errors at
their line and column. Queries run through the app's query runner (its limits, its
sandboxed workers), as ``/sparql`` runs them."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from gbkg.api.deps import CatalogDep, ClaimGraphDep, QueryRunnerDep
from gbkg.api.query_jobs import client_of
from gbkg.api.web.html import HtmlRoute, render
from gbkg.api.web.links import claim_href, entity_href
from gbkg.kg.analytics import ClaimGraph
from gbkg.kg.errors import KGError, QueryError
from gbkg.kg.ids import PREFIX_MAP, compress
from gbkg.kg.queries import NamedQuery
from gbkg.kg.sparql import ProtocolDataset, QueryJob
from gbkg.kg.sparql_analysis import classify
from gbkg.kg.sparql_formats import GraphFormat, ResultFormat

router = APIRouter(route_class=HtmlRoute, include_in_schema=False)

CLAIM_NS = "https://w3id.org/gbkg/claim/"
ROWS_PER_PAGE = 50


def _cell(graph: ClaimGraph, value: dict[str, Any] | None) -> dict[str, Any]:
    if value is None:
        return {"text": ""}
    text = value.get("value", "")
    if value.get("type") == "uri":
        if text.startswith(CLAIM_NS):
            return {"text": compress(text), "href": claim_href(text), "title": text}
        if text in graph.entities:
            return {"text": graph.label(text), "href": entity_href(text), "title": compress(text)}
        return {"text": compress(text), "title": text}
    return {"text": text}


@router.get("/sparql")
async def sparql_page(
    request: Request,
    runner: QueryRunnerDep,
    catalog: CatalogDep,
    graph: ClaimGraphDep,
    query: str | None = None,
    named: str | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    download: Annotated[str | None, Query(pattern="^(csv|json)$")] = None,
) -> Response:
    named_query: NamedQuery | None = catalog.get(named) if named else None
    params = {
        k[len("param.") :]: v
        for k, v in request.query_params.items()
        if k.startswith("param.") and v != ""
    }
    text = named_query.text if named_query is not None else query
    context: dict[str, Any] = {
        "query": text or DEFAULT_QUERY,
        "named": named,
        "params": params,
        "catalog": catalog.list(),
        "prefixes": PREFIX_MAP,
        "error": None,
        "result": None,
    }
    if text:
        try:
            context["result"] = await _run(request, runner, text, named_query, params)
        except KGError as error:
            context["error"] = {
                "message": error.message,
                "line": error.details.get("line"),
                "column": error.details.get("column"),
            }
            if isinstance(error, QueryError) and context["error"]["line"] is None:
                context["error"].update(_position_in(error.message))
    result = context["result"]
    if result is not None and download and result["kind"] == "select":
        return _download(result, download)
    if result is not None and result["kind"] == "select":
        total = len(result["rows"])
        pages = max(1, -(-total // ROWS_PER_PAGE))
        page = min(page, pages)
        shown = result["rows"][(page - 1) * ROWS_PER_PAGE : page * ROWS_PER_PAGE]
        result["table"] = [[_cell(graph, row.get(v)) for v in result["vars"]] for row in shown]
        result.update(page=page, pages=pages, total=total)
        base = [
            (k, v) for k, v in request.query_params.multi_items() if k not in ("page", "download")
        ]
        result["page_url"] = lambda n: "/sparql?" + urlencode([*base, ("page", str(n))])
        result["download_url"] = lambda f: "/sparql?" + urlencode([*base, ("download", f)])
    status = 400 if context["error"] else 200
    return render(request, "sparql.html", status_code=status, **context)


def _position_in(message: str) -> dict[str, int | None]:
    """Line and column from an engine message such as ``error at 2:5: expected ...``."""
    match = re.search(r"(?:line\s*)?(\d+):(\d+)", message)
    if match is None:
        return {"line": None, "column": None}
    return {"line": int(match.group(1)), "column": int(match.group(2))}


async def _run(
    request: Request,
    runner: Any,
    text: str,
    named_query: NamedQuery | None,
    params: dict[str, str],
) -> dict[str, Any]:
    form = classify(text).form
    graph_form = form is not None and form.returns_graph
    fmt = GraphFormat.TURTLE if graph_form else ResultFormat.JSON
    if named_query is not None:
        job = QueryJob(text, fmt, substitutions=named_query.bind(params))
    else:
        job = QueryJob(text, fmt, ProtocolDataset(), str(request.url.replace(query="")))
    output = await runner.run(job, client=client_of(request))
    body = output.body if isinstance(output.body, bytes) else bytes(output.body)
    if graph_form:
        return {"kind": "graph", "text": body.decode("utf-8"), "truncated": output.truncated}
    data = json.loads(body)
    if "boolean" in data:
        return {"kind": "ask", "boolean": data["boolean"], "truncated": False}
    return {
        "kind": "select",
        "vars": data["head"]["vars"],
        "rows": data["results"]["bindings"],
        "truncated": output.truncated,
    }


def _download(result: dict[str, Any], kind: str) -> Response:
    if kind == "json":
        body = json.dumps(
            {"head": {"vars": result["vars"]}, "results": {"bindings": result["rows"]}}, indent=1
        )
        return Response(
            body,
            media_type="application/sparql-results+json",
            headers={"Content-Disposition": 'attachment; filename="results.json"'},
        )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(result["vars"])
    for row in result["rows"]:
        writer.writerow([(row.get(v) or {}).get("value", "") for v in result["vars"]])
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="results.csv"'},
    )


DEFAULT_QUERY = """PREFIX gba: <https://w3id.org/gbkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?claim ?statement ?finding WHERE {
  ?claim a gba:Claim ;
         gba:statement ?statement ;
         gba:finding ?finding .
}
LIMIT 20"""
