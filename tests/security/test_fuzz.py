"""A short, seeded fuzz run against a real ``gbkg serve`` (the long one: ``bench/fuzz_long.py``).

Generated SPARQL (``bench/sparql_grammar.py``: a small grammar, the named queries
and mutations of both) by GET and both POST encodings; the named queries with
hostile parameter values; every operation of the OpenAPI document (schemathesis,
valid and invalid data) without a token and with a curator token. For each: the
server never dies, answers no 5xx but the documented 503s (a query's time,
memory or answer-size limit), every error is ``application/problem+json``, and
SERVICE, FROM and BASE aimed at the session's network trap reach nothing. The
seeds are fixed, so each run sends the same requests; every batch is bounded in
count and time.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from hostile import CURATOR_TOKEN, FUZZ_REQUESTS, HostileServer, hostile_server
from sparql_helpers import LoopbackListener

from bench.fuzz import Tally, Target, fuzz_api, fuzz_named_queries, fuzz_sparql, load_schema

SEED = 20261202
#: The most any one batch may take (a slow machine sends fewer cases, not more time;
#: on an idle 2-core machine each batch ends by its count first).
BATCH_S = 10.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileServer]:
    """The harness's server with a 1 s query limit: slow generated queries end sooner."""
    yield from hostile_server(tmp_path_factory.mktemp("fuzz"), GBKG_QUERY_TIMEOUT_S="1")


def target(server: HostileServer) -> Target:
    return Target(server.url, alive=lambda: server.server.process.poll() is None)


def assert_clean(tally: Tally, server: HostileServer) -> None:
    FUZZ_REQUESTS.count += tally.total
    report = tally.report()
    assert tally.total > 0, report
    assert tally.deaths == 0, report
    assert tally.server_errors == [], report
    assert tally.not_problems == [], report
    assert tally.transport_errors == [], report
    server.assert_alive()


def test_generated_sparql(server: HostileServer, listener: LoopbackListener) -> None:
    before = server.snapshot()
    tally = Tally()
    until = time.monotonic() + BATCH_S
    fuzz_sparql(target(server), listener.base, tally, examples=60, batch_seed=SEED, until=until)
    assert_clean(tally, server)
    assert listener.connections == []
    server.assert_intact(before)


def test_named_queries_with_hostile_parameters(
    server: HostileServer, listener: LoopbackListener
) -> None:
    before = server.snapshot()
    tally = Tally()
    until = time.monotonic() + BATCH_S
    fuzz_named_queries(
        target(server), listener.base, tally, examples=40, batch_seed=SEED, until=until
    )
    assert_clean(tally, server)
    assert listener.connections == []
    server.assert_intact(before)


def test_the_openapi_surface_without_a_token(server: HostileServer) -> None:
    """Without a token nothing can be written: the store is unchanged."""
    before = server.snapshot()
    tally = Tally()
    schema = load_schema(server.url)
    until = time.monotonic() + BATCH_S
    fuzz_api(target(server), schema, tally, examples=2, batch_seed=SEED, until=until)
    assert_clean(tally, server)
    server.assert_intact(before)


def test_the_openapi_surface_with_a_curator_token(server: HostileServer) -> None:
    tally = Tally()
    schema = load_schema(server.url)
    until = time.monotonic() + BATCH_S
    fuzz_api(
        target(server),
        schema,
        tally,
        examples=2,
        batch_seed=SEED + 1,
        until=until,
        headers={"Authorization": f"Bearer {CURATOR_TOKEN}"},
    )
    assert_clean(tally, server)


def test_the_grammar_makes_mostly_valid_queries() -> None:
    """The fuzzer's grammar is worth its name: most of what it builds parses (rdflib's
    parser, which fetches nothing), so the fuzzing reaches evaluation, not only the
    parser's refusals."""
    from hypothesis import HealthCheck, Phase, given, seed, settings
    from rdflib.plugins.sparql.parser import parseQuery

    from bench.sparql_grammar import grammar_queries

    parsed: list[bool] = []

    @seed(SEED)
    @settings(
        max_examples=100,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(query=grammar_queries("http://127.0.0.1:9"))
    def one(query: str) -> None:
        try:
            parseQuery(query.replace("\r", "\n"))
        except Exception:  # pyparsing's errors, and a few others
            parsed.append(False)
        else:
            parsed.append(True)

    one()
    assert len(parsed) == 100
    assert sum(parsed) >= 50, f"{sum(parsed)} of 100 generated queries parse"
