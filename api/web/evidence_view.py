"""The evidence view (``/evidence``) and the paths page (``/paths``): the answers of the
JSON routes, drawn (:mod:`api.web.drawing`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from gbkg.api.deps import ClaimGraphDep
from gbkg.api.evidence_out import evidence_body
from gbkg.api.routers import paths as paths_route
from gbkg.api.web import drawing
from gbkg.api.web.html import HtmlRoute, render
from gbkg.api.web.links import FINDING_DIRECTION, claim_href, entity_href
from gbkg.kg.analytics import ClaimGraph
from gbkg.kg.evidence import evidence
from gbkg.kg.evidence.paths import MAX_HOPS
from gbkg.kg.projection import ClaimRecord

router = APIRouter(route_class=HtmlRoute, include_in_schema=False)

#: How a step of a path is drawn: the direction its consensus stands for.
CONSENSUS_DIRECTION = {
    "supported": "supports",
    "no-effect": "no-effect",
    "contested": "undetermined",
    "context-dependent": "undetermined",
    "insufficient": "undetermined",
}


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
    the assertions, each once."""
    found = [c for line in data["lines"] for c in line.get("claims", [])]
    found += data.get("assertions", [])
    return list({c["id"]: c for c in found}.values())


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
        direction = line_direction.get(claim["id"]) or FINDING_DIRECTION.get(
            claim["finding"], "undetermined"
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
    lines = data["lines"]
    svg, picture = neighbourhood(graph, data)
    return render(
        request,
        "evidence.html",
        data=data,
        lines=lines,
        forest=forest(lines),
        picture=svg,
        pair_edges=sum(1 for e in picture.edges if e.pair),
        claims=pair_claims(data),
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
