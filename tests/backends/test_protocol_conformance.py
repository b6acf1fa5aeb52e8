"""The W3C SPARQL 1.1 Protocol cases against ``gbkg serve`` on a remote store.

The same cases and checks as ``tests/test_sparql_conformance.py`` (the embedded
store, in-process app), here through a real ``gbkg serve`` process over HTTP whose
``GBKG_STORE`` is an ``oxigraph serve`` or the Virtuoso ``.ci/run`` started, holding
the W3C data as named graphs. Every request of a case goes to the service's
``/sparql``; protocol datasets (``default-graph-uri``, ``named-graph-uri``) are
passed on to the triplestore, so these cases check that each server honours them.

Update cases get the read-only answer (4xx, problem+json), and the store is
unchanged after every case (its quads compared as a set, read back through the
store's own protocol). A case the remote server cannot pass goes in ``XFAIL`` with
the reason, per backend, like rdflib's ``MARK_DICT``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from shared_folder import missing_shared
from sparql_helpers import Server, build_app, load_cases, protocol_dir, w3c_quads
from test_sparql_conformance import (
    ENDPOINT,
    run_case,
    run_sd_case,
)

from gbkg.kg.remote_store import RemoteStore
from tests.backends.conftest import REMOTE_KINDS
from tests.backends.servers import TriplestoreServer, wipe

CASES = load_cases()

#: (backend kind, case id) -> mark, each with its reason. Empty: every case passes on
#: both servers (see docs/deploy.md, "SPARQL 1.1 Protocol conformance").
XFAIL: dict[tuple[str, str], pytest.MarkDecorator] = {}

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(
        CASES is None,
        reason=missing_shared("the W3C protocol conformance cases", protocol_dir() / "cases.json"),
    ),
]


def _cases(key: str) -> list[Any]:
    """Every (backend, case) pair, marked when the pair is a known failure."""
    if CASES is None:
        return [pytest.param(kind, None, id=f"{kind}-no-cases") for kind in REMOTE_KINDS]
    return [
        pytest.param(
            kind,
            case,
            id=f"{kind}-{case['id']}",
            marks=[XFAIL[(kind, case["id"])]] if (kind, case["id"]) in XFAIL else [],
        )
        for kind in REMOTE_KINDS
        for case in CASES[key]
    ]


class Service:
    """One ``gbkg serve`` on one remote store holding the W3C data."""

    def __init__(self, remote: TriplestoreServer, directory: Path) -> None:
        self.store: RemoteStore = remote.open()
        wipe(self.store)
        self.store.extend(w3c_quads())
        self.server = Server(remote.url, directory / "serve.log", **remote.env)  # type: ignore[arg-type]
        self.server.wait_ready(timeout=60)
        self.http = httpx.Client(base_url=self.server.url, timeout=60)

    def quads(self) -> set[ox.Quad]:
        return set(self.store.quads())

    def close(self) -> None:
        self.http.close()
        self.server.stop()
        self.store.close()


@pytest.fixture(scope="module")
def service(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[str], Service]]:
    """The service of a backend kind, started on first use and kept for the module."""
    started: dict[str, Service] = {}

    def get(kind: str) -> Service:
        if kind not in started:
            name = "oxigraph_server" if kind == "oxigraph" else "virtuoso"
            remote: TriplestoreServer = request.getfixturevalue(name)
            started[kind] = Service(remote, tmp_path_factory.mktemp(f"conformance-{kind}"))
        return started[kind]

    try:
        yield get
    finally:
        for one in started.values():
            one.close()


@pytest.mark.parametrize(("kind", "case"), _cases("w3c_cases"))
def test_w3c_protocol_case_on_a_remote_store(
    kind: str, case: dict[str, Any], service: Callable[[str], Service]
) -> None:
    started = service(kind)
    before = started.quads()
    run_case(started.http, case)
    assert started.quads() == before


@pytest.mark.parametrize(("kind", "case"), _cases("service_description_cases"))
def test_service_description_case_on_a_remote_store(
    kind: str, case: dict[str, Any], service: Callable[[str], Service]
) -> None:
    started = service(kind)
    run_sd_case(started.http, case, started.server.url + ENDPOINT)


DATA = "http://kasei.us/2009/09/sparql/data/"
#: (query parameters, query): answers that differ when a dataset is not honoured.
DATASET_PROBES = [
    ({"default-graph-uri": DATA + "data1.rdf"}, f"ASK {{ <{DATA}data2.rdf> a ?t }}"),
    ({"default-graph-uri": DATA + "data1.rdf"}, f"ASK {{ <{DATA}data1.rdf> a ?t }}"),
    ({"named-graph-uri": DATA + "data1.rdf"}, f"ASK {{ GRAPH ?g {{ <{DATA}data2.rdf> a ?t }} }}"),
    ({"named-graph-uri": DATA + "data1.rdf"}, f"ASK {{ <{DATA}data1.rdf> a ?t }}"),
    ({}, f"ASK FROM <{DATA}data1.rdf> {{ <{DATA}data2.rdf> a ?t }}"),
    ({}, f"ASK FROM NAMED <{DATA}data1.rdf> {{ GRAPH ?g {{ <{DATA}data2.rdf> a ?t }} }}"),
    ({}, f"SELECT ?g WHERE {{ GRAPH ?g {{ <{DATA}data2.rdf> a ?t }} }}"),
    (
        {},
        f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a ?t FILTER(STRSTARTS(STR(?s), '{DATA}')) }}",
    ),
]


def _answer(response: Any) -> object:
    assert response.status_code == 200, response.text[:300]
    body = response.json()
    return body.get("boolean", body.get("results"))


@pytest.fixture(scope="module")
def embedded_probe_answers(tmp_path_factory: pytest.TempPathFactory) -> list[object]:
    """What the embedded store (the reference) answers to each probe."""
    app, store = build_app(tmp_path_factory.mktemp("probes") / "store", w3c_quads())
    with TestClient(app) as client:
        answers = [
            _answer(client.get(ENDPOINT, params={"query": query, **params}))
            for params, query in DATASET_PROBES
        ]
    store.close()
    return answers


@pytest.mark.parametrize("kind", REMOTE_KINDS)
def test_datasets_are_honoured_like_the_embedded_store(
    kind: str, service: Callable[[str], Service], embedded_probe_answers: list[object]
) -> None:
    started = service(kind)
    answers = [
        _answer(started.http.get(ENDPOINT, params={"query": query, **params}))
        for params, query in DATASET_PROBES
    ]
    assert answers == embedded_probe_answers
    assert embedded_probe_answers[0] is False  # the probe discriminates
