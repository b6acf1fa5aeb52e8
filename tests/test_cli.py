"""``gbkg``: the commands a newcomer runs first, and their answers to bad input."""

from __future__ import annotations

import argparse
import io
import json
import socket
import sys
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
    code, out, _ = run(capsys, "--store", store_dir, "paths", "gbkg:yogurt", "MONDO:0002050")
    assert code == 0
    assert "yogurt --contains [assertion only]--> probiotic" in out
    assert "probiotic --improves [supported, moderate]--> depressive disorder" in out
    assert "why: yogurt → probiotic: asserted by 1 source, not tested" in out


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


# --- issue 7: rough edges ---------------------------------------------------------


def test_store_may_follow_the_command(capsys, store_dir) -> None:
    code, out, err = run(capsys, "stats", "--store", store_dir)
    assert code == 0, err
    assert Path(store_dir).is_dir() and "claims" in out


def test_store_before_the_command_still_works_and_after_wins(capsys, tmp_path) -> None:
    before, after = tmp_path / "before", tmp_path / "after"
    code, _, err = run(capsys, "--store", str(before), "stats", "--store", str(after))
    assert code == 0, err
    assert after.is_dir() and not before.exists()


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def test_every_command_and_option_has_help() -> None:
    from gbkg.cli import _parser

    parser = _parser()
    commands = _subparsers(parser)
    assert {"serve", "load", "validate", "query", "queries", "export", "stats"} <= set(commands)
    choices = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    described = {a.dest: a.help for a in choices._choices_actions}
    missing = [name for name in commands if not described.get(name)]
    for name, sub in [("gbkg", parser), *commands.items()]:
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
                continue
            if not action.help or action.help == argparse.SUPPRESS:
                missing.append(f"{name} {'/'.join(action.option_strings) or action.dest}")
    assert missing == []


def test_help_of_a_command_describes_it(capsys) -> None:
    with pytest.raises(SystemExit) as exit:
        main(["query", "--help"])
    assert exit.value.code == 0
    out = capsys.readouterr().out
    assert "--param" in out and "--wide" in out and "named query" in out


def test_a_bad_setting_is_one_line_and_exit_2(capsys, store_dir, monkeypatch) -> None:
    monkeypatch.setenv("GBKG_QUERY_TIMEOUT_S", "abc")
    code, _, err = run(capsys, "--store", store_dir, "stats")
    assert code == 2
    assert err.count("\n") == 1 and "GBKG_QUERY_TIMEOUT_S" in err and "abc" in err
    assert "Traceback" not in err and "pydantic" not in err


def test_a_bad_setting_stops_serve_before_anything_starts(capsys, store_dir, monkeypatch) -> None:
    monkeypatch.setenv("GBKG_QUERY_WORKERS", "0")
    code, _, err = run(capsys, "serve", "--store", store_dir, "--port", "1")
    assert code == 2
    assert err.count("\n") == 1 and "GBKG_QUERY_WORKERS" in err
    assert not Path(store_dir).exists()


def test_a_secret_setting_is_named_not_shown(capsys, store_dir, monkeypatch) -> None:
    monkeypatch.setenv("GBKG_CURATOR_TOKENS", "alice-without-a-token-s3cret")
    code, _, err = run(capsys, "--store", store_dir, "stats")
    assert code == 2 and "GBKG_CURATOR_TOKENS" in err and "s3cret" not in err


def test_serve_on_a_busy_port_fails_before_the_store_is_opened(capsys, store_dir) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        code, _, err = run(capsys, "serve", "--store", store_dir, "--port", str(port))
    assert code == 2
    assert f"127.0.0.1:{port}" in err and "--port" in err and err.count("\n") == 1
    assert not Path(store_dir).exists()


def test_query_tables_fit_100_columns_unless_wide(capsys, store_dir) -> None:
    code, out, _ = run(capsys, "--store", store_dir, "query", "null-results")
    assert code == 0
    assert max(map(len, out.splitlines())) <= 100
    assert "…" in out
    code, wide, _ = run(capsys, "--store", store_dir, "query", "null-results", "--wide")
    assert code == 0
    assert max(map(len, wide.splitlines())) > 100 and "…" not in wide
    assert wide.count("\n") == 2 + 2 + 1 and "(2 rows)" in out and "(2 rows)" in wide


def test_a_table_too_wide_to_cut_becomes_records() -> None:
    from gbkg.terminal import write_table

    narrow, wide = io.StringIO(), io.StringIO()
    write_table(["name", "note"], [["serotonin", "x" * 150]], narrow)
    assert narrow.getvalue().splitlines()[0].split() == ["name", "note"]
    assert max(map(len, narrow.getvalue().splitlines())) == 100
    write_table([f"column{i}" for i in range(12)], [["y" * 20] * 12], wide)
    lines = wide.getvalue().splitlines()
    assert lines[0].startswith("-[ row 1 ]") and lines[1].split() == ["column0", "y" * 20]
    assert lines[-1] == "(1 row)" and max(map(len, lines)) <= 100


