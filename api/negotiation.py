"""Content negotiation (RFC 9110 ``Accept`` with q-values) and RDF responses: the one
module every route negotiates with.

The client's acceptable type with the highest q-value wins; among equal q-values,
the one the client listed first; among the types one wildcard covers, the server's
order (its default first). ``q=0`` refuses a type; a range whose q-value is not of
RFC 9110's form (``q=inf``, ``q=nan``, ``q=1e3``, ``q=-1``, ``q=0.0001``) is ignored,
as is an ``Accept-Charset`` element with one. Media types are compared
without parameters, except ``charset``: UTF-8 (or ``*``) is the only charset
served, so a range asking for another charset matches nothing, and so does an
``Accept-Charset`` header that refuses UTF-8. Nothing acceptable: 406 problem
naming what is available (and the ranges ignored). One parser serves every
route; quoted parameter values may hold commas and semicolons.

Three offers: a route's own list (:func:`negotiate`); the RDF formats of
:data:`kg.formats.RDF_FORMATS` (:func:`negotiate_rdf`); and, for ``/sparql`` and the
named queries, the formats of the query's form (:func:`query_result_format`): a SELECT
cannot be written as Turtle and a CONSTRUCT cannot be written as SPARQL results, yet
some clients send one Accept header for every query (rdflib's ``SPARQLStore`` sends
``application/rdf+xml, application/sparql-results+xml``), so the choice is made among
the formats of the query's form only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import Response

from gbkg.api.errors import HTTPProblem
from gbkg.kg.formats import RDF_FORMATS, content_type
from gbkg.kg.io import rdf_bytes
from gbkg.kg.sparql_analysis import QueryForm
from gbkg.kg.sparql_formats import GraphFormat, OutputFormat, ResultFormat

M = TypeVar("M", bound=str)

#: The media types of the RDF formats every RDF document is offered in.
RDF_MEDIA_TYPES = [f.media_type for f in RDF_FORMATS]
JSON = "application/json"
#: Other names clients use for query results, honoured only when asked for by name.
RESULT_ALIASES: dict[str, OutputFormat] = {
    "application/json": ResultFormat.JSON,
    "application/xml": ResultFormat.XML,
    "text/xml": ResultFormat.XML,
    "text/plain": GraphFormat.N_TRIPLES,
}


UTF8_NAMES = frozenset({"utf-8", "utf8", "*"})
#: RFC 9110 §12.4.2: ``qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )``.
QVALUE = re.compile(r"0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?")


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


def qvalue(text: str) -> float | None:
    """The weight ``text`` names, or ``None`` when it is not of RFC 9110's form
    (``inf``, ``nan``, ``1e3``, ``-1``, ``0.0001`` are not)."""
    return float(text) if QVALUE.fullmatch(text) else None


def split_header(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator`` where it is not inside a quoted string."""
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _weighted(item: str) -> tuple[str, dict[str, str]] | None:
    """An element ``name;key=value...`` as its lowercased name and parameters; ``None``
    when its q-value is malformed or given twice."""
    name, *params = (part.strip() for part in split_header(item, ";"))
    values: dict[str, str] = {}
    for param in params:
        key, _, value = param.partition("=")
        key, value = key.strip().lower(), value.strip()
        if key == "q" and (key in values or qvalue(value) is None):
            return None
        values[key] = value.strip('"').lower()
    return name.lower(), values


def read_accept(header: str | None) -> tuple[list[MediaRange], list[str]]:
    """The well-formed ranges of an Accept header, and the ranges ignored for a malformed
    q-value (a range whose weight cannot be read is not acceptable)."""
    if header is None or not header.strip():
        return [MediaRange("*", "*", 1.0, 0, True)], []
    ranges, ignored = [], []
    for position, item in enumerate(split_header(header, ",")):
        weighted = _weighted(item)
        if weighted is None:
            ignored.append(item.strip())
            continue
        media, params = weighted
        major, slash, minor = media.partition("/")
        if not slash or not major or not minor:
            continue
        q = float(params.get("q", "1"))
        charset_ok = params.get("charset", "utf-8") in UTF8_NAMES
        ranges.append(MediaRange(major, minor, q, position, charset_ok))
    return ranges, ignored


