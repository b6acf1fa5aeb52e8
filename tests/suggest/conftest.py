"""Fixtures of the curation assistant's tests: a reference store, its index, a suggester."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gbkg.kg.bootstrap import ensure_loaded
from gbkg.kg.store import OxigraphStore
from gbkg.kg.suggest.engine import Suggester
from gbkg.kg.suggest.linking import EntityIndex


@pytest.fixture(scope="module")
def reference() -> Iterator[OxigraphStore]:
    """An in-memory store with the ontology and the known entities (read only here)."""
    store = OxigraphStore(None)
    ensure_loaded(store, curated=False)
    yield store
    store.close()


@pytest.fixture(scope="module")
def index(reference: OxigraphStore) -> EntityIndex:
    return EntityIndex.from_store(reference)


@pytest.fixture(scope="module")
def suggester(reference: OxigraphStore) -> Suggester:
    return Suggester(reference)
