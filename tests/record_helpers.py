"""Claims as tests handle them: as rdflib datasets (to compare as graphs, to validate
fixtures), and the curated claims as records."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef

from gbkg.kg.bootstrap import curated_quads
from gbkg.kg.ids import bind_prefixes
from gbkg.kg.model import Claim, ClaimIn
from gbkg.kg.record.form import claim_from_decoded
from gbkg.kg.record.reader import decode_claims
from gbkg.kg.record.writer import claim_quads
from gbkg.kg.shacl import Data, run_shapes
from gbkg.kg.terms import quads_dataset
from gbkg.kg.validation import shapes_graph
from gbkg.kg.violations import ValidationReport


def claim_dataset(claim: ClaimIn) -> Dataset:
    """The quads the writer makes of ``claim``, as an rdflib dataset."""
    return quads_dataset(claim_quads(claim), bind_prefixes(Dataset()))


def claims_in(quads: list[ox.Quad]) -> list[Claim]:
    """Every claim of some quads, as stored records (with their server fields)."""
    decoded, stray = decode_claims(quads)
    assert not stray, stray
    return [claim_from_decoded(d, Claim) for d in decoded]


def curated_claims() -> list[Claim]:
    return claims_in(list(curated_quads()))


def graph_copy(dataset: Dataset, name: str) -> Graph:
    """One named graph as a standalone graph (isomorphism on a dataset's view is unreliable)."""
    copy = Graph()
    for triple in dataset.graph(URIRef(name)):
        copy.add(triple)
    assert len(copy), f"no graph {name}"
    return copy


def validate_graph(data: Data, *, reference: Data) -> ValidationReport:
    """``data`` (all its graphs, as one) validated with ``reference`` merged in (the
    fixtures: RDF files validated as they are, the reference given by the test)."""
    return run_shapes([data, reference], shapes_graph())
