"""Hostile request lines, headers and bodies: each gets a 4xx problem naming what is wrong.

- JSON that Python's decoder chokes on (nesting, 5,000-digit integers, NaN) is a
  400, and the connection stays usable; no body of any route gives a 500.
- A repeated single-valued query parameter, an Accept q-value outside RFC 9110's
  grammar, and invalid UTF-8 in the path or the query string are refused on every
  route, naming the parameter or the range.
- A claim's full IRI works as its id (``/claims/https%3A%2F%2F...``), for reading
  and for retracting.
- Curator tokens: missing, empty, ``Basic`` or wrong (of the right length or not)
  is a 401 with ``WWW-Authenticate``; a write records the token's curator.
"""

from __future__ import annotations

import json
import socket
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hostile import CURATOR_TOKEN, OTHER_TOKEN, HostileServer

from gbkg.api.negotiation import parse_accept
from tests.test_model import base_claim

JSON = {"Content-Type": "application/json"}
CLAIM_IRI_PREFIX = "https://w3id.org/gbkg/claim/"


@pytest.fixture(scope="module")
def claim_id(server: HostileServer) -> str:
    """The IRI of a curated claim."""
    claim: str = server.client.get("/claims", params={"limit": 1}).json()["data"][0]["id"]
    return claim


def new_claim(server: HostileServer, statement: str, token: str = CURATOR_TOKEN) -> Any:
    response = server.client.post(
        "/claims",
        json=base_claim(statement=statement),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text
    return response.json()


# JSON the decoder chokes on ---------------------------------------------------------

DEEP_LIST = b"[" * 2000 + b"]" * 2000
DEEP_OBJECT = b'{"a":' * 2000 + b"1" + b"}" * 2000
HOSTILE_JSON = {
    "nested 2,000 deep (lists)": DEEP_LIST,
    "nested 2,000 deep (objects)": DEEP_OBJECT,
    "nested 100,000 deep": b"[" * 100_000,
    "a 5,000-digit integer": b'{"evidence": {"n_studies": ' + b"7" * 5000 + b"}}",
    "a 5,000-digit integer alone": b"7" * 5000,
    "a float that overflows": b'{"statistics": {"p_value": 1e999999}}',
    "NaN": b'{"statistics": {"p_value": NaN}}',
    "Infinity": b"[Infinity]",
    "-Infinity": b"-Infinity",
    "a lone surrogate": b'{"statement": "\\ud800"}',
    "a byte-order mark": b"\xef\xbb\xbf{}",
    "not UTF-8": b'{"statement": "\xff"}',
    "empty": b"",
    "truncated": b'{"subject": ',
}


@pytest.mark.parametrize("name", list(HOSTILE_JSON))
def test_malformed_json_is_400_on_every_claim_route(
    server: HostileServer, claim_id: str, name: str
) -> None:
    body = HOSTILE_JSON[name]
    before = server.snapshot()
    local = claim_id.rsplit("/", 1)[-1]
    for path, auth in (
        ("/claims/validate", {}),
        ("/claims", server.auth),
        (f"/claims/{local}/retract", server.auth),
    ):
        response = server.client.post(path, content=body, headers={**JSON, **auth})
        server.assert_refused(response, (400, 422))
    server.assert_intact(before)


def test_a_lone_surrogate_in_a_valid_claim_is_400(server: HostileServer) -> None:
    claim = json.dumps(base_claim(statement="x")).replace('"x"', '"\\udc80"').encode()
    before = server.snapshot()
    response = server.client.post("/claims", content=claim, headers={**JSON, **server.auth})
    body = server.assert_refused(response, 400)
    assert "surrogate" in body["detail"] or "UTF-8" in body["detail"], body
    server.assert_intact(before)


def raw_exchange(server: HostileServer, requests: list[bytes]) -> list[bytes]:
    """Send each request on one keep-alive connection and read its whole response
    (status line, headers and body, as sent)."""
    answers = []
    with socket.create_connection(("127.0.0.1", server.port), timeout=15) as sock:
        reader = sock.makefile("rb")
        for request in requests:
            sock.sendall(request)
            head = [reader.readline()]
            length = 0
            while head[-1] not in (b"\r\n", b""):
                head.append(reader.readline())
                name, _, value = head[-1].decode("latin-1").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            answers.append(b"".join(head) + reader.read(length))
    return answers


def raw_post(server: HostileServer, path: str, authorization: str | None, body: Any) -> Any:
    """POST ``body`` as JSON with the ``Authorization`` header exactly as given (httpx
    refuses some, such as a trailing space); the response as an httpx response."""
    content = json.dumps(body).encode()
    header = "" if authorization is None else f"Authorization: {authorization}\r\n"
    request = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"{header}Content-Length: {len(content)}\r\n\r\n"
    ).encode("latin-1") + content
    (answer,) = raw_exchange(server, [request])
    head, _, payload = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = [
        (name.strip(), value.strip()) for name, _, value in (line.partition(":") for line in lines)
    ]
    return httpx.Response(int(status_line.split()[1]), headers=headers, content=payload)


