"""JSON-LD with the published ``@context`` (``ontology/context.jsonld``, served at
``/context.jsonld``): documents are compacted with it, then refer to it by URL."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from rdflib import Dataset, Graph

from gbkg.kg.resources import ontology_file


@lru_cache(maxsize=1)
def context_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(ontology_file("context.jsonld").read_text("utf-8"))
    return document


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
