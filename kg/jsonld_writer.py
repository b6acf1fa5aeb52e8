"""RDF quads as compact JSON-LD, written as they stream, with the project's context.

A JSON-LD processor compacts a whole document in memory (rdflib builds the graph,
then the expanded form, then compacts). The documents here only ever use one context,
generated from the layout (:func:`kg.jsonld.build_context`), so each triple is compacted
on its own against it, and the document is written node by node: the memory used does
not grow with the store, and ``GET /export?format=jsonld`` streams.

The document refers to its context by its stable IRI (:data:`kg.jsonld.CONTEXT_IRI`,
served by the service at ``/context.jsonld`` and resolved locally on input), so a saved
document stays readable. Its shape::

    {"@context": "https://w3id.org/gbkg/context.jsonld",
     "@graph": [
      {"@id": "claim:…#assertion", "@graph": [
       {"@id": "claim:…", "@type": "gba:Claim", "object": "MONDO:0002050", "hedged": false, …},
       …]},
      …]}

A named graph is a node with ``@graph``; the default graph's nodes are listed at the
top. Identifiers are the JSON API's CURIEs; text, whole numbers and booleans are JSON
values; other literals take their term's type or a value object. Consecutive quads of
one graph and one subject make one node (the store yields them so); a graph or a node
met again is written again, which JSON-LD reads as the same graph or node.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pyoxigraph as ox

from gbkg.kg.ids import converter
from gbkg.kg.jsonld import CONTEXT_IRI, context_document

XSD = "http://www.w3.org/2001/XMLSchema#"
_STRING = XSD + "string"
_BOOLEAN = XSD + "boolean"
_INTEGER = XSD + "integer"
_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass(frozen=True)
class _Term:
    name: str
    #: ``@id``, a datatype IRI, or ``None`` (no coercion).
    coercion: str | None


@lru_cache(maxsize=1)
def _terms() -> dict[str, _Term]:
    """Property IRI → its term in the context (at most one each, by construction)."""
    context = context_document()["@context"]
    prefixes = {
        name: value if isinstance(value, str) else value["@id"]
        for name, value in context.items()
        if not name.startswith("@")
        and ((isinstance(value, str) and value[-1:] in ":/?#[]@") or "@prefix" in value)
    }

    def expand(curie: str) -> str:
        prefix, _, local = curie.partition(":")
        return prefixes[prefix] + local if prefix in prefixes else curie

    found: dict[str, _Term] = {}
    for name, value in context.items():
        if name.startswith("@") or name in prefixes:
            continue
        if isinstance(value, str):
            found[expand(value)] = _Term(name, None)
        else:
            coercion = value.get("@type")
            found[expand(value["@id"])] = _Term(
                name, coercion if coercion in (None, "@id") else expand(coercion)
            )
    return found


def compact_iri(iri: str) -> str:
    """An IRI as the JSON API writes it: its CURIE when a prefix covers it."""
    curie = converter().compress(iri)
    return curie if curie is not None else iri


def _node_id(term: ox.NamedNode | ox.BlankNode) -> str:
    return compact_iri(term.value) if isinstance(term, ox.NamedNode) else f"_:{term.value}"


def _value(term: ox.NamedNode | ox.BlankNode | ox.Literal, coercion: str | None) -> Any:
    """``term`` as the value of a key whose term has ``coercion``."""
    if isinstance(term, ox.NamedNode | ox.BlankNode):
        if coercion == "@id":
            return _node_id(term)
        return {"@id": _node_id(term)}
    datatype = term.datatype.value
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if coercion is not None and coercion != "@id":
        if datatype == coercion:
            return term.value
        return {"@value": term.value, "@type": compact_iri(datatype)}
    if datatype == _STRING and coercion is None:
        return term.value
    if datatype == _BOOLEAN and term.value in ("true", "false") and coercion is None:
        return term.value == "true"
    if datatype == _INTEGER and coercion is None and _canonical_integer(term.value):
        return int(term.value)
    return {"@value": term.value, "@type": compact_iri(datatype)}


def _canonical_integer(text: str) -> bool:
    try:
        return str(int(text)) == text and abs(int(text)) < 2**53
    except ValueError:
        return False


def node_object(
    subject: ox.NamedNode | ox.BlankNode,
    pairs: Iterable[tuple[ox.NamedNode, ox.NamedNode | ox.BlankNode | ox.Literal]],
) -> dict[str, Any]:
    """One node: ``@id``, ``@type`` and each property under its term or compact IRI."""
    terms = _terms()
    node: dict[str, Any] = {"@id": _node_id(subject)}
    values: dict[str, list[Any]] = {}
    for predicate, obj in pairs:
        if predicate.value == _TYPE and isinstance(obj, ox.NamedNode):
            values.setdefault("@type", []).append(compact_iri(obj.value))
            continue
        term = terms.get(predicate.value)
        if term is not None and _fits(term, obj):
            values.setdefault(term.name, []).append(_value(obj, term.coercion))
        else:
            values.setdefault(compact_iri(predicate.value), []).append(_value(obj, None))
    for key, items in values.items():
        node[key] = items[0] if len(items) == 1 else items
    return node


def _fits(term: _Term, obj: ox.NamedNode | ox.BlankNode | ox.Literal) -> bool:
    """Whether ``obj`` is written under ``term`` (else under the property's compact IRI):
    an IRI under a term typed ``@id``, a literal under any other."""
    is_node = isinstance(obj, ox.NamedNode | ox.BlankNode)
    return is_node == (term.coercion == "@id")


def jsonld_chunks(quads: Iterable[ox.Quad]) -> Iterator[bytes]:
    """The document, in pieces, one node (or graph boundary) at a time."""
    yield b'{"@context": ' + json.dumps(CONTEXT_IRI).encode() + b',\n "@graph": ['
    first_item = True
    graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph | None = None
    subject: ox.NamedNode | ox.BlankNode | None = None
    pairs: list[tuple[ox.NamedNode, Any]] = []
    in_named = False
    first_node = True

    def flush() -> bytes:
        nonlocal first_node, first_item
        if subject is None or not pairs:
            return b""
        text = json.dumps(node_object(subject, pairs), ensure_ascii=False)
        if in_named:
            sep = "\n  " if first_node else ",\n  "
            first_node = False
        else:
            sep = "\n " if first_item else ",\n "
            first_item = False
        return (sep + text).encode("utf-8")

    for quad in quads:
        q_subject = quad.subject
        if isinstance(q_subject, ox.Triple) or isinstance(quad.object, ox.Triple):
            raise ValueError("RDF 1.2 triple terms are not written as JSON-LD here")
        if quad.graph_name != graph:
            chunk = flush()
            if in_named:
                chunk += b"]}"
            pairs, subject = [], None
            graph = quad.graph_name
            in_named = not isinstance(graph, ox.DefaultGraph)
            if in_named:
                sep = "\n " if first_item else ",\n "
                first_item, first_node = False, True
                opening = json.dumps({"@id": _node_id(graph)}, ensure_ascii=False)[:-1]  # type: ignore[arg-type]
                chunk += (sep + opening + ', "@graph": [').encode("utf-8")
            yield chunk
        if q_subject != subject:
            chunk = flush()
            if chunk:
                yield chunk
            subject, pairs = q_subject, []
        pairs.append((quad.predicate, quad.object))
    tail = flush()
    if in_named:
        tail += b"]}"
    yield tail + b"\n]}\n"
