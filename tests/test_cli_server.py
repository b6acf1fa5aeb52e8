"""``gbkg`` beside a running ``gbkg serve`` on the same on-disk store.

The server (a real subprocess) holds the store's lock; the read commands open the
store read-only beside it, and a write command is refused in one line that names
the alternatives.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Dataset
from sparql_helpers import Server

from gbkg.cli import main
from gbkg.kg.bootstrap import ensure_loaded
from gbkg.kg.store import OxigraphStore
from tests.test_model import base_claim

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    root = tmp_path_factory.mktemp("cli-beside-serve")
    store = OxigraphStore(root / "store")
    ensure_loaded(store)
    store.close()
    server = Server(root / "store", root / "server.log")
    try:
        server.wait_ready()
        yield server, root / "store"
    finally:
        server.stop()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_stats_beside_the_server(capsys, served) -> None:
    server, store = served
    code, out, err = run(capsys, "stats", "--store", str(store))
    assert code == 0, err
    claims = int(
        dict(line.split(None, 1) for line in out.splitlines() if line[:1] != " ")["claims"]
    )
    assert claims == httpx.get(server.url + "/health", timeout=10).json()["claims"]


def test_query_beside_the_server(capsys, served) -> None:
    _, store = served
    code, out, err = run(capsys, "query", "null-results", "--format", "json", "--store", str(store))
    assert code == 0, err
    assert len(json.loads(out)["results"]["bindings"]) >= 2


def test_export_beside_the_server(capsys, served) -> None:
    server, store = served
    code, out, err = run(capsys, "export", "--format", "nquads", "--store", str(store))
    assert code == 0, err
    exported = Dataset()
    exported.parse(data=out, format="nquads")
    assert len(exported) == httpx.get(server.url + "/health", timeout=10).json()["triples"]


def test_paths_beside_the_server(capsys, served) -> None:
    _, store = served
    code, out, err = run(capsys, "paths", "gbkg:yogurt", "MONDO:0002050", "--store", str(store))
    assert code == 0, err
    assert "yogurt --contains [assertion only]--> probiotic" in out


def test_validate_beside_the_server(capsys, served, tmp_path) -> None:
    _, store = served
    code, out, err = run(capsys, "validate", "--store", str(store))
    assert code == 0 and "ok" in out, err
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(base_claim()), encoding="utf-8")
    code, _, err = run(capsys, "validate", str(path), "--store", str(store))
    assert code == 0, err


def test_a_write_beside_the_server_is_refused_in_one_line(capsys, served, tmp_path) -> None:
    server, store = served
    before = httpx.get(server.url + "/health", timeout=10).json()
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(base_claim()), encoding="utf-8")
    code, out, err = run(capsys, "load", str(path), "--store", str(store))
    assert code == 2
    assert err.count("\n") == 1 and "POST /claims" in err and "stop" in err
    assert "LOCK" not in err and out == ""
    assert httpx.get(server.url + "/health", timeout=10).json() == before
