"""A source's full text as the store holds it (``gba:fullText`` in the sources graph),
for showing a quote inside its source: the claim's JSON does not carry the text (it is
stored once per source, and may be long)."""

from __future__ import annotations

import pyoxigraph as ox

from gbkg.kg.ids import expand
from gbkg.kg.namespaces import GBA, SOURCES_GRAPH
from gbkg.kg.store import Backend


def stored_text(store: Backend, source: str) -> str | None:
    """The full text stored with ``source`` (CURIE or IRI), or ``None``."""
    graph = ox.NamedNode(str(SOURCES_GRAPH))
    predicate = ox.NamedNode(str(GBA.fullText))
    for quad in store.quads_about(ox.NamedNode(str(expand(source)))):
        if (
            quad.graph_name == graph
            and quad.predicate == predicate
            and isinstance(quad.object, ox.Literal)
        ):
            return str(quad.object.value)
    return None
