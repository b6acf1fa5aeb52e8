"""Conversions between rdflib and pyoxigraph terms.

rdflib is the toolkit (parsing, serializing, pySHACL); pyoxigraph is the store.
Claims cross between the two here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal


def to_ox(term: Node) -> OxTerm:
    """An rdflib term as a pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def from_ox(term: OxTerm | ox.DefaultGraph | ox.Triple) -> Node:
    """A pyoxigraph term as an rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    if isinstance(term, ox.DefaultGraph):
        return DATASET_DEFAULT_GRAPH_ID
    raise TypeError(f"not a pyoxigraph term: {term!r}")


def quads_dataset(quads: Iterable[ox.Quad], dataset: Dataset | None = None) -> Dataset:
    """An rdflib dataset (``dataset``, or a new one) holding the given pyoxigraph quads."""
    dataset = dataset if dataset is not None else Dataset()
    for quad in quads:
        graph = from_ox(quad.graph_name)
        dataset.add(
            (from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object), graph)  # type: ignore[arg-type]
        )
    return dataset
