"""Content negotiation (RFC 9110 ``Accept`` with q-values) and RDF responses.

The client's acceptable type with the highest q-value wins; among equal q-values,
the one the client listed first; among the types one wildcard covers, the server's
order (its default first). ``q=0`` refuses a type. Media types are compared
without parameters, except ``charset``: UTF-8 (or ``*``) is the only charset
served, so a range asking for another charset matches nothing, and so does an
``Accept-Charset`` header that refuses UTF-8. Nothing acceptable: 406 problem
naming what is available. ``/sparql`` narrows the offer to the formats of the
query form (:mod:`api.sparql_conneg`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from fastapi import Request
from fastapi.responses import Response
from rdflib import Dataset, Graph

from gbkg.api.errors import HTTPProblem

M = TypeVar("M", bound=str)

#: RDF media types a claim's or a download's graphs can be served as, and rdflib's names.
RDF_FORMATS = {
    "text/turtle": "turtle",
    "application/trig": "trig",
    "application/n-quads": "nquads",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
RDF_MEDIA_TYPES = list(RDF_FORMATS)
QUAD_FORMATS = {"trig", "nquads", "json-ld"}


UTF8_NAMES = frozenset({"utf-8", "utf8", "*"})


@dataclass(frozen=True)
class MediaRange:
    """One element of an Accept header."""

    type: str
    subtype: str
    q: float
    position: int
    charset_ok: bool

    def covers(self, media_type: str) -> int:
        """How specifically this range names ``media_type``: 3 exact, 2 ``type/*``, 1 ``*/*``."""
        major, _, minor = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 1
        if self.type == major and self.subtype == "*":
            return 2
        if self.type == major and self.subtype == minor:
            return 3
        return 0


def parse_accept(header: str | None) -> list[MediaRange]:
    """The ranges of an Accept header; none (missing or blank header) means anything."""
    if header is None or not header.strip():
        return [MediaRange("*", "*", 1.0, 0, True)]
    ranges = []
    for position, item in enumerate(header.split(",")):
        media, *params = (part.strip() for part in item.split(";"))
        major, slash, minor = media.lower().partition("/")
        if not slash or not major or not minor:
            continue
        q, charset_ok = 1.0, True
        for param in params:
            key, _, value = param.partition("=")
            key, value = key.strip().lower(), value.strip().strip('"').lower()
            if key == "q":
                try:
                    q = min(1.0, max(0.0, float(value)))
                except ValueError:
                    q = 0.0
            elif key == "charset":
                charset_ok = value in UTF8_NAMES
        ranges.append(MediaRange(major, minor, q, position, charset_ok))
    return ranges


def utf8_acceptable(accept_charset: str | None) -> bool:
    """Whether an ``Accept-Charset`` header allows UTF-8 (no header allows anything)."""
    if accept_charset is None or not accept_charset.strip():
        return True
    best: tuple[int, float] = (0, 0.0)
    for item in accept_charset.split(","):
        name, *params = (part.strip().lower() for part in item.split(";"))
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        rank = 2 if name in ("utf-8", "utf8") else 1 if name == "*" else 0
        if rank > best[0]:
            best = (rank, q)
    return best[0] > 0 and best[1] > 0


def choose(
    ranges: Sequence[MediaRange],
    offered: Sequence[M],
    aliases: Mapping[str, M] | None = None,
) -> M | None:
    """The offered media type the client prefers, or ``None``.

    ``aliases`` are other names of offered types, honoured only when asked for by
    name (not through a wildcard).
    """
    best: tuple[float, int, int] | None = None
    chosen: M | None = None
    names: list[tuple[str, M, bool]] = [(str(f), f, False) for f in offered]
    names += [(alias, f, True) for alias, f in (aliases or {}).items() if f in offered]
    for server_rank, (name, fmt, alias) in enumerate(names):
        matching = [(r.covers(name), r) for r in ranges if r.charset_ok and r.covers(name)]
        if alias:
            matching = [(s, r) for s, r in matching if s == 3]
        if not matching:
            continue
        _, rng = max(matching, key=lambda m: (m[0], m[1].q))
        if rng.q <= 0:
            continue
        key = (rng.q, -rng.position, -server_rank)
        if best is None or key > best:
            best, chosen = key, fmt
    return chosen


def negotiate(accept: str | None, offered: Sequence[M], *, accept_charset: str | None = None) -> M:
    """The offered type the client prefers; :class:`HTTPProblem` 406 when none is acceptable."""
    chosen = choose(parse_accept(accept), offered) if utf8_acceptable(accept_charset) else None
    if chosen is None:
        available = [str(o) for o in offered]
        raise HTTPProblem(
            406,
            "Not acceptable",
            f"this resource can be served as {', '.join(available)} (UTF-8); the request "
            f"accepts none of them (Accept: {accept or '-'})",
            available=available,
        )
    return chosen


def context_url(request: Request) -> str:
    return str(request.url_for("json_ld_context"))


def rdf_response(data: Dataset | Graph, media_type: str, request: Request) -> Response:
    """``data`` serialized as ``media_type``; triple formats get the union of its graphs."""
    fmt = RDF_FORMATS[media_type]
    graph: Dataset | Graph = data
    if isinstance(data, Dataset) and fmt not in QUAD_FORMATS:
        graph = Graph()
        for prefix, namespace in data.namespaces():
            graph.bind(prefix, namespace)
        for s, p, o, _ in data.quads((None, None, None, None)):
            graph.add((s, p, o))
    if fmt == "json-ld":
        from gbkg.api.jsonld import compact

        body = compact(graph, context_url(request))
    else:
        body = graph.serialize(format=fmt, encoding="utf-8")
    return Response(body, media_type=f"{media_type}; charset=utf-8" if fmt != "xml" else media_type)
