"""A field's value as an RDF term and back, by its :class:`~kg.record.layout.Kind`.

Terms are pyoxigraph's: the writer's quads go to the validator and the store as they
are. Reading refuses a term of the wrong kind with a :class:`TermError` whose message
the reader puts in a violation on the field (``statistics.p_value: "abc" is not a
number``), as a JSON value of the wrong type is.

>>> to_term(Kind.DECIMAL, 1.50)
<Literal value=1.5 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#decimal>>
>>> from_term(Kind.QUALIFIER, to_term(Kind.QUALIFIER, "MONDO:0002050"))
'MONDO:0002050'
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote, unquote

import pyoxigraph as ox
from rdflib import URIRef

from gbkg.kg.ids import compress, expand, try_expand
from gbkg.kg.model import decimal_text
from gbkg.kg.namespaces import CURATOR
from gbkg.kg.record.layout import Kind

Term = ox.NamedNode | ox.BlankNode | ox.Literal

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = ox.NamedNode(XSD + "string")
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_DATATYPES = {
    Kind.DECIMAL: ox.NamedNode(XSD + "decimal"),
    Kind.INTEGER: ox.NamedNode(XSD + "integer"),
    Kind.BOOLEAN: ox.NamedNode(XSD + "boolean"),
    Kind.DATETIME: ox.NamedNode(XSD + "dateTime"),
    Kind.YEAR: ox.NamedNode(XSD + "gYear"),
}
#: Datatypes read as numbers (a decimal field accepts an integer or a double).
_INTEGERS = {
    XSD + name
    for name in (
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt",
        "unsignedShort", "unsignedByte",
    )
}  # fmt: skip
_NUMBERS = {XSD + "decimal", XSD + "double", XSD + "float", *_INTEGERS}


class TermError(ValueError):
    """A term that is not a value of the field's kind; the message says what it is."""


def curator_iri(name: str) -> ox.NamedNode:
    """A curator's IRI: ``https://w3id.org/gbkg/curator/{name, percent-encoded}``."""
    return ox.NamedNode(str(CURATOR) + quote(name, safe=""))


def curator_name(iri: str) -> str:
    """A curator's name, from its IRI (:func:`curator_iri` in reverse)."""
    return unquote(iri.removeprefix(str(CURATOR)))


def to_term(kind: Kind, value: Any, terms: Mapping[Any, URIRef] | None = None) -> Term:
    """The term that records ``value`` (a model value, not ``None``)."""
    if kind is Kind.TEXT:
        return ox.Literal(str(value))
    if kind is Kind.DECIMAL:
        return ox.Literal(decimal_text(value), datatype=_DATATYPES[kind])
    if kind is Kind.INTEGER or kind is Kind.YEAR:
        return ox.Literal(str(int(value)), datatype=_DATATYPES[kind])
    if kind is Kind.BOOLEAN:
        return ox.Literal("true" if value else "false", datatype=_DATATYPES[kind])
    if kind is Kind.DATETIME:
        return ox.Literal(value.isoformat(), datatype=_DATATYPES[kind])
    if kind is Kind.URL:
        return ox.NamedNode(str(value))
    if kind is Kind.IDENTIFIER:
        return ox.NamedNode(str(expand(value)))
    if kind is Kind.QUALIFIER:
        iri = try_expand(value)
        return ox.NamedNode(str(iri)) if iri is not None else ox.Literal(str(value))
    if kind is Kind.TERM:
        assert terms is not None
        return ox.NamedNode(str(terms[value]))
    if kind is Kind.CURATOR:
        return curator_iri(str(value))
    raise AssertionError(f"unknown kind {kind}")


def from_term(kind: Kind, term: Any, terms: Mapping[Any, URIRef] | None = None) -> Any:
    """The model value ``term`` records; :class:`TermError` when it is of the wrong kind."""
    if kind is Kind.TERM:
        assert terms is not None
        for value, iri in terms.items():
            if isinstance(term, ox.NamedNode) and term.value == str(iri):
                return value
        allowed = ", ".join(compress(str(iri)) for iri in terms.values())
        raise TermError(f"{_shown(term)} is not one of {allowed}")
    if kind is Kind.IDENTIFIER or kind is Kind.URL:
        if not isinstance(term, ox.NamedNode):
            raise TermError(f"{_shown(term)} is not an IRI")
        return term.value if kind is Kind.URL else compress(term.value)
    if kind is Kind.CURATOR:
        if not isinstance(term, ox.NamedNode) or not term.value.startswith(str(CURATOR)):
            raise TermError(f"{_shown(term)} is not a curator ({CURATOR}name)")
        return curator_name(term.value)
    if kind is Kind.QUALIFIER:
        if isinstance(term, ox.NamedNode):
            return compress(term.value)
        return _text(term)
    if kind is Kind.TEXT:
        return _text(term)
    if not isinstance(term, ox.Literal):
        raise TermError(f"{_shown(term)} is not a literal")
    datatype = term.datatype.value
    try:
        if kind is Kind.DECIMAL and datatype in _NUMBERS:
            number = Decimal(term.value)
            if number.is_finite():
                return float(number)
        elif kind is Kind.INTEGER and datatype in _INTEGERS:
            return int(term.value)
        elif kind is Kind.BOOLEAN and datatype == _DATATYPES[kind].value:
            if term.value in ("true", "1", "false", "0"):
                return term.value in ("true", "1")
        elif kind is Kind.DATETIME and datatype == _DATATYPES[kind].value:
            return datetime.fromisoformat(term.value)
        elif kind is Kind.YEAR and datatype in (_DATATYPES[kind].value, *_INTEGERS):
            return int(term.value)
    except (ValueError, InvalidOperation):
        pass
    raise TermError(f"{_shown(term)} is not {_EXPECTED[kind]}")


_EXPECTED = {
    Kind.DECIMAL: "a number (xsd:decimal)",
    Kind.INTEGER: "a whole number (xsd:integer)",
    Kind.BOOLEAN: "true or false (xsd:boolean)",
    Kind.DATETIME: "a date and time (xsd:dateTime)",
    Kind.YEAR: "a year (xsd:gYear)",
}


def _text(term: Any) -> str:
    if isinstance(term, ox.Literal) and (
        term.datatype == XSD_STRING or term.datatype.value == RDF_LANG_STRING
    ):
        return str(term.value)
    raise TermError(f"{_shown(term)} is not text (a plain literal)")


def _shown(term: Any) -> str:
    """A term as a message shows it: a CURIE, or a literal with its datatype's CURIE."""
    if isinstance(term, ox.NamedNode):
        return compress(term.value)
    if isinstance(term, ox.Literal):
        if term.datatype == XSD_STRING or term.language:
            return repr(term.value)
        return f"{term.value!r} ({compress(term.datatype.value)})"
    if isinstance(term, ox.BlankNode):
        return "a blank node"
    return str(term)
