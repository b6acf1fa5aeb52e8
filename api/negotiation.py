"""Content negotiation (RFC 9110 Accept with q-values) and RDF responses.

``negotiate`` picks, among the types a route can produce (in its order of
preference), the one the client accepts with the highest q-value; ties go to the
route's order. Media types are compared without parameters, except that a
``charset`` other than UTF-8 makes a type unacceptable.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response
from rdflib import Dataset, Graph

from api.errors import HTTPProblem

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


@dataclass(frozen=True)
class MediaRange:
    type: str
    q: float
    charset: str | None

    def matches(self, media_type: str) -> bool:
        if self.charset is not None and self.charset not in ("utf-8", "utf8", "*"):
            return False
        if self.type in ("*/*", media_type):
            return True
        major = self.type.removesuffix("/*")
        return self.type.endswith("/*") and media_type.startswith(major + "/")

    @property
    def specificity(self) -> int:
        return 0 if self.type == "*/*" else 1 if self.type.endswith("/*") else 2


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header; a missing or empty header accepts anything."""
    if not header or not header.strip():
        return [MediaRange("*/*", 1.0, None)]
    ranges = []
    for item in header.split(","):
        parts = [p.strip() for p in item.split(";")]
        if not parts[0]:
            continue
        q, charset = 1.0, None
        for param in parts[1:]:
            key, _, value = param.partition("=")
            key, value = key.strip().lower(), value.strip().strip('"').lower()
            if key == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
            elif key == "charset":
                charset = value
        ranges.append(MediaRange(parts[0].lower(), q, charset))
    return ranges


def quality(ranges: list[MediaRange], media_type: str) -> float:
    """The q-value the most specific matching range gives ``media_type`` (0: refused)."""
    matching = [r for r in ranges if r.matches(media_type)]
    if not matching:
        # a range naming the type with a bad charset refuses it outright
        return 0.0
    best = max(matching, key=lambda r: r.specificity)
    return best.q


def negotiate(header: str | None, offered: list[str]) -> str:
    """The offered type the client prefers; 406 problem when none is acceptable."""
    ranges = parse_accept(header)
    scored = [(quality(ranges, t), -i, t) for i, t in enumerate(offered)]
    q, _, chosen = max(scored)
    if q <= 0:
        raise HTTPProblem(
            406, "Not acceptable",
            f"none of the requested types ({header}) can be produced here; available: "
            + ", ".join(offered),
            available=offered,
        )  # fmt: skip
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
        from api.jsonld import compact

        body = compact(graph, context_url(request))
    else:
        body = graph.serialize(format=fmt, encoding="utf-8")
    return Response(body, media_type=f"{media_type}; charset=utf-8" if fmt != "xml" else media_type)
