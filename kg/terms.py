"""Conversions between rdflib and pyoxigraph terms.

rdflib is the toolkit (parsing, serializing, pySHACL); pyoxigraph is the store.
Claims cross between the two here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

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


def dataset_quads(dataset: Dataset) -> Iterator[ox.Quad]:
    """Every quad of an rdflib dataset, named graphs and default graph alike."""
    for s, p, o, g in dataset.quads((None, None, None, None)):
        graph_id = getattr(g, "identifier", g)
        graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph
        if graph_id is None or graph_id == DATASET_DEFAULT_GRAPH_ID:
            graph = ox.DefaultGraph()
        else:
            graph = to_ox(graph_id)  # type: ignore[assignment]
        yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph)  # type: ignore[arg-type]


def quads_dataset(quads: Iterable[ox.Quad], dataset: Dataset | None = None) -> Dataset:
    """An rdflib dataset (``dataset``, or a new one) holding the given pyoxigraph quads."""
    dataset = dataset if dataset is not None else Dataset()
    for quad in quads:
        graph = from_ox(quad.graph_name)
        dataset.add(
            (from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object), graph)  # type: ignore[arg-type]
        )
    return dataset
