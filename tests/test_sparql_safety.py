"""``/sparql`` is read-only, never reaches the network, and bounds time and size.

- updates, in every encoding the protocol has and a few it does not, get 4xx
  and the store's quads stay the same set;
- SERVICE, FROM / FROM NAMED of a remote IRI and LOAD aimed at a listener on
  127.0.0.1 are refused and the listener receives no connection;
- a slow query gets a 503 problem at the time limit while ``/health`` keeps
  answering, and the worker process evaluating it is killed (a long single step
  inside Oxigraph too); in-process evaluation (in-memory stores) checks the
  deadline between rows; a full queue times out at the deadline;
- past ``max_results`` the answer is cut and ``X-GBKG-Truncated: true`` says so.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from sparql_helpers import (
    VALUE,
    LoopbackListener,
    build_app,
    eventually,
    loopback_listener,
    numbers,
    pid_gone,
    quad_set,
    w3c_quads,
)

from gbkg.kg.errors import ForbiddenQueryError, QueryError, QueryOverloadError, QueryTimeoutError
from gbkg.kg.query_admission import Admission
from gbkg.kg.query_runner import QueryRunner
from gbkg.kg.sparql import QueryJob
from gbkg.kg.sparql_analysis import (
    MAX_NESTING,
    check_shape,
    classify,
    inspect_query,
    nesting_depth,
)
from gbkg.kg.sparql_formats import ResultFormat
from gbkg.kg.store import OxigraphStore

EX = "http://example.org/"


@pytest.fixture(scope="module")
def app_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Any]]:
    """One app for the refusal tests: each asserts the store is left unchanged."""
    app, store = build_app(tmp_path_factory.mktemp("safety") / "store", w3c_quads())
    yield TestClient(app), store
    store.close()


@pytest.fixture
def listener(network_trap: LoopbackListener) -> LoopbackListener:
    """The session's network trap (``tests/conftest.py``): it must receive nothing."""
    return network_trap


def problem(response: Any, status_class: int = 4) -> dict[str, Any]:
    assert response.status_code // 100 == status_class, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == response.status_code and body["detail"]
    return body


# --- read-only ----------------------------------------------------------------

UPDATES = [
    "CLEAR ALL",
    "DROP ALL",
    "clear default",
    f"INSERT DATA {{ <{EX}s> <{EX}p> <{EX}o> }}",
    f"insert data {{ graph <{EX}g> {{ <{EX}s> <{EX}p> <{EX}o> }} }}",
    "DELETE WHERE { ?s ?p ?o }",
    f"# a comment\nPREFIX ex: <{EX}>\nBASE <{EX}>\nDELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
    f"WITH <{EX}g> DELETE {{ ?s ?p ?o }} INSERT {{ ?s ?p 1 }} WHERE {{ ?s ?p ?o }}",
    f"CREATE GRAPH <{EX}new>",
    f"COPY DEFAULT TO <{EX}g>",
    f"MOVE <{EX}a> TO <{EX}b>",
    f"ADD <{EX}a> TO <{EX}b>",
    "LOAD <http://127.0.0.1:9/data.ttl>",
    f"SELECT * {{ }} ; INSERT DATA {{ <{EX}s> <{EX}p> <{EX}o> }}",
    f"ASK {{}} INSERT DATA {{ <{EX}s> <{EX}p> <{EX}o> }}",
]


def update_requests(update: str) -> list[dict[str, Any]]:
    """Every way to send ``update`` to the endpoint."""
    return [
        {"method": "GET", "url": "/sparql", "params": {"update": update}},
        {"method": "GET", "url": "/sparql", "params": {"query": update}},
        {"method": "POST", "url": "/sparql", "data": {"update": update}},
        {"method": "POST", "url": "/sparql", "data": {"query": update}},
        {
            "method": "POST",
            "url": "/sparql",
            "content": update.encode(),
            "headers": {"Content-Type": "application/sparql-update"},
        },
        {
            "method": "POST",
            "url": "/sparql",
            "content": update.encode(),
            "headers": {"Content-Type": "application/sparql-query"},
        },
        {
            "method": "POST",
            "url": "/sparql",
            "params": {"update": update},
            "content": b"ASK {}",
            "headers": {"Content-Type": "application/sparql-query"},
        },
        {
            "method": "POST",
            "url": "/sparql",
            "data": {"query": "ASK {}", "update": update},
        },
        {"method": "POST", "url": "/sparql", "content": update.encode()},
        {
            "method": "POST",
            "url": "/sparql",
            "content": update.encode(),
            "headers": {"Content-Type": "text/plain"},
        },
    ]


