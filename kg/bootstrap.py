"""First use of a store: the ontology, the known entities and the curated claims.

:func:`ensure_loaded` fills an empty store in one transaction and does nothing to a
store that already holds data, so it is safe to call at every start.
"""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox

from gbkg.kg.namespaces import ENTITIES_GRAPH, ONTOLOGY_GRAPH
from gbkg.kg.resources import curated_files, ontology_file
from gbkg.kg.store import Backend


def reference_quads() -> Iterator[ox.Quad]:
    """The ontology and the known entities, each in its own named graph."""
    for name, graph in (("gba.ttl", ONTOLOGY_GRAPH), ("entities.ttl", ENTITIES_GRAPH)):
        data = ontology_file(name).read_bytes()
        graph_node = ox.NamedNode(str(graph))
        for triple in ox.parse(data, format=ox.RdfFormat.TURTLE):
            yield ox.Quad(triple.subject, triple.predicate, triple.object, graph_node)


def curated_quads() -> Iterator[ox.Quad]:
    """Every quad of the curated claim files (TriG)."""
    for resource in curated_files():
        yield from ox.parse(resource.read_bytes(), format=ox.RdfFormat.TRIG)


def ensure_loaded(store: Backend, *, curated: bool = True) -> bool:
    """Load reference data (and the curated claims) into an empty store.

    Returns whether anything was loaded.
    """
    if not store.is_empty():
        return False
    quads = list(reference_quads())
    if curated:
        quads.extend(curated_quads())
    store.extend(quads)
    store.flush()
    return True
