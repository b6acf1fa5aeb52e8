"""Request bodies: media type, reading, and decoding off the event loop.

Routes that take a body read it themselves, after their dependencies (the
curator token above all) have run: FastAPI reads declared ``Body()`` parameters
*before* dependencies, so a route declaring one would read a body it is about to
refuse. The size and time limits apply while the body streams
(:mod:`api.request_guard`); decoding (JSON, RDF) and turning it into a claim run
in worker threads, at most ``GBKG_BODY_WORKERS`` at once, never on the event loop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, TypeVar

import anyio
import pyoxigraph as ox
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from rdflib import RDF, Dataset, Graph, URIRef
from rdflib.term import Node

from gbkg.api.errors import HTTPProblem
from gbkg.api.negotiation import context_url
from gbkg.kg.claim_rdf import ClaimGraphs, claim_from_dataset, claim_to_dataset
from gbkg.kg.curation import parse_claim
from gbkg.kg.errors import InputError, KGError, ParseError, TooLargeError
from gbkg.kg.json_input import count_values, decode_json
from gbkg.kg.model import Claim
from gbkg.kg.namespaces import CURATORS_GRAPH, GBA, SOURCES_GRAPH
from gbkg.kg.rdf_input import read_quads
from gbkg.kg.settings import Settings
from gbkg.kg.terms import from_ox

JSON = "application/json"
#: What a claim may be sent as: JSON (the claim record), or one claim as RDF.
CLAIM_MEDIA_TYPES: dict[str, ox.RdfFormat | None] = {
    JSON: None,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}
POSTED = "urn:gbkg:posted-claim"

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


def media_type(request: Request) -> tuple[str, dict[str, str]]:
    """The request's media type, lowercased, and its parameters."""
    raw = request.headers.get("content-type", "")
    parts = [p.strip() for p in raw.split(";")]
    params = {}
    for p in parts[1:]:
        key, _, value = p.partition("=")
        params[key.strip().lower()] = value.strip().strip('"')
    return parts[0].lower(), params


def require_media_type(request: Request, accepted: Sequence[str], what: str) -> str:
    """The request's media type if it is one of ``accepted`` (in UTF-8); 415 otherwise."""
    kind, params = media_type(request)
    if kind not in accepted:
        raise HTTPProblem(
            415,
            "Unsupported media type",
            f"{what} is sent as one of: {', '.join(accepted)} (got {kind or 'no Content-Type'})",
        )
    charset = params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise HTTPProblem(
            415, "Unsupported media type", f"charset {charset} is not supported; use UTF-8"
        )
    return kind


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 past ``limit`` bytes (checked while it streams).

    :mod:`api.request_guard` enforces ``GBKG_MAX_BODY_BYTES`` and the time limit on
    every request; ``limit`` lets a route ask for less.
    """
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> HTTPProblem:
    return HTTPProblem(413, "Payload too large", f"the body is larger than {limit} bytes")


async def in_worker(request: Request, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``work(*args, **kwargs)`` in a worker thread, at most ``GBKG_BODY_WORKERS`` at once."""
    limiter: anyio.CapacityLimiter = request.app.state.body_limiter
    return await anyio.to_thread.run_sync(partial(work, *args, **kwargs), limiter=limiter)


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ParseError(f"the body is not UTF-8 (byte {error.start})") from None


async def read_json(request: Request, settings: Settings) -> Any:
    """The decoded JSON body (``application/json``, or no Content-Type)."""
    if request.headers.get("content-type"):
        require_media_type(request, [JSON], "this body")
    body = await read_body(request, settings.max_body_bytes)
    return await in_worker(request, lambda: decode_json(_text(body)))


async def read_model(request: Request, model: type[M], settings: Settings) -> M:
    """The JSON body as ``model``; its field errors are a 422 naming the fields."""
    data = await read_json(request, settings)
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False)]
        ) from None


async def read_claim(request: Request, settings: Settings) -> Claim:
    """One claim from a JSON, Turtle, JSON-LD, TriG, N-Triples or N-Quads body."""
    kind = require_media_type(request, list(CLAIM_MEDIA_TYPES), "a claim")
    body = await read_body(request, settings.max_body_bytes)
    return await in_worker(
        request,
        claim_from_body,
        body,
        CLAIM_MEDIA_TYPES[kind],
        base_iri=str(request.url.replace(query="", fragment="")),
        max_triples=settings.max_claim_triples,
        contexts=(context_url(request),),
    )


def claim_from_body(
    body: bytes,
    fmt: ox.RdfFormat | None,
    *,
    base_iri: str,
    max_triples: int,
    contexts: Sequence[str],
) -> Claim:
    """The claim in ``body``: the JSON claim record (``fmt`` None) or RDF in ``fmt``.

    Either way the claim may make at most ``max_triples`` triples (a JSON claim
    listing thousands of new entities is refused as its Turtle would be).
    """
    text = _text(body)
    if fmt is None:
        data = decode_json(text)
        # Each value of a claim becomes at least one triple: past the cap in values, the
        # claim is refused before the costly steps (thousands of entities take seconds).
        values = count_values(data)
        if values > max_triples:
            raise _too_many(max_triples, f"its JSON holds {values} values")
        claim = parse_claim(data)
        triples = len(claim_to_dataset(claim))
        if triples > max_triples:
            raise _too_many(max_triples, f"it makes {triples}")
        return claim
    quads = read_quads(text, fmt, base_iri=base_iri, max_triples=max_triples, contexts=contexts)
    return claim_from_quads(quads)


def _too_many(max_triples: int, counted: str) -> TooLargeError:
    return TooLargeError(f"a claim body may make at most {max_triples} triples; {counted}")


def claim_from_quads(quads: Sequence[ox.Quad]) -> Claim:
    """The one claim described by ``quads``, whatever IRI or blank node names it.

    All graphs of the document are read as one: a claim posted as plain Turtle, as
    JSON-LD, or as the four graphs an export gives, reads alike. The server mints
    the claim's IRI from its content, so the name used in the document is dropped.
    """
    merged = Graph()
    for quad in quads:
        merged.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    claims = set(merged.subjects(RDF.type, GBA.Claim))
    if len(claims) != 1:
        raise InputError(
            f"the body must describe exactly one gba:Claim; it describes {len(claims)}"
        )
    node = claims.pop()
    posted = URIRef(POSTED)

    def rename(term: Node) -> Node:
        return posted if term == node else term

    graphs = ClaimGraphs(POSTED)
    single = Dataset()
    for name in (*graphs.names, SOURCES_GRAPH, CURATORS_GRAPH):
        g = single.graph(name)
        for s, p, o in merged:
            g.add((rename(s), p, rename(o)))
    try:
        claim = claim_from_dataset(single, POSTED)
    except KGError:
        raise
    except LookupError as error:
        # A term outside a closed vocabulary (gba:finding gba:Nonsense).
        raise InputError(
            f"the body's claim uses {error.args[0] if error.args else 'a term'}, which is not "
            "a value of the claim record (a finding, study design, effect measure or status)"
        ) from None
    except (ValueError, TypeError, ArithmeticError) as error:
        # A value of the right datatype but an impossible form ("abc"^^xsd:decimal).
        raise InputError(f"the body's claim holds a malformed value: {error}") from None
    return claim.model_copy(
        update={"id": None, "curator": None, "created": None, "retraction": None}
    )