def test_the_connection_survives_a_malformed_body(server: HostileServer) -> None:
    bad = (
        b"POST /claims/validate HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(DEEP_LIST)
    ) + DEEP_LIST
    health = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    first, second = raw_exchange(server, [bad, health])
    assert first.startswith(b"HTTP/1.1 400"), first[:200]
    assert second.startswith(b"HTTP/1.1 200"), second[:200]


# No body of any route gives a 500 ---------------------------------------------------

TURTLE_PREFIXES = (
    "@prefix gba: <https://w3id.org/gbkg/ontology#> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    "@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
)
RDF_CLAIM = (
    TURTLE_PREFIXES + "<#c> a gba:Claim ; rdf:subject <https://w3id.org/gbkg/entity/probiotic> ;"
    " rdf:predicate gba:improves ; rdf:object <http://purl.obolibrary.org/obo/MONDO_0002050> ;"
    " gba:statement {statement} ; gba:finding gba:EffectFinding .\n"
)
HOSTILE_BODIES: dict[str, tuple[str, bytes]] = {
    **{f"json: {name}": ("application/json", body) for name, body in HOSTILE_JSON.items()},
    "json: a list": ("application/json", b"[1, 2]"),
    "json: a string": ("application/json", b'"claim"'),
    "json: wrong types everywhere": (
        "application/json",
        json.dumps({k: [{"x": None}] for k in base_claim()}).encode(),
    ),
    "json-ld: not json": ("application/ld+json", b"{"),
    "json-ld: a number": ("application/ld+json", b"5"),
    "json-ld: an empty graph": ("application/ld+json", b'{"@graph": []}'),
    "json-ld: @graph is a string": ("application/ld+json", b'{"@graph": "x"}'),
    "json-ld: @id is a number": ("application/ld+json", b'{"@id": 5, "@type": "x"}'),
    "json-ld: deep @list": (
        "application/ld+json",
        b'{"http://x/p": ' + b'{"@list": [' * 40 + b"1" + b"]}" * 40 + b"}",
    ),
    "json-ld: @base file": (
        "application/ld+json",
        b'{"@context": {"@base": "file:///etc/"}, "@id": "passwd", "@type": "x"}',
    ),
    "turtle: garbage": ("text/turtle", b"<<<>>> ."),
    "turtle: relative IRIs": ("text/turtle", b"<a> <b> <c> ."),
    "turtle: @base file": ("text/turtle", b"@base <file:///etc/> . <passwd> <p> <o> ."),
    "turtle: deep collection": (
        "text/turtle",
        b"<http://x/s> <http://x/p> " + b"(" * 5000 + b")" * 5000 + b" .",
    ),
    "turtle: deep blank nodes": (
        "text/turtle",
        b"<http://x/s> <http://x/p> " + b"[ <http://x/p> " * 5000 + b"]" * 5000 + b" .",
    ),
    "turtle: two claims": (
        "text/turtle",
        (TURTLE_PREFIXES + "<http://x/a> a gba:Claim . <http://x/b> a gba:Claim .").encode(),
    ),
    "turtle: a claim with a bad decimal": (
        "text/turtle",
        RDF_CLAIM.format(statement='"s" ; gba:pValue "abc"^^xsd:decimal').encode(),
    ),
    "turtle: a claim with a huge integer": (
        "text/turtle",
        RDF_CLAIM.format(statement='"s" ; gba:nStudies "' + "9" * 5000 + '"^^xsd:integer').encode(),
    ),
    "turtle: a claim with a bad date": (
        "text/turtle",
        RDF_CLAIM.format(statement='"s" ; gba:created "yesterday"^^xsd:dateTime').encode(),
    ),
    "turtle: a claim with an unknown finding": (
        "text/turtle",
        RDF_CLAIM.format(statement='"s"').replace("EffectFinding", "Nonsense").encode(),
    ),
    "turtle: a claim with a literal finding": (
        "text/turtle",
        RDF_CLAIM.format(statement='"s"').replace("gba:EffectFinding", '"effect"').encode(),
    ),
    "turtle: a claim with an unknown study design": (
        "text/turtle",
        RDF_CLAIM.format(statement='"s" ; gba:evidence [ gba:studyDesign gba:Astrology ]').encode(),
    ),
    "turtle: a claim with a literal subject": (
        "text/turtle",
        (TURTLE_PREFIXES + '<http://x/c> a gba:Claim ; rdf:subject "probiotic" .').encode(),
    ),
    "turtle: a claim with a statement per language": (
        "text/turtle",
        RDF_CLAIM.format(statement='"a"@en, "b"@fr, 5').encode(),
    ),
    "trig: a graph named by a literal": (
        "application/trig",
        b'"g" { <http://x/s> <http://x/p> 1 }',
    ),
    "n-triples: not n-triples": ("application/n-triples", b"@prefix x: <http://x/> ."),
    "no content type": ("", b"{}"),
    "a multipart body": ("multipart/form-data; boundary=x", b"--x\r\n\r\n--x--"),
    "a charset we do not read": ("application/json; charset=latin-1", b"{}"),
}