@pytest.mark.parametrize("update", UPDATES)
def test_updates_in_every_encoding_are_refused(
    update: str, app_store: tuple[TestClient, Any], listener: LoopbackListener
) -> None:
    client, store = app_store
    update = update.replace("127.0.0.1:9", f"127.0.0.1:{listener.port}")
    before = quad_set(store)
    for request in update_requests(update):
        response = client.request(**request)
        problem(response)
    assert quad_set(store) == before
    assert listener.seen_so_far() == []


def test_using_graph_parameters_are_refused(app_store: tuple[TestClient, Any]) -> None:
    client, _ = app_store
    response = client.post(
        "/sparql?using-graph-uri=http%3A%2F%2Fexample.org%2Fg",
        content=b"ASK {}",
        headers={"Content-Type": "application/sparql-query"},
    )
    problem(response)


@pytest.mark.parametrize(
    "text",
    ["INSERT DATA {}", "  # c\n prefix a: <http://a/>\n\tload <http://x>", "Drop Silent Graph <g>"],
)
def test_classify_refuses_updates(text: str) -> None:
    with pytest.raises(ForbiddenQueryError):
        classify(text)


# --- the network ----------------------------------------------------------------

REMOTE_QUERIES = [
    "SELECT * WHERE { SERVICE <{base}/sparql> { ?s ?p ?o } }",
    "select * where { service silent <{base}/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { VALUES ?svc { <{base}/sparql> } SERVICE ?svc { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <{base}/sparql> { ?s ?p ?x } } }",
    "ASK { FILTER EXISTS { SERVICE <{base}/sparql> { ?s ?p ?o } } }",
    "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <{base}/sparql> { ?s ?p ?o } } } }",
    "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <{base}/sparql> { ?s ?p ?o } }",
    "PREFIX remote: <{base}/>\nSELECT * WHERE { SERVICE remote:sparql { ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053ERVICE <{base}/sparql> { ?s ?p ?o } }",
    # rdflib cannot read this one, so the mention of SERVICE alone refuses it
    "SELECT * WHERE { SERVICE <{base}/sparql> { ?s ?p ?o } ",
    "SELECT * FROM <{base}/graph> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <{base}/graph> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "BASE <{base}/> SELECT * FROM <graph> WHERE { ?s ?p ?o }",
    "DESCRIBE <{base}/thing> FROM <{base}/graph>",
]


@pytest.mark.parametrize("template", REMOTE_QUERIES)
def test_remote_data_is_never_fetched(
    template: str, app_store: tuple[TestClient, Any], listener: LoopbackListener
) -> None:
    client, _ = app_store
    query = template.replace("{base}", listener.base)
    for response in (
        client.get("/sparql", params={"query": query}),
        client.post("/sparql", data={"query": query}),
        client.post(
            "/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"}
        ),
    ):
        problem(response)
    time.sleep(0.05)
    assert listener.seen_so_far() == []


def test_protocol_dataset_naming_a_remote_graph_stays_local(
    app_store: tuple[TestClient, Any], listener: LoopbackListener
) -> None:
    """``default-graph-uri`` only selects graphs of the store: an unknown one is empty."""
    client, _ = app_store
    response = client.get(
        "/sparql",
        params={"query": "ASK { ?s ?p ?o }", "default-graph-uri": listener.base + "/graph"},
    )
    assert response.status_code == 200
    assert response.json()["boolean"] is False
    assert listener.seen_so_far() == []


def test_the_listener_would_see_a_connection() -> None:
    """The control: Oxigraph itself does call SERVICE endpoints, and a listener sees it
    (a listener of its own: the session's trap must receive nothing)."""
    with loopback_listener() as listener:
        with pytest.raises(OSError):
            query = f"SELECT * WHERE {{ SERVICE <{listener.base}/x> {{ ?s ?p ?o }} }}"
            list(ox.Store().query(query))
        assert eventually(lambda: bool(listener.connections), within_s=10)


