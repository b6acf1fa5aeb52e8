"""The pages: each at its resource's URL, chosen when a browser asks for HTML
(:class:`api.web.html.HtmlRoute`), plus the curator workbench and the offline API docs.

A page shows the same answer the JSON route gives: it calls the same functions
(``kg.entities``, ``kg.evidence`` through ``api.routers.evidence``, the path search
through ``api.routers.paths``, the query runner), and renders it.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from gbkg.api.deps import (
    CatalogDep,
    ClaimGraphDep,
    ClaimsDep,
    QueryRunnerDep,
    StoreDep,
)
from gbkg.api.evidence_out import evidence_body, standing
from gbkg.api.linking import ClaimSummary, claim_summary
from gbkg.api.negotiation import rdf_response
from gbkg.api.query_jobs import client_of
from gbkg.api.routers import paths as paths_route
from gbkg.api.web import drawing
from gbkg.api.web.html import HtmlRoute, render
from gbkg.api.web.identifiers import link
from gbkg.kg import entities
from gbkg.kg.analytics import MAX_HOPS, ClaimGraph
from gbkg.kg.curation import claim_iri
from gbkg.kg.errors import KGError, QueryError
from gbkg.kg.evidence import evidence
from gbkg.kg.hierarchy import newest_claims, related
from gbkg.kg.ids import PREFIX_MAP, compress
from gbkg.kg.projection import ClaimRecord
from gbkg.kg.queries import NamedQuery
from gbkg.kg.sparql import ProtocolDataset, QueryJob
from gbkg.kg.sparql_analysis import classify
from gbkg.kg.sparql_formats import GraphFormat, ResultFormat
from gbkg.kg.store import claim_count

#: Pages at the resources' own URLs: only for requests that want HTML.
router = APIRouter(route_class=HtmlRoute, include_in_schema=False)
#: Pages that are only pages (the workbench, the API docs).
pages_only = APIRouter(include_in_schema=False)

CLAIM_NS = "https://w3id.org/gbkg/claim/"
ROWS_PER_PAGE = 50
FINDING_DIRECTION = {"effect": "supports", "null": "no-effect", "assertion": "assertion"}
CONSENSUS_DIRECTION = {
    "supported": "supports",
    "no-effect": "no-effect",
    "contested": "disputes",
    "context-dependent": "undetermined",
    "insufficient": "undetermined",
}
ROLE_DIRECTION = {
    "supporting": "supports",
    "opposing": "disputes",
    "null": "no-effect",
    "assertion": "assertion",
    "other": "undetermined",
}


def entity_href(iri_or_curie: str) -> str:
    """The entity page of an IRI or CURIE."""
    curie = compress(iri_or_curie) if "://" in iri_or_curie else iri_or_curie
    return "/entities/" + quote(curie, safe=":")


def claim_href(iri: str) -> str:
    return "/claims/" + iri.rsplit("/", 1)[-1]


def evidence_href(subject: str, object: str) -> str:
    return "/evidence?" + urlencode({"subject": subject, "object": object})


def _globals() -> None:
    from gbkg.api.web.html import templates

    templates.env.globals.update(
        entity_href=entity_href,
        claim_href=claim_href,
        evidence_href=evidence_href,
        compress=compress,
        direction_of=FINDING_DIRECTION,
    )


_globals()


# Home ----------------------------------------------------------------------------------


@router.get("/")
def home(
    request: Request,
    store: StoreDep,
    graph: ClaimGraphDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    hits = entities.search(store, q, limit=30) if q and q.strip() else []
    records = graph.records()
    sources: Counter[tuple[str, str]] = Counter()
    for r in records:
        for s in (r.source, r.primary_source):
            if s is not None:
                sources[(s.id, s.title or s.id)] += 1
    by_iri = {r.iri: r for r in records}
    newest = [_record_view(graph, by_iri[iri]) for iri in newest_claims(store) if iri in by_iri]
    return render(
        request,
        "home.html",
        q=q or "",
        hits=hits,
        counts={
            "claims": claim_count(store),
            "entities": len(graph.entities),
            "sources": len(sources),
            "triples": store.triple_count(),
        },
        by_finding=Counter(r.finding.value for r in records),
        sources=sources.most_common(8),
        newest=newest,
    )


def _record_view(graph: ClaimGraph, record: ClaimRecord) -> dict[str, Any]:
    labels = {i: graph.label(i) for i in (record.subject, record.object)}
    summary = claim_summary(
        record,
        labels,
        graph.vocabulary.label(record.predicate),
        model=ClaimSummary,
        **standing(graph, record.iri),
    )
    return summary.model_dump(mode="json")


# Entity --------------------------------------------------------------------------------


def _proposition_key(claim: dict[str, Any]) -> tuple[str, ...]:
    if claim.get("proposition"):
        return (claim["proposition"],)
    context = tuple(sorted((claim.get("context") or {}).items()))
    return (claim["subject"]["id"], claim["predicate"]["id"], claim["object"]["id"], str(context))


def group_by_proposition(claims: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Claims grouped by what they state (subject, relation, object, context), effects
    before nulls before assertions within a group; groups with more claims first."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for claim in claims:
        groups.setdefault(_proposition_key(claim), []).append(claim)
    order = {"effect": 0, "null": 1, "assertion": 2}
    out = []
    for members in groups.values():
        members.sort(key=lambda c: (order.get(c["finding"], 3), c["id"]))
        first = members[0]
        out.append(
            {
                "subject": first["subject"],
                "predicate": first["predicate"],
                "object": first["object"],
                "context": first.get("context") or {},
                "claims": members,
                "findings": Counter(c["finding"] for c in members),
                "consensus": first.get("consensus"),
                "certainty": first.get("certainty"),
            }
        )
    out.sort(key=lambda g: (-len(g["claims"]), g["subject"]["id"], g["object"]["id"]))
    return out


@router.get("/entities/{curie:path}")
def entity_page(
    curie: str,
    request: Request,
    store: StoreDep,
    graph: ClaimGraphDep,
    claims: ClaimsDep,
    include_retracted: bool = False,
) -> HTMLResponse:
    detail = entities.get(store, curie, graph)
    records = detail.as_subject + detail.as_object
    active = [_record_view(graph, r) for r in records]
    hidden: list[dict[str, Any]] = []
    if include_retracted:
        page = claims.find(entity=detail.iri, include_retracted=True, limit=500)
        hidden = [
            c.model_dump(mode="json", exclude_none=True)
            for c in page.claims
            if c.status.value != "active"
        ]
    identifiers = [link(detail.iri)] + [link(x.iri) for x in detail.xrefs]
    xrefs = [
        {"id": x.id, "iri": x.iri, "match": x.match, "link": link(x.iri)} for x in detail.xrefs
    ]
    return render(
        request,
        "entity.html",
        entity=detail,
        own_link=identifiers[0],
        xrefs=xrefs,
        related=related(store, detail.iri),
        groups=group_by_proposition(active),
        hidden=hidden,
        include_retracted=include_retracted,
        profile=detail.evidence,
    )


# Claim ---------------------------------------------------------------------------------

FORMAT_TYPES = {
    "json": "application/json",
    "jsonld": "application/ld+json",
    "ttl": "text/turtle",
    "trig": "application/trig",
}


def highlight(
    text: str | None, quote_text: str | None, start: int | None, end: int | None
) -> tuple[str, str, str] | None:
    """``(before, quote, after)`` of the source text around the stored offsets (code
    points), or ``None`` when the text is not stored or the offsets do not hold the quote."""
    if not text or start is None or end is None or not (0 <= start <= end <= len(text)):
        return None
    if quote_text is not None and text[start:end] != quote_text:
        return None
    return text[:start], text[start:end], text[end:]


@router.get("/claims/{claim_id:path}")
def claim_page(
    claim_id: str,
    request: Request,
    claims: ClaimsDep,
    format: Annotated[str | None, Query(pattern="^(json|jsonld|ttl|trig)$")] = None,
) -> Response:
    iri = claim_iri(claim_id)
    if format == "json":
        return Response(
            claims.get(iri).model_dump_json(exclude_none=True, indent=2),
            media_type="application/json",
        )
    if format is not None:
        import pyoxigraph as ox

        fmt = ox.RdfFormat.from_media_type(FORMAT_TYPES[format])
        assert fmt is not None
        return rdf_response(claims.quads_of(iri), fmt)
    claim = claims.get(iri)
    data = claim.model_dump(mode="json", exclude_none=True)
    source = data.get("source") or {}
    position = data.get("quote_position") or {}
    marked = highlight(
        source.get("text"), data.get("quote"), position.get("start"), position.get("end")
    )
    chain = [s for s in (data.get("source"), data.get("primary_source")) if s]
    for s in list(chain):
        chain.extend(s.get("included", []) if isinstance(s.get("included"), list) else [])
    superseded_by = data.get("superseded_by") or _superseded_in(data.get("retraction"))
    local = iri.rsplit("/", 1)[-1]
    formats = {name: f"/claims/{local}?format={name}" for name in FORMAT_TYPES}
    return render(
        request,
        "claim.html",
        claim=data,
        iri=iri,
        local=local,
        marked=marked,
        chain=chain,
        superseded_by=superseded_by,
        formats=formats,
        cite=_citation(data, iri),
    )


def _superseded_in(retraction: dict[str, Any] | None) -> str | None:
    reason = (retraction or {}).get("reason") or ""
    marker = "Superseded by "
    if reason.startswith(marker):
        return reason[len(marker) :].split()[0]
    return None


def _citation(claim: dict[str, Any], iri: str) -> str:
    year = (claim.get("created") or "")[:4] or "n.d."
    curator = claim.get("curator") or "gut-brain-kg curators"
    curator = curator.rsplit("/", 1)[-1]
    statement = (claim.get("statement") or claim.get("quote") or "Claim").rstrip(".")
    source = (claim.get("source") or {}).get("title")
    from_source = f" From: {source}." if source else ""
    return f"{curator} ({year}). {statement}.{from_source} gut-brain-kg claim {iri}"


# Evidence ------------------------------------------------------------------------------


def evidence_lines(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The evidence lines of an /evidence answer: its ``lines`` when it has them, else
    one line per counted claim (supporting, opposing, null)."""
    if "lines" in data:
        return list(data["lines"])
    lines = []
    for claim in data.get("claims", []):
        if claim.get("role") not in ("supporting", "opposing", "null"):
            continue
        stats = claim.get("statistics") or {}
        effect = None
        if stats.get("effect_size") is not None:
            effect = {
                "measure": stats.get("effect_measure"),
                "size": stats.get("effect_size"),
                "ci_low": stats.get("ci_low"),
                "ci_high": stats.get("ci_high"),
                "p_value": stats.get("p_value"),
            }
        source = claim.get("primary_source") or claim.get("source") or {}
        lines.append(
            {
                "id": claim["id"],
                "direction": ROLE_DIRECTION[claim["role"]],
                "study": {
                    "id": source.get("id"),
                    "label": source.get("title") or source.get("id") or "study",
                    "design": claim.get("study_design"),
                },
                "design": claim.get("study_design"),
                "n_participants": claim.get("n_participants"),
                "n_studies": claim.get("n_studies"),
                "effect": effect,
                "context": claim.get("context") or {},
                "claims": [claim],
            }
        )
    return lines


