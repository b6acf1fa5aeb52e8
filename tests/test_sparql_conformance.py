"""The W3C SPARQL 1.1 Protocol tests (``../shared/conformance/sparql-protocol/cases.json``).

Every case runs against the app. Cases of the ``core`` and ``optional`` tiers must
pass as written (this endpoint supports protocol datasets, so the optional tier
is held to the 2xx answers, not to the 400 a service may give instead). Cases
addressed to an update endpoint must get the read-only answer: 4xx for every
update request, and the store's quads unchanged (compared as sets); a follow-up
query that checks the update's effect must find it absent. Known failures go in
``XFAIL`` with a reason (none at present).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest
import rdflib
from fastapi.testclient import TestClient
from shared_folder import missing_shared
from sparql_helpers import build_app, load_cases, protocol_dir, quad_set, w3c_quads

CASES = load_cases()
ENDPOINT = "/sparql"
BASE_URL = "http://testserver"

#: case id -> pytest mark; each with its reason.
XFAIL: dict[str, pytest.MarkDecorator] = {}

pytestmark = pytest.mark.skipif(
    CASES is None,
    reason=missing_shared("the W3C protocol conformance cases", protocol_dir() / "cases.json"),
)


def _cases(key: str) -> list[Any]:
    if CASES is None:
        return [pytest.param(None, id="no-cases")]
    return [
        pytest.param(case, id=case["id"], marks=[XFAIL[case["id"]]] if case["id"] in XFAIL else [])
        for case in CASES[key]
    ]


def is_update_tier(case: dict[str, Any]) -> bool:
    return str(case.get("tier", "")).startswith("update")


def status_ok(status: int, accepted: list[int | str]) -> bool:
    for item in accepted:
        if isinstance(item, int) and status == item:
            return True
        if (
            isinstance(item, str)
            and re.fullmatch(r"[1-5]xx", item)
            and status // 100 == int(item[0])
        ):
            return True
    return False


def media_type(response: Any) -> str:
    return str(response.headers.get("content-type", "")).split(";")[0].strip().lower()


def parse_boolean(response: Any) -> bool:
    kind = media_type(response)
    if kind == "application/sparql-results+json":
        value = json.loads(response.content)["boolean"]
        assert isinstance(value, bool)
        return value
    assert kind == "application/sparql-results+xml", kind
    root = ElementTree.fromstring(response.content)
    node = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert node is not None and node.text in ("true", "false")
    return node.text == "true"


def parse_tabular(response: Any) -> list[Any]:
    fmt = ox.QueryResultsFormat.from_media_type(media_type(response))
    assert fmt is not None
    solutions = ox.parse_query_results(response.content, format=fmt)
    assert isinstance(solutions, ox.QuerySolutions)
    return list(solutions)


def parse_rdf(response: Any) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(data=response.content, format=media_type(response), publicID=BASE_URL + ENDPOINT)
    return graph


def send(client: Any, request: dict[str, Any]) -> Any:
    """One request of a case, through a TestClient or an httpx client."""
    body = request.get("body")
    content = body.encode(request.get("body_encoding") or "utf-8") if body is not None else None
    return client.request(
        request["method"], ENDPOINT + request["path"], content=content, headers=request["headers"]
    )


def check_expectations(response: Any, expect: dict[str, Any]) -> None:
    assert status_ok(response.status_code, expect["status"]), (
        f"status {response.status_code}, expected {expect['status']}: {response.text[:300]}"
    )
    if response.status_code >= 400:
        assert media_type(response) == "application/problem+json"
    if "content_type_any_of" in expect:
        assert media_type(response) in expect["content_type_any_of"]
    fmt = expect.get("format")
    if fmt == "boolean":
        value = parse_boolean(response)
        if "boolean" in expect:
            assert value is expect["boolean"]
    elif fmt == "tabular":
        parse_tabular(response)
    elif fmt == "RDF":
        parse_rdf(response)


@pytest.fixture(scope="module")
def case_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Any]]:
    """An app on a throw-away store holding the W3C data as named graphs.

    One store serves every case: each case must leave it unchanged, and asserts so.
    """
    app, store = build_app(tmp_path_factory.mktemp("conformance") / "store", w3c_quads())
    yield TestClient(app), store
    store.close()


def run_case(client: Any, case: dict[str, Any]) -> None:
    """Send each request of a W3C case (``client``: a TestClient or an httpx client) and
    check its answer as a read-only endpoint must give it."""
    update_tier = is_update_tier(case)
    for request in case["requests"]:
        response = send(client, request)
        if request["endpoint"] == "update":
            # the read-only answer, whatever the case expects of an update endpoint
            assert 400 <= response.status_code < 500, response.text[:300]
            assert media_type(response) == "application/problem+json"
        elif update_tier:
            # the follow-up query of an update case: the update must have had no effect
            assert 200 <= response.status_code < 300, response.text[:300]
            assert parse_boolean(response) is False
        else:
            check_expectations(response, request["expect"])


@pytest.mark.parametrize("case", _cases("w3c_cases"))
def test_w3c_protocol_case(case: dict[str, Any], case_app: tuple[TestClient, Any]) -> None:
    client, store = case_app
    before = quad_set(store)
    run_case(client, case)
    assert quad_set(store) == before


def run_sd_case(client: Any, case: dict[str, Any], endpoint_url: str) -> None:
    """Send each request of a service-description case and check the description."""
    for request in case["requests"]:
        response = send(client, request)
        check_expectations(response, request["expect"])
        fmt = ox.RdfFormat.from_media_type(media_type(response))
        assert fmt is not None
        description = ox.Store()
        description.load(response.content, format=fmt)
        ask = request["expect"].get("graph_ask")
        if ask:
            assert bool(description.query(ask.replace("{endpoint_url}", endpoint_url)))
        if case["id"] == "sd_conforms_to_schema":
            check_sd_schema(description)


@pytest.mark.parametrize("case", _cases("service_description_cases"))
def test_service_description_case(case: dict[str, Any], case_app: tuple[TestClient, Any]) -> None:
    client, _ = case_app
    run_sd_case(client, case, BASE_URL + ENDPOINT)


SD = "http://www.w3.org/ns/sparql-service-description#"


def check_sd_schema(description: ox.Store) -> None:
    """The informal check of ``sd_conforms_to_schema``."""
    services = list(description.query(f"SELECT ?s WHERE {{ ?s a <{SD}Service> }}"))
    assert len(services) == 1
    service = services[0]["s"]
    endpoints = list(description.quads_for_pattern(service, ox.NamedNode(SD + "endpoint"), None))
    assert len(endpoints) == 1
    for prop in ("supportedLanguage", "feature"):
        values = [
            q.object for q in description.quads_for_pattern(service, ox.NamedNode(SD + prop), None)
        ]
        assert values, prop
        assert all(isinstance(v, ox.NamedNode) and v.value.startswith(SD) for v in values)
    formats = [
        q.object
        for q in description.quads_for_pattern(service, ox.NamedNode(SD + "resultFormat"), None)
    ]
    assert formats
    assert all(
        isinstance(f, ox.NamedNode) and f.value.startswith("http://www.w3.org/ns/formats/")
        for f in formats
    )
    assert bool(
        description.query(
            f"ASK {{ ?s <{SD}supportedLanguage> <{SD}SPARQL11Query> ; "
            f"<{SD}defaultDataset> [ a <{SD}Dataset> ; <{SD}defaultGraph> [ a <{SD}Graph> ] ] }}"
        )
    )


def test_every_tier_is_covered() -> None:
    """The suite runs every case the file lists: a new tier name must be handled here."""
    if CASES is None:
        pytest.skip(missing_shared("the W3C protocol conformance cases", protocol_dir()))
    tiers = {str(case["tier"]) for case in CASES["w3c_cases"]}
    known = {"core", "optional", "core (both endpoints)"}
    assert {t for t in tiers if not t.startswith("update")} <= known
