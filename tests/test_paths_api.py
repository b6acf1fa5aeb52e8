"""``/paths`` and ``/evidence`` over HTTP, kept in step with writes."""

from __future__ import annotations

from fastapi.testclient import TestClient
from linking_support import claim_data

PROBLEM = "application/problem+json"
PROBIOTIC, MICROBIOTA, BRAIN = "gbkg:probiotic", "gbkg:gut-microbiota", "UBERON:0000955"
DEPRESSION, SEROTONIN = "MONDO:0002050", "CHEBI:28790"


def labels(path: dict) -> list[str]:
    steps = path["steps"]
    return [steps[0]["from"]["label"]] + [s["to"]["label"] for s in steps]


def test_paths_from_probiotics_to_depression(client: TestClient) -> None:
    response = client.get("/paths", params={"source": PROBIOTIC, "target": DEPRESSION})
    assert response.status_code == 200
    body = response.json()
    assert body["max_hops"] == 4 and "score" in body["scoring"]
    best = body["paths"][0]
    assert labels(best) == ["probiotic", "depressive disorder"]
    step = best["steps"][0]
    assert step["relation"] == {"id": "gba:improves", "label": "improves"}
    assert (step["consensus"], step["certainty"], step["lines"]) == ("supported", "moderate", 1)
    assert not step["assertion_only"] and len(step["claims"]) == 5
    assert best["explanation"].startswith(
        "probiotic → depressive disorder: supported by 1 meta-analysis (moderate certainty"
    )
    assert step["proposition"].startswith("https://w3id.org/gbkg/proposition/")
    claim = client.get(f"/claims/{step['claims'][0]['id'].rsplit('/', 1)[-1]}")
    assert claim.status_code == 200 and claim.json()["predicate"] == "gba:improves"


def test_paths_follow_a_post_and_a_retraction(client: TestClient, auth: dict[str, str]) -> None:
    params = {"source": PROBIOTIC, "target": BRAIN}
    curated = client.get("/paths", params=params).json()
    assert curated["count"] == 0  # the article states no effect of probiotics on the microbiota
    data = claim_data(PROBIOTIC, "gba:increases", MICROBIOTA, design="rct")
    posted = client.post("/claims", json=data, headers=auth)
    assert posted.status_code == 201
    claim_id = posted.json()["id"]
    body = client.get("/paths", params=params).json()
    assert body["count"] == 1
    path = body["paths"][0]
    assert labels(path) == ["probiotic", "gut microbiota", "brain"]
    assert [c["id"] for c in path["steps"][0]["claims"]] == [claim_id]
    assert path["steps"][1]["relation"]["label"] == "communicates with"
    # one RCT, no CI or participants recorded: supported, high certainty; then an assertion
    assert path["steps"][0]["consensus"] == "supported"
    assert path["score"] == round(1.0 * 0.35, 6)
    retracted = client.post(
        f"/claims/{claim_id.rsplit('/', 1)[-1]}/retract", json={"reason": "test"}, headers=auth
    )
    assert retracted.status_code == 200
    assert client.get("/paths", params=params).json() == curated


def test_paths_parameters_are_checked(client: TestClient) -> None:
    bad = client.get("/paths", params={"source": "nope:1", "target": DEPRESSION})
    assert bad.status_code == 400 and bad.headers["content-type"] == PROBLEM
    assert bad.json()["parameter"] == "source"
    unknown = client.get("/paths", params={"source": PROBIOTIC, "target": "gbkg:nothing"})
    assert unknown.status_code == 404 and unknown.json()["parameter"] == "target"
    for hops in (0, 7):
        response = client.get(
            "/paths", params={"source": PROBIOTIC, "target": DEPRESSION, "max_hops": hops}
        )
        assert response.status_code == 422 and response.headers["content-type"] == PROBLEM
    missing = client.get("/paths", params={"source": PROBIOTIC})
    assert missing.status_code == 422


