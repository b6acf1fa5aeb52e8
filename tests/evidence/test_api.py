"""The evidence everywhere: /propositions/{id}, /paths ranked by evidence, entity pages,
/claims listings and the evidence named queries, on the curated graph (one app for the
module) and on the Ng 2018 test data posted through POST /claims."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gbkg.api.app import create_app
from gbkg.kg.settings import Settings

TOKEN = "evidence-api-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PROBIOTIC, DEPRESSION, IL6 = "gbkg:probiotic", "MONDO:0002050", "HGNC:6018"
DATA = Path(__file__).parent.parent / "data"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = Settings(
        store=str(tmp_path_factory.mktemp("evidence-api") / "store"),
        curator_tokens=f"tester:{TOKEN}",  # type: ignore[arg-type]
    )
    with TestClient(create_app(settings)) as c:
        yield c


def test_a_proposition_lists_its_lines_and_claims(client: TestClient) -> None:
    body = client.get("/evidence", params={"subject": PROBIOTIC, "object": DEPRESSION}).json()
    iri = body["propositions"][0]["id"]
    assert iri == body["lines"][0]["proposition"]
    found = client.get(f"/propositions/{iri}")
    assert found.status_code == 200
    prop = found.json()
    assert (prop["consensus"], prop["certainty"]) == ("supported", "moderate")
    assert prop["predicate"]["id"] == "gba:improves" and prop["subject"]["label"] == "probiotic"
    # the core proposition (no qualifiers) gathers the claims that narrow it by outcome
    assert prop["qualifiers"] == {} and len(prop["lines"]) == 1 and len(prop["claims"]) == 5
    narrower = {p["id"]: p["qualifiers"] for p in body["propositions"][1:]}
    assert sorted(q["outcome"] for q in narrower.values()) == ["depression", "depressive symptoms"]
    assert {c["proposition"] for c in prop["claims"]} == {iri, *narrower}
    by_hash = client.get(f"/propositions/{iri.rsplit('/', 1)[-1]}").json()
    assert by_hash["id"] == iri


def test_an_unknown_proposition_is_a_404_naming_it(client: TestClient) -> None:
    response = client.get("/propositions/0123456789abcdef01234567")
    assert response.status_code == 404
    assert response.json()["parameter"] == "id"


def test_markers_roll_up_and_exact_turns_it_off(client: TestClient) -> None:
    params = {"subject": PROBIOTIC, "object": "gbkg:inflammatory-marker"}
    rolled = client.get("/evidence", params=params).json()
    assert rolled["consensus"] == "no-effect" and rolled["counts"]["lines"] == 1
    (line,) = rolled["lines"]
    assert not line["reached"]["exact"]
    assert {(v["from"], v["how"]) for v in line["reached"]["via"]} == {
        (IL6, "marker"),
        ("HGNC:11892", "marker"),
    }
    exact = client.get("/evidence", params={**params, "exact": "true"}).json()
    assert exact["consensus"] == "insufficient" and exact["certainty"] is None


def test_roll_up_never_goes_upward(client: TestClient) -> None:
    # the curated claims are about depressive disorder: nothing about MDD in particular
    body = client.get("/evidence", params={"subject": PROBIOTIC, "object": "MONDO:0002009"})
    assert body.json()["consensus"] == "insufficient"


def test_entity_pages_and_listings_carry_the_evidence(client: TestClient) -> None:
    page = client.get(f"/entities/{PROBIOTIC}").json()
    props = {p["object"]["id"]: p for p in page["evidence"]["propositions"]}
    assert (props[DEPRESSION]["consensus"], props[DEPRESSION]["certainty"]) == (
        "supported",
        "moderate",
    )
    assert props[IL6]["consensus"] == "no-effect"
    # "probiotics, which target the gut microbiome" proposes an approach: no proposition
    assert "gbkg:gut-microbiota" not in props
    claim = page["claims"]["as_subject"]["data"][0]
    assert claim["proposition"].startswith("https://w3id.org/gbkg/proposition/")
    listed = client.get("/claims", params={"subject": PROBIOTIC, "object": DEPRESSION}).json()
    standing = {c["predicate"]: (c["consensus"], c.get("certainty")) for c in listed["data"]}
    assert standing == {
        "gba:improves": ("supported", "moderate"),
        "gba:studiedFor": ("insufficient", None),  # "one promising avenue": untested
    }
    effects = [c for c in listed["data"] if c["finding"] == "effect"]
    # one study; its line on each outcome it was measured as (depression, depressive symptoms)
    assert len(effects) == 4 and len({c["line"] for c in effects}) == 2


def test_the_evidence_named_queries(client: TestClient) -> None:
    names = {q["name"] for q in client.get("/queries").json()}
    assert {"evidence-lines", "propositions-by-certainty"} <= names
    lines = client.get(
        "/queries/evidence-lines", params={"subject": PROBIOTIC, "object": DEPRESSION}
    ).json()
    (row,) = lines["results"]["bindings"]
    assert row["direction"]["value"] == "supports" and row["claims"]["value"] == "4"
    ranked = client.get("/queries/propositions-by-certainty").json()["results"]["bindings"]
    # probiotic / depressive disorder (core, and by outcome: depression, depressive
    # symptoms), probiotic / IL-6, probiotic / TNF
    assert [r["certainty"]["value"] for r in ranked] == ["moderate"] * 5
    assert len({r["proposition"]["value"] for r in ranked}) == 5
    bad = client.get("/queries/propositions-by-certainty", params={"certainty": "sure"})
    assert bad.status_code == 400 and bad.json()["parameter"] == "certainty"
    missing = client.get("/queries/evidence-lines", params={"subject": PROBIOTIC})
    assert missing.status_code == 400 and missing.json()["parameter"] == "object"


def test_paths_explain_and_mark_assertions_and_product_changes(client: TestClient) -> None:
    body = client.get("/paths", params={"source": "gbkg:yogurt", "target": DEPRESSION}).json()
    (path,) = body["paths"]
    first, second = path["steps"]
    assert first["assertion_only"] and first["consensus"] == "insufficient"
    assert second["consensus"] == "supported" and not second["assertion_only"]
    assert path["qualifier_changes"] and "product kind" in path["qualifier_changes"][0]
    assert "asserted by 1 source" in path["explanation"]
    assert path["score"] < second["weight"] * first["weight"]


def test_paths_rank_contested_steps_below_supported_ones(client: TestClient) -> None:
    """Ng 2018 (tests/data) makes the probiotic → depression step contested."""
    before = client.get("/paths", params={"source": PROBIOTIC, "target": DEPRESSION}).json()
    step = before["paths"][0]["steps"][0]
    assert step["consensus"] == "supported" and step["weight"] == 0.8
    ng = json.loads((DATA / "ng2018.json").read_text(encoding="utf-8"))["claims"][0]
    posted = client.post("/claims", json=ng, headers=AUTH)
    assert posted.status_code == 201, posted.text
    try:
        after = client.get("/paths", params={"source": PROBIOTIC, "target": DEPRESSION}).json()
        step = after["paths"][0]["steps"][0]
        assert step["consensus"] == "contested" and step["lines"] == 2
        assert step["weight"] < 0.8
        assert "contested" in after["paths"][0]["explanation"]
    finally:
        local = posted.json()["id"].rsplit("/", 1)[-1]
        client.post(f"/claims/{local}/retract", json={"reason": "test"}, headers=AUTH)
    again = client.get("/paths", params={"source": PROBIOTIC, "target": DEPRESSION}).json()
    assert again["paths"][0]["steps"][0]["consensus"] == "supported"


def test_the_entity_page_names_each_propositions_qualifiers(client: TestClient) -> None:
    """A group is a proposition: its outcome is in its heading, a context only when all
    its claims share it, and the core proposition says it weighs the narrower claims."""
    page = client.get(f"/entities/{PROBIOTIC}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    text = " ".join(page.text.split())
    assert 'outcome: depressive symptoms' in text
    assert "weighed with the 4 claims of this pair that narrow it by outcome or comparator" in text


def test_an_entity_lists_its_most_discussed_partners_first_up_to_the_limit(
    client: TestClient,
) -> None:
    """Only `limit` partners are weighed (a hub entity costs what they cost); the answer
    says how many there are."""
    full = client.get(f"/entities/{PROBIOTIC}").json()["evidence"]
    short = client.get(f"/entities/{PROBIOTIC}", params={"limit": 2}).json()["evidence"]
    assert short["partners"] == full["partners"] > 2
    assert len(short["propositions"]) == 2
    assert short["propositions"][0]["object"]["id"] == DEPRESSION  # the most claims
    assert short["propositions"] == full["propositions"][:2]