def test_no_body_of_any_route_gives_a_500(server: HostileServer, claim_id: str) -> None:
    local = claim_id.rsplit("/", 1)[-1]
    routes = [
        ("/claims/validate", {}),
        ("/claims", server.auth),
        (f"/claims/{local}/retract", server.auth),
        ("/sparql", {}),
    ]
    before = server.snapshot()
    for name, (media_type, body) in HOSTILE_BODIES.items():
        headers = {"Content-Type": media_type} if media_type else {}
        for path, auth in routes:
            response = server.client.post(path, content=body, headers={**headers, **auth})
            assert response.status_code < 500, (name, path, response.text[:300])
            if response.status_code >= 400:
                server.assert_refused(response, response.status_code)
    server.assert_intact(before)
    log = server.log_tail(500_000)
    for marker in ("unhandled error", "Exception in ASGI application", " 500 Internal"):
        assert marker not in log, log[log.index(marker) - 2000 :][:4000]


# Query strings, paths and Accept ----------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "name"),
    [
        (
            "/queries/claims-about",
            [("entity", "CHEBI:28790"), ("entity", "MONDO:0002050")],
            "entity",
        ),
        ("/claims", [("entity", "CHEBI:28790"), ("entity", "MONDO:0002050")], "entity"),
        ("/claims", [("limit", "1"), ("limit", "2")], "limit"),
        ("/entities", [("q", "sero"), ("q", "probio")], "q"),
        (
            "/evidence",
            [
                ("subject", "gbkg:probiotic"),
                ("subject", "gbkg:yogurt"),
                ("object", "MONDO:0002050"),
            ],
            "subject",
        ),
        ("/sparql", [("query", "ASK {}"), ("query", "ASK {}")], "query"),
    ],
)
def test_a_repeated_single_valued_parameter_is_400(
    server: HostileServer, path: str, params: list[tuple[str, str]], name: str
) -> None:
    before = server.snapshot()
    body = server.assert_refused(server.client.get(path, params=tuple(params)), 400)
    assert body.get("parameter") == name, body
    assert name in body["detail"]
    server.assert_intact(before)


