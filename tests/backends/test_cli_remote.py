"""Every ``gbkg`` command with ``GBKG_STORE=http://…``, on oxigraph serve and on Virtuoso.

The same commands a user runs on the embedded store (``tests/test_cli.py``):
``stats`` fills an empty store, ``load`` stores a file's claims once, ``validate``
checks a file and the whole store, ``query`` runs a named query, ``export`` writes
the store, ``paths`` follows claims. Bad input and an unreachable or refusing
server are one-line errors with a non-zero exit, and nothing is written.
(``gbkg serve`` on a remote store: ``test_processes.py``, ``test_protocol_conformance.py``.)
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from gbkg.cli import main
from tests.backends.conftest import REMOTE_KINDS
from tests.backends.servers import TriplestoreServer, wipe
from tests.test_model import base_claim


@pytest.fixture(params=REMOTE_KINDS)
def remote(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A wiped remote store; its URL, with its credentials in the environment."""
    name = "oxigraph_server" if request.param == "oxigraph" else "virtuoso"
    yield use(request.getfixturevalue(name), monkeypatch)


def use(server: TriplestoreServer, monkeypatch: pytest.MonkeyPatch) -> str:
    """``server``'s store wiped, and named (with its credentials) in the environment."""
    store = server.open()
    wipe(store)
    store.close()
    for key, value in server.env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("GBKG_STORE", server.url)
    return server.url


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def exported(capsys: pytest.CaptureFixture[str]) -> set[ox.Quad]:
    code = main(["export", "--format", "nquads"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return set(ox.parse(out.encode("utf-8"), format=ox.RdfFormat.N_QUADS))


def test_every_command_on_a_remote_store(
    remote: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "stats")
    assert code == 0, err
    counts = dict(line.split(None, 1) for line in out.splitlines() if line[:1].isalpha())
    assert int(counts["claims"]) >= 20 and counts["backend"].strip().startswith("sparql:")

    path = tmp_path / "claims.json"
    path.write_text(json.dumps([base_claim(), base_claim(hedged=True)]), encoding="utf-8")
    code, out, err = run(capsys, "validate", str(path))
    assert code == 0 and "ok" in out, err
    code, out, err = run(capsys, "load", str(path))
    assert code == 0 and "2 claim(s) stored" in out, err
    code, out, _ = run(capsys, "load", str(path))
    assert code == 0 and "0 claim(s) stored, 2 already present" in out

    code, out, err = run(capsys, "validate")
    assert code == 0 and "ok" in out, err

    code, out, err = run(capsys, "query", "null-results", "--format", "json")
    assert code == 0, err
    assert len({r["claim"]["value"] for r in json.loads(out)["results"]["bindings"]}) >= 2
    code, out, err = run(capsys, "query", "claims-about", "--param", "entity=HGNC:6018")
    assert (code == 0 and "IL-6" in out) or "interleukin" in out.lower(), err

    quads = exported(capsys)
    assert not any(
        isinstance(q.graph_name, ox.NamedNode) and "/graph/changes/" in q.graph_name.value
        for q in quads
    ), "the change log is not exported"
    code, out, _ = run(capsys, "stats")
    counts = dict(line.split(None, 1) for line in out.splitlines() if line[:1].isalpha())
    assert int(counts["claims"]) >= 22

    code, out, err = run(capsys, "paths", "gbkg:probiotic", "MONDO:0002050")
    assert code == 0 and "1. score" in out, err
    code, out, _ = run(capsys, "paths", "gbkg:probiotic", "MONDO:0002050", "--format", "json")
    assert json.loads(out)["count"] >= 1


def test_a_refused_file_writes_nothing_remotely(
    remote: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run(capsys, "stats")
    before = exported(capsys)
    bad = base_claim(statistics={"effect_measure": "SMD", "effect_size": 0.1, "p_value": 1.7})
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps([base_claim(), bad]), encoding="utf-8")
    code, _, err = run(capsys, "load", str(path))
    assert code == 1 and "statistics.p_value" in err
    assert exported(capsys) == before


def test_wrong_credentials_are_one_line(
    virtuoso: TriplestoreServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Virtuoso's update endpoint asks for them (oxigraph serve has no authentication)."""
    use(virtuoso, monkeypatch)
    run(capsys, "stats")
    before = exported(capsys)
    password = os.environ["GBKG_STORE_PASSWORD"]
    monkeypatch.setenv("GBKG_STORE_PASSWORD", "not-the-password")
    path = tmp_path / "claims.json"
    path.write_text(json.dumps([base_claim()]), encoding="utf-8")
    code, _, err = run(capsys, "load", str(path))
    assert code == 2 and err.count("\n") == 1 and err.startswith("error: "), err
    assert "refused" in err and "not-the-password" not in err
    monkeypatch.setenv("GBKG_STORE_PASSWORD", password)
    assert exported(capsys) == before


def test_an_unreachable_store_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.sparql_helpers import free_port

    url = f"http://127.0.0.1:{free_port()}/sparql"
    monkeypatch.setenv("GBKG_STORE", url)
    for command in (["stats"], ["query", "null-results"], ["export"], ["paths", "a:b", "c:d"]):
        code, _, err = run(capsys, *command)
        assert code == 2, command
        assert err.startswith("error: ") and err.count("\n") == 1 and url in err, err
