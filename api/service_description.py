"""The SPARQL 1.1 Service Description of ``/sparql`` (what ``GET /sparql`` without a query returns).

>>> from gbkg.kg.sparql_formats import GraphFormat
>>> b"sd:endpoint <http://localhost/sparql>" in service_description(
...     "http://localhost/sparql", GraphFormat.TURTLE)
True
"""

from __future__ import annotations

import pyoxigraph as ox

from gbkg import __version__
from gbkg.kg.sparql_formats import GraphFormat, ResultFormat, write_graph

SD = "http://www.w3.org/ns/sparql-service-description#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
PREFIXES = {"sd": SD, "dct": DCT, "formats": "http://www.w3.org/ns/formats/"}

DESCRIPTION = (
    "Read-only SPARQL 1.1 query endpoint of gut-brain-kg, a knowledge graph of scientific "
    "claims about the gut-brain axis. The default graph is the union of all graphs; each "
    "claim lives in its own named graphs. Updates, SERVICE and FROM of graphs outside the "
    "store are refused."
)


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)


def service_description_triples(endpoint: str) -> list[ox.Triple]:
    """The description of the endpoint at ``endpoint`` as triples."""
    service, dataset = ox.BlankNode("service"), ox.BlankNode("dataset")
    default_graph = ox.BlankNode("default")
    return [
        ox.Triple(service, RDF_TYPE, _sd("Service")),
        ox.Triple(service, _sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        ox.Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
        ox.Triple(
            service,
            _sd("defaultEntailmentRegime"),
            ox.NamedNode("http://www.w3.org/ns/entailment/Simple"),
        ),
        ox.Triple(service, ox.NamedNode(DCT + "title"), ox.Literal("gut-brain-kg SPARQL endpoint")),
        ox.Triple(
            service, ox.NamedNode(DCT + "description"), ox.Literal(DESCRIPTION, language="en")
        ),
        ox.Triple(service, ox.NamedNode(DCT + "hasVersion"), ox.Literal(__version__)),
        *(
            ox.Triple(service, _sd("resultFormat"), ox.NamedNode(fmt.iri))
            for fmt in (*ResultFormat, *GraphFormat)
        ),
        ox.Triple(service, _sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _sd("Dataset")),
        ox.Triple(dataset, _sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, _sd("Graph")),
        ox.Triple(
            default_graph,
            ox.NamedNode(DCT + "description"),
            ox.Literal("The union of every graph of the store.", language="en"),
        ),
    ]


def service_description(endpoint: str, fmt: GraphFormat) -> bytes:
    """The description serialized as ``fmt``."""
    return write_graph(service_description_triples(endpoint), fmt, prefixes=PREFIXES)
