"""Fixtures of the hostile-input suite (see ``hostile.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hostile import HostileServer, hostile_server
from sparql_helpers import LoopbackListener, loopback_listener


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileServer]:
    """One real ``gbkg serve`` per test module, on a store holding the curated claims."""
    yield from hostile_server(tmp_path_factory.mktemp("hostile"))


@pytest.fixture
def listener() -> Iterator[LoopbackListener]:
    """A loopback listener that must receive nothing."""
    with loopback_listener() as live:
        yield live
