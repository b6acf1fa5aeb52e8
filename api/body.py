"""Request bodies: size limit, media type, and claims from JSON or RDF."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from rdflib import RDF, Dataset, Graph, URIRef
from rdflib.term import Node

from gbkg.api.errors import HTTPProblem
from gbkg.kg.claim_rdf import ClaimGraphs, claim_from_dataset
from gbkg.kg.curation import parse_claim
from gbkg.kg.errors import InputError, ParseError
from gbkg.kg.model import Claim
from gbkg.kg.namespaces import CURATORS_GRAPH, GBA, SOURCES_GRAPH

CLAIM_MEDIA_TYPES = {
    "application/json": None,
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/trig": "trig",
    "application/n-triples": "nt",
    "application/n-quads": "nquads",
}
POSTED = "urn:gbkg:posted-claim"


def media_type(request: Request) -> tuple[str, dict[str, str]]:
    """The request's media type, lowercased, and its parameters."""
    raw = request.headers.get("content-type", "")
    parts = [p.strip() for p in raw.split(";")]
    params = {}
    for p in parts[1:]:
        key, _, value = p.partition("=")
        params[key.strip().lower()] = value.strip().strip('"')
    return parts[0].lower(), params


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 past ``limit`` bytes (checked while streaming)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPProblem(413, "Payload too large", f"the body is larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPProblem(413, "Payload too large", f"the body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_claim(request: Request, limit: int) -> Claim:
    """One claim from a JSON, Turtle, JSON-LD, TriG, N-Triples or N-Quads body."""
    kind, params = media_type(request)
    if kind not in CLAIM_MEDIA_TYPES:
        accepted = ", ".join(CLAIM_MEDIA_TYPES)
        raise HTTPProblem(
            415,
            "Unsupported media type",
            f"a claim is sent as one of: {accepted} (got {kind or 'no Content-Type'})",
        )
    charset = params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise HTTPProblem(
            415, "Unsupported media type", f"charset {charset} is not supported; use UTF-8"
        )
    body = await read_body(request, limit)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ParseError(f"the body is not UTF-8 (byte {error.start})") from None
    fmt = CLAIM_MEDIA_TYPES[kind]
    if fmt is None:
        return parse_claim(_json(text))
    return claim_from_rdf(text, fmt)


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ParseError(
            f"the body is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}",
            line=error.lineno,
            column=error.colno,
        ) from None


def claim_from_rdf(text: str, fmt: str) -> Claim:
    """The one claim described in an RDF document, whatever IRI or blank node names it.

    All graphs of the document are read as one: a claim posted as plain Turtle, as
    JSON-LD, or as the four graphs an export gives, reads alike. The server mints
    the claim's IRI from its content, so the name used in the document is dropped.
    """
    dataset = Dataset()
    try:
        dataset.parse(data=text, format=fmt)
    except Exception as error:  # rdflib's parsers raise many unrelated types
        raise ParseError(f"the body does not parse as {fmt}: {_first_line(error)}") from None
    merged = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        merged.add((s, p, o))
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
    claim = claim_from_dataset(single, POSTED)
    return claim.model_copy(
        update={"id": None, "curator": None, "created": None, "retraction": None}
    )


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0][:300] if text else type(error).__name__
