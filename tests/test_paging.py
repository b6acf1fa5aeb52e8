"""No whole-store work on request paths: the store yields, ``/export`` streams, ``GET /claims``
is paged by the store, an entity's page reads no claim from the store.

Each test was written for a finding of the "one path for each thing" issue:
``Backend.quads()`` returned a list; ``/export`` loaded the whole store (and built an
rdflib dataset of it for JSON-LD); an unfiltered ``GET /claims`` built and sorted every
claim IRI for each page; an entity page read all its claims one by one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from gbkg.kg import entities
from gbkg.kg.analytics import ClaimGraph
from gbkg.kg.bootstrap import ensure_loaded
from gbkg.kg.curation import ClaimService
from gbkg.kg.io import rdf_chunks
from gbkg.kg.store import OxigraphStore


class CountingStore(OxigraphStore):
    """The embedded store, recording the graphs it is asked to read whole."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.graphs_read: list[object] = []
        self.pages: list[dict[str, Any]] = []

    def quads(self, graph: Any = None) -> Iterator[ox.Quad]:
        self.graphs_read.append(graph)
        return super().quads(graph)

    def claim_page(self, **kwargs: Any) -> tuple[list[str], int]:
        self.pages.append(kwargs)
        return super().claim_page(**kwargs)


@pytest.fixture
def counting(tmp_path: Path) -> Iterator[CountingStore]:
    store = CountingStore(tmp_path / "store")
    ensure_loaded(store)
    yield store
    store.close()


def test_the_store_yields_its_quads(counting: CountingStore) -> None:
    quads = counting.quads()
    assert not isinstance(quads, list | tuple)
    assert isinstance(next(quads), ox.Quad)


def test_an_unfiltered_listing_is_paged_by_the_store(counting: CountingStore) -> None:
    service = ClaimService(counting)
    everything = service.find(limit=1000)
    assert counting.pages == [{"offset": 0, "limit": 1000, "include_retracted": False}]
    page = service.find(limit=5, offset=5)
    assert [c.id for c in page.claims] == [c.id for c in everything.claims[5:10]]
    assert page.count == everything.count == len(everything.claims) >= 20
    retracted = everything.claims[0].iri
    service.retract(retracted, reason="a test", curator="tester")
    active = service.find(limit=1000)
    assert active.count == everything.count - 1
    assert retracted not in {c.iri for c in active.claims}
    both = service.find(limit=1000, include_retracted=True)
    assert both.count == everything.count and retracted in {c.iri for c in both.claims}
    assert service.find(limit=10, offset=both.count).claims == []


def test_an_entity_page_reads_no_claim_from_the_store(counting: CountingStore) -> None:
    graph = ClaimGraph.from_store(counting)
    counting.graphs_read.clear()
    detail = entities.get(counting, "gbkg:probiotic", graph)
    assert len(detail.as_subject) + len(detail.as_object) >= 10
    assert counting.graphs_read == [], "the claims come from the claim graph in memory"
    assert detail.evidence.claims == len(detail.as_subject) + len(detail.as_object)


def test_the_export_streams_in_pieces(counting: CountingStore) -> None:
    pieces = list(rdf_chunks(counting.quads, ox.RdfFormat.N_QUADS))
    assert len(pieces) > 2, "written as the quads come, not at once"
    assert all(len(piece) <= 2 * 65536 for piece in pieces)
    text = b"".join(pieces)
    assert len(list(ox.parse(text, format=ox.RdfFormat.N_QUADS))) == counting.triple_count()


def test_a_reader_that_leaves_stops_the_writer(counting: CountingStore) -> None:
    import threading

    stream = rdf_chunks(counting.quads, ox.RdfFormat.TURTLE)
    next(stream)
    stream.close()
    assert not [t for t in threading.enumerate() if t.name == "rdf-writer"]


def test_http_export_streams(client: TestClient) -> None:
    with client.stream("GET", "/export", params={"format": "nquads"}) as response:
        assert response.status_code == 200
        assert response.headers["content-disposition"] == 'attachment; filename="gbkg.nq"'
        assert "content-length" not in response.headers
        chunks = list(response.iter_raw())
    assert len(chunks) > 1
