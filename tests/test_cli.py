"""``gbkg``: the commands a newcomer runs first, and their answers to bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Dataset

from gbkg.cli import main
from gbkg.kg.store import OxigraphStore
from tests.test_model import base_claim


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def store_dir(tmp_path: Path) -> str:
    return str(tmp_path / "store")


def store_quads(path: str) -> set[str]:
    store = OxigraphStore(path)
    quads = set(map(str, store.quads()))
    store.close()
    return quads


def test_stats_on_first_use_loads_the_curated_claims(capsys, store_dir) -> None:
    code, out, _ = run(capsys, "--store", store_dir, "stats")
    assert code == 0
    lines = dict(
        line.split(None, 1) for line in out.splitlines() if line and not line.startswith(" ")
    )
    assert int(lines["claims"]) >= 20
    assert "null" in out and "effect" in out


def test_validate_the_whole_store(capsys, store_dir) -> None:
    code, out, err = run(capsys, "--store", store_dir, "validate")
    assert code == 0, err
    assert "ok" in out


def test_query_null_results(capsys, store_dir) -> None:
    code, out, _ = run(capsys, "--store", store_dir, "query", "null-results", "--format", "json")
    assert code == 0
    rows = json.loads(out)["results"]["bindings"]
    text = json.dumps(rows)
    assert len({r["claim"]["value"] for r in rows}) == 2
    assert "IL-6" in text or "interleukin" in text.lower()
    code, table, _ = run(capsys, "--store", store_dir, "query", "null-results")
    assert code == 0 and "(2 rows)" in table


def test_query_with_a_parameter_and_csv(capsys, store_dir) -> None:
    code, out, _ = run(
        capsys,
        "--store",
        store_dir,
        "query",
        "claims-about",
        "--param",
        "entity=CHEBI:28790",
        "--format",
        "csv",
    )
    assert code == 0
    assert out.count("\n") >= 2


def test_query_with_a_bad_parameter(capsys, store_dir) -> None:
    code, _, err = run(
        capsys, "--store", store_dir, "query", "claims-about", "--param", "entity=nosuch:1"
    )
    assert code == 2
    assert "entity" in err


def test_unknown_query_name(capsys, store_dir) -> None:
    code, _, err = run(capsys, "--store", store_dir, "query", "no-such-query")
    assert code == 2 and "no-such-query" in err


def test_export_trig_is_the_store(capsys, store_dir, tmp_path) -> None:
    code, out, _ = run(capsys, "--store", store_dir, "export", "--format", "nquads")
    assert code == 0
    exported = Dataset()
    exported.parse(data=out, format="nquads")
    assert len(set(exported.quads())) == len(store_quads(store_dir))


def test_load_good_json_then_again(capsys, store_dir, tmp_path) -> None:
    path = tmp_path / "claims.json"
    path.write_text(json.dumps([base_claim(), base_claim(hedged=True)]), encoding="utf-8")
    code, out, err = run(capsys, "--store", store_dir, "load", str(path))
    assert code == 0, err
    assert "2 claim(s) stored" in out
    code, out, _ = run(capsys, "--store", store_dir, "load", str(path))
    assert code == 0 and "0 claim(s) stored, 2 already present" in out


def test_load_refuses_the_whole_file_on_one_violation(capsys, store_dir, tmp_path) -> None:
    run(capsys, "--store", store_dir, "stats")
    before = store_quads(store_dir)
    bad = base_claim(statistics={"effect_measure": "SMD", "effect_size": 0.1, "p_value": 1.7})
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps([base_claim(), bad]), encoding="utf-8")
    code, _, err = run(capsys, "--store", store_dir, "load", str(path))
    assert code == 1
    assert "statistics.p_value" in err
    assert store_quads(store_dir) == before


STRAIN = {"id": "NCBITaxon:2960001", "label": "L. testensis GB-1", "type": "gba:MicrobialTaxon"}


def test_load_a_file_whose_first_claim_describes_an_entity_the_next_uses(
    capsys, store_dir, tmp_path
) -> None:
    described = base_claim(subject=STRAIN["id"], entities=[STRAIN])
    used = base_claim(subject=STRAIN["id"], hedged=True)
    path = tmp_path / "strain.json"
    path.write_text(json.dumps([described, used]), encoding="utf-8")
    code, out, err = run(capsys, "--store", store_dir, "validate", str(path))
    assert code == 0, err
    code, out, err = run(capsys, "--store", store_dir, "load", str(path))
    assert code == 0, err
    assert "2 claim(s) stored" in out


def test_load_refuses_two_descriptions_of_one_new_source(capsys, store_dir, tmp_path) -> None:
    run(capsys, "--store", store_dir, "stats")
    before = store_quads(store_dir)
    source = {"url": "https://example.org/report", "title": "A report", "type": "report"}
    first = base_claim(source={**source, "publisher": "Example Press"})
    second = base_claim(source={**source, "publisher": "Mallory Press"}, hedged=True)
    path = tmp_path / "sources.json"
    path.write_text(json.dumps([first, second]), encoding="utf-8")
    code, _, err = run(capsys, "--store", store_dir, "validate", str(path))
    assert code == 1 and err.count("does not conform") == 1
    assert "source.publisher" in err and "Example Press" in err
    code, _, err = run(capsys, "--store", store_dir, "load", str(path))
    assert code == 1
    assert "1.source.publisher" in err and "Example Press" in err
    assert store_quads(store_dir) == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.json", "{not json", "not valid JSON"),
        ("broken.trig", "<a> <b> {", "does not parse"),
        ("claims.xlsx", "x", "unknown file type"),
        ("empty.ttl", "<https://e.org/a> <https://e.org/b> <https://e.org/c> .", "no claim"),
    ],
)
def test_load_bad_files(capsys, store_dir, tmp_path, name, content, message) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    code, _, err = run(capsys, "--store", store_dir, "load", str(path))
    assert code == 2
    assert message in err


def test_load_a_missing_file(capsys, store_dir, tmp_path) -> None:
    code, _, err = run(capsys, "--store", store_dir, "load", str(tmp_path / "nope.trig"))
    assert code == 2 and "no such file" in err


def test_exported_claims_load_into_a_fresh_store(capsys, tmp_path, monkeypatch) -> None:
    first, second = str(tmp_path / "a"), str(tmp_path / "b")
    run(capsys, "--store", first, "stats")
    code, out, _ = run(capsys, "--store", first, "export", "--format", "trig")
    export = tmp_path / "export.trig"
    export.write_text(out, encoding="utf-8")
    monkeypatch.setenv("GBKG_LOAD_CURATED", "false")
    code, out, err = run(capsys, "--store", second, "load", str(export))
    assert code == 0, err
    assert "already present" in out
    assert store_quads(second) == store_quads(first)


def test_validate_a_bad_file_exits_1(capsys, store_dir, tmp_path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(base_claim(statistics={"p_value": 2})), encoding="utf-8")
    code, _, err = run(capsys, "--store", store_dir, "validate", str(path))
    assert code == 1
    assert "p_value" in err


def test_validate_finds_a_bad_claim_that_bypassed_the_checks(capsys, store_dir) -> None:
    from gbkg.kg.bootstrap import ensure_loaded
    from gbkg.kg.model import Claim
    from gbkg.kg.record.form import parse_claim
    from gbkg.kg.record.writer import claim_quads

    store = OxigraphStore(store_dir)
    ensure_loaded(store)
    bad = parse_claim(base_claim(statistics={"effect_measure": "SMD", "p_value": 1.5}), Claim)
    store.extend(claim_quads(bad.model_copy(update={"curator": "raw"})))
    store.close()
    code, _, err = run(capsys, "--store", store_dir, "validate")
    assert code == 1
    assert "statistics.p_value" in err and "store: does not conform" in err


def test_validate_finds_an_entity_made_a_source_before_the_rule(capsys, store_dir) -> None:
    from gbkg.kg.bootstrap import ensure_loaded
    from gbkg.kg.model import Claim
    from gbkg.kg.record.form import parse_claim
    from gbkg.kg.record.writer import claim_quads

    store = OxigraphStore(store_dir)
    ensure_loaded(store)
    serotonin = {"id": "CHEBI:28790", "title": "Serotonin Times", "type": "news-article"}
    damage = parse_claim(base_claim(source=serotonin, curator="raw"), Claim)
    store.extend(claim_quads(damage))
    store.close()
    code, _, err = run(capsys, "--store", store_dir, "validate")
    assert code == 1
    assert "source.type" in err and "also typed as an entity or a claim" in err


def test_paths_prints_each_step_with_its_finding(capsys, store_dir) -> None:
    code, out, _ = run(capsys, "--store", store_dir, "paths", "gbkg:probiotic", "UBERON:0000955")
    assert code == 0
    assert "probiotic --affects [assertion]--> gut microbiota" in out
    assert "gut microbiota --communicates with [assertion]--> brain" in out


def test_paths_without_a_path_exits_1(capsys, store_dir) -> None:
    code, out, _ = run(capsys, "--store", store_dir, "paths", "gbkg:probiotic", "UBERON:0001759")
    assert code == 1 and "no path" in out


def test_paths_with_an_unknown_prefix_exits_2(capsys, store_dir) -> None:
    code, _, err = run(capsys, "--store", store_dir, "paths", "gbkg:probiotic", "nosuch:1")
    assert code == 2 and "nosuch" in err


def test_queries_lists_the_catalog(capsys, store_dir) -> None:
    code, out, _ = run(capsys, "--store", store_dir, "queries")
    assert code == 0
    assert "claims-about" in out and "entity (iri)" in out


def test_no_command_prints_help(capsys) -> None:
    code, out, _ = run(capsys)
    assert code == 2 and "serve" in out
