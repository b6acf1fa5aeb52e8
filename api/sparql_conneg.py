"""Content negotiation for ``/sparql``: the client's preferred format that fits the query form.

A SELECT cannot be written as Turtle and a CONSTRUCT cannot be written as SPARQL
results, yet some clients send one Accept header for every query (rdflib's
``SPARQLStore`` sends ``application/rdf+xml, application/sparql-results+xml``).
So the choice is made among the formats of the query's form only: the
acceptable one with the highest q-value; among equal q-values, the one the client
listed first; among the types one wildcard covers, the server's order (default
first). ``q=0`` refuses a type. Media types are compared without parameters,
except ``charset``: UTF-8 (or ``*``) is the only charset served, so a range that
asks for another charset matches nothing, and so does an ``Accept-Charset``
header that refuses UTF-8. Nothing acceptable → 406 problem naming what is
available.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from api.errors import HTTPProblem
from kg.sparql_analysis import QueryForm
from kg.sparql_formats import GraphFormat, OutputFormat, ResultFormat

#: Other names clients use, honoured only when asked for by name (not by a wildcard).
ALIASES: dict[str, OutputFormat] = {
    "application/json": ResultFormat.JSON,
    "application/xml": ResultFormat.XML,
    "text/xml": ResultFormat.XML,
    "text/plain": GraphFormat.N_TRIPLES,
}

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


def choose(ranges: Sequence[MediaRange], offered: Sequence[OutputFormat]) -> OutputFormat | None:
    """The offered format the client prefers, or ``None``."""
    best: tuple[float, int, int] | None = None
    chosen: OutputFormat | None = None
    names: list[tuple[str, OutputFormat, bool]] = [(f.value, f, False) for f in offered]
    names += [(alias, f, True) for alias, f in ALIASES.items() if f in offered]
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
    accept: str | None, form: QueryForm | None, *, accept_charset: str | None = None
) -> OutputFormat:
    """The format to answer a ``form`` query in (``None``: an RDF document such as the
    service description); :class:`HTTPProblem` 406 when nothing fits."""
    offered: Sequence[OutputFormat] = (
        tuple(GraphFormat) if form is None or form.returns_graph else tuple(ResultFormat)
    )
    chosen = choose(parse_accept(accept), offered) if utf8_acceptable(accept_charset) else None
    if chosen is None:
        what = f"{form.value} results" if form is not None else "the service description"
        available = [f.value for f in offered]
        raise HTTPProblem(
            406,
            "Not acceptable",
            f"{what} can be served as {', '.join(available)} (UTF-8); the request accepts "
            f"none of them (Accept: {accept or '-'})",
            available=available,
        )
    return chosen
