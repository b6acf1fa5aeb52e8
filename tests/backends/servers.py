"""Triplestore servers for the backend tests, all on 127.0.0.1.

- ``oxigraph serve`` (the ``oxigraph`` package of the ``[test]`` extra) is started
  here on a free port with a temporary directory and a query time limit.
- Virtuoso is started by ``.ci/run`` (``.ci/start-virtuoso``), which exports
  ``GBKG_TEST_VIRTUOSO_URL`` (and ``…_USER`` / ``…_PASSWORD``); without it the
  Virtuoso cases skip, saying so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from gbkg.kg.remote_store import RemoteStore
from gbkg.kg.settings import Settings
from gbkg.kg.sparql_protocol_client import Endpoint
from tests.sparql_helpers import free_port

#: ``oxigraph serve --timeout-s``: the server-side limit of one query.
OXIGRAPH_TIMEOUT_S = 3
VIRTUOSO_VARIABLE = "GBKG_TEST_VIRTUOSO_URL"


@dataclass
class TriplestoreServer:
    """Where a test triplestore answers, and the settings that reach it."""

    kind: str
    url: str
    env: dict[str, str] = field(default_factory=dict)

    def settings(self, **extra: object) -> Settings:
        values: dict[str, object] = {"store": self.url, "load_curated": False}
        for key, value in self.env.items():
            values[key.removeprefix("GBKG_").lower()] = value
        values.update(extra)
        return Settings(**values)  # type: ignore[arg-type]

    def open(self, **extra: object) -> RemoteStore:
        s = self.settings(**extra)
        endpoint = Endpoint.from_settings(
            self.url,
            update_url=s.update_url,
            dialect=s.store_dialect,
            user=s.store_user,
            password=s.store_password.get_secret_value(),
        )
        return RemoteStore(endpoint, timeout_s=s.query_timeout_s, poll_s=s.change_poll_s)


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which(
        "oxigraph"
    )
    if found is None:
        raise RuntimeError("oxigraph (the PyPI package of the [test] extra) is not installed")
    return found


class OxigraphServer:
    """``oxigraph serve`` on a temporary directory and a free loopback port."""

    def __init__(self, directory: Path, *, timeout_s: float = OXIGRAPH_TIMEOUT_S) -> None:
        self.port = free_port()
        self.log = (directory / "oxigraph.log").open("wb")
        self.process = subprocess.Popen(
            [
                oxigraph_binary(), "serve", "--location", str(directory / "data"),
                "--bind", f"127.0.0.1:{self.port}", "--timeout-s", str(timeout_s),
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.server = TriplestoreServer("oxigraph", f"http://127.0.0.1:{self.port}/query")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"oxigraph serve exited: {self.process.returncode}")
            try:
                httpx.get(self.server.url, params={"query": "ASK {}"}, timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("oxigraph serve did not answer within 30 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.log.close()


def virtuoso_server() -> TriplestoreServer | None:
    """The Virtuoso that ``.ci/run`` started, or ``None`` on a developer's machine."""
    url = os.environ.get(VIRTUOSO_VARIABLE)
    if not url:
        return None
    env = {
        "GBKG_STORE_USER": os.environ.get(VIRTUOSO_VARIABLE.replace("URL", "USER"), "dba"),
        "GBKG_STORE_PASSWORD": os.environ.get(VIRTUOSO_VARIABLE.replace("URL", "PASSWORD"), "dba"),
    }
    return TriplestoreServer("virtuoso", url, env)


SKIP_VIRTUOSO = (
    f"Virtuoso is not running here: {VIRTUOSO_VARIABLE} is not set "
    "(.ci/run installs and starts it; locally: bash .ci/start-virtuoso, then export "
    "the variables it prints)"
)


def wipe(store: RemoteStore, *, timeout_s: float = 120) -> None:
    """Remove every graph gbkg can see (and its change log); the server's own stay."""
    store.client.update(
        "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } "
        + _not_hidden(store)
        + " }",
        timeout_s=timeout_s,
    )


def _not_hidden(store: RemoteStore) -> str:
    hidden = ", ".join(f"<{g}>" for g in store.hidden_graphs)
    return f"FILTER(?g NOT IN ({hidden}))" if hidden else ""
