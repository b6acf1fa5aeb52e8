"""The query service never reaches the network, whatever the query says.

Two guards, tested apart: the pre-check refuses every SERVICE it can see (a 400
naming it), and the worker processes that evaluate queries cannot open a socket
at all (seccomp), so a SERVICE the pre-check misses fails too. Every case aims
at a loopback listener that must receive nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile import HostileServer
from sparql_helpers import LoopbackListener, eventually, numbers, run_on_pool
from weakened_worker import weakened

from gbkg.kg.errors import ForbiddenQueryError, KGError, QueryError, StoreError
from gbkg.kg.query_pool import WorkerPool
from gbkg.kg.query_sandbox import SandboxError, filter_program
from gbkg.kg.sparql import QueryJob
from gbkg.kg.sparql_formats import ResultFormat
from gbkg.kg.store import OxigraphStore

#: SERVICE in every disguise: {L} is the listener's base URL.
SERVICE_VARIANTS = {
    "cr-ends-the-comment": "SELECT * WHERE { ?a ?b ?c # x\rSERVICE <{L}/x> { ?s ?p ?o }\n} LIMIT 1",
    "crlf-comment": "SELECT * WHERE { ?a ?b ?c # x\r\nSERVICE <{L}/x> { ?s ?p ?o } } LIMIT 1",
    "cr-in-prologue": "PREFIX x: <http://e/> # c\rSELECT * { SERVICE <{L}/x> { ?s ?p ?o } }",
    "u-escape": "SELECT * WHERE { \\u0053ERVICE <{L}/x> { ?s ?p ?o } }",
    "U-escape-lower": "SELECT * WHERE { \\U00000073ervice <{L}/x> { ?s ?p ?o } }",
    "escaped-iri": "SELECT * WHERE { SERVICE <\\u0068ttp://127.0.0.1:{P}/x> { ?s ?p ?o } }",
    "lower-case": "select * where { service <{L}/x> { ?s ?p ?o } }",
    "mixed-case": "SeLeCt * WhErE { sErViCe <{L}/x> { ?s ?p ?o } }",
    "silent": "SELECT * WHERE { SERVICE SILENT <{L}/x> { ?s ?p ?o } }",
    "variable-values": "SELECT * WHERE { VALUES ?u { <{L}/x> } SERVICE ?u { ?s ?p ?o } }",
    "variable-bind": 'SELECT * WHERE { BIND(IRI("{L}/x") AS ?u) SERVICE ?u { ?s ?p ?o } }',
    "variable-from-data": "SELECT * WHERE { ?u ?p ?o SERVICE ?u { ?a ?b ?c } } LIMIT 5",
    "base": "BASE <{L}/> SELECT * WHERE { SERVICE <x> { ?s ?p ?o } }",
    "prefix": "PREFIX r: <{L}/> SELECT * WHERE { SERVICE r:x { ?s ?p ?o } }",
    "sub-select": "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <{L}/x> { ?s ?p ?o } } } }",
    "optional": "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <{L}/x> { ?s ?p ?x } } } LIMIT 1",
    "minus": "SELECT * WHERE { ?s ?p ?o MINUS { SERVICE <{L}/x> { ?s ?p ?o } } } LIMIT 1",
    "exists": "ASK { FILTER EXISTS { SERVICE <{L}/x> { ?s ?p ?o } } }",
    "not-exists": "ASK { FILTER NOT EXISTS { SERVICE <{L}/x> { ?s ?p ?o } } }",
    "graph": "SELECT * WHERE { GRAPH ?g { SERVICE <{L}/x> { ?s ?p ?o } } } LIMIT 1",
    "union": "SELECT * WHERE { { ?s ?p ?o } UNION { SERVICE <{L}/x> { ?s ?p ?o } } } LIMIT 1",
    "construct": "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <{L}/x> { ?s ?p ?o } }",
    "describe": "DESCRIBE ?s WHERE { SERVICE <{L}/x> { ?s ?p ?o } }",
    "unparsable": "SELECT * WHERE { SERVICE <{L}/x> { ?s ?p ?o } ",
}


RESULTS = ResultFormat.JSON


def _query(template: str, listener: LoopbackListener) -> str:
    return template.replace("{L}", listener.base).replace("{P}", str(listener.port))


def _requests(query: str) -> list[dict[str, object]]:
    return [
        {"method": "GET", "url": "/sparql", "params": {"query": query}},
        {"method": "POST", "url": "/sparql", "data": {"query": query}},
        {
            "method": "POST",
            "url": "/sparql",
            "content": query.encode(),
            "headers": {"Content-Type": "application/sparql-query"},
        },
    ]


def _nothing_reached(listener: LoopbackListener) -> None:
    # A worker's connection attempt would have been made before the answer came back.
    assert listener.seen_so_far() == []


@pytest.mark.parametrize("name", SERVICE_VARIANTS)
def test_service_in_any_disguise_is_refused(
    name: str, server: HostileServer, listener: LoopbackListener
) -> None:
    before = server.snapshot()
    query = _query(SERVICE_VARIANTS[name], listener)
    for request in _requests(query):
        response = server.client.request(**request)  # type: ignore[arg-type]
        body = server.assert_refused(response, 400)
        assert "SERVICE" in body["detail"] or "parse" in body["detail"], body
    _nothing_reached(listener)
    server.assert_intact(before)


def test_named_query_parameters_never_become_services(
    server: HostileServer, listener: LoopbackListener
) -> None:
    """A parameter is bound as a term: an IRI pointing at the listener is just data."""
    for value in (listener.base + "/x", f"{listener.base}/x> }} SERVICE <{listener.base}/y"):
        response = server.client.get("/queries/claims-about", params={"entity": value})
        assert response.status_code in (200, 400), response.text
    _nothing_reached(listener)


# Straight to a worker, with the pre-check taken away -----------------------------------


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    store = OxigraphStore(tmp_path_factory.mktemp("network") / "store")
    store.extend(numbers(5))
    yield store
    store.close()


def test_the_sandbox_stops_a_service_the_precheck_missed(
    store: OxigraphStore, listener: LoopbackListener
) -> None:
    pool = WorkerPool(
        store, size=1, memory_mb=256, timeout_s=10, max_results=10, command=weakened("no-precheck")
    )
    try:
        # the weakened worker really lacks the pre-check: a FROM of a graph the store
        # lacks, refused (400) by a real worker, is answered
        missing = QueryJob("ASK FROM <http://e/missing> { ?s ?p ?o }", ResultFormat.JSON)
        assert run_on_pool(pool, missing).body.startswith(b'{"head":{},"boolean":')
        plain = QueryJob(_query(SERVICE_VARIANTS["cr-ends-the-comment"], listener), RESULTS)
        with pytest.raises(ForbiddenQueryError, match="refused the network"):
            run_on_pool(pool, plain)
        for name in ("silent", "variable-bind", "variable-from-data", "sub-select", "exists"):
            job = QueryJob(_query(SERVICE_VARIANTS[name], listener), RESULTS)
            try:
                run_on_pool(pool, job)  # SILENT: the failed call is an empty answer
            except KGError as error:  # or the engine's own error, before any call
                assert isinstance(error, QueryError), error
        _nothing_reached(listener)
        assert run_on_pool(pool, QueryJob("ASK { ?s ?p ?o }", ResultFormat.JSON)).body.endswith(
            b"true}"
        )
    finally:
        pool.close()


def test_a_worker_without_its_sandbox_refuses_to_start(store: OxigraphStore) -> None:
    """Fail closed: no filter for this machine means no queries, with a clear message."""
    pool = WorkerPool(
        store,
        size=1,
        memory_mb=256,
        timeout_s=10,
        max_results=10,
        command=weakened("unknown-machine"),
    )
    try:
        with pytest.raises(StoreError, match=r"sandbox cannot be installed.*riscv64"):
            run_on_pool(pool, QueryJob("ASK {}", ResultFormat.JSON))
        assert eventually(lambda: pool.pids() == [])
    finally:
        pool.close()


def test_filter_programs_refuse_sockets_on_both_machines() -> None:
    for machine, socket_number in (("x86_64", 41), ("aarch64", 198)):
        program = filter_program(machine)
        assert any(row[3] == socket_number for row in program)
    with pytest.raises(SandboxError, match="no seccomp filter"):
        filter_program("sparc64")


def test_worker_processes_run_under_the_filter(server: HostileServer) -> None:
    """The server's own worker processes have a seccomp filter (/proc says so)."""
    from sparql_helpers import worker_pids

    assert server.client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
    pids = worker_pids(server.pid)
    assert pids
    for pid in pids:
        status = Path(f"/proc/{pid}/status").read_text()
        assert "Seccomp:\t2" in status, status
        assert "NoNewPrivs:\t1" in status, status
