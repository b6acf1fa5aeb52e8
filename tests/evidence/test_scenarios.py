"""Evidence scenarios from published results, posted through ``POST /claims`` into a real
store and weighed by ``GET /evidence``: each gives its documented verdict.

The scenarios are data (``scenarios/*.json``): which claims to post (on the curated graph
or on the known entities alone), which to retract, the question, and what a reader must
see. ``docs/evidence.md`` walks through each.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from gbkg.api.app import create_app
from gbkg.kg.bootstrap import ensure_loaded
from gbkg.kg.namespaces import ENTITIES_GRAPH
from gbkg.kg.settings import Settings
from gbkg.kg.store import OxigraphStore

HERE = Path(__file__).parent / "scenarios"
TOKEN = "scenario-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CERTAINTY = ["very low", "low", "moderate", "high"]
SCENARIOS = sorted(p.stem for p in HERE.glob("*.json"))


DATA = Path(__file__).parent.parent / "data"


def claim_json(entry: dict[str, Any], ids: list[str]) -> dict[str, Any]:
    """A claim of a scenario: inline, or claim ``index`` of a ``tests/data`` file with
    fields overridden; ``"$N"`` stands for the IRI of the scenario's N-th posted claim."""
    if "data" in entry:
        base = json.loads((DATA / entry["data"]).read_text(encoding="utf-8"))["claims"]
        entry = {
            **base[entry["index"]],
            **{k: v for k, v in entry.items() if k not in ("data", "index")},
        }
    return {
        k: ids[int(v[1:])] if isinstance(v, str) and v.startswith("$") else v
        for k, v in entry.items()
        if not k.startswith("_")
    }


def scenario_app(tmp: Path, scenario: dict[str, Any]) -> Iterator[TestClient]:
    path = tmp / "store"
    store = OxigraphStore(path)
    ensure_loaded(store, curated=scenario["curated"])
    if "hierarchy" in scenario:
        text = (HERE / scenario["hierarchy"]).read_bytes()
        store.extend(
            ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(str(ENTITIES_GRAPH)))
            for t in ox.parse(text, format=ox.RdfFormat.TURTLE)
        )
        store.flush()
    store.close()
    settings = Settings(
        store=str(path),
        load_curated=scenario["curated"],
        curator_tokens=f"tester:{TOKEN}",  # type: ignore[arg-type]
    )
    with TestClient(create_app(settings)) as client:
        yield client


def run(tmp: Path, name: str) -> tuple[dict[str, Any], dict[str, Any], TestClient, Iterator[Any]]:
    scenario = json.loads((HERE / f"{name}.json").read_text(encoding="utf-8"))
    apps = scenario_app(tmp, scenario)
    client = next(apps)
    ids = []
    for entry in scenario["claims"]:
        response = client.post("/claims", json=claim_json(entry, ids), headers=AUTH)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    for index in scenario.get("retract", []):
        local = ids[index].rsplit("/", 1)[-1]
        retracted = client.post(f"/claims/{local}/retract", json={"reason": "test"}, headers=AUTH)
        assert retracted.status_code == 200, retracted.text
    body = client.get("/evidence", params=scenario["question"]).json()
    return scenario, body, client, apps


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_gives_its_documented_verdict(tmp_path: Path, name: str) -> None:
    scenario, body, client, apps = run(tmp_path, name)
    expect = scenario["expect"]
    try:
        assert body["consensus"] == expect["consensus"], body["reasons"]
        assert body["counts"]["lines"] == expect["lines"]
        for key in ("supports", "no_effect", "claims"):
            if key in expect:
                assert body["counts"][key] == expect[key]
        if "certainty_at_most" in expect:
            assert CERTAINTY.index(body["certainty"]) <= CERTAINTY.index(
                expect["certainty_at_most"]
            )
        if expect.get("reported_through"):
            assert all(line["reported_through"] for line in body["lines"])
        if "separated_by" in expect:
            reason = next(r for r in body["reasons"] if "separated by" in r)
            assert all(f in reason for f in expect["separated_by"])
            assert {s["direction"] for s in body["strata"]} >= {"supports", "no-effect"}
        if "via" in expect:
            (line,) = body["lines"]
            assert not line["reached"]["exact"]
            assert [[v["from"], v["to"], v["how"]] for v in line["reached"]["via"]] == expect["via"]
        if "includes" in expect:
            (line,) = body["lines"]
            assert len(line["includes"]) == expect["includes"]
            assert line["study"]["independence"] == expect["independence"]
            assert line["includes"][0]["study"]["independence"] == expect["independence"]
        if "exact_consensus" in expect:
            exact = client.get("/evidence", params={**scenario["question"], "exact": "true"})
            assert exact.json()["consensus"] == expect["exact_consensus"]
        if "upward" in expect:
            up = expect["upward"]
            narrow = client.get(
                "/evidence", params={"subject": up["subject"], "object": up["object"]}
            )
            assert narrow.json()["counts"]["lines"] == up["lines"]
        assert body["reasons"] and body["rule"]
    finally:
        apps.close()
