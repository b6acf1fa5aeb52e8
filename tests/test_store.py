"""The embedded store: persistence, atomic writes, one writer at a time."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from linking_support import add
from sparql_helpers import numbers

from gbkg.kg.bootstrap import ensure_loaded
from gbkg.kg.curation import ClaimService
from gbkg.kg.errors import StoreError, StoreLockedError
from gbkg.kg.store import OxigraphStore, claim_count

G = ox.NamedNode("https://example.org/g")


def quad(i: int) -> ox.Quad:
    return ox.Quad(
        ox.NamedNode(f"https://example.org/s{i}"),
        ox.NamedNode("https://example.org/p"),
        ox.Literal(str(i)),
        G,
    )


def test_data_survives_close_and_reopen(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "s")
    ensure_loaded(store)
    before = set(map(str, store.quads()))
    claims = claim_count(store)
    store.close()
    reopened = OxigraphStore(tmp_path / "s")
    assert set(map(str, reopened.quads())) == before
    assert claim_count(reopened) == claims > 0
    assert ensure_loaded(reopened) is False, "a store with data is not loaded twice"
    assert len(list(reopened.quads())) == len(before)
    reopened.close()


def test_second_writer_gets_a_clear_error(tmp_path: Path) -> None:
    first = OxigraphStore(tmp_path / "s")
    with pytest.raises(StoreLockedError, match="one writer"):
        OxigraphStore(tmp_path / "s")
    first.close()


def test_a_reader_opens_beside_the_writer(tmp_path: Path) -> None:
    writer = OxigraphStore(tmp_path / "s")
    writer.extend(numbers(3))
    writer.flush()
    reader = OxigraphStore(tmp_path / "s", read_only=True)
    assert reader.triple_count() == 3
    with pytest.raises(StoreError, match="read-only"):
        reader.extend(numbers(1))
    reader.close()
    writer.close()


def test_a_read_only_open_that_keeps_failing_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"cannot open the store at .* to read"):
        OxigraphStore(tmp_path / "nothing-here", read_only=True)


def test_failed_load_changes_nothing(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "s")
    store.extend([quad(1)])
    before = set(map(str, store.quads()))
    broken = b"<https://example.org/a> <https://example.org/p> 1 .\n<https://example.org/b> <oops"
    with pytest.raises(StoreError, match="does not parse"):
        store.load(broken, format=ox.RdfFormat.N_TRIPLES)
    assert set(map(str, store.quads())) == before
    store.close()


def test_apply_removes_and_adds_together(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "s")
    store.extend([quad(1), quad(2)])
    tricky = ox.Quad(
        ox.NamedNode("https://example.org/s3"),
        ox.NamedNode("https://example.org/p"),
        ox.Literal('quote " and } and \n newline', language="en"),
        G,
    )
    store.apply(remove=[quad(1)], add=[tricky])
    assert set(store.quads()) == {quad(2), tricky}
    store.close()


def test_query_binds_values_as_terms(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "s")
    store.extend([quad(1), quad(2)])
    injection = ox.Literal('1" } ; DROP ALL ; SELECT * { "')
    rows = list(store.query("SELECT ?s ?o WHERE { ?s ?p ?o }", substitutions={"o": injection}))
    assert rows == []
    rows = list(
        store.query("SELECT ?s ?o WHERE { ?s ?p ?o }", substitutions={"o": ox.Literal("2")})
    )
    assert [r["s"] for r in rows] == [ox.NamedNode("https://example.org/s2")]
    assert len(list(store.quads())) == 2
    store.close()


def test_read_only_store_refuses_writes(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "s")
    store.extend([quad(1)])
    store.close()
    reader = OxigraphStore(tmp_path / "s", read_only=True)
    assert len(list(reader.quads())) == 1
    with pytest.raises(StoreError, match="read-only"):
        reader.extend([quad(2)])
    reader.close()


def test_the_counts_kept_on_write_are_what_a_count_finds(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "s")
    ensure_loaded(store)
    assert (store.triple_count(), store.claim_total()) == (
        len(list(store.quads())),
        claim_count(store),
    )
    service = ClaimService(store)
    added = add(service, "gbkg:probiotic", "gba:increases", "CHEBI:28790")
    add(service, "gbkg:probiotic", "gba:increases", "CHEBI:28790")  # the same claim again
    service.retract(added, reason="test", curator="tester")
    store.extend([quad(1), quad(1), quad(2)])
    store.apply(remove=[quad(2), quad(3)], add=[quad(4)])
    kept = (store.triple_count(), store.claim_total())
    store.close()
    reopened = OxigraphStore(tmp_path / "s")  # counted afresh
    assert kept == (reopened.triple_count(), reopened.claim_total())
    assert kept == (len(list(reopened.quads())), claim_count(reopened))
    reopened.close()
