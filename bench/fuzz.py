"""Fuzzing a running ``gbkg serve``: the whole OpenAPI surface (schemathesis) and
``/sparql`` (queries from :mod:`bench.sparql_grammar`), tallied by route.

What counts against the service:

- **a death**: the server process is gone after a request;
- **a 5xx** other than a 503 for a documented limit (the query's time, memory or
  answer size: the titles in :data:`LIMIT_TITLES`);
- **an error that is not a problem**: a 4xx or 5xx whose body is not
  ``application/problem+json``.

Generation is seeded (``seed``, then ``seed + 1``... for each batch), so a run with
the same seed and count sends the same requests. Each batch is bounded in examples
and the whole run in time. Requests go to the server's loopback address only; the
queries aim SERVICE, FROM and BASE at ``trap``, a loopback listener the caller
checks for connections.

Used by ``tests/security/test_fuzz.py`` (a short run in CI) and ``bench/fuzz_long.py``.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from bench.sparql_grammar import queries

PROBLEM_JSON = "application/problem+json"
#: 503s the service documents: a query past its time, memory or answer-size limit.
LIMIT_TITLES = frozenset(
    {"Query timed out", "Query went past the memory limit", "Query went past a limit"}
)


@dataclass
class Finding:
    route: str
    status: int
    detail: str
    request: str


@dataclass
class Tally:
    """What a run sent and got, by route (``METHOD /path template``)."""

    cases: Counter[str] = field(default_factory=Counter)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    server_errors: list[Finding] = field(default_factory=list)
    not_problems: list[Finding] = field(default_factory=list)
    transport_errors: list[Finding] = field(default_factory=list)
    deaths: int = 0
    limit_503: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.cases.values())

    def record(self, route: str, status: int, content_type: str, body: bytes, request: str) -> None:
        self.cases[route] += 1
        self.statuses[(route, status)] += 1
        if status < 400:
            return
        title = detail = ""
        if content_type.startswith(PROBLEM_JSON):
            try:
                problem = json.loads(body)
                title, detail = str(problem.get("title", "")), str(problem.get("detail", ""))
            except ValueError:
                content_type = "unparsable problem"
        if not content_type.startswith(PROBLEM_JSON):
            finding = Finding(route, status, f"{content_type}: {body[:200]!r}", request[:500])
            self.not_problems.append(finding)
        if status == 503 and title in LIMIT_TITLES:
            self.limit_503[route] += 1
        elif status >= 500:
            finding = Finding(route, status, f"{title}: {detail}"[:300], request[:500])
            self.server_errors.append(finding)

    def server_errors_by_route(self) -> Counter[str]:
        return Counter(f.route for f in self.server_errors)

    def report(self) -> str:
        lines = [f"{self.total} cases, {self.deaths} deaths"]
        for route, count in sorted(self.cases.items()):
            statuses = ", ".join(
                f"{status}: {n}" for (r, status), n in sorted(self.statuses.items()) if r == route
            )
            lines.append(f"  {route}: {count} ({statuses})")
        lines.append(f"5xx other than documented 503s: {dict(self.server_errors_by_route())}")
        lines.append(f"documented 503s (limits): {dict(self.limit_503)}")
        lines.append(f"errors that are not problem+json: {len(self.not_problems)}")
        lines.append(f"transport errors: {len(self.transport_errors)}")
        for finding in (self.server_errors + self.not_problems + self.transport_errors)[:10]:
            lines.append(f"  {finding.route} {finding.status} {finding.detail!r}")
            lines.append(f"    {finding.request!r}")
        return "\n".join(lines)


@dataclass
class Target:
    """The server under fuzzing: its URL, whether it lives, how to bring it back."""

    url: str
    alive: Callable[[], bool]
    restart: Callable[[], None] | None = None
    timeout_s: float = 30.0


def _after(target: Target, tally: Tally, route: str, error: Exception, request: str) -> None:
    """A request got no response: the server died (counted, restarted) or the
    transport failed."""
    if not target.alive():
        tally.deaths += 1
        tally.transport_errors.append(Finding(route, 0, f"server died: {error!r}", request))
        if target.restart is None:
            raise RuntimeError(f"the server died on {route}: {request[:300]!r}") from error
        target.restart()
    else:
        tally.transport_errors.append(Finding(route, 0, repr(error)[:300], request[:500]))


class TimeUp(Exception):
    """Raised in a test body past the run's time: it ends the batch at once (hypothesis
    would otherwise go on generating its examples)."""


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=[Phase.generate],  # no shrinking: findings are tallied, not raised
        suppress_health_check=list(HealthCheck),
        derandomize=False,
    )


# /sparql ------------------------------------------------------------------------------

ENCODINGS = ("GET", "POST form", "POST sparql-query")


def send_query(client: httpx.Client, encoding: str, query: str) -> httpx.Response:
    if encoding == "GET":
        return client.get("/sparql", params={"query": query})
    if encoding == "POST form":
        return client.post("/sparql", data={"query": query})
    return client.post(
        "/sparql",
        content=query.encode("utf-8"),
        headers={"Content-Type": "application/sparql-query"},
    )


def fuzz_sparql(
    target: Target, trap: str, tally: Tally, *, examples: int, batch_seed: int, until: float
) -> None:
    """``examples`` generated queries to ``/sparql``, each by one of the three encodings."""
    with httpx.Client(base_url=target.url, timeout=target.timeout_s) as client:

        @seed(batch_seed)
        @_settings(examples)
        @given(query=queries(trap), encoding=st.sampled_from(ENCODINGS))
        def one(query: str, encoding: str) -> None:
            if time.monotonic() > until:
                raise TimeUp
            route = f"{'GET' if encoding == 'GET' else 'POST'} /sparql"
            try:
                response = send_query(client, encoding, query)
            except httpx.HTTPError as error:
                _after(target, tally, route, error, query)
                return
            tally.record(
                route,
                response.status_code,
                response.headers.get("content-type", ""),
                response.content,
                f"{encoding}: {query}",
            )

        with contextlib.suppress(TimeUp):
            one()


# /queries/{name} ----------------------------------------------------------------------


def parameter_values(trap: str) -> st.SearchStrategy[str]:
    """Values for a named query's parameters: CURIEs and IRIs, and what would break a
    query if it were spliced into the text."""
    return st.one_of(
        st.sampled_from(
            (
                "CHEBI:28790",
                "MONDO:0002050",
                "gbkg:probiotic",
                "https://w3id.org/gbkg/entity/probiotic",
                f"{trap}/x",
                f"{trap}/x> }} SERVICE <{trap}/y",
                "x> } ; DROP ALL ; SELECT * { <y",
                '" } ; CLEAR ALL #',
                "http://e/a b",
                "http://e/\n",
                "<http://e/>",
                "a:b:c",
                ":",
                "",
                "CHEBI:" + "9" * 5000,
            )
        ),
        st.text(st.characters(exclude_categories=["Cs"]), max_size=30),
    )


def fuzz_named_queries(
    target: Target, trap: str, tally: Tally, *, examples: int, batch_seed: int, until: float
) -> None:
    """``examples`` runs of the named queries (``GET /queries``), with parameters named
    as declared, misnamed, repeated or missing, and values from :func:`parameter_values`."""
    with httpx.Client(base_url=target.url, timeout=target.timeout_s) as client:
        listed = client.get("/queries").json()
        names = [q["name"] for q in listed]
        declared = sorted({p["name"] for q in listed for p in q["params"]})

        @seed(batch_seed)
        @_settings(examples)
        @given(
            name=st.one_of(st.sampled_from(names), st.sampled_from(("..%2f..", "x", "%00"))),
            params=st.lists(
                st.tuples(
                    st.one_of(st.sampled_from(declared), st.sampled_from(("update", "query", ""))),
                    parameter_values(trap),
                ),
                max_size=3,
            ),
        )
        def one(name: str, params: list[tuple[str, str]]) -> None:
            if time.monotonic() > until:
                raise TimeUp
            request = f"/queries/{name} {params!r}"
            try:
                response = client.get(f"/queries/{name}", params=tuple(params))
            except httpx.HTTPError as error:
                _after(target, tally, "GET /queries/{name}", error, request)
                return
            tally.record(
                "GET /queries/{name}",
                response.status_code,
                response.headers.get("content-type", ""),
                response.content,
                request,
            )

        with contextlib.suppress(TimeUp):
            one()


# The OpenAPI surface ------------------------------------------------------------------


def load_schema(url: str) -> Any:
    import schemathesis

    return schemathesis.openapi.from_url(url + "/openapi.json")


def operations(schema: Any) -> list[Any]:
    found = []
    for result in schema.get_all_operations():
        found.append(result.ok())
    return found


def fuzz_api(
    target: Target,
    schema: Any,
    tally: Tally,
    *,
    examples: int,
    batch_seed: int,
    until: float,
    headers: dict[str, str] | None = None,
    negative: bool = True,
) -> None:
    """``examples`` cases per operation and generation mode (valid data, and data
    that breaks the schema when ``negative``), with ``headers`` on each."""
    from schemathesis import GenerationMode

    modes = (
        [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
        if negative
        else [GenerationMode.POSITIVE]
    )
    import requests

    session = requests.Session()
    try:
        for number, operation in enumerate(operations(schema)):
            route = f"{operation.method.upper()} {operation.path}"
            for mode in modes:
                if time.monotonic() > until:
                    return
                strategy = operation.as_strategy(generation_mode=mode)

                @seed(batch_seed * 1000 + number * 2 + modes.index(mode))
                @_settings(examples)
                @given(case=strategy)
                def one(case: Any) -> None:
                    if time.monotonic() > until:
                        raise TimeUp
                    try:
                        response = case.call(
                            base_url=target.url,
                            session=session,
                            headers=headers,
                            timeout=target.timeout_s,
                        )
                    except requests.RequestException as error:
                        _after(target, tally, route, error, _describe(case))  # noqa: B023
                        return
                    tally.record(
                        route,  # noqa: B023 (the loop's route, called within the loop)
                        response.status_code,
                        _content_type(response.headers),
                        response.content,
                        _describe(case),
                    )

                # Unsatisfiable: no invalid data for this operation
                with contextlib.suppress(Unsatisfiable, TimeUp):
                    one()
    finally:
        session.close()


def _content_type(headers: Any) -> str:
    """The Content-Type of a schemathesis response (its header values are lists)."""
    value = headers.get("content-type") or headers.get("Content-Type") or ""
    return str(value[0] if isinstance(value, list) and value else value)


def _describe(case: Any) -> str:
    return (
        f"{case.method} {case.formatted_path} query={case.query!r} headers={case.headers!r} "
        f"media_type={case.media_type!r} body={case.body!r}"
    )[:1000]
