"""Downloads: the ontology, the shapes, the JSON-LD context, the whole graph."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from rdflib import Graph

from gbkg.api.deps import StoreDep
from gbkg.api.jsonld import context_document
from gbkg.api.negotiation import RDF_MEDIA_TYPES, negotiate, rdf_response
from gbkg.kg.resources import ontology_file
from gbkg.kg.terms import quads_dataset

router = APIRouter(tags=["downloads"])

TURTLE_FIRST = ["text/turtle", *[t for t in RDF_MEDIA_TYPES if t != "text/turtle"]]
RDF_CONTENT: dict[int | str, dict[str, Any]] = {200: {"content": {t: {} for t in TURTLE_FIRST}}}
EXPORTS = {
    "trig": (ox.RdfFormat.TRIG, "application/trig"),
    "nquads": (ox.RdfFormat.N_QUADS, "application/n-quads"),
    "turtle": (ox.RdfFormat.TURTLE, "text/turtle"),
}


def _file(name: str, request: Request) -> Response:
    chosen = negotiate(request.headers.get("accept"), TURTLE_FIRST)
    data = ontology_file(name).read_bytes()
    if chosen == "text/turtle":
        return Response(data, media_type="text/turtle; charset=utf-8")
    graph = Graph()
    graph.parse(data=data, format="turtle")
    return rdf_response(graph, chosen, request)


@router.get(
    "/ontology",
    summary="The ontology (classes, relations, alignments), Turtle by default",
    response_class=Response,
    responses=RDF_CONTENT,
)
def ontology(request: Request) -> Response:
    return _file("gba.ttl", request)


@router.get(
    "/shapes",
    summary="The SHACL shapes every claim must pass, Turtle by default",
    response_class=Response,
    responses=RDF_CONTENT,
)
def shapes(request: Request) -> Response:
    return _file("shapes.ttl", request)


@router.get(
    "/context.jsonld",
    summary="The JSON-LD @context used by the service's JSON-LD documents",
    name="json_ld_context",
    response_class=JSONResponse,
    responses={200: {"content": {"application/ld+json": {"schema": {"type": "object"}}}}},
)
def json_ld_context() -> JSONResponse:
    return JSONResponse(context_document(), media_type="application/ld+json")


@router.get(
    "/export",
    summary="The whole graph: every claim's named graphs, the ontology and the entities",
    response_class=Response,
    responses={
        200: {"content": {t: {} for _, t in EXPORTS.values()} | {"application/ld+json": {}}}
    },
)
async def export(
    store: StoreDep,
    request: Request,
    format: Annotated[
        Literal["trig", "nquads", "turtle", "jsonld"],
        Query(description="turtle merges all graphs into one"),
    ] = "trig",
) -> Response:
    if format == "jsonld":
        dataset = await run_in_threadpool(lambda: quads_dataset(store.quads()))
        return await run_in_threadpool(rdf_response, dataset, "application/ld+json", request)
    rdf_format, media_type = EXPORTS[format]
    if format == "turtle":
        data = await run_in_threadpool(_union_turtle, store)
    else:
        data = await run_in_threadpool(lambda: store.dump(format=rdf_format))
    disposition = f'attachment; filename="gbkg.{rdf_format.file_extension}"'
    return Response(
        data,
        media_type=f"{media_type}; charset=utf-8",
        headers={"Content-Disposition": disposition},
    )


def _union_turtle(store: StoreDep) -> bytes:
    triples = {(q.subject, q.predicate, q.object) for q in store.quads()}
    return ox.serialize((ox.Triple(*t) for t in triples), format=ox.RdfFormat.TURTLE) or b""