def test_fit_widths_shrinks_the_widest_columns_first() -> None:
    from gbkg.terminal import fit_widths

    assert fit_widths([5, 10], 40) == [5, 10]
    assert fit_widths([5, 200, 90], 100) == [5, 46, 45]
    assert sum(fit_widths([30, 30, 30, 30], 50)) + 2 * 3 <= 50


def test_paths_as_json_is_the_body_of_get_paths(capsys, store_dir) -> None:
    code, out, _ = run(
        capsys,
        "--store", store_dir, "paths", "gbkg:yogurt", "MONDO:0002050", "--format", "json",
    )  # fmt: skip
    assert code == 0
    body = json.loads(out)
    assert body["source"]["id"] == "gbkg:yogurt" and body["count"] == len(body["paths"]) > 0
    steps = body["paths"][0]["steps"]
    assert steps[0]["from"]["label"] == "yogurt"
    assert steps[-1]["to"]["label"] == "depressive disorder"


def test_paths_as_json_without_a_path_exits_1(capsys, store_dir) -> None:
    code, out, _ = run(
        capsys,
        "--store", store_dir, "paths", "gbkg:probiotic", "UBERON:0001759", "--format", "json",
    )  # fmt: skip
    assert code == 1 and json.loads(out)["paths"] == []


def test_a_sparql_syntax_error_names_the_line_and_what_was_expected(
    capsys, store_dir, tmp_path
) -> None:
    path = tmp_path / "typo.rq"
    path.write_text("#+ summary: a typo\nSELECT ?s\nWHERE { ?s rdf:type ?o }\n", encoding="utf-8")
    code, _, err = run(capsys, "--store", store_dir, "query", str(path))
    assert code == 2
    assert err.count("\n") == 1
    assert "line 3, column 12" in err and "unknown prefix rdf" in err
    assert "\\u{" not in err and "..=" not in err


def test_load_passes_json_lines_files_to_the_reader(capsys, store_dir, tmp_path) -> None:
    path = tmp_path / "claims.jsonl"
    lines = [json.dumps(base_claim()), json.dumps(base_claim(hedged=True))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "--store", store_dir, "load", str(path))
    assert code == 0, err
    assert "2 claim(s) stored" in out


class Terminal(io.StringIO):
    """A standard error that says it is a terminal (what the progress bar looks for)."""

    def isatty(self) -> bool:
        return True


def test_progress_is_drawn_on_a_terminal_only() -> None:
    from gbkg.terminal import progress

    terminal, pipe = Terminal(), io.StringIO()
    for out in (terminal, pipe):
        assert list(progress(range(50), total=50, what="claims", out=out, delay_s=0)) == list(
            range(50)
        )
    assert "50/50" in terminal.getvalue() and "claims" in terminal.getvalue()
    assert pipe.getvalue() == ""


def test_load_shows_progress_on_a_terminal(capsys, store_dir, tmp_path, monkeypatch) -> None:
    import gbkg.terminal

    path = tmp_path / "claims.json"
    path.write_text(json.dumps([base_claim(), base_claim(hedged=True)]), encoding="utf-8")
    terminal = Terminal()
    monkeypatch.setattr(gbkg.terminal, "PROGRESS_DELAY_S", 0)
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["--store", store_dir, "load", str(path)]) == 0
    assert "2/2" in terminal.getvalue()
    code, _, err = run(capsys, "--store", store_dir, "export")
    assert code == 0 and err == ""


def test_a_signed_export_loads_trusted_and_a_changed_one_is_refused(
    capsys, tmp_path, monkeypatch
) -> None:
    first, second, third = (str(tmp_path / n) for n in ("a", "b", "c"))
    monkeypatch.setenv("GBKG_SIGNING_KEY", "operator key")
    export, signature = tmp_path / "export.nq", tmp_path / "export.nq.sig"
    code, out, err = run(
        capsys, "--store", first, "export", "--format", "nquads", "--signature", str(signature)
    )
    assert code == 0, err
    export.write_text(out, encoding="utf-8")
    monkeypatch.setenv("GBKG_LOAD_CURATED", "false")
    code, out, err = run(capsys, "--store", second, "load", "--trusted", str(export))
    assert code == 0, err
    assert "signature checked" in out
    assert store_quads(second) == store_quads(first)
    code, out, _ = run(capsys, "--store", second, "stats")
    assert f"triples       {len(store_quads(first))}" in out  # the counts follow a bulk load

    run(capsys, "--store", third, "stats")
    untouched = store_quads(third)
    changed = tmp_path / "changed.nq"
    extra = '<https://e.org/s> <https://e.org/p> "x" .\n'
    changed.write_text(export.read_text(encoding="utf-8") + extra, encoding="utf-8")
    (tmp_path / "changed.nq.sig").write_text(signature.read_text(encoding="utf-8"))
    code, _, err = run(capsys, "--store", third, "load", "--trusted", str(changed))
    assert code == 2 and "signature does not match" in err
    monkeypatch.setenv("GBKG_SIGNING_KEY", "another key")
    code, _, err = run(capsys, "--store", third, "load", "--trusted", str(export))
    assert code == 2 and "signature does not match" in err
    code, _, err = run(capsys, "--store", third, "load", "--trusted", str(tmp_path / "a.nq"))
    assert code == 2 and "no such file" in err
    assert store_quads(third) == untouched
