"""The store contract's fixtures: one ``backend`` per store kind.

``backend`` is parametrized over the embedded store, an ``oxigraph serve`` started
here, and the Virtuoso ``.ci/run`` started; each test gets it empty but for the
ontology and the known entities (a remote store is wiped first).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from gbkg.kg.bootstrap import ensure_loaded
from gbkg.kg.store import Backend, OxigraphStore
from tests.backends.servers import (
    SKIP_VIRTUOSO,
    OxigraphServer,
    TriplestoreServer,
    virtuoso_server,
    wipe,
)

KINDS = ["embedded", "oxigraph", "virtuoso"]
REMOTE_KINDS = ["oxigraph", "virtuoso"]


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TriplestoreServer]:
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph-serve"))
    yield server.server
    server.stop()


@pytest.fixture(scope="session")
def virtuoso() -> TriplestoreServer:
    server = virtuoso_server()
    if server is None:
        if os.environ.get("GBKG_REQUIRE_VIRTUOSO"):  # .ci/run: a skip would hide a gap
            pytest.fail(SKIP_VIRTUOSO + "; GBKG_REQUIRE_VIRTUOSO is set, so this fails")
        pytest.skip(SKIP_VIRTUOSO)
    return server


@pytest.fixture
def remote_server(request: pytest.FixtureRequest) -> TriplestoreServer:
    """The server of a remote ``kind`` (``request.param``)."""
    name = "oxigraph_server" if request.param == "oxigraph" else "virtuoso"
    server: TriplestoreServer = request.getfixturevalue(name)
    return server


def open_backend(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if kind == "embedded":
        return OxigraphStore(tmp_path / "embedded")
    name = "oxigraph_server" if kind == "oxigraph" else "virtuoso"
    server: TriplestoreServer = request.getfixturevalue(name)
    store = server.open()
    wipe(store)
    return store


@pytest.fixture(params=KINDS)
def bare(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """An empty store of each kind."""
    store = open_backend(request.param, request, tmp_path)
    yield store
    store.close()


@pytest.fixture(params=KINDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """A store of each kind holding the ontology and the known entities."""
    store = open_backend(request.param, request, tmp_path)
    ensure_loaded(store, curated=False)
    yield store
    store.close()


@pytest.fixture(params=KINDS)
def curated(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """A store of each kind holding the curated claims too."""
    store = open_backend(request.param, request, tmp_path)
    ensure_loaded(store, curated=True)
    yield store
    store.close()