def test_from_a_graph_of_the_store_is_allowed(app_store: tuple[TestClient, Any]) -> None:
    client, _ = app_store
    graph = "http://kasei.us/2009/09/sparql/data/data1.rdf"
    query = f"SELECT ?s FROM <{graph}> WHERE {{ ?s ?p ?o }}"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200
    rows = response.json()["results"]["bindings"]
    assert [r["s"]["value"] for r in rows] == [graph]
    named = f"SELECT ?g FROM NAMED <{graph}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    rows = client.get("/sparql", params={"query": named}).json()["results"]["bindings"]
    assert [r["g"]["value"] for r in rows] == [graph]


def test_service_in_a_string_or_a_name_is_not_refused(app_store: tuple[TestClient, Any]) -> None:
    client, _ = app_store
    query = (
        "PREFIX service: <http://example.org/service#>\n"
        'SELECT ?x WHERE { BIND("SERVICE <http://x> {}" AS ?x) FILTER(?x != service:from) }'
    )
    assert client.get("/sparql", params={"query": query}).status_code == 200
    assert inspect_query(query).from_graphs == ()


# --- time limit -----------------------------------------------------------------

P = VALUE


#: Rows arrive steadily from an 8-billion-triple cross product: never done in time.
STEADY = (
    f"SELECT ?a ?b WHERE {{ ?a <{P.value}> ?x . ?b <{P.value}> ?y . ?c <{P.value}> ?z "
    "FILTER(ABS(?x - ?y) + ABS(?y - ?z) < 2) }"
)
#: One row at the very end: a single step of Oxigraph that cannot be interrupted.
BLOCKING = (
    f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a <{P.value}> ?x . ?b <{P.value}> ?y . "
    f"?c <{P.value}> ?z FILTER(?x + ?y + ?z < 0) }}"
)


@pytest.fixture(scope="module")
def slow_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, QueryRunner]]:
    app, store = build_app(
        tmp_path_factory.mktemp("slow") / "store",
        numbers(2000),
        query_timeout_s=0.8,
        max_results=1_000_000,
    )
    runner: QueryRunner = app.state.services.query_runner
    yield TestClient(app), runner
    runner.close()
    store.close()


def test_slow_query_times_out_while_health_answers(
    slow_app: tuple[TestClient, QueryRunner],
) -> None:
    client, runner = slow_app
    answers: dict[str, Any] = {}

    def slow() -> None:
        answers["slow"] = client.get("/sparql", params={"query": STEADY})

    thread = threading.Thread(target=slow)
    thread.start()
    deadline = time.monotonic() + 5
    while runner.running == 0 and time.monotonic() < deadline:
        time.sleep(0.005)
    assert runner.running == 1
    health = client.get("/health")
    assert health.status_code == 200
    thread.join(timeout=30)
    body = problem(answers["slow"], 5)
    assert answers["slow"].status_code == 503
    assert "0.8" in body["detail"]
    # the worker process was killed at the deadline, and the slot is free again
    assert runner.pool is not None
    stopped = [w.last_stop for w in runner.pool.workers if w.last_stop is not None]
    assert stopped and "time limit" in stopped[-1].reason
    assert pid_gone(stopped[-1].pid)
    assert eventually(lambda: runner.running == 0)


def test_a_blocking_step_is_stopped_at_the_deadline(
    slow_app: tuple[TestClient, QueryRunner],
) -> None:
    """One long step inside Oxigraph (no row until the end) is stopped too: the
    process evaluating it is killed, not abandoned."""
    client, runner = slow_app
    response = client.get("/sparql", params={"query": BLOCKING})
    assert response.status_code == 503
    assert runner.pool is not None
    stopped = [w.last_stop for w in runner.pool.workers if w.last_stop is not None]
    assert any(pid_gone(s.pid) for s in stopped)
    assert eventually(lambda: runner.running == 0)
    # a fresh worker answers the next query
    assert client.get("/sparql", params={"query": "ASK {}"}).json()["boolean"] is True


def test_in_process_queries_time_out_too(tmp_path: Path) -> None:
    """An in-memory store has no worker processes: the deadline is checked between rows."""
    store = OxigraphStore(None)
    store.extend(numbers(2000))
    runner = QueryRunner(store, workers=1, timeout_s=0.3, max_results=1_000_000)
    assert not runner.isolated
    job = QueryJob(STEADY, ResultFormat.JSON)

    async def scenario() -> None:
        with pytest.raises(QueryTimeoutError):
            await runner.run(job, client="a")

    try:
        asyncio.run(scenario())
        assert runner.wait_idle(5)
        assert runner.running == 0
    finally:
        store.close()


