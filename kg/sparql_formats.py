"""Serializations of SPARQL results: the four result formats and the RDF formats.

Graph results (CONSTRUCT, DESCRIBE) are written by Oxigraph's serializers
(:func:`pyoxigraph.serialize`). Solutions and booleans are written here, byte for
byte as Oxigraph's ``QuerySolutions.serialize`` writes them, because the
endpoint caps the number of rows: Oxigraph serializes a whole live result
iterator and cannot stop after *n* rows, so the rows are collected first (under
the time limit and the cap) and then written by these functions. The tests
check every writer against Oxigraph's parser (``parse_query_results``).

ASK in CSV or TSV is not defined by the W3C CSV/TSV Recommendation; like
Oxigraph (and its server), the body is the single word ``true`` or ``false``.

>>> write_boolean(True, ResultFormat.JSON)
b'{"head":{},"boolean":true}'
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
ITS_NS = "http://www.w3.org/2005/11/its"
FORMATS_NS = "http://www.w3.org/ns/formats/"


class ResultFormat(StrEnum):
    """Media types of SELECT and ASK results, the endpoint's default first."""

    JSON = "application/sparql-results+json"
    XML = "application/sparql-results+xml"
    CSV = "text/csv"
    TSV = "text/tab-separated-values"

    @property
    def content_type(self) -> str:
        return f"{self.value}; charset=utf-8" if self.value.startswith("text/") else self.value

    @property
    def oxigraph(self) -> ox.QueryResultsFormat:
        fmt = ox.QueryResultsFormat.from_media_type(self.value)
        assert fmt is not None
        return fmt

    @property
    def iri(self) -> str:
        """The format's IRI in the W3C formats namespace (for service descriptions)."""
        return self.oxigraph.iri


class GraphFormat(StrEnum):
    """Media types of CONSTRUCT and DESCRIBE results, the endpoint's default first."""

    TURTLE = "text/turtle"
    N_TRIPLES = "application/n-triples"
    RDF_XML = "application/rdf+xml"
    JSON_LD = "application/ld+json"
    N_QUADS = "application/n-quads"
    TRIG = "application/trig"

    @property
    def content_type(self) -> str:
        return f"{self.value}; charset=utf-8" if self.value.startswith("text/") else self.value

    @property
    def oxigraph(self) -> ox.RdfFormat:
        """pyoxigraph's format of this media type (``RdfFormat.from_media_type``)."""
        fmt = ox.RdfFormat.from_media_type(self.value)
        assert fmt is not None
        return fmt

    @property
    def iri(self) -> str:
        """The format's IRI in the W3C formats namespace (for service descriptions)."""
        if self is GraphFormat.JSON_LD:  # Oxigraph names a newer IRI for JSON-LD
            return FORMATS_NS + "JSON-LD"
        return self.oxigraph.iri


OutputFormat = ResultFormat | GraphFormat


# --- booleans ------------------------------------------------------------------


def write_boolean(value: bool, fmt: ResultFormat) -> bytes:
    word = "true" if value else "false"
    if fmt is ResultFormat.JSON:
        return f'{{"head":{{}},"boolean":{word}}}'.encode()
    if fmt is ResultFormat.XML:
        return (
            f'<?xml version="1.0"?><sparql xmlns="{RESULTS_NS}"><head></head>'
            f"<boolean>{word}</boolean></sparql>"
        ).encode()
    return word.encode()


# --- solutions -----------------------------------------------------------------


def write_solutions(
    variables: Sequence[str], rows: Iterable[Sequence[Term | None]], fmt: ResultFormat
) -> bytes:
    """``rows`` (one term or ``None`` per variable) in ``fmt``."""
    writer = {
        ResultFormat.JSON: _json_solutions,
        ResultFormat.XML: _xml_solutions,
        ResultFormat.CSV: _csv_solutions,
        ResultFormat.TSV: _tsv_solutions,
    }[fmt]
    return writer(variables, rows).encode("utf-8")


def _json_term(term: Term) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language is not None:
            out["xml:lang"] = term.language
            if term.direction is not None:
                out["its:dir"] = str(term.direction)
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": _json_term(term.subject),
            "predicate": _json_term(term.predicate),
            "object": _json_term(term.object),
        },
    }