def _line_label(line: dict[str, Any]) -> str:
    study = line.get("study") or {}
    label = study.get("label") or "study"
    design = line.get("design") or study.get("design")
    return f"{label} ({design})" if design else label


def _line_href(line: dict[str, Any]) -> str | None:
    claims_of = line.get("claims") or []
    return claim_href(claims_of[0]["id"]) if claims_of else None


def forest(lines: list[dict[str, Any]]) -> Any:
    rows = []
    for line in lines:
        effect = line.get("effect") or {}
        rows.append(
            drawing.ForestRow(
                label=_line_label(line),
                href=_line_href(line),
                direction=line.get("direction", "undetermined"),
                measure=effect.get("measure"),
                size=effect.get("size"),
                ci_low=effect.get("ci_low"),
                ci_high=effect.get("ci_high"),
            )
        )
    return drawing.forest_plot(rows, title="Forest plot: one mark per evidence line")


def _certainty_of(data: dict[str, Any], claim: dict[str, Any]) -> str | None:
    for proposition in data.get("propositions", []):
        if claim.get("proposition") and proposition.get("id") == claim.get("proposition"):
            certainty: str | None = proposition.get("certainty")
            return certainty
    value: str | None = data.get("certainty")
    return value


def pair_claims(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every claim of an /evidence answer between its two entities: the lines' claims and
    the assertions (new shape), or ``claims`` (today's shape)."""
    if "lines" in data:
        found = [c for line in data["lines"] for c in line.get("claims", [])]
        found += data.get("assertions", [])
        return list({c["id"]: c for c in found}.values())
    return list(data.get("claims", []))


def neighbourhood(graph: ClaimGraph, data: dict[str, Any], *, per_side: int = 5) -> Any:
    a, b = data["subject"]["iri"], data["object"]["iri"]
    picture = drawing.Picture()
    picture.nodes = [
        drawing.Node(a, data["subject"].get("label") or data["subject"]["id"], entity_href(a)),
        drawing.Node(b, data["object"].get("label") or data["object"]["id"], entity_href(b)),
    ]
    line_direction = {
        c["id"]: line.get("direction", "undetermined")
        for line in data.get("lines", [])
        for c in line.get("claims", [])
    }
    for claim in pair_claims(data):
        direction = line_direction.get(claim["id"]) or ROLE_DIRECTION.get(
            claim.get("role", ""), FINDING_DIRECTION.get(claim["finding"], "undetermined")
        )
        if claim["finding"] == "assertion":
            direction = "assertion"
        picture.edges.append(
            drawing.Edge(
                claim["subject"]["iri"],
                claim["object"]["iri"],
                direction,
                _certainty_of(data, claim),
                f"{claim['subject'].get('label')} {claim['predicate']['label']} "
                f"{claim['object'].get('label')}",
                claim_href(claim["id"]),
                pair=True,
            )
        )
    for end in (a, b):
        neighbours: dict[str, list[ClaimRecord]] = {}
        for record in graph.records_about(end):
            other = record.object if record.subject == end else record.subject
            if other in (a, b):
                continue
            neighbours.setdefault(other, []).append(record)
        ranked = sorted(neighbours.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:per_side]
        for other, records in ranked:
            if all(n.id != other for n in picture.nodes):
                picture.nodes.append(drawing.Node(other, graph.label(other), entity_href(other)))
            for record in records:
                picture.edges.append(
                    drawing.Edge(
                        record.subject,
                        record.object,
                        FINDING_DIRECTION.get(record.finding.value, "undetermined"),
                        None,
                        f"{graph.label(record.subject)} "
                        f"{graph.vocabulary.label(record.predicate)} {graph.label(record.object)}",
                        claim_href(record.iri),
                    )
                )
    title = f"Claims around {picture.nodes[0].label} and {picture.nodes[1].label}"
    return drawing.neighbourhood(picture, a, b, title=title), picture


@router.get("/evidence")
def evidence_page(
    request: Request,
    graph: ClaimGraphDep,
    subject: str,
    object: str,
    exact: bool = False,
    include_retracted: bool = False,
) -> HTMLResponse:
    summary = evidence(graph, subject, object, exact=exact, include_retracted=include_retracted)
    data = evidence_body(graph, summary).model_dump(mode="json")
    lines = evidence_lines(data)
    svg, picture = neighbourhood(graph, data)
    return render(
        request,
        "evidence.html",
        data=data,
        lines=lines,
        forest=forest(lines),
        picture=svg,
        pair_edges=sum(1 for e in picture.edges if e.pair),
        subject=subject,
        object=object,
        include_retracted=include_retracted,
    )


# Paths ---------------------------------------------------------------------------------


@router.get("/paths")
def paths_page(
    request: Request,
    graph: ClaimGraphDep,
    source: str | None = None,
    target: str | None = None,
    max_hops: Annotated[int, Query(ge=1, le=MAX_HOPS)] = 4,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> HTMLResponse:
    drawn: list[dict[str, Any]] = []
    body = None
    if source and target:
        answer = paths_route.get_paths(
            graph=graph, source=source, target=target, max_hops=max_hops, limit=limit
        )
        body = answer.model_dump(mode="json", by_alias=True)
        for path in body["paths"]:
            steps = [
                (
                    _node(step["from"]),
                    drawing.Edge(
                        step["from"]["iri"],
                        step["to"]["iri"],
                        "assertion"
                        if step["assertion_only"]
                        else CONSENSUS_DIRECTION.get(step["consensus"], "undetermined"),
                        step["certainty"],
                        step["relation"]["label"],
                        claim_href(step["claims"][0]["id"]) if step["claims"] else None,
                    ),
                    _node(step["to"]),
                )
                for step in path["steps"]
            ]
            title = " → ".join([s[0].label for s in steps] + [steps[-1][2].label])
            drawn.append({"path": path, "svg": drawing.path_picture(steps, title=title)})
    return render(
        request,
        "paths.html",
        body=body,
        drawn=drawn,
        source=source or "",
        target=target or "",
        max_hops=max_hops,
        max_hops_limit=MAX_HOPS,
    )


def _node(ref: dict[str, Any]) -> drawing.Node:
    return drawing.Node(ref["iri"], ref.get("label") or ref["id"], entity_href(ref["iri"]))


# SPARQL --------------------------------------------------------------------------------


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
    import re

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


# Pages that are only pages -------------------------------------------------------------


@pages_only.get("/workbench")
def workbench(request: Request, store: StoreDep, graph: ClaimGraphDep) -> HTMLResponse:
    return render(
        request,
        "workbench.html",
        relations=sorted(
            ((r.id, r.label) for r in graph.vocabulary.relations.values()), key=lambda r: r[1]
        ),
    )


@pages_only.get("/docs")
def docs(request: Request) -> HTMLResponse:
    """Swagger UI, its assets served from the package (``api/static/vendor/swagger-ui``)."""
    return render(request, "docs.html")