def test_busy_workers_time_out_the_queue() -> None:
    """With every slot busy, a query waits for one only until its own deadline."""
    admission = Admission(slots=1, client_limit=1, client_queue=4, queue=4, retry_after_s=0.3)

    async def scenario() -> None:
        await admission.acquire("a", time.monotonic() + 1)
        with pytest.raises(QueryTimeoutError):
            await admission.acquire("b", time.monotonic() + 0.2)
        assert admission.waiting == 0
        admission.release("a")
        await admission.acquire("b", time.monotonic() + 1)
        assert admission.running == 1

    asyncio.run(scenario())


# --- result cap -----------------------------------------------------------------


@pytest.fixture(scope="module")
def capped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    app, store = build_app(tmp_path_factory.mktemp("capped") / "store", numbers(10), max_results=5)
    yield TestClient(app)
    store.close()


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/csv"])
def test_select_past_the_cap_is_truncated(capped: TestClient, accept: str) -> None:
    query = f"SELECT ?s WHERE {{ ?s <{P.value}> ?o }}"
    response = capped.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["X-GBKG-Truncated"] == "true"
    assert response.headers["X-GBKG-Result-Limit"] == "5"
    if accept == "text/csv":
        assert len(response.text.strip().splitlines()) == 6
    else:
        body = response.json()
        assert set(body) == {"head", "results"}  # nothing non-standard in the body
        assert len(body["results"]["bindings"]) == 5


def test_construct_past_the_cap_is_truncated(capped: TestClient) -> None:
    response = capped.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert response.headers["X-GBKG-Truncated"] == "true"
    graph = ox.parse(response.content, format=ox.RdfFormat.TURTLE)
    assert len(list(graph)) == 5


def test_exactly_the_cap_is_not_truncated(capped: TestClient) -> None:
    query = f"SELECT ?s WHERE {{ ?s <{P.value}> ?o }} LIMIT 5"
    response = capped.get("/sparql", params={"query": query})
    assert "X-GBKG-Truncated" not in response.headers
    assert len(response.json()["results"]["bindings"]) == 5


# --- request hygiene ------------------------------------------------------------


def test_body_past_the_limit_is_413(tmp_path: Path) -> None:
    app, store = build_app(tmp_path / "store", numbers(1), max_body_bytes=1000)
    try:
        client = TestClient(app)
        query = "ASK {}" + " " * 2000
        response = client.post(
            "/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"}
        )
        assert problem(response)["status"] == 413
    finally:
        store.close()


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"method": "GET", "url": "/sparql", "params": [("query", "ASK {}"), ("query", "ASK {}")]},
        {"method": "POST", "url": "/sparql?query=ASK%20%7B%7D", "data": {"query": "ASK {}"}},
        {"method": "POST", "url": "/sparql", "data": {"default-graph-uri": EX}},
        {"method": "GET", "url": "/sparql", "params": {"query": "  "}},
        {
            "method": "GET",
            "url": "/sparql",
            "params": {"query": "ASK {}", "default-graph-uri": "not an iri"},
        },
        {
            "method": "POST",
            "url": "/sparql",
            "content": b"ASK {} \xff",
            "headers": {"Content-Type": "application/sparql-query"},
        },
        {
            "method": "POST",
            "url": "/sparql",
            "content": b"query=ASK%20%7B%7D%FF",
            "headers": {"Content-Type": "application/x-www-form-urlencoded"},
        },
        {
            "method": "POST",
            "url": "/sparql",
            "content": b"ASK {}",
            "headers": {"Content-Type": "application/sparql-query; charset=ISO-8859-1"},
        },
        {"method": "PUT", "url": "/sparql", "params": {"query": "ASK {}"}},
        {"method": "DELETE", "url": "/sparql"},
        {"method": "GET", "url": "/sparql", "params": {"query": "SELECT * { ?s ?p ?o "}},
        {"method": "GET", "url": "/sparql", "params": {"query": "PREFIX : <x> JUNK"}},
    ],
)
def test_bad_requests_are_4xx_problems(
    app_store: tuple[TestClient, Any], request_kwargs: dict[str, Any]
) -> None:
    client, _ = app_store
    problem(client.request(**request_kwargs))


