"""Pages at the resources' own URLs: a browser's Accept gets HTML, every other client
keeps its JSON, RDF and SPARQL formats (no browser needed: the app in process)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gbkg.kg.settings import Settings

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
PAIR = "subject=gbkg:probiotic&object=MONDO:0002050"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    from gbkg.api.app import create_app

    root: Path = tmp_path_factory.mktemp("negotiation")
    with TestClient(create_app(Settings(store=str(root / "store")))) as c:
        yield c


@pytest.fixture(scope="module")
def claim_path(client: TestClient) -> str:
    claim_id: str = client.get("/claims?limit=1").json()["data"][0]["id"]
    return "/claims/" + claim_id.rsplit("/", 1)[-1]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/entities/gbkg:probiotic",
        f"/evidence?{PAIR}",
        "/paths?source=gbkg:yogurt&target=MONDO:0002050",
        "/sparql",
        "/sparql?query=ASK%20%7B%7D",
    ],
)
def test_a_browser_gets_the_page(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Accept" in response.headers["vary"]
    assert "<main" in response.text


def test_a_browser_gets_the_claim_page(client: TestClient, claim_path: str) -> None:
    response = client.get(claim_path, headers={"Accept": BROWSER})
    assert response.headers["content-type"].startswith("text/html")
    assert 'id="quote"' in response.text


def test_the_source_chain_names_a_source_by_the_title_a_curator_supplied(
    client: TestClient, claim_path: str
) -> None:
    """The seed article's headline is not in its text: its curator-supplied title names
    it in the chain (not its bare id), marked as supplied."""
    text = " ".join(client.get(claim_path, headers={"Accept": BROWSER}).text.split())
    assert "<cite>News report: probiotics linked to modest improvements" in text
    assert "(title supplied by the curator)" in text


@pytest.mark.parametrize(
    ("path", "accept", "expected"),
    [
        ("/", "*/*", "application/json"),
        ("/", None, "application/json"),
        ("/entities/gbkg:probiotic", "application/json", "application/json"),
        ("/entities/gbkg:probiotic", "text/turtle", "text/turtle"),
        (f"/evidence?{PAIR}", "*/*", "application/json"),
        ("/sparql", "*/*", "text/turtle"),
        ("/sparql?query=ASK%20%7B%7D", "*/*", "application/sparql-results+json"),
        (
            "/sparql?query=ASK%20%7B%7D",
            "application/sparql-results+xml",
            "application/sparql-results+xml",
        ),
        # rdflib's SPARQLStore, SPARQLWrapper: never a page
        (
            "/sparql?query=ASK%20%7B%7D",
            "application/rdf+xml, application/sparql-results+xml",
            "application/sparql-results+xml",
        ),
        # HTML listed but preferred less than JSON: the data
        ("/entities/gbkg:probiotic", "application/json, text/html;q=0.5", "application/json"),
    ],
)
def test_other_clients_keep_their_formats(
    client: TestClient, path: str, accept: str | None, expected: str
) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    response = client.get(path, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(expected)
    assert "Accept" in response.headers["vary"]  # a cache keeps page and data apart


def test_a_claim_keeps_its_rdf_formats(client: TestClient, claim_path: str) -> None:
    for accept in ("application/ld+json", "application/trig", "text/turtle"):
        response = client.get(claim_path, headers={"Accept": accept})
        assert response.headers["content-type"].startswith(accept)


def test_a_missing_entity_is_a_page_for_a_browser_and_a_problem_for_others(
    client: TestClient,
) -> None:
    page = client.get("/entities/gbkg:no-such-thing", headers={"Accept": BROWSER})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "no entity" in page.text
    problem = client.get("/entities/gbkg:no-such-thing")
    assert problem.status_code == 404
    assert problem.headers["content-type"] == "application/problem+json"


def test_a_sparql_syntax_error_page_names_line_and_column(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": "SELECT * WHERE {\n ?s ?p \n}"}, headers={"Accept": BROWSER}
    )
    assert response.status_code == 400
    assert 'data-line="3"' in response.text and "line 3, column" in response.text


def test_static_assets_and_docs_come_from_the_package(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "cdn" not in docs.text.lower() and "https://" not in docs.text
    for path in (
        "/static/vendor/swagger-ui/swagger-ui-bundle.js",
        "/static/vendor/codemirror/codemirror.min.js",
        "/static/vendor/codemirror/LICENSE",
        "/static/vendor/swagger-ui/LICENSE",
        "/static/gbkg.css",
    ):
        assert client.get(path).status_code == 200, path


def test_no_page_loads_from_a_cdn(client: TestClient) -> None:
    assert client.get("/redoc").status_code == 404  # ReDoc would need a CDN: not served


def test_the_workbench_never_puts_the_token_in_a_url(client: TestClient) -> None:
    page = client.get("/workbench").text
    assert 'type="password"' in page
    script = client.get("/static/js/common.js").text
    assert "sessionStorage" in script and "localStorage" not in script
    assert "Authorization" in script
