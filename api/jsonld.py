"""JSON-LD with the published ``@context`` (``ontology/context.jsonld``, served at
``/context.jsonld``): documents are compacted with it, then refer to it by URL.

JSON-LD *bodies* are read by :mod:`kg.rdf_input`, which resolves that context
locally and refuses any other (:mod:`kg.jsonld`)."""

from __future__ import annotations

import json

from rdflib import Dataset, Graph

from gbkg.kg.jsonld import context_document

__all__ = ["compact", "context_document"]


def compact(graph: Graph | Dataset, context_url: str) -> bytes:
    """``graph`` as compacted JSON-LD whose ``@context`` is the published context's URL."""
    context = context_document()["@context"]
    text = graph.serialize(format="json-ld", context=context, auto_compact=True)
    document = json.loads(text)
    if isinstance(document, dict):
        document["@context"] = context_url
    else:
        document = {"@context": context_url, "@graph": document}
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