def parse_accept(header: str | None) -> list[MediaRange]:
    """The ranges of an Accept header; none (missing or blank header) means anything."""
    return read_accept(header)[0]


def utf8_acceptable(accept_charset: str | None) -> bool:
    """Whether an ``Accept-Charset`` header allows UTF-8 (no header allows anything)."""
    if accept_charset is None or not accept_charset.strip():
        return True
    best: tuple[int, float] = (0, 0.0)
    for item in split_header(accept_charset, ","):
        weighted = _weighted(item)
        if weighted is None:
            continue
        name, params = weighted
        rank = 2 if name in ("utf-8", "utf8") else 1 if name == "*" else 0
        if rank > best[0]:
            best = (rank, float(params.get("q", "1")))
    return best[0] > 0 and best[1] > 0


def not_acceptable(what: str, available: Sequence[str], accept: str | None) -> HTTPProblem:
    """The 406 problem: what ``what`` can be served as, and the ranges that were ignored."""
    detail = (
        f"{what} can be served as {', '.join(available)} (UTF-8); the request accepts none "
        f"of them (Accept: {accept or '-'})"
    )
    ignored = read_accept(accept)[1]
    if ignored:
        detail += (
            "; ignored for a q-value not of RFC 9110's form (0 to 1, at most three "
            "decimals): " + ", ".join(ignored)
        )
    return HTTPProblem(406, "Not acceptable", detail, available=list(available))


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


def negotiate(
    accept: str | None,
    offered: Sequence[M],
    *,
    accept_charset: str | None = None,
    aliases: Mapping[str, M] | None = None,
    what: str = "this resource",
) -> M:
    """The offered type the client prefers; :class:`HTTPProblem` 406 when none is acceptable."""
    ranges = parse_accept(accept)
    chosen = choose(ranges, offered, aliases) if utf8_acceptable(accept_charset) else None
    if chosen is None:
        raise not_acceptable(what, [str(o) for o in offered], accept)
    return chosen


def negotiate_rdf(
    request: Request, *, json: bool = False, first: ox.RdfFormat | None = None
) -> ox.RdfFormat | None:
    """The RDF format to answer ``request`` in; ``None`` when ``json`` is offered (first)
    and chosen. ``first`` is the default RDF format (else Turtle)."""
    formats = [f for f in RDF_FORMATS if f != first]
    if first is not None:
        formats.insert(0, first)
    offered = [JSON] if json else []
    offered += [f.media_type for f in formats]
    chosen = negotiate(
        request.headers.get("accept"),
        offered,
        accept_charset=request.headers.get("accept-charset"),
    )
    return None if chosen == JSON else ox.RdfFormat.from_media_type(chosen)


def query_result_format(
    accept: str | None, form: QueryForm | None, *, accept_charset: str | None = None
) -> OutputFormat:
    """The format to answer a ``form`` query in (``None``: an RDF document such as the
    service description); an ``HTTPProblem`` 406 when nothing fits."""
    offered: Sequence[OutputFormat] = (
        tuple(GraphFormat) if form is None or form.returns_graph else tuple(ResultFormat)
    )
    what = f"{form.value} results" if form is not None else "the service description"
    return negotiate(
        accept, offered, accept_charset=accept_charset, aliases=RESULT_ALIASES, what=what
    )


def context_url(request: Request) -> str:
    """Where this service serves the JSON-LD context (also accepted on input)."""
    return str(request.url_for("json_ld_context"))


def rdf_response(quads: list[ox.Quad], fmt: ox.RdfFormat, **headers: str) -> Response:
    """``quads`` as a document in ``fmt`` (:func:`kg.io.rdf_bytes`); a triple format
    gets the union of the graphs."""
    return Response(rdf_bytes(quads, fmt), media_type=content_type(fmt), headers=headers)
