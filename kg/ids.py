"""CURIEs and IRIs: one converter for every identifier the project reads or writes.

>>> expand("CHEBI:28790")
rdflib.term.URIRef('http://purl.obolibrary.org/obo/CHEBI_28790')
>>> compress("http://purl.obolibrary.org/obo/CHEBI_28790")
'CHEBI:28790'
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import curies
import pyoxigraph as ox
from rdflib import URIRef

from gbkg.kg.errors import CurieError

OBO_PREFIXES = (
    "CHEBI",
    "MONDO",
    "UBERON",
    "NCBITaxon",
    "FOODON",
    "ECO",
    "RO",
    "STATO",
    "GO",
    "DOID",
    "PATO",
    "HP",
    "OBI",
    "CL",
    "PR",
    "UO",
    "NCIT",
    "OMIT",
    "IAO",
    "BFO",
    "SO",
)

PREFIX_MAP: dict[str, str] = {
    "gba": "https://w3id.org/gbkg/ontology#",
    "gbkg": "https://w3id.org/gbkg/entity/",
    "claim": "https://w3id.org/gbkg/claim/",
    "source": "https://w3id.org/gbkg/source/",
    "curator": "https://w3id.org/gbkg/curator/",
    "HGNC": "https://identifiers.org/hgnc:",
    "MESH": "https://identifiers.org/mesh:",
    "doi": "https://doi.org/",
    "biolink": "https://w3id.org/biolink/vocab/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "np": "http://www.nanopub.org/nschema#",
    "sh": "http://www.w3.org/ns/shacl#",
    **{p: f"http://purl.obolibrary.org/obo/{p}_" for p in OBO_PREFIXES},
}


@lru_cache(maxsize=1)
def converter() -> curies.Converter:
    return curies.Converter.from_prefix_map(PREFIX_MAP)


def is_iri(text: str) -> bool:
    return text.startswith(("http://", "https://", "urn:"))


def expand(identifier: str) -> URIRef:
    """A CURIE with a known prefix, or an absolute IRI, as an IRI.

    Raises :class:`~kg.errors.CurieError` naming the identifier otherwise.
    """
    text = identifier.strip()
    if is_iri(text):
        return _checked(text, identifier)
    prefix, sep, local = text.partition(":")
    if not sep or not local:
        raise CurieError(
            f"{identifier!r} is neither a CURIE (prefix:id) nor an http(s) IRI", value=identifier
        )
    iri = converter().expand(text)
    if iri is None:
        known = ", ".join(sorted(PREFIX_MAP))
        raise CurieError(
            f"{identifier!r} has an unknown prefix {prefix!r}; known prefixes: {known}",
            value=identifier,
        )
    return _checked(iri, identifier)


def _checked(iri: str, identifier: str) -> URIRef:
    """``iri`` if it is a valid IRI (RFC 3987, as Oxigraph checks it)."""
    try:
        ox.NamedNode(iri)
    except ValueError as error:
        raise CurieError(f"{identifier!r} is not a valid IRI: {error}", value=identifier) from None
    return URIRef(iri)


def try_expand(identifier: str) -> URIRef | None:
    """Like :func:`expand`, or ``None`` when the text is not an identifier."""
    try:
        return expand(identifier)
    except CurieError:
        return None


def compress(iri: str) -> str:
    """The CURIE of an IRI when a prefix covers it, else the IRI itself."""
    curie = converter().compress(str(iri))
    return curie if curie is not None else str(iri)


def normalize(identifier: str) -> str:
    """The canonical spelling of an identifier: its CURIE when one exists."""
    return compress(expand(identifier))


def digest(text: str, length: int = 32) -> str:
    """A hex SHA-256 digest prefix (the content hash used in minted IRIs)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]
