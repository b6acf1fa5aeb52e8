"""The pages: each at its resource's URL, chosen when a browser asks for HTML
(:class:`api.web.html.HtmlRoute`), plus the curator workbench and the offline API docs.

A page shows the same answer the JSON route gives: it calls the same functions
(``kg.entities``, ``kg.evidence`` with ``api.evidence_out``, the paths route, the query
runner) and renders it. Here: the home page, the entity and claim pages, the
workbench and ``/docs``; the evidence view and paths in :mod:`api.web.evidence_view`,
the query page in :mod:`api.web.query_page`.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from gbkg.api.deps import ClaimGraphDep, ClaimsDep, StoreDep
from gbkg.api.negotiation import rdf_response
from gbkg.api.web import evidence_view, query_page
from gbkg.api.web.html import HtmlRoute, render
from gbkg.api.web.identifiers import link
from gbkg.api.web.links import record_view
from gbkg.kg import entities
from gbkg.kg.analytics import ClaimGraph
from gbkg.kg.curation import claim_iri
from gbkg.kg.errors import KGError
from gbkg.kg.hierarchy import newest_claims, related
from gbkg.kg.ids import expand
from gbkg.kg.source_text import stored_text
from gbkg.kg.store import claim_count

#: Pages at the resources' own URLs: only for requests that want HTML.
router = APIRouter(route_class=HtmlRoute, include_in_schema=False)
#: Pages that are only pages (the workbench, the API docs).
pages_only = APIRouter(include_in_schema=False)


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
    newest = [record_view(graph, by_iri[iri]) for iri in newest_claims(store) if iri in by_iri]
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


# Entity --------------------------------------------------------------------------------


def _proposition_key(claim: dict[str, Any]) -> tuple[str, ...]:
    if claim.get("proposition"):
        return (claim["proposition"],)
    context = tuple(sorted((claim.get("context") or {}).items()))
    return (claim["subject"]["id"], claim["predicate"]["id"], claim["object"]["id"], str(context))


def _shared_context(claims: list[dict[str, Any]]) -> dict[str, Any]:
    """The context every claim of a group states alike (context is not part of a
    proposition: its claims may hold in different subgroups).

    >>> _shared_context([{"context": {"age": "adults", "sex": "female"}},
    ...                  {"context": {"age": "adults"}}])
    {'age': 'adults'}
    """
    first = claims[0].get("context") or {}
    return {
        k: v for k, v in first.items()
        if all((c.get("context") or {}).get(k) == v for c in claims[1:])
    }  # fmt: skip


def group_by_proposition(claims: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Claims grouped by what they state (their proposition: subject, relation, object,
    outcome, comparator), effects before nulls before assertions within a group; groups
    with more claims first. A group without qualifiers whose verdict also weighs the
    groups that narrow it (the same pair and relation, with an outcome or a comparator)
    says how many claims those hold (``narrowed_by``)."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for claim in claims:
        groups.setdefault(_proposition_key(claim), []).append(claim)
    order = {"effect": 0, "null": 1, "assertion": 2, "undetermined": 3}
    out = []
    for members in groups.values():
        members.sort(key=lambda c: (order.get(c["finding"], 4), c["id"]))
        first = members[0]
        qualifiers = {k: first[k] for k in ("outcome", "comparator") if first.get(k)}
        out.append(
            {
                "subject": first["subject"],
                "predicate": first["predicate"],
                "object": first["object"],
                "qualifiers": qualifiers,
                "context": _shared_context(members),
                "claims": members,
                "findings": Counter(c["finding"] for c in members),
                "consensus": first.get("consensus"),
                "certainty": first.get("certainty"),
            }
        )
    for group in out:
        pair = (group["subject"]["id"], group["predicate"]["id"], group["object"]["id"])
        group["narrowed_by"] = 0 if group["qualifiers"] else sum(
            len(other["claims"]) for other in out
            if other["qualifiers"]
            and (other["subject"]["id"], other["predicate"]["id"], other["object"]["id"]) == pair
        )  # fmt: skip
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
    active = [record_view(graph, r) for r in records]
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
        label=lambda curie: _label_of(graph, curie),
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
    store: StoreDep,
    graph: ClaimGraphDep,
    format: Annotated[str | None, Query(pattern="^(json|jsonld|ttl|trig)$")] = None,
) -> Response:
    iri = claim_iri(claim_id)
    if format == "json":
        return Response(
            claims.get(iri).model_dump_json(exclude_none=True, indent=2),
            media_type="application/json",
        )
    if format is not None:
        fmt = ox.RdfFormat.from_media_type(FORMAT_TYPES[format])
        assert fmt is not None
        return rdf_response(claims.quads_of(iri), fmt)
    claim = claims.get(iri)
    data = claim.model_dump(mode="json", exclude_none=True)
    source = data.get("source") or {}
    position = data.get("quote_position") or {}
    text = source.get("text") or (stored_text(store, source["id"]) if source.get("id") else None)
    marked = highlight(text, data.get("quote"), position.get("start"), position.get("end"))
    chain = source_chain(data)
    superseded_by = (data.get("retraction") or {}).get("superseded_by")
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
        relation=graph.vocabulary.label(str(expand(data["predicate"]))),
        label=lambda curie: _label_of(graph, curie),
    )


def source_chain(claim: dict[str, Any]) -> list[dict[str, Any]]:
    """The sources a claim came through, reader first: its source, its primary source,
    and the studies either reports (news article → meta-analysis → included trial).

    >>> [s["id"] for s in source_chain({"source": {"id": "a", "reports": ["b"]},
    ...                                  "primary_source": {"id": "b", "reports": ["c"]}})]
    ['a', 'b', 'c']
    """
    chain: list[dict[str, Any]] = []
    seen: set[str] = set()
    for source in (claim.get("source"), claim.get("primary_source")):
        if source and source.get("id") not in seen:
            chain.append(source)
            seen.add(source.get("id") or "")
    for source in list(chain):
        for reported in source.get("reports") or []:
            if reported not in seen:
                chain.append({"id": reported})
                seen.add(reported)
    return chain


def _label_of(graph: ClaimGraph, value: str) -> str:
    """An entity's label for a CURIE (a context value may also be plain text)."""
    try:
        return graph.label(str(expand(value)))
    except KGError:
        return value


def _citation(claim: dict[str, Any], iri: str) -> str:
    year = (claim.get("created") or "")[:4] or "n.d."
    curator = claim.get("curator") or "gut-brain-kg curators"
    curator = curator.rsplit("/", 1)[-1]
    statement = (claim.get("statement") or claim.get("quote") or "Claim").rstrip(".")
    source = (claim.get("source") or {}).get("title")
    from_source = f" From: {source}." if source else ""
    return f"{curator} ({year}). {statement}.{from_source} gut-brain-kg claim {iri}"


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


router.include_router(evidence_view.router)
router.include_router(query_page.router)
