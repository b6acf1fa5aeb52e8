"""Named queries (``/queries/{name}``) with hostile parameters, names and methods.

A parameter is converted to its declared type and bound as an RDF term, never
spliced into the query text. So a value that would end an IRI, a string or the
group (``>``, quotes, newlines, ``} ; DROP ALL``), an IRI with a space, a very
long value or an IRI aimed at the network trap is either refused (400 naming the
parameter) or matched as data (200, no rows). An update cannot ride along: as a
parameter of its own (``update=``, ``query=``), in the query's name, or by POST.
Each case: the status, a problem body, the store unchanged, the server alive, and
no connection to the trap.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hostile import HostileServer, hostile_server
from sparql_helpers import LoopbackListener


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileServer]:
    """The harness's server, with a time limit that a busy machine does not reach (the
    cases check refusals and empty answers, not the limit)."""
    yield from hostile_server(tmp_path_factory.mktemp("named"), GBKG_QUERY_TIMEOUT_S="20")


#: {T} is the network trap's base URL.
HOSTILE_VALUES = {
    "closing angle bracket": "http://e/x>",
    "closing bracket and a group": "http://e/x> } ; DROP ALL ; SELECT * { <y",
    "a double quote": 'http://e/x" } ; CLEAR ALL #',
    "a single quote": "http://e/x' ; DROP ALL",
    "a newline": "http://e/x\nDROP ALL",
    "a carriage return": "http://e/x\rDROP ALL",
    "an IRI with a space": "http://e/a b",
    "a CURIE with a space": "CHEBI:28790 DROP ALL",
    "a CURIE then an update": "CHEBI:28790} ; DROP ALL ; SELECT * {",
    "braces only": "} ; DROP ALL ; {",
    "an update alone": "DROP ALL",
    "a trap IRI": "{T}/x",
    "a trap IRI then SERVICE": "{T}/x> } SERVICE <{T}/y> { ?s ?p ?o",
    "a trap IRI as a CURIE-looking value": "127.0.0.1:{P}/x",
    "a unicode escape": "http://e/\\u003e",
    "a percent-encoded bracket": "http://e/x%3E",
    "an empty value": "",
    "a 7,000-character CURIE": "CHEBI:" + "9" * 7000,
    "a 7,000-character IRI": "http://e/" + "a" * 7000,
    "a unicode IRI": "http://e/ü/🦠",
    "a relative IRI": "x/y",
    "a blank node": "_:b0",
    "a variable": "?entity",
    "a literal": '"probiotic"@en',
}
#: Values that are well-formed IRIs: bound as terms, they match nothing.
MATCH_NOTHING = {
    "a trap IRI",
    "a percent-encoded bracket",
    "a 7,000-character CURIE",
    "a 7,000-character IRI",
    "a unicode IRI",
}


def value_for(name: str, listener: LoopbackListener) -> str:
    return HOSTILE_VALUES[name].replace("{T}", listener.base).replace("{P}", str(listener.port))


@pytest.mark.parametrize("case", HOSTILE_VALUES)
def test_a_parameter_is_a_term_or_refused(
    server: HostileServer, listener: LoopbackListener, case: str
) -> None:
    before = server.snapshot()
    for query, parameter in (("claims-about", "entity"), ("claims-by-source", "source")):
        response = server.client.get(
            f"/queries/{query}", params={parameter: value_for(case, listener)}
        )
        if response.status_code == 200:
            assert case in MATCH_NOTHING, response.text[:300]
            assert response.json()["results"]["bindings"] == []
        else:
            body = server.assert_refused(response, 400)
            assert parameter in body["detail"], body
    assert listener.connections == []
    server.assert_intact(before)


def test_a_matching_value_still_answers(server: HostileServer) -> None:
    """The control: the same route answers rows for a known entity."""
    response = server.client.get("/queries/claims-about", params={"entity": "gbkg:probiotic"})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"]


SMUGGLED_PARAMETERS = [
    {"update": "DROP ALL"},
    {"query": "DROP ALL"},
    {"query": "SELECT * { ?s ?p ?o }"},
    {"entity": "CHEBI:28790", "update": "CLEAR ALL"},
    {"entity": "CHEBI:28790", "using-graph-uri": "https://w3id.org/gbkg/graph/entities"},
    {"entity": "CHEBI:28790", "default-graph-uri": "https://w3id.org/gbkg/graph/entities"},
    {"entity": "CHEBI:28790", "ENTITY": "MONDO:0002050"},
]


@pytest.mark.parametrize("params", SMUGGLED_PARAMETERS)
def test_an_undeclared_parameter_is_400(server: HostileServer, params: dict[str, str]) -> None:
    before = server.snapshot()
    response = server.client.get("/queries/claims-about", params=params)
    server.assert_refused(response, 400)
    server.assert_intact(before)


SMUGGLED_NAMES = [
    "claims-about;DROP ALL",
    "claims-about%20DROP%20ALL",
    "claims-about.rq",
    "CLAIMS-ABOUT",
    "..%2Fsparql",
    "..%2F..%2Fsparql%3Fupdate%3DDROP%2520ALL",
    "%2e%2e%2fclaims-about",
    "claims-about%00",
    "claims-about%0ADROP%20ALL",
    "api%2Fentity-claims",
    "DROP%20ALL",
]


@pytest.mark.parametrize("name", SMUGGLED_NAMES)
def test_a_name_is_only_a_name(server: HostileServer, name: str) -> None:
    before = server.snapshot()
    response = server.client.get("/queries/" + name)
    server.assert_refused(response, (400, 404))
    server.assert_intact(before)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/sparql-update", b"DROP ALL"),
        ("application/sparql-query", b"SELECT * { ?s ?p ?o }"),
        ("application/x-www-form-urlencoded", b"update=DROP+ALL"),
        ("application/json", b'{"update": "DROP ALL"}'),
    ],
)
def test_a_named_query_is_not_posted(server: HostileServer, content_type: str, body: bytes) -> None:
    before = server.snapshot()
    for path in ("/queries/claims-about", "/queries"):
        response = server.client.post(path, content=body, headers={"Content-Type": content_type})
        server.assert_refused(response, 405)
    server.assert_intact(before)
