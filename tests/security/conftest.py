"""Fixtures of the hostile-input suite (see ``hostile.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hostile import FUZZ_REQUESTS, HARNESS_REQUESTS, HostileServer, hostile_server
from sparql_helpers import LoopbackListener


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileServer]:
    """One real ``gbkg serve`` per test module, on a store holding the curated claims."""
    yield from hostile_server(tmp_path_factory.mktemp("hostile"))


@pytest.fixture
def listener(network_trap: LoopbackListener) -> LoopbackListener:
    """The session's network trap (``tests/conftest.py``): a loopback listener that must
    receive nothing, in this test or in any other."""
    return network_trap


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How many hostile requests the harness sent, in how many cases."""
    cases = sum(
        1
        for outcome in ("passed", "failed")
        for report in terminalreporter.stats.get(outcome, [])
        if getattr(report, "when", "call") == "call" and "tests/security/" in report.nodeid
    )
    if cases:
        terminalreporter.write_line(
            f"hostile suite: {cases} cases, {HARNESS_REQUESTS.count} requests through the "
            f"harness, {FUZZ_REQUESTS.count} from the fuzzers"
        )
