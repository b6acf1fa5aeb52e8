"""The extended claim record over HTTP: new fields in and out (JSON and RDF), one 422 with
form and shape errors together, warnings returned with a stored claim, near misses."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.test_model import base_claim

TURTLE = "text/turtle"


def post(client: TestClient, body: Any, auth: dict[str, str]) -> Any:
    return client.post("/claims", json=body, headers=auth)


def fields(response: Any) -> set[str | None]:
    return {v["field"] for v in response.json()["violations"]}


def huang_subgroup(**changes: Any) -> dict[str, Any]:
    """Huang et al. 2016's "over 65" subgroup (test data, not a curated claim)."""
    claim = base_claim(
        subject="gbkg:probiotic",
        predicate="gba:improves",
        object="MONDO:0002050",
        finding="null",
        statement="In people over 65, probiotics did not lower depression-scale scores.",
        quote="over 65 −0.18 (−0.47 to 0.11), p = 0.22",
        quote_position=None,
        source={"title": "Effect of Probiotics on Depression", "type": "meta-analysis",
                "doi": "10.3390/nu8080483", "journal": "Nutrients", "year": 2016},
        primary_source=None,
        evidence={"study_design": "meta-analysis"},
        statistics={"effect_measure": "MD", "effect_size": -0.18, "ci_low": -0.47,
                    "ci_high": 0.11, "ci_level": 95, "p_value": 0.22,
                    "analysis_model": "random", "n_studies": 3},
        context={"age": "over 65", "population": ["adults", "older adults"]},
        comparator="placebo",
        outcome={"measure": "depressive symptoms", "instrument": "depression scale",
                 "benefit_direction": "lower"},
        subgroup_of="claim:" + "0" * 32,
    )  # fmt: skip
    claim = {k: v for k, v in claim.items() if v is not None}
    claim.update(changes)
    return claim


def test_new_fields_go_in_and_come_out(client: TestClient, auth: dict[str, str]) -> None:
    response = post(client, huang_subgroup(), auth)
    assert response.status_code == 201, response.text
    stored = response.json()
    assert "warnings" not in stored
    assert stored["comparator"] == "placebo"
    assert stored["outcome"] == {
        "measure": "depressive symptoms",
        "instrument": "depression scale",
        "benefit_direction": "lower",
    }
    assert stored["subgroup_of"] == "claim:" + "0" * 32
    assert stored["context"] == {"population": ["adults", "older adults"], "age": "over 65"}
    assert stored["statistics"]["analysis_model"] == "random"
    read = client.get(response.headers["location"])
    assert read.json() == stored
    # The same claim as Turtle, read from the claim's own RDF: the same claim.
    turtle = client.get(response.headers["location"], headers={"Accept": TURTLE}).text
    again = client.post("/claims", content=turtle, headers={**auth, "Content-Type": TURTLE})
    assert again.status_code == 200, again.text
    assert again.json()["id"] == stored["id"]


def test_a_p_bound_goes_in_and_comes_out(client: TestClient, auth: dict[str, str]) -> None:
    claim = huang_subgroup(
        finding="effect",
        statement="Probiotics lowered depression-scale scores.",
        quote="MD −0.30 (95% CI −0.51 to −0.09), p < 0.01",
        statistics={"effect_measure": "MD", "effect_size": -0.3, "ci_low": -0.51,
                    "ci_high": -0.09, "p_value": "<0.01"},
        context={"population": "adults"},
    )  # fmt: skip
    claim.pop("subgroup_of")
    response = post(client, claim, auth)
    assert response.status_code == 201, response.text
    assert response.json()["statistics"]["p_value"] == 0.01
    assert response.json()["statistics"]["p_relation"] == "<"


def test_form_and_shape_errors_come_back_in_one_422(
    client: TestClient, auth: dict[str, str]
) -> None:
    """A malformed field and a broken rule elsewhere: both named in one answer."""
    bad = base_claim(
        finding="maybe",  # form: not a finding
        statistics={"effect_measure": "SMD", "effect_size": -0.1, "ci_low": -0.35,
                    "ci_high": 0.15, "p_value": 1.5},  # shape: p above 1
        evidence={"study_design": "meta-analysis", "n_studies": 7, "n_participants": 3},
    )  # fmt: skip
    response = post(client, bad, auth)
    assert response.status_code == 422
    assert {"finding", "statistics.p_value", "evidence.n_participants"} <= fields(response)
    # A rule on the malformed field itself ("finding is required") is not reported again.
    assert [v["field"] for v in response.json()["violations"]].count("finding") == 1
    dry = client.post("/claims/validate", json=bad)
    assert dry.status_code == 200 and dry.json()["conforms"] is False
    assert {"finding", "statistics.p_value", "evidence.n_participants"} <= fields(dry)


def test_rdf_form_and_shape_errors_come_back_together(
    client: TestClient, auth: dict[str, str]
) -> None:
    response = post(client, huang_subgroup(), auth)
    turtle = client.get(response.headers["location"], headers={"Accept": TURTLE}).text
    broken = turtle.replace("gba:pValue 0.22", "gba:pValue 0.22 ; gba:pvalue 0.2").replace(
        '"over 65"', '"FOO:65"'
    )
    assert broken != turtle
    again = client.post("/claims", content=broken, headers={**auth, "Content-Type": TURTLE})
    assert again.status_code == 422, again.text
    found = {v["field"]: v["message"] for v in again.json()["violations"]}
    assert "did you mean gba:pValue?" in found["statistics.pvalue"]
    assert "prefix 'FOO' is unknown" in found["context.age"]


def test_an_unknown_entity_type_lists_the_allowed_ones(
    client: TestClient, auth: dict[str, str]
) -> None:
    claim = base_claim(
        context={"strain": "gbkg:new-strain"},
        entities=[{"id": "gbkg:new-strain", "label": "a new strain",
                   "type": ["gba:MicrobialTaxn"]}],
    )  # fmt: skip
    response = post(client, claim, auth)
    assert response.status_code == 422
    [violation] = [v for v in response.json()["violations"] if v["field"] == "entities.0.type"]
    assert "gba:MicrobialTaxn is not an entity class" in violation["message"]
    assert "did you mean gba:MicrobialTaxon?" in violation["message"]
    for allowed in ("gba:Condition", "gba:MicrobialTaxon", "gba:Probiotic", "gba:Food"):
        assert allowed in violation["message"]


def test_an_unknown_entity_gets_the_nearest_known_one(
    client: TestClient, auth: dict[str, str]
) -> None:
    response = post(client, base_claim(subject="gbkg:probiotics"), auth)
    assert response.status_code == 422
    [subject] = [v for v in response.json()["violations"] if v["field"] == "subject"]
    assert "did you mean gbkg:probiotic?" in subject["message"]


def test_warnings_come_back_with_a_stored_claim(client: TestClient, auth: dict[str, str]) -> None:
    claim = base_claim(quote="Probiotics may not lower IL-6 or TNF-α levels much at all",
                       quote_position=None)  # fmt: skip
    dry = client.post("/claims/validate", json=claim)
    assert dry.json()["conforms"] is True
    assert [(v["field"], v["severity"]) for v in dry.json()["violations"]] == [
        ("hedged", "warning")
    ]
    response = post(client, claim, auth)
    assert response.status_code == 201, response.text
    [warning] = response.json()["warnings"]
    assert warning["field"] == "hedged" and warning["severity"] == "warning"
    assert 'it says "may"' in warning["message"]
    # The answer can be sent back as it is: its warnings are not a field of the record.
    again = post(client, response.json(), auth)
    assert again.status_code == 200 and again.json()["id"] == response.json()["id"]