def test_list_parameters_may_repeat(server: HostileServer) -> None:
    params = [
        ("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
        ("default-graph-uri", "https://w3id.org/gbkg/graph/ontology"),
        ("default-graph-uri", "https://w3id.org/gbkg/graph/entities"),
    ]
    assert server.client.get("/sparql", params=tuple(params)).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/claims?entity=%ff",
        "/claims?entity=%C3%28",
        "/claims?limit=1&entity=%ED%A0%80",  # an encoded surrogate
        "/queries/claims-about?entity=%ff",
        "/entities?q=%ff",
        "/sparql?query=ASK%7B%7D%ff",
        "/health?x=%ff",
        "/evidence?subject=gbkg:probiotic&object=%e2%82",
    ],
)
def test_invalid_utf8_in_the_query_string_is_400_naming_the_parameter(
    server: HostileServer, url: str
) -> None:
    before = server.snapshot()
    body = server.assert_refused(server.client.get(url), 400)
    name = url.rsplit("&", 1)[-1].split("?")[-1].split("=")[0]
    assert body.get("parameter") == name, body
    assert "UTF-8" in body["detail"]
    server.assert_intact(before)


@pytest.mark.parametrize("url", ["/claims/%ff", "/entities/gbkg:%C3%28", "/claims?%ff=1"])
def test_invalid_utf8_in_the_path_or_a_parameter_name_is_400(
    server: HostileServer, url: str
) -> None:
    before = server.snapshot()
    body = server.assert_refused(server.client.get(url), 400)
    assert "UTF-8" in body["detail"]
    server.assert_intact(before)


BAD_Q = ["inf", "nan", "1e3", "-1", "0.0001", "1.5", "1.0001", "", "abc", ".5", "+1", "0x1", "1e0"]
GOOD_Q = ["0.5", "0.", "1.", "1.000", "0.123", "1", "0"]


@pytest.mark.parametrize("q", BAD_Q)
def test_a_malformed_q_value_makes_its_range_unacceptable(
    server: HostileServer, claim_id: str, q: str
) -> None:
    local = claim_id.rsplit("/", 1)[-1]
    alone = server.client.get(f"/claims/{local}", headers={"Accept": f"text/turtle;q={q}"})
    body = server.assert_refused(alone, 406)
    assert f"text/turtle;q={q}" in body["detail"], body
    mixed = server.client.get(
        f"/claims/{local}", headers={"Accept": f"text/turtle;q={q}, application/json;q=0.1"}
    )
    assert mixed.status_code == 200 and mixed.headers["content-type"] == "application/json"
    sparql = server.client.get(
        "/sparql", params={"query": "ASK {}"}, headers={"Accept": f"text/csv;q={q}"}
    )
    server.assert_refused(sparql, 406)
    named = server.client.get("/queries/null-results", headers={"Accept": f"text/csv;q={q}"})
    server.assert_refused(named, 406)
    ontology = server.client.get("/ontology", headers={"Accept": f"text/turtle;Q={q}"})
    server.assert_refused(ontology, 406)


@pytest.mark.parametrize("q", GOOD_Q)
def test_q_values_of_the_grammar_are_honoured(q: str) -> None:
    (only,) = parse_accept(f"text/csv; q={q}")
    assert only.q == float(q)


def test_accept_charset_q_values_follow_the_same_grammar(server: HostileServer) -> None:
    refused = server.client.get(
        "/sparql", params={"query": "ASK {}"}, headers={"Accept-Charset": "utf-8;q=inf"}
    )
    server.assert_refused(refused, 406)


