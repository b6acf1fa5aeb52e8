"""Content negotiation for ``/sparql``: the client's preferred format that fits the query form.

A SELECT cannot be written as Turtle and a CONSTRUCT cannot be written as SPARQL
results, yet some clients send one Accept header for every query (rdflib's
``SPARQLStore`` sends ``application/rdf+xml, application/sparql-results+xml``).
So the choice is made among the formats of the query's form only: the
acceptable one with the highest q-value; among equal q-values, the one the client
listed first; among the types one wildcard covers, the server's order (default
first). ``q=0`` refuses a type; a range with a q-value not of RFC 9110's form is
ignored (:mod:`api.negotiation` parses every Accept header). Media types are
compared without parameters, except ``charset``: UTF-8 (or ``*``) is the only
charset served, so a range that asks for another charset matches nothing, and so
does an ``Accept-Charset`` header that refuses UTF-8. Nothing acceptable → 406
problem naming what is available.
"""

from __future__ import annotations

from collections.abc import Sequence

from gbkg.api.negotiation import choose, not_acceptable, parse_accept, utf8_acceptable

__all__ = ["ALIASES", "choose", "negotiate", "parse_accept", "utf8_acceptable"]
from gbkg.kg.sparql_analysis import QueryForm
from gbkg.kg.sparql_formats import GraphFormat, OutputFormat, ResultFormat

#: Other names clients use, honoured only when asked for by name (not by a wildcard).
ALIASES: dict[str, OutputFormat] = {
    "application/json": ResultFormat.JSON,
    "application/xml": ResultFormat.XML,
    "text/xml": ResultFormat.XML,
    "text/plain": GraphFormat.N_TRIPLES,
}


def negotiate(
    accept: str | None, form: QueryForm | None, *, accept_charset: str | None = None
) -> OutputFormat:
    """The format to answer a ``form`` query in (``None``: an RDF document such as the
    service description); an ``HTTPProblem`` 406 when nothing fits."""
    offered: Sequence[OutputFormat] = (
        tuple(GraphFormat) if form is None or form.returns_graph else tuple(ResultFormat)
    )
    ranges = parse_accept(accept)
    chosen = choose(ranges, offered, ALIASES) if utf8_acceptable(accept_charset) else None
    if chosen is None:
        what = f"{form.value} results" if form is not None else "the service description"
        raise not_acceptable(what, [f.value for f in offered], accept)
    return chosen
