"""Shared fixtures: stores and apps are built per test under ``tmp_path``.

The **network trap**: one loopback listener for the whole session. Every
network-shaped hostile case (SERVICE, FROM, FROM NAMED, LOAD, JSON-LD contexts,
IRIs in named-query parameters, the fuzzers' queries) aims at its address
(fixture ``network_trap``; ``listener`` in ``tests/security``). It must receive
no connection: at the end of the session a connection fails the run, whatever
the tests said.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from shared_folder import missing_shared, shared_dir
from sparql_helpers import LoopbackListener, trap_failure

from gbkg.kg.bootstrap import ensure_loaded
from gbkg.kg.curation import ClaimService
from gbkg.kg.settings import Settings
from gbkg.kg.store import OxigraphStore

CURATOR_TOKEN = "test-token-alice"
OTHER_TOKEN = "test-token-bob"


TRAP = pytest.StashKey[LoopbackListener]()
TRAP_FAILURE = pytest.StashKey[str]()


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[TRAP] = LoopbackListener()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    trap = session.config.stash.get(TRAP, None)
    if trap is None:
        return
    trap.close()
    failure = trap_failure(trap)
    if failure is not None:
        session.config.stash[TRAP_FAILURE] = failure
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    config = terminalreporter.config
    if TRAP not in config.stash:
        return
    failure = config.stash.get(TRAP_FAILURE, None)
    if failure is not None:
        terminalreporter.write_line("FAILED " + failure, red=True)
    else:
        terminalreporter.write_line("network trap: 0 connections in this session")


@pytest.fixture(scope="session")
def network_trap(request: pytest.FixtureRequest) -> LoopbackListener:
    """The session's loopback listener, which must receive nothing (see above)."""
    if TRAP not in request.config.stash:  # a run that did not start with this conftest
        pytest_sessionstart(request.session)
    return request.config.stash[TRAP]


@pytest.fixture(scope="session")
def article_text() -> str:
    path = shared_dir() / "seed" / "article.txt"
    if not path.is_file():
        pytest.skip(missing_shared("the source article", path))
    return path.read_text(encoding="utf-8")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[OxigraphStore]:
    """An on-disk store holding the ontology, the entities and the curated claims."""
    s = OxigraphStore(tmp_path / "store")
    ensure_loaded(s)
    yield s
    s.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        store=str(tmp_path / "app-store"),
        curator_tokens=f"alice:{CURATOR_TOKEN},bob:{OTHER_TOKEN}",  # type: ignore[arg-type]
        query_timeout_s=5,
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    from gbkg.api.app import create_app

    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture
def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {CURATOR_TOKEN}"}


@pytest.fixture
def empty(tmp_path: Path) -> Iterator[OxigraphStore]:
    """The ontology and the known entities, no claims."""
    s = OxigraphStore(tmp_path / "empty-store")
    ensure_loaded(s, curated=False)
    yield s
    s.close()


@pytest.fixture
def service(empty: OxigraphStore) -> ClaimService:
    return ClaimService(empty)
