"""``/sparql`` on a remote store: the same checks, negotiation and caps as on the embedded one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from gbkg.api.app import create_app
from gbkg.kg.bootstrap import ensure_loaded
from gbkg.kg.settings import Settings
from gbkg.kg.store import OxigraphStore
from tests.backends.conftest import REMOTE_KINDS
from tests.backends.servers import TriplestoreServer, wipe
from tests.sparql_helpers import loopback_listener, numbers


@pytest.fixture(params=REMOTE_KINDS)
def client(request: pytest.FixtureRequest) -> Iterator[TestClient]:
    name = "oxigraph_server" if request.param == "oxigraph" else "virtuoso"
    remote: TriplestoreServer = request.getfixturevalue(name)
    store = remote.open()
    wipe(store)
    ensure_loaded(store, curated=True)
    store.extend(numbers(30))
    store.close()
    settings = remote.settings(max_results=5, query_timeout_s=5)
    with TestClient(create_app(settings)) as c:
        yield c


def test_select_is_capped_and_marked(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": "SELECT ?s WHERE { ?s <http://example.org/value> ?v }"}
    )
    assert response.status_code == 200
    assert len(response.json()["results"]["bindings"]) == 5
    assert response.headers["X-GBKG-Truncated"] == "true"


def test_content_negotiation_and_construct(client: TestClient) -> None:
    query = (
        "CONSTRUCT { ?s <http://example.org/value> ?v } WHERE { ?s <http://example.org/value> ?v }"
    )
    response = client.get("/sparql", params={"query": query}, headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "text/turtle"
    )
    csv = client.get(
        "/sparql",
        params={
            "query": "SELECT ?v WHERE { <http://example.org/n1> <http://example.org/value> ?v }"
        },
        headers={"Accept": "text/csv"},
    )
    assert csv.text.splitlines() == ["v", "1"]


def test_updates_and_service_are_refused_before_the_server_sees_them(client: TestClient) -> None:
    assert client.post("/sparql", data={"update": "CLEAR ALL"}).status_code == 400
    with loopback_listener() as listener:
        query = f"SELECT * {{ SERVICE <{listener.base}/sparql> {{ ?s ?p ?o }} }}"
        assert client.get("/sparql", params={"query": query}).status_code == 400
        assert listener.seen_so_far() == []
    health = client.get("/health").json()
    assert health["claims"] > 0 and health["backend"].startswith("sparql:")


def test_a_syntax_error_is_a_400(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_query_past_the_time_limit_is_a_503(client: TestClient) -> None:
    """The server stops it (Virtuoso: the per-request ``timeout`` from
    ``GBKG_QUERY_TIMEOUT_S``; oxigraph serve: its ``--timeout-s``, 3 s here) and the
    service answers 503, never the partial rows either server sends."""
    value = "<http://example.org/value>"
    patterns = " . ".join(f"?s{i} {value} ?v{i}" for i in range(6))
    total = " + ".join(f"?v{i}" for i in range(6))
    query = f"SELECT * WHERE {{ {patterns} FILTER({total} = -1) }}"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 503, response.text[:300]
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "limit" in response.json()["detail"]


@pytest.fixture(scope="module")
def embedded_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The reference: the embedded store holding the same data."""
    path = tmp_path_factory.mktemp("reference") / "store"
    store = OxigraphStore(path)
    ensure_loaded(store, curated=True)
    store.extend(numbers(30))
    settings = Settings(store=str(path), max_results=5, query_timeout_s=5)
    with TestClient(create_app(settings, store=store)) as c:
        yield c
    store.close()


@pytest.mark.parametrize(
    "path",
    [
        "/evidence?subject=gbkg:probiotic&object=MONDO:0002050",
        "/evidence?subject=gbkg:probiotic&object=HGNC:6018&include_retracted=true",
        "/paths?source=gbkg:probiotic&target=MONDO:0002050",
        "/entities/gbkg:probiotic",
        "/claims?entity=MONDO:0002050",
        "/queries/null-results",
    ],
)
def test_answers_from_the_claim_graph_and_the_store_are_the_embedded_ones(
    client: TestClient, embedded_client: TestClient, path: str
) -> None:
    remote = client.get(path, headers={"Accept": "application/json"})
    reference = embedded_client.get(path, headers={"Accept": "application/json"})
    assert remote.status_code == reference.status_code == 200, remote.text[:300]
    assert remote.json() == reference.json()