def _json_solutions(variables: Sequence[str], rows: Iterable[Sequence[Term | None]]) -> str:
    bindings = [
        {
            var: _json_term(term)
            for var, term in zip(variables, row, strict=True)
            if term is not None
        }
        for row in rows
    ]
    document = {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


_XML_TEXT = {'"': "&quot;"}  # as Oxigraph writes text


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        attributes = ""
        if term.language is not None:
            attributes = f" xml:lang={quoteattr(term.language)}"
            if term.direction is not None:
                attributes += (
                    f" its:dir={quoteattr(str(term.direction))}"
                    f' xmlns:its="{ITS_NS}" its:version="2.0"'
                )
        elif term.datatype.value != XSD_STRING:
            attributes = f" datatype={quoteattr(term.datatype.value)}"
        return f"<literal{attributes}>{escape(term.value, _XML_TEXT)}</literal>"
    return (
        f"<triple><subject>{_xml_term(term.subject)}</subject>"
        f"<predicate>{_xml_term(term.predicate)}</predicate>"
        f"<object>{_xml_term(term.object)}</object></triple>"
    )


def _xml_solutions(variables: Sequence[str], rows: Iterable[Sequence[Term | None]]) -> str:
    parts = [f'<?xml version="1.0"?><sparql xmlns="{RESULTS_NS}"><head>']
    parts.extend(f"<variable name={quoteattr(var)}/>" for var in variables)
    parts.append("</head><results>")
    for row in rows:
        parts.append("<result>")
        parts.extend(
            f"<binding name={quoteattr(var)}>{_xml_term(term)}</binding>"
            for var, term in zip(variables, row, strict=True)
            if term is not None
        )
        parts.append("</result>")
    parts.append("</results></sparql>")
    return "".join(parts)


def _csv_term(term: Term) -> str:
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Triple):
        return " ".join(_csv_term(t) for t in (term.subject, term.predicate, term.object))
    return term.value


def _csv_field(text: str) -> str:
    if any(c in text for c in '",\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_solutions(variables: Sequence[str], rows: Iterable[Sequence[Term | None]]) -> str:
    lines = [",".join(_csv_field(var) for var in variables)]
    lines.extend(
        ",".join("" if term is None else _csv_field(_csv_term(term)) for term in row)
        for row in rows
    )
    return "".join(line + "\r\n" for line in lines)


_BARE = {
    XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    XSD + "double": re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+"),
    XSD + "boolean": re.compile(r"true|false"),
}
_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _tsv_term(term: Term) -> str:
    """A term in Turtle syntax, with tabs and line breaks escaped (SPARQL 1.1 TSV)."""
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Triple):
        inner = " ".join(_tsv_term(t) for t in (term.subject, term.predicate, term.object))
        return f"<<( {inner} )>>"
    datatype = term.datatype.value
    bare = _BARE.get(datatype)
    if bare is not None and bare.fullmatch(term.value):
        return term.value
    quoted = '"' + term.value.translate(_TSV_ESCAPES) + '"'
    if term.language is not None:
        direction = f"--{term.direction}" if term.direction is not None else ""
        return f"{quoted}@{term.language}{direction}"
    if datatype != XSD_STRING:
        return f"{quoted}^^<{datatype}>"
    return quoted


def _tsv_solutions(variables: Sequence[str], rows: Iterable[Sequence[Term | None]]) -> str:
    lines = ["\t".join("?" + var for var in variables)]
    lines.extend("\t".join("" if term is None else _tsv_term(term) for term in row) for row in rows)
    return "".join(line + "\n" for line in lines)


# --- graphs --------------------------------------------------------------------


def write_graph(
    triples: Sequence[ox.Triple], fmt: GraphFormat, *, prefixes: Mapping[str, str] | None = None
) -> bytes:
    """``triples`` in ``fmt`` by Oxigraph, abbreviated with ``prefixes`` where it can."""
    data: Sequence[ox.Triple] | list[ox.Quad] = triples
    if fmt in (GraphFormat.N_QUADS, GraphFormat.TRIG):
        data = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    usable = dict(prefixes or {})
    if fmt in (GraphFormat.N_TRIPLES, GraphFormat.N_QUADS):
        usable = {}
    try:
        body = ox.serialize(data, format=fmt.oxigraph, prefixes=usable or None)
    except ValueError:  # a prefix IRI Oxigraph does not accept: write full IRIs
        body = ox.serialize(data, format=fmt.oxigraph)
    assert isinstance(body, bytes)
    return body