def test_quoted_parameters_in_accept_are_read_whole(server: HostileServer, claim_id: str) -> None:
    local = claim_id.rsplit("/", 1)[-1]
    accept = 'application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted, x;q=0", text/turtle;q=0.5'  # noqa: E501
    response = server.client.get(f"/claims/{local}", headers={"Accept": accept})
    assert response.headers["content-type"].startswith("application/ld+json"), response.text


# A claim's full IRI as its id ---------------------------------------------------------


def test_a_claim_is_read_by_its_full_iri(server: HostileServer, claim_id: str) -> None:
    assert claim_id.startswith(CLAIM_IRI_PREFIX)
    for spelling in (quote(claim_id, safe=""), claim_id, "claim:" + claim_id.rsplit("/", 1)[-1]):
        response = server.client.get("/claims/" + spelling)
        assert response.status_code == 200, (spelling, response.text)
        assert response.json()["id"] == claim_id


def test_a_claim_is_retracted_by_its_full_iri(server: HostileServer) -> None:
    claim = new_claim(server, "A claim retracted by its full IRI.")
    response = server.client.post(
        f"/claims/{quote(claim['id'], safe='')}/retract",
        json={"reason": "retracted in a test"},
        headers=server.auth,
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "retracted"


def test_an_iri_outside_the_claim_namespace_is_400(server: HostileServer) -> None:
    iri = quote("https://w3id.org/gbkg/entity/probiotic", safe="")
    server.assert_refused(server.client.get("/claims/" + iri), 400)


# Curator tokens -----------------------------------------------------------------------

WRONG_AUTHORIZATION = {
    "missing": None,
    "empty": "",
    "scheme only": "Bearer",
    "empty token": "Bearer ",
    "blank token": "Bearer    ",
    "Basic": "Basic YWxpY2U6aG9zdGlsZS10b2tlbi1hbGljZQ==",
    "the token without a scheme": CURATOR_TOKEN,
    "wrong, same length": "Bearer " + "x" * len(CURATOR_TOKEN),
    "wrong, shorter": "Bearer x",
    "wrong, longer": "Bearer " + CURATOR_TOKEN + "x",
    "a prefix of a token": "Bearer " + CURATOR_TOKEN[:-1],
    "the name, not the token": "Bearer alice",
    "a name:token pair": f"Bearer alice:{CURATOR_TOKEN}",
    "two tokens": f"Bearer {CURATOR_TOKEN} {OTHER_TOKEN}",
}


@pytest.mark.parametrize("case", list(WRONG_AUTHORIZATION))
def test_writes_without_a_valid_token_are_401(
    server: HostileServer, claim_id: str, case: str
) -> None:
    value = WRONG_AUTHORIZATION[case]
    local = claim_id.rsplit("/", 1)[-1]
    before = server.snapshot()
    for path, body in (
        ("/claims", base_claim(statement="A claim sent without a valid token.")),
        (f"/claims/{local}/retract", {"reason": "no valid token"}),
    ):
        response = raw_post(server, path, value, body)
        server.assert_refused(response, 401)
        assert response.headers["www-authenticate"].startswith("Bearer"), response.headers
    server.assert_intact(before)


def test_the_scheme_is_case_insensitive(server: HostileServer) -> None:
    response = server.client.post(
        "/claims",
        json=base_claim(statement="A claim sent with a lower-case scheme."),
        headers={"Authorization": f"bearer {CURATOR_TOKEN}"},
    )
    assert response.status_code == 201, response.text


def test_a_write_records_the_curator_of_its_token(server: HostileServer) -> None:
    claim = new_claim(server, "A claim written by bob.", token=OTHER_TOKEN)
    assert claim["curator"] == "bob"
    retracted = server.client.post(
        f"/claims/{claim['id'].rsplit('/', 1)[-1]}/retract",
        json={"reason": "bob retracts it"},
        headers={"Authorization": f"Bearer {CURATOR_TOKEN}"},
    )
    assert retracted.status_code == 200, retracted.text
    assert retracted.json()["retraction"]["by"] == "alice"
    assert retracted.json()["curator"] == "bob"
