"""Downloads: the ontology, the shapes, the JSON-LD context, the whole graph."""

from __future__ import annotations

from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from gbkg.api.deps import StoreDep
from gbkg.api.negotiation import negotiate_rdf, rdf_response
from gbkg.kg.formats import RDF_FORMATS, content_type, format_name, rdf_format
from gbkg.kg.io import export_quads, rdf_chunks
from gbkg.kg.jsonld import context_document
from gbkg.kg.resources import ontology_file

router = APIRouter(tags=["downloads"])

RDF_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {"content": {f.media_type: {} for f in RDF_FORMATS}}
}
EXPORT_NAMES = [format_name(f) for f in RDF_FORMATS]


def _file(name: str, request: Request) -> Response:
    fmt = negotiate_rdf(request, first=ox.RdfFormat.TURTLE)
    assert fmt is not None
    data = ontology_file(name).read_bytes()
    if fmt == ox.RdfFormat.TURTLE:
        return Response(data, media_type=content_type(fmt))
    triples = ox.parse(data, format=ox.RdfFormat.TURTLE)
    return rdf_response([ox.Quad(t.subject, t.predicate, t.object) for t in triples], fmt)


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
    summary="The JSON-LD @context of the service's JSON-LD documents "
    "(https://w3id.org/gbkg/context.jsonld)",
    name="json_ld_context",
    response_class=JSONResponse,
    responses={200: {"content": {"application/ld+json": {"schema": {"type": "object"}}}}},
)
def json_ld_context() -> JSONResponse:
    return JSONResponse(context_document(), media_type="application/ld+json")


@router.get(
    "/export",
    summary="The whole graph: every claim's named graphs, the sources, the ontology and the "
    "entities, streamed",
    description=(
        "The same bytes as `gbkg export --format …`. Dataset formats (TriG, N-Quads, "
        "JSON-LD) keep the named graphs; Turtle, N-Triples and RDF/XML merge them into one "
        "(a triple held by several graphs is written once for each). JSON-LD refers to its "
        "context by `https://w3id.org/gbkg/context.jsonld` (served at `/context.jsonld`)."
    ),
    response_class=StreamingResponse,
    responses=RDF_CONTENT,
)
def export(
    store: StoreDep,
    format: Annotated[
        str,
        Query(
            description="one of: " + ", ".join(EXPORT_NAMES),
            pattern="^(" + "|".join(EXPORT_NAMES) + ")$",
        ),
    ] = "trig",
) -> StreamingResponse:
    fmt = rdf_format(format)
    return StreamingResponse(
        rdf_chunks(lambda: export_quads(store), fmt),
        media_type=content_type(fmt),
        headers={"Content-Disposition": f'attachment; filename="gbkg.{fmt.file_extension}"'},
    )
