"""``POST /suggest``: curators only, JSON in, candidates out, problem+json for bad input."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gbkg.kg.settings import Settings
from tests.conftest import CURATOR_TOKEN

PROBLEM = "application/problem+json"
NG = json.loads((Path(__file__).parent / "gold" / "ng2018.json").read_text(encoding="utf-8"))


def quads(client: TestClient) -> set[str]:
    return set(map(str, client.app.state.services.store.quads()))  # type: ignore[attr-defined]


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["detail"]
    return body


def test_candidates_with_reasons_and_validation(client: TestClient, auth: dict[str, str]) -> None:
    before = quads(client)
    response = client.post(
        "/suggest", json={"text": NG["text"], "source": NG["source"]}, headers=auth
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == 1 and body["sentences"] == 2
    (candidate,) = body["candidates"]
    claim = candidate["claim"]
    assert claim["finding"] == "null"
    assert claim["statistics"]["p_value"] == 0.059
    assert (
        claim["quote"]
        == NG["text"][claim["quote_position"]["start"] : claim["quote_position"]["end"]]
    )
    assert candidate["validation"] == {"conforms": True, "violations": []}
    assert {r["field"] for r in candidate["reasons"]} >= {
        "subject",
        "object",
        "predicate",
        "finding",
        "hedged",
    }
    assert claim["comparator"] == "placebo"
    assert any(m["id"] == "gbkg:mood" for m in body["mentions"])
    assert quads(client) == before, "nothing is stored"
    stored = client.post("/claims", json=claim, headers=auth)
    assert stored.status_code == 201, "a candidate is a claim a curator can post as it is"


def test_validation_can_be_skipped(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post("/suggest", json={"text": NG["text"], "validate": False}, headers=auth)
    assert response.status_code == 200
    assert "validation" not in response.json()["candidates"][0]


def test_a_candidate_without_a_source_says_so(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post("/suggest", json={"text": NG["text"]}, headers=auth)
    (candidate,) = response.json()["candidates"]
    assert candidate["validation"]["conforms"] is False
    assert [v["field"] for v in candidate["validation"]["violations"]] == ["source"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}])
def test_curators_only(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post("/suggest", json={"text": NG["text"]}, headers=headers)
    problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"text": ""}, 422, "text"),
        ({}, 422, "text"),
        ({"text": "x", "source": {"title": "T", "type": "blog"}}, 422, "source.type"),
        ({"text": "x", "sorce": {}}, 422, "sorce"),
        ({"text": "   "}, 400, "text"),
        ([1, 2], 422, "invalid"),
    ],
)
def test_bad_bodies(
    client: TestClient, auth: dict[str, str], body: Any, status: int, words: str
) -> None:
    assert words in json.dumps(problem(client.post("/suggest", json=body, headers=auth), status))


def test_not_json(client: TestClient, auth: dict[str, str]) -> None:
    problem(
        client.post(
            "/suggest", content=b"{not json", headers={**auth, "Content-Type": "application/json"}
        ),
        400,
    )
    problem(
        client.post("/suggest", content=b"text", headers={**auth, "Content-Type": "text/plain"}),
        415,
    )
    problem(
        client.post(
            "/suggest", content=b"\xff\xfe", headers={**auth, "Content-Type": "application/json"}
        ),
        400,
    )


@pytest.fixture
def small(tmp_path: Path) -> Iterator[TestClient]:
    from gbkg.api.app import create_app

    settings = Settings(
        store=str(tmp_path / "small"), max_body_bytes=2000, curator_tokens=f"alice:{CURATOR_TOKEN}"
    )  # type: ignore[arg-type]
    with TestClient(create_app(settings)) as c:
        yield c


def test_body_limit(small: TestClient, auth: dict[str, str]) -> None:
    problem(small.post("/suggest", json={"text": "probiotics " * 300}, headers=auth), 413)
    assert small.post("/suggest", json={"text": NG["text"]}, headers=auth).status_code == 200


def test_the_route_is_documented(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    route = spec["paths"]["/suggest"]["post"]
    assert set(route["responses"]) >= {"200", "401", "413", "415", "422"}
    assert "text" in json.dumps(route["requestBody"])
