"""The claim record in RDF: one layout table, and the writer and reader derived from it.

- :mod:`.layout`: the table (nodes, fields, the enumerations' IRIs, the shared records);
- :mod:`.terms`: how a field's value becomes an RDF term and back (its :class:`~.layout.Kind`);
- :mod:`.writer`: a claim as the quads of its four named graphs (and the shared ones);
- :mod:`.reader`: quads back as claim records, closed: a triple no field maps is named.

The validation's field names (:mod:`kg.validation`), the projection's column paths
(:mod:`kg.projection`) and the JSON-LD context (``ontology/context.jsonld``) are derived
from the same table; ``tests/test_layout.py`` checks the internal queries against it.
"""
