"""``gbkg suggest FILE``: candidates in a table, JSON or JSON lines; bad input named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shared_folder import shared_dir

from gbkg.cli import main
from gbkg.kg.store import OxigraphStore

NG = Path(__file__).parent / "gold" / "ng2018.json"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def article(article_text: str) -> str:
    return str(shared_dir() / "seed" / "article.txt")


@pytest.fixture
def store_dir(tmp_path: Path) -> str:
    return str(tmp_path / "store")


def test_the_article_as_a_table(capsys, store_dir, article) -> None:
    source = '{"title": "A news report on probiotics", "type": "news-article"}'
    code, out, err = run(capsys, "--store", store_dir, "suggest", article, "--source", source)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["#", "conf", "finding", "hedge"]
    assert "nothing was stored" in lines[-1]
    assert "gbkg:probiotic" in out and " decreases " in out and "HGNC:6018" in out
    assert " ok " in out


def test_json_and_jsonl(capsys, store_dir, tmp_path) -> None:
    gold = json.loads(NG.read_text(encoding="utf-8"))
    text = tmp_path / "ng.txt"
    text.write_text(gold["text"], encoding="utf-8")
    source = tmp_path / "source.json"
    source.write_text(json.dumps(gold["source"]), encoding="utf-8")
    code, out, err = run(
        capsys,
        "--store",
        store_dir,
        "suggest",
        str(text),
        "--source",
        str(source),
        "--format",
        "json",
    )
    assert code == 0, err
    data = json.loads(out)
    (candidate,) = data["candidates"]
    assert candidate["claim"]["statistics"]["ci_high"] == 0.00463
    assert candidate["claim"]["source"]["doi"] == "10.1016/j.jad.2017.11.063"
    assert candidate["validation"]["conforms"] is True
    code, out, _ = run(
        capsys, "--store", store_dir, "suggest", str(text), "--format", "jsonl", "--no-validate"
    )
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 1 and "validation" not in rows[0]


def test_nothing_is_stored(capsys, store_dir, article) -> None:
    run(capsys, "--store", store_dir, "stats")
    store = OxigraphStore(store_dir)
    before = set(map(str, store.quads()))
    store.close()
    code, _, _ = run(capsys, "--store", store_dir, "suggest", article, "--no-validate")
    assert code == 0
    store = OxigraphStore(store_dir)
    assert set(map(str, store.quads())) == before
    store.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["suggest", "no-such-file.txt"], "no-such-file.txt: no such file"),
        (["suggest", "{file}", "--source", "{not json"], "source: not valid JSON"),
        (["suggest", "{file}", "--source", '{"title": "T", "type": "blog"}'], "source: type"),
        (["suggest", "{file}", "--source", "missing.json"], "neither JSON nor a file"),
        (["suggest", "{empty}"], "text: give the text to read"),
        (["suggest", "{binary}"], "not UTF-8"),
    ],
)
def test_bad_input_is_named(capsys, store_dir, tmp_path, args, message) -> None:
    file = tmp_path / "text.txt"
    file.write_text("Probiotics reduce IL-6.", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00probiotics")
    names = {"{file}": file, "{empty}": empty, "{binary}": binary}
    filled = [str(names.get(a, a)) for a in args]
    code, out, err = run(capsys, "--store", store_dir, *filled)
    assert code == 2
    assert message in err and err.startswith("error: ")
    assert out == ""
