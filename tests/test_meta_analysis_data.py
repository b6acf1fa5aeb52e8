"""The test data from two published meta-analyses (tests/data/) are valid claims."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gbkg.kg.ids import expand
from gbkg.kg.model import ClaimIn

DATA = Path(__file__).parent / "data"
FILES = ("ng2018.json", "huang2016.json")


def load(name: str) -> list[dict[str, Any]]:
    """The claims of one test-data file."""
    return json.loads((DATA / name).read_text(encoding="utf-8"))["claims"]


def test_the_files_hold_what_the_papers_report() -> None:
    ng = load("ng2018.json")
    assert [c["finding"] for c in ng] == ["null"]
    assert ng[0]["statistics"]["p_value"] == 0.059
    huang = load("huang2016.json")
    assert [c["finding"] for c in huang] == ["effect"] * 4 + ["null"]
    assert [c["statistics"]["effect_size"] for c in huang] == [-0.30, -0.25, -0.73, -0.43, -0.18]
    assert {c["outcome"]["benefit_direction"] for c in ng + huang} == {"lower"}
    assert ng[0]["comparator"] == "placebo"
    for claim in ng + huang:  # short spans anchored by their context, never by offsets
        assert claim["quote_prefix"] and claim["quote_suffix"] and "quote_position" not in claim


def test_huangs_subgroups_point_at_the_overall_result() -> None:
    overall, *subgroups = load("huang2016.json")
    iri = ClaimIn.model_validate(overall).iri
    for claim in subgroups:
        assert str(expand(claim["subgroup_of"])) == iri, "regenerate subgroup_of (see README)"
        assert claim["context"], "a subgroup carries what makes it one"


@pytest.mark.parametrize("name", FILES)
def test_every_claim_is_accepted_by_post_claims(
    client: TestClient, auth: dict[str, str], name: str
) -> None:
    for claim in load(name):
        response = client.post("/claims", json=claim, headers=auth)
        assert response.status_code == 201, response.text
        stored = client.get("/claims/" + response.json()["id"].rsplit("/", 1)[-1]).json()
        for field in ("comparator", "outcome", "subgroup_of", "context", "quote_prefix"):
            assert stored.get(field) == claim.get(field), field
        numbers = {k: v for k, v in claim["statistics"].items() if k != "analysis_model"}
        assert {k: stored["statistics"][k] for k in numbers} == pytest.approx(numbers)