# --- shape pre-checks -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("SELECT * { ?s ?p ?o }", 1),
        ('SELECT * { ?s ?p "{{{((([[[" }', 1),
        ("SELECT * { ?s ?p '''{{{\n((('''' }", 1),
        ('SELECT * { ?s ?p """a"b""{{{""" }', 1),
        ("SELECT * { ?s <http://e/a#b> ?o } # {{{{{{\n", 1),
        ("SELECT * { ?s ?p ?o FILTER(?o < 3 && (?o > 1)) }", 3),
        ("SELECT * { ?s ?p << <a> <b> << <c> <d> <e> >> >> }", 3),
        ("SELECT * { ?s ?p ?o # comment ended by CR\r{ { } } }", 3),
        ('SELECT * { ?s ?p "unterminated {{{{', 1),
    ],
)
def test_nesting_depth_skips_strings_iris_and_comments(text: str, depth: int) -> None:
    assert nesting_depth(text) == depth


def test_shape_check_names_the_depth_and_the_limit() -> None:
    deep = "SELECT * WHERE " + "{" * (MAX_NESTING + 1) + "}" * (MAX_NESTING + 1)
    with pytest.raises(QueryError, match=f"{MAX_NESTING + 1} levels deep; the limit is 256"):
        check_shape(deep, max_bytes=100_000)
    check_shape("SELECT * WHERE " + "{" * MAX_NESTING + "}" * MAX_NESTING, max_bytes=100_000)
    escaped = "SELECT * WHERE " + "\\u007B" * 300 + "}" * 300
    with pytest.raises(QueryError, match="300 levels deep"):
        check_shape(escaped, max_bytes=100_000)
    with pytest.raises(QueryError, match="the limit is 1,000 bytes"):
        check_shape("ASK {}" + " " * 1000, max_bytes=1000)


def test_the_service_check_reads_a_carriage_return_as_a_line_break() -> None:
    """rdflib ends a comment only at "\\n", Oxigraph also at "\\r": the check must not
    take a SERVICE after a CR for part of the comment."""
    query = "SELECT * WHERE { ?a ?b ?c # x\rSERVICE <http://127.0.0.1:9/x> { ?s ?p ?o }\n}"
    with pytest.raises(ForbiddenQueryError, match="SERVICE"):
        inspect_query(query)


# --- fair queue -----------------------------------------------------------------


def test_freed_slots_go_to_clients_in_turn() -> None:
    """Client a queued three queries before b queued one: b is served second, not fourth."""
    admission = Admission(slots=1, client_limit=1, client_queue=8, queue=8, retry_after_s=5)
    order: list[str] = []

    async def query(client: str) -> None:
        await admission.acquire(client, time.monotonic() + 5)
        order.append(client)
        await asyncio.sleep(0.01)
        admission.release(client)

    async def scenario() -> None:
        await admission.acquire("a", time.monotonic() + 5)  # the slot is busy
        waiting = [asyncio.ensure_future(query(c)) for c in ("a", "a", "a", "b")]
        await asyncio.sleep(0.05)
        assert admission.waiting == 4
        admission.release("a")
        await asyncio.gather(*waiting)

    asyncio.run(scenario())
    assert order == ["a", "b", "a", "a"]


def test_a_full_queue_is_refused_at_once() -> None:
    admission = Admission(slots=1, client_limit=1, client_queue=1, queue=2, retry_after_s=2.5)

    async def scenario() -> None:
        await admission.acquire("a", time.monotonic() + 5)
        queued = asyncio.ensure_future(admission.acquire("a", time.monotonic() + 5))
        await asyncio.sleep(0.01)
        with pytest.raises(QueryOverloadError, match="GBKG_QUERY_CLIENT_QUEUE") as refused:
            await admission.acquire("a", time.monotonic() + 5)
        assert refused.value.retry_after == 3
        other = asyncio.ensure_future(admission.acquire("b", time.monotonic() + 5))
        await asyncio.sleep(0.01)
        with pytest.raises(QueryOverloadError, match="GBKG_QUERY_QUEUE"):
            await admission.acquire("c", time.monotonic() + 5)
        admission.release("a")
        await queued
        admission.release("a")
        await other

    asyncio.run(scenario())