def test_evidence_for_probiotics_and_depression(client: TestClient) -> None:
    response = client.get("/evidence", params={"subject": PROBIOTIC, "object": DEPRESSION})
    assert response.status_code == 200
    body = response.json()
    assert (body["consensus"], body["certainty"]) == ("supported", "moderate")
    assert body["relation"] == {"id": "gba:improves", "label": "improves"}
    assert body["direction"] == "forward"
    assert body["counts"] == {"lines": 1, "supports": 1, "no_effect": 0, "disputes": 0,
                              "undetermined": 0, "claims": 4, "assertions": 2}  # fmt: skip
    assert "2 assertions listed, not counted" in body["reasons"]  # what the list shows
    assert len(body["assertions"]) == 2
    assert "supported" in body["rule"]
    (line,) = body["lines"]
    assert line["study"]["design"] == "meta-analysis" and line["reported_through"]
    claim = line["claims"][0]
    assert claim["subject"]["label"] == "probiotic" and claim["object"]["label"]
    assert claim["source"]["title"] and line["proposition"] == body["propositions"][0]["id"]
    assert claim["proposition"] in {p["id"] for p in body["propositions"]}


def test_evidence_follows_writes_and_retractions(client: TestClient, auth: dict[str, str]) -> None:
    params = {"subject": PROBIOTIC, "object": SEROTONIN}
    assert client.get("/evidence", params=params).json()["consensus"] == "insufficient"
    ids = []
    for data in (
        claim_data(PROBIOTIC, "gba:increases", SEROTONIN),
        claim_data(PROBIOTIC, "gba:increases", SEROTONIN, "null"),
    ):
        response = client.post("/claims", json=data, headers=auth)
        assert response.status_code == 201
        ids.append(response.json()["id"])
    assert client.get("/evidence", params=params).json()["consensus"] == "contested"
    null = ids[1].rsplit("/", 1)[-1]
    client.post(f"/claims/{null}/retract", json={"reason": "test"}, headers=auth)
    body = client.get("/evidence", params=params).json()
    assert body["consensus"] == "supported" and body["counts"]["no_effect"] == 0
    again = client.get("/evidence", params={**params, "include_retracted": "true"}).json()
    assert again["consensus"] == "contested"
    statuses = {c["status"] for line in again["lines"] for c in line["claims"]}
    assert statuses == {"active", "retracted"}


def test_a_proposition_follows_writes_and_retractions(
    client: TestClient, auth: dict[str, str]
) -> None:
    """The proposition index is kept in step with writes, not rebuilt: a new claim's
    proposition answers at once, and disappears with its only claim."""
    data = claim_data(PROBIOTIC, "gba:decreases", BRAIN, design="rct")
    posted = client.post("/claims", json=data, headers=auth)
    assert posted.status_code == 201
    claim = client.get(f"/claims?subject={PROBIOTIC}&object={BRAIN}").json()["data"][0]
    iri = claim["proposition"]
    found = client.get(f"/propositions/{iri}")
    assert found.status_code == 200 and [c["id"] for c in found.json()["claims"]] == [claim["id"]]
    local = claim["id"].rsplit("/", 1)[-1]
    assert client.post(f"/claims/{local}/retract", json={"reason": "test"}, headers=auth).is_success
    assert client.get(f"/propositions/{iri}").status_code == 404


def test_evidence_parameters_are_checked(client: TestClient) -> None:
    bad = client.get("/evidence", params={"subject": PROBIOTIC, "object": "bad curie"})
    assert bad.status_code == 400 and bad.headers["content-type"] == PROBLEM
    assert bad.json()["parameter"] == "object"
    unknown = client.get("/evidence", params={"subject": "gbkg:nothing", "object": DEPRESSION})
    assert unknown.status_code == 404 and unknown.json()["parameter"] == "subject"
    assert client.get("/evidence", params={"subject": PROBIOTIC}).status_code == 422


def test_evidence_rolls_up_an_entity_a_write_describes(
    client: TestClient, auth: dict[str, str]
) -> None:
    """The roll-up follows writes: a new strain described with its genus as broader, in a
    claim posted after the genus's evidence was first asked for, reaches the genus."""
    params = {"subject": "NCBITaxon:1678", "object": DEPRESSION}
    assert client.get("/evidence", params=params).json()["consensus"] == "insufficient"
    strain = {"id": "gbkg:test-strain-b1", "label": "test strain B1",
              "type": "gba:MicrobialTaxon", "broader": "NCBITaxon:1678"}  # fmt: skip
    data = claim_data("gbkg:test-strain-b1", "gba:improves", DEPRESSION, design="rct",
                      entities=[strain])  # fmt: skip
    posted = client.post("/claims", json=data, headers=auth)
    assert posted.status_code == 201, posted.text
    body = client.get("/evidence", params=params).json()
    assert body["consensus"] == "supported" and body["counts"]["lines"] == 1
    (line,) = body["lines"]
    assert [v["from"] for v in line["reached"]["via"]] == ["gbkg:test-strain-b1"]
